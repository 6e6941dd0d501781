"""qSKOS-style quality checks: SPARQL over an in-memory store, Python for graph-wide checks."""

from __future__ import annotations

import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Literal

from ..labels import pick
from ..namespaces import BASE
from ..store import EmbeddedStore, StoreError, format_for_path
from .graphs import strongly_connected
from .textmatch import fold

P = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
LABELS = "skos:prefLabel skos:altLabel skos:hiddenLabel"
DOCS = "skos:definition skos:scopeNote skos:note skos:example skos:historyNote "
DOCS += "skos:editorialNote skos:changeNote"
SEVERITIES = ("error", "warning", "info")
#: Offenders kept per check: a report on 100k concepts must stay readable and small.
MAX_OFFENDERS = 500
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
_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")


@dataclass
class Offender:
    """A resource a check blames, with its label and what is wrong with it."""

    iri: str
    label: str = ""
    detail: str = ""


@dataclass
class CheckResult:
    """The outcome of one check: its id, severity and the offending resources."""

    id: str
    title: str
    severity: str
    description: str
    count: int = 0
    offenders: list[Offender] = field(default_factory=list)


@dataclass
class QualityReport:
    """Every check run on a set of files, with size and timing."""

    sources: list[str]
    triples: int
    concepts: int
    seconds: float
    checks: list[CheckResult]

    def totals(self) -> dict[str, int]:
        """Count of findings per severity (checks with findings only)."""
        totals = dict.fromkeys(SEVERITIES, 0)
        for check in self.checks:
            totals[check.severity] += check.count
        return totals

    def as_dict(self) -> dict:
        """A JSON-ready view of the report."""
        return {**asdict(self), "totals": self.totals()}


def load_files(files: Sequence[Path]) -> EmbeddedStore:
    """Load RDF files into a fresh in-memory store, one named graph per file."""
    store = EmbeddedStore()
    for path in files:
        try:
            store.load(Path(path), format_for_path(path), graph=Path(path).resolve().as_uri())
        except StoreError as exc:
            raise StoreError(f"{path}: not readable as RDF: {exc}") from exc
    return store


# The checks written in SPARQL. Each block: "== id | severity | title", a description line, then
# the query, which selects ?c (the offender) and optionally ?d (a detail shown next to it).
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
== hierarchical-redundancy | info | Hierarchical redundancy
A broader link already implied by a longer path through the hierarchy.
SELECT DISTINCT ?c ?d WHERE { ?c skos:broader|^skos:narrower ?b .
  ?c skos:broader|^skos:narrower ?x . FILTER(?x != ?b && ?x != ?c)
  ?x (skos:broader|^skos:narrower)+ ?b . BIND(CONCAT(STR(?b), ' via ', STR(?x)) AS ?d) }
