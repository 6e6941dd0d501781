"""What /sparql shows besides answers: its Service Description and the query page for people."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, request, url_for

from graph_service.store import Store
from graph_service.store.base import QueryAnswer
from graph_service.store.sparql_text import query_form
from graph_service.web import conneg

#: Rows the HTML results table shows; the downloads have them all.
HTML_ROWS = 1000

# --- service description ----------------------------------------------------------------------

_FORMATS = "http://www.w3.org/ns/formats/"
_SD_FORMATS = (
    *("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"),
    *("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"),
)
_RDFLIB_NAMES = {"jsonld": "json-ld", "rdfxml": "xml", "ntriples": "nt"}
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
            body = graph.serialize(format=_RDFLIB_NAMES.get(fmt, fmt), encoding="utf-8")
        if len(_cache) > 16:  # a new data version makes the old entries useless
            _cache.clear()
        _cache[key] = body
    return body


def _description_turtle(endpoint: str, updates: bool, graphs: list[str]) -> str:
    languages = "sd:SPARQL11Query, sd:SPARQL11Update" if updates else "sd:SPARQL11Query"
    formats = ", ".join(f"<{_FORMATS}{name}>" for name in _SD_FORMATS)
    named = "".join(
        f"\n        sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ] ;" for g in graphs
    )
    return f"""\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    dct:title "graph-service SPARQL endpoint"@en, "Point d'accès SPARQL de graph-service"@fr ;
    sd:supportedLanguage {languages} ;
    sd:resultFormat {formats} ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
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


@dataclass(frozen=True)
class Example:
    """An example query of the page, titled in both languages."""

    title_fr: str
    title_en: str
    query: str


_PREFIXES = """\
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX pdv: <https://w3id.org/pdv/>
"""

EXAMPLES: tuple[Example, ...] = (
    Example(
        "Les concepts d’une thématique",
        "The concepts of a theme",
        _PREFIXES
        + """PREFIX thematiques: <https://w3id.org/pdv/thematiques/>

# The theme, its sub-themes, and the glossary notions under the notion it matches
SELECT DISTINCT ?concept ?label WHERE {
  { ?concept skos:broader* thematiques:participation-citoyenne }
  UNION
  { thematiques:participation-citoyenne skos:closeMatch ?notion .
    ?concept skos:broader* ?notion }
  ?concept skos:prefLabel ?label .
  FILTER(lang(?label) = "fr")
}
ORDER BY ?label""",
    ),
    Example(
        "Les ressources sur une notion dans un territoire et ses sous-territoires",
        "Resources about a concept in a territory and its sub-territories",
        _PREFIXES
        + """PREFIX notions: <https://w3id.org/pdv/notions/>

# Resources indexed with a notion whose place lies in the Nord département
SELECT DISTINCT ?resource ?title ?placeLabel WHERE {
  ?resource dct:subject notions:democratie-participative ;
            dct:title ?title ;
            dct:spatial ?place .
  ?place skos:broader* <https://w3id.org/pdv/territoires/departement/59> ;
         skos:prefLabel ?placeLabel .
  FILTER(lang(?placeLabel) = "fr")
}""",
    ),
    Example(
        "Les libellés dans les deux langues",
        "Labels in both languages",
        _PREFIXES
        + """
SELECT ?concept ?fr ?en WHERE {
  ?concept skos:inScheme pdv:notions .
  OPTIONAL { ?concept skos:prefLabel ?fr FILTER(lang(?fr) = "fr") }
  OPTIONAL { ?concept skos:prefLabel ?en FILTER(lang(?en) = "en") }
}
ORDER BY ?fr""",
    ),
    Example(
        "Les concepts sans libellé anglais",
        "Concepts without an English label",
        _PREFIXES
        + """
SELECT ?concept ?fr WHERE {
  ?concept a skos:Concept ;
           skos:prefLabel ?fr .
  FILTER(lang(?fr) = "fr")
  FILTER NOT EXISTS {
    ?concept skos:prefLabel ?en .
    FILTER(langMatches(lang(?en), "en"))
  }
}
ORDER BY ?fr
LIMIT 100""",
    ),
    Example(
        "Le nombre de concepts par vocabulaire",
        "Concepts per vocabulary",
        _PREFIXES
        + """
SELECT ?scheme (COUNT(?concept) AS ?concepts) WHERE {
  ?concept skos:inScheme ?scheme .
}
GROUP BY ?scheme
ORDER BY DESC(?concepts)""",
    ),
    Example(
        "Un extrait du glossaire en RDF (CONSTRUCT)",
        "Part of the glossary as RDF (CONSTRUCT)",
        _PREFIXES
        + """
CONSTRUCT {
  ?concept skos:prefLabel ?label ;
           skos:broader ?broader .
} WHERE {
  ?concept skos:inScheme pdv:notions ;
           skos:prefLabel ?label .
  OPTIONAL { ?concept skos:broader ?broader }
}""",
    ),
)


def _downloads(query: str) -> list[dict[str, str]]:
    """Download links for every format, marked with the kind of answer they serve."""
    base = url_for("sparql.endpoint")
    links = []
    for kind, types in (("results", conneg.RESULT_TYPES), ("graph", conneg.RDF_TYPES)):
        for m in types:
            href = f"{base}?{urlencode({'query': query, 'format': m.name})}"
            links.append({"kind": kind, "format": m.name, "label": _LABELS[m.name], "href": href})
    return links


_LABELS = {
    "json": "JSON",
    "xml": "XML",
    "csv": "CSV",
    "tsv": "TSV",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF/XML",
    "ntriples": "N-Triples",
    "trig": "TriG",
    "nquads": "N-Quads",
}


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
    lang = request.args.get("lang", "fr")
    lang = lang if lang in ("fr", "en") else "fr"
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
