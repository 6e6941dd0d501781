"""Resources (articles, guides, reports) indexed with concepts: filtered lists and details."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph_service.model.base import (
    SPARQL_PREFIXES,
    Label,
    Lit,
    Property,
    Ref,
    Term,
    label_key,
    make_ref,
    text_of,
    values_block,
)
from graph_service.model.base import rows as select_rows
from graph_service.model.concept import make_property, outgoing
from graph_service.model.indexed import indexed_resources
from graph_service.model.place_names import qualify_refs
from graph_service.model.tree import UP, narrower_closure
from graph_service.namespaces import DCAT_NS, DCT_NS, RDF_TYPE, RDFS_NS, SKOS_NS
from graph_service.search.index import current_index
from graph_service.store import Store


@dataclass(frozen=True)
class ResourceSummary:
    """A resource in a list: title, date and kinds."""

    iri: str
    title: str
    lang: str
    issued: str | None
    types: tuple[Ref, ...]  # dct:type (the project's resource types)
    classes: tuple[str, ...]  # rdf:type (schema.org classes)


@dataclass(frozen=True)
class ResourcePage:
    """One page of resources with the total number that match."""

    total: int
    offset: int
    limit: int
    items: tuple[ResourceSummary, ...]


@dataclass(frozen=True)
class Resource:
    """A resource with its description, dates, subjects, territories, parts and files."""

    iri: str
    title: str
    lang: str
    titles: tuple[Label, ...]
    descriptions: tuple[Label, ...]
    issued: str | None
    modified: str | None
    subjects: tuple[Ref, ...]
    spatial: tuple[Ref, ...]
    types: tuple[Ref, ...]
    classes: tuple[Ref, ...]
    has_part: tuple[Ref, ...]
    is_part_of: tuple[Ref, ...]
    formats: tuple[str, ...]
    sources: tuple[str, ...]
    download_urls: tuple[str, ...]
    byte_size: int | None
    table_of_contents: tuple[Label, ...]
    references: tuple[Ref, ...]
    notes: tuple[Label, ...]
    other: tuple[Property, ...]


def find_resources(
    store: Store,
    concept_iri: str,
    *,
    include_narrower: bool = False,
    territory: str | None = None,
    type_iri: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 20,
    offset: int = 0,
    lang: str | None = None,
) -> ResourcePage:
    """Resources indexed with a concept (or its narrower ones), newest first, filtered.

    `territory` keeps resources about that territory or any territory under it; `type_iri`
    matches dct:type or rdf:type; dates compare on the prefix given ("2023", "2023-05").
    Unfiltered with the narrower concepts, the search index answers when it is up to date:
    the engine's join takes seconds under a top concept (search/under.py).
    """
    if not (territory or type_iri or date_from or date_to):
        # Unfiltered, the search index answers when it is up to date: under a top concept the
        # engine's join takes seconds, and a concept's own resources cost each concept page
        # 0.3 ms in the store at 100,000 concepts.
        if include_narrower:
            index = current_index(store)
            found = None if index is None else index.resources_under(concept_iri, limit, offset)
        else:
            found = indexed_resources(store, concept_iri, limit, offset)
        if found is not None:
            total, page = found
            return ResourcePage(total, offset, limit, tuple(summaries(store, page, lang)))
    pattern, bindings = subject_pattern(store, concept_iri, include_narrower)
    clauses = [pattern]
    if territory:
        # Checked per candidate resource, whose set the concept has already made small.
        clauses.append(f"?r dct:spatial ?sp . FILTER EXISTS {{ ?sp {UP}* $t }}")
        bindings["t"] = URIRef(territory)
    if type_iri:
        clauses.append("{ ?r dct:type $type } UNION { ?r a $type }")
        bindings["type"] = URIRef(type_iri)
    clauses.append("OPTIONAL { ?r dct:issued ?d }")
    if date_from:
        clauses.append("FILTER(BOUND(?d) && SUBSTR(STR(?d), 1, STRLEN($from)) >= $from)")
        bindings["from"] = Literal(date_from)
    if date_to:
        clauses.append("FILTER(BOUND(?d) && SUBSTR(STR(?d), 1, STRLEN($to)) <= $to)")
        bindings["to"] = Literal(date_to)
    body = "\n  ".join(clauses)
    # One query for the count and the order: counting apart made the engine join twice.
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        + f"SELECT ?r (MAX(STR(?d)) AS ?date) WHERE {{\n  {body}\n}} GROUP BY ?r "
        + "ORDER BY DESC(?date) ?r",
        bindings,
    )
    total = len(rows)
    page = [str(r["r"]) for r in rows[max(0, offset) : max(0, offset) + max(0, limit)]]
    return ResourcePage(total, offset, limit, tuple(summaries(store, page, lang)))


def subject_pattern(
    store: Store, concept_iri: str, include_narrower: bool
) -> tuple[str, dict[str, Node]]:
    """The graph pattern binding ?r to the resources of a concept (and of its narrower ones).

    The closure is read in a query of its own and bound as VALUES: joined inside the same
    query, the engine walks it once per resource, scanning every dct:subject statement
    (200 ms at 600,000 of them, 100x slower than this way).
    """
    if not include_narrower:
        return "?r dct:subject $c .", {"c": URIRef(concept_iri)}
    values, bindings = values_block("s", narrower_closure(store, concept_iri))
    return f"{values} ?r dct:subject ?s .", bindings


def summaries(store: Store, iris: list[str], lang: str | None = None) -> list[ResourceSummary]:
    """Titles, dates and types of a few resources in one query, in the order given."""
    if not iris:
        return []
    values, bindings = values_block("r", iris)
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        # One UNION branch per property: pyoxigraph evaluates `?r ?p ?o . VALUES ?p {...}` by
        # scanning every predicate of ?r's neighbours, 1.2 s at 2 million triples against 3 ms.
        + f"""SELECT ?r ?p ?o ?ol WHERE {{
  {values}
  {{ ?r dct:title ?o BIND(dct:title AS ?p) }}
  UNION {{ ?r rdfs:label ?o BIND(rdfs:label AS ?p) }}
  UNION {{ ?r dct:issued ?o BIND(dct:issued AS ?p) }}
  UNION {{ ?r rdf:type ?o BIND(rdf:type AS ?p) }}
  UNION {{ ?r dct:type ?o BIND(dct:type AS ?p) OPTIONAL {{ ?o skos:prefLabel|rdfs:label ?ol }} }}
}}""",
        bindings,
    )
    facts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, list[Term]] = defaultdict(list)
    for row in rows:
        facts[str(row["r"])][str(row["p"])].append(row["o"])
        if "ol" in row:
            names[str(row["o"])].append(row["ol"])
    result = []
    for iri in iris:
        f = facts.get(iri, {})
        title, title_lang = text_of(f.get(DCT_NS + "title") or f.get(_RDFS_LABEL, []), lang) or (
            iri,
            "",
        )
        issued = min((str(d) for d in f.get(DCT_NS + "issued", [])), default=None)
        types = tuple(
            sorted(
                {make_ref(str(t), names[str(t)], lang) for t in f.get(DCT_NS + "type", [])},
                key=label_key,
            )
        )
        classes = tuple(sorted({str(c) for c in f.get(RDF_TYPE, [])}))
        result.append(ResourceSummary(iri, title, title_lang, issued, types, classes))
    return result


_RDFS_LABEL = RDFS_NS + "label"
#: DCMI terms that Resource has a field for (the rest goes to `other`).
_USED_DCT = (
    "title", "description", "issued", "modified", "subject", "spatial", "type", "hasPart",
    "isPartOf", "format", "source", "tableOfContents", "references",
)  # fmt: skip


def resource_details(store: Store, iri: str, lang: str | None = None) -> Resource | None:
    """Everything said about a resource, with the labels of the concepts and places it cites."""
    own = outgoing(store, iri)
    if not own.objects:
        return None
    objects, names = own.objects, own.names

    def refs(predicate: str) -> tuple[Ref, ...]:
        found = [make_ref(str(o), names.get(str(o), []), lang) for o in objects.get(predicate, [])]
        return tuple(sorted(found, key=label_key))

    def labels(predicate: str) -> tuple[Label, ...]:
        return tuple(
            Label(str(v), v.language) for v in objects.get(predicate, []) if isinstance(v, Lit)
        )

    def strings(predicate: str) -> tuple[str, ...]:
        return tuple(sorted(str(v) for v in objects.get(predicate, [])))

    titles = objects.get(DCT_NS + "title") or objects.get(_RDFS_LABEL, [])
    title, title_lang = text_of(titles, lang) or (iri, "")
    sizes = [int(str(v)) for v in objects.get(DCAT_NS + "byteSize", []) if str(v).isdigit()]
    used = {DCT_NS + p for p in _USED_DCT} | {
        RDF_TYPE,
        DCAT_NS + "byteSize",
        DCAT_NS + "downloadURL",
        SKOS_NS + "note",
    }
    return Resource(
        iri=iri,
        title=title,
        lang=title_lang,
        titles=labels(DCT_NS + "title"),
        descriptions=labels(DCT_NS + "description"),
        issued=min(strings(DCT_NS + "issued"), default=None),
        modified=max(strings(DCT_NS + "modified"), default=None),
        subjects=refs(DCT_NS + "subject"),
        spatial=qualify_refs(store, refs(DCT_NS + "spatial"), lang),
        types=refs(DCT_NS + "type"),
        classes=refs(RDF_TYPE),
        has_part=refs(DCT_NS + "hasPart"),
        is_part_of=refs(DCT_NS + "isPartOf"),
        formats=strings(DCT_NS + "format"),
        sources=strings(DCT_NS + "source"),
        download_urls=strings(DCAT_NS + "downloadURL"),
        byte_size=sizes[0] if sizes else None,
        table_of_contents=labels(DCT_NS + "tableOfContents"),
        references=refs(DCT_NS + "references"),
        notes=labels(SKOS_NS + "note"),
        other=tuple(
            make_property(p, v, names, lang)
            for p in sorted(objects)
            if p not in used
            for v in objects[p]
        ),
    )
