"""Run the W3C tests over HTTP against a live server and report each test's outcome.

Harness adaptations (documented in KNOWN_FAILURES.md):
- protocol tests: the manifest's path prefix `/sparql/` becomes the server's `/sparql`, and the
  update requests carry `Authorization: Bearer <token>` (the server refuses anonymous writes);
- GSP tests: the path prefix `/gsp` becomes `/store`, writes carry the token, and `$LOCATION$`
  is replaced by the Location header of the POST that created a graph;
- query evaluation: every data file is loaded with the Graph Store Protocol into a named graph
  named by the file's IRI, and the query names its dataset with default-graph-uri (qt:data) and
  named-graph-uri (qt:graphData), since the service's own default graph is the union of all
  graphs; queries with their own FROM / FROM NAMED are sent without those parameters. Each
  query is prefixed with `BASE <query file IRI>`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.query import Result

from . import iri_of
from .manifests import Expected, HttpRequest, HttpTest, QueryTest
from .results import Answer, from_result, read_expected, same_answer

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
UPLOAD_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}
QUERY_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_DATASET_CLAUSE = re.compile(r"\bFROM\s+(NAMED\s+)?(<|\w*:)", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


@dataclass
class Outcome:
    """The result of one test: passed or not, and why not."""

    iri: str
    name: str
    passed: bool
    reason: str = ""


class Client:
    """The server under test, reached over HTTP with one keep-alive session."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url.rstrip("/"), token
        self.session = requests.Session()

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> requests.Response:
        """Send a request with its path exactly as given (no re-quoting by requests)."""
        prepared = self.session.prepare_request(
            requests.Request(method, self.base_url, headers=headers, data=body)
        )
        prepared.url = self.base_url + path
        return self.session.send(prepared, allow_redirects=False, timeout=60)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def reset(self) -> None:
        """Empty the store: every named graph and the default graph."""
        response = self.session.post(
            self.base_url + "/sparql",
            data=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update", **self.auth()},
            timeout=60,
        )
        response.raise_for_status()

    def put_graph(self, path: Path, graph: str) -> None:
        """Load a data file into a named graph with the Graph Store Protocol."""
        response = self.session.put(
            self.base_url + "/store",
            params={"graph": graph},
            data=path.read_bytes(),
            headers={"Content-Type": UPLOAD_TYPES[path.suffix], **self.auth()},
            timeout=60,
        )
        if response.status_code not in (201, 204):
            raise RuntimeError(f"loading {path.name}: {response.status_code} {response.text}")


# --- query evaluation ---------------------------------------------------------------------------


def run_query_test(client: Client, test: QueryTest) -> Outcome:
    """Load the test's data, send its query, compare the answer with the expected one."""
    client.reset()
    for path in dict.fromkeys([*test.data, *test.graph_data]):
        client.put_graph(path, iri_of(path))
    text = test.query.read_text(encoding="utf-8")
    query = f"BASE <{iri_of(test.query)}>\n{text}"
    params = []
    if not _DATASET_CLAUSE.search(text):
        params += [("default-graph-uri", iri_of(p)) for p in test.data]
        params += [("named-graph-uri", iri_of(p)) for p in test.graph_data]
    response = client.session.post(
        client.base_url + "/sparql",
        params=params,
        data=query.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": QUERY_ACCEPT},
        timeout=60,
    )
    if response.status_code != 200:
        return Outcome(test.iri, test.name, False, f"{response.status_code}: {response.text}")
    actual = _parse_answer(response)
    expected = read_expected(test.result)
    ordered = bool(_ORDER_BY.search(text)) and expected.rows is not None
    if same_answer(expected, actual, ordered=ordered):
        return Outcome(test.iri, test.name, True)
    return Outcome(test.iri, test.name, False, f"expected {expected!r}\ngot {actual!r}")


def _parse_answer(response: requests.Response) -> Answer:
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    if media in RDF_TYPES:
        return Answer(graph=Graph().parse(data=response.content, format=RDF_TYPES[media]))
    result = Result.parse(io.BytesIO(response.content), format=RESULT_TYPES[media])
    return from_result(result)


# --- protocol and graph store tests ---------------------------------------------------------------


def protocol_path(path: str) -> str:
    """The manifest's /sparql/ prefix as this server's endpoint."""
    return "/sparql" + path.removeprefix("/sparql/") if path.startswith("/sparql/") else path


def gsp_path(path: str) -> str:
    """The manifest's /gsp prefix as this server's Graph Store."""
    return "/store" + path.removeprefix("/gsp") if path.startswith("/gsp") else path


def _writes(request: HttpRequest, path: str) -> bool:
    if path.startswith("/store"):
        return request.method in ("PUT", "POST", "DELETE")
    content_type = request.headers.get("content-type", "")
    body = request.body or ""
    return "sparql-update" in content_type or body.startswith("update=") or "update=" in path


def run_http_test(client: Client, test: HttpTest, rewrite: Callable[[str], str]) -> Outcome:
    """Run a protocol or GSP test's requests in order; every response must meet expectations."""
    client.reset()
    for path, graph in test.graph_data:
        client.put_graph(path, graph)
    variables: dict[str, str] = {}
    for number, request in enumerate(test.requests, start=1):
        path, body = rewrite(request.path), request.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name, value) if body is not None else None
        headers = dict(request.headers)
        if _writes(request, path):
            headers.update(client.auth())
        response = client.send(
            request.method, path, headers, None if body is None else body.encode("utf-8")
        )
        problem = _check(response, request.expected, variables)
        if problem:
            return Outcome(
                test.iri, test.name, False, f"request {number} ({request.method} {path}): {problem}"
            )
    return Outcome(test.iri, test.name, True)


def _status_ok(code: int, statuses: list[str]) -> bool:
    return any((s.endswith("xx") and str(code)[0] == s[0]) or s == str(code) for s in statuses)


def _check(response: requests.Response, expected: Expected, variables: dict[str, str]) -> str:
    """What is wrong with a response ("" if nothing)."""
    if not _status_ok(response.status_code, expected.statuses):
        return f"status {response.status_code} not in {expected.statuses}: {response.text[:300]}"
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if expected.format in ("boolean", "tabular") and media not in RESULT_TYPES:
        return f"expected SPARQL results, got {media or 'no Content-Type'}"
    if expected.format == "RDF" and media not in RDF_TYPES:
        return f"expected RDF, got {media or 'no Content-Type'}"
    if expected.format is not None:
        try:
            answer = _parse_answer(response)
        except Exception as exc:  # any parse failure is the test's failure
            return f"unparsable {media} answer: {exc}"
        if expected.boolean is not None and answer.boolean != expected.boolean:
            return f"expected boolean {expected.boolean}, got {answer.boolean}"
    if expected.content_type is not None:
        wanted = expected.content_type.split(";")[0].strip().lower()
        if media != wanted:
            return f"expected Content-Type {wanted}, got {media}"
    if expected.body is not None and response.request.method != "HEAD":
        fmt = RDF_TYPES.get(media)
        if fmt is None:
            return f"cannot compare a {media} body"
        wanted_graph = Graph().parse(data=expected.body, format="turtle")
        got = Graph().parse(data=response.content, format=fmt)
        if not isomorphic(wanted_graph, got):
            return f"body differs:\n{got.serialize(format='nt')}"
    if expected.location_variable is not None:
        location = response.headers.get("Location")
        if not location:
            return "no Location header"
        variables[expected.location_variable] = location
    return ""
