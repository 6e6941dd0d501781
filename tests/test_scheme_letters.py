"""A scheme page's index letters: read from the store while the search index is not current."""

from __future__ import annotations

from graph_service.model.browse import index_page, letters_from_store, scheme_letters
from graph_service.model.schemes import schemes
from graph_service.search.index import current_index, get_index


def test_letters_from_the_store_are_the_search_index_letters(vocab_store) -> None:
    checked = 0
    for summary in schemes(vocab_store, "fr"):
        for lang in ("fr", "en", "de"):  # "de": no labels, both fall back alike
            from_index = index_page(vocab_store, summary.vocab_id, None, lang, 1, 0).letters
            assert letters_from_store(vocab_store, summary.iri, lang) == from_index, (
                summary.vocab_id,
                lang,
            )
            checked += bool(from_index)
    assert checked >= 3  # several vocabularies with letters were compared


def test_scheme_letters_use_the_index_when_current(vocab_store) -> None:
    get_index(vocab_store)
    assert current_index(vocab_store) is not None
    summary = schemes(vocab_store, "fr")[0]
    expected = index_page(vocab_store, summary.vocab_id, None, "fr", 1, 0).letters
    assert expected and scheme_letters(vocab_store, summary.vocab_id, summary.iri, "fr") == expected
