"""Binds the storage to the Flask app: one Store per app (the TinyDB adapter), opened on the
data folder; the app sees it as storage.interface.Storage."""
from __future__ import annotations

from flask import Flask, current_app

from survey_app.storage.interface import Storage
from survey_app.storage.tinydb.store import Store


def init_app(app: Flask) -> None:
    store = Store(app.config["DATA_DIR"])
    store.remove_stale_temp_files()  # left by workers that were killed mid-write
    store.forget_submission_links()  # records of versions before issue 10: made unlinkable
    app.extensions["survey_store"] = store


def get_store(app: Flask | None = None) -> Storage:
    return (app or current_app).extensions["survey_store"]
