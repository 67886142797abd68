"""An app server whose database cannot be reached (here: a closed port on 127.0.0.1) loads all
the same and answers every request 503 with Retry-After and the right reason, "the database
cannot be reached", in German or English, as a page or as JSON; a full disk keeps its own
message (tests/test_storage_full.py). Once the database answers, the same app serves."""
from __future__ import annotations

import socket
import threading

import pytest

from conftest import make_app
from support.storage import TEST_DATABASE_URL, postgres_required, postgres_url

pytest.importorskip("psycopg")

GERMAN = "weil die Datenbank gerade nicht erreichbar ist"
ENGLISH = "because the database cannot be reached"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]               # nothing listens there once it is closed


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory):
    url = f"postgresql://nobody@127.0.0.1:{closed_port()}/none?connect_timeout=2"
    return make_app(tmp_path_factory.mktemp("unreachable"), DATABASE_URL=url)


def test_pages_say_the_database_cannot_be_reached_in_the_persons_language(unreachable):
    client = unreachable.test_client()
    page = client.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert page.mimetype == "text/html" and 'lang="de"' in text and GERMAN in text
    assert "Speicher" not in text and "storage is full" not in text
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert ENGLISH in english and 'lang="en"' in english and "try again in a few minutes" in english
    sent = client.post("/login", data={"username": "anna", "password": "x"})
    assert sent.status_code == 503 and "konnte gerade nicht gespeichert werden" in sent.get_data(as_text=True)
    assert GERMAN in sent.get_data(as_text=True)


def test_json_requests_get_json(unreachable):
    client = unreachable.test_client()
    for response in (client.get("/w/ABCDEF/state.json"),
                     client.get("/", headers={"Accept": "application/json"})):
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert response.is_json and response.json["reason"] == "unreachable"
        assert GERMAN in response.json["error"] and response.json["retry_after"] == 60


class Forwarder:
    """A TCP port that refuses connections until open(target) forwards them to `target`."""

    def __init__(self):
        self.port = closed_port()
        self.server: socket.socket | None = None

    def open(self, target: tuple[str, int]) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(target,), daemon=True).start()

    def _accept(self, target):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        if self.server is not None:
            self.server.close()


@pytest.mark.skipif(not TEST_DATABASE_URL and not postgres_required(), reason="needs SURVEY_APP_TEST_DATABASE_URL")
def test_the_app_serves_once_its_database_answers(tmp_path, monkeypatch):
    from urllib.parse import urlsplit

    from survey_app.web import db

    monkeypatch.setattr(db, "RETRY_S", 0)
    real = urlsplit(postgres_url(tmp_path / "database"))
    forwarder = Forwarder()
    url = real._replace(netloc=f"{real.username}@127.0.0.1:{forwarder.port}").geturl()
    app = make_app(tmp_path, DATABASE_URL=url, SECRET_KEY=None)
    try:
        client = app.test_client()
        assert client.get("/").status_code == 503
        forwarder.open((real.hostname, real.port))
        again = client.get("/login?lang=en")      # the session is read again with the key from the database
        assert again.status_code == 307 and again.location == "/login?lang=en" and app.config["SECRET_KEY"]
        assert client.get("/login").status_code == 200
        assert client.get("/").status_code in (200, 302)
    finally:
        if app.extensions.get("survey_store") is not None:
            app.extensions["survey_store"].close()
        forwarder.close()
