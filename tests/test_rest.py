"""The Skosmos-compatible REST API: every endpoint's shape and Skosmos's quirks."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from graph_service import create_app
from graph_service.store.embedded import EmbeddedStore

PDV = "https://w3id.org/pdv/"
N = PDV + "notions/"
SAMPLE = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix n: <https://w3id.org/pdv/notions/> .

<https://w3id.org/pdv/notions> a skos:ConceptScheme ;
    dct:title "Notions"@fr, "Concepts"@en ; skos:hasTopConcept n:participation .
n:participation a skos:Concept ; skos:inScheme <https://w3id.org/pdv/notions> ;
    skos:topConceptOf <https://w3id.org/pdv/notions> ;
    skos:prefLabel "Participation citoyenne"@fr, "Citizen participation"@en ;
    skos:narrower n:dp, n:empowerment ; dct:created "2023-05-30"^^xsd:date .
n:dp a skos:Concept ; skos:inScheme <https://w3id.org/pdv/notions> ; skos:notation "DP" ;
    skos:prefLabel "Démocratie participative"@fr, "Participatory democracy"@en ;
    skos:altLabel "démocratie de proximité"@fr ; skos:broader n:participation ;
    skos:related n:empowerment ; dct:created "2024-01-01"^^xsd:date ;
    dct:modified "2024-03-01T10:00:00+02:00"^^xsd:dateTime .
n:empowerment a skos:Concept ; skos:inScheme <https://w3id.org/pdv/notions> ;
    skos:prefLabel "Empowerment"@fr, "Empowerment"@en ; skos:altLabel "pouvoir d'agir"@fr ;
    skos:hiddenLabel "empowerement"@fr ; skos:broader n:participation ;
    skos:related n:dp ; skos:exactMatch <http://vocabularies.unesco.org/thesaurus/concept3430> ;
    skos:narrower n:collectif .
n:collectif a skos:Concept ; skos:inScheme <https://w3id.org/pdv/notions> ;
    skos:prefLabel "Pouvoir d'agir collectif"@fr ; skos:broader n:empowerment .
n:old a skos:Concept ; skos:inScheme <https://w3id.org/pdv/notions> ;
    skos:prefLabel "Ancienne notion"@fr ; owl:deprecated true ; dct:isReplacedBy n:dp ;
    dct:modified "2025-01-01"^^xsd:date .
n:instances a skos:Collection ; skos:prefLabel "Instances"@fr ; skos:member n:dp, n:empowerment .
"""


@pytest.fixture
def client():
    """The app on a small notions scheme in our namespace."""
    store = EmbeddedStore()
    store.load(SAMPLE, "turtle", graph=PDV + "graph/notions")
    return create_app({"TESTING": True, "STORE": store}).test_client()


def get(client, path: str, **params):
    response = client.get("/rest/v1" + path, query_string=params)
    return response, (response.get_json() if response.is_json else None)


def test_vocabularies(client) -> None:
    response, data = get(client, "/vocabularies", lang="en")
    assert response.status_code == 200
    assert data["vocabularies"] == [{"uri": "notions", "id": "notions", "title": "Concepts"}]
    assert data["@context"]["uri"] == "@id"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    missing, _ = get(client, "/vocabularies")
    assert (missing.status_code, missing.get_data(as_text=True)) == (
        400,
        "400 Bad Request : lang parameter missing",
    )
    assert missing.headers["Content-Type"].startswith("text/plain")
    assert missing.headers["Access-Control-Allow-Origin"] == "*"


def test_search(client) -> None:
    _, data = get(client, "/search", query="democratie*", lang="fr")
    [hit] = data["results"]
    assert hit["uri"] == N + "dp"
    assert (hit["prefLabel"], hit["lang"], hit["vocab"]) == (
        "Démocratie participative",
        "fr",
        "notions",
    )
    assert (hit["type"], hit["localname"], hit["notation"]) == (["skos:Concept"], "dp", "DP")
    _, alt = get(client, "/notions/search", query="pouvoir d'agir", lang="fr")
    first = alt["results"][0]
    assert (first["uri"], first["altLabel"], first["prefLabel"]) == (
        N + "empowerment",
        "pouvoir d'agir",
        "Empowerment",
    )
    _, hidden = get(client, "/search", query="empowerement")
    assert hidden["results"][0]["hiddenLabel"] == "empowerement"
    # Matched in English, shown in French (labellang); the matched label says which one hit.
    _, cross = get(client, "/search", query="participatory*", lang="en", labellang="fr")
    assert cross["results"][0]["prefLabel"] == "Démocratie participative"
    assert cross["results"][0]["matchedPrefLabel"] == "Participatory democracy"
    _, paged = get(client, "/search", query="*", maxhits=2, offset=1)
    assert len(paged["results"]) == 2
    _, under = get(client, "/search", query="*", parent=N + "empowerment")
    assert [r["uri"] for r in under["results"]] == [N + "collectif"]
    _, grouped = get(client, "/search", query="*", group=N + "instances")
    assert {r["uri"] for r in grouped["results"]} == {N + "dp", N + "empowerment"}
    _, fields = get(client, "/search", query="empowerment", fields="broader prefLabel")
    assert fields["results"][0]["broader"][0]["uri"] == N + "participation"
    assert fields["results"][0]["prefLabels"] == {"fr": "Empowerment", "en": "Empowerment"}
    _, typed = get(client, "/search", query="*", type="skos:Collection")
    assert typed["results"] == []


