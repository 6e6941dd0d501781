"""A scheme's top concepts: remembered per data version for the store's own schemes only."""

from __future__ import annotations

import pytest

from graph_service.model import tree
from graph_service.model.tree import top_concepts

SCHEME = "https://w3id.org/pdv/vocab/essai"
GRAPH = "https://w3id.org/pdv/graph/essai"


def _top(name: str, fr: str, en: str) -> str:
    return (
        f"<{SCHEME}/{name}> a skos:Concept ; skos:topConceptOf <{SCHEME}> ; "
        f'skos:inScheme <{SCHEME}> ; skos:prefLabel "{fr}"@fr, "{en}"@en .'
    )


def _insert(store, *statements: str) -> None:
    body = "\n".join(statements)
    store.update(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {body} }} }}"
    )


@pytest.fixture
def counted_reads(monkeypatch) -> list[str]:
    """The schemes whose top concepts were read from the store, one entry per read."""
    reads: list[str] = []
    original = tree._top_rows

    def counting(store, scheme_iri):  # type: ignore[no-untyped-def]
        reads.append(scheme_iri)
        return original(store, scheme_iri)

    monkeypatch.setattr(tree, "_top_rows", counting)
    return reads


def test_top_concepts_are_read_once_per_version_and_follow_writes(
    memory_store, counted_reads
) -> None:
    _insert(
        memory_store,
        f'<{SCHEME}> a skos:ConceptScheme ; skos:prefLabel "Essai"@fr .',
        _top("b", "Bêta", "Beta"),
        _top("a", "Alpha", "Alpha"),
        f"<{SCHEME}/a1> a skos:Concept ; skos:broader <{SCHEME}/a> ; skos:inScheme <{SCHEME}> .",
    )
    french = top_concepts(memory_store, SCHEME, "fr")
    assert [(t.label, t.lang, t.has_children) for t in french] == [
        ("Alpha", "fr", True),
        ("Bêta", "fr", False),
    ]
    assert [t.label for t in top_concepts(memory_store, SCHEME, "en")] == ["Alpha", "Beta"]
    assert top_concepts(memory_store, SCHEME, "fr") == french
    assert counted_reads == [SCHEME]  # one read for both languages and the repeat

    _insert(memory_store, _top("c", "Gamma", "Gamma"))  # a new data version
    assert [t.label for t in top_concepts(memory_store, SCHEME, "fr")] == [
        "Alpha",
        "Bêta",
        "Gamma",
    ]
    assert counted_reads == [SCHEME, SCHEME]


def test_other_languages_are_labelled_from_the_kept_answer(memory_store, counted_reads) -> None:
    _insert(
        memory_store,
        f"<{SCHEME}> a skos:ConceptScheme .",
        _top("a", "Alpha", "Alpha-en"),
    )
    for _ in range(2):  # "de": not a language of the scheme; labels fall back alike each time
        (only,) = top_concepts(memory_store, SCHEME, "de")
        assert only.iri == f"{SCHEME}/a" and only.label in {"Alpha", "Alpha-en"}
    assert counted_reads == [SCHEME]


def test_an_iri_that_is_no_scheme_of_the_store_is_not_remembered(
    memory_store, counted_reads
) -> None:
    _insert(memory_store, f"<{SCHEME}> a skos:ConceptScheme .", _top("a", "Alpha", "Alpha"))
    elsewhere = "https://example.org/not-a-scheme"
    assert top_concepts(memory_store, elsewhere, "fr") == ()
    assert top_concepts(memory_store, elsewhere, "fr") == ()
    assert counted_reads == [elsewhere, elsewhere]  # asked twice, read twice, nothing kept
