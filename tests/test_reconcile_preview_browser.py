"""The reconciliation preview in chromium: its content fits the 400x120 frame the manifests
declare, for the concepts with the longest name, definition and description."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph_service.curate.reconcile_facts import get_concept_facts
from graph_service.model.concept import definition_of

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

#: Every element's box, and how far its content reaches, in CSS pixels.
MEASURE = """() => [...document.body.querySelectorAll('*')].map(e => {
  const r = e.getBoundingClientRect();
  return {tag: e.tagName, right: r.right, bottom: r.bottom};
}).concat([{tag: 'document', right: document.documentElement.scrollWidth,
            bottom: document.documentElement.scrollHeight}])"""


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 400, "height": 120})
    yield context.new_page()
    context.close()


def _hardest(vocab_store) -> list[str]:
    """The concepts whose preview has the most to hold."""
    facts = get_concept_facts(vocab_store)
    concepts = list(facts.labels.labels)
    longest_name = max(concepts, key=lambda c: len(str(facts.labels.label_of(c) or "")))
    longest_description = max(concepts, key=lambda c: len(facts.description(c) + c))
    notions = [c for c in concepts if "/notions/" in c]
    longest_definition = max(notions, key=lambda c: len(str(definition_of(vocab_store, c) or "")))
    return [longest_name, longest_description, longest_definition]


@pytest.mark.parametrize("vocab_store", ["embedded"], indirect=True)
def test_the_preview_fits_its_declared_frame(client, vocab_store, page) -> None:
    manifest = client.get("/reconcile").get_json()
    width, height = manifest["preview"]["width"], manifest["preview"]["height"]
    for iri in _hardest(vocab_store):
        response = client.get("/reconcile/preview", query_string={"id": iri})
        assert response.status_code == 200
        page.set_content(response.get_data(as_text=True))
        boxes = page.evaluate(MEASURE)
        outside = [b for b in boxes if b["right"] > width + 0.5 or b["bottom"] > height + 0.5]
        assert not outside, f"{iri}: {outside}"
        # Cut with an ellipsis or a clamp, never lost: the name is there to read.
        assert page.locator("h1 a").inner_text().strip()
