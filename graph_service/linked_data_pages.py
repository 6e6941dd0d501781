"""The HTML side of dereferenceable IRIs: the browsing UI's pages (ui_pages) render them."""

from __future__ import annotations

from .linked_data import bp
from .namespaces import PREFIXES
from .store import EmbeddedStore


@bp.app_template_filter("curie")
def curie(iri: str) -> str:
    """A prefixed name for an IRI when a known prefix fits (skos:prefLabel), else the IRI."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def render_html(store: EmbeddedStore, iri: str, kind: str) -> str:
    """Render the page of an IRI of the given kind (concept, scheme, collection, resource...)."""
    from .ui_pages import render_page

    return render_page(store, iri, kind)
