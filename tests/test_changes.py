"""The change model: patches computed on a scratch copy, journalled first, applied, replayed."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.store import Store, StoreError
from graph_service.store.changes import (
    applied_seq,
    apply_change,
    commit,
    recover,
    replay_pending,
)
from graph_service.store.journal import Journal
from graph_service.store.patches import Patch, patch_of_graph, patch_of_update, rows_in_graph

EX = "http://example.org/"
NOTIONS = "https://w3id.org/pdv/graph/notions"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BASE_DATA = f"""
<{EX}c> a <{SKOS}Concept> ; <{SKOS}prefLabel> "Concertation"@fr .
<{EX}d> a <{SKOS}Concept> ; <{SKOS}prefLabel> "Débat"@fr .
"""
ALT_ROW = f'<{EX}c> <{SKOS}altLabel> "concertation préalable"@fr'


@pytest.fixture
def store(memory_store: Store) -> Store:
    """A store with one small graph, as a build leaves it."""
    memory_store.load(BASE_DATA, "turtle", graph=NOTIONS)
    return memory_store


def _rows(store: Store, graph: str) -> set[str]:
    text = store.dump("ntriples", graph).decode()
    return {f"{line.removesuffix(' .')} <{graph}>" for line in text.splitlines() if line}


def test_insert_data_in_the_default_graph_and_a_named_graph(store: Store) -> None:
    update = f'INSERT DATA {{ {ALT_ROW} . GRAPH <{EX}notes> {{ <{EX}c> <{EX}note> "à revoir" }} }}'
    patch = patch_of_update(store, update)
    assert patch.removed == ()
    assert patch.added == tuple(sorted([ALT_ROW, f'<{EX}c> <{EX}note> "à revoir" <{EX}notes>']))
    # Computing the patch changed nothing yet.
    assert not store.ask(f"ASK {{ {ALT_ROW} }}")


def test_a_modify_on_a_named_graph_reads_and_writes_only_that_graph(store: Store) -> None:
    update = f"""PREFIX skos: <{SKOS}>
