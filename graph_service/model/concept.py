"""Everything about one concept (or any described IRI) in two queries, as dataclasses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from rdflib import URIRef

from graph_service.labels import notation_key
from graph_service.model.base import (
    LABEL_PATH,
    MAPPING_KINDS,
    SPARQL_PREFIXES,
    Iri,
    Label,
    Lit,
    Mapping,
    Property,
    Ref,
    Term,
    label_key,
    make_ref,
    pick_lit,
    rows,
    text_of,
    values_block,
)
from graph_service.model.place_names import display_labels
from graph_service.model.schemes import vocab_of_concept
from graph_service.namespaces import DCT_NS, OWL_NS, RDF_TYPE, RDFS_NS, SKOS_NS
from graph_service.store import Store

#: Outgoing statements with the labels and notations of their IRI objects.
OUTGOING = (
    SPARQL_PREFIXES
    + f"""SELECT DISTINCT ?p ?o ?ol ?on WHERE {{
  $c ?p ?o .
  OPTIONAL {{ ?o {LABEL_PATH} ?ol }}
  OPTIONAL {{ ?o skos:notation ?on }}
}}"""
)
#: Statements pointing at the concept, and its ancestors with the edges between them.
_AROUND = (
    SPARQL_PREFIXES
    + f"""SELECT DISTINCT ?k ?x ?y ?xl WHERE {{
  {{ ?x skos:broader $c BIND("narrower" AS ?k) }}
  UNION {{ ?x skos:narrower $c BIND("broader" AS ?k) }}
  UNION {{ ?x skos:related $c BIND("related" AS ?k) }}
  UNION {{ ?x skos:hasTopConcept $c BIND("top" AS ?k) }}
  UNION {{ ?x skos:member $c BIND("collection" AS ?k)
          OPTIONAL {{ ?x {LABEL_PATH} ?xl }} }}
  UNION {{ $c (skos:broader|^skos:narrower)+ ?x BIND("ancestor" AS ?k)
          OPTIONAL {{ ?x skos:broader|^skos:narrower ?y }}
          OPTIONAL {{ ?x skos:prefLabel ?xl }} }}
}}"""
)

#: SKOS properties of literal values that Concept has a field for (labels and notes).
_LITERAL_PROPERTIES = tuple(
    SKOS_NS + name
    for name in ("prefLabel", "altLabel", "hiddenLabel", "definition", "scopeNote", "example",
                 "note", "changeNote", "historyNote", "editorialNote")
)  # fmt: skip
#: Properties of IRI values that Concept has a field for (relations, schemes, types).
_REF_PROPERTIES = (
    *(SKOS_NS + name for name in ("broader", "narrower", "related", "inScheme", "topConceptOf")),
    RDFS_NS + "seeAlso",
    DCT_NS + "isReplacedBy",
    RDF_TYPE,
)
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
    #: The label to show as a title: pref_label, qualified for a namesake commune ("Dury (Somme)").
    display_label: str = ""
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


@dataclass(frozen=True)
class Outgoing:
    """An IRI's own statements: values by predicate, and the labels and notations of IRI values."""

    objects: dict[str, list[Term]]
    names: dict[str, list[Term]]
    notations: dict[str, set[str]]

    def iris(self, predicate: str) -> list[str]:
        """The IRI values of one predicate."""
        return [str(o) for o in self.objects.get(predicate, []) if isinstance(o, Iri)]


def outgoing(store: Store, iri: str) -> Outgoing:
    """The statements about an IRI (one query), grouped; empty when it has none."""
    objects: dict[str, list[Term]] = defaultdict(list)
    names: dict[str, list[Term]] = defaultdict(list)
    found: dict[str, set[Term]] = defaultdict(set)
    for row in rows(store, OUTGOING, {"c": URIRef(iri)}):
        p, o = str(row["p"]), row["o"]
        if o not in objects[p]:
            objects[p].append(o)
        if "ol" in row and row["ol"] not in names[str(o)]:
            names[str(o)].append(row["ol"])
        if "on" in row:
            found[str(o)].add(row["on"])
    # the notation to show of each object: a plain one before a typed one (notation_key)
    notations = {o: {str(min(values, key=notation_key))} for o, values in found.items()}
    return Outgoing(objects, names, notations)


