"""Binds the storage layer to the Flask app: one Store per app, opened on the data folder."""
from __future__ import annotations

from flask import Flask, current_app

from survey_app.storage.tinydb.store import Store


def init_app(app: Flask) -> None:
    store = Store(app.config["DATA_DIR"])
    store.remove_stale_temp_files()  # left by workers that were killed mid-write
    app.extensions["survey_store"] = store


def get_store(app: Flask | None = None) -> Store:
    return (app or current_app).extensions["survey_store"]
