"""Resources (articles, guides, reports) indexed with concepts: filtered lists and details."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph_service.model.base import (
    DCT,
    PREFIXES,
    RDF_TYPE,
    SKOS,
    Label,
    Lit,
    Property,
    Ref,
    Term,
    label_key,
    make_ref,
    text_of,
)
from graph_service.model.base import rows as select_rows
from graph_service.model.concept import OUTGOING, make_property
from graph_service.model.tree import DOWN, UP
from graph_service.store import Store

DCAT = "http://www.w3.org/ns/dcat#"


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
    """
    bindings: dict[str, Node] = {"c": URIRef(concept_iri)}
    clauses = ["?r dct:subject $c ."]
    if include_narrower:
        # The closure in a query of its own, then its concepts as VALUES: joined inside one
        # query, the engine scans every dct:subject statement (200 ms at 600,000 of them).
        query = PREFIXES + f"SELECT DISTINCT ?s WHERE {{ $c {DOWN}* ?s }}"
        closure = [str(r["s"]) for r in select_rows(store, query, bindings)]
        values = " ".join(f"$s{n}" for n in range(len(closure)))
        bindings.update({f"s{n}": URIRef(iri) for n, iri in enumerate(closure)})
        clauses = [f"VALUES ?s {{ {values} }} ?r dct:subject ?s ."]
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
        PREFIXES
        + f"SELECT ?r (MAX(STR(?d)) AS ?date) WHERE {{\n  {body}\n}} GROUP BY ?r "
        + "ORDER BY DESC(?date) ?r",
        bindings,
    )
    total = len(rows)
    page = [str(r["r"]) for r in rows[max(0, offset) : max(0, offset) + max(0, limit)]]
    return ResourcePage(total, offset, limit, tuple(summaries(store, page, lang)))


def summaries(store: Store, iris: list[str], lang: str | None = None) -> list[ResourceSummary]:
    """Titles, dates and types of a few resources in one query, in the order given."""
    if not iris:
        return []
    values = " ".join(f"$r{n}" for n in range(len(iris)))
    rows = select_rows(
        store,
        PREFIXES
        # One UNION branch per property: pyoxigraph evaluates `?r ?p ?o . VALUES ?p {...}` by
        # scanning every predicate of ?r's neighbours, 1.2 s at 2 million triples against 3 ms.
        + f"""SELECT ?r ?p ?o ?ol WHERE {{
  VALUES ?r {{ {values} }}
  {{ ?r dct:title ?o BIND(dct:title AS ?p) }}
  UNION {{ ?r rdfs:label ?o BIND(rdfs:label AS ?p) }}
  UNION {{ ?r dct:issued ?o BIND(dct:issued AS ?p) }}
  UNION {{ ?r rdf:type ?o BIND(rdf:type AS ?p) }}
  UNION {{ ?r dct:type ?o BIND(dct:type AS ?p) OPTIONAL {{ ?o skos:prefLabel|rdfs:label ?ol }} }}
}}""",
        {f"r{n}": URIRef(iri) for n, iri in enumerate(iris)},
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
        title, title_lang = text_of(f.get(DCT + "title") or f.get(_RDFS_LABEL, []), lang) or (
            iri,
            "",
        )
        issued = min((str(d) for d in f.get(DCT + "issued", [])), default=None)
        types = tuple(
            sorted(
                {make_ref(str(t), names[str(t)], lang) for t in f.get(DCT + "type", [])},
                key=label_key,
            )
        )
        classes = tuple(sorted({str(c) for c in f.get(RDF_TYPE, [])}))
        result.append(ResourceSummary(iri, title, title_lang, issued, types, classes))
    return result


_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: DCMI terms that Resource has a field for (the rest goes to `other`).
_USED_DCT = (
    "title", "description", "issued", "modified", "subject", "spatial", "type", "hasPart",
    "isPartOf", "format", "source", "tableOfContents", "references",
)  # fmt: skip


def resource_details(store: Store, iri: str, lang: str | None = None) -> Resource | None:
    """Everything said about a resource, with the labels of the concepts and places it cites."""
    rows = select_rows(store, OUTGOING, {"c": URIRef(iri)})
    if not rows:
        return None
    objects: dict[str, list[Term]] = defaultdict(list)
    names: dict[str, list[Term]] = defaultdict(list)
    for row in rows:
        if row["o"] not in objects[str(row["p"])]:
            objects[str(row["p"])].append(row["o"])
        if "ol" in row and row["ol"] not in names[str(row["o"])]:
            names[str(row["o"])].append(row["ol"])

    def refs(predicate: str) -> tuple[Ref, ...]:
        found = [make_ref(str(o), names.get(str(o), []), lang) for o in objects.get(predicate, [])]
        return tuple(sorted(found, key=label_key))

    def labels(predicate: str) -> tuple[Label, ...]:
        return tuple(
            Label(str(v), v.language) for v in objects.get(predicate, []) if isinstance(v, Lit)
        )

    def strings(predicate: str) -> tuple[str, ...]:
        return tuple(sorted(str(v) for v in objects.get(predicate, [])))

    titles = objects.get(DCT + "title") or objects.get(_RDFS_LABEL, [])
    title, title_lang = text_of(titles, lang) or (iri, "")
    sizes = [int(str(v)) for v in objects.get(DCAT + "byteSize", []) if str(v).isdigit()]
    used = {DCT + p for p in _USED_DCT} | {
        RDF_TYPE,
        DCAT + "byteSize",
        DCAT + "downloadURL",
        SKOS + "note",
    }
    return Resource(
        iri=iri,
        title=title,
        lang=title_lang,
        titles=labels(DCT + "title"),
        descriptions=labels(DCT + "description"),
        issued=min(strings(DCT + "issued"), default=None),
        modified=max(strings(DCT + "modified"), default=None),
        subjects=refs(DCT + "subject"),
        spatial=refs(DCT + "spatial"),
        types=refs(DCT + "type"),
        classes=refs(RDF_TYPE),
        has_part=refs(DCT + "hasPart"),
        is_part_of=refs(DCT + "isPartOf"),
        formats=strings(DCT + "format"),
        sources=strings(DCT + "source"),
        download_urls=strings(DCAT + "downloadURL"),
        byte_size=sizes[0] if sizes else None,
        table_of_contents=labels(DCT + "tableOfContents"),
        references=refs(DCT + "references"),
        notes=labels(SKOS + "note"),
        other=tuple(
            make_property(p, v, names, lang)
            for p in sorted(objects)
            if p not in used
            for v in objects[p]
        ),
    )
