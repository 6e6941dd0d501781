"""The Virtuoso dialect: what differs from a plain SPARQL 1.1 server, on a real Virtuoso."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import check_service_over_remote, serve_over_remote

from graph_service.store.base import StoreError, StoreUnavailable
from graph_service.store.build import open_current
from graph_service.store.opening import remote_class
from graph_service.store.rdf_patch import data_block
from graph_service.store.remote import RemoteStore
from graph_service.store.virtuoso import (
    DEFAULT_GRAPH,
    SYSTEM_GRAPHS,
    VirtuosoStore,
    server_setup_sql,
)

EX = "http://example.org/v/"
NEW_LABEL = (
    f"INSERT DATA {{ GRAPH <{EX}new> {{ <{EX}n> <http://www.w3.org/2000/01/rdf-schema#label> "
    '"nouveau"@fr } }'
)


def test_the_vocabulary_built_into_virtuoso_matches_the_embedded_build(
    virtuoso_vocab_store: VirtuosoStore, built_vocab_dir: Path
):
    embedded = open_current(built_vocab_dir, read_only=True)
    try:
        graphs = embedded.named_graphs()
        assert virtuoso_vocab_store.named_graphs() == graphs
        for graph in graphs:
            if graph.endswith("/build"):
                continue  # each build records its own times
            assert virtuoso_vocab_store.count(graph) == embedded.count(graph), graph
        concepts = (
            "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> }"
        )
        assert virtuoso_vocab_store.select(concepts) == embedded.select(concepts)
    finally:
        embedded.close()


def test_virtuosos_own_graphs_are_not_data(virtuoso_vocab_store: VirtuosoStore):
    assert not set(virtuoso_vocab_store.named_graphs()) & set(SYSTEM_GRAPHS)
    # Its quad maps would show as rdf:type rows in the union of graphs, and in GRAPH ?g.
    for pattern in ("?s a ?t", "GRAPH ?g { ?s a ?t }"):
        assert not virtuoso_vocab_store.ask(
            f'ASK {{ {pattern} FILTER(STRSTARTS(STR(?t), "http://www.openlinksw.com/")) }}'
        )


def test_writes_need_the_writer_account(virtuoso_server):
    virtuoso_server.empty_store()
    stranger = VirtuosoStore(virtuoso_server.query_endpoint, credentials="graph_service:wrong")
    with pytest.raises(StoreError):
        stranger.update(NEW_LABEL)
    anonymous = requests.post(
        virtuoso_server.query_endpoint, data={"update": NEW_LABEL}, timeout=30
    )
    assert anonymous.status_code >= 400
    assert not virtuoso_server.store().ask(f"ASK {{ <{EX}n> ?p ?o }}")


def test_the_default_graph_is_ours_seen_in_the_union_never_listed(virtuoso_server):
    store = virtuoso_server.empty_store()
    row = f'<{EX}d> <{EX}p> "in the default graph"'
    store.load(f"{row} .\n", "ntriples")
    store.apply_rows([f'<{EX}e> <{EX}p> "too"'], [])
    assert store.default_graph_nquads().count(b"\n") == 2
    assert store.ask(f'ASK {{ <{EX}d> <{EX}p> "in the default graph" }}')
    assert store.named_graphs() == [] and store.count() == 0
    assert store.present_rows([row, f'<{EX}d> <{EX}p> "elsewhere"']) == {row}
    store.update(f"DELETE DATA {{ {row} }}")
    assert store.default_graph_nquads().count(b"\n") == 1
    store.drop_graph(None)
    assert store.default_graph_nquads() == b""
    assert not store.ask(f"ASK {{ GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }} }}")


def test_large_changes_and_blank_nodes_go_in_pieces(virtuoso_server):
    store = virtuoso_server.empty_store()
    rows = [f'<{EX}s{n}> <{EX}p> "{n}" <{EX}big>' for n in range(3000)]
    # As store/changes.py writes a patch: far past what one INSERT DATA takes on Virtuoso.
    store.update(f"INSERT DATA {{\n{data_block(rows)}\n}}")
    assert store.count(f"{EX}big") == 3000
    before = store.version
    store.update(f"DELETE DATA {{\n{data_block(rows[:2500])}\n}}")
    assert store.count(f"{EX}big") == 500 and store.version != before
    store.update(f'INSERT DATA {{ GRAPH <{EX}b> {{ <{EX}c> <{EX}source> [ <{EX}name> "x" ] }} }}')
    assert store.count(f"{EX}b") == 2
    named = store.select(f"SELECT ?n WHERE {{ <{EX}c> <{EX}source> ?b . ?b <{EX}name> ?n }}")
    assert [str(row["n"]) for row in named] == ["x"]


def test_a_data_error_is_the_clients(virtuoso_server):
    store = virtuoso_server.empty_store()
    xml = "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral"
    with pytest.raises(StoreError) as caught:
        store.update(f'INSERT DATA {{ GRAPH <{EX}x> {{ <{EX}a> <{EX}p> "<b>"^^<{xml}> }} }}')
    assert not isinstance(caught.value, StoreUnavailable)


def test_the_set_up_script_takes_no_quotes():
    assert "GRANT SPARQL_UPDATE" in server_setup_sql("graph_service", "Zx-9_a.b")
    with pytest.raises(ValueError):
        server_setup_sql("graph_service", "x'); DROP TABLE DB.DBA.RDF_QUAD; --")


def test_the_dialect_is_chosen_by_name():
    assert remote_class("virtuoso") is VirtuosoStore
    assert remote_class("") is RemoteStore
    with pytest.raises(ValueError, match="virtuoso"):
        remote_class("fuseki")


def test_a_service_instance_serves_from_virtuoso(
    virtuoso_server, tmp_path: Path, live_server_factory
):
    remote = virtuoso_server.empty_store()
    server = serve_over_remote(
        remote,
        tmp_path,
        live_server_factory,
        GRAPH_SERVICE_SPARQL_ENDPOINT=virtuoso_server.query_endpoint,
        GRAPH_SERVICE_SPARQL_DIALECT="virtuoso",
        GRAPH_SERVICE_SPARQL_CREDENTIALS=virtuoso_server.credentials,
    )
    check_service_over_remote(server, remote)
