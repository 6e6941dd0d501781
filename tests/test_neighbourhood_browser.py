"""The neighbourhood picture in Debian's chromium: at 375 px it is no wider than the viewport and
nothing scrolls sideways; at every width each label stays inside its box."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CONCEPTS = ["/notions/democratie-participative", "/notions/acteurs-et-institutions",
            "/notions/quartier-prioritaire-de-la-politique-de-la-ville"]  # fmt: skip

#: Labels whose drawn text leaves their box.
OVERFLOWING = """() => [...document.querySelectorAll('figure.neighbourhood .node')].flatMap((g) => {
  const r = g.querySelector('rect').getBBox(), t = g.querySelector('text').getBBox();
  const inside = t.x >= r.x && t.x + t.width <= r.x + r.width
    && t.y >= r.y && t.y + t.height <= r.y + r.height;
  return inside ? [] : [g.textContent];
})"""


@pytest.mark.parametrize("width", [375, 1366])
def test_picture_fits_the_viewport_and_labels_fit_their_boxes(browser, server, width) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for url in CONCEPTS:
        page.goto(server.url + url)
        box = page.locator("figure.neighbourhood svg").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (url, box)
        assert box["width"] >= min(300, width - 60), (url, box)  # drawn, not shrunk to nothing
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, url
        assert page.evaluate(OVERFLOWING) == [], url
    page.goto(server.url + CONCEPTS[0])
    page.locator("figure.neighbourhood").screenshot(path=str(ARTIFACTS / f"picture-{width}.png"))
    context.close()
