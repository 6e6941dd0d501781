"""Everything about one concept (or any described IRI) in two queries, as dataclasses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from graph_service.model.base import (
    DCT,
    MAPPING_KINDS,
    OWL,
    PREFIXES,
    RDF_TYPE,
    RDFS,
    SKOS,
    Iri,
    Label,
    Lit,
    Mapping,
    Property,
    Ref,
    Term,
    label_key,
    make_ref,
    rows,
    text_of,
)
from graph_service.model.schemes import vocab_of_concept
from graph_service.store import Store

#: Outgoing statements with the labels and notations of their IRI objects.
OUTGOING = (
    PREFIXES
    + """SELECT DISTINCT ?p ?o ?ol ?on WHERE {
  $c ?p ?o .
  OPTIONAL { ?o skos:prefLabel|dct:title|rdfs:label ?ol }
  OPTIONAL { ?o skos:notation ?on }
}"""
)
#: Statements pointing at the concept, and its ancestors with the edges between them.
_AROUND = (
    PREFIXES
    + """SELECT DISTINCT ?k ?x ?y ?xl WHERE {
  { ?x skos:broader $c BIND("narrower" AS ?k) }
  UNION { ?x skos:narrower $c BIND("broader" AS ?k) }
  UNION { ?x skos:related $c BIND("related" AS ?k) }
  UNION { ?x skos:hasTopConcept $c BIND("top" AS ?k) }
  UNION { ?x skos:member $c BIND("collection" AS ?k)
          OPTIONAL { ?x skos:prefLabel|dct:title|rdfs:label ?xl } }
  UNION { $c (skos:broader|^skos:narrower)+ ?x BIND("ancestor" AS ?k)
          OPTIONAL { ?x skos:broader|^skos:narrower ?y }
          OPTIONAL { ?x skos:prefLabel ?xl } }
}"""
)
#: Labels of neighbours stated only in the other direction (usually none: both are stated).
_LABELS = PREFIXES + "SELECT ?x ?xl WHERE { VALUES ?x { %s } ?x skos:prefLabel ?xl }"

_LITERAL_FIELDS = {
    SKOS + "prefLabel": "pref_labels",
    SKOS + "altLabel": "alt_labels",
    SKOS + "hiddenLabel": "hidden_labels",
    SKOS + "definition": "definitions",
    SKOS + "scopeNote": "scope_notes",
    SKOS + "example": "examples",
    SKOS + "note": "notes",
    SKOS + "changeNote": "change_notes",
    SKOS + "historyNote": "history_notes",
    SKOS + "editorialNote": "editorial_notes",
}
_REF_FIELDS = {
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    SKOS + "related": "related",
    SKOS + "inScheme": "schemes",
    SKOS + "topConceptOf": "top_concept_of",
    RDFS + "seeAlso": "see_also",
    DCT + "isReplacedBy": "replaced_by",
    RDF_TYPE: "types",
}
MAX_CHAINS = 12


@dataclass(frozen=True)
class Concept:
    """A concept with its labels, notes, relations (labelled in the asked language) and dates."""

    iri: str
    vocab_id: str
    pref_label: str
    pref_lang: str
    pref_labels: tuple[Label, ...] = ()
    alt_labels: tuple[Label, ...] = ()
    hidden_labels: tuple[Label, ...] = ()
    definitions: tuple[Label, ...] = ()
    scope_notes: tuple[Label, ...] = ()
    examples: tuple[Label, ...] = ()
    notes: tuple[Label, ...] = ()
    change_notes: tuple[Label, ...] = ()
    history_notes: tuple[Label, ...] = ()
    editorial_notes: tuple[Label, ...] = ()
    notation: str | None = None
    notations: tuple[str, ...] = ()
    schemes: tuple[Ref, ...] = ()
    top_concept_of: tuple[Ref, ...] = ()
    broader: tuple[Ref, ...] = ()
    narrower: tuple[Ref, ...] = ()
    related: tuple[Ref, ...] = ()
    #: Each path from a top concept down to a direct broader concept (several if polyhierarchy).
    broader_chains: tuple[tuple[Ref, ...], ...] = ()
    mappings: tuple[Mapping, ...] = ()
    collections: tuple[Ref, ...] = ()
    see_also: tuple[Ref, ...] = ()
    deprecated: bool = False
    replaced_by: tuple[Ref, ...] = ()
    created: str | None = None
    modified: str | None = None
    types: tuple[Ref, ...] = ()
    #: Statements not covered by the fields above (population, sources...).
    other: tuple[Property, ...] = ()
    lang: str | None = field(default=None, compare=False)

    @property
    def pref_labels_by_lang(self) -> dict[str, str]:
        """Preferred labels keyed by language."""
        return {label.lang: label.value for label in self.pref_labels}

    def mappings_of(self, kind: str) -> tuple[Ref, ...]:
        """Targets of one kind of mapping ("exactMatch"...)."""
        return tuple(m.target for m in self.mappings if m.kind == kind)


def _labels(values: list[Term]) -> tuple[Label, ...]:
    unique = {(str(v), v.language) for v in values if isinstance(v, Lit)}
    order = {"fr": 0, "en": 1}
    return tuple(
        Label(text, lang) for text, lang in sorted(unique, key=lambda t: (order.get(t[1], 2), t))
    )


def concept_details(store: Store, iri: str, lang: str | None = None) -> Concept | None:
    """The whole description of a concept, or None if the IRI is not a concept of the store."""
    term = URIRef(iri)
    found = rows(store, OUTGOING, {"c": term})
    objects: dict[str, list[Term]] = defaultdict(list)
    names: dict[str, list[Term]] = defaultdict(list)
    notations: dict[str, set[str]] = defaultdict(set)
    for row in found:
        p, o = str(row["p"]), row["o"]
        if o not in objects[p]:
            objects[p].append(o)
        if "ol" in row and row["ol"] not in names[str(o)]:
            names[str(o)].append(row["ol"])
        if "on" in row:
            notations[str(o)].add(str(row["on"]))
    if SKOS + "Concept" not in objects.get(RDF_TYPE, []):
        return None
    around: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for row in rows(store, _AROUND, {"c": term}):
        kind, x = str(row["k"]), str(row["x"])
        around[kind].add(x)
        if "xl" in row and row["xl"] not in names[x]:
            names[x].append(row["xl"])
        if kind == "ancestor" and "y" in row:
            parents[x].add(str(row["y"]))
    unlabelled = sorted({x for xs in around.values() for x in xs if x not in names})
    if unlabelled:
        values = " ".join(f"$x{n}" for n in range(len(unlabelled)))
        bound = {f"x{n}": URIRef(x) for n, x in enumerate(unlabelled)}
        for row in rows(store, _LABELS % values, bound):
            names[str(row["x"])].append(row["xl"])

    def ref(target: str) -> Ref:
        found = sorted(notations.get(target, ()))
        return make_ref(target, names.get(target, []), lang, found[0] if found else None)

    def refs(*iris: str) -> tuple[Ref, ...]:
        return tuple(sorted((ref(i) for i in dict.fromkeys(iris)), key=label_key))

    def iris_of(predicate: str) -> list[str]:
        return [str(o) for o in objects.get(predicate, []) if isinstance(o, Iri)]

    values: dict[str, object] = {}
    for predicate, name in _LITERAL_FIELDS.items():
        values[name] = _labels(objects.get(predicate, []))
    for predicate, name in _REF_FIELDS.items():
        values[name] = refs(*iris_of(predicate))
    values["broader"] = refs(*iris_of(SKOS + "broader"), *around["broader"])
    values["narrower"] = refs(*iris_of(SKOS + "narrower"), *around["narrower"])
    values["related"] = refs(*iris_of(SKOS + "related"), *around["related"])
    values["top_concept_of"] = refs(*iris_of(SKOS + "topConceptOf"), *around["top"])
    values["collections"] = refs(*around["collection"])
    values["mappings"] = tuple(
        Mapping(kind, r) for kind in MAPPING_KINDS for r in refs(*iris_of(SKOS + kind))
    )
    direct = [r.iri for r in values["broader"]]  # type: ignore[attr-defined]
    values["broader_chains"] = _chains(direct, parents, ref)
    notation_values = sorted(str(n) for n in objects.get(SKOS + "notation", []))
    deprecated = any(str(v).lower() in {"true", "1"} for v in objects.get(OWL + "deprecated", []))
    pref = text_of(objects.get(SKOS + "prefLabel", []), lang) or (iri, "")
    scheme_iris = (
        iris_of(SKOS + "inScheme") + iris_of(SKOS + "topConceptOf") + sorted(around["top"])
    )
    known = (
        set(_LITERAL_FIELDS)
        | set(_REF_FIELDS)
        | {SKOS + k for k in MAPPING_KINDS}
        | {SKOS + "notation", OWL + "deprecated", DCT + "created", DCT + "modified"}
    )
    return Concept(
        iri=iri,
        vocab_id=vocab_of_concept(iri, scheme_iris),
        pref_label=pref[0],
        pref_lang=pref[1],
        notation=notation_values[0] if notation_values else None,
        notations=tuple(notation_values),
        deprecated=deprecated,
        created=_first(objects.get(DCT + "created")),
        modified=_first(objects.get(DCT + "modified")),
        other=tuple(_properties(objects, known, names, lang)),
        lang=lang,
        **values,  # type: ignore[arg-type]
    )


def _first(values: list[Term] | None) -> str | None:
    return str(sorted(values)[0]) if values else None


def _chains(direct: list[str], parents: dict[str, set[str]], ref) -> tuple[tuple[Ref, ...], ...]:
    """Every path from a top concept down to each direct broader (cycles cut, count capped)."""
    chains: list[tuple[Ref, ...]] = []

    def climb(node: str, below: tuple[str, ...]) -> None:
        if len(chains) >= MAX_CHAINS:
            return
        ups = [p for p in sorted(parents.get(node, ())) if p not in below and p != node]
        if not ups:
            chains.append(tuple(ref(i) for i in (node, *below)))
            return
        for up in ups:
            climb(up, (node, *below))

    for start in direct:
        climb(start, ())
    return tuple(chains)


def _properties(
    objects: dict[str, list[Term]], known: set[str], names: dict[str, list[Term]], lang: str | None
):
    """The statements no field of Concept holds, as Property values."""
    for predicate in sorted(objects):
        if predicate in known:
            continue
        for value in objects[predicate]:
            yield make_property(predicate, value, names, lang)


def make_property(
    predicate: str, value: Term, names: dict[str, list[Term]], lang: str | None
) -> Property:
    """A Property from an rdflib value, labelled when it is an IRI with a known label."""
    if isinstance(value, Lit):
        return Property(predicate, str(value), False, value.language, value.datatype)
    found = text_of(names.get(str(value), []), lang)
    return Property(predicate, str(value), isinstance(value, Iri), label=found and found[0])


@dataclass(frozen=True)
class Description:
    """Any IRI of the store (collection, external resource...): label, types and statements."""

    iri: str
    label: str
    lang: str
    types: tuple[Ref, ...]
    properties: tuple[Property, ...]
    members: tuple[Ref, ...] = ()


def describe(store: Store, iri: str, lang: str | None = None) -> Description | None:
    """The statements about an IRI with the labels of their objects; None if it has none."""
    found = rows(store, OUTGOING, {"c": URIRef(iri)})
    if not found:
        return None
    objects: dict[str, list[Term]] = defaultdict(list)
    names: dict[str, list[Term]] = defaultdict(list)
    for row in found:
        if row["o"] not in objects[str(row["p"])]:
            objects[str(row["p"])].append(row["o"])
        if "ol" in row and row["ol"] not in names[str(row["o"])]:
            names[str(row["o"])].append(row["ol"])
    labels = (
        objects.get(SKOS + "prefLabel")
        or objects.get(DCT + "title")
        or objects.get(RDFS + "label", [])
    )
    text, text_lang = text_of(labels, lang) or (iri, "")
    types = tuple(make_ref(str(t), names.get(str(t), []), lang) for t in objects.get(RDF_TYPE, []))
    members = tuple(
        sorted(
            (
                make_ref(str(m), names.get(str(m), []), lang)
                for m in objects.get(SKOS + "member", [])
            ),
            key=label_key,
        )
    )
    known = {RDF_TYPE, SKOS + "member"}
    properties = tuple(_properties(objects, known, names, lang))
    return Description(iri, text, text_lang, types, properties, members)
