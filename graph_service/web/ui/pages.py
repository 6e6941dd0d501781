"""The HTML pages of dereferenced IRIs: concept, territory, scheme, collection, resource, other.

web/linked_data/views.py decides that an IRI is wanted as HTML and calls render_page(); the RDF
formats stay there. Query parameters of these pages: `narrower=1` (resources of narrower
concepts too), `territory=<IRI>` (resources about that territory or under it), `rpage=N`
(resource page).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import render_template, request, url_for

from graph_service.exceptions import NotFound
from graph_service.model.base import Label, Property, Ref
from graph_service.model.browse import (
    FACET_SAMPLE,
    group_by_vocabulary,
    labels_for,
    parts,
    resource_territories,
)
from graph_service.model.concept import Concept, concept_details, describe
from graph_service.model.history import last_change
from graph_service.model.place import concept_place
from graph_service.model.resource_list import is_type_concept, resources_by_type
from graph_service.model.resources import find_resources, resource_details
from graph_service.model.schemes import schemes
from graph_service.model.territory import (
    CONTRAT_CLASS,
    TERRITORY_CLASSES,
    contrats_de_ville,
    group_by_class,
    territory_resources,
)
from graph_service.model.vocab import languages, licence_of
from graph_service.namespaces import DCT_NS, PREFIXES, curie
from graph_service.store import Store
from graph_service.web import i18n
from graph_service.web.backend import get_journal
from graph_service.web.params import int_arg, iri_arg
from graph_service.web.paths import page_url
from graph_service.web.ui.links import (
    MAX_PAGE,
    content_language,
    data_links,
    offered_content_languages,
    ui_language,
    with_params,
)
from graph_service.web.ui.svg import neighbourhood
from graph_service.web.ui.text import json_ld

RESOURCES_PER_PAGE = 10
SCHEMA_NS = PREFIXES["schema"]


def _texts(labels: tuple[Label, ...]) -> list[object]:
    """Labels as JSON-LD values: tagged ones with their language, untagged ones as strings."""
    return [{"@value": x.value, "@language": x.lang} if x.lang else x.value for x in labels]


def defined_term(concept: Concept) -> dict[str, object]:
    """schema.org DefinedTerm of a concept (data only; json_ld() makes it safe to embed)."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "@id": concept.iri,
        "url": page_url(concept.iri),
        "name": _texts(concept.pref_labels) or concept.pref_label,
    }
    if concept.alt_labels:
        data["alternateName"] = _texts(concept.alt_labels)
    if concept.definitions:
        data["description"] = _texts(concept.definitions)
    if concept.notation:
        data["termCode"] = concept.notation
    if concept.schemes:
        scheme = concept.schemes[0]
        data["inDefinedTermSet"] = {"@type": "DefinedTermSet", "@id": scheme.iri,
                                    "name": scheme.label}  # fmt: skip
    same = [m.target.iri for m in concept.mappings if m.kind in ("exactMatch", "closeMatch")]
    if same:
        data["sameAs"] = same
    return data


def property_names(store: Store, properties: Iterable[Property]) -> dict[str, Label]:
    """Names of the properties a page shows: the data's label (rdfs:label...) in the content
    language, else the interface's name for it (web/strings/properties.py), else none (the page
    shows the prefixed name). Names from the interface carry no language: they are the page's."""
    predicates = list(dict.fromkeys(p.predicate for p in properties))
    found = labels_for(store, predicates, content_language())
    lang = ui_language()
    names: dict[str, Label] = {}
    for predicate in predicates:
        ref = found[predicate]
        key = f"property.{curie(predicate)}"
        if ref.label != predicate:
            names[predicate] = Label(ref.label, ref.lang)
        elif key in i18n.CATALOGUE:
            names[predicate] = Label(i18n.translate(key, lang), "")
    return names


def vocabulary_context(store: Store, scheme: Ref | None) -> dict[str, object]:
    """What the layout shows of a page's vocabulary: its licence in the footer and its
    languages in the content-language selector (the service's own licence without one)."""
    clang = content_language()
    if scheme is None:
        return {"licence": licence_of(store, None, clang)}
    return {
        "licence": licence_of(store, scheme.iri, clang),
        "licence_vocab": scheme,
        "content_languages": offered_content_languages(languages(store, scheme.iri)),
    }


def _territory_level(concept: Concept) -> str | None:
    """The local name of the territory class of a concept (Commune, EPCI...), if any."""
    for ref in concept.types:
        if ref.iri in TERRITORY_CLASSES or ref.iri == CONTRAT_CLASS:
            return ref.iri.rsplit("#", 1)[-1]
    return None


