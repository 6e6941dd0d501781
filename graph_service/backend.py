"""Binds one store to the Flask app: opened lazily, shared by all threads of the process."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from .build import open_current
from .store import EmbeddedStore

_EXTENSION = "graph_service.store"
_open_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Register the store slot; a ready store may be passed in config as STORE (tests)."""
    app.extensions[_EXTENSION] = app.config.get("STORE")


def get_store() -> EmbeddedStore:
    """The app's store, opening the last complete build on first use."""
    app = current_app
    store = app.extensions.get(_EXTENSION)
    if store is None:
        with _open_lock:
            store = app.extensions.get(_EXTENSION)
            if store is None:
                store = open_current(app.config["DATA_DIR"])
                app.extensions[_EXTENSION] = store
    return store
