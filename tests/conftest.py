"""Shared fixtures: an app on a temporary data folder, a client with CSRF on, staff accounts,
and a respondent helper that walks a questionnaire through the real forms."""
from __future__ import annotations

import re
import weakref

import pytest

import support.caches as caches
import support.storage as storage_support

from survey_app import create_app
from survey_app.web.auth import create_user
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_catalogue, get_questionnaire
from survey_app.fieldings.fielding import ensure_default_surveys

from hypothesis import HealthCheck, settings as hypothesis_settings

# Generating examples is slow on a busy machine (CI shares its two cores with the browser and the
# servers of other tests): that is not a failure of what a property proves. Every test's own
# @settings builds on this profile.
hypothesis_settings.register_profile("survey_app", suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("survey_app")

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _close_postgres_stores():
    """No PostgreSQL pool outlives its test; the test schemas go at the end of the session."""
    yield
    if storage_support.TEST_DATABASE_URL:
        storage_support.close_opened()
        for store in list(_app_stores):    # an app that lives on (module-scoped) opens its pool again
            store.close()


@pytest.fixture(autouse=True, scope="session")
def _repeated_work_once():
    """Password hashes, parsed definition files and compiled templates that every test app
    makes alike are made once per test process (tests/support/caches.py)."""
    with caches.installed():
        yield


@pytest.fixture(autouse=True, scope="session")
def _drop_postgres_schemas():
    yield
    if storage_support.TEST_DATABASE_URL:
        storage_support.drop_schemas()
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_addoption(parser):
    parser.addoption("--storage", choices=("tinydb", "postgres"), default="tinydb",
                     help="where the apps of the tests keep their data: the data folder (tinydb, the default) "
                          "or PostgreSQL (postgres: a schema per test in SURVEY_APP_TEST_DATABASE_URL)")


def pytest_configure(config):
    global APP_STORAGE
    caches.temporary_folders_in_memory()
    APP_STORAGE = config.getoption("--storage")
    if APP_STORAGE == "postgres" and not storage_support.TEST_DATABASE_URL:
        raise pytest.UsageError("--storage=postgres needs SURVEY_APP_TEST_DATABASE_URL (see README)")


def pytest_collection_modifyitems(config, items):
    if APP_STORAGE != "postgres":
        return
    skip = pytest.mark.skip(reason="looks at the data folder's files: not for --storage=postgres")
    for item in items:
        if "data_folder" in item.keywords:
            item.add_marker(skip)


APP_STORAGE = "tinydb"
_app_stores = weakref.WeakSet()   # PostgreSQL stores of the tests' apps that are still alive


def make_app(tmp_path, **config):
    """An app for tests on its own data folder (and, with --storage=postgres, its own schema in the
    test database); `config` overrides (e.g. QUESTIONNAIRE_DIR)."""
    if APP_STORAGE == "postgres" and "DATABASE_URL" not in config:
        config["DATABASE_URL"] = storage_support.postgres_url(tmp_path / "data")
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-secret", **config})
    if config.get("DATABASE_URL") and app.extensions.get("survey_store") is not None:
        _app_stores.add(app.extensions["survey_store"])
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        for role in ("admin", "evaluator", "facilitator"):
            create_user(role, PASSWORD, role)
        ensure_default_surveys(get_store(), get_catalogue())  # as the first request would
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url: str = "/login") -> str:
    """A CSRF token for the client's session, read from a page's form as a browser would."""
    page = client.get(url)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def valid_page_data(page) -> dict:
    """Form data that answers every question on a page validly (first option, etc.)."""
    data = {}
    for question in page.questions:
        kind = question.type
        if kind in ("single_choice", "multiple_choice"):
            data[question.id] = question.options[0].value
        elif kind == "scale":
            data[question.id] = str(question.scale.points[-1].value)
        elif kind == "matrix":
            for item in question.items:
                data[f"{question.id}-{item.id}"] = str(question.scale.points[0].value)
        elif kind == "number":
            data[question.id] = format(question.min or 0, "g")
        elif kind == "allocation":
            data[f"{question.id}-{question.items[0].id}"] = str(int(question.total))
        else:
            data[question.id] = "Kommentar"
    return data


class Respondent:
    """Walks a survey like a browser without JavaScript would."""

    def __init__(self, client, app, slug: str):
        self.client = client
        self.slug = slug
        with app.app_context():
            self.questionnaire = get_questionnaire(slug)

    def start(self):
        token = csrf_token(self.client, f"/s/{self.slug}")
        return self.client.post(f"/s/{self.slug}/start", data={"csrf_token": token})

    def post_page(self, number: int, data: dict, action: str = "next"):
        token = csrf_token(self.client)
        return self.client.post(f"/s/{self.slug}/p/{number}",
                                data={**data, "csrf_token": token, "action": action})

    def complete(self, overrides: dict | None = None):
        """Answer every page validly; `overrides` maps field names to values to use instead."""
        self.start()
        response = None
        for number, page in enumerate(self.questionnaire.pages, start=1):
            data = valid_page_data(page)
            data.update({k: v for k, v in (overrides or {}).items() if k in data or k.split("-")[0] in
                         {q.id for q in page.questions}})
            response = self.post_page(number, data)
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response


@pytest.fixture
def respondent(client, app):
    return Respondent(client, app, "staff-self-assessment")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for all browser tests (skips or fails as require_chromium says)."""
    from browser_support import CHROMIUM_ARGS, require_chromium

    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test app served on 127.0.0.1 for the browser."""
    from browser_support import LiveServer

    with LiveServer(app) as server:
        yield server


def data_rows(rows):
    """The rows of a CSV download without its note (a microdata file ends with a row "# k-anonymity: ...")."""
    rows = list(rows)
    return [r for r in rows if not str((list(r.values()) if isinstance(r, dict) else r or [""])[0] or "").startswith("# ")]
