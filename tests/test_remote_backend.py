"""The remote backend: builds into, and a service instance over, a real `oxigraph serve`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import TINY_SCHEME, check_service_over_remote, free_port, serve_over_remote

from graph_service import create_app
from graph_service.config import PROJECT_ROOT
from graph_service.namespaces import BUILD_GRAPH, GRAPH
from graph_service.store.build import BuildError, build_remote
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.remote import VERSION_TTL, RemoteStore

NEW_LABEL = (
    "INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/n> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "nouveau"@fr } }'
)


def test_build_replaces_the_remote_graphs_and_records_the_build(
    oxigraph_server, vocab_store: EmbeddedStore, tmp_path: Path
):
    remote = oxigraph_server.remote_store()
    report = build_remote(PROJECT_ROOT / "vocab", tmp_path, remote)
    assert report.triples == sum(s.triples for s in report.sources) > 40_000
    for source in report.sources:
        assert remote.count(source.graph) == vocab_store.count(source.graph), source.path
    assert remote.has_graph(str(BUILD_GRAPH))
    # A second build from a smaller vocabulary drops the graphs of files that went away.
    small = tmp_path / "vocab"
    small.mkdir()
    (small / "tiny.ttl").write_text(TINY_SCHEME)
    build_remote(small, tmp_path, remote)
    graphs = remote.named_graphs()
    assert graphs == sorted([f"{GRAPH}tiny", str(BUILD_GRAPH)])


def test_a_bad_file_sends_nothing(oxigraph_server, tiny_vocab: Path, tmp_path: Path):
    remote = oxigraph_server.remote_store()
    build_remote(tiny_vocab, tmp_path, remote)
    before = remote.count()
    (tiny_vocab / "zz-broken.ttl").write_text('<http://example.org/a> <http://example.org/p> "x .')
    (tiny_vocab / "extra.ttl").write_text("<http://example.org/e> a <http://example.org/T> .\n")
    with pytest.raises(BuildError, match="zz-broken"):
        build_remote(tiny_vocab, tmp_path, remote)
    assert remote.count() == before
    assert not remote.ask("ASK { <http://example.org/e> ?p ?o }")


def test_a_write_through_one_instance_moves_the_version_of_another(oxigraph_server):
    first = oxigraph_server.remote_store()
    second = RemoteStore(oxigraph_server.url + "/query", oxigraph_server.url + "/update")
    seen = second.version
    first.update(NEW_LABEL)
    assert first.version != seen
    time.sleep(VERSION_TTL + 0.1)
    assert second.version == first.version


def test_a_service_instance_serves_from_the_remote_store(
    oxigraph_server, tmp_path: Path, live_server_factory
):
    remote = oxigraph_server.remote_store()
    server = serve_over_remote(
        remote,
        tmp_path,
        live_server_factory,
        GRAPH_SERVICE_SPARQL_ENDPOINT=oxigraph_server.url + "/query",
        GRAPH_SERVICE_SPARQL_UPDATE_ENDPOINT=oxigraph_server.url + "/update",
    )
    check_service_over_remote(server, remote)


def test_an_unreachable_remote_store_is_a_clear_503(tmp_path: Path):
    dead = f"http://127.0.0.1:{free_port()}/query"
    app = create_app({"TESTING": True, "SPARQL_ENDPOINT": dead, "DATA_DIR": tmp_path})
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "cannot be reached" in page.get_data(as_text=True)


def test_the_search_index_of_a_remote_store_is_built_by_a_child(
    oxigraph_server, monkeypatch, caplog
):
    import subprocess

    from graph_service.search import build as search_build
    from graph_service.search.index import SearchIndex, get_index

    remote = RemoteStore(
        oxigraph_server.url + "/query",
        oxigraph_server.url + "/update",
        credentials="curator:s3cret",  # oxigraph ignores them; they must reach the child
        timeout=30,
    )
    remote.update("DROP SILENT ALL")
    remote.load(TINY_SCHEME, "turtle", graph="http://example.org/graph/tiny")
    calls = []
    real_run = subprocess.run
    monkeypatch.setattr(
        search_build.subprocess, "run", lambda *a, **k: calls.append((a, k)) or real_run(*a, **k)
    )
    apart = get_index(remote)
    (argv,), options = calls[0]
    assert len(calls) == 1 and "child failed" not in caplog.text  # the child built it
    assert "s3cret" not in " ".join(argv) and b"s3cret" in options["input"]
    here = SearchIndex(remote.version, search_build.build_database(remote))
    for query in ("beta", "alpha", "*"):
        assert apart.search(query) == here.search(query) != []
    assert [hit.pref_label for hit in apart.search("beta", lang="fr")] == ["Bêta"]
