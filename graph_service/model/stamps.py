"""Lifecycle dates kept by every change: dct:modified on each concept it touches, dct:created on
each concept it makes, so that Skosmos's /new and /modified lists follow the edits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from graph_service.model.base import SPARQL_PREFIXES, rows, values_block
from graph_service.namespaces import RDF_TYPE, SKOS_NS
from graph_service.store import Store
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import row_of, split_rows

#: Past this many subjects a change is an import or a bulk load: its dates are the source's.
MAX_STAMPED = 1000
_CONCEPT = f"<{SKOS_NS}Concept>"
_TYPE = f"<{RDF_TYPE}>"
_DATES = {str(DCTERMS.modified), str(DCTERMS.created)}


def _touched(patch: Patch) -> tuple[set[str], dict[str, str | None]]:
    """IRIs the patch says something about (dates aside), and the concepts it types, with
    the graph of their type statement."""
    subjects: set[str] = set()
    typed: dict[str, str | None] = {}
    for rows_of_patch, adding in ((patch.added, True), (patch.removed, False)):
        for subject, predicate, obj, graph in split_rows(rows_of_patch):
            if predicate[1:-1] in _DATES or not subject.startswith("<"):
                continue  # dates are ours to set; blank nodes are no concepts
            subjects.add(subject[1:-1])
            if adding and obj == _CONCEPT and predicate == _TYPE:
                typed[subject[1:-1]] = graph
    return subjects, typed


def stamp_concepts(store: Store, patch: Patch, today: date | None = None) -> Patch:
    """The patch plus today's dct:modified on every concept it touches (in the graph holding
    the concept's type, replacing the older date) and dct:created on the concepts it creates."""
    subjects, new_types = _touched(patch)
    if not subjects or len(subjects) > MAX_STAMPED:
        return patch
    day = Literal((today or datetime.now(UTC).date()).isoformat(), datatype=XSD.date)
    values, bindings = values_block("c", sorted(subjects))
    found = rows(
        store,
        SPARQL_PREFIXES
        + f"""SELECT ?c ?g ?m ?created WHERE {{ {values}
  GRAPH ?g {{ ?c a skos:Concept }}
  OPTIONAL {{ GRAPH ?g {{ ?c dct:modified ?m }} }}
  OPTIONAL {{ GRAPH ?g {{ ?c dct:created ?created }} }}
}}""",
        bindings,
    )
    homes: dict[str, tuple[str | None, set[str], bool]] = {}
    graph: str | None
    for row in found:
        concept, graph = str(row["c"]), str(row["g"])
        _, dates, created = homes.setdefault(concept, (graph, set(), False))
        if "m" in row:
            dates.add(row_of(URIRef(concept), DCTERMS.modified, _literal(row["m"]), graph))
        homes[concept] = (graph, dates, created or "created" in row)
    removed_types = {row for row in patch.removed if _TYPE in row and _CONCEPT in row}
    added, removed = set(patch.added), set(patch.removed)
    for concept in sorted(subjects):
        if concept in homes:
            graph, old_dates, has_created = homes[concept]
            if any(row.startswith(f"<{concept}> ") for row in removed_types):
                continue  # the concept goes away: nothing to date
        elif concept in new_types:
            graph, old_dates, has_created = new_types[concept], set(), False
        else:
            continue  # not a concept
        stamp = row_of(URIRef(concept), DCTERMS.modified, day, graph)
        if stamp not in old_dates:
            removed |= old_dates - added
            added.add(stamp)
        if concept in new_types and not has_created:
            added.add(row_of(URIRef(concept), DCTERMS.created, day, graph))
    return Patch(added=tuple(sorted(added - removed)), removed=tuple(sorted(removed - added)))


def _literal(term: object) -> Literal:
    """An rdflib literal of a model term (Lit keeps its language and datatype)."""
    language = getattr(term, "language", "") or None
    datatype = getattr(term, "datatype", "") or None
    return Literal(str(term), lang=language, datatype=None if language else datatype)