def test_search_errors(client) -> None:
    for params in (
        {},
        {"query": "  "},
        {"query": "x", "maxhits": "0"},
        {"query": "x", "offset": "-1"},
    ):
        response, _ = get(client, "/search", **params)
        assert response.status_code == 400, params
    assert get(client, "/search", query="x", vocab="nope")[0].status_code == 404
    assert get(client, "/nope/search", query="x")[0].status_code == 404


def test_label(client) -> None:
    _, data = get(client, "/label", uri=N + "empowerment", lang="fr")
    assert data["uri"] == N + "empowerment"
    assert (data["prefLabel"], data["altLabel"], data["hiddenLabel"]) == (
        "Empowerment",
        ["pouvoir d'agir"],
        ["empowerement"],
    )
    _, english = get(client, "/notions/label", uri=N + "dp", lang="en")
    assert english["prefLabel"] == "Participatory democracy"
    assert "altLabel" not in english
    response, _ = get(client, "/label", uri=N + "nope")
    assert response.get_data(as_text=True) == f"404 Not Found : Could not find concept <{N}nope>"
    assert get(client, "/label")[0].status_code == 400
    assert get(client, "/label", uri="not an iri")[0].status_code == 400


def test_data_formats(client) -> None:
    graphs = {}
    for media_type, parser in [
        ("application/rdf+xml", "xml"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/json", "json-ld"),
    ]:
        response, _ = get(client, "/notions/data", uri=N + "dp", format=media_type)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(media_type)
        graphs[media_type] = Graph().parse(data=response.data, format=parser)
        by_accept = client.get(f"/rest/v1/data?uri={N}dp", headers={"Accept": media_type})
        assert by_accept.headers["Content-Type"].startswith(media_type)
    assert isomorphic(graphs["application/ld+json"], graphs["text/turtle"])
    assert isomorphic(graphs["application/json"], graphs["application/rdf+xml"])
    compact = json.loads(get(client, "/data", uri=N + "dp", format="application/json")[0].data)
    assert compact["@context"]["prefLabel"] == "skos:prefLabel"  # Skosmos's compact keys
    assert (URIRef(N + "participation"), SKOS.prefLabel, None) in graphs["text/turtle"]
    default = client.get(f"/rest/v1/data?uri={N}dp")
    assert default.headers["Content-Type"].startswith("application/rdf+xml")
    assert get(client, "/data", uri=N + "dp", format="text/html")[0].status_code == 406
    assert get(client, "/data", uri=N + "nope")[0].status_code == 404
    assert get(client, "/data")[0].status_code == 400
    redirect, _ = get(client, "/notions/data", format="text/turtle")
    assert (redirect.status_code, redirect.headers["Location"]) == (302, "/dumps/notions.ttl")


def test_vocabulary_information(client) -> None:
    _, data = get(client, "/notions/", lang="en")
    assert (data["id"], data["title"], data["defaultLanguage"]) == ("notions", "Concepts", "fr")
    assert data["languages"] == ["fr", "en"]
    assert data["conceptschemes"][0]["uri"] == PDV + "notions"
    assert get(client, "/nope/")[0].get_data(as_text=True) == (
        "404 Not Found : Vocabulary id 'nope' not found."
    )


def test_top_concepts(client) -> None:
    _, data = get(client, "/notions/topConcepts", lang="fr")
    assert data["topconcepts"] == [
        {
            "uri": N + "participation",
            "label": "Participation citoyenne",
            "topConceptOf": PDV + "notions",
            "hasChildren": True,
        }
    ]


def test_relations(client) -> None:
    _, data = get(client, "/notions/broader", uri=N + "dp", lang="en")
    assert data == {
        "@context": data["@context"],
        "uri": N + "dp",
        "broader": [{"uri": N + "participation", "prefLabel": "Citizen participation"}],
    }
    _, narrower = get(client, "/notions/narrower", uri=N + "participation", lang="fr")
    assert [n["prefLabel"] for n in narrower["narrower"]] == [
        "Démocratie participative",
        "Empowerment",
    ]
    _, related = get(client, "/notions/related", uri=N + "dp", lang="fr")
    assert related["related"] == [{"uri": N + "empowerment", "prefLabel": "Empowerment"}]
    _, none = get(client, "/notions/broader", uri=N + "participation")
    assert none["broader"] == []
    response, _ = get(client, "/notions/related", uri=N + "nope")
    assert response.get_data(as_text=True) == f"404 Not Found : Could not find concept <{N}nope>"
    assert get(client, "/notions/broader")[0].get_data(as_text=True) == (
        "400 Bad Request : uri parameter missing"
    )


def test_transitive_results_are_keyed_by_iri(client) -> None:
    _, data = get(client, "/notions/broaderTransitive", uri=N + "collectif", lang="fr")
    closure = data["broaderTransitive"]
    assert set(closure) == {N + "collectif", N + "empowerment", N + "participation"}
    assert closure[N + "empowerment"] == {
        "uri": N + "empowerment",
        "prefLabel": "Empowerment",
        "broader": [N + "participation"],
    }
    assert "broader" not in closure[N + "participation"]
    _, down = get(client, "/notions/narrowerTransitive", uri=N + "participation", limit=2)
    assert len(down["narrowerTransitive"]) == 2
    assert get(client, "/notions/narrowerTransitive", uri=N + "dp", limit=0)[0].status_code == 400
    assert get(client, "/notions/broaderTransitive", uri=N + "nope")[0].status_code == 404


def test_hierarchy_and_children(client) -> None:
    _, data = get(client, "/notions/hierarchy", uri=N + "collectif", lang="fr")
    steps = data["broaderTransitive"]
    assert set(steps) == {N + "collectif", N + "empowerment", N + "participation"}
    top = steps[N + "participation"]
    assert (top["top"], top["tops"]) == (PDV + "notions", [PDV + "notions"])
    assert {c["uri"]: c["hasChildren"] for c in top["narrower"]} == {
        N + "dp": False,
        N + "empowerment": True,
    }
    assert steps[N + "collectif"]["broader"] == [N + "empowerment"]
    _, children = get(client, "/notions/children", uri=N + "participation", lang="fr")
    assert children["narrower"][0] == {
        "uri": N + "dp",
        "prefLabel": "Démocratie participative",
        "hasChildren": False,
        "notation": "DP",
    }


def test_lookup(client) -> None:
    response, data = get(client, "/notions/lookup", label="Empowerment", lang="fr")
    assert response.status_code == 200
    assert [r["uri"] for r in data["result"]] == [N + "empowerment"]  # sic: `result`
    _, folded = get(client, "/notions/lookup", label="democratie participative")
    assert folded["result"][0]["uri"] == N + "dp"
    _, alt = get(client, "/notions/lookup", label="pouvoir d'agir")
    assert alt["result"][0]["altLabel"] == "pouvoir d'agir"
    missing, _ = get(client, "/notions/lookup", label="nothing")
    assert missing.get_data(as_text=True) == "404 Not Found : Could not find label 'nothing'"
    assert get(client, "/notions/lookup")[0].status_code == 400


def test_alphabetical_index(client) -> None:
    _, letters = get(client, "/notions/index/", lang="fr")
    assert letters["indexLetters"] == ["D", "E", "P"]
    _, page = get(client, "/notions/index/D", lang="fr")
    assert page["indexConcepts"][0] == {
        "uri": N + "dp",
        "localname": "dp",
        "prefLabel": "Démocratie participative",
        "lang": "fr",
        "altLabel": "démocratie de proximité",
    }
    _, limited = get(client, "/notions/index/P", lang="fr", limit=1)
    assert len(limited["indexConcepts"]) == 1


def test_groups(client) -> None:
    _, data = get(client, "/notions/groups", lang="fr")
    assert data["groups"] == [
        {"uri": N + "instances", "prefLabel": "Instances", "hasMembers": True}
    ]
    _, members = get(client, "/notions/groupMembers", uri=N + "instances", lang="fr")
    assert [m["uri"] for m in members["members"]] == [N + "dp", N + "empowerment"]
    assert members["members"][0]["type"] == ["skos:Concept"]
    assert get(client, "/notions/groupMembers", uri=N + "dp")[0].status_code == 404


def test_new_and_modified(client) -> None:
    _, new = get(client, "/notions/new", lang="fr")
    assert [(c["uri"], c["date"]) for c in new["changeList"]] == [
        (N + "dp", "2024-01-01T00:00:00+0000"),
        (N + "participation", "2023-05-30T00:00:00+0000"),
    ]
    _, modified = get(client, "/notions/modified", lang="fr", limit=1)
    [change] = modified["changeList"]
    assert (change["uri"], change["deprecated"], change["replacedBy"]) == (
        N + "old",
        True,
        N + "dp",
    )
    assert change["replacingLabel"] == "Démocratie participative"
    _, second = get(client, "/notions/modified", lang="fr", offset=1)
    assert second["changeList"][0]["date"] == "2024-03-01T10:00:00+0200"


def test_types(client) -> None:
    _, data = get(client, "/notions/types", lang="en")
    assert {t["uri"] for t in data["types"]} >= {str(SKOS.Concept), str(SKOS.Collection)}
    assert get(client, "/types")[0].status_code == 400  # global types need lang
    assert get(client, "/types", lang="fr")[0].status_code == 200


def test_statistics(client) -> None:
    _, data = get(client, "/notions/vocabularyStatistics", lang="fr")
    assert data["concepts"]["count"] == 5
    assert data["concepts"]["deprecatedCount"] == 1
    _, labels = get(client, "/notions/labelStatistics", lang="en")
    french = next(lang for lang in labels["languages"] if lang["language"] == "fr")
    assert french["literal"] == "French"
    assert {"property": "skos:prefLabel", "labels": 5} in french["properties"]


def test_mappings(client) -> None:
    _, data = get(client, "/notions/mappings", uri=N + "empowerment", lang="fr")
    [mapping] = data["mappings"]
    assert mapping["type"] == ["skos:exactMatch"]
    assert mapping["from"]["memberSet"] == [{"uri": N + "empowerment"}]
    assert mapping["to"]["memberSet"] == [
        {"uri": "http://vocabularies.unesco.org/thesaurus/concept3430"}
    ]
    assert mapping["fromScheme"] == {"uri": PDV + "notions"}
    assert data["graph"]  # the concept itself, as JSON-LD


def test_jsonp_cors_and_json_ld(client) -> None:
    response = client.get(f"/rest/v1/notions/broader?uri={N}dp&callback=my.callback_1")
    assert response.headers["Content-Type"].startswith("application/javascript")
    text = response.get_data(as_text=True)
    assert text.startswith("my.callback_1({") and text.endswith("});")
    bad = client.get(f"/rest/v1/notions/broader?uri={N}dp&callback=alert(1)//")
    assert bad.status_code == 400
    ld = client.get(
        f"/rest/v1/notions/broader?uri={N}dp", headers={"Accept": "application/ld+json"}
    )
    assert ld.headers["Content-Type"].startswith("application/ld+json")
    assert ld.headers["Access-Control-Allow-Origin"] == "*"
    graph = Graph().parse(data=ld.data, format="json-ld")  # the inline @context makes it RDF
    assert (URIRef(N + "dp"), SKOS.broader, URIRef(N + "participation")) in graph


def test_resources_and_harvesting_on_the_committed_vocabulary(vocab_store) -> None:
    client = create_app({"TESTING": True, "STORE": vocab_store}).test_client()
    concept = N + "participation-citoyenne"
    _, data = get(client, "/notions/resources", uri=concept, narrower="true", limit=1)
    assert data["total"] >= 2 and len(data["resources"]) == 1
    assert data["next"].endswith("offset=1")
    first = data["resources"][0]
    assert {"uri", "title", "lang", "types"} <= set(first)
    _, region = get(
        client,
        "/notions/resources",
        uri=concept,
        narrower="true",
        territory=PDV + "territoires/region/32",
        to="2023",
    )
    assert region["total"] >= 1
    assert (
        get(client, "/notions/resources", uri=concept, **{"from": "May 2023"})[0].status_code == 400
    )
    assert get(client, "/notions/resources", uri=N + "nope")[0].status_code == 404
    seen, offset, total = set(), 0, None
    while total is None or offset < total:
        _, page = get(client, "/notions/concepts", limit=30, offset=offset)
        total = page["total"]
        seen.update(c["uri"] for c in page["concepts"])
        offset += 30
    assert len(seen) == total
    _, one = get(client, "/territoires/concepts", limit=1)
    assert one["concepts"][0]["prefLabel"]["fr"]
