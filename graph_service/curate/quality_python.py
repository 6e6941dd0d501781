"""The quality checks written in Python: graph-wide checks on labels, schemes and relations."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal

from graph_service.curate.graphs import strongly_connected
from graph_service.curate.quality_sparql import LABELS, SKOS_NS, P
from graph_service.labels import pick
from graph_service.model.schemes import concepts_of
from graph_service.store import Store
from graph_service.text import fold

_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")


class CheckContext:
    """What the Python checks share: concepts, their labels, schemes and relations."""

    def __init__(self, store: Store) -> None:
        self.store = store
        #: The concepts of the schemes by the one definition every page counts (concepts_of:
        #: STW's deprecated concepts are typed only with a subclass of skos:Concept).
        self.scheme_concepts = {
            str(r["c"])
            for r in store.select(
                P + "SELECT DISTINCT ?c WHERE { ?scheme a skos:ConceptScheme . "
                f"{concepts_of('?scheme')} }}"
            )
        }
        # The checks also see concepts outside any scheme: a file without one is checked too.
        typed = store.select(P + "SELECT ?c WHERE { ?c a skos:Concept }")
        self.concepts = sorted(self.scheme_concepts | {str(r["c"]) for r in typed})
        self.labels: dict[str, list[tuple[str, Literal]]] = defaultdict(list)
        for row in store.select(
            P + f"SELECT ?c ?p ?l WHERE {{ VALUES ?p {{ {LABELS} }} ?c ?p ?l }}"
        ):
            if isinstance(row["l"], Literal):
                self.labels[str(row["c"])].append((str(row["p"])[len(SKOS_NS) :], row["l"]))
        self.schemes: dict[str, set[str]] = defaultdict(set)
        for row in store.select(
            P + "SELECT ?c ?s WHERE { { ?c skos:inScheme|skos:topConceptOf ?s } UNION "
            "{ ?s skos:hasTopConcept ?c } }"
        ):
            self.schemes[str(row["c"])].add(str(row["s"]))
        self.broader = [
            (str(r["c"]), str(r["b"]))
            for r in store.select(
                P + "SELECT DISTINCT ?c ?b WHERE { ?c skos:broader|^skos:narrower ?b }"
            )
        ]
        self.related = [
            (str(r["c"]), str(r["o"]))
            for r in store.select(P + "SELECT ?c ?o WHERE { ?c skos:related ?o }")
        ]

    def label(self, iri: str) -> str:
        """The offender's preferred label (fr, en, any)."""
        prefs = [lit for kind, lit in self.labels.get(iri, ()) if kind == "prefLabel"]
        chosen = pick(prefs)
        return str(chosen) if chosen is not None else ""


def python_checks(ctx: CheckContext) -> Iterable[tuple[str, str, str, str, list[tuple[str, str]]]]:
    """The checks that are easier (or only possible) in Python."""
    yield (
        "cyclic-hierarchical-relations",
        "Cyclic hierarchical relations",
        "error",
        "Concepts that are their own ancestors through broader/narrower.",
        _cycles(ctx),
    )
    yield (
        "hierarchical-redundancy",
        "Hierarchical redundancy",
        "info",
        "A broader link already implied by a longer path through the hierarchy.",
        _redundant_broader(ctx),
    )
    yield (
        "disconnected-concept-clusters",
        "Disconnected concept clusters",
        "info",
        "Groups of related concepts cut off from the main body of their scheme.",
        _clusters(ctx),
    )
    yield (
        "overlapping-labels",
        "Overlapping labels",
        "warning",
        "Two concepts of one scheme with the same label (case and accents ignored).",
        _overlaps(ctx),
    )
    yield (
        "empty-labels",
        "Empty labels",
        "error",
        "Labels that are empty or only spaces.",
        [(c, f"{k} is empty") for c, k, lit in _all_labels(ctx) if not str(lit).strip()],
    )
    yield (
        "unprintable-characters-in-labels",
        "Unprintable characters in labels",
        "warning",
        "Control or invisible characters inside labels.",
        [(c, f"{k} {str(lit)!r}") for c, k, lit in _all_labels(ctx) if _unprintable(str(lit))],
    )
    yield (
        "extra-whitespace-in-labels",
        "Extra whitespace in labels",
        "warning",
        "Leading, trailing or doubled spaces in labels (Skosify's check).",
        [
            (c, f"{k} {str(lit)!r}")
            for c, k, lit in _all_labels(ctx)
            if str(lit).strip() and (str(lit) != str(lit).strip() or "  " in str(lit))
        ],
    )
    yield (
        "invalid-language-tags",
        "Invalid language tags",
        "warning",
        "Language tags that are not well-formed BCP 47.",
        [
            (c, f"{k} @{lit.language}")
            for c, k, lit in _all_labels(ctx)
            if lit.language and not _LANG_TAG.match(lit.language)
        ],
    )
    coverage, common = _languages(ctx)
    yield (
        "incomplete-language-coverage",
        "Incomplete language coverage",
        "info",
        "Concepts without a preferred label in some language used by the vocabulary.",
        coverage,
    )
    yield (
        "no-common-languages",
        "No common languages",
        "warning",
        "No language in which every concept has a preferred label.",
        common,
    )


