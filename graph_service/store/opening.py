"""Opening the configured store: a remote SPARQL server, or the last complete local build."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from graph_service.store.base import Store
from graph_service.store.build import open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.remote import RemoteStore


def open_store(config: Mapping[str, object]) -> Store:
    """The remote SPARQL store when one is configured, else the last complete local build."""
    endpoint = str(config.get("SPARQL_ENDPOINT") or "")
    if endpoint:
        return RemoteStore(
            endpoint,
            str(config.get("SPARQL_UPDATE_ENDPOINT") or ""),
            credentials=str(config.get("SPARQL_CREDENTIALS") or ""),
            timeout=float(config.get("QUERY_TIMEOUT", 10.0)),  # type: ignore[arg-type]
        )
    return open_current(config["DATA_DIR"])  # type: ignore[arg-type]


def reopen_store(settings: Mapping[str, object]) -> Store:
    """Open, in another process, the store that `Store.reopen_settings()` described (read-only
    for a local directory)."""
    if "path" in settings:
        return EmbeddedStore(Path(str(settings["path"])), read_only=True)
    return RemoteStore(
        str(settings["query_endpoint"]),
        str(settings["update_endpoint"]),
        credentials=str(settings["credentials"]),
        timeout=float(settings["timeout"]),  # type: ignore[arg-type]
    )
