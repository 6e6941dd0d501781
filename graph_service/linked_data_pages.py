"""The HTML side of dereferenceable IRIs: plain pages for concepts, schemes and resources."""

from __future__ import annotations

from urllib.parse import quote

from flask import render_template, request

from .conneg import RDF_TYPES
from .linked_data import PAGE_FORMATS, bp, local_path
from .namespaces import PREFIXES
from .store import EmbeddedStore


@bp.app_template_filter("curie")
def curie(iri: str) -> str:
    """A prefixed name for an IRI when a known prefix fits (skos:prefLabel), else the IRI."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def alternates(iri: str) -> list[tuple[str, str, str]]:
    """(label, media type, link) of each RDF serialisation of an IRI's page."""
    path = local_path(iri)
    links = []
    for entry in RDF_TYPES:
        if entry.name in PAGE_FORMATS:
            page = f"{request.script_root}/page?uri={quote(iri, safe='')}"
            href = f"{path}.{entry.extension}" if path else f"{page}&format={entry.extension}"
            links.append((entry.extension.upper(), entry.media_type, href))
    return links


def render_html(store: EmbeddedStore, iri: str, kind: str) -> str:
    """Render the page of an IRI of the given kind (concept, scheme, collection, resource...)."""
    from . import skos
    from .resources import find_resources, resource_details
    from .ui import ui_language

    lang = ui_language()
    common = {"iri": iri, "lang": lang, "alternates": alternates(iri)}
    if kind == "concept":
        concept = skos.concept_details(store, iri, lang)
        resources = find_resources(store, iri, limit=10, lang=lang)
        return render_template("concept.html", concept=concept, resources=resources, **common)
    if kind == "scheme":
        vocab_id = skos.vocab_id_of(iri)
        info = skos.vocabulary_info(store, vocab_id, lang)
        return render_template(
            "scheme.html",
            info=info,
            description=skos.describe(store, iri, lang),
            tops=skos.top_concepts(store, iri, lang),
            groups=skos.groups(store, vocab_id, lang) or [],
            **common,
        )
    if kind == "collection":
        return render_template(
            "scheme.html",
            info=None,
            description=skos.describe(store, iri, lang),
            tops=[],
            groups=[],
            **common,
        )
    if kind == "resource":
        return render_template(
            "resource.html", resource=resource_details(store, iri, lang), description=None, **common
        )
    return render_template(
        "resource.html", resource=None, description=skos.describe(store, iri, lang), **common
    )
