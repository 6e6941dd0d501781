"""/openapi.json says exactly what the service accepts: empty callback= and lang= are no value,
format= has an enum, every operation may answer 400, IRIs declared as URIs are refused empty,
a parameter counts once, limits' minimums agree (each fault the audit's schemathesis found)."""

from __future__ import annotations

import re

import pytest

from graph_service.web.openapi import document

N = "https://w3id.org/pdv/notions/"
SPEC = document()


def _parameter(path: str, name: str) -> dict:
    (found,) = [p for p in SPEC["paths"][path]["get"]["parameters"] if p["name"] == name]
    return found


@pytest.mark.parametrize(
    "path",
    ["/rest/v1/notions/", "/rest/v1/notions/topConcepts", "/rest/v1/notions/types",
     f"/rest/v1/notions/label?uri={N}concertation", "/rest/v1/search?query=concert*"],
)  # fmt: skip
def test_an_empty_callback_is_no_callback(client, path) -> None:
    response = client.get(path + ("&" if "?" in path else "?") + "callback=")
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    pattern = _parameter("/rest/v1/{vocid}/", "callback")["schema"]["pattern"]
    assert re.fullmatch(pattern, "") and re.fullmatch(pattern, "jQuery_1.cb")
    assert client.get(path + ("&" if "?" in path else "?") + "callback=a(1)").status_code == 400


def test_an_empty_optional_lang_is_no_language(client) -> None:
    assert client.get("/rest/v1/notions/?lang=").status_code == 200
    pattern = _parameter("/rest/v1/{vocid}/", "lang")["schema"]["pattern"]
    assert (
        re.fullmatch(pattern, "") and re.fullmatch(pattern, "fr") and re.fullmatch(pattern, "en-GB")
    )
    assert not re.fullmatch(pattern, "Te\x96")


def test_a_required_lang_is_declared_non_empty(client) -> None:
    assert client.get("/rest/v1/vocabularies?lang=").status_code == 400
    schema = _parameter("/rest/v1/vocabularies", "lang")["schema"]
    assert not re.fullmatch(schema["pattern"], "") and re.fullmatch(schema["pattern"], "fr")


@pytest.mark.parametrize(
    ("path", "name"),
    [("/.well-known/void", "format"), ("/rest/v1/data", "format")],
)
def test_format_has_an_enum_and_anything_else_is_406(client, path, name) -> None:
    enum = _parameter(path, name)["schema"]["enum"]
    assert "" in enum and ("text/turtle" in enum)
    assert {"", "html", "ttl", "text/turtle"} <= set(
        _parameter("/page", "format")["schema"]["enum"]
    )
    query = {"format": "no-such-format"}
    if path == "/rest/v1/data":
        query["uri"] = N + "concertation"
    assert client.get(path, query_string=query).status_code == 406
    query["format"] = "TEXT/TURTLE"  # not in the enum: the enum is exact
    assert client.get(path, query_string=query).status_code == 406
    query["format"] = "text/turtle"
    assert client.get(path, query_string=query).status_code == 200


def test_every_operation_documents_400() -> None:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            assert "400" in operation["responses"], (method, path)


@pytest.mark.parametrize(
    "path",
    [f"/rest/v1/notions/resources?uri={N}concertation&territory=",
     f"/rest/v1/notions/resources?uri={N}concertation&type=",
     "/rest/v1/notions/topConcepts?scheme=", "/rest/v1/search?query=a*&parent=",
     "/rest/v1/notions/data?uri="],
)  # fmt: skip
def test_an_empty_iri_is_refused_as_the_document_declares(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert b"empty" in response.data or b"missing" in response.data


def test_a_parameter_given_twice_is_refused(client) -> None:
    response = client.get("/rest/v1/notions/modified?limit=2&limit=5")
    assert response.status_code == 400 and b"more than once" in response.data


def test_limit_minimums_agree(client) -> None:
    response = client.get(f"/rest/v1/notions/broaderTransitive?uri={N}concertation&limit=0")
    assert response.status_code == 400
    assert _parameter("/rest/v1/{vocid}/broaderTransitive", "limit")["schema"]["minimum"] == 1
    assert _parameter("/rest/v1/{vocid}/index/{letter}", "limit")["schema"]["minimum"] == 0
