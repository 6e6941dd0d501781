"""Vocabulary pages: the scheme page (top concepts, expandable tree), the alphabetical index,
and the tree's children as an HTML fragment for ui.js.

URLs: the scheme IRI's path (/notions) or /vocab/<id> for any vocabulary (imported ones too);
/vocab/<id>/index?letter=E&page=2; /ui/children?uri=<concept IRI>. Without JavaScript the tree
opens through links (?expand=<IRI>, repeatable); with it, ui.js fetches /ui/children.
"""

from __future__ import annotations

import hashlib

from flask import Response, redirect, render_template, request
from flask.typing import ResponseReturnValue

from graph_service.exceptions import NotFound
from graph_service.model.base import Ref, concept_exists
from graph_service.model.browse import index_page, scheme_letters
from graph_service.model.concept import describe
from graph_service.model.parallel import in_parallel
from graph_service.model.schemes import scheme_for_vocab
from graph_service.model.tree import children, top_concepts
from graph_service.model.vocab import VocabularyInfo, groups, vocabulary_info
from graph_service.namespaces import valid_iri, vocab_id_of
from graph_service.store import Store
from graph_service.web.backend import get_store
from graph_service.web.params import int_arg, iri_arg
from graph_service.web.paths import local_path, page_url
from graph_service.web.ui.links import MAX_PAGE, content_language, data_links, here, ui_language
from graph_service.web.ui.pages import vocabulary_context
from graph_service.web.ui.text import json_ld
from graph_service.web.ui.views import bp

INDEX_PAGE_SIZE = 100
#: Nodes opened at once through ?expand= (each costs one small query).
MAX_EXPANDED = 24
#: Top concepts drawn in the tree; a flat vocabulary's others are reached by the index.
MAX_TOPS = 500


@bp.app_template_global("node_id")
def node_id(*parts: str) -> str:
    """A stable HTML id for a tree node (a hash of its path in the tree)."""
    return "n" + hashlib.blake2b("\n".join(parts).encode(), digest_size=6).hexdigest()


@bp.app_template_global("toggle_url")
def toggle_url(iri: str, anchor: str) -> str:
    """The scheme page with `iri` opened (or closed, if open) in the tree, for use without JS."""
    opened = [e for e in request.args.getlist("expand") if e != iri]
    if iri not in request.args.getlist("expand"):
        opened.append(iri)
    return here(expand=opened[-MAX_EXPANDED:] or None) + f"#{anchor}"


def _expanded(store: Store, clang: str) -> dict[str, list]:
    """Children of the nodes opened with ?expand= (unknown or malformed IRIs are ignored)."""
    opened: dict[str, list] = {}
    for iri in request.args.getlist("expand")[-MAX_EXPANDED:]:
        found = children(store, iri, clang) if valid_iri(iri) else None
        if found is not None:
            opened[iri] = found
    return opened


def scheme_data(info: VocabularyInfo) -> dict[str, object]:
    """schema.org DefinedTermSet of a vocabulary (json_ld() makes it safe to embed)."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "@id": info.iri,
        "url": page_url(info.iri),
        "name": info.title,
    }
    if info.description:
        data["description"] = info.description
    return data


def scheme_page(store: Store, iri: str) -> str:
    """A concept scheme: description, counts, top concepts as a tree, letters of the index."""
    lang, clang = ui_language(), content_language()
    vocab_id = vocab_id_of(iri)
    if scheme_for_vocab(store, vocab_id) is None:
        raise NotFound(f"Could not find scheme <{iri}>")
    # The page's slow questions after a write, at once (each is remembered per version).
    info, tops, description, group_list = in_parallel(
        lambda: vocabulary_info(store, vocab_id, clang),
        lambda: top_concepts(store, iri, clang),
        lambda: describe(store, iri, clang),
        lambda: groups(store, vocab_id, clang) or [],
    )
    if info is None:
        raise NotFound(f"Could not find scheme <{iri}>")
    letters = scheme_letters(store, vocab_id, iri, clang)
    return render_template(
        "ui/scheme.html",
        info=info,
        iri=iri,
        lang=lang,
        description=description,
        tops=tops[:MAX_TOPS],
        more_tops=max(0, len(tops) - MAX_TOPS),
        opened=_expanded(store, clang),
        groups=group_list,
        letters=letters,
        vocab_id=vocab_id,
        data_links=data_links(iri),
        jsonld=json_ld(scheme_data(info)),
        **vocabulary_context(store, Ref(info.iri, info.title, info.title_lang)),
    )


@bp.get("/vocab/<vocid>")
def vocabulary(vocid: str) -> ResponseReturnValue:
    """Any vocabulary by its id: ours redirect to the scheme IRI's page, others render here."""
    store = get_store()
    summary = scheme_for_vocab(store, vocid)
    if summary is None:
        raise NotFound(f"No vocabulary with id {vocid!r}")
    path = local_path(summary.iri)
    if path is not None:
        query = request.query_string.decode("latin-1")
        return redirect(path + (f"?{query}" if query else ""), 302)
    return scheme_page(store, summary.iri)


@bp.get("/vocab/<vocid>/index")
def alphabetical_index(vocid: str) -> ResponseReturnValue:
    """One letter of a vocabulary's alphabetical index, a page of 100 labels at a time."""
    store = get_store()
    lang, clang = ui_language(), content_language()
    info = vocabulary_info(store, vocid, clang)
    if info is None:
        raise NotFound(f"No vocabulary with id {vocid!r}")
    letter = (request.args.get("letter") or "").strip().upper() or None
    page = index_page(
        store,
        vocid,
        letter,
        clang,
        int_arg("page", 1, minimum=1, maximum=MAX_PAGE),
        INDEX_PAGE_SIZE,
    )
    return render_template(
        "ui/index.html",
        info=info,
        index=page,
        lang=lang,
        vocab_id=vocid,
        **vocabulary_context(store, Ref(info.iri, info.title, info.title_lang)),
    )


@bp.get("/ui/children")
def tree_children() -> ResponseReturnValue:
    """The children of a concept as the <ul> of the tree (an HTML fragment for ui.js)."""
    store = get_store()
    iri = iri_arg("uri")
    found = children(store, iri, content_language()) if iri else None
    if iri is None or found is None or not concept_exists(store, iri):
        raise NotFound(f"Could not find concept <{iri}>")
    parent = request.args.get("parent", "")[:40]
    body = render_template(
        "ui/_tree_fragment.html", nodes=found, parent_id=node_id(parent, iri), lang=ui_language()
    )
    return Response(body, content_type="text/html; charset=utf-8")
