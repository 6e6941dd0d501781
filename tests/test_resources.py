"""Resources indexed with concepts: narrower concepts, sub-territories, types, dates, pages."""

from __future__ import annotations

import pytest

from graph_service.model.resource_list import is_type_concept
from graph_service.model.resources import find_resources, resource_details
from graph_service.store.embedded import EmbeddedStore

EX = "http://example.org/"
SAMPLE = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .

ex:participation a skos:Concept ; skos:prefLabel "Participation"@fr ;
    skos:narrower ex:concertation .
ex:concertation a skos:Concept ; skos:prefLabel "Concertation"@fr ; skos:broader ex:participation .
ex:budget a skos:Concept ; skos:prefLabel "Budget participatif"@fr ; skos:broader ex:participation .

ex:region a skos:Concept ; skos:prefLabel "Région"@fr ; skos:narrower ex:dept .
ex:dept a skos:Concept ; skos:prefLabel "Département"@fr ; skos:broader ex:region .
ex:town a skos:Concept ; skos:prefLabel "Commune"@fr ; skos:broader ex:dept .
ex:elsewhere a skos:Concept ; skos:prefLabel "Ailleurs"@fr .

ex:guide a skos:Concept ; skos:prefLabel "Guide"@fr .
ex:news a skos:Concept ; skos:prefLabel "Actualité"@fr .

ex:r1 a schema:NewsArticle ; dct:title "Une actualité"@fr, "A news item"@en ;
    dct:issued "2023-05-30"^^xsd:date ; dct:type ex:news ;
    dct:subject ex:participation ; dct:spatial ex:town ; dct:hasPart ex:r1-pdf .
ex:r1-pdf a schema:DigitalDocument ; dct:title "Le guide joint"@fr ; dct:isPartOf ex:r1 ;
    dct:issued "2021-10-01"^^xsd:date ; dct:type ex:guide ; dct:format "application/pdf" ;
    dcat:byteSize "1247805"^^xsd:nonNegativeInteger ;
    dcat:downloadURL <https://example.net/guide.pdf> ;
    dct:subject ex:concertation ; dct:spatial ex:dept .
ex:r2 a schema:DigitalDocument ; dct:title "Un rapport"@fr ; dct:issued "2019-01-15"^^xsd:date ;
    dct:type ex:guide ; dct:subject ex:budget ; dct:spatial ex:elsewhere ;
    dct:tableOfContents "1. Début"@fr .
