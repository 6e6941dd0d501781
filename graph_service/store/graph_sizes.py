"""The sizes of the served store's named graphs, kept on disk beside the journal's notes: a new
process (a restart, a server without warm-up) answers its first VoID description without
counting every graph again (1.2 s at 2.2 million triples).

Sizes are saved with the journal's last change the store had applied when they were true, and
read back only while the store has applied exactly that change: the journal numbers every
write of the served store, so the pair names one content. A file lost or torn in a crash only
costs a count. Only an embedded store open for writing keeps them (a remote server may be written
by others); a reader process (store/replica.py) reads its writer's, when they are of the data
version it serves, instead of counting them once per version in its own warm-up.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from graph_service.store.base import Store
from graph_service.store.changes import store_key
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal

SIZES_DIR = "sizes"


def sizes_kept(store: Store, journal: Journal) -> bool:
    """Whether this store's graph sizes are kept on disk with its journal."""
    return (
        journal.durable
        and isinstance(store, EmbeddedStore)
        and store.path is not None
        and not store.read_only
    )


def load_sizes(store: Store, journal: Journal, seq: int) -> dict[str, int] | None:
    """The sizes saved for the store at change `seq`, or None (none saved, other, damaged)."""
    if not sizes_kept(store, journal):
        return None
    return _saved(store, journal, "seq", seq)


def writer_sizes(store: Store, journal: Journal) -> dict[str, int] | None:
    """For a reader process's store: the sizes its writer saved for the data version the
    reader serves (the writer's version, which it carries), or None."""
    if not (journal.durable and getattr(store, "replica", False) and store.path is not None):
        return None
    return _saved(store, journal, "version", store.version)


def _saved(store: Store, journal: Journal, field: str, wanted: object) -> dict[str, int] | None:
    """The store's saved sizes if their `field` (the change or the version) is `wanted`."""
    key = store_key(store)
    try:
        saved = json.loads(_path(journal, key).read_text(encoding="utf-8"))
        if saved["store"] != key or saved.get(field) != wanted:
            return None
        return {str(graph): int(size) for graph, size in saved["sizes"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # absent, or torn by a crash: counted again


def save_sizes(store: Store, journal: Journal, seq: int, sizes: Mapping[str, int]) -> None:
    """Save the sizes true for the store at change `seq` (replacing the previous ones), with
    the data version they are of, for the reader processes."""
    if not sizes_kept(store, journal):
        return
    key = store_key(store)
    target = _path(journal, key)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    saved = {"store": key, "seq": seq, "version": store.version, "sizes": dict(sizes)}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(saved), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        # A full or read-only disk: the sizes stay in memory and are counted after a restart.
        temporary.unlink(missing_ok=True)


def _path(journal: Journal, key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return journal.directory / SIZES_DIR / f"{digest}.json"
