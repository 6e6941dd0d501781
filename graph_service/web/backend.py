"""Binds one store to the Flask app: opened lazily, shared by all threads of the process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

from graph_service.exceptions import ServedByWriter
from graph_service.query.runner import renew_workers
from graph_service.store import Store
from graph_service.store.build import current_store_dir
from graph_service.store.changes import write_lock
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal, MemoryJournal
from graph_service.store.opening import open_store
from graph_service.store.serving_stamp import ServingStamp, publish
from graph_service.store.write_limits import WriteLimits
from graph_service.web.response_cache import ResponseCache

_EXTENSION = "graph_service.store"
_JOURNAL = "graph_service.journal"
_FOLLOW = "graph_service.follow_writer"
_PUBLISH = "graph_service.publish_stamps"
_open_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Register the store slot (a ready store may come in config as STORE)."""
    app.extensions[_EXTENSION] = app.config.get("STORE")


def wrap_response_cache(app: Flask) -> None:
    """Put the GET response cache around the app's WSGI callable (when its size is not 0)."""
    max_bytes = int(app.config.get("RESPONSE_CACHE_BYTES", 0))
    if max_bytes > 0:
        # Flask's documented way to add WSGI middleware; its stubs type wsgi_app as a method.
        app.wsgi_app = ResponseCache(  # type: ignore[method-assign]
            app.wsgi_app, lambda: data_version(app), max_bytes=max_bytes
        )


def data_version(app: Flask) -> str | None:
    """The data version of the app's store, or None while no store is open yet."""
    follow = app.extensions.get(_FOLLOW)
    if follow is not None:  # a reader process: the writer's latest version, or None
        try:
            return follow().version
        except ServedByWriter:
            return None
    store = app.extensions.get(_EXTENSION)
    return None if store is None else store.version


def get_store() -> Store:
    """The app's store, opened on first use."""
    return store_of(current_app)


def store_of(app: Flask) -> Store:
    """The store of a given app, opened on first use (BuildError while nothing is built).

    In a reader process (web/replicas.py) it is the writer's store as of its latest write,
    reopened read-only when the writer published a new version.
    """
    follow = app.extensions.get(_FOLLOW)
    if follow is not None:
        return follow()
    store = app.extensions.get(_EXTENSION)
    if store is None:
        with _open_lock:
            store = app.extensions.get(_EXTENSION)
            if store is None:
                store = open_store(app.config)
                _publish_for_readers(app, store)
                app.extensions[_EXTENSION] = store
    return store


def follow_writer(app: Flask, follow: Callable[[], Store]) -> None:
    """Make `follow` the app's store getter (a reader process's, which tracks the writer)."""
    app.extensions[_FOLLOW] = follow


def publish_for_readers(app: Flask) -> None:
    """Make the app (the writing process beside readers) publish its store's build and data
    version after it opens and after every write (store/serving_stamp.py)."""
    app.extensions[_PUBLISH] = True
    store = app.extensions.get(_EXTENSION)
    if store is not None:
        _publish_for_readers(app, store)


def _publish_for_readers(app: Flask, store: Store) -> None:
    if not app.extensions.get(_PUBLISH) or not isinstance(store, EmbeddedStore):
        return
    if store.path is None:
        return
    data_dir = Path(app.config["DATA_DIR"])

    def publish_version(written: EmbeddedStore) -> None:
        assert written.path is not None
        publish(data_dir, ServingStamp(written.path.resolve(), written.version))

    store.on_write = publish_version
    publish_version(store)


def reload_store(app: Flask) -> Store | None:
    """Move the app onto the latest complete build (a SIGHUP's work); None when there is
    nothing to move to: the app serves that build already, has opened no store yet (its
    first request opens the latest), or its store is remote or handed in.

    The new store is opened and brought up to date with the journal before it replaces the
    old one, under the write lock, so that no write lands on the old store meanwhile; requests
    in flight finish on the old one, which is let go (its directory lock with it) when the
    last of them drops it. Reopening the same build would fail: RocksDB locks a directory for
    one read-write open, and the old handle still holds it.
    """
    with _open_lock:
        old = app.extensions.get(_EXTENSION)
        if old is None or old.path is None or app.config.get("STORE") is not None:
            return None
        data_dir = Path(app.config["DATA_DIR"])
        latest = current_store_dir(data_dir)
        if latest is None or latest.resolve() == old.path.resolve():
            return None
        with write_lock(Journal(data_dir)):
            new = open_store(app.config)
            _publish_for_readers(app, new)
            app.extensions[_EXTENSION] = new
    renew_workers()  # the query workers drop their read-only handles on the old build
    return new


def get_journal() -> Journal:
    """The change journal of the app's store: in DATA_DIR for the store the app opened itself
    (a build or a remote server); the JOURNAL of the config for a STORE handed in with one;
    in memory for a STORE handed in without (its maker owns its durability: tests, tools)."""
    app = current_app
    journal = app.extensions.get(_JOURNAL)
    if journal is None:
        store = store_of(app)
        with _open_lock:
            journal = app.extensions.get(_JOURNAL)
            if journal is None:
                if app.config.get("JOURNAL") is not None:
                    journal = app.config["JOURNAL"]
                elif app.config.get("STORE") is None and store.durable:
                    journal = Journal(Path(app.config["DATA_DIR"]))
                else:
                    journal = MemoryJournal()
                app.extensions[_JOURNAL] = journal
    return journal


def write_limits() -> WriteLimits:
    """The limits of a write through HTTP (GRAPH_SERVICE_MAX_CHANGE_QUADS, _WRITE_LOCK_WAIT)."""
    config = current_app.config
    return WriteLimits(
        max_quads=int(config.get("MAX_CHANGE_QUADS") or 0),
        lock_wait=float(config.get("WRITE_LOCK_WAIT") or 0),
    )
