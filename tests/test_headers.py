"""Security headers on every response (web/headers.py): a Content-Security-Policy without inline
scripts, no MIME sniffing, no framing by other sites, no referrer to other sites, HSTS behind
HTTPS; the HTML report is an attachment with a policy of its own. tests/test_csp_browser.py shows
that the pages work under the policy in Chromium."""
from __future__ import annotations

import re

from conftest import login, make_app
from survey_app import PROJECT_ROOT
from survey_app.web.headers import POLICY, REPORT_POLICY
from test_csp_browser import _responses

TEMPLATES = PROJECT_ROOT / "survey_app" / "templates"


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_every_response_carries_the_headers(app, client):
    login(client, "admin")
    responses = {path: client.get(path) for path in (
        "/", "/admin/", "/s/staff-self-assessment", "/w/", "/static/survey.js", "/vendor/plotly.min.js",
        "/healthz", "/nowhere")}
    responses["POST without CSRF"] = client.post("/admin/definitions/upload")
    for name, response in responses.items():
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], name                 # no inline scripts, no eval
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"], name
        assert policy["form-action"] == ["'self'"], name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        assert "Strict-Transport-Security" not in response.headers, name   # plain HTTP: no HSTS
    assert responses["/nowhere"].status_code == 404 and responses["POST without CSRF"].status_code == 400


def test_hsts_behind_https(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_APP_HTTPS", "1")
    client = make_app(tmp_path).test_client()
    for path in ("/", "/login", "/healthz"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_report_is_an_attachment_with_a_sandboxed_policy_of_its_own(app, client):
    survey = _responses(app, "staff-self-assessment", 8)
    login(client, "evaluator")
    report = client.get(f"/results/{survey.id}/download/report.html")
    assert report.status_code == 200
    assert report.headers["Content-Disposition"] == f'attachment; filename="{survey.slug}-report.html"'
    assert report.headers["Content-Security-Policy"] == REPORT_POLICY
    policy = directives(REPORT_POLICY)
    assert policy["default-src"] == ["'none'"]                          # it fetches nothing
    assert policy["sandbox"] == ["allow-scripts", "allow-downloads"]    # no allow-same-origin: no cookies
    assert "<script>" in report.get_data(as_text=True)                   # it keeps its inline scripts
    csv = client.get(f"/results/{survey.id}/download/responses.csv")
    assert csv.headers["Content-Security-Policy"] == POLICY


def test_templates_have_no_inline_scripts_or_event_handlers():
    """What a strict policy blocks: scripts that are not files or JSON data, on...= handlers,
    javascript: links. (The report is a file for disk and has a policy of its own.)"""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).as_posix() == "report/report.html":
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if not re.search(r'\bsrc="|type="application/json"', tag):
                found.append(f"{path.name}: {tag}")
        found += [f"{path.name}: {m}" for m in re.findall(r"<[^>]*\son[a-z]+\s*=[^>]*>", text)]
        found += [f"{path.name}: {m}" for m in re.findall(r"javascript:", text, re.I)]
    assert found == []