ex:r3 dct:title "Sans date"@fr ; dct:subject ex:participation .
"""


@pytest.fixture
def store() -> EmbeddedStore:
    """Concepts, territories, types and four resources in two named graphs."""
    store = EmbeddedStore()
    store.load(SAMPLE, "turtle", graph="http://example.org/graph/sample")
    return store


def iris(page) -> list[str]:
    return [item.iri.removeprefix(EX) for item in page.items]


def test_resources_of_a_concept_newest_first(store: EmbeddedStore) -> None:
    page = find_resources(store, EX + "participation")
    assert iris(page) == ["r1", "r3"]  # undated last
    assert page.total == 2
    first = page.items[0]
    assert (first.title, first.lang, first.issued) == ("Une actualité", "fr", "2023-05-30")
    assert [t.label for t in first.types] == ["Actualité"]
    assert first.classes == ("https://schema.org/NewsArticle",)


def test_with_narrower_concepts(store: EmbeddedStore) -> None:
    page = find_resources(store, EX + "participation", include_narrower=True)
    assert iris(page) == ["r1", "r1-pdf", "r2", "r3"]


def test_territory_includes_sub_territories(store: EmbeddedStore) -> None:
    region = find_resources(
        store, EX + "participation", include_narrower=True, territory=EX + "region"
    )
    assert iris(region) == ["r1", "r1-pdf"]
    town = find_resources(store, EX + "participation", include_narrower=True, territory=EX + "town")
    assert iris(town) == ["r1"]
    assert find_resources(store, EX + "participation", territory=EX + "elsewhere").total == 0


def test_type_and_dates(store: EmbeddedStore) -> None:
    guides = find_resources(
        store, EX + "participation", include_narrower=True, type_iri=EX + "guide"
    )
    assert iris(guides) == ["r1-pdf", "r2"]
    schema_class = find_resources(
        store,
        EX + "participation",
        include_narrower=True,
        type_iri="https://schema.org/NewsArticle",
    )
    assert iris(schema_class) == ["r1"]
    since = find_resources(store, EX + "participation", include_narrower=True, date_from="2021")
    assert iris(since) == ["r1", "r1-pdf"]
    until = find_resources(store, EX + "participation", include_narrower=True, date_to="2021-10")
    assert iris(until) == ["r1-pdf", "r2"]
    window = find_resources(
        store, EX + "participation", include_narrower=True, date_from="2020-01-01", date_to="2022"
    )
    assert iris(window) == ["r1-pdf"]


def test_pages(store: EmbeddedStore) -> None:
    page = find_resources(store, EX + "participation", include_narrower=True, limit=2, offset=1)
    assert (page.total, page.offset, page.limit) == (4, 1, 2)
    assert iris(page) == ["r1-pdf", "r2"]
    assert find_resources(store, EX + "participation", limit=5, offset=10).items == ()


def test_resource_details(store: EmbeddedStore) -> None:
    pdf = resource_details(store, EX + "r1-pdf", "en")
    assert pdf is not None
    assert pdf.title == "Le guide joint"  # no English title: falls back to French
    assert [r.label for r in pdf.subjects] == ["Concertation"]
    assert [r.label for r in pdf.spatial] == ["Département"]
    assert [r.label for r in pdf.is_part_of] == ["A news item"]
    assert (pdf.formats, pdf.byte_size) == (("application/pdf",), 1247805)
    assert pdf.download_urls == ("https://example.net/guide.pdf",)
    article = resource_details(store, EX + "r1", "en")
    assert article is not None and article.title == "A news item"
    assert [r.iri for r in article.has_part] == [EX + "r1-pdf"]
    assert resource_details(store, EX + "r2").table_of_contents[0].value == "1. Début"  # type: ignore[union-attr]
    assert resource_details(store, EX + "nope") is None


def test_seed_article_of_the_committed_vocabulary(vocab_store: EmbeddedStore) -> None:
    pdv = "https://w3id.org/pdv/"
    page = find_resources(
        vocab_store, pdv + "notions/empowerment", territory=pdv + "territoires/departement/59"
    )
    assert pdv + "resources/refonte-des-contrats-de-ville-2023" in [i.iri for i in page.items]
    assert (
        find_resources(
            vocab_store, pdv + "notions/empowerment", territory=pdv + "territoires/departement/80"
        ).total
        == 0
    )


def test_a_type_concept_is_told_with_or_without_its_schemes_at_hand() -> None:
    """A resource type: in our scheme of types, or the object of a resource's dct:type; a
    concept page passes the concept's schemes and spares a lookup, with the same answers."""
    store = EmbeddedStore()
    store.update(
        """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dct: <http://purl.org/dc/terms/>
        INSERT DATA {
          <https://w3id.org/pdv/types/guide> skos:inScheme <https://w3id.org/pdv/types> .
          <http://example.org/imported/report> skos:inScheme <http://example.org/imported> .
          <http://example.org/doc> dct:type <http://example.org/imported/report> .
          <http://example.org/imported/topic> skos:inScheme <http://example.org/imported> .
        }"""
    )
    cases = {
        "https://w3id.org/pdv/types/guide": (["https://w3id.org/pdv/types"], True),
        "http://example.org/imported/report": (["http://example.org/imported"], True),
        "http://example.org/imported/topic": (["http://example.org/imported"], False),
    }
    for iri, (schemes, expected) in cases.items():
        assert is_type_concept(store, iri) is expected, iri
        assert is_type_concept(store, iri, schemes) is expected, iri
