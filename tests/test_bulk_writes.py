"""Bulk writes leave nothing in RocksDB's write-ahead log for a read-only open to replay."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.store.base import StoreError
from graph_service.store.build import build_store, open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import Journal

TOKEN = "bulk-token"
GRAPH = "http://example.org/bulk"


def _vocabulary(concepts: int) -> bytes:
    """A flat SKOS vocabulary of `concepts` concepts, three triples each."""
    skos = "http://www.w3.org/2004/02/skos/core#"
    rows = [
        f'<http://example.org/c/{n}> a <{skos}Concept> ; <{skos}prefLabel> "Concept {n}"@fr ; '
        f'<{skos}notation> "{n}" .'
        for n in range(concepts)
    ]
    return "\n".join(rows).encode()


def _without_log(store_dir: Path, copy: Path) -> EmbeddedStore:
    """A copy of a store directory without its write-ahead log (what the tables alone hold)."""
    for _ in range(20):
        try:
            shutil.copytree(
                store_dir, copy, ignore=shutil.ignore_patterns("*.log", "LOCK", "IN_USE")
            )
            return EmbeddedStore(copy, read_only=True)
        except (shutil.Error, StoreError):  # a background compaction removed a table meanwhile
            shutil.rmtree(copy, ignore_errors=True)
    raise AssertionError("the store directory never held still long enough to be copied")


# 4,000 concepts go through one SPARQL update (1.3 MB of text), 10,000 quad by quad.
@pytest.mark.parametrize("concepts", [4_000, 10_000])
def test_a_graph_store_put_of_a_large_vocabulary_is_flushed(
    tiny_vocab: Path, tmp_path: Path, concepts: int
) -> None:
    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    store = open_current(data_dir)
    app = create_app(
        {"TESTING": True, "STORE": store, "JOURNAL": Journal(data_dir), "UPDATE_TOKEN": TOKEN}
    )
    try:
        response = app.test_client().put(
            f"/store?graph={GRAPH}",
            data=_vocabulary(concepts),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        assert store.path is not None
        copy = _without_log(store.path, tmp_path / "copy")
        assert copy.count(GRAPH) == store.count(GRAPH) >= 3 * concepts
        copy.close()
    finally:
        store.close()
