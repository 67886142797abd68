"""The demo command fills the shipped surveys so that every chart and download works."""
from __future__ import annotations

from conftest import login
from survey_app.web.db import get_store


def test_demo_fills_surveys_and_every_download_works(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "80 synthetic responses to /s/stakeholder-questionnaire" in result.output
    with app.app_context():
        store = get_store()
        staff = store.find_survey_by_slug("staff-self-assessment")
        partners = store.find_survey_by_slug("stakeholder-questionnaire")
        assert store.count_responses(staff.id) == 6
        assert store.count_responses(partners.id) == 80
    login(client, "evaluator")
    page = client.get(f"/results/{partners.id}").get_data(as_text=True)
    assert "Antworten: n = 80" in page and page.count('data-figure="') > 5
    for name in ("report.html", "results.xlsx", "responses.csv", "responses-long.csv", "codebook.csv",
                 "aggregates.json"):
        assert client.get(f"/results/{partners.id}/download/{name}?by=organisation_type").status_code == 200
    triangulation = client.get("/results/triangulation").get_data(as_text=True)
    assert "task.networking" in triangulation and "Demo-Workshop Quartiersmanagement" in triangulation
    with app.app_context():
        [entry] = get_store().list_workshops()
    results = client.get(f"/workshops/{entry['id']}/results")
    assert results.status_code == 200 and "n = 40" in results.get_data(as_text=True)
    # classified task profiles and their draft (the release plans are known by now: quick)
    assert "classified 8 task profiles" in result.output
    profiles = client.get("/decisions/profiles/").get_data(as_text=True)
    assert "10 Aufgaben, 8 eingeordnet" in profiles and "Kernaufgabe des Quartiersmanagements" in profiles
    assert client.get("/decisions/profiles/draft.docx").status_code == 200
