"""A scheme page's index letters: read from the store while the search index is not current."""

from __future__ import annotations

from pathlib import Path

from graph_service.model import browse
from graph_service.model.browse import index_page, letters_from_store, scheme_letters
from graph_service.model.schemes import schemes
from graph_service.search.index import current_index, get_index
from graph_service.store.build import open_current


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


def test_scheme_letters_use_the_index_when_current(vocab_store, monkeypatch) -> None:
    get_index(vocab_store)
    assert current_index(vocab_store) is not None
    summary = schemes(vocab_store, "fr")[0]
    expected = index_page(vocab_store, summary.vocab_id, None, "fr", 1, 0).letters

    def no_store_read(*args: object) -> tuple[str, ...]:
        raise AssertionError("read the store although the index is current")

    monkeypatch.setattr(browse, "letters_from_store", no_store_read)
    assert expected and scheme_letters(vocab_store, summary.vocab_id, summary.iri, "fr") == expected


def test_scheme_letters_do_not_wait_for_an_index(built_vocab_dir: Path, monkeypatch) -> None:
    store = open_current(built_vocab_dir, read_only=True)  # a new handle: no index of its own
    assert current_index(store) is None
    summary = schemes(store, "fr")[0]
    expected = letters_from_store(store, summary.iri, "fr")

    def no_index(*args: object, **kwargs: object) -> None:
        raise AssertionError("waited for the search index")

    monkeypatch.setattr(browse, "index_page", no_index)
    assert expected and scheme_letters(store, summary.vocab_id, summary.iri, "fr") == expected
