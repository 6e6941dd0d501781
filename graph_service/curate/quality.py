"""qSKOS-style quality report: run the SPARQL and Python checks on a store or files, format it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graph_service.curate.quality_python import CheckContext, python_checks
from graph_service.curate.quality_sparql import DOCS, LABELS, SKOS_NS, SPARQL_CHECKS, P, scoped
from graph_service.namespaces import BASE
from graph_service.store import Store
from graph_service.store.base import StoreError
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.formats import format_for_path

__all__ = [
    "DOCS",
    "LABELS",
    "MAX_OFFENDERS",
    "SEVERITIES",
    "SKOS_NS",
    "CheckResult",
    "Offender",
    "P",
    "QualityReport",
    "format_text",
    "load_files",
    "quality_of_files",
    "run_checks",
]

SEVERITIES = ("error", "warning", "info")
#: Checks external links: takes the URLs, returns the broken ones with why.
LinkChecker = Callable[[list[str]], list[tuple[str, str]]]
#: Offenders kept per check: a report on 100k concepts must stay readable and small.
MAX_OFFENDERS = 500


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
    #: The concepts of the schemes, counted as every page counts them (model/schemes.py).
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


def load_files(files: Sequence[Path]) -> Store:
    """Load RDF files into a fresh in-memory store, one named graph per file."""
    store = EmbeddedStore()
    for path in files:
        try:
            store.load(Path(path), format_for_path(path), graph=Path(path).resolve().as_uri())
        except StoreError as exc:
            raise StoreError(f"{path}: not readable as RDF: {exc}") from exc
    return store


def run_checks(
    store: Store,
    *,
    sources: Sequence[str] = (),
    link_checker: LinkChecker | None = None,
) -> QualityReport:
    """Run every check on a store; broken links only when a link checker is given."""
    started = time.perf_counter()
    ctx = CheckContext(store)
    results: list[CheckResult] = []
    for check_id, title, severity, description, query in SPARQL_CHECKS:
        pairs = scoped(check_id, store.select(P + query))
        results.append(_result(ctx, check_id, title, severity, description, pairs))
    for check_id, title, severity, description, pairs in python_checks(ctx):
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
        len(ctx.scheme_concepts),
        round(time.perf_counter() - started, 3),
        results,
    )


def _result(
    ctx: CheckContext,
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


def _external_links(store: Store) -> list[str]:
    """Mapping targets and seeAlso pages outside our namespace (what broken-links fetches)."""
    rows = store.select(
        P
        + "SELECT DISTINCT ?o WHERE { VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch "
        "skos:narrowMatch skos:relatedMatch rdfs:seeAlso } "
        "?c ?p ?o FILTER(isIRI(?o)) }"
    )
    return sorted(str(r["o"]) for r in rows if not str(r["o"]).startswith(BASE))


def quality_of_files(
    files: Sequence[Path], *, link_checker: LinkChecker | None = None
) -> QualityReport:
    """Load files into memory and run every check (loading time included)."""
    started = time.perf_counter()
    store = load_files(files)
    report = run_checks(store, sources=[str(f) for f in files], link_checker=link_checker)
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
