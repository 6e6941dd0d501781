"""Opening the configured store: a remote SPARQL server, or the last complete local build."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graph_service.store.base import Store
from graph_service.store.build import open_current
from graph_service.store.carried import complete_files
from graph_service.store.changes import recover
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal
from graph_service.store.remote import RemoteStore
from graph_service.store.virtuoso import VirtuosoStore

#: The store class of each remote dialect (GRAPH_SERVICE_SPARQL_DIALECT).
DIALECTS: dict[str, type[RemoteStore]] = {
    "": RemoteStore,
    "sparql11": RemoteStore,
    "virtuoso": VirtuosoStore,
}


def remote_class(dialect: str) -> type[RemoteStore]:
    """The store class that speaks a remote server's dialect (a clear error for others)."""
    try:
        return DIALECTS[dialect.strip().lower()]
    except KeyError:
        raise ValueError(
            f"GRAPH_SERVICE_SPARQL_DIALECT={dialect!r} is unknown: use one of "
            + ", ".join(repr(name) for name in DIALECTS if name)
        ) from None


log = logging.getLogger(__name__)


def open_remote(config: Mapping[str, Any]) -> RemoteStore | None:
    """The remote SPARQL store of a Flask config, or None when none is configured."""
    endpoint = str(config.get("SPARQL_ENDPOINT") or "")
    if not endpoint:
        return None
    return remote_class(str(config.get("SPARQL_DIALECT") or ""))(
        endpoint,
        str(config.get("SPARQL_UPDATE_ENDPOINT") or ""),
        credentials=str(config.get("SPARQL_CREDENTIALS") or ""),
        timeout=float(config.get("QUERY_TIMEOUT", 10.0)),
    )


def open_store(config: Mapping[str, Any]) -> Store:
    """The remote SPARQL store when one is configured, else the last complete local build,
    brought up to date with the change journal (a crash may have left a change unapplied)."""
    remote = open_remote(config)
    store = remote if remote is not None else open_current(config["DATA_DIR"])
    recover_store(store, Journal(Path(config["DATA_DIR"])))
    return store


def recover_store(store: Store, journal: Journal) -> None:
    """Complete what a crash interrupted: the journal's changes the store lacks, and the files
    of journalled imports not yet in place (stale temporary files go)."""
    for relative in complete_files(journal):
        log.warning("put %s in place: its change was journalled before a crash", relative)
    report = recover(store, journal)
    if report.applied:
        log.warning("applied %d journalled changes the store lacked", len(report.applied))
    for seq, note in report.notes:
        log.warning("journalled change %d did not apply cleanly: %s", seq, note)


def reopen_store(settings: Mapping[str, Any]) -> Store:
    """Open, in another process, the store that `Store.reopen_settings()` described (read-only
    for a local directory)."""
    if "path" in settings:
        return EmbeddedStore(Path(str(settings["path"])), read_only=True)
    return remote_class(str(settings.get("dialect") or ""))(
        str(settings["query_endpoint"]),
        str(settings["update_endpoint"]),
        credentials=str(settings["credentials"]),
        timeout=float(settings["timeout"]),
    )
