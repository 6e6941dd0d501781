"""The engine wrapper: reads, bound values, atomic writes and the data version."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from graph_service.store.base import StoreError
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.formats import ntriples_to_rdflib, reserialize, triples_to_ntriples
from graph_service.store.rdf_patch import data_block

EX = "http://example.org/"
DATA = f"""
<{EX}a> <{EX}label> "Démocratie"@fr .
<{EX}a> <{EX}code> "02" .
<{EX}b> <{EX}label> "x" .
"""


def test_select_returns_rdflib_terms_and_keeps_codes_as_strings(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    rows = memory_store.select(f"SELECT ?l ?c WHERE {{ <{EX}a> <{EX}label> ?l ; <{EX}code> ?c }}")
    assert rows == [{"l": Literal("Démocratie", lang="fr"), "c": Literal("02")}]


def test_bound_values_are_never_pasted_into_query_text(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    hostile = Literal('x" } ; DROP ALL ; SELECT * WHERE { "')
    rows = memory_store.select(f"SELECT ?s WHERE {{ ?s <{EX}label> $l }}", {"l": hostile})
    assert rows == []
    assert memory_store.count() == 3
    rows = memory_store.select(f"SELECT ?s WHERE {{ ?s <{EX}label> $l }}", {"l": Literal("x")})
    assert rows == [{"s": URIRef(EX + "b")}]


def test_invalid_iri_in_bindings_is_a_store_error(memory_store: EmbeddedStore):
    with pytest.raises(StoreError):
        memory_store.select("SELECT ?p WHERE { $s ?p ?o }", {"s": URIRef("not an iri>")})


def test_malformed_query_reports_position(memory_store: EmbeddedStore):
    with pytest.raises(StoreError) as error:
        memory_store.select("SELECT ?s WHERE { ?s ?p }")
    assert "1" in str(error.value)


def test_load_with_syntax_error_changes_nothing(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    version = memory_store.version
    broken = DATA + f'\n<{EX}c> <{EX}label> "unterminated .\n'
    with pytest.raises(StoreError):
        memory_store.load(broken, "turtle", graph=EX + "g2")
    assert memory_store.count() == 3
    assert not memory_store.has_graph(EX + "g2")
    assert memory_store.version == version


def test_replace_swaps_a_graph_and_bumps_the_version(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    memory_store.load(f'<{EX}z> <{EX}p> "kept" .', "turtle", graph=EX + "other")
    before = memory_store.version
    memory_store.load(f'<{EX}n> <{EX}p> "new" .', "turtle", graph=EX + "g", replace=True)
    assert memory_store.count(EX + "g") == 1
    assert memory_store.count(EX + "other") == 1
    assert memory_store.version != before


def test_update_is_atomic(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    with pytest.raises(StoreError):
        memory_store.update(f"INSERT DATA {{ <{EX}new> <{EX}p> 1 }} ; LOAD <file:///nonexistent>")
    assert not memory_store.ask(f"ASK {{ <{EX}new> ?p ?o }}")


def test_a_deletion_across_graphs_removes_from_each(memory_store: EmbeddedStore):
    """DELETE DATA naming the default graph and named graphs removes from all of them, sent
    as text or as rows (Virtuoso 7.2.5 kept the language-tagged literals: a revert failed)."""
    rows = [f'<{EX}a> <{EX}p> "default"@fr', f'<{EX}a> <{EX}p> "one" <{EX}g1>']
    rows.append(f'<{EX}a> <{EX}p> "two"@en <{EX}g2>')
    held = f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"
    memory_store.apply_rows(rows, [])
    assert len(memory_store.select(held)) == 3
    memory_store.update(f"DELETE DATA {{\n{data_block(rows)}\n}}")
    assert memory_store.select(held) == []
    memory_store.apply_rows(rows, [])
    memory_store.apply_rows([f'<{EX}a> <{EX}p> "new"'], rows)
    assert memory_store.select(held) == [{"o": Literal("new")}]


def test_persistent_store_is_seen_by_a_read_only_reader(tmp_path):
    writer = EmbeddedStore(tmp_path / "db")
    writer.load(DATA, "turtle", graph=EX + "g")
    writer.flush()
    reader = EmbeddedStore(tmp_path / "db", read_only=True)
    assert reader.count(EX + "g") == 3


def test_dump_round_trips(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    other = EmbeddedStore()
    other.load(memory_store.dump("nquads"), "nquads")
    assert other.count(EX + "g") == 3
    with pytest.raises(StoreError):
        memory_store.dump("turtle")


def test_a_query_of_another_form_is_a_store_error(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    with pytest.raises(StoreError, match="SELECT"):
        memory_store.select("ASK { ?s ?p ?o }")
    with pytest.raises(StoreError):  # the remote answers with its own message
        memory_store.construct("SELECT * WHERE { ?s ?p ?o }")


def test_triples_are_written_by_the_engine_and_a_literal_subject_refused():
    triple = (URIRef(EX + "a"), URIRef(EX + "label"), Literal('say "hi"', lang="en"))
    text = triples_to_ntriples([triple])
    assert text == f'<{EX}a> <{EX}label> "say \\"hi\\""@en .\n'
    assert ntriples_to_rdflib(text.encode()) == [triple]
    with pytest.raises(TypeError):
        triples_to_ntriples([(Literal("x"), URIRef(EX + "p"), Literal("y"))])


def test_serialisers_keep_prefixes_where_the_format_writes_them(memory_store: EmbeddedStore):
    memory_store.load(DATA, "turtle", graph=EX + "g")
    prefixes = {"ex": EX}
    assert b"ex:a" in memory_store.dump("turtle", EX + "g", prefixes=prefixes)
    assert b"@prefix" not in memory_store.dump("ntriples", EX + "g", prefixes=prefixes)
    ntriples = memory_store.dump("ntriples", EX + "g")
    assert b"ex:a" in reserialize(ntriples, "turtle", prefixes=prefixes)
    assert f"<{EX}g>".encode() in reserialize(ntriples, "trig", graph=EX + "g")
