"""Vocabulary-wide questions: info, languages, licences, groups and their members (counts and
lists of a vocabulary: model/stats.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef

from graph_service.model.base import (
    SPARQL_PREFIXES,
    Ref,
    Term,
    label_key,
    make_ref,
    memo,
    truthy,
)
from graph_service.model.base import rows as select_rows
from graph_service.model.schemes import SCHEME_MEMBERS, scheme_for_vocab, schemes
from graph_service.model.tree import row_refs
from graph_service.namespaces import BASE
from graph_service.store import Store

#: Members of a scheme ($s): stated members and top concepts (model/schemes.py).
IN_SCHEME = SCHEME_MEMBERS
#: Collections of a scheme: stated in it, or holding its concepts. Two sub-selects, each
#: evaluated once: the FILTER EXISTS it replaces ran its member join (every skos:member of the
#: store against every member of the scheme) once per collection of the store, 75 s for STW's
#: groups and 7 s for its types with UNESCO's 95 collections beside it.
SCHEME_COLLECTIONS = (
    "{ SELECT DISTINCT ?c WHERE { VALUES ?collection { skos:Collection skos:OrderedCollection }"
    " ?c a ?collection . ?c skos:inScheme $s } } UNION { SELECT DISTINCT ?c WHERE { "
    "VALUES ?collection { skos:Collection skos:OrderedCollection } ?c a ?collection . "
    "?c skos:member ?member . ?member skos:inScheme $s } }"
)
COLLECTIONS = "{ SELECT DISTINCT ?c WHERE { " + SCHEME_COLLECTIONS + " } }"


@dataclass(frozen=True)
class VocabularyInfo:
    """A vocabulary (one concept scheme) as Skosmos describes it."""

    id: str
    iri: str
    title: str
    title_lang: str
    description: str
    default_language: str
    languages: tuple[str, ...]
    schemes: tuple[Ref, ...]
    concept_count: int
    modified: str | None


@dataclass(frozen=True)
class Group:
    """A collection used as a thematic group of a vocabulary."""

    iri: str
    label: str
    lang: str
    notation: str | None
    child_groups: tuple[str, ...]
    has_members: bool


@dataclass(frozen=True)
class Member:
    """A member of a group (a concept, or a group nested in it)."""

    iri: str
    label: str
    lang: str
    notation: str | None
    types: tuple[str, ...]
    has_members: bool


def scheme_node(store: Store, vocab_id: str) -> URIRef | None:
    """The IRI of a vocabulary's scheme, as a term to bind, or None for an unknown id."""
    found = scheme_for_vocab(store, vocab_id)
    return None if found is None else URIRef(found.iri)


def languages(store: Store, scheme_iri: str) -> tuple[str, ...]:
    """Languages of the preferred labels of a scheme's concepts, French and English first."""

    def compute() -> tuple[str, ...]:
        rows = select_rows(
            store,
            SPARQL_PREFIXES
            + f"SELECT DISTINCT (LANG(?l) AS ?lang) WHERE {{ {IN_SCHEME} ?c skos:prefLabel ?l }}",
            {"s": URIRef(scheme_iri)},
        )
        found = {str(r["lang"]).lower() for r in rows if str(r.get("lang", ""))}
        order = {"fr": 0, "en": 1}
        return tuple(sorted(found, key=lambda code: (order.get(code, 2), code)))

    return memo(store, ("languages", scheme_iri), compute)


def vocabulary_info(store: Store, vocab_id: str, lang: str | None = None) -> VocabularyInfo | None:
    """The vocabulary with this id, titled in `lang`; None if no scheme has this id."""
    summary = next((s for s in schemes(store, lang) if s.vocab_id == vocab_id), None)
    if summary is None:
        return None
    rows = select_rows(
        store,
        SPARQL_PREFIXES + "SELECT ?m WHERE { $s dct:modified ?m }",
        {"s": URIRef(summary.iri)},
    )
    langs = languages(store, summary.iri)
    return VocabularyInfo(
        id=vocab_id,
        iri=summary.iri,
        title=summary.title,
        title_lang=summary.title_lang,
        description=summary.description,
        default_language="fr" if "fr" in langs or not langs else langs[0],
        languages=langs,
        schemes=(Ref(summary.iri, summary.title, summary.title_lang),),
        concept_count=summary.concept_count,
        modified=max((str(r["m"]) for r in rows), default=None),
    )


