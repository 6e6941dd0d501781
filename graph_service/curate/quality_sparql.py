"""The quality checks written in SPARQL: their table, prefixes and label properties."""

from __future__ import annotations

from graph_service.namespaces import SKOS, sparql_prefixes

#: SKOS-XL is only looked for here (a label it gives counts): the service has no prefix for it.
SKOSXL_PREFIX = "PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#>\n"
P = sparql_prefixes("skos", "dct", "rdfs") + SKOSXL_PREFIX
SKOS_NS = str(SKOS)
LABELS = "skos:prefLabel skos:altLabel skos:hiddenLabel"
DOCS = "skos:definition skos:scopeNote skos:note skos:example skos:historyNote "
DOCS += "skos:editorialNote skos:changeNote"
_SKOS_TERMS = frozenset(
    [
        "Concept",
        "ConceptScheme",
        "Collection",
        "OrderedCollection",
        "inScheme",
        "hasTopConcept",
        "topConceptOf",
        "altLabel",
        "hiddenLabel",
        "prefLabel",
        "notation",
        "changeNote",
        "definition",
        "editorialNote",
        "example",
        "historyNote",
        "note",
        "scopeNote",
        "broader",
        "broaderTransitive",
        "narrower",
        "narrowerTransitive",
        "related",
        "semanticRelation",
        "member",
        "memberList",
        "mappingRelation",
        "broadMatch",
        "closeMatch",
        "exactMatch",
        "narrowMatch",
        "relatedMatch",
    ]
)


