"""The RDF description of one IRI, as the linked-data pages and REST /data serve it."""

from __future__ import annotations

from rdflib import Graph, URIRef

from graph_service.model.base import SPARQL_PREFIXES
from graph_service.namespaces import ISOTHES_NS, LD_PREFIXES, PREFIXES
from graph_service.store import Store

#: Compact JSON-LD keys, the ones Skosmos uses for its /data answers.
JSONLD_CONTEXT = {
    "skos": PREFIXES["skos"],
    "isothes": ISOTHES_NS,
    **{p: PREFIXES[p] for p in ("rdfs", "owl", "dct", "dcat", "schema", "pdvo")},
    "uri": "@id",
    "type": "@type",
    "lang": "@language",
    "value": "@value",
    "graph": "@graph",
    "label": "rdfs:label",
    **{
        name: f"skos:{name}"
        for name in ("prefLabel", "altLabel", "hiddenLabel", "broader", "narrower", "related",
                     "inScheme", "exactMatch", "closeMatch", "broadMatch", "narrowMatch",
                     "relatedMatch")
    },
}  # fmt: skip

#: An IRI's own statements (one level into blank nodes), the labels of what it points to,
#: and the concepts that point at it as broader or narrower, with their labels.
DESCRIBE = (
    SPARQL_PREFIXES
    + """CONSTRUCT { $s ?p ?o . ?o ?lp ?ol . ?o ?bp ?bo . ?x ?ip $s . ?x ?xp ?xl . }
WHERE {
  { $s ?p ?o .
    OPTIONAL { { ?o skos:prefLabel ?ol BIND(skos:prefLabel AS ?lp) }
               UNION { ?o dct:title ?ol BIND(dct:title AS ?lp) }
               UNION { ?o rdfs:label ?ol BIND(rdfs:label AS ?lp) } }
    OPTIONAL { FILTER(isBlank(?o)) ?o ?bp ?bo } }
  UNION
  { { ?x skos:broader $s BIND(skos:broader AS ?ip) }
    UNION { ?x skos:narrower $s BIND(skos:narrower AS ?ip) }
    OPTIONAL { ?x skos:prefLabel ?xl BIND(skos:prefLabel AS ?xp) } }
}"""
)
#: One UNION branch per property everywhere above: with `VALUES ?p {...}` the engine scans every
#: statement pointing at the IRI (all the concepts of a scheme) instead of looking two up.


def serialize_description(store: Store, iri: str, fmt: str) -> bytes:
    """The RDF about an IRI in one format; JSON-LD is compacted with the Skosmos context."""
    bindings = {"s": URIRef(iri)}
    if fmt == "jsonld":
        graph = Graph()
        for triple in store.construct(DESCRIBE, bindings):
            graph.add(triple)
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True).encode()
    return store.construct_serialized(DESCRIBE, bindings, fmt, prefixes=LD_PREFIXES)