def groups(store: Store, vocab_id: str, lang: str | None = None) -> list[Group] | None:
    """Collections of a vocabulary (stated in the scheme or holding its concepts), by label."""
    scheme = scheme_node(store, vocab_id)
    if scheme is None:
        return None
    query = (
        SPARQL_PREFIXES
        + f"""SELECT DISTINCT ?x ?l ?n ?child ?has WHERE {{
  {{ SELECT (?c AS ?x) WHERE {{ {COLLECTIONS} }} }}
  OPTIONAL {{ ?x skos:member ?child . ?child a skos:Collection }}
  OPTIONAL {{ ?x skos:prefLabel|rdfs:label ?l }} OPTIONAL {{ ?x skos:notation ?n }}
  BIND(EXISTS {{ ?x skos:member ?any }} AS ?has)
}}"""
    )
    # Remembered per version (language apart): the scheme page and REST groups ask each time.
    rows = memo(store, ("groups", str(scheme)), lambda: select_rows(store, query, {"s": scheme}))
    return _groups(rows, lang)


def _groups(rows: list[dict[str, Term]], lang: str | None) -> list[Group]:
    labels: dict[str, list[Term]] = defaultdict(list)
    kids: dict[str, set[str]] = defaultdict(set)
    facts: dict[str, dict[str, Term]] = {}
    for row in rows:
        x = str(row["x"])
        facts.setdefault(x, row)
        if "l" in row:
            labels[x].append(row["l"])
        if "child" in row:
            kids[x].add(str(row["child"]))
    result = []
    for x, row in facts.items():
        ref = make_ref(x, labels[x], lang, str(row["n"]) if "n" in row else None)
        result.append(
            Group(
                x,
                ref.label,
                ref.lang,
                ref.notation,
                tuple(sorted(kids[x])),
                truthy(row["has"]),
            )
        )
    return sorted(result, key=lambda g: label_key(Ref(g.iri, g.label)))


def group_members(store: Store, group_iri: str, lang: str | None = None) -> list[Member] | None:
    """Members of a collection with their types; None if the IRI is not a collection."""
    rows = select_rows(
        store,
        SPARQL_PREFIXES
        + """SELECT DISTINCT ?x ?t ?l ?n ?has WHERE {
  $g a ?class . VALUES ?class { skos:Collection skos:OrderedCollection }
  $g skos:member ?x .
  FILTER NOT EXISTS { ?x owl:deprecated true }
  OPTIONAL { ?x a ?t } OPTIONAL { ?x skos:prefLabel|rdfs:label ?l } OPTIONAL { ?x skos:notation ?n }
  BIND(EXISTS { ?x skos:member ?any } AS ?has)
}""",
        {"g": URIRef(group_iri)},
    )
    if not rows:
        is_group = store.ask(
            SPARQL_PREFIXES
            + "ASK { $g a ?c VALUES ?c { skos:Collection skos:OrderedCollection } }",
            {"g": URIRef(group_iri)},
        )
        return [] if is_group else None
    types: dict[str, set[str]] = defaultdict(set)
    has: dict[str, bool] = {}
    for row in rows:
        if "t" in row:
            types[str(row["x"])].add(str(row["t"]))
        has[str(row["x"])] = truthy(row["has"])
    return [
        Member(r.iri, r.label, r.lang, r.notation, tuple(sorted(types[r.iri])), has[r.iri])
        for r in row_refs(rows, lang)
    ]


def members_closure(store: Store, group_iri: str) -> set[str]:
    """The members of a collection and of the collections in it, at any depth."""
    query = SPARQL_PREFIXES + "SELECT DISTINCT ?c WHERE { $g skos:member+ ?c }"
    return {str(r["c"]) for r in select_rows(store, query, {"g": URIRef(group_iri)})}


