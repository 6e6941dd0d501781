"""Reconciliation as its clients speak it: every answer valid under the 0.2 and 1.0 draft JSON
schemas, batches answered per query, properties (INSEE code, département) telling namesake
communes apart, codes and IRIs as queries, suggest's cursor, CORS on every endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SHARED_DATA
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = SHARED_DATA / "reconciliation"
N = "https://w3id.org/pdv/notions/"
COMMUNE = "https://w3id.org/pdv/territoires/commune/"
DEPARTEMENT = "https://w3id.org/pdv/territoires/departement/"
#: Namesake communes in two départements (vocab/territoires.ttl).
BEAURIEUX_AISNE, BEAURIEUX_NORD = COMMUNE + "02058", COMMUNE + "59062"


def _registry(version: str) -> Registry:
    resources = []
    for path in sorted((SCHEMAS / version / "schemas").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource(contents, specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRIES = {version: _registry(version) for version in ("0.2", "1.0-draft")}


def validator(version: str, name: str) -> Draft7Validator:
    """The validator of one schema of one version, its $refs resolved among its siblings."""
    schema = json.loads((SCHEMAS / version / "schemas" / f"{name}.json").read_text())
    return Draft7Validator(schema, registry=REGISTRIES[version])


def assert_valid(version: str, name: str, document: object) -> None:
    errors = sorted(validator(version, name).iter_errors(document), key=str)
    assert not errors, f"{name} ({version}): " + "; ".join(e.message for e in errors[:5])


def _examples(version: str, name: str, validity: str) -> list[Path]:
    return sorted((SCHEMAS / version / "examples" / name / validity).glob("*.json"))


@pytest.mark.parametrize(
    ("version", "name"),
    [("0.2", "reconciliation-query-batch"), ("0.2", "reconciliation-result-batch"),
     ("1.0-draft", "reconciliation-query-batch"), ("1.0-draft", "reconciliation-result-batch"),
     ("1.0-draft", "manifest")],
)  # fmt: skip
def test_the_validators_tell_the_examples_apart(version, name) -> None:
    # The harness itself can fail: the published invalid examples are refused.
    for path in _examples(version, name, "valid"):
        assert_valid(version, name, json.loads(path.read_text()))
    for path in _examples(version, name, "invalid"):
        assert not validator(version, name).is_valid(json.loads(path.read_text())), path.name


# --- 0.2 ------------------------------------------------------------------------------------


def _batch(client, queries: dict) -> dict:
    assert_valid("0.2", "reconciliation-query-batch", queries)
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.data
    answer = response.get_json()
    assert_valid("0.2", "reconciliation-result-batch", answer)
    assert set(answer) == set(queries)
    return answer


def test_manifests_are_valid_for_their_versions(client) -> None:
    old = client.get("/reconcile").get_json()
    assert_valid("0.2", "manifest", old)
    assert old["suggest"]["property"]["service_path"] == "/reconcile/suggest/property"
    new = client.get("/reconcile/v1").get_json()
    assert_valid("1.0-draft", "manifest", new)
    assert "1.0-draft" in new["versions"] and new["preview"] == {"width": 400, "height": 120}


def test_a_batch_is_answered_query_by_query(client) -> None:
    answer = _batch(
        client,
        {
            "q0": {"query": "Concertation"},
            "q1": {"query": ""},  # empty: no candidates, the others still answered
            "q2": {"properties": [{"pid": "skos:notation", "v": "59350"}]},  # properties alone
            "q3": {"properties": [{"pid": "unknown", "v": "x"}]},  # nothing we can check
            "q4": {"query": "   "},
        },
    )
    assert answer["q0"]["result"][0]["id"] == N + "concertation"
    assert answer["q1"] == {"result": []} and answer["q4"] == {"result": []}
    (lille,) = answer["q2"]["result"]
    assert (lille["id"], lille["name"], lille["match"]) == (COMMUNE + "59350", "Lille", True)
    assert answer["q3"] == {"result": []}


def test_only_what_breaks_the_schema_refuses_the_batch(client) -> None:
    for bad in ({"q0": {"query": 5}}, {"q0": {"query": "x", "limit": "many"}},
                {"q0": {"query": "x", "properties": [{"v": "59"}]}}, {"q0": []}):  # fmt: skip
        assert not validator("0.2", "reconciliation-query-batch").is_valid(bad)
        response = client.post("/reconcile", data={"queries": json.dumps(bad)})
        assert response.status_code == 400, bad
        assert response.get_json()["error"]


def test_the_departement_tells_namesake_communes_apart(client) -> None:
    answer = _batch(
        client,
        {
            "alone": {"query": "Beaurieux", "type": "https://w3id.org/pdv/territoires"},
            "nord": {"query": "Beaurieux", "properties": [{"pid": "departement", "v": "59"}]},
            "aisne": {
                "query": "Beaurieux",
                "properties": [{"pid": "departement", "v": {"id": DEPARTEMENT + "02"}}],
            },
            "by name": {"query": "Beaurieux", "properties": [{"pid": "departement", "v": "Nord"}]},
            "by code": {"query": "Beaurieux", "properties": [{"pid": "insee", "v": "02058"}]},
        },
    )
    alone = answer["alone"]["result"]
    assert {c["id"] for c in alone[:2]} == {BEAURIEUX_AISNE, BEAURIEUX_NORD}
    assert not any(c["match"] for c in alone)  # two exact namesakes: no automatic match
    # Each candidate says where it is, so that a person can choose.
    descriptions = {c["id"]: c["description"] for c in alone[:2]}
    assert "Aisne (02)" in descriptions[BEAURIEUX_AISNE]
    assert "Nord (59)" in descriptions[BEAURIEUX_NORD]
    assert "INSEE 59062" in descriptions[BEAURIEUX_NORD]
    for key, expected in (("nord", BEAURIEUX_NORD), ("aisne", BEAURIEUX_AISNE),
                          ("by name", BEAURIEUX_NORD), ("by code", BEAURIEUX_AISNE)):  # fmt: skip
        top, *rest = answer[key]["result"]
        assert (top["id"], top["match"], top["score"]) == (expected, True, 100), key
        assert all(c["score"] < 90 and not c["match"] for c in rest), key


@pytest.mark.parametrize(
    ("text", "expected"),
    [("59350", COMMUNE + "59350"), (COMMUNE + "59350", COMMUNE + "59350"),
     (N + "concertation", N + "concertation")],
)  # fmt: skip
def test_a_code_or_an_iri_as_the_query_finds_its_concept(client, text, expected) -> None:
    (top, *_) = _batch(client, {"q0": {"query": text}})["q0"]["result"]
    assert (top["id"], top["score"], top["match"]) == (expected, 100, True)


def test_the_published_valid_batches_are_answered(client) -> None:
    for path in _examples("0.2", "reconciliation-query-batch", "valid"):
        _batch(client, json.loads(path.read_text()))


# --- suggest ----------------------------------------------------------------------------------


def _suggest(client, path: str, version: str = "0.2", **params) -> list[dict]:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.data
    answer = response.get_json()
    kind = {"entity": "entities", "property": "properties", "type": "types"}[
        path.rsplit("/", 1)[-1]
    ]
    assert_valid(version, f"suggest-{kind}-response", answer)
    return answer["result"]


def test_suggest_pages_with_the_cursor(client) -> None:
    first = _suggest(client, "/reconcile/suggest/entity", prefix="Saint")
    second = _suggest(client, "/reconcile/suggest/entity", prefix="Saint", cursor="10")
    assert len(first) == 10 and len(second) == 10
    assert not {s["id"] for s in first} & {s["id"] for s in second}
    again = _suggest(client, "/reconcile/v1/suggest/entity", "1.0-draft", prefix="Saint", cursor=10)
    assert again == second
    assert _suggest(client, "/reconcile/suggest/entity", prefix="Saint", cursor="99999") == []
    response = client.get("/reconcile/suggest/entity?prefix=Saint&cursor=-1")
    assert response.status_code == 400


@pytest.mark.parametrize("prefix", ["5935", COMMUNE + "5935"])
def test_suggest_finds_codes_and_iris_by_prefix(client, prefix) -> None:
    found = _suggest(client, "/reconcile/suggest/entity", prefix=prefix)
    assert COMMUNE + "59350" in {s["id"] for s in found}
    lille = next(s for s in found if s["id"] == COMMUNE + "59350")
    assert "Nord (59)" in lille["description"]


def test_suggest_properties_and_types(client) -> None:
    properties = _suggest(client, "/reconcile/suggest/property", prefix="dép")
    assert [p["id"] for p in properties] == ["departement"]
    types = _suggest(client, "/reconcile/v1/suggest/type", "1.0-draft", prefix="territ")
    assert "https://w3id.org/pdv/territoires" in {t["id"] for t in types}


# --- 1.0 draft --------------------------------------------------------------------------------


def _match(client, batch: dict, path: str = "/reconcile/v1/match") -> list[dict]:
    assert_valid("1.0-draft", "reconciliation-query-batch", batch)
    response = client.post(path, json=batch)
    assert response.status_code == 200, response.data
    answer = response.get_json()
    assert_valid("1.0-draft", "reconciliation-result-batch", answer)
    assert len(answer["results"]) == len(batch["queries"])
    return answer["results"]


def test_match_answers_in_order_with_conditions(client) -> None:
    name = {"matchType": "name", "propertyValue": "Beaurieux"}
    results = _match(
        client,
        {
            "queries": [
                {"conditions": [{"matchType": "name", "propertyValue": "Concertation"}]},
                {
                    "conditions": [
                        name,
                        {
                            "matchType": "property",
                            "propertyId": "departement",
                            "propertyValue": "Aisne",
                        },
                    ]
                },
                {
                    "conditions": [
                        name,
                        {
                            "matchType": "property",
                            "propertyId": "departement",
                            "propertyValue": "Aisne",
                            "required": True,
                            "matchQuantifier": "none",
                        },
                    ]
                },
                {"conditions": [{"matchType": "id", "propertyValue": COMMUNE + "59350"}]},
                {
                    "limit": 2,
                    "conditions": [
                        {
                            "matchType": "property",
                            "propertyId": "skos:notation",
                            "propertyValue": ["59350", "02058"],
                        }
                    ],
                },
            ]
        },
    )
    assert results[0]["candidates"][0]["id"] == N + "concertation"
    assert results[0]["candidates"][0]["match"] is True
    assert results[1]["candidates"][0]["id"] == BEAURIEUX_AISNE
    assert results[1]["candidates"][0]["match"] is True
    assert BEAURIEUX_AISNE not in {c["id"] for c in results[2]["candidates"]}
    assert results[2]["candidates"][0]["id"] == BEAURIEUX_NORD
    assert results[3]["candidates"][0]["id"] == COMMUNE + "59350"
    assert {c["id"] for c in results[4]["candidates"]} == {COMMUNE + "59350", BEAURIEUX_AISNE}
    assert not any(c["match"] for c in results[4]["candidates"])  # two codes: two entities


def test_match_at_the_0_2_root_too(client) -> None:
    batch = {"queries": [{"conditions": [{"matchType": "name", "propertyValue": "Lille"}]}]}
    (result,) = _match(client, batch, "/reconcile/match")
    assert result["candidates"][0]["id"] == COMMUNE + "59350"


@pytest.mark.parametrize("path", ["/reconcile/match", "/reconcile/v1/match", "/api/suggest"])
def test_a_get_on_a_post_only_path_is_405_with_allow(client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 405  # not the catch-all's 404: the path exists
    assert answer.headers["Allow"] == "OPTIONS, POST"  # routing's, sorted: OPTIONS answers too
    assert "use POST" in answer.get_data(as_text=True)


def test_an_unknown_path_stays_404(client) -> None:
    answer = client.get("/reconcile/matches")
    assert answer.status_code == 404 and "Allow" not in answer.headers


def test_the_published_valid_1_0_batches_are_answered(client) -> None:
    for path in _examples("1.0-draft", "reconciliation-query-batch", "valid"):
        _match(client, json.loads(path.read_text()))


def test_invalid_1_0_batches_are_400_with_a_reason(client) -> None:
    for path in _examples("1.0-draft", "reconciliation-query-batch", "invalid"):
        response = client.post("/reconcile/v1/match", data=path.read_bytes(),
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400, path.name
        assert response.get_json()["error"], path.name
    response = client.post(
        "/reconcile/v1/match", data="[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400


# --- CORS -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/reconcile", "/reconcile/preview?id=" + N + "concertation", "/reconcile/v1",
     "/reconcile/v1/preview?id=" + N + "concertation", "/reconcile/suggest/entity?prefix=a"],
)  # fmt: skip
def test_every_answer_is_open_to_scripts_of_any_site(client, path) -> None:
    response = client.get(path, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/reconcile", "/reconcile/v1/match", "/reconcile/preview"])
def test_preflight_allows_json_posts_from_any_site(client, path) -> None:
    response = client.options(
        path,
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
