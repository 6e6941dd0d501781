"""Importing outside vocabularies: files and URLs, skosify, validation, nothing half-loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_fetch import LocalServer

from graph_service.cli import main
from graph_service.curate import fetch as fetch_module
from graph_service.curate.imports import import_graph_iri
from graph_service.model.schemes import list_schemes
from graph_service.store.build import build_store, open_current
from graph_service.store.embedded import EmbeddedStore

DATA = Path(__file__).resolve().parent / "data" / "curation"
GREEN = import_graph_iri("greenvoc")


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    """A data directory with the tiny vocabulary built into it."""
    target = tmp_path / "var"
    build_store(tiny_vocab, target)
    return target


def _invoke(data_dir: Path, *args: str, **env: str) -> Result:
    environ = {"GRAPH_SERVICE_DATA_DIR": str(data_dir), **env}
    return CliRunner().invoke(main, ["import", *args], env=environ)


def _snapshot(data_dir: Path) -> tuple[list[str], list[bytes]]:
    store = open_current(data_dir, read_only=True)
    try:
        return store.named_graphs(), sorted(store.dump("nquads").splitlines())
    finally:
        store.close()


def _assert_unchanged(data_dir: Path, before: tuple) -> None:
    assert _snapshot(data_dir) == before
    assert not list((data_dir / "imports").glob("*")) if (data_dir / "imports").exists() else True


def test_import_file_with_skosify(data_dir: Path, tiny_vocab: Path) -> None:
    result = _invoke(data_dir, str(DATA / "import_ok.ttl"))
    assert result.exit_code == 0, result.output
    assert "skosify: " in result.output and "triples added" in result.output
    assert "parsed 16 triples" in result.output
    store = open_current(data_dir, read_only=True)
    try:
        assert store.has_graph(GREEN)
        ids = {s.vocab_id for s in list_schemes(store)}
        assert {"greenvoc", "tiny"} <= ids or "greenvoc" in ids
        labels = store.select(
            "SELECT ?l WHERE { GRAPH $g { <http://example.org/greenvoc/nature> "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } }",
            {"g": __import__("rdflib").URIRef(GREEN)},
        )
        assert "Nature" in {str(r["l"]) for r in labels}  # skosify stripped the stray space
    finally:
        store.close()
    saved = data_dir / "imports" / "greenvoc.ttl"
    assert saved.is_file()
    # A rebuild from vocab/ brings the imported vocabulary back.
    build_store(tiny_vocab, data_dir, force=True)
    store = open_current(data_dir, read_only=True)
    try:
        assert store.has_graph(GREEN)
    finally:
        store.close()


def test_reimport_replaces_and_custom_id(data_dir: Path) -> None:
    assert _invoke(data_dir, str(DATA / "import_ok.ttl")).exit_code == 0
    first = _snapshot(data_dir)
    assert _invoke(data_dir, str(DATA / "import_ok.ttl")).exit_code == 0
    assert _snapshot(data_dir) == first
    result = _invoke(data_dir, "--id", "vert", str(DATA / "import_ok.ttl"))
    assert result.exit_code == 1  # the same scheme may not live in two graphs
    assert "already in the store" in result.output


def test_not_rdf_changes_nothing(data_dir: Path) -> None:
    before = _snapshot(data_dir)
    result = _invoke(data_dir, str(DATA / "not_rdf.ttl"))
    assert result.exit_code == 1
    assert "not_rdf.ttl is not valid turtle" in result.output
    _assert_unchanged(data_dir, before)


def test_validation_errors_abort(data_dir: Path) -> None:
    before = _snapshot(data_dir)
    result = _invoke(data_dir, str(DATA / "import_invalid.ttl"))
    assert result.exit_code == 1
    assert "is not valid, nothing was imported" in result.output
    assert "http://example.org/badvoc/b" in result.output
    _assert_unchanged(data_dir, before)
    # Without skosify, two French prefLabels are an error too.
    result = _invoke(data_dir, "--no-skosify", str(DATA / "import_ok.ttl"))
    assert result.exit_code == 1 and "more than one preferred label" in result.output
    _assert_unchanged(data_dir, before)


def test_parse_error_late_in_a_large_file(data_dir: Path, tmp_path: Path) -> None:
    lines = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> ."]
    lines += [f"<http://example.org/big/c{i}> a skos:Concept ." for i in range(20_000)]
    lines.append('<http://example.org/big/broken> skos:prefLabel "unterminated .')
    big = tmp_path / "late-error.ttl"
    big.write_text("\n".join(lines), encoding="utf-8")
    before = _snapshot(data_dir)
    result = _invoke(data_dir, "--id", "big", str(big))
    assert result.exit_code == 1
    assert "late-error.ttl is not valid turtle" in result.output
    _assert_unchanged(data_dir, before)


def test_dry_run_loads_nothing(data_dir: Path) -> None:
    before = _snapshot(data_dir)
    result = _invoke(data_dir, "--dry-run", str(DATA / "import_ok.ttl"))
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "'greenvoc'" in result.output
    _assert_unchanged(data_dir, before)


def test_our_own_ids_are_refused(data_dir: Path) -> None:
    result = _invoke(data_dir, "--id", "notions", str(DATA / "import_ok.ttl"))
    assert result.exit_code == 1 and "is one of ours" in result.output


def test_locked_store_points_to_the_web_page(data_dir: Path) -> None:
    holder = open_current(data_dir)  # like a running server
    try:
        result = _invoke(data_dir, str(DATA / "import_ok.ttl"))
    finally:
        holder.close()
    assert result.exit_code == 1
    assert "in use by a running server" in result.output
    assert "/curation/import" in result.output


@pytest.fixture
def server() -> Iterator[LocalServer]:
    body = (DATA / "import_ok.ttl").read_bytes()
    local = LocalServer({"/green.ttl": body, "/green-noext": body})
    yield local
    local.close()


def test_import_from_url(data_dir: Path, server: LocalServer) -> None:
    result = _invoke(data_dir, server.url + "/green-noext", GRAPH_SERVICE_ALLOW_PRIVATE_URLS="1")
    assert result.exit_code == 0, result.output
    assert "of turtle from" in result.output  # the format came from the Content-Type


def test_loopback_url_refused_by_default(data_dir: Path, server: LocalServer) -> None:
    before = _snapshot(data_dir)
    result = _invoke(data_dir, server.url + "/green.ttl")
    assert result.exit_code == 1
    assert "loopback address" in result.output
    _assert_unchanged(data_dir, before)


def test_url_timeout_and_too_large(
    data_dir: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /slow stalls until the test ends: a short read timeout gives up on it; the size cap is
    # checked with the usual timeouts, which a loaded machine cannot exceed by mistake.
    before = _snapshot(data_dir)
    with monkeypatch.context() as quick:
        quick.setattr(fetch_module, "DEFAULT_TIMEOUT", (2.0, 0.5))
        slow = _invoke(data_dir, server.url + "/slow", GRAPH_SERVICE_ALLOW_PRIVATE_URLS="1")
    assert slow.exit_code == 1
    assert "did not answer" in slow.output or "stopped sending" in slow.output
    monkeypatch.setattr(fetch_module, "DEFAULT_MAX_BYTES", 1_000_000)
    huge = _invoke(data_dir, server.url + "/huge", GRAPH_SERVICE_ALLOW_PRIVATE_URLS="1")
    assert huge.exit_code == 1 and "too large" in huge.output
    _assert_unchanged(data_dir, before)


def test_load_into_memory_store_api() -> None:
    from graph_service.curate.imports import load_import, prepare_import

    report, turtle = prepare_import(str(DATA / "import_ok.ttl"), local_files=True)
    store = EmbeddedStore()
    load_import(store, report, turtle, None)
    assert store.has_graph(GREEN)
    assert report.schemes == ["http://example.org/greenvoc/greenvoc"]


def test_locked_store_is_said_before_any_parsing(data_dir: Path, tmp_path: Path) -> None:
    # A source that cannot even be read: the lock, checked first, is what the operator hears.
    missing = tmp_path / "not-there.ttl"
    holder = open_current(data_dir)
    try:
        result = _invoke(data_dir, str(missing))
    finally:
        holder.close()
    assert result.exit_code == 1
    assert "in use by a running server" in result.output
    assert "not-there" not in result.output
