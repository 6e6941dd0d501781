"""Read the W3C manifests (test-manifest, test-query, HTTP-in-RDF vocabularies) into dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from . import SUITE, iri_of, path_of

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
#: The named status codes the GSP manifest uses.
STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}


@dataclass
class QueryTest:
    """A query evaluation test: data files, a query file and its expected result file."""

    iri: str
    name: str
    query: Path
    data: list[Path]
    graph_data: list[Path]
    result: Path


@dataclass
class Expected:
    """What a response must be: statuses, and optionally a format, a boolean, a body."""

    statuses: list[str]  # "200", "2xx", ...
    format: str | None = None  # "boolean", "tabular", "RDF"
    boolean: bool | None = None
    content_type: str | None = None
    body: str | None = None
    location_variable: str | None = None  # "$LOCATION$": remember the Location header


@dataclass
class HttpRequest:
    """One request of a protocol test, its path still as the manifest writes it."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    expected: Expected


@dataclass
class HttpTest:
    """A protocol or GSP test: data to load into named graphs, then requests in order."""

    iri: str
    name: str
    requests: list[HttpRequest]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)  # (file, graph IRI)


def _parse(manifest: Path) -> Graph:
    return Graph().parse(manifest, format="turtle", publicID=iri_of(manifest))


def _entries(graph: Graph, manifest: Path) -> list[URIRef]:
    root = URIRef(iri_of(manifest))
    lists = list(graph.objects(root, MF.entries))
    return [e for lst in lists for e in Collection(graph, lst)]  # type: ignore[misc]


def _includes(graph: Graph, manifest: Path) -> list[Path]:
    root = URIRef(iri_of(manifest))
    return [
        path_of(str(i)) for lst in graph.objects(root, MF.include) for i in Collection(graph, lst)
    ]  # type: ignore[arg-type]


def query_tests(manifest: Path = SUITE / "manifest-sparql11-query.ttl") -> list[QueryTest]:
    """Every mf:QueryEvaluationTest listed by the manifest and the manifests it includes."""
    graph = _parse(manifest)
    tests: list[QueryTest] = []
    for included in _includes(graph, manifest):
        tests.extend(query_tests(included))
    for entry in _entries(graph, manifest):
        if (entry, RDF.type, MF.QueryEvaluationTest) not in graph:
            continue
        action = graph.value(entry, MF.action)
        tests.append(
            QueryTest(
                iri=str(entry),
                name=str(graph.value(entry, MF.name)),
                query=path_of(str(graph.value(action, QT.query))),
                data=[path_of(str(d)) for d in graph.objects(action, QT.data)],
                graph_data=[path_of(str(d)) for d in graph.objects(action, QT.graphData)],
                result=path_of(str(graph.value(entry, MF.result))),
            )
        )
    return tests


def _statuses(graph: Graph, response: Node) -> list[str]:
    codes = []
    for status in graph.objects(response, MF.expectedStatus):
        name = str(status).removeprefix(str(HTS))
        if name.startswith("StatusCode"):
            codes.append(name.removeprefix("StatusCode"))  # "2xx"
        else:
            codes.append(str(STATUS_NAMES[name]))
    return codes


def _headers(graph: Graph, node: Node) -> dict[str, str]:
    headers: dict[str, str] = {}
    for lst in graph.objects(node, HT.headers):
        for header in Collection(graph, lst):  # type: ignore[arg-type]
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue)
            )
    return headers


def _body(graph: Graph, node: Node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def http_tests(manifest: Path) -> list[HttpTest]:
    """The protocol or GSP tests of a manifest (and of the manifests it includes), in order."""
    graph = _parse(manifest)
    tests: list[HttpTest] = []
    for included in _includes(graph, manifest):
        tests.extend(http_tests(included))
    for entry in _entries(graph, manifest):
        action = graph.value(entry, MF.action)
        requests: list[HttpRequest] = []
        for lst in graph.objects(action, HT.requests):
            for request in Collection(graph, lst):  # type: ignore[arg-type]
                response = graph.value(request, HT.resp)
                boolean = graph.value(response, MF.expectedBoolean)
                expected_format = graph.value(response, MF.expectedFormat)
                location = graph.value(response, MF.expectedLocation)
                response_headers = _headers(graph, response)
                expected = Expected(
                    statuses=_statuses(graph, response),
                    format=None if expected_format is None else str(expected_format),
                    boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
                    content_type=response_headers.get("content-type"),
                    body=_body(graph, response),
                    location_variable=None if location is None else str(location),
                )
                requests.append(
                    HttpRequest(
                        method=str(graph.value(request, HT.methodName)),
                        path=str(graph.value(request, HT.absolutePath)),
                        headers=_headers(graph, request),
                        body=_body(graph, request),
                        expected=expected,
                    )
                )
        graph_data = [
            (path_of(str(graph.value(d, UT.graph))), str(graph.value(d, RDFS.label)))
            for d in graph.objects(entry, UT.graphData)
        ]
        tests.append(HttpTest(str(entry), str(graph.value(entry, MF.name)), requests, graph_data))
    return tests
