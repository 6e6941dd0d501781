"""Ingest: the seed's text export and an HTML page of the same structure become a resource."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD
from test_fetch import LocalServer

from graph_service.cli import main
from graph_service.config import PROJECT_ROOT
from graph_service.curate.ingest import ingest_source, parse_page, parse_size
from graph_service.store.embedded import EmbeddedStore

SEED = PROJECT_ROOT.parent / "shared" / "seed" / "irev-article-2023-05-30.txt"
HTML = Path(__file__).resolve().parent / "data" / "curation" / "irev-article.html"
PAGE_URL = (
    "https://irev.fr/actualites-0/"
    "refonte-des-contrats-de-ville-un-cycle-en-cours-avec-les-pilotes-des-contrats-de-ville"
)
P = "https://w3id.org/pdv/"
GUIDE_PDF = "https://irev.fr/sites/default/files/atoms/files/211020_v2-anct-agir-conseilscitoyens-bat_hd_1.pdf"


def test_sizes() -> None:
    assert parse_size("1.19", "Mo") == 1_247_805
    assert parse_size("538,64", "Ko") == 551_567
    assert parse_size("12", "o") == 12


def test_text_export_is_parsed() -> None:
    page = parse_page(SEED.read_text(encoding="utf-8"))
    assert page.title.startswith("Refonte des contrats de ville un cycle en cours")
    assert page.title_from_url and page.source == PAGE_URL
    assert str(page.issued) == "2023-05-30" and str(page.modified) == "2023-05-31"
    assert page.published_at.isoformat() == "2023-05-30T16:30:00+02:00"
    assert page.taxonomy == {
        "type": ["Actu de l'IREV"],
        "themes": ["Participation citoyenne", "Politique de la ville - DSU"],
        "territories": ["Région Hauts de France"],
    }
    assert len(page.body) == 6 and page.body[0].startswith("Réunis à Lille")
    assert "https://www.dicopart.fr/empowerment-2022" in page.references
    assert len(page.references) == 5  # no download, favourite or taxonomy link
    guide, resources = page.attachments
    assert guide.title == (
        "Les conseils citoyens, un levier au service de la participation des habitants"
    )
    assert guide.size == 1_247_805 and guide.url == GUIDE_PDF and str(guide.issued) == "2021-10-01"
    assert resources.size == 551_567 and len(resources.toc) == 6
    assert resources.toc[2] == "Initiatives citoyennes et vie associative (p. 13)"


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def _check_resource(graph: Graph, iri: URIRef) -> None:
    subjects = set(graph.objects(iri, DCTERMS.subject))
    for slug in (
        "thematiques/participation-citoyenne",
        "thematiques/politique-de-la-ville-dsu",
        "notions/contrat-de-ville",
        "notions/concertation",
        "notions/conseil-citoyen",
    ):
        assert URIRef(P + slug) in subjects, slug
    assert graph.value(iri, DCTERMS.type) == URIRef(P + "types/actu-de-l-irev")
    assert URIRef(P + "territoires/region/32") in set(graph.objects(iri, DCTERMS.spatial))
    assert graph.value(iri, DCTERMS.issued) == Literal("2023-05-30", datatype=XSD.date)
    parts = set(graph.objects(iri, DCTERMS.hasPart))
    assert len(parts) == 2
    sizes = {int(graph.value(p, DCAT.byteSize)) for p in parts}
    assert sizes == {1_247_805, 551_567}
    kinds = {graph.value(p, DCTERMS.type) for p in parts}
    assert kinds == {URIRef(P + "types/guide-pratique"), URIRef(P + "types/ressources-conseillees")}


def test_seed_text_export(vocab_store: EmbeddedStore) -> None:
    result = ingest_source(vocab_store, str(SEED))
    assert [p for p in result.problems if p.severity == "error"] == []
    graph = _graph(result.turtle)
    iri = URIRef(result.iri)
    _check_resource(graph, iri)
    assert graph.value(iri, DCTERMS.modified) == Literal("2023-05-31", datatype=XSD.date)
    assert "Title derived from the page URL" in result.turtle


def test_html_page(vocab_store: EmbeddedStore) -> None:
    result = ingest_source(vocab_store, str(HTML), source_url=PAGE_URL)
    assert [p for p in result.problems if p.severity == "error"] == []
    graph = _graph(result.turtle)
    iri = URIRef(result.iri)
    _check_resource(graph, iri)
    assert str(graph.value(iri, DCTERMS.title)) == (
        "Refonte des contrats de ville : un cycle en cours avec les pilotes des contrats de ville"
    )
    assert "Title derived" not in result.turtle
    assert URIRef(GUIDE_PDF) in set(graph.objects(None, DCAT.downloadURL))  # made absolute


def test_cli_dry_run_and_output(built_vocab_dir: Path, tmp_path: Path) -> None:
    env = {"GRAPH_SERVICE_DATA_DIR": str(built_vocab_dir)}
    dry = CliRunner().invoke(main, ["ingest", "--dry-run", str(SEED)], env=env)
    assert dry.exit_code == 0, dry.output
    assert "schema:NewsArticle" in dry.stdout
    out = tmp_path / "resources"
    result = CliRunner().invoke(main, ["ingest", str(SEED), "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    (written,) = out.glob("*.ttl")
    assert written.name == "refonte-des-contrats-de-ville-un-cycle-en-cours-2023.ttl"
    assert len(_graph(written.read_text(encoding="utf-8"))) > 40


def test_bad_inputs(built_vocab_dir: Path, tmp_path: Path) -> None:
    env = {"GRAPH_SERVICE_DATA_DIR": str(built_vocab_dir)}
    missing = CliRunner().invoke(main, ["ingest", str(tmp_path / "nope.txt")], env=env)
    assert missing.exit_code == 1 and "no such file" in missing.output
    blank = tmp_path / "blank.txt"
    blank.write_text("Rien ici.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--dry-run", str(blank)], env=env)
    assert result.exit_code == 1 and "no title found" in result.output


@pytest.fixture
def page_server() -> Iterator[LocalServer]:
    server = LocalServer({"/article.html": HTML.read_bytes()})
    yield server
    server.close()


def test_url(built_vocab_dir: Path, page_server: LocalServer) -> None:
    env = {"GRAPH_SERVICE_DATA_DIR": str(built_vocab_dir)}
    url = page_server.url + "/article.html"
    refused = CliRunner().invoke(main, ["ingest", "--dry-run", url], env=env)
    assert refused.exit_code == 1 and "loopback" in refused.output
    env["GRAPH_SERVICE_ALLOW_PRIVATE_URLS"] = "true"
    result = CliRunner().invoke(main, ["ingest", "--dry-run", url], env=env)
    assert result.exit_code == 0, result.output
    assert "Refonte des contrats de ville : un cycle" in result.stdout
