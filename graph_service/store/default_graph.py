"""Updates that read the default graph where queries read the union of graphs: refused.

The service's queries see the union of its graphs as their default graph, but an update's
WHERE reads the real default graph, which is empty (the data lives in named graphs). So an
update like `DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }` matched nothing, changed nothing, and was
answered 204 as if it had worked. Such an update is refused with a message saying how to write
it. SPARQL's own semantics are kept (the W3C tests hold): only an update that changed nothing,
and whose WHERE matches data in the union but not in the graphs it really reads, is refused.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from graph_service.exceptions import GraphServiceError
from graph_service.store.base import Store
from graph_service.store.sparql_text import where_patterns


class ReadsEmptyDefaultGraph(GraphServiceError):
    """An update whose WHERE read the default graph while the data lives in named graphs."""

    status = 400


MESSAGE = (
    "this update changed nothing: its WHERE reads the default graph, while the data lives in "
    "named graphs (queries see their union, updates do not). Name the graphs in the update, "
    "for example DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} "
    "(or GRAPH <{graph}> {{ ... }} for one graph), or give the graphs to read with USING <graph> "
    "or the using-graph-uri parameter"
)


def check_reads(store: Store, scratch: ox.Store, update: str, base_iri: str | None) -> None:
    """Refuse an update that changed nothing on `scratch` (the copy of the graphs it names,
    as they were) although one of its WHERE patterns matches in the store's union of graphs."""
    patterns = where_patterns(update)
    for ask in patterns or ():
        try:
            as_run = bool(scratch.query(ask, base_iri=base_iri))
            if as_run:
                continue
            answer = store.query_serialized(ask, result_format="json", base_iri=base_iri)
            in_union = bool(json.loads(answer.body).get("boolean"))
        except Exception:  # a check that cannot run refuses nothing
            continue
        if in_union:
            graphs = store.named_graphs()
            raise ReadsEmptyDefaultGraph(MESSAGE.format(graph=graphs[0] if graphs else "..."))
