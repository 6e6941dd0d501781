"""The checks of a concept edit that the shapes do not make: the ones a librarian needs named.

SHACL says a broader value "is not a skos:Concept"; the editor says which of the IRIs typed
in the form is unknown, deprecated or in another scheme. The shapes only warn when two
concepts share a preferred label (validate_checks.check_shared_labels); in the editor a label
another concept of the scheme already uses is refused, compared as search compares (case and
accents folded), against the concepts in use (a deprecated one's label only warns).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from graph_service.curate.concept_draft import ConceptDraft
from graph_service.curate.concept_messages import message
from graph_service.curate.concept_work import Workspace
from graph_service.curate.edit_plan import FieldProblem
from graph_service.model.base import SPARQL_PREFIXES, memo, rows, truthy
from graph_service.namespaces import BASE
from graph_service.store import Store
from graph_service.text import fold

#: The vocabulary's main language: every concept has a preferred label in it.
MAIN_LANGUAGE = "fr"

_SCHEME_LABELS = (
    SPARQL_PREFIXES
    + """SELECT ?c ?label ?deprecated WHERE {
  { ?c skos:inScheme $scheme } UNION { ?c skos:topConceptOf $scheme }
  ?c skos:prefLabel ?label .
  OPTIONAL { ?c owl:deprecated ?deprecated }
}"""
)


class Findings:
    """Problems of an edit, said in `lang` ("fr" or English), and the (field, value) pairs
    they cover (validate_patch skips the shapes' report of the same fault)."""

    def __init__(self, lang: str = "en") -> None:
        self.problems: list[FieldProblem] = []
        self.covered: set[tuple[str, str]] = set()
        self.lang = lang

    def said(self, key: str, **values: object) -> str:
        """A message in the findings' language (concept_messages)."""
        return message(key, self.lang, **values)

    def error(self, field: str, message: str, value: str = "") -> None:
        self.problems.append(FieldProblem(field, message))
        self.covered.add((field, value))

    def warning(self, field: str, message: str) -> None:
        self.problems.append(FieldProblem(field, message, "warning"))


def is_our_scheme(iri: str) -> bool:
    """Whether a scheme is one of ours (https://w3id.org/pdv/<scheme-id>): only those are
    edited here; other vocabularies are imported as they are published."""
    rest = iri[len(BASE) :] if iri.startswith(BASE) else ""
    return bool(rest) and "/" not in rest and "#" not in rest


def named(ws: Workspace, node: Node) -> str:
    """« label » of a node for a message, or <iri> when it has no label."""
    label = ws.label(node)
    return f"<{node}>" if label == str(node) else f"« {label} »"


def check_main_label(draft: ConceptDraft, found: Findings) -> None:
    """A preferred label in the vocabulary's main language is required."""
    if MAIN_LANGUAGE not in draft.pref_label:
        found.error(f"prefLabel.{MAIN_LANGUAGE}", found.said("french_label_required"))


def check_links(
    ws: Workspace,
    target: URIRef,
    scheme: URIRef | None,
    field: str,
    iris: Iterable[str],
    found: Findings,
    *,
    same_scheme: bool = False,
) -> None:
    """Each IRI of a field must be a concept of the store in use, not the target itself
    (and in the target's scheme, for broader)."""
    nodes = [URIRef(iri) for iri in iris]
    ws.load(subjects=nodes)
    for node in nodes:
        if node == target:
            found.error(field, found.said("linked_to_itself"), str(node))
        elif not ws.is_concept(node):
            found.error(field, found.said("not_concept", iri=node), str(node))
        elif ws.is_deprecated(node):
            replacements = ws.objects(node, DCTERMS.isReplacedBy)
            text = (
                found.said(
                    "deprecated_use", name=named(ws, node), instead=named(ws, replacements[0])
                )
                if replacements
                else found.said("deprecated", name=named(ws, node))
            )
            found.error(field, text, str(node))
        elif same_scheme and scheme is not None and scheme not in ws.schemes(node):
            found.error(field, found.said("other_scheme", name=named(ws, node)), str(node))


def check_mappings(target: URIRef, draft: ConceptDraft, found: Findings) -> None:
    """A concept is not mapped to itself."""
    for name, iris in draft.mappings.items():
        if str(target) in iris:
            found.error(name, found.said("mapped_to_itself"), str(target))


def _scheme_labels(store: Store, scheme: str) -> dict[tuple[str, str], list[tuple[str, str, bool]]]:
    """The preferred labels of a scheme's concepts by (language, folded text): (concept,
    label, deprecated) each; read once per version of the data."""

    def read() -> dict[tuple[str, str], list[tuple[str, str, bool]]]:
        found: dict[tuple[str, str], list[tuple[str, str, bool]]] = defaultdict(list)
        for row in rows(store, _SCHEME_LABELS, {"scheme": URIRef(scheme)}):
            label = row["label"]
            language = getattr(label, "language", "")
            entry = (str(row["c"]), str(label), truthy(row.get("deprecated")))
            if entry not in found[(language, fold(label))]:
                found[(language, fold(label))].append(entry)
        return dict(found)

    return memo(store, ("concept-edit-scheme-labels", scheme), read)


def check_shared_labels(
    store: Store,
    scheme: str,
    target: str,
    labels: dict[str, str],
    found: Findings,
) -> None:
    """A preferred label already used by another concept of the scheme (folded) is refused;
    one used by a deprecated concept only warns (the old concept keeps its name)."""
    taken = _scheme_labels(store, scheme)
    for lang, text in labels.items():
        for concept, label, deprecated in taken.get((lang, fold(text)), []):
            if concept == target:
                continue
            field = f"prefLabel.{lang}"
            if deprecated:
                found.warning(field, found.said("label_of_deprecated", text=text, label=label))
            else:
                taken_by = found.said("label_taken", text=text, label=label, concept=concept)
                found.error(field, taken_by)
