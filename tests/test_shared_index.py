"""The writer's search index in a shared file: readers use it only at their store's version."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY_SCHEME

from graph_service.search import shared
from graph_service.search.index import current_index, follow, get_index
from graph_service.store.changes import write_update
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import MemoryJournal
from graph_service.store.replica import ReplicaStore
from graph_service.store.serving_stamp import ServingStamp

SKOS = "http://www.w3.org/2004/02/skos/core#"
EX = "http://example.org/tiny/"


@pytest.fixture
def sharing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process as a writer that shares its index (undone after the test)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setattr(shared, "_sharing", {"dir": data_dir / shared.SHARED_DIR})
    return data_dir


def _reader(writer: EmbeddedStore, data_dir: Path) -> ReplicaStore:
    writer.flush()  # what a read-only open replays is on disk either way; quicker to open
    return ReplicaStore(ServingStamp(writer.path, writer.version), data_dir)


def _hits(store, words: str) -> list[str]:
    index = current_index(store)
    assert index is not None
    return [hit.iri for hit in index.search(words)]


def test_readers_use_the_shared_index_at_their_version_only(sharing: Path, tmp_path: Path) -> None:
    writer = EmbeddedStore(tmp_path / "store")
    writer.load(TINY_SCHEME.encode(), "turtle", graph="urn:g:tiny")
    get_index(writer)  # built, and copied into the shared file
    files = list((sharing / shared.SHARED_DIR).glob("index-*.sqlite"))
    assert len(files) == 1
    first = _reader(writer, sharing)
    assert _hits(first, "Bêta") == [EX + "b"]
    write_update(
        writer,
        MemoryJournal(),
        f"INSERT DATA {{ GRAPH <urn:g:tiny> {{ <{EX}c> a <{SKOS}Concept> ; "
        f'<{SKOS}inScheme> <{EX}scheme> ; <{SKOS}prefLabel> "Gamma"@fr }} }}',
        followup=follow,
    )
    second = _reader(writer, sharing)
    assert _hits(second, "Gamma") == [EX + "c"]  # followed in the file, seen by the reader
    # A reader still on the version before the write no longer trusts the index.
    assert current_index(first) is None
    # A rebuild goes to a new file; the one before is kept, older ones removed.
    writer.update(f'INSERT DATA {{ <{EX}d> <{SKOS}prefLabel> "Delta"@fr }}')
    get_index(writer)
    writer.update(f'INSERT DATA {{ <{EX}e> <{SKOS}prefLabel> "Epsilon"@fr }}')
    get_index(writer)
    kept = sorted(p.name for p in (sharing / shared.SHARED_DIR).glob("index-*.sqlite"))
    assert len(kept) == 2 and files[0].name not in kept
    assert _hits(_reader(writer, sharing), "Bêta") == [EX + "b"]


def test_a_reader_without_a_shared_index_has_none(tmp_path: Path) -> None:
    writer = EmbeddedStore(tmp_path / "store")
    writer.load(TINY_SCHEME.encode(), "turtle", graph="urn:g:tiny")
    reader = _reader(writer, tmp_path)
    assert current_index(reader) is None