DELETE {{ GRAPH <{NOTIONS}> {{ ?c skos:prefLabel "Débat"@fr }} }}
INSERT {{ GRAPH <{NOTIONS}> {{ ?c skos:prefLabel "Débat public"@fr }} }}
WHERE {{ GRAPH <{NOTIONS}> {{ ?c skos:prefLabel "Débat"@fr }} }}"""
    patch = patch_of_update(store, update)
    assert patch.removed == (f'<{EX}d> <{SKOS}prefLabel> "Débat"@fr <{NOTIONS}>',)
    assert patch.added == (f'<{EX}d> <{SKOS}prefLabel> "Débat public"@fr <{NOTIONS}>',)


def test_graphs_named_through_a_variable_are_all_considered(store: Store) -> None:
    update = f"DELETE {{ GRAPH ?g {{ <{EX}d> ?p ?o }} }} WHERE {{ GRAPH ?g {{ <{EX}d> ?p ?o }} }}"
    patch = patch_of_update(store, update)
    assert len(patch.removed) == 2 and patch.added == ()


def test_an_update_that_changes_nothing_has_an_empty_patch(store: Store) -> None:
    assert patch_of_update(store, f"DELETE DATA {{ {ALT_ROW} }}").is_empty
    existing = f'GRAPH <{NOTIONS}> {{ <{EX}c> <{SKOS}prefLabel> "Concertation"@fr }}'
    assert patch_of_update(store, f"INSERT DATA {{ {existing} }}").is_empty


def test_a_bad_update_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        patch_of_update(store, "INSERT DATA { nonsense")


def test_commit_journals_then_applies_and_records_the_sequence(store: Store, tmp_path: Path):
    journal = Journal(tmp_path)
    patch = patch_of_update(store, f"INSERT DATA {{ {ALT_ROW} }}")
    change = commit(store, journal, patch, author="alice", message="alt label")
    assert change is not None and change.seq == 1
    assert journal.changes() == [change]
    assert store.ask(f"ASK {{ {ALT_ROW} }}")
    assert applied_seq(store, journal) == 1
    assert commit(store, journal, Patch(), author="alice", message="nothing") is None
    assert journal.last_seq() == 1


def test_a_change_journalled_but_not_applied_is_applied_on_recovery(
    store: Store, tmp_path: Path
) -> None:
    journal = Journal(tmp_path)
    patch = patch_of_update(store, f"INSERT DATA {{ {ALT_ROW} }}")
    # The crash: the journal has the change, the store never saw it.
    journal.append(author="a", message="m", added=patch.added, removed=patch.removed)
    report = recover(store, journal)
    assert report.applied == [1] and report.notes == []
    assert store.ask(f"ASK {{ {ALT_ROW} }}")
    assert recover(store, journal).applied == []  # already up to date


def test_replaying_a_change_again_is_harmless_and_reported(store: Store, tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    change = commit(
        store,
        journal,
        patch_of_update(store, f"INSERT DATA {{ {ALT_ROW} }}"),
        author="a",
        message="m",
    )
    assert change is not None
    before = _rows(store, NOTIONS)
    note = apply_change(store, change, journal)
    assert "already present" in note
    assert _rows(store, NOTIONS) == before


def test_a_new_build_replays_pending_changes_and_skips_published_ones(
    memory_store: Store, tmp_path: Path
) -> None:
    journal = Journal(tmp_path)
    first = journal.append(author="a", message="published", added=[ALT_ROW])
    second = journal.append(
        author="a", message="pending", added=[f'<{EX}d> <{SKOS}altLabel> "débat"@fr']
    )
    journal.mark_published(first.seq, "fingerprint")
    memory_store.load(BASE_DATA, "turtle", graph=NOTIONS)
    report = replay_pending(memory_store, journal)
    assert report.applied == [second.seq]
    assert not memory_store.ask(f"ASK {{ {ALT_ROW} }}")  # published: vocab/ holds it
    assert applied_seq(memory_store, journal) == second.seq


def test_replacing_a_graph_is_a_patch_of_differences(store: Store) -> None:
    rows = rows_in_graph(f'<{EX}c> <{SKOS}prefLabel> "Concertation"@fr .', "turtle", NOTIONS)
    patch = patch_of_graph(store, NOTIONS, rows, replace=True)
    assert patch.added == ()
    assert len(patch.removed) == 3  # d's two triples and c's type
    added = patch_of_graph(store, NOTIONS, [*rows, ALT_ROW + f" <{NOTIONS}>"], replace=False)
    assert added.added == (ALT_ROW + f" <{NOTIONS}>",) and added.removed == ()


def test_blank_nodes_keep_their_identity_through_the_journal(
    memory_store: Store, tmp_path: Path
) -> None:
    journal = Journal(tmp_path)
    insert = f'INSERT DATA {{ GRAPH <{NOTIONS}> {{ <{EX}c> <{EX}source> [ <{EX}name> "x" ] }} }}'
    commit(memory_store, journal, patch_of_update(memory_store, insert), author="a", message="m")
    delete = (
        f"DELETE {{ GRAPH <{NOTIONS}> {{ <{EX}c> <{EX}source> ?b . ?b ?p ?o }} }} "
        f"WHERE {{ GRAPH <{NOTIONS}> {{ <{EX}c> <{EX}source> ?b . ?b ?p ?o }} }}"
    )
    patch = patch_of_update(memory_store, delete)
    assert len(patch.removed) == 2
    commit(memory_store, journal, patch, author="a", message="m")
    assert memory_store.count(NOTIONS) == 0


def _alt_on_alpha(store: Store, journal: Journal) -> None:
    """The scenario of the issue: a label in the default graph and a note in its own graph."""
    update = (
        "INSERT DATA { <http://example.org/tiny/a> <http://www.w3.org/2004/02/skos/core#altLabel> "
        '"Premier"@fr . GRAPH <http://example.org/notes> { <http://example.org/tiny/a> '
        '<http://example.org/note> "à relire" } }'
    )
    commit(store, journal, patch_of_update(store, update), author="alice", message="m")


def _has_both(store: Store) -> bool:
    return store.ask(
        "ASK { <http://example.org/tiny/a> <http://www.w3.org/2004/02/skos/core#altLabel> "
        '"Premier"@fr . GRAPH <http://example.org/notes> { ?s ?p "à relire" } }'
    )


def test_an_embedded_build_keeps_every_journalled_write(tiny_vocab: Path, tmp_path: Path) -> None:
    from graph_service.store.build import build_store, open_current

    data_dir = tmp_path / "data"
    build_store(tiny_vocab, data_dir)
    store = open_current(data_dir)
    _alt_on_alpha(store, Journal(data_dir))
    store.close()
    tiny = tiny_vocab / "tiny.ttl"
    tiny.write_text(tiny.read_text().replace('"Beta"@en', '"Beta (b)"@en'))
    for force in (False, True):
        report = build_store(tiny_vocab, data_dir, force=force)
        assert report.replayed == 1 and report.replay_notes == []
        rebuilt = open_current(data_dir)
        assert _has_both(rebuilt)
        assert applied_seq(rebuilt, Journal(data_dir)) == 1
        assert recover(rebuilt, Journal(data_dir)).applied == []
        rebuilt.close()


def test_a_remote_build_keeps_every_journalled_write(
    tiny_vocab: Path, tmp_path: Path, oxigraph_server
) -> None:
    from graph_service.store.build import build_remote

    remote = oxigraph_server.remote_store()
    data_dir = tmp_path / "data"
    build_remote(tiny_vocab, data_dir, remote)
    _alt_on_alpha(remote, Journal(data_dir))
    tiny = tiny_vocab / "tiny.ttl"
    tiny.write_text(tiny.read_text().replace('"Beta"@en', '"Beta (b)"@en'))
    report = build_remote(tiny_vocab, data_dir, remote, force=True)
    assert report.replayed == 1
    assert _has_both(remote)
    assert applied_seq(remote, Journal(data_dir)) == 1


DATA_UPDATES = [
    f"INSERT DATA {{ {ALT_ROW} }}",
    f"PREFIX ex: <{EX}>\nINSERT DATA {{ GRAPH <{NOTIONS}> {{ ex:c ex:p ex:d }} }} ;\n"
    f"DELETE DATA {{ GRAPH <{NOTIONS}> {{ ex:c ex:p ex:d }} }}",
    f'DELETE DATA {{ GRAPH <{NOTIONS}> {{ <{EX}d> <{SKOS}prefLabel> "Débat"@fr }} }} ; '
    f'INSERT DATA {{ GRAPH <{NOTIONS}> {{ <{EX}d> <{SKOS}prefLabel> "Débat public"@fr }} }}',
    f'BASE <{EX}>\nINSERT DATA {{ <c> <{SKOS}altLabel> "x"@fr }} ; DELETE DATA {{ {ALT_ROW} }}',
]


@pytest.mark.parametrize("update", DATA_UPDATES)
def test_data_only_updates_read_no_graph_and_agree_with_the_scratch_copy(
    store: Store, update: str
) -> None:
    from graph_service.store.patches import _patch_on_scratch
    from graph_service.store.sparql_text import data_operations

    assert data_operations(update) is not None
    assert patch_of_update(store, update) == _patch_on_scratch(store, update, None)


def test_other_updates_are_not_taken_for_data_only() -> None:
    from graph_service.store.sparql_text import data_operations

    assert data_operations("DELETE WHERE { ?s ?p ?o }") is None
    assert data_operations("INSERT DATA { <a> <b> <c> } ; CLEAR ALL") is None
    assert data_operations('INSERT { <a> <b> "DATA" } WHERE {}') is None