def _around(
    store: Store, iri: str, names: dict[str, list[Term]]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Concepts pointing at the concept, by kind, and its ancestors' parents; labels into names."""
    around: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for row in rows(store, _AROUND, {"c": URIRef(iri)}):
        kind, x = str(row["k"]), str(row["x"])
        around[kind].add(x)
        if "xl" in row and row["xl"] not in names[x]:
            names[x].append(row["xl"])
        if kind == "ancestor" and "y" in row:
            parents[x].add(str(row["y"]))
    # Labels of neighbours stated only in the other direction (usually none: both are stated).
    unlabelled = sorted({x for xs in around.values() for x in xs if x not in names})
    if unlabelled:
        values, bound = values_block("x", unlabelled)
        query = SPARQL_PREFIXES + f"SELECT ?x ?xl WHERE {{ {values} ?x skos:prefLabel ?xl }}"
        for row in rows(store, query, bound):
            names[str(row["x"])].append(row["xl"])
    return around, parents


def concept_details(store: Store, iri: str, lang: str | None = None) -> Concept | None:
    """The whole description of a concept, or None if the IRI is not a concept of the store."""
    own = outgoing(store, iri)
    if SKOS_NS + "Concept" not in own.objects.get(RDF_TYPE, []):
        return None
    names = own.names
    around, parents = _around(store, iri, names)

    # Namesake communes among the concept and its neighbours are shown with their département.
    shown = display_labels(store, [iri, *names], lang)

    def ref(target: str) -> Ref:
        found = sorted(own.notations.get(target, ()))
        made = make_ref(target, names.get(target, []), lang, found[0] if found else None)
        return replace(made, label=shown[target]) if target in shown else made

    def refs(*iris: str) -> tuple[Ref, ...]:
        return tuple(sorted((ref(i) for i in dict.fromkeys(iris)), key=label_key))

    def notes(name: str) -> tuple[Label, ...]:
        return _labels(own.objects.get(SKOS_NS + name, []))

    def linked(predicate: str, *inverse: str) -> tuple[Ref, ...]:
        return refs(*own.iris(predicate), *inverse)

    broader = linked(SKOS_NS + "broader", *around["broader"])
    notation_values = [
        str(n) for n in sorted(own.objects.get(SKOS_NS + "notation", []), key=notation_key)
    ]
    deprecated = any(
        str(v).lower() in {"true", "1"} for v in own.objects.get(OWL_NS + "deprecated", [])
    )
    pref = text_of(own.objects.get(SKOS_NS + "prefLabel", []), lang) or (iri, "")
    scheme_iris = (
        own.iris(SKOS_NS + "inScheme") + own.iris(SKOS_NS + "topConceptOf") + sorted(around["top"])
    )
    known = {
        *_LITERAL_PROPERTIES,
        *_REF_PROPERTIES,
        *(SKOS_NS + kind for kind in MAPPING_KINDS),
        SKOS_NS + "notation",
        OWL_NS + "deprecated",
        DCT_NS + "created",
        DCT_NS + "modified",
    }
    return Concept(
        iri=iri,
        vocab_id=vocab_of_concept(iri, scheme_iris),
        pref_label=pref[0],
        pref_lang=pref[1],
        pref_labels=notes("prefLabel"),
        alt_labels=notes("altLabel"),
        hidden_labels=notes("hiddenLabel"),
        definitions=notes("definition"),
        scope_notes=notes("scopeNote"),
        examples=notes("example"),
        notes=notes("note"),
        change_notes=notes("changeNote"),
        history_notes=notes("historyNote"),
        editorial_notes=notes("editorialNote"),
        notation=notation_values[0] if notation_values else None,
        notations=tuple(notation_values),
        display_label=shown.get(iri, pref[0]),
        schemes=linked(SKOS_NS + "inScheme"),
        top_concept_of=linked(SKOS_NS + "topConceptOf", *around["top"]),
        broader=broader,
        narrower=linked(SKOS_NS + "narrower", *around["narrower"]),
        related=linked(SKOS_NS + "related", *around["related"]),
        broader_chains=_chains([r.iri for r in broader], parents, ref),
        mappings=tuple(Mapping(kind, r) for kind in MAPPING_KINDS for r in linked(SKOS_NS + kind)),
        collections=refs(*around["collection"]),
        see_also=linked(RDFS_NS + "seeAlso"),
        deprecated=deprecated,
        replaced_by=linked(DCT_NS + "isReplacedBy"),
        created=_first(own.objects.get(DCT_NS + "created")),
        modified=_first(own.objects.get(DCT_NS + "modified")),
        types=linked(RDF_TYPE),
        other=tuple(_properties(own.objects, known, names, lang)),
        lang=lang,
    )


def _first(values: list[Term] | None) -> str | None:
    return str(sorted(values)[0]) if values else None


def _chains(
    direct: list[str], parents: dict[str, set[str]], ref: Callable[[str], Ref]
) -> tuple[tuple[Ref, ...], ...]:
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
    # A chain that another one extends says nothing more: a commune is under its département
    # and under its EPCI, itself under that département; only the longer chain is shown.
    keys = [tuple(r.iri for r in chain) for chain in chains]
    return tuple(
        chain
        for chain, key in zip(chains, keys, strict=True)
        if not any(len(other) > len(key) and other[: len(key)] == key for other in keys)
    )


def _properties(
    objects: dict[str, list[Term]], known: set[str], names: dict[str, list[Term]], lang: str | None
) -> Iterator[Property]:
    """The statements no field of Concept holds, as Property values."""
    for predicate in sorted(objects):
        if predicate in known:
            continue
        for value in objects[predicate]:
            yield make_property(predicate, value, names, lang)


def make_property(
    predicate: str, value: Term, names: dict[str, list[Term]], lang: str | None
) -> Property:
    """A Property from an answer's value, labelled when it is an IRI with a known label."""
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
    own = outgoing(store, iri)
    if not own.objects:
        return None
    objects, names = own.objects, own.names
    labels = (
        objects.get(SKOS_NS + "prefLabel")
        or objects.get(DCT_NS + "title")
        or objects.get(RDFS_NS + "label", [])
    )
    text, text_lang = text_of(labels, lang) or (iri, "")
    types = tuple(make_ref(str(t), names.get(str(t), []), lang) for t in objects.get(RDF_TYPE, []))
    members = tuple(
        sorted(
            (
                make_ref(str(m), names.get(str(m), []), lang)
                for m in objects.get(SKOS_NS + "member", [])
            ),
            key=label_key,
        )
    )
    known = {RDF_TYPE, SKOS_NS + "member"}
    properties = tuple(_properties(objects, known, names, lang))
    return Description(iri, text, text_lang, types, properties, members)


def definition_of(store: Store, iri: str, lang: str | None = None) -> str | None:
    """The definition of a concept best fitting `lang` (one small query), or None."""
    found = rows(store, SPARQL_PREFIXES + "SELECT ?d WHERE { $c skos:definition ?d }",
                 {"c": URIRef(iri)})  # fmt: skip
    chosen = pick_lit([r["d"] for r in found], lang)
    return None if chosen is None else str(chosen)
