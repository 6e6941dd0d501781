"""The real `skosmos-client` package, unchanged, against a running server: every method it has."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS
from skosmos_client import SkosmosClient

PDV = "https://w3id.org/pdv/"
EMPOWERMENT = PDV + "notions/empowerment"
LILLE = PDV + "territoires/commune/59350"


@pytest.fixture
def client(live_server_factory, built_vocab_dir: Path) -> SkosmosClient:
    """A Skosmos client pointed at a live server on the committed vocabulary."""
    server = live_server_factory(built_vocab_dir)
    return SkosmosClient(api_base=server.url + "/rest/v1/")


def test_every_client_method(client: SkosmosClient) -> None:
    assert "SkosmosClient(api_base=" in str(client)

    vocabularies = client.vocabularies("fr")
    ids = [v["id"] for v in vocabularies]
    assert {"notions", "thematiques", "territoires", "types"} <= set(ids)
    assert all(v["title"] for v in vocabularies)

    hits = client.search("democratie participative", lang="fr")
    assert hits[0]["uri"] == PDV + "notions/democratie-participative"
    assert hits[0]["prefLabel"] == "Démocratie participative"
    assert client.search("concert*", vocabs="notions", lang="fr")
    assert all(h["vocab"] in {"notions", "territoires"} for h in
               client.search("lille", vocabs=["notions", "territoires"], maxhits=5))  # fmt: skip
    assert len(client.search("*", vocabs="territoires", maxhits=3, offset=2)) == 3
    assert client.search("lil*", labellang="en", type_="skos:Concept", unique=True)
    under_region = client.search(
        "lille", parent=PDV + "territoires/region/32", vocabs="territoires"
    )
    assert LILLE in [h["uri"] for h in under_region]
    groups = client.groups("notions", lang="fr")
    if groups:
        assert client.search("*", group=groups[0]["uri"], vocabs="notions")

    graph = client.data(EMPOWERMENT)
    assert (URIRef(EMPOWERMENT), SKOS.prefLabel, Literal("Empowerment", lang="fr")) in graph
    territory = client.data(LILLE, vocid="territoires")
    assert (URIRef(LILLE), SKOS.notation, Literal("59350")) in territory

    global_types = client.types("fr")
    assert str(SKOS.Concept) in [t["uri"] for t in global_types]
    territory_types = client.types("en", vocid="territoires")
    labels = {t["uri"]: t["label"] for t in territory_types}
    assert labels[PDV + "ontology#Commune"] == "Municipality"

    vocabulary = client.get_vocabulary("territoires", lang="fr")
    assert vocabulary["id"] == "territoires"
    assert vocabulary["conceptschemes"][0]["uri"] == PDV + "territoires"
    with pytest.raises(ValueError, match="not found"):
        client.get_vocabulary("no-such-vocabulary")

    tops = client.top_concepts("territoires", lang="fr")
    assert [t["uri"] for t in tops] == [PDV + "territoires/pays/FR"]
    assert client.top_concepts("notions", lang="en", scheme=PDV + "notions")
    with pytest.raises(ValueError):
        client.top_concepts("no-such-vocabulary")

    found = client.lookup("notions", "empowerment", lang="fr")
    assert found[0]["uri"] == EMPOWERMENT
    assert client.lookup("territoires", "Lille")[0]["uri"] == LILLE
    with pytest.raises(ValueError, match="Could not find label"):
        client.lookup("notions", "no such label at all")

    assert isinstance(client.groups("territoires"), list)
    with pytest.raises(ValueError):
        client.groups("no-such-vocabulary")

    lille = client.get_concept("territoires", LILLE)
    assert lille.label() == "Lille"
    assert lille.label("en") == "Lille"
    # A commune is under its own département and its EPCI (issue 17: never the EPCI's others).
    assert sorted(lille.broader("fr"), key=lambda b: b["uri"]) == [
        {"uri": PDV + "territoires/departement/59", "prefLabel": "Nord"},
        {"uri": PDV + "territoires/epci/200093201", "prefLabel": "Métropole Européenne de Lille"},
    ]
    up = lille.broaderTransitive("fr")
    assert set(up) >= {LILLE, PDV + "territoires/region/32", PDV + "territoires/pays/FR"}
    assert sorted(up[LILLE]["broader"]) == [
        PDV + "territoires/departement/59",
        PDV + "territoires/epci/200093201",
    ]
    assert len(lille.broaderTransitive("fr", limit=2)) == 2
    assert lille.narrower() == []
    assert lille.related() == []
    region = client.get_concept("territoires", PDV + "territoires/region/32")
    assert {n["uri"] for n in region.narrower("fr")} >= {PDV + "territoires/departement/59"}
    down = region.narrowerTransitive("fr", limit=50)
    assert len(down) == 50 and PDV + "territoires/region/32" in down

    concept = client.get_concept("notions", EMPOWERMENT)
    assert concept.label("fr") == "Empowerment"
    assert concept.related("fr")
    assert concept.narrower("fr")

    missing = client.get_concept("notions", PDV + "notions/no-such-concept")
    with pytest.raises(requests.HTTPError):
        missing.broader()


def test_cors_and_jsonp_over_http(live_server_factory, built_vocab_dir: Path) -> None:
    server = live_server_factory(built_vocab_dir)
    url = server.url + "/rest/v1/notions/broader"
    answer = requests.get(url, params={"uri": EMPOWERMENT, "callback": "cb"}, timeout=30)
    assert answer.headers["Content-Type"].startswith("application/javascript")
    assert answer.text.startswith("cb(")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    error = requests.get(url, params={"uri": PDV + "notions/nope"}, timeout=30)
    assert error.status_code == 404
    assert error.text == f"404 Not Found : Could not find concept <{PDV}notions/nope>"
    assert error.headers["Access-Control-Allow-Origin"] == "*"
