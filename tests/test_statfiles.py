"""SPSS and R downloads: the same rows as the CSV of the same request, labelled as the
question types say; the same roles and the same disclosure rules as the CSV."""
from __future__ import annotations

import io
import math
import shutil
import subprocess
import zipfile

import pyreadstat
import pytest

from conftest import login
from survey_app.output.statfiles import r_script, spss_names, to_sav
from survey_app.web.catalogue import get_questionnaire

from test_downloads import _csv, _get, survey_id  # noqa: F401  (the shared fixture)


def _read_sav(data: bytes, tmp_path):
    path = tmp_path / "responses.sav"
    path.write_bytes(data)
    return pyreadstat.read_sav(str(path), user_missing=True)


def _same(sav_value, csv_value: str, missing: dict) -> bool:
    if csv_value == "":
        return sav_value in ("", None) or isinstance(sav_value, float) and math.isnan(sav_value)
    if isinstance(sav_value, float):
        if csv_value in missing:
            return sav_value == missing[csv_value]
        return sav_value == float(csv_value)
    return sav_value == csv_value


@pytest.mark.parametrize("query", [{}, {"texts": 1}, {"by": "organisation_type"}])
def test_the_sav_file_holds_the_csv_rows_with_labels(app, client, survey_id, tmp_path, query):
    login(client, "evaluator")
    csv_rows = _csv(_get(client, survey_id, "responses.csv", **query))
    response = _get(client, survey_id, "responses.sav", **query)
    assert response.headers["Content-Disposition"].endswith('-responses.sav"')
    frame, meta = _read_sav(response.get_data(), tmp_path)
    header, rows = csv_rows[0], csv_rows[1:]
    assert list(frame.columns) == spss_names(header) and len(frame) == len(rows)
    labels = meta.column_names_to_labels
    assert labels["organisation_type"] == "Für welche Art von Organisation oder Gremium sind Sie tätig?"
    assert meta.variable_value_labels["organisation_type"]["welfare_association"] == "Verband der freien Wohlfahrtspflege"
    assert meta.variable_value_labels["agree_role_clear"][5.0]
    assert meta.variable_measure["agree_role_clear"] == "ordinal"
    # Each file is in its own random order with its own row numbers (microdata): every CSV row
    # is in the .sav once, whatever its place.
    columns = [c for c in frame.columns if c != "row"]
    left = [frame.iloc[i] for i in range(len(frame))]

    def matches(sav_row, row) -> bool:
        # texts that look like formulas carry a ' in the CSV only (SPSS runs no formula)
        return all(_same(sav_row[c], v.removeprefix("'") if isinstance(sav_row[c], str) else v, {})
                   for c, v in zip(frame.columns, row) if c in columns)

    for row in rows:
        found = next((i for i, sav_row in enumerate(left) if matches(sav_row, row)), None)
        assert found is not None, row
        left.pop(found)


def test_dont_know_is_a_labelled_user_missing_code(app, tmp_path):
    with app.app_context():
        questionnaire = get_questionnaire("staff-self-assessment")
    scale = next(q for q in questionnaire.questions() if q.kind.value_codes(q) and q.kind.value_codes(q).missing)
    column = scale.kind.columns(scale)[0]
    headers = ["response_id", column]
    rows = [["a", 1], ["b", "dk"], ["c", None], ["d", 2]]
    data = to_sav(questionnaire, headers, rows, {column: "Frage"}, "de", lambda t: t)
    frame, meta = _read_sav(data, tmp_path)
    name = spss_names(headers)[1]
    code = frame[name].iloc[1]
    assert code < 0 and meta.missing_ranges[name] == [{"lo": code, "hi": code}]
    assert meta.variable_value_labels[name][code]            # the scale's "don't know" label
    assert frame[name].iloc[0] == 1 and math.isnan(frame[name].iloc[2])
    plain, _ = pyreadstat.read_sav(str(tmp_path / "responses.sav"))  # as SPSS counts: dk is missing
    assert math.isnan(plain[name].iloc[1]) and plain[name].mean() == 1.5


def test_odd_names_become_valid_spss_names():
    names = spss_names(["1st", "a-b.c", "a_b.c", "ALL", "x.", "ä", "a" * 80, "a" * 80])
    assert names[0] == "v_1st" and names[1] == "a_b.c" and names[2] == "a_b.c_2"
    assert names[3] == "v_ALL" and names[4] == "x" and len(set(n.lower() for n in names)) == len(names)
    assert all(len(n.encode()) <= 64 and n[0].isalpha() for n in names)


def test_the_r_bundle_has_the_csv_and_a_script_with_factors(app, client, survey_id):
    login(client, "evaluator")
    csv_bytes = _get(client, survey_id, "responses.csv").get_data()
    bundle = zipfile.ZipFile(io.BytesIO(_get(client, survey_id, "responses-r.zip").get_data()))
    assert sorted(bundle.namelist()) == ["README.txt", "responses.R", "responses.csv"]
    assert bundle.read("README.txt").decode().startswith("k-Anonymität")
    def rows(data: bytes) -> list[str]:   # each file in its own random order, numbered 1, 2, ...
        header, *lines = [line for line in data.decode("utf-8-sig").splitlines() if not line.startswith("# ")]
        return [header, *sorted(line.split(",", 1)[1] for line in lines)]

    assert rows(bundle.read("responses.csv")) == rows(csv_bytes)
    script = bundle.read("responses.R").decode("utf-8")
    assert 'read.csv("responses.csv", fileEncoding = "UTF-8-BOM"' in script
    assert ('responses[["organisation_type"]] <- factor(responses[["organisation_type"]], levels = c('
            '"welfare_association",') in script
    assert '"Verband der freien Wohlfahrtspflege"' in script
    assert 'attr(responses[["agree_role_clear"]], "labels") <- c(' in script


def test_r_strings_are_escaped(app):
    with app.app_context():
        questionnaire = get_questionnaire("staff-self-assessment")
    script = r_script(questionnaire, ["x"], {"x": 'a "quoted" \\ back\nslash'}, "de", lambda t: t)
    assert 'attr(responses[["x"]], "label") <- "a \\"quoted\\" \\\\ back\\nslash"' in script


@pytest.mark.parametrize("name", ["responses.sav", "responses-r.zip"])
def test_same_rules_as_the_csv(app, client, survey_id, name):
    # like the CSV, a response-level file is never filtered (a filtered file would label its
    # rows): the same microdata with or without a filter
    login(client, "evaluator")
    for file in ("responses.csv", name):
        whole = client.get(f"/results/{survey_id}/download/{file}")
        filtered = client.get(f"/results/{survey_id}/download/{file}?filter=organisation_type:social_service")
        assert whole.status_code == filtered.status_code == 200
        if file.endswith(".csv"):
            assert len(filtered.get_data()) == len(whole.get_data())
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert f"/results/{survey_id}/download/{name}" in page


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed here")
def test_the_r_script_runs_in_r(app, client, survey_id, tmp_path):
    login(client, "evaluator")
    zipfile.ZipFile(io.BytesIO(_get(client, survey_id, "responses-r.zip", texts=1).get_data())).extractall(tmp_path)
    check = ('source("responses.R", encoding = "UTF-8"); x <- responses[["organisation_type"]]; '
             'stopifnot(is.factor(x), nrow(responses) == 16, is.numeric(responses[["agree_role_clear"]])); '
             'cat(levels(x)[1], attr(responses[["agree_role_clear"]], "label"), sep = "\\n")')
    result = subprocess.run(["Rscript", "-e", check], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Verband der freien Wohlfahrtspflege" in result.stdout