# The checks written in SPARQL. Each block: "== id | severity | title", a description line, then
# the query, which selects ?c (the offender) and optionally ?d (a detail shown next to it).
# hierarchical-redundancy is in quality_python: its path with both ends bound made Virtuoso
# 7.2.5 fail or answer wrongly (see _redundant_broader there).
_SPARQL_TABLE = """
== omitted-or-invalid-language-tags | warning | Omitted or invalid language tags
Labels and notes of concepts, schemes and collections should carry a language tag.
SELECT ?c ?d WHERE { VALUES ?p { LABELS DOCS } VALUES ?k { skos:Concept skos:ConceptScheme
  skos:Collection } ?c a ?k ; ?p ?l . FILTER(isLiteral(?l) && lang(?l) = '')
  BIND(CONCAT(STR(?p), ' "', STR(?l), '"') AS ?d) }
== undocumented-concepts | info | Undocumented concepts
Concepts without any definition, scope note or other note.
SELECT ?c WHERE { ?c a skos:Concept FILTER NOT EXISTS { VALUES ?p { DOCS } ?c ?p ?n } }
== orphan-concepts | warning | Orphan concepts
Concepts with no hierarchical or associative relation at all.
SELECT ?c WHERE { ?c a skos:Concept FILTER NOT EXISTS { VALUES ?p { skos:broader skos:narrower
  skos:related skos:broaderTransitive skos:narrowerTransitive skos:topConceptOf } ?c ?p ?x }
  FILTER NOT EXISTS { VALUES ?p { skos:broader skos:narrower skos:related skos:hasTopConcept }
  ?x ?p ?c } }
== valueless-associative-relations | info | Valueless associative relations
Siblings (same broader concept) also linked by skos:related add no information.
SELECT DISTINCT ?c ?d WHERE { ?c skos:related ?o . ?c skos:broader|^skos:narrower ?b .
  ?o skos:broader|^skos:narrower ?b . FILTER(STR(?c) < STR(?o)) BIND(STR(?o) AS ?d) }
== solely-transitively-related | warning | Solely transitively related concepts
broaderTransitive/narrowerTransitive stated without the direct broader/narrower.
SELECT DISTINCT ?c ?d WHERE { { ?c skos:broaderTransitive ?o FILTER NOT EXISTS
  { ?c skos:broader ?o } FILTER NOT EXISTS { ?o skos:narrower ?c } } UNION
  { ?c skos:narrowerTransitive ?o FILTER NOT EXISTS { ?c skos:narrower ?o }
  FILTER NOT EXISTS { ?o skos:broader ?c } } BIND(STR(?o) AS ?d) }
== unidirectionally-related | info | Unidirectionally related concepts
broader without the inverse narrower (or the reverse), related stated one way only.
SELECT DISTINCT ?c ?d WHERE {
  { ?c skos:broader ?o FILTER NOT EXISTS { ?o skos:narrower ?c }
    BIND(CONCAT('broader ', STR(?o), ' has no narrower back') AS ?d) }
  UNION { ?c skos:narrower ?o FILTER NOT EXISTS { ?o skos:broader ?c }
    BIND(CONCAT('narrower ', STR(?o), ' has no broader back') AS ?d) }
  UNION { ?c skos:related ?o FILTER NOT EXISTS { ?o skos:related ?c }
    BIND(CONCAT('related ', STR(?o), ' is not related back') AS ?d) } }
== reflexively-related | error | Reflexively related concepts
A concept that is its own broader, narrower or related concept.
SELECT ?c ?d WHERE { VALUES ?p { skos:broader skos:narrower skos:related
  skos:broaderTransitive skos:narrowerTransitive } ?c ?p ?c BIND(STR(?p) AS ?d) }
== missing-labels | error | Missing labels
Concepts and schemes without a preferred label (schemes may use dct:title or rdfs:label).
SELECT ?c WHERE { { ?c a skos:Concept } UNION { ?c a skos:ConceptScheme FILTER NOT EXISTS
  { ?c dct:title|rdfs:label ?t } }
  FILTER NOT EXISTS { ?c skos:prefLabel|skosxl:prefLabel ?l } }
== inconsistent-preferred-labels | error | Inconsistent preferred labels
More than one skos:prefLabel in the same language.
SELECT ?c ?d WHERE { ?c skos:prefLabel ?a, ?b . FILTER(STR(?a) < STR(?b) && lang(?a) = lang(?b))
  BIND(CONCAT('"', STR(?a), '" and "', STR(?b), '"@', lang(?a)) AS ?d) }
== disjoint-labels-violation | error | Disjoint labels violation
The same text is used as preferred, alternative or hidden label of one concept.
SELECT ?c ?d WHERE { VALUES (?p ?q) { (skos:prefLabel skos:altLabel)
  (skos:prefLabel skos:hiddenLabel) (skos:altLabel skos:hiddenLabel) } ?c ?p ?l . ?c ?q ?l
  BIND(CONCAT('"', STR(?l), '"@', lang(?l)) AS ?d) }
== ambiguous-notations | warning | Ambiguous notations
Two concepts of one scheme sharing a notation, or a concept with several notations.
SELECT DISTINCT ?c ?d WHERE {
  { ?c skos:notation ?n . ?o skos:notation ?n . ?c skos:inScheme ?s . ?o skos:inScheme ?s .
    FILTER(?c != ?o) BIND(CONCAT('notation "', STR(?n), '" also on ', STR(?o)) AS ?d) }
  UNION { ?c skos:notation ?n, ?m FILTER(STR(?n) < STR(?m) && datatype(?n) = datatype(?m))
    BIND(CONCAT('notations "', STR(?n), '" and "', STR(?m), '"') AS ?d) } }
== mapping-relations-misuse | warning | Mapping relations misuse
Mapping relations (exactMatch, closeMatch...) between concepts of the same scheme.
SELECT DISTINCT ?c ?d WHERE { VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch
  skos:narrowMatch skos:relatedMatch } ?c ?p ?o . ?c skos:inScheme ?s . ?o skos:inScheme ?s .
  BIND(CONCAT(STR(?p), ' ', STR(?o)) AS ?d) }
== omitted-top-concepts | warning | Omitted top concepts
Concept schemes without any top concept.
SELECT ?c WHERE { ?c a skos:ConceptScheme FILTER NOT EXISTS { ?c skos:hasTopConcept ?t }
  FILTER NOT EXISTS { ?t skos:topConceptOf ?c } }
== top-concepts-having-broader-concepts | warning | Top concepts having broader concepts
A top concept of a scheme that also has a broader concept in that scheme.
SELECT DISTINCT ?c ?d WHERE { { ?c skos:topConceptOf ?s } UNION { ?s skos:hasTopConcept ?c }
  ?c skos:broader|^skos:narrower ?b . ?b skos:inScheme|skos:topConceptOf ?s BIND(STR(?b) AS ?d) }
== relation-clashes | error | Associative vs. hierarchical relation clashes
skos:related between concepts that are hierarchically related (SKOS S27).
SELECT DISTINCT ?c ?d WHERE { ?c skos:related ?o . ?c (skos:broader|^skos:narrower)+ ?o
  BIND(STR(?o) AS ?d) }
== mapping-clashes | error | Exact vs. associative and hierarchical mapping clashes
exactMatch together with broadMatch, narrowMatch or relatedMatch to one concept (SKOS S46).
SELECT DISTINCT ?c ?d WHERE { ?c skos:exactMatch ?o . VALUES ?p { skos:broadMatch
  skos:narrowMatch skos:relatedMatch } ?c ?p ?o BIND(CONCAT(STR(?p), ' ', STR(?o)) AS ?d) }
== undefined-skos-resources | error | Undefined SKOS resources
Terms of the SKOS namespace that SKOS does not define (misspellings, SKOS drafts).
SELECT DISTINCT ?c ?d WHERE { { ?c ?term ?o FILTER(STRSTARTS(STR(?term), STR(skos:))) }
  UNION { ?c a ?term FILTER(STRSTARTS(STR(?term), STR(skos:))) } BIND(STR(?term) AS ?d) }
== http-uri-scheme-violation | warning | HTTP URI scheme violation
Concepts and schemes should be identified by http(s) IRIs.
SELECT ?c WHERE { { ?c a skos:Concept } UNION { ?c a skos:ConceptScheme }
  FILTER(isBlank(?c) || !REGEX(STR(?c), '^https?://')) }
"""


def _parse_table(table: str) -> list[tuple[str, str, str, str, str]]:
    """Split the check table into (id, title, severity, description, query) tuples."""
    checks = []
    for block in table.split("\n== ")[1:]:
        head, description, query = block.split("\n", 2)
        check_id, severity, title = (part.strip() for part in head.split("|"))
        query = query.replace("LABELS", LABELS).replace("DOCS", DOCS)
        checks.append((check_id, title, severity, description, query))
    return checks


SPARQL_CHECKS = _parse_table(_SPARQL_TABLE)


def scoped(check_id: str, rows: list[dict]) -> list[tuple[str, str]]:
    """Rows of a SPARQL check as (offender, detail) pairs, filtered where SPARQL cannot."""
    pairs = []
    for row in rows:
        detail = str(row.get("d", "")).replace(SKOS_NS, "skos:")
        if check_id == "undefined-skos-resources" and detail[len("skos:") :] in _SKOS_TERMS:
            continue
        pairs.append((str(row["c"]), detail))
    return pairs