# --- licences ---------------------------------------------------------------------------------

#: The licence property of Creative Commons' vocabulary (STW states its licence with it).
CC_LICENSE = "http://creativecommons.org/ns#license"
#: Names of the licences vocabularies state, for data that does not label them (fr, en).
LICENCE_NAMES: dict[str, tuple[str, str]] = {
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/": (
        "Licence Ouverte 2.0", "Open Licence 2.0"),
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence": (
        "Licence Ouverte 2.0", "Open Licence 2.0"),
    "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf": (
        "Licence Ouverte 2.0", "Open Licence 2.0"),
    "http://creativecommons.org/licenses/by-sa/3.0/igo/": ("CC BY-SA 3.0 IGO", "CC BY-SA 3.0 IGO"),
    "https://creativecommons.org/licenses/by-sa/3.0/igo/": ("CC BY-SA 3.0 IGO", "CC BY-SA 3.0 IGO"),
    "http://creativecommons.org/licenses/by/4.0/": ("CC BY 4.0", "CC BY 4.0"),
    "https://creativecommons.org/licenses/by/4.0/": ("CC BY 4.0", "CC BY 4.0"),
    "http://creativecommons.org/publicdomain/zero/1.0/": ("CC0 1.0", "CC0 1.0"),
    "https://creativecommons.org/publicdomain/zero/1.0/": ("CC0 1.0", "CC0 1.0"),
    "http://opendatacommons.org/licenses/odbl/1-0/": ("ODbL 1.0", "ODbL 1.0"),
    "https://opendatacommons.org/licenses/odbl/1-0/": ("ODbL 1.0", "ODbL 1.0"),
}  # fmt: skip


@dataclass(frozen=True)
class Licence:
    """The licence a vocabulary states: its IRI ("" when stated as text) and its name."""

    iri: str
    label: str
    lang: str


def scheme_licences(store: Store, lang: str | None = None) -> dict[str, Licence]:
    """The licence of each concept scheme stating one (dct:license or cc:license), named from
    the data's label, else from LICENCE_NAMES, else by its IRI (remembered per data version)."""

    def compute() -> dict[str, Licence]:
        found = select_rows(
            store,
            SPARQL_PREFIXES
            + f"""SELECT ?s ?lic ?l WHERE {{
  ?s a skos:ConceptScheme .
  {{ ?s dct:license ?lic }} UNION {{ ?s <{CC_LICENSE}> ?lic }}
  OPTIONAL {{ ?lic rdfs:label|dct:title|skos:prefLabel ?l }}
}}""",
        )
        names: dict[tuple[str, str], list[Term]] = defaultdict(list)
        for row in found:
            names.setdefault((str(row["s"]), str(row["lic"])), [])
            if "l" in row:
                names[(str(row["s"]), str(row["lic"]))].append(row["l"])
        result: dict[str, Licence] = {}
        for (scheme, licence), labels in sorted(names.items()):
            if scheme in result:
                continue  # one licence per scheme shown; the data keeps them all
            result[scheme] = _licence(licence, labels, lang)
        return result

    return memo(store, ("licences", lang), compute)


def _licence(value: str, labels: list[Term], lang: str | None) -> Licence:
    """A Licence from an IRI (or a text) and the labels the data gives it."""
    if not value.startswith(("http://", "https://")):
        return Licence("", value, "")
    if not labels and value in LICENCE_NAMES:
        # A name, not content: shown as the page's own words, without a language of its own.
        french, english = LICENCE_NAMES[value]
        return Licence(value, french if lang == "fr" else english, "")
    ref = make_ref(value, labels, lang)
    return Licence(value, ref.label, ref.lang)


def licence_of(store: Store, scheme_iri: str | None, lang: str | None = None) -> Licence | None:
    """The licence of one scheme, else of the service's own vocabularies (the first of ours
    that states one), else None."""
    found = scheme_licences(store, lang)
    if scheme_iri and scheme_iri in found:
        return found[scheme_iri]
    own = [s.iri for s in schemes(store, lang) if s.iri.startswith(BASE)]
    return next((found[iri] for iri in own if iri in found), None)
