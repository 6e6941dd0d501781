"""The one results table: rows of figures side by side, targets beside them, text and Markdown."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One line of the table; `met` is "yes", "no" or "" (no target, or nothing measured).

    `peer` and `ratio` are oxigraph's columns; `others` holds any further peer's, by name:
    (its figure, ours/its ratio), each shown as two more columns after oxigraph's.
    """

    section: str
    measure: str
    clients: str = ""
    ours: str = ""
    peer: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""
    others: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Report:
    """Conditions of the run, the rows, and the raw figures that went into them."""

    title: str
    conditions: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        """Append a row (and return it)."""
        self.rows.append(row)
        return row

    def _with_peer(self) -> bool:
        """Whether any row compares with oxigraph (the writes scenario measures ours alone)."""
        return any(r.peer or r.ratio for r in self.rows)

    def _others(self) -> list[str]:
        """The further peers' names, in the order they first appear in the rows."""
        return list(dict.fromkeys(name for r in self.rows for name in r.others))

    def _headers(self) -> list[str]:
        peer = ["oxigraph", "ours/oxigraph"] if self._with_peer() else []
        for name in self._others():
            peer += [name, f"ours/{name}"]
        return ["section", "measure", "clients", "ours", *peer, "target", "met"]

    def _values(self, r: Row) -> list[str]:
        peer = [r.peer, r.ratio] if self._with_peer() else []
        for name in self._others():
            peer += list(r.others.get(name, ("", "")))
        return [r.section, r.measure, r.clients, r.ours, *peer, r.target, r.met]

    def _peer_columns(self) -> int:
        """How many (figure, ratio) pairs of columns the peers take."""
        return int(self._with_peer()) + len(self._others())

    def text(self) -> str:
        """A plain-text table for the terminal."""
        cells = [self._headers()] + [self._values(r) for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
        lines = [self.title, *(f"  {c}" for c in self.conditions), ""]
        for number, row in enumerate(cells):
            lines.append(
                "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True))
            )
            if number == 0:
                lines.append("  ".join("-" * width for width in widths))
        return "\n".join(line.rstrip() for line in lines)

    def markdown(self) -> str:
        """The same table in Markdown, with the conditions as a list above it."""
        lines = [
            f"### {self.title}",
            "",
            *(f"- {c}" for c in self.conditions),
            "",
            "| " + " | ".join(self._headers()) + " |",
            "|---|---|---:|---:|" + "---:|---:|" * self._peer_columns() + "---|---|",
        ]
        for r in self.rows:
            values = self._values(r)
            lines.append("| " + " | ".join(v.replace("|", "\\|") for v in values) + " |")
        return "\n".join(lines) + "\n"

    def write(self, markdown_path: Path | None) -> list[Path]:
        """Write the Markdown table and, beside it, the JSON of rows and raw figures."""
        if markdown_path is None:
            return []
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(self.markdown(), encoding="utf-8")
        json_path = markdown_path.with_suffix(".json")
        payload = {
            "title": self.title,
            "conditions": self.conditions,
            "rows": [asdict(r) for r in self.rows],
            "raw": self.raw,
        }
        json_path.write_text(
            json.dumps(payload, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
        )
        return [markdown_path, json_path]


def rate(value: float | None) -> str:
    """Requests per second, as a table cell."""
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:,.0f}/s" if value >= 100 else f"{value:,.1f}/s"


def ms(value: float) -> str:
    """Milliseconds, as a table cell."""
    if math.isnan(value):
        return "n/a"
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def mb(kilobytes: float | None) -> str:
    """Kibibytes shown as MiB."""
    return "n/a" if kilobytes is None else f"{kilobytes / 1024:,.0f} MiB"


def seconds(value: float | None) -> str:
    """Seconds, as a table cell."""
    return "n/a" if value is None else f"{value:,.1f} s"


def ratio(ours: float | None, peer: float | None) -> float | None:
    """ours / peer, or None when either is missing or the peer is zero."""
    if ours is None or peer is None or peer <= 0 or math.isnan(ours) or math.isnan(peer):
        return None
    return ours / peer


def times(value: float | None) -> str:
    """A ratio, as a table cell."""
    return "n/a" if value is None else f"{value:.2f}×"


def verdict(ok: bool | None) -> str:
    """'yes', 'no', or '' when nothing could be compared."""
    return "" if ok is None else ("yes" if ok else "no")


def geometric_mean(values: list[float]) -> float | None:
    """The geometric mean of positive values (the usual way to average ratios)."""
    positive = [v for v in values if v and v > 0]
    if not positive:
        return None
    return math.exp(sum(math.log(v) for v in positive) / len(positive))