== missing-labels | error | Missing labels
Concepts and schemes without a preferred label (schemes may use dct:title or rdfs:label).
SELECT ?c WHERE { { ?c a skos:Concept } UNION { ?c a skos:ConceptScheme FILTER NOT EXISTS
  { ?c <http://purl.org/dc/terms/title>|<http://www.w3.org/2000/01/rdf-schema#label> ?t } }
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


_SPARQL_CHECKS = _parse_table(_SPARQL_TABLE)


def _scoped(check_id: str, rows: list[dict]) -> list[tuple[str, str]]:
    """Rows of a SPARQL check as (offender, detail) pairs, filtered where SPARQL cannot."""
    pairs = []
    for row in rows:
        detail = str(row.get("d", "")).replace(SKOS_NS, "skos:")
        if check_id == "undefined-skos-resources" and detail[len("skos:") :] in _SKOS_TERMS:
            continue
        pairs.append((str(row["c"]), detail))
    return pairs


class _Context:
    """What the Python checks share: concepts, their labels, schemes and relations."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.concepts = [
            str(r["c"]) for r in store.select(P + "SELECT ?c WHERE { ?c a skos:Concept }")
        ]
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


def _python_checks(ctx: _Context) -> Iterable[tuple[str, str, str, str, list[tuple[str, str]]]]:
    """The checks that are easier (or only possible) in Python."""
    yield (
        "cyclic-hierarchical-relations",
        "Cyclic hierarchical relations",
        "error",
        "Concepts that are their own ancestors through broader/narrower.",
        _cycles(ctx),
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


def _all_labels(ctx: _Context) -> Iterable[tuple[str, str, Literal]]:
    for iri, labels in ctx.labels.items():
        for kind, literal in labels:
            yield iri, kind, literal


def _unprintable(text: str) -> bool:
    return any(
        unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cn"} and ch not in "\t" for ch in text
    )


def _cycles(ctx: _Context) -> list[tuple[str, str]]:
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


def _clusters(ctx: _Context) -> list[tuple[str, str]]:
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


def _overlaps(ctx: _Context) -> list[tuple[str, str]]:
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for iri, kind, literal in _all_labels(ctx):
        if kind == "hiddenLabel" or not str(literal).strip():
            continue
        for scheme in ctx.schemes.get(iri, {""}):
            # Languages are merged: "Lille"@fr and "Lille"@en are one name, reported once.
            groups[(scheme, " ".join(fold(str(literal)).split()))].add(iri)
    found = []
    for (_, text), members in groups.items():
        if len(members) > 1:
            for iri in sorted(members):
                others = sorted(members - {iri})
                found.append((iri, f"'{text}' also on {', '.join(others[:3])}"))
    return found


def _languages(ctx: _Context) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
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


def run_checks(
    store: EmbeddedStore,
    *,
    sources: Sequence[str] = (),
    link_checker: Callable[[list[str]], list[tuple[str, str]]] | None = None,
) -> QualityReport:
    """Run every check on a store; broken links only when a link checker is given."""
    started = time.perf_counter()
    ctx = _Context(store)
    results: list[CheckResult] = []
    for check_id, title, severity, description, query in _SPARQL_CHECKS:
        pairs = _scoped(check_id, store.select(P + query))
        results.append(_result(ctx, check_id, title, severity, description, pairs))
    for check_id, title, severity, description, pairs in _python_checks(ctx):
        results.append(_result(ctx, check_id, title, severity, description, pairs))
    if link_checker is not None:
        results.append(
            _result(
                ctx,
                "broken-links",
                "Broken links",
                "warning",
                "External links that do not answer with a success status.",
                link_checker(_external_links(store)),
            )
        )
    return QualityReport(
        list(sources),
        store.count(),
        len(ctx.concepts),
        round(time.perf_counter() - started, 3),
        results,
    )


def _result(
    ctx: _Context,
    check_id: str,
    title: str,
    severity: str,
    description: str,
    pairs: list[tuple[str, str]],
) -> CheckResult:
    seen: dict[tuple[str, str], None] = dict.fromkeys(pairs)
    offenders = [
        Offender(iri, ctx.label(iri), detail) for iri, detail in list(seen)[:MAX_OFFENDERS]
    ]
    return CheckResult(check_id, title, severity, description, len(seen), offenders)


def _external_links(store: EmbeddedStore) -> list[str]:
    """Mapping targets and seeAlso pages outside our namespace (what broken-links fetches)."""
    rows = store.select(
        P
        + "SELECT DISTINCT ?o WHERE { VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch "
        "skos:narrowMatch skos:relatedMatch <http://www.w3.org/2000/01/rdf-schema#seeAlso> } "
        "?c ?p ?o FILTER(isIRI(?o)) }"
    )
    return sorted(str(r["o"]) for r in rows if not str(r["o"]).startswith(BASE))


def quality_of_files(files: Sequence[Path], **kwargs: object) -> QualityReport:
    """Load files into memory and run every check (loading time included)."""
    started = time.perf_counter()
    store = load_files(files)
    report = run_checks(store, sources=[str(f) for f in files], **kwargs)  # type: ignore[arg-type]
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def format_text(report: QualityReport, *, limit: int = 10) -> str:
    """A human report: one block per check with findings, then a summary line."""
    lines = [
        f"quality of {len(report.sources)} file(s): {report.triples:,} triples, "
        f"{report.concepts:,} concepts, {report.seconds:.1f} s"
    ]
    for check in sorted(report.checks, key=lambda c: (SEVERITIES.index(c.severity), c.id)):
        if not check.count:
            continue
        lines.append(f"{check.severity.upper():7} {check.id}: {check.count}  ({check.title})")
        for offender in check.offenders[:limit]:
            label = f" ({offender.label})" if offender.label else ""
            detail = f": {offender.detail}" if offender.detail else ""
            lines.append(f"        <{offender.iri}>{label}{detail}")
        if check.count > limit:
            lines.append(f"        ... and {check.count - limit} more")
    passed = sum(1 for c in report.checks if not c.count)
    totals = report.totals()
    lines.append(
        f"{len(report.checks)} checks, {passed} passed; {totals['error']} errors, "
        f"{totals['warning']} warnings, {totals['info']} notices"
    )
    return "\n".join(lines)
