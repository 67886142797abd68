"""The demo's staffing: posts per programme as in the council paper (2.5 general, 3.5 QFI) and
one saved scenario, each record marked "demo": true so that `demo --remove` takes exactly them."""
from __future__ import annotations

from survey_app.analysis.counting import DEMO, is_demo
from survey_app.decisions import staffing
from survey_app.definitions.questionnaire import Catalogue

DEMO_QUESTIONNAIRE = "staff-self-assessment"
DEMO_SETTINGS = staffing.Settings(staffing.BASIS_PROGRAMMES, staffing.DEFAULT_WEEKLY_HOURS, {"general": 2.5, "qfi": 3.5})
DEMO_SCENARIO = staffing.Scenario(
    "Mehr Netzwerkarbeit, keine Einzelfallbetreuung",
    (staffing.Target("networking", staffing.SHARE, {"general": 25, "qfi": 25}),
     staffing.Target("case_work", staffing.HOURS, {"general": 0, "qfi": 0}),
     staffing.Target("new-1", staffing.HOURS, {"general": 4, "qfi": 6}, "Beteiligung in Stadtteilgremien begleiten")),
    "Demo: ein Viertel der Arbeitszeit für Netzwerkarbeit, Einzelfälle an den Sozialdienst, eine neue Aufgabe.")


def make_demo_staffing(store, catalogue: Catalogue) -> str | None:
    """Save the demo settings (unless settings are there) and the demo scenario (unless there);
    returns the scenario's name, None when the staff survey is missing."""
    survey = store.find_survey_by_slug(DEMO_QUESTIONNAIRE)
    if survey is None or DEMO_QUESTIONNAIRE not in catalogue.questionnaires:
        return None
    if store.get_record(staffing.SETTINGS_KIND, survey.id) is None:
        store.put_record(staffing.SETTINGS_KIND, survey.id, {**staffing.settings_record(DEMO_SETTINGS), DEMO: True},
                         expected_version=0, updated_by="demo")
    key = staffing.scenario_key(survey.id, DEMO_SCENARIO.name)
    if store.get_record(staffing.SCENARIO_KIND, key) is None:
        store.put_record(staffing.SCENARIO_KIND, key, {**staffing.scenario_record(DEMO_SCENARIO), DEMO: True},
                         expected_version=0, updated_by="demo")
    return DEMO_SCENARIO.name


def remove_demo_staffing(store) -> int:
    """Delete the demo's staffing records; how many."""
    removed = 0
    for kind in (staffing.SETTINGS_KIND, staffing.SCENARIO_KIND):
        for key, record in store.list_records(kind):
            if is_demo(record):
                removed += store.delete_record(kind, key)
    return removed
