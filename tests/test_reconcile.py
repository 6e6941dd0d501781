"""OpenRefine reconciliation API: manifest, batched queries as OpenRefine posts them, preview."""

from __future__ import annotations

import json

N = "https://w3id.org/pdv/notions/"
T = "https://w3id.org/pdv/thematiques/"
SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"


def test_manifest_and_jsonp(client) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    data = response.get_json()
    assert data["identifierSpace"] == "https://w3id.org/pdv/"
    assert data["schemaSpace"] == "http://www.w3.org/2004/02/skos/core#"
    ids = {t["id"] for t in data["defaultTypes"]}
    assert {SKOS_CONCEPT, "https://w3id.org/pdv/notions", "https://w3id.org/pdv/territoires"} <= ids
    assert "{{id}}" in data["view"]["url"] and "{{id}}" in data["preview"]["url"]
    assert data["suggest"]["entity"]["service_path"] == "/reconcile/suggest/entity"
    jsonp = client.get("/reconcile?callback=jQuery123_456")
    assert jsonp.content_type.startswith("application/javascript")
    assert jsonp.get_data(as_text=True).startswith("/**/jQuery123_456({")
    assert client.get("/reconcile?callback=alert(1)").status_code == 400


def test_batch_as_openrefine_posts_it(client) -> None:
    queries = {
        "q0": {"query": "concertation", "type": "https://w3id.org/pdv/notions", "limit": 3},
        "q1": {"query": "Concertations", "type": "notions", "limit": 3},
        "q2": {"query": "Participation citoyenne", "type": SKOS_CONCEPT, "limit": 5},
        "q3": {"query": "Participation citoyenne", "type": "thematiques", "limit": 5},
        "q4": {"query": "democratie participativ", "limit": 3},
        "q5": {"query": "Lille", "type": "https://w3id.org/pdv/territoires", "limit": 2},
        "q6": {"query": "conseils citoyens", "type": "notions"},
    }
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == set(queries)
    q0 = data["q0"]["result"]
    assert q0[0]["id"] == N + "concertation" and q0[0]["score"] == 100 and q0[0]["match"] is True
    assert q0[0]["name"] == "Concertation"
    assert {"id": "https://w3id.org/pdv/notions", "name": q0[0]["type"][0]["name"]} in q0[0]["type"]
    assert len(q0) <= 3 and all(r["score"] < 100 for r in q0[1:])
    # Plural of the pref label: found, not an exact label, so no automatic match.
    q1 = data["q1"]["result"]
    assert q1[0]["id"] == N + "concertation" and q1[0]["match"] is False
    assert 90 <= q1[0]["score"] < 95
    # An alternative label, exactly: a match at 95.
    q6 = data["q6"]["result"]
    assert (q6[0]["id"], q6[0]["score"], q6[0]["match"]) == (N + "conseil-citoyen", 95, True)
    # Same label in two schemes: no clear lead without a type...
    q2 = data["q2"]["result"]
    assert {r["id"] for r in q2[:2]} == {
        N + "participation-citoyenne",
        T + "participation-citoyenne",
    }
    assert not any(r["match"] for r in q2)
    # ...and a match once the type picks the scheme.
    q3 = data["q3"]["result"]
    assert q3[0]["id"] == T + "participation-citoyenne" and q3[0]["match"] is True
    assert all(r["id"].startswith(T) for r in q3)
    q4 = data["q4"]["result"]
    assert q4[0]["id"] == N + "democratie-participative" and 0 < q4[0]["score"] < 100
    assert data["q5"]["result"][0]["id"] == "https://w3id.org/pdv/territoires/commune/59350"


def test_single_query_and_get(client) -> None:
    data = client.get("/reconcile?query=Concertation").get_json()
    assert data["result"][0]["id"] == N + "concertation"
    data = client.get('/reconcile?query={"query": "Empowerment", "limit": 1}').get_json()
    assert [r["id"] for r in data["result"]] == [N + "empowerment"]


def test_bad_queries(client) -> None:
    assert client.post("/reconcile", data={"queries": "{not json"}).status_code == 400
    assert client.post("/reconcile", data={"queries": "[1, 2]"}).status_code == 400
    bad = {"q0": {"query": 5}}  # not a string: the 0.2 schema refuses it
    response = client.post("/reconcile", data={"queries": json.dumps(bad)})
    assert response.status_code == 400 and "query" in response.get_json()["error"]
    bad = {"q0": {"query": "x", "limit": "many"}}
    assert client.post("/reconcile", data={"queries": json.dumps(bad)}).status_code == 400


def test_preview_and_suggest(client) -> None:
    page = client.get("/reconcile/preview?id=" + N + "concertation")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Concertation" in text and 'href="/notions/concertation"' in text
    assert client.get("/reconcile/preview?id=https://example.org/nope").status_code == 404
    found = client.get("/reconcile/suggest/entity?prefix=concert").get_json()
    assert N + "concertation" in {r["id"] for r in found["result"]}
