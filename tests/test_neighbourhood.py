"""The neighbourhood picture tells the truth: every line drawn joins the concept to a box of one
of its own broader, narrower or related concepts (read back from the drawn SVG by geometry and
compared with the data), no line runs under a box, long lists fold into "+ N others", and the
picture fits a 375 px phone."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from graph_service import create_app
from graph_service.model.base import Ref
from graph_service.model.concept import concept_details
from graph_service.store.build import build_store, open_current
from graph_service.web.ui.links import page_href
from graph_service.web.ui.svg import MAX_NARROWER, MAX_RELATED, neighbourhood

SVG = "{http://www.w3.org/2000/svg}"
PDV = "https://w3id.org/pdv/"
# A leaf, a concept with 11 narrower, one with several related, one with one broader only.
VOCAB_CONCEPTS = ["notions/democratie-participative", "notions/acteurs-et-institutions",
                  "notions/quartier-prioritaire-de-la-politique-de-la-ville",
                  "notions/budget-participatif", "notions/contrat-de-ville"]  # fmt: skip

MANY_NARROWER, MANY_RELATED = 17, 8
WIDE_VOCAB = (
    """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix w: <https://w3id.org/pdv/wide/> .
<https://w3id.org/pdv/wide> a skos:ConceptScheme ; dct:title "Large"@fr ;
    skos:hasTopConcept w:top1, w:top2 .
w:top1 a skos:Concept ; skos:inScheme <https://w3id.org/pdv/wide> ; skos:prefLabel "Haut un"@fr .
w:top2 a skos:Concept ; skos:inScheme <https://w3id.org/pdv/wide> ; skos:prefLabel "Haut deux"@fr .
w:hub a skos:Concept ; skos:inScheme <https://w3id.org/pdv/wide> ;
    skos:prefLabel "Concept aux très nombreux spécifiques et associés"@fr ;
    skos:broader w:top1, w:top2 .
"""
    + "".join(
        f"w:n{i} a skos:Concept ; skos:inScheme <https://w3id.org/pdv/wide> ; "
        f'skos:prefLabel "Spécifique numéro {i} au libellé assez long"@fr ; skos:broader w:hub .\n'
        for i in range(MANY_NARROWER)
    )
    + "".join(
        f"w:r{i} a skos:Concept ; skos:inScheme <https://w3id.org/pdv/wide> ; "
        f'skos:prefLabel "Associé {i}"@fr ; skos:related w:hub .\n'
        for i in range(MANY_RELATED)
    )
)


@dataclass(frozen=True)
class Box:
    """A drawn box: its kind (class), link and rectangle."""

    kind: str
    href: str
    count: int
    x: float
    y: float
    w: float
    h: float

    def on_border(self, px: float, py: float) -> bool:
        """Whether a point lies on the rectangle's outline."""
        inside_x, inside_y = self.x <= px <= self.x + self.w, self.y <= py <= self.y + self.h
        on_x = px in (self.x, self.x + self.w) and inside_y
        on_y = py in (self.y, self.y + self.h) and inside_x
        return on_x or on_y

    def cut_by(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether a horizontal or vertical segment passes through the rectangle's inside."""
        (x1, y1), (x2, y2) = a, b
        if y1 == y2:
            lo, hi = sorted((x1, x2))
            return self.y < y1 < self.y + self.h and lo < self.x + self.w and hi > self.x
        lo, hi = sorted((y1, y2))
        return self.x < x1 < self.x + self.w and lo < self.y + self.h and hi > self.y


@dataclass(frozen=True)
class Drawn:
    """What the SVG draws: its size, its boxes, and each line as its list of points."""

    width: float
    height: float
    boxes: list[Box]
    lines: list[tuple[str, list[tuple[float, float]]]]


def read_svg(html: str) -> Drawn:
    """The neighbourhood SVG of a page, parsed as XML."""
    found = re.search(r"<svg.*?</svg>", html, re.S)
    assert found, "no picture on the page"
    root = ET.fromstring(found.group(0))
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    boxes = []
    for element in root:
        classes = (element.get("class") or "").split()
        if "node" not in classes:
            continue
        rect = element.find(SVG + "rect")
        assert rect is not None
        kind = "more" if "more" in classes else classes[1]
        x, y, w, h = (float(rect.get(k, 0)) for k in ("x", "y", "width", "height"))
        count = int(element.get("data-count", 0))
        boxes.append(Box(kind, element.get("href", ""), count, x, y, w, h))
    lines = []
    for line in root.iter(SVG + "polyline"):
        points = [tuple(float(v) for v in p.split(",")) for p in line.get("points", "").split()]
        lines.append((line.get("class", "").split()[1], points))
    return Drawn(width, height, boxes, lines)  # type: ignore[arg-type]


def check_geometry(drawn: Drawn) -> list[tuple[str, Box]]:
    """Check the drawing's shape and return each line as (kind, the box it reaches): it starts
    on the concept's box, ends on another box, and goes through no box on the way."""
    (center,) = [b for b in drawn.boxes if b.kind == "center"]
    for a, b in itertools.combinations(drawn.boxes, 2):  # no box hides another
        assert (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y
                or b.y + b.h <= a.y), (a, b)  # fmt: skip
    for box in drawn.boxes:
        assert box.x >= 0 and box.x + box.w <= drawn.width, box
        assert box.y >= 0 and box.y + box.h <= drawn.height, box
    joined = []
    for kind, points in drawn.lines:
        assert center.on_border(*points[0]), (kind, points)
        (target,) = [b for b in drawn.boxes if b is not center and b.on_border(*points[-1])]
        for a, b in itertools.pairwise(points):
            assert a[0] == b[0] or a[1] == b[1], ("not a straight run", points)
            for box in drawn.boxes:
                assert not box.cut_by(a, b), ("a line runs under", box, kind, points)
        joined.append((kind, target))
    assert len(joined) == len(drawn.boxes) - 1  # every box but the concept has exactly one line
    assert len({id(t) for _, t in joined}) == len(joined)
    return joined


def check_against_data(drawn: Drawn, data: dict[str, list[str]]) -> None:
    """Every line joins the concept to a box of the same relation in the data; lists beyond the
    limit show a "more" box counting exactly the ones not drawn."""
    joined = check_geometry(drawn)
    for relation, hrefs in data.items():
        boxes = [box for kind, box in joined if kind == relation]
        concepts = [box.href for box in boxes if box.kind == relation]
        assert len(set(concepts)) == len(concepts)
        assert set(concepts) <= set(hrefs), (relation, set(concepts) - set(hrefs))
        folded = sum(box.count for box in boxes if box.kind == "more")
        assert len(concepts) + folded == len(hrefs), relation
        if len(hrefs) <= {"narrower": MAX_NARROWER, "related": MAX_RELATED}.get(relation, 6):
            assert folded == 0, relation
    assert {kind for kind, _ in joined} <= set(data)


def data_of(app, store, iri: str) -> dict[str, list[str]]:
    """The concept's relations from the model, as the page links they should be drawn as."""
    concept = concept_details(store, iri, "fr")
    assert concept is not None
    with app.test_request_context("/"):
        return {kind: [page_href(ref.iri) for ref in getattr(concept, kind)]
                for kind in ("broader", "narrower", "related")}  # fmt: skip


@pytest.mark.parametrize("path", VOCAB_CONCEPTS)
def test_drawn_lines_are_the_concepts_relations(app, client, vocab_store, path: str) -> None:
    html = client.get("/" + path, headers={"Accept": "text/html"}).get_data(as_text=True)
    data = data_of(app, vocab_store, PDV + path)
    drawn = read_svg(html)
    check_against_data(drawn, data)
    assert sum(len(v) for v in data.values()) > 0
    assert drawn.width <= 375


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory):
    """An app on a store holding one concept with two broader, 17 narrower and 8 related."""
    vocab = tmp_path_factory.mktemp("wide-vocab")
    (vocab / "wide.ttl").write_text(WIDE_VOCAB, encoding="utf-8")
    data = tmp_path_factory.mktemp("wide-data")
    build_store(vocab, data)
    store = open_current(data, read_only=True)
    return create_app({"TESTING": True, "STORE": store}), store


