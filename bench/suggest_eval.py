"""Precision and recall of `suggest` against subjects a documentalist chose beforehand.

`python -m bench.suggest_eval [docs/evaluation/subjects-chosen.json]` builds the committed
vocab/ into a temporary store, runs `suggest` on the text recorded for each resource (the same
text `graph-service suggest` is given: title, blank line, summary), keeps what a reviewer would
be offered (the CLI's default 20 suggestions; subjects are notions and themes scoring at least
ingest's cut-off, places are every territory suggested) and compares them with the chosen
subjects and territories. It prints a Markdown report (figures, then every miss and every false
positive with what matched) and, with --json, writes the raw comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graph_service.config import PROJECT_ROOT
from graph_service.curate.ingest import SUBJECT_THRESHOLD
from graph_service.curate.suggest import Suggestion, suggest
from graph_service.store import Store
from graph_service.store.build import build_store, open_current

CHOSEN = PROJECT_ROOT / "docs" / "evaluation" / "subjects-chosen.json"
CLI_LIMIT = 20  # `graph-service suggest`'s default --limit
SUBJECT_VOCABS = {"notions", "thematiques"}


@dataclass
class Comparison:
    """Chosen and suggested concepts of one resource, for one kind (subjects or places)."""

    chosen: list[str]
    suggested: list[str]
    why: dict[str, str] = field(default_factory=dict)

    @property
    def hits(self) -> list[str]:
        """Suggested concepts the documentalist had chosen."""
        return [c for c in self.suggested if c in self.chosen]

    @property
    def misses(self) -> list[str]:
        """Chosen concepts that were not suggested."""
        return [c for c in self.chosen if c not in self.suggested]

    @property
    def false_positives(self) -> list[str]:
        """Suggested concepts the documentalist had not chosen."""
        return [c for c in self.suggested if c not in self.chosen]


@dataclass
class ResourceResult:
    """The comparison of one resource of the chosen file."""

    file: str
    subjects: Comparison
    places: Comparison


def _why(hit: Suggestion) -> str:
    return f'{hit.score:.2f} "{hit.matched}" ({hit.matched_kind})'


def evaluate(store: Store, chosen: dict) -> list[ResourceResult]:
    """Compare `suggest` with the chosen subjects and territories of every resource."""
    results = []
    for entry in chosen["resources"]:
        hits = suggest(store, entry["text"], limit=CLI_LIMIT)
        subjects = [
            h for h in hits if h.vocab_id in SUBJECT_VOCABS and h.score >= SUBJECT_THRESHOLD
        ]
        places = [h for h in hits if h.vocab_id == "territoires"]
        results.append(
            ResourceResult(
                file=entry["file"],
                subjects=Comparison(
                    chosen=entry["subjects"] + entry["themes"],
                    suggested=[h.iri for h in subjects],
                    why={h.iri: _why(h) for h in subjects},
                ),
                places=Comparison(
                    chosen=entry["territories"],
                    suggested=[h.iri for h in places],
                    why={h.iri: _why(h) for h in places},
                ),
            )
        )
    return results


def totals(comparisons: list[Comparison]) -> tuple[int, int, int]:
    """Hits, suggested and chosen counts summed over resources (micro-average inputs)."""
    return (
        sum(len(c.hits) for c in comparisons),
        sum(len(c.suggested) for c in comparisons),
        sum(len(c.chosen) for c in comparisons),
    )


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f} ({part}/{whole})" if whole else "n/a (0/0)"


def _short(iri: str) -> str:
    return iri.removeprefix("https://w3id.org/pdv/")


def report(results: list[ResourceResult]) -> str:
    """Markdown: micro-averaged figures, a table per resource, misses and false positives."""
    lines = ["| kind | precision | recall |", "| --- | --- | --- |"]
    for kind in ("subjects", "places"):
        hit, suggested, chosen = totals([getattr(r, kind) for r in results])
        lines.append(f"| {kind} | {_ratio(hit, suggested)} | {_ratio(hit, chosen)} |")
    lines += [
        "",
        "| resource | subjects P | subjects R | places P | places R |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        s, p = r.subjects, r.places
        lines.append(
            f"| {Path(r.file).stem} | {_ratio(len(s.hits), len(s.suggested))} | "
            f"{_ratio(len(s.hits), len(s.chosen))} | {_ratio(len(p.hits), len(p.suggested))} | "
            f"{_ratio(len(p.hits), len(p.chosen))} |"
        )
    for r in results:
        lines += ["", f"### {Path(r.file).stem}"]
        for kind in ("subjects", "places"):
            c = getattr(r, kind)
            for iri in c.misses:
                lines.append(f"- {kind} miss: {_short(iri)}")
            for iri in c.false_positives:
                lines.append(f"- {kind} false positive: {_short(iri)} — {c.why.get(iri, '')}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build vocab/, evaluate the chosen file, print the report."""
    parser = argparse.ArgumentParser(prog="python -m bench.suggest_eval", description=__doc__)
    parser.add_argument("chosen", nargs="?", type=Path, default=CHOSEN)
    parser.add_argument("--vocab", type=Path, default=PROJECT_ROOT / "vocab")
    parser.add_argument("--json", type=Path, help="also write the raw comparison here")
    args = parser.parse_args(argv)
    chosen = json.loads(args.chosen.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as data_dir:
        build_store(args.vocab, Path(data_dir))
        store = open_current(Path(data_dir), read_only=True)
        results = evaluate(store, chosen)
    sys.stdout.write(report(results))
    if args.json:
        args.json.write_text(
            json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
