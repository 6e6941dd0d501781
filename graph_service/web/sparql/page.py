"""What /sparql shows besides answers: its Service Description and the query page for people."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, url_for

from graph_service.model.examples import EXAMPLES
from graph_service.namespaces import DCT_NS, ENTAILMENT_NS, FORMATS_NS, RDFS_NS, SD_NS
from graph_service.store import Store
from graph_service.store.base import QueryAnswer
from graph_service.store.sparql_text import query_form
from graph_service.web import conneg
from graph_service.web.ui.links import ui_language

#: Rows the HTML results table shows; the downloads have them all.
HTML_ROWS = 1000

# --- service description ----------------------------------------------------------------------

_SD_FORMATS = (
    *("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"),
    *("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"),
)
_cache: dict[tuple[str, str, str, bool], bytes] = {}


def service_description(endpoint: str, fmt: str, store: Store, updates: bool) -> bytes:
    """The SPARQL 1.1 Service Description of the endpoint, in an RDF format (cached per version)."""
    key = (endpoint, fmt, store.version, updates)
    body = _cache.get(key)
    if body is None:
        turtle = _description_turtle(endpoint, updates, store.named_graphs())
        if fmt == "turtle":
            body = turtle.encode()
        else:
            from rdflib import Graph  # only when a client asks for another syntax

            graph = Graph().parse(data=turtle, format="turtle")
            entry = conneg.rdf_type(fmt)
            assert entry is not None  # negotiated among the RDF types
            body = graph.serialize(format=entry.rdflib, encoding="utf-8")
        if len(_cache) > 16:  # a new data version makes the old entries useless
            _cache.clear()
        _cache[key] = body
    return body


def _description_turtle(endpoint: str, updates: bool, graphs: list[str]) -> str:
    languages = "sd:SPARQL11Query, sd:SPARQL11Update" if updates else "sd:SPARQL11Query"
    formats = ", ".join(f"<{FORMATS_NS}{name}>" for name in _SD_FORMATS)
    named = "".join(
        f"\n        sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ] ;" for g in graphs
    )
    return f"""\
@prefix sd: <{SD_NS}> .
@prefix rdfs: <{RDFS_NS}> .
@prefix dct: <{DCT_NS}> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    dct:title "graph-service SPARQL endpoint"@en, "Point d'accès SPARQL de graph-service"@fr ;
    sd:supportedLanguage {languages} ;
    sd:resultFormat {formats} ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultEntailmentRegime <{ENTAILMENT_NS}Simple> ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [
            a sd:Graph ;
            rdfs:comment "The union of all graphs, unless default-graph-uri names graphs."@en ;
            rdfs:comment "L'union de tous les graphes, sauf si default-graph-uri en nomme."@fr
        ] ;{named}
    ] .
"""


# --- the query page ---------------------------------------------------------------------------


def _downloads(query: str) -> list[dict[str, str]]:
    """Download links for every format, marked with the kind of answer they serve."""
    base = url_for("sparql.endpoint")
    links = []
    for kind, types in (("results", conneg.RESULT_TYPES), ("graph", conneg.RDF_TYPES)):
        for m in types:
            href = f"{base}?{urlencode({'query': query, 'format': m.name})}"
            links.append({"kind": kind, "format": m.name, "label": m.label, "href": href})
    return links


def _results(answer: QueryAnswer) -> dict[str, Any]:
    """An answer as the template shows it: a table, a boolean, or RDF text."""
    if answer.kind == "graph":
        return {"kind": "graph", "text": answer.body.decode("utf-8")}
    data = json.loads(answer.body)
    if answer.kind == "ask":
        return {"kind": "ask", "boolean": data["boolean"]}
    columns = data["head"]["vars"]
    bindings = data["results"]["bindings"]
    rows = [[row.get(name) for name in columns] for row in bindings[:HTML_ROWS]]
    return {"kind": "select", "columns": columns, "rows": rows, "total": len(bindings)}


def render_page(
    endpoint: str,
    query: str = "",
    answer: QueryAnswer | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    """The query page: editor, examples, and the answer to `query` when there is one."""
    lang = ui_language()
    text = query or EXAMPLES[0].query
    kind = "graph" if query_form(text) in ("construct", "describe") else "results"
    body = render_template(
        "sparql.html",
        lang=lang,
        query=text,
        examples=EXAMPLES,
        results=_results(answer) if answer is not None else None,
        error=error,
        kind=kind,
        downloads=_downloads(text),
        endpoint=endpoint,
        max_rows=HTML_ROWS,
    )
    return Response(body, status, content_type="text/html; charset=utf-8")
