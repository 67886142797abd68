"""Binds the storage to the Flask app: one store per app, seen as storage.interface.Storage.

SURVEY_APP_DATABASE_URL (config DATABASE_URL) = postgresql://... selects the PostgreSQL adapter
(psycopg is imported only then: the app installs and runs without it); without it the TinyDB
adapter keeps everything in the data folder (DATA_DIR), as before.

A database whose tables are older than this code (never upgraded, or upgraded by an older
release) does not stop the app from loading, so that `flask --app survey_app db-upgrade` can
run; every request is then answered 503 (the reason goes to the log) until it has been upgraded."""
from __future__ import annotations

import os

from flask import Flask, current_app

from survey_app.storage.interface import DecisionRecords, Storage

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
    from survey_app.storage.postgres.store import SchemaError

    try:
        store = open_store(url)
        store.forget_submission_links()  # records of versions before issue 10: made unlinkable
        app.extensions["survey_store"] = store
    except SchemaError as error:
        app.extensions["survey_store"] = None
        app.logger.error("%s", error)
        reason = str(error)

        @app.before_request
        def schema_out_of_date():
            from flask_babel import gettext

            app.logger.error("%s", reason)     # the details (database, versions) only for the operator
            message = gettext("This service is being updated and cannot answer just now. Please try again "
                              "in a few minutes.")
            return message + "\n", 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "60"}


def get_store(app: Flask | None = None) -> Storage:
    store = (app or current_app).extensions["survey_store"]
    if store is None:
        raise RuntimeError("the database schema is out of date: run `flask --app survey_app db-upgrade`")
    return store


def get_decision_records(app: Flask | None = None) -> DecisionRecords:
    """The evaluator's decision records (task profiles, staffing scenarios, committee packs):
    the app's store, seen as storage.interface.DecisionRecords."""
    return get_store(app)


def store_ready(app: Flask) -> bool:
    return app.extensions.get("survey_store") is not None
