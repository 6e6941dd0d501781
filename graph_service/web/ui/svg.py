"""Layout of the neighbourhood picture of a concept (broader, narrower, related) as plain data.

The template (_neighbourhood.svg.html) draws it as inline SVG; this module only places boxes
in rows: broader above the concept, two related beside it, narrower below, more related last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph_service.model.base import Ref
from graph_service.web.ui.text import wrap

WIDTH = 600
BOX_W, BOX_H = 180, 46
COLUMN = 200  # distance between box centres in a row
ROW_GAP = 34  # vertical room for the edges between rows
PER_ROW = 3
MAX_BROADER, MAX_NARROWER, MAX_RELATED = 3, 9, 5
LABEL_CHARS = 21


@dataclass(frozen=True)
class Node:
    """A box of the picture: a concept (or the "more" box) at its top-left corner."""

    kind: str  # "center", "broader", "narrower", "related", "more"
    iri: str
    label: str
    lines: tuple[str, ...]
    lang: str
    x: int
    y: int
    count: int = 0  # how many the "more" box stands for


@dataclass(frozen=True)
class Edge:
    """A line from the concept to a neighbour."""

    kind: str
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Picture:
    """The whole picture: its size, boxes and lines."""

    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @property
    def box_w(self) -> int:
        """Width of every box."""
        return BOX_W

    @property
    def box_h(self) -> int:
        """Height of every box."""
        return BOX_H


def _row_xs(count: int) -> list[int]:
    """Left edges of `count` boxes centred in the picture."""
    middle = WIDTH // 2
    return [int(middle + (i - (count - 1) / 2) * COLUMN - BOX_W / 2) for i in range(count)]


def _node(kind: str, ref: Ref, x: int, y: int) -> Node:
    return Node(kind, ref.iri, ref.label, wrap(ref.label, LABEL_CHARS), ref.lang, x, y)


def neighbourhood(
    center: Ref, broader: Sequence[Ref], narrower: Sequence[Ref], related: Sequence[Ref]
) -> Picture:
    """Place a concept and its neighbours; long lists are cut and end with a "more" box."""
    nodes: list[Node] = []
    edges: list[Edge] = []
    y = 8
    shown_broader = list(broader[:MAX_BROADER])
    if shown_broader:
        for x, ref in zip(_row_xs(len(shown_broader)), shown_broader, strict=True):
            nodes.append(_node("broader", ref, x, y))
        y += BOX_H + ROW_GAP
    cx = WIDTH // 2 - BOX_W // 2
    center_node = Node("center", center.iri, center.label, wrap(center.label, LABEL_CHARS),
                       center.lang, cx, y)  # fmt: skip
    for node in nodes:
        edges.append(Edge("broader", WIDTH // 2, y, node.x + BOX_W // 2, node.y + BOX_H))
    nodes.append(center_node)
    shown_related = list(related[:MAX_RELATED])
    beside, below = shown_related[:2], shown_related[2:]
    for side, ref in zip((0, 2), beside, strict=False):
        x = _row_xs(3)[side]
        nodes.append(_node("related", ref, x, y))
        start = cx if side == 0 else cx + BOX_W
        end = x + BOX_W if side == 0 else x
        edges.append(Edge("related", start, y + BOX_H // 2, end, y + BOX_H // 2))
    center_bottom = y + BOX_H
    y += BOX_H + ROW_GAP
    shown: list[tuple[str, Ref | None]] = [("narrower", r) for r in narrower[:MAX_NARROWER]]
    if len(narrower) > MAX_NARROWER:
        shown[-1] = ("more", None)
    shown += [("related", r) for r in below]
    if len(related) > MAX_RELATED:
        shown.append(("more-related", None))
    for start in range(0, len(shown), PER_ROW):
        row = shown[start : start + PER_ROW]
        for x, (kind, target) in zip(_row_xs(len(row)), row, strict=True):
            if target is None:
                hidden = (
                    len(narrower) - (MAX_NARROWER - 1)
                    if kind == "more"
                    else (len(related) - MAX_RELATED)
                )
                nodes.append(Node("more", "#narrower" if kind == "more" else "#related",
                                  "", (), "", x, y, hidden))  # fmt: skip
                edge_kind = "narrower" if kind == "more" else "related"
            else:
                nodes.append(_node(kind, target, x, y))
                edge_kind = kind
            edges.append(Edge(edge_kind, WIDTH // 2, center_bottom, x + BOX_W // 2, y))
        y += BOX_H + ROW_GAP
    height = y - ROW_GAP + 8
    return Picture(WIDTH, height, tuple(nodes), tuple(edges))
