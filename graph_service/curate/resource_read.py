"""Reading resources back as drafts (from the store, from ingest) and plans as lines to show.

What the resource editor (curate/resource_edit.py) starts from: a stored resource's editable
properties as a form holds them, with its state token; a page ingest read, as a new draft; and,
for a preview, the statements a plan adds and removes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from graph_service.curate.edit_plan import state_token
from graph_service.curate.resource_draft import ResourceDraft
from graph_service.curate.resource_messages import message
from graph_service.curate.resource_terms import themes_among
from graph_service.exceptions import NotFound
from graph_service.model.base import kind_of
from graph_service.namespaces import valid_iri
from graph_service.store import Store
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import row_terms

#: A resource's statements by graph. A remote store's default graph is the union of its
#: named graphs (store/remote.py): the default graph's own statements are those of no graph.
_QUADS = (
    "SELECT ?p ?o ?g WHERE { { GRAPH ?g { $s ?p ?o } } "
    "UNION { $s ?p ?o FILTER NOT EXISTS { GRAPH ?h { $s ?p ?o } } } }"
)

Quad = tuple[Node, Node, Node, str | None]


def resource_quads(store: Store, iri: str) -> list[Quad]:
    """Every statement about `iri` with its graph (None: the default graph)."""
    subject = URIRef(iri)
    return [
        (subject, row["p"], row["o"], str(row["g"]) if row.get("g") is not None else None)
        for row in store.select(_QUADS, {"s": subject}, union=False)
    ]


def _first(values: list[Node]) -> str:
    return str(min(values, key=str)) if values else ""


def texts_of(quads: list[Quad], predicate: URIRef) -> dict[str, str]:
    """{lang: text} of a property's tagged literals (the first of a language, sorted)."""
    texts: dict[str, str] = {}
    for _, p, o, _ in sorted(quads, key=lambda q: str(q[2])):
        if p == predicate and isinstance(o, Literal):
            texts.setdefault(o.language or "", str(o))
    return texts


def _draft_of(store: Store, iri: str, triples: list[tuple[Node, Node, Node]]) -> ResourceDraft:
    """The draft of a resource's statements."""
    quads: list[Quad] = [(s, p, o, None) for s, p, o in triples]

    def objects(predicate: URIRef) -> list[Node]:
        return sorted({o for _, p, o, _ in quads if p == predicate}, key=str)

    subjects = [str(o) for o in objects(DCTERMS.subject) if isinstance(o, URIRef)]
    themes = themes_among(store, subjects)
    return ResourceDraft(
        iri=iri,
        title=texts_of(quads, DCTERMS.title),
        description=texts_of(quads, DCTERMS.description),
        date=_first(objects(DCTERMS.issued)),
        url=_first(objects(DCTERMS.source)),
        type=_first(objects(DCTERMS.type)),
        themes=[s for s in subjects if s in themes],
        territories=[str(o) for o in objects(DCTERMS.spatial) if isinstance(o, URIRef)],
        subjects=[s for s in subjects if s not in themes],
        language=_first(objects(DCTERMS.language)),
    )


def read_resource(store: Store, iri: str) -> tuple[ResourceDraft, str]:
    """The draft of a resource of the store and its state token; NotFound if it is none."""
    if not valid_iri(iri) or kind_of(store, iri) != "resource":
        raise NotFound(message("not_resource", "en", value=iri))
    triples = [(s, p, o) for s, p, o, _ in resource_quads(store, iri)]
    return _draft_of(store, iri, triples), state_token(store, iri)


def draft_from_ingest(store: Store, result: object) -> ResourceDraft:
    """A new resource's draft from ingest's IngestResult (a fetched page or an uploaded file):
    its main resource only (attachments are not edited here), for a form to pre-fill."""
    turtle, iri = getattr(result, "turtle", ""), getattr(result, "iri", "")
    graph = Graph().parse(data=turtle, format="turtle")
    triples = list(graph.triples((URIRef(iri), None, None)))
    return replace(_draft_of(store, iri, triples), iri="")


@dataclass(frozen=True)
class PatchLine:
    """One statement a plan adds or removes, for a preview: the predicate, and the value as
    an IRI (to label) or a literal's text with its language."""

    added: bool
    subject: str
    predicate: str
    value: str
    is_iri: bool
    lang: str = ""
    datatype: str = ""


def patch_lines(patch: Patch) -> list[PatchLine]:
    """The patch's statements, removals first, each side in the order of its rows."""
    lines = []
    for added, rows in ((False, patch.removed), (True, patch.added)):
        for s, p, o, _ in row_terms(rows):
            literal = o if isinstance(o, Literal) else None
            lines.append(
                PatchLine(
                    added,
                    str(s),
                    str(p),
                    str(o),
                    literal is None,
                    (literal.language or "") if literal is not None else "",
                    str(literal.datatype or "") if literal is not None else "",
                )
            )
    return lines