def _all_labels(ctx: CheckContext) -> Iterable[tuple[str, str, Literal]]:
    for iri, labels in ctx.labels.items():
        for kind, literal in labels:
            yield iri, kind, literal


def _unprintable(text: str) -> bool:
    return any(
        unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cn"} and ch not in "\t" for ch in text
    )


def _cycles(ctx: CheckContext) -> list[tuple[str, str]]:
    """Concepts on a broader cycle: the strongly connected sets of more than one concept."""
    up: dict[str, set[str]] = defaultdict(set)
    for child, parent in ctx.broader:
        if child != parent:  # self-loops are reflexively-related
            up[child].add(parent)
    found: list[tuple[str, str]] = []
    for component in strongly_connected(up):
        if len(component) > 1:
            members = sorted(component)
            names = " > ".join(ctx.label(m) or m for m in members[:6])
            found += [(m, f"cycle of {len(component)}: {names}") for m in members]
    return found


def _redundant_broader(ctx: CheckContext) -> list[tuple[str, str]]:
    """Direct broader links (b) that another direct broader concept (x) reaches, as
    (concept, "b via x"): SPARQL's `?x (skos:broader|^skos:narrower)+ ?b` with both ends
    bound, computed from the direct links. In SPARQL, Virtuoso 7.2.5 answered "VECSL: Internal
    error" to it, or wrong rows (84 extra on the committed vocab/) once put in FILTER EXISTS."""
    up: dict[str, set[str]] = defaultdict(set)
    for child, parent in ctx.broader:
        up[child].add(parent)
    reached: dict[str, set[str]] = {}

    def ancestors(node: str) -> set[str]:
        """Every concept one or more broader steps above `node` (cycles end the walk)."""
        if node not in reached:
            seen: set[str] = set()
            todo = list(up.get(node, ()))
            while todo:
                step = todo.pop()
                if step not in seen:
                    seen.add(step)
                    todo.extend(up.get(step, ()))
            reached[node] = seen
        return reached[node]

    return sorted(
        (concept, f"{parent} via {other}")
        for concept, parents in up.items()
        for other in parents
        if other != concept
        for parent in parents
        if parent != other and parent in ancestors(other)
    )


def _clusters(ctx: CheckContext) -> list[tuple[str, str]]:
    """Union-find over broader and related; every cluster but the largest of its scheme."""
    parent: dict[str, str] = {c: c for c in ctx.concepts}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in [*ctx.broader, *ctx.related]:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    clusters: dict[str, list[str]] = defaultdict(list)
    for concept in ctx.concepts:
        clusters[find(concept)].append(concept)
    by_scheme: dict[str, list[list[str]]] = defaultdict(list)
    for members in clusters.values():
        if len(members) > 1:  # single concepts are orphan-concepts
            scheme = min((s for m in members for s in ctx.schemes.get(m, ())), default="")
            by_scheme[scheme].append(sorted(members))
    found = []
    for groups in by_scheme.values():
        groups.sort(key=len, reverse=True)
        for members in groups[1:]:
            found.append((members[0], f"cluster of {len(members)} concepts"))
    return found


def _overlaps(ctx: CheckContext) -> list[tuple[str, str]]:
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for iri, kind, literal in _all_labels(ctx):
        if kind == "hiddenLabel" or not str(literal).strip():
            continue
        for scheme in ctx.schemes.get(iri, {""}):
            # Languages are merged: "Lille"@fr and "Lille"@en are one name, reported once.
            groups[(scheme, fold(str(literal)))].add(iri)
    found = []
    for (_, text), members in groups.items():
        if len(members) > 1:
            for iri in sorted(members):
                others = sorted(members - {iri})
                found.append((iri, f"'{text}' also on {', '.join(others[:3])}"))
    return found


def _languages(ctx: CheckContext) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    per_concept = {
        c: {
            lit.language.lower()
            for k, lit in ctx.labels.get(c, ())
            if k == "prefLabel" and lit.language
        }
        for c in ctx.concepts
    }
    used = set().union(*per_concept.values()) if per_concept else set()
    coverage = [
        (c, "no prefLabel in " + ", ".join(sorted(used - langs)))
        for c, langs in per_concept.items()
        if langs and used - langs
    ]
    common = set.intersection(*per_concept.values()) if per_concept else used
    no_common = (
        [] if common or not per_concept else [("", f"languages used: {', '.join(sorted(used))}")]
    )
    return coverage, no_common