def concept_page(store: Store, iri: str) -> str:
    """A concept (or territory) with its neighbourhood, resources and data links."""
    lang, clang = ui_language(), content_language()
    concept = concept_details(store, iri, clang)
    if concept is None:
        raise NotFound(f"Could not find concept <{iri}>")
    include_narrower = request.args.get("narrower") == "1"
    territory = iri_arg("territory")
    rpage = int_arg("rpage", 1, minimum=1, maximum=MAX_PAGE)
    level = _territory_level(concept)
    common = {
        "concept": concept,
        "iri": iri,
        "lang": lang,
        "level": level,
        "data_links": data_links(iri),
        "last_change": last_change(get_journal(), iri),
        "history_href": with_params(url_for("history.history_page"), uri=iri),
        "jsonld": json_ld(defined_term(concept)),
        "prop_names": property_names(store, concept.other),
        **vocabulary_context(store, concept.schemes[0] if concept.schemes else None),
        "place": concept_place(store, concept, clang),
        "picture": neighbourhood(
            Ref(concept.iri, concept.pref_label, concept.pref_lang),
            concept.broader,
            concept.narrower,
            concept.related,
        ),
    }
    offset = (rpage - 1) * RESOURCES_PER_PAGE
    if level is not None and level != "ContratDeVille":
        return render_template(
            "ui/territory.html",
            resources=territory_resources(
                store, iri, clang, limit=RESOURCES_PER_PAGE, offset=offset
            ),
            contrats=contrats_de_ville(store, iri, clang),
            children=group_by_class(store, concept.narrower),
            hide_narrower=True,
            **common,
        )
    if is_type_concept(store, iri, [ref.iri for ref in concept.schemes]):
        # A resource type is the object of dct:type, not of dct:subject: its page lists the
        # resources of that type (the territory facet is the resource list's, /resources).
        resources = resources_by_type(
            store,
            iri,
            clang,
            include_narrower=include_narrower,
            limit=RESOURCES_PER_PAGE,
            offset=offset,
        )
        return render_template(
            "ui/concept.html",
            resources=resources,
            territories=[],
            facet_sample=FACET_SAMPLE,
            include_narrower=include_narrower,
            territory=None,
            resources_title="browse.type_resources",
            all_resources=with_params(url_for("ui.resources"), type=iri),
            **common,
        )
    resources = find_resources(
        store,
        iri,
        include_narrower=include_narrower,
        territory=territory,
        limit=RESOURCES_PER_PAGE,
        offset=offset,
        lang=clang,
    )
    territories = resource_territories(store, iri, include_narrower, clang)
    chosen = next((t.ref for t in territories if t.ref.iri == territory), None)
    if territory and chosen is None:
        chosen = Ref(territory, territory)
    return render_template(
        "ui/concept.html",
        resources=resources,
        territories=territories,
        facet_sample=FACET_SAMPLE,
        include_narrower=include_narrower,
        territory=chosen,
        all_resources=(
            with_params(url_for("ui.resources"), theme=iri)
            if concept.vocab_id == "thematiques"
            else None
        ),
        **common,
    )


def resource_page(store: Store, iri: str) -> str:
    """A resource: metadata, subjects, territories, attachments, table of contents, source."""
    clang = content_language()
    resource = resource_details(store, iri, clang)
    if resource is None:
        raise NotFound(f"Could not find resource <{iri}>")
    shown = {DCT_NS + "publisher", DCT_NS + "creator", DCT_NS + "language"}
    # schema.org's dates repeat dct:issued and dct:modified, which the page shows already.
    if resource.issued:
        shown.add(SCHEMA_NS + "datePublished")
    if resource.modified:
        shown.add(SCHEMA_NS + "dateModified")
    return render_template(
        "ui/resource.html",
        resource=resource,
        iri=iri,
        lang=ui_language(),
        parts=parts(store, [p.iri for p in resource.has_part], clang),
        subjects=group_by_vocabulary(resource.subjects, schemes(store, clang)),
        publishers=[p for p in resource.other if p.predicate == DCT_NS + "publisher"],
        creators=[p for p in resource.other if p.predicate == DCT_NS + "creator"],
        languages=[p.value for p in resource.other if p.predicate == DCT_NS + "language"],
        other=[p for p in resource.other if p.predicate not in shown],
        prop_names=property_names(store, [p for p in resource.other if p.predicate not in shown]),
        data_links=data_links(iri),
        **vocabulary_context(store, None),
    )


def description_page(store: Store, iri: str, kind: str) -> str:
    """A collection (with its members) or any other described IRI (its statements)."""
    description = describe(store, iri, content_language())
    if description is None:
        raise NotFound(f"Could not find <{iri}>")
    return render_template(
        "ui/description.html",
        description=description,
        kind=kind,
        iri=iri,
        lang=ui_language(),
        prop_names=property_names(store, description.properties),
        data_links=data_links(iri),
        **vocabulary_context(store, None),
    )


def render_page(store: Store, iri: str, kind: str) -> str:
    """The HTML page of an IRI of the given kind (as model.base.kind_of tells it)."""
    if kind == "concept":
        return concept_page(store, iri)
    if kind == "scheme":
        from graph_service.web.ui.scheme import scheme_page

        return scheme_page(store, iri)
    if kind == "resource":
        return resource_page(store, iri)
    return description_page(store, iri, kind)
