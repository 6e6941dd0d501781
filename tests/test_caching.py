"""HTTP caching: ETag and Last-Modified on every GET, 304s, Cache-Control, new ETags on writes."""

from __future__ import annotations

from pathlib import Path

import requests
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from graph_service import create_app
from graph_service.store.embedded import EmbeddedStore

CONCEPT = "https://w3id.org/pdv/notions/empowerment"
URLS = [
    "/notions/empowerment",
    "/notions/empowerment.ttl",
    f"/rest/v1/notions/broader?uri={CONCEPT}&lang=fr",
    "/rest/v1/vocabularies?lang=fr",
    "/dumps/notions.nt",
    "/.well-known/void",
    "/openapi.json",
    "/",
]


def test_validators_and_304_over_http(live_server_factory, built_vocab_dir: Path) -> None:
    server = live_server_factory(built_vocab_dir)
    for path in URLS:
        url = server.url + path
        first = requests.get(url, timeout=30)
        assert first.status_code == 200, path
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert etag.startswith('W/"'), path  # same data, bytes not promised identical
        assert first.headers["Cache-Control"] == "public, max-age=60"
        again = requests.get(url, headers={"If-None-Match": etag}, timeout=30)
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["ETag"] == etag
        since = requests.get(url, headers={"If-Modified-Since": modified}, timeout=30)
        assert since.status_code == 304, path
        stale = requests.get(url, headers={"If-None-Match": 'W/"other"'}, timeout=30)
        assert stale.status_code == 200, path
        head = requests.head(url, headers={"If-None-Match": etag}, timeout=30)
        assert head.status_code == 304, path


def test_representations_have_their_own_etags(live_server_factory, built_vocab_dir: Path) -> None:
    server = live_server_factory(built_vocab_dir)
    url = server.url + "/notions/empowerment"
    turtle = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    jsonld = requests.get(url, headers={"Accept": "application/ld+json"}, timeout=30)
    assert turtle.headers["ETag"] != jsonld.headers["ETag"]
    # The Turtle ETag does not validate the JSON-LD representation.
    crossed = requests.get(
        url, headers={"Accept": "application/ld+json", "If-None-Match": turtle.headers["ETag"]}
    )
    assert crossed.status_code == 200
    other = requests.get(server.url + "/notions/concertation", timeout=30)
    assert other.headers["ETag"] != requests.get(url, timeout=30).headers["ETag"]


def test_errors_are_not_cached(live_server_factory, built_vocab_dir: Path) -> None:
    server = live_server_factory(built_vocab_dir)
    for path in ["/notions/no-such-concept", "/rest/v1/vocabularies", "/rest/v1/notions/broader"]:
        response = requests.get(server.url + path, timeout=30)
        assert response.status_code >= 400
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


def _store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.load(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/pdv/notions> a skos:ConceptScheme ; skos:prefLabel "Notions"@fr .
<https://w3id.org/pdv/notions/a> a skos:Concept ; skos:inScheme <https://w3id.org/pdv/notions> ;
    skos:prefLabel "A"@fr .""",
        "turtle",
        graph="https://w3id.org/pdv/graph/notions",
    )
    return store


def test_a_write_changes_the_validators() -> None:
    store = _store()
    client = create_app({"TESTING": True, "STORE": store}).test_client()
    first = client.get("/notions/a")
    etag = first.headers["ETag"]
    assert client.get("/notions/a", headers={"If-None-Match": etag}).status_code == 304
    store.add_triples(
        [(URIRef("https://w3id.org/pdv/notions/a"), SKOS.altLabel, Literal("Alpha", lang="fr"))],
        "https://w3id.org/pdv/graph/notions",
    )
    after = client.get("/notions/a", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert "Alpha" in after.get_data(as_text=True)
    assert after.last_modified > first.last_modified  # type: ignore[operator]
    # Even within the same second, the date moves on: If-Modified-Since cannot hide the write.
    since = client.get("/notions/a", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 200


def test_writes_and_other_methods_are_not_cached() -> None:
    client = create_app({"TESTING": True, "STORE": _store()}).test_client()
    response = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    options = client.options("/rest/v1/vocabularies?lang=fr")
    assert options.headers.get("Cache-Control") == "no-store"


def test_requests_with_credentials_are_private() -> None:
    client = create_app({"TESTING": True, "STORE": _store()}).test_client()
    response = client.get("/notions/a", headers={"Authorization": "Bearer x"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_headers_named_by_vary_are_part_of_the_etag() -> None:
    client = create_app({"TESTING": True, "STORE": _store()}).test_client()
    url = "/rest/v1/notions/data?uri=https://w3id.org/pdv/notions/a&format=application/rdf%2Bxml"
    legacy = client.get(url, headers={"User-Agent": "python-requests/2.32", "Accept": "*/*"})
    other = client.get(url, headers={"User-Agent": "curl/8", "Accept": "*/*"})
    assert "User-Agent" in legacy.headers["Vary"]
    assert legacy.headers["Content-Type"].startswith(
        "text/turtle"
    )  # see rest._legacy_skosmos_client
    assert other.headers["Content-Type"].startswith("application/rdf+xml")
    assert legacy.headers["ETag"] != other.headers["ETag"]
    crossed = client.get(
        url,
        headers={"User-Agent": "curl/8", "Accept": "*/*", "If-None-Match": legacy.headers["ETag"]},
    )
    assert crossed.status_code == 200


def test_an_early_304_never_crosses_variants() -> None:
    """The 304 answered before the view (web/caching._not_modified_early) is keyed on the path,
    the query and Accept: each way an answer can vary must change one of them, or be private."""
    app = create_app({"TESTING": True, "STORE": _store()})
    client = app.test_client()
    html = client.get("/notions/a", headers={"Accept": "text/html"})
    tag = html.headers["ETag"]
    assert (
        client.get("/notions/a", headers={"Accept": "text/html", "If-None-Match": tag}).status_code
        == 304
    )
    # Another format, another language (asked in the URL, never by header or cookie).
    turtle = client.get("/notions/a", headers={"Accept": "text/turtle", "If-None-Match": tag})
    assert turtle.status_code == 200 and turtle.headers["ETag"] != tag
    english = client.get(
        "/notions/a?lang=en", headers={"Accept": "text/html", "If-None-Match": tag}
    )
    assert english.status_code == 200 and english.headers["ETag"] != tag
    # Accept-Language does not choose the language: the same answer, rightly the same tag.
    other = {"Accept": "text/html", "Accept-Language": "en", "If-None-Match": tag}
    assert client.get("/notions/a", headers=other).status_code == 304
    # A signed-in visitor (a session) sees the page with the account: never the shared 304.
    client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), "x")
    signed = client.get("/notions/a", headers={"Accept": "text/html", "If-None-Match": tag})
    assert signed.status_code == 200 and signed.headers["Cache-Control"] == "no-store"
