"""Layout of the neighbourhood picture of a concept (broader, narrower, related) as plain data.

The template (_neighbourhood.svg.html) draws it as inline SVG; this module only places boxes and
routes lines. The picture is narrow (it fits a 375 px phone unscaled) and every line is one
relation of the concept, drawn so that it never crosses a box:

- broader concepts sit above the concept, narrower ones below, in two columns on each side of a
  vertical trunk that leaves the concept's top (broader) or bottom (narrower); each box hangs on
  the trunk by a short horizontal branch, so siblings all visibly join the concept itself;
- related concepts come last, one per row, joined by a dashed line that leaves the concept's left
  side and runs down a gutter left of every other box;
- beyond a dozen, the last box of a group is a "+ N others" box that links to the full list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph_service.model.base import Ref
from graph_service.web.ui.text import wrap

WIDTH = 360
MARGIN = 8  # above the first row and below the last
TRUNK_X = WIDTH // 2  # the vertical line between the two columns
COLUMN_W = 150  # a box of the two-column groups (broader, narrower)
COLUMN_GAP = 16  # between a column's box and the trunk
CENTER_W, CENTER_H = 224, 48
BOX_H = 40
ROW_GAP = 8  # between two rows of one group
GROUP_GAP = 26  # between a group and the concept
GUTTER_X = 6  # the related lines' vertical run, left of every box
RELATED_X = 22
LEFT_X = TRUNK_X - COLUMN_GAP - COLUMN_W  # 14: the left column, right of the gutter
RIGHT_X = TRUNK_X + COLUMN_GAP
# Beyond these counts the last box stands for the rest ("+ N others").
MAX_BROADER, MAX_NARROWER, MAX_RELATED = 6, 12, 6
# Characters per line at the CSS font size (13 px) for each box width.
COLUMN_CHARS, CENTER_CHARS, RELATED_CHARS = 19, 25, 40


@dataclass(frozen=True)
class Node:
    """A box of the picture: a concept (or a "more" box) with its top-left corner and size."""

    kind: str  # "center", "broader", "narrower", "related", "more"
    iri: str  # for a "more" box, the in-page link to the full list ("" if none)
    label: str
    lines: tuple[str, ...]
    lang: str
    x: int
    y: int
    w: int
    h: int
    count: int = 0  # how many concepts a "more" box stands for
    relation: str = ""  # the relation a "more" box stands for

    @property
    def cx(self) -> int:
        """Horizontal centre (where the text is anchored)."""
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        """Vertical centre."""
        return self.y + self.h // 2


@dataclass(frozen=True)
class Edge:
    """A line from the concept to one neighbour box: a polyline of horizontal/vertical runs."""

    kind: str  # "broader", "narrower", "related"
    points: tuple[tuple[int, int], ...]

    @property
    def path(self) -> str:
        """The points as an SVG `points` attribute."""
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass(frozen=True)
class Picture:
    """The whole picture: its size, boxes and lines."""

    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def _folded(refs: Sequence[Ref], limit: int) -> tuple[list[Ref], int]:
    """The refs to draw and how many a final "more" box stands for (0: all are drawn)."""
    if len(refs) <= limit:
        return list(refs), 0
    return list(refs[: limit - 1]), len(refs) - (limit - 1)


def _box(kind: str, ref: Ref, x: int, y: int, w: int, chars: int) -> Node:
    return Node(kind, ref.iri, ref.label, wrap(ref.label, chars), ref.lang, x, y, w, BOX_H)


def _more(relation: str, count: int, x: int, y: int, w: int) -> Node:
    # Broader concepts have no list anchor on the page: that box is not a link.
    anchor = {"narrower": "#narrower", "related": "#related"}.get(relation, "")
    return Node("more", anchor, "", (), "", x, y, w, BOX_H, count, relation)


def _column_group(kind: str, refs: Sequence[Ref], limit: int, top: int) -> tuple[list[Node], int]:
    """Boxes of a broader/narrower group in rows from `top`: one centred box, or two columns.
    Returns the boxes and the y just below the last row."""
    shown, hidden = _folded(refs, limit)
    items: list[Ref | None] = [*shown, *([None] if hidden else [])]
    nodes: list[Node] = []
    for i, ref in enumerate(items):
        lone = len(items) == 1
        x = TRUNK_X - COLUMN_W // 2 if lone else (LEFT_X if i % 2 == 0 else RIGHT_X)
        y = top + (i // 2 if len(items) > 1 else 0) * (BOX_H + ROW_GAP)
        if ref is None:
            nodes.append(_more(kind, hidden, x, y, COLUMN_W))
        else:
            nodes.append(_box(kind, ref, x, y, COLUMN_W, COLUMN_CHARS))
    rows = 1 if len(items) == 1 else (len(items) + 1) // 2
    return nodes, top + rows * (BOX_H + ROW_GAP) - ROW_GAP if items else top


def _trunk_edge(kind: str, start_y: int, node: Node) -> Edge:
    """From the concept's top or bottom at the trunk to a box: straight when the box sits on
    the trunk, else down (or up) the trunk and across to the box's near side."""
    if node.x <= TRUNK_X <= node.x + node.w:  # a lone box, centred on the trunk
        end_y = node.y + node.h if node.y < start_y else node.y
        return Edge(kind, ((TRUNK_X, start_y), (TRUNK_X, end_y)))
    side_x = node.x + node.w if node.x < TRUNK_X else node.x
    return Edge(kind, ((TRUNK_X, start_y), (TRUNK_X, node.cy), (side_x, node.cy)))


def neighbourhood(
    center: Ref, broader: Sequence[Ref], narrower: Sequence[Ref], related: Sequence[Ref]
) -> Picture:
    """Place a concept and its neighbours; a group beyond its limit ends with a "more" box."""
    nodes: list[Node] = []
    edges: list[Edge] = []
    y = MARGIN
    broader_nodes, bottom = _column_group("broader", broader, MAX_BROADER, y)
    if broader_nodes:
        y = bottom + GROUP_GAP
    center_node = Node("center", center.iri, center.label, wrap(center.label, CENTER_CHARS),
                       center.lang, TRUNK_X - CENTER_W // 2, y, CENTER_W, CENTER_H)  # fmt: skip
    nodes.append(center_node)
    for node in broader_nodes:
        nodes.append(node)
        edges.append(_trunk_edge("broader", center_node.y, node))
    y = center_node.y + CENTER_H
    narrower_nodes, bottom = _column_group("narrower", narrower, MAX_NARROWER, y + GROUP_GAP)
    for node in narrower_nodes:
        nodes.append(node)
        edges.append(_trunk_edge("narrower", center_node.y + CENTER_H, node))
    if narrower_nodes:
        y = bottom
    shown, hidden = _folded(related, MAX_RELATED)
    related_top = y + GROUP_GAP
    for i, ref in enumerate([*shown, *([None] if hidden else [])]):
        row_y = related_top + i * (BOX_H + ROW_GAP)
        width = WIDTH - RELATED_X - MARGIN
        if ref is None:
            node = _more("related", hidden, RELATED_X, row_y, width)
        else:
            node = _box("related", ref, RELATED_X, row_y, width, RELATED_CHARS)
        nodes.append(node)
        edges.append(Edge("related", ((center_node.x, center_node.cy), (GUTTER_X, center_node.cy),
                                      (GUTTER_X, node.cy), (RELATED_X, node.cy))))  # fmt: skip
        y = row_y + BOX_H
    return Picture(WIDTH, y + MARGIN, tuple(nodes), tuple(edges))
