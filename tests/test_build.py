"""Builds: one graph per file, metadata, atomic switch, and a failed build keeping the old store."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from rdflib import URIRef

from graph_service.namespaces import BUILD_GRAPH, GRAPH, VOID
from graph_service.store.build import (
    BUILDS,
    BuildError,
    build_store,
    current_store_dir,
    open_current,
)


def test_build_loads_one_graph_per_file_with_metadata(tiny_vocab: Path, tmp_path: Path):
    (tiny_vocab / "resources").mkdir()
    (tiny_vocab / "resources" / "r.ttl").write_text(
        '<http://example.org/r> <http://purl.org/dc/terms/title> "R"@fr .\n'
    )
    messages: list[str] = []
    report = build_store(tiny_vocab, tmp_path / "data", progress=messages.append)
    assert [s.path for s in report.sources] == ["resources/r.ttl", "tiny.ttl"]
    store = open_current(tmp_path / "data", read_only=True)
    assert store.count(f"{GRAPH}tiny") == report.sources[1].triples > 0
    assert store.count(f"{GRAPH}resources/r") == 1
    rows = store.select(
        "SELECT ?n WHERE { GRAPH $b { $g $p ?n } }",
        {"b": URIRef(BUILD_GRAPH), "g": URIRef(f"{GRAPH}tiny"), "p": VOID.triples},
    )
    assert int(rows[0]["n"]) == report.sources[1].triples
    assert any("tiny.ttl" in m for m in messages)


def test_unchanged_sources_are_not_rebuilt_unless_forced(tiny_vocab: Path, tmp_path: Path):
    first = build_store(tiny_vocab, tmp_path / "data")
    again = build_store(tiny_vocab, tmp_path / "data", force=False)
    assert again.skipped and again.store_dir == first.store_dir
    (tiny_vocab / "tiny.ttl").write_text(
        (tiny_vocab / "tiny.ttl").read_text()
        + "\n<http://example.org/x> a <http://example.org/T> .\n"
    )
    changed = build_store(tiny_vocab, tmp_path / "data", force=False)
    assert not changed.skipped and changed.store_dir != first.store_dir


def test_failed_build_keeps_the_previous_store_answering(
    tiny_vocab: Path, tmp_path: Path, live_server_factory
):
    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    good = current_store_dir(data_dir)
    server = live_server_factory(data_dir)

    # The second file loads fine, the third one breaks part-way through the build.
    (tiny_vocab / "u-more.ttl").write_text("<http://example.org/m> a <http://example.org/T> .\n")
    (tiny_vocab / "z-broken.ttl").write_text(
        '<http://example.org/z> <http://example.org/p> "oops .\n'
    )
    with pytest.raises(BuildError, match=r"z-broken\.ttl"):
        build_store(tiny_vocab, data_dir)

    assert current_store_dir(data_dir) == good
    listing = sorted(p.name for p in (data_dir / BUILDS).iterdir())
    assert listing == [good.name], listing
    page = requests.get(server.url + "/", timeout=30)
    assert page.status_code == 200 and "Petit vocabulaire" in page.text
    store = open_current(data_dir, read_only=True)
    assert not store.ask("ASK { <http://example.org/m> ?p ?o }")
    assert store.ask("ASK { <http://example.org/tiny/b> ?p ?o }")


def test_leftover_of_a_killed_build_is_ignored_then_swept(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    first = build_store(tiny_vocab, data_dir).store_dir
    # What a build killed with SIGKILL leaves: a newer, half-written directory never switched to.
    leftover = data_dir / BUILDS / (first.name[:-1] + "9-killed")
    leftover.mkdir()
    (leftover / "000001.sst").write_bytes(b"half")
    assert current_store_dir(data_dir) == first
    assert open_current(data_dir, read_only=True).ask("ASK { ?s ?p ?o }")
    second = build_store(tiny_vocab, data_dir).store_dir
    third = build_store(tiny_vocab, data_dir).store_dir
    remaining = sorted(p.name for p in (data_dir / BUILDS).iterdir())
    assert remaining == sorted([second.name, third.name])


def test_open_before_any_build_says_what_to_do(tmp_path: Path):
    with pytest.raises(BuildError, match="graph-service build"):
        open_current(tmp_path)