def test_more_than_a_dozen_narrower_fold_into_a_more_box(wide) -> None:
    app, store = wide
    html = app.test_client().get("/wide/hub").get_data(as_text=True)
    data = data_of(app, store, PDV + "wide/hub")
    assert [len(data[k]) for k in ("broader", "narrower", "related")] == [2, 17, 8]
    drawn = read_svg(html)
    check_against_data(drawn, data)
    more = {box.href: box.count for box in drawn.boxes if box.kind == "more"}
    assert more == {"#narrower": MANY_NARROWER - (MAX_NARROWER - 1),
                    "#related": MANY_RELATED - (MAX_RELATED - 1)}  # fmt: skip
    assert "+ 6 autres" in html


def test_a_wrong_drawing_is_caught() -> None:
    """The checks fail on the old picture's fault: a line from the concept to a box of the
    second row, running under a box of the first row."""
    center = Box("center", "", 0, 100, 0, 100, 40)
    first = Box("narrower", "/a", 0, 100, 80, 100, 40)
    second = Box("narrower", "/b", 0, 100, 160, 100, 40)
    lines = [("narrower", [(150, 40), (150, 80)]), ("narrower", [(150, 40), (150, 160)])]
    drawn = Drawn(300, 200, [center, first, second], lines)  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="runs under"):
        check_geometry(drawn)


@pytest.mark.parametrize(
    ("broader", "narrower", "related"),
    [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (3, 4, 2), (1, 2, 7), (2, 3, 0), (7, 12, 6),
     (1, 13, 1), (0, 40, 20), (5, 5, 5)],
)  # fmt: skip
def test_layout_at_any_count(broader: int, narrower: int, related: int) -> None:
    refs = [Ref(f"http://x/{i}", f"Concept numéro {i} au libellé long") for i in range(80)]
    picture = neighbourhood(Ref("http://x/c", "Centre"), refs[:broader],
                            refs[10 : 10 + narrower], refs[60 : 60 + related])  # fmt: skip
    boxes = [Box(n.kind, n.iri, n.count, n.x, n.y, n.w, n.h) for n in picture.nodes]
    lines = [(e.kind, [(float(x), float(y)) for x, y in e.points]) for e in picture.edges]
    drawn = Drawn(picture.width, picture.height, boxes, lines)
    joined = check_geometry(drawn)
    for kind, total, limit in (("broader", broader, 6), ("narrower", narrower, MAX_NARROWER),
                               ("related", related, MAX_RELATED)):  # fmt: skip
        reached = [box for k, box in joined if k == kind]
        assert len(reached) == min(total, limit)
        assert sum(b.count for b in reached) + sum(b.kind != "more" for b in reached) == total
    assert picture.width <= 375
