"""Personal invitations: single-use links, stored as hashes, not linked to responses."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from conftest import Respondent, csrf_token, login, valid_page_data
from survey_app.storage.interface import DataFolder
from survey_app.web.db import get_store
from survey_app.fieldings.invitations import token_hash

SLUG = "staff-self-assessment"


def _invite(app, client, count=3, anonymity="anonymous"):
    login(client, "admin")
    with app.app_context():
        survey = get_store().find_survey_by_slug(SLUG)
    token = csrf_token(client, f"/admin/surveys/{survey.id}")
    client.post(f"/admin/surveys/{survey.id}", data={
        "csrf_token": token, "label": "Einladung", "min_group_size": 5, "access": "invitation",
        "anonymity": anonymity})
    response = client.post(f"/admin/surveys/{survey.id}/invitations", data={"csrf_token": token, "count": count})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    return survey, [row["link"] for row in rows]


def _start_without_form(respondent):
    """Post "start" although the start page offers no button (as a crafted request would)."""
    return respondent.client.post(f"/s/{SLUG}/start", data={"csrf_token": csrf_token(respondent.client)})


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["t"][0]


def test_links_are_single_use_and_only_hashes_are_stored(app, client, tmp_path):
    survey, links = _invite(app, client)
    assert len(links) == 3 and len({_token(link) for link in links}) == 3
    with app.app_context():
        store = get_store()
        assert all(store.find_invitation(survey.id, token_hash(_token(link))) for link in links)
        assert not any(store.find_invitation(survey.id, _token(link)) for link in links)
    if isinstance(store, DataFolder):   # and the file holds no token either
        stored = (Path(app.config["DATA_DIR"]) / "surveys" / survey.id / "invitations.json").read_text()
        assert all(_token(link) not in stored for link in links)
        assert all(token_hash(_token(link)) in stored for link in links)

    respondent = Respondent(app.test_client(), app, SLUG)
    first = respondent.client.get(urlsplit(links[0]).path + "?" + urlsplit(links[0]).query)
    assert first.status_code == 302 and "?t=" not in first.location  # token kept out of the address bar
    respondent.complete()
    # the same link again, in another browser: refused
    other = Respondent(app.test_client(), app, SLUG)
    other.client.get(urlsplit(links[0]).path + "?" + urlsplit(links[0]).query)
    assert "wurde bereits genutzt" in other.client.get(f"/s/{SLUG}").get_data(as_text=True)
    assert _start_without_form(other).location.endswith(f"/s/{SLUG}")
    with app.app_context():
        store = get_store()
        assert store.count_invitations(survey.id) == (3, 1)
        [response] = store.responses(survey.id)
    # nothing in the response refers to the invitation; it records the day only
    text = json.dumps(response)
    assert _token(links[0]) not in text and token_hash(_token(links[0])) not in text
    assert len(response["submitted_on"]) == 10


def test_without_a_link_nobody_can_answer(app, client):
    _invite(app, client)
    stranger = Respondent(app.test_client(), app, SLUG)
    page = stranger.client.get(f"/s/{SLUG}").get_data(as_text=True)
    assert "nur mit persönlicher Einladung" in page and 'action="/s/staff-self-assessment/start"' not in page
    assert _start_without_form(stranger).location.endswith(f"/s/{SLUG}")
    stranger.client.get(f"/s/{SLUG}?t=made-up-token")
    assert "nur mit persönlicher Einladung" in stranger.client.get(f"/s/{SLUG}").get_data(as_text=True)
    with app.app_context():
        assert get_store().list_drafts(get_store().find_survey_by_slug(SLUG).id) == []


def test_a_link_used_up_in_another_browser_meanwhile_stores_nothing_more(app, client):
    _survey, links = _invite(app, client, 1)
    query = "?" + urlsplit(links[0]).query
    phone, laptop = Respondent(app.test_client(), app, SLUG), Respondent(app.test_client(), app, SLUG)
    for device in (phone, laptop):
        device.client.get(f"/s/{SLUG}{query}")
        device.start()
    phone.complete()
    pages = laptop.questionnaire.pages
    for number, page in enumerate(pages, start=1):
        last = laptop.post_page(number, valid_page_data(page))
    assert last.location.endswith(f"/s/{SLUG}")
    with app.app_context():
        assert len(get_store().responses(get_store().find_survey_by_slug(SLUG).id)) == 1


def test_only_admins_create_invitations(app, client):
    with app.app_context():
        survey = get_store().find_survey_by_slug(SLUG)
    login(client, "evaluator")
    response = client.post(f"/admin/surveys/{survey.id}/invitations", data={"csrf_token": csrf_token(client), "count": 2})
    assert response.status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    assert admin.post(f"/admin/surveys/{survey.id}/invitations", data={"count": 2}).status_code == 400
    too_many = admin.post(f"/admin/surveys/{survey.id}/invitations",
                          data={"csrf_token": csrf_token(admin), "count": 0}, follow_redirects=True)
    assert "ganze Zahl von 1 bis 2000" in too_many.get_data(as_text=True)


def test_a_confidential_fielding_says_so_and_records_the_invitation_number(app, client):
    survey, links = _invite(app, client, 2, anonymity="confidential")
    respondent = Respondent(app.test_client(), app, SLUG)
    respondent.client.get(f"/s/{SLUG}?" + urlsplit(links[1]).query)
    start = respondent.client.get(f"/s/{SLUG}").get_data(as_text=True)
    assert "Vertraulich, nicht anonym" in start and "Ihre Anonymität" not in start
    respondent.complete()
    with app.app_context():
        [response] = get_store().responses(survey.id)
    assert response["invitation"] == 2  # the second link of the mail-merge file


def test_confidential_needs_invitations(app, client):
    login(client, "admin")
    with app.app_context():
        survey = get_store().find_survey_by_slug(SLUG)
    token = csrf_token(client, f"/admin/surveys/{survey.id}")
    response = client.post(f"/admin/surveys/{survey.id}", data={
        "csrf_token": token, "label": "X", "min_group_size": 5, "access": "open", "anonymity": "confidential"})
    assert response.status_code == 422
    assert "Vertraulich setzt persönliche Einladungen voraus" in response.get_data(as_text=True)
    with app.app_context():
        assert get_store().get_survey(survey.id).anonymity != "confidential"
