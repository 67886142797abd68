"""Binds the storage to the Flask app: one store per app, seen as storage.interface.Storage.

SURVEY_APP_DATABASE_URL (config DATABASE_URL) = postgresql://... selects the PostgreSQL adapter
(psycopg is imported only then: the app installs and runs without it); without it the TinyDB
adapter keeps everything in the data folder (DATA_DIR), as before.

A database whose tables are older than this code (never upgraded, or upgraded by an older
release) does not stop the app from loading, so that `flask --app survey_app db-upgrade` can
run; every request is then answered 503 (the reason goes to the log) until it has been upgraded.
Nor does a database that cannot be reached: requests are answered 503 ("the database cannot be
reached", web/unavailable.py) and the app opens it as soon as it answers again."""
from __future__ import annotations

import os
import threading
import time

from flask import Flask, current_app

from survey_app.storage.interface import DecisionRecords, Storage, StorageUnavailableError

POOL_SIZE = 10   # connections per process (SURVEY_APP_DATABASE_POOL)


def database_url(app: Flask) -> str | None:
    return app.config.get("DATABASE_URL") or None


def open_store(url_or_folder: str) -> Storage:
    """The store on a database URL (postgresql://...) or a data folder (anything else)."""
    if url_or_folder.startswith(("postgresql://", "postgres://")):
        from survey_app.storage.postgres.store import Store as PostgresStore

        return PostgresStore(url_or_folder, pool_size=int(os.environ.get("SURVEY_APP_DATABASE_POOL") or POOL_SIZE))
    from survey_app.storage.tinydb.store import Store

    return Store(url_or_folder)


def init_app(app: Flask) -> None:
    url = database_url(app)
    if url is None:
        store = open_store(app.config["DATA_DIR"])
        store.remove_stale_temp_files()  # left by workers that were killed mid-write
        store.forget_submission_links()  # records of versions before issue 10: made unlinkable
        app.extensions["survey_store"] = store
        return
    app.extensions["survey_store"] = None
    problem = _open_database(app, url)
    if problem is None:
        return
    # Not ready: the database cannot be reached, or its schema is older than this code. The app
    # loads all the same (so that db-upgrade can run, and so that it serves once the database is
    # back), answers every request 503 with the reason, and tries again now and then.
    state = {"problem": problem, "tried": time.monotonic()}
    lock = threading.Lock()

    @app.before_request
    def database_not_ready():
        if app.extensions.get("survey_store") is not None:
            return None
        had_key = bool(app.config.get("SECRET_KEY"))
        with lock:
            if app.extensions.get("survey_store") is None and time.monotonic() - state["tried"] >= RETRY_S:
                state["problem"], state["tried"] = _open_database(app, url), time.monotonic()
        if state["problem"] is None:
            if had_key:
                return None
            # This request's session was opened before the secret key (kept in the database) was
            # known: the same request again (307 keeps method and body) reads it with the key.
            from flask import redirect, request

            return redirect(request.full_path if request.query_string else request.path, 307)
        from flask_babel import gettext

        from survey_app.web.unavailable import unavailable_response

        if state["problem"] == UNREACHABLE:
            return unavailable_response(None)
        message = gettext("This service is being updated and cannot answer just now. Please try again "
                          "in a few minutes.")
        return message + "\n", 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "60"}


RETRY_S = 2            # a server without its database tries to open it again at most this often
UNREACHABLE, SCHEMA = "unreachable", "schema"


def _open_database(app: Flask, url: str) -> str | None:
    """Open the store on the database and make it the app's; None when done, else why not
    (UNREACHABLE or SCHEMA; the details, without the password, go to the log only)."""
    from survey_app.storage.postgres.store import SchemaError

    store = None
    try:
        store = open_store(url)
        store.forget_submission_links()  # records of versions before issue 10: made unlinkable
        key = app.config.get("SECRET_KEY") or store.secret_key()
    except SchemaError as error:
        app.logger.error("%s", error)
        return SCHEMA
    except StorageUnavailableError as error:
        app.logger.error("the database cannot be reached (the app answers 503 until it can): %s", error)
        if store is not None:
            store.close()
        return UNREACHABLE
    app.config["SECRET_KEY"] = key
    app.extensions["survey_store"] = store
    return None


def get_store(app: Flask | None = None) -> Storage:
    store = (app or current_app).extensions["survey_store"]
    if store is None:
        raise RuntimeError("the database is not ready: it cannot be reached, or its schema is out of date "
                           "(run `flask --app survey_app db-upgrade`); the log says which")
    return store


def get_decision_records(app: Flask | None = None) -> DecisionRecords:
    """The evaluator's decision records (task profiles, staffing scenarios, committee packs):
    the app's store, seen as storage.interface.DecisionRecords."""
    return get_store(app)


def store_ready(app: Flask) -> bool:
    return app.extensions.get("survey_store") is not None
