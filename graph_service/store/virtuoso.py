"""OpenLink Virtuoso behind the store API: the remote store with Virtuoso's dialect and limits.

What differs from a plain SPARQL 1.1 server (measured on Virtuoso 7.2.5, Debian bookworm):
- Writes need an account with the SPARQL_UPDATE role, through /sparql-auth and its Graph Store
  twin /sparql-graph-crud-auth, with HTTP digest authentication; reads go to /sparql unsigned.
- Every triple lives in a named graph, and a query without FROM reads all of them, Virtuoso's
  own included: its system graphs (quad maps, LDP, service description) are emptied or made
  private once, by server_setup_sql(). The store's default graph is a named graph of
  ours (DEFAULT_GRAPH): the rows of DATA updates and loads without a graph go there, and
  queries see it in the union, as Oxigraph's. (`define input:default-graph-uri` in updates
  would do it for any update, but then their GRAPH <iri> patterns match nothing.)
- INSERT DATA refuses blank nodes and its parser gives up near 5,000 triples (and slows down
  well before): data are sent by the Graph Store Protocol instead (41k triples in ~2 s), and
  large DATA updates are cut into requests of ROWS_PER_REQUEST rows.
- DELETE DATA with several GRAPH blocks leaves their language-tagged literals in place,
  silently (a revert kept its altLabel): deletions go one graph per operation (_delete_data).
- A request of several operations is not atomic (an operation that fails leaves the ones
  before it applied), so a write of several requests is no worse: the journal replays a change
  that did not complete (store/changes.py), as after a crash.
- Errors in the data (a bad typed literal) are answered 500 with a SQL state of class 22 or
  37: they are the client's (400), not the server's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox
import requests
import requests.auth
from rdflib import BNode, URIRef
from rdflib.term import Node

from graph_service.store.base import QueryAnswer, StoreError
from graph_service.store.formats import reserialize
from graph_service.store.rdf_patch import data_block
from graph_service.store.remote import (
    _BLANK,
    VERSION_GRAPH,
    RemoteStore,
    RemoteUnavailable,
    _beside,
    _from_json,
)
from graph_service.store.terms import term_text

#: The named graph that stands for the store's default graph (Virtuoso has none of its own).
DEFAULT_GRAPH = "urn:x-local:default-graph"  # no "service" in it: that word marks federation
#: Virtuoso's own graphs, present in every database: never part of the service's data.
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
#: The result formats the service writes, by their names in query_serialized.
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: Rows per DELETE DATA / INSERT DATA request: the parser fails near 5,000 and slows before.
ROWS_PER_REQUEST = 500
#: Virtuoso's answer to an error in the request: SQL states of class 22 (data) and 37 (syntax).
_CLIENT_SQL_STATE = re.compile(r"^Virtuoso (22|37)\w{3} Error")
_DATA_OPERATION = re.compile(r"\s*(INSERT|DELETE)\s+DATA\s*\{(.*)\}\s*", re.S | re.I)
#: What the set-up script accepts in an account name or password (they go into SQL text).
_SQL_WORD = re.compile(r"[A-Za-z0-9_.-]+")
_WHOLE_GRAPHS = re.compile(r"\s*(DROP|CLEAR)\s+(SILENT\s+)?(ALL|NAMED|DEFAULT)\s*;?\s*", re.I)


def server_setup_sql(user: str, password: str) -> str:
    """The isql script that readies a new Virtuoso database for the service (run as dba):
    the account the service writes with, and Virtuoso's own graphs out of the data. Its quad
    maps (virtrdf#) cannot go: they become private, read by nobody through SPARQL. (Excluding
    them per query with `define input:default-graph-exclude` instead makes Virtuoso 7.2.5 find
    nothing in any GRAPH <iri> { } pattern.)"""
    for value in (user, password):
        if not _SQL_WORD.fullmatch(value):
            raise ValueError("the account name and password: letters, digits, '_', '.' or '-'")
    private = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
    lines = [
        f"DB.DBA.USER_CREATE('{user}', '{password}');",
        f'GRANT SPARQL_UPDATE TO "{user}";',
        *(f"SPARQL CLEAR GRAPH <{graph}>;" for graph in SYSTEM_GRAPHS[1:]),
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE('{private}', 1);",
        f"DB.DBA.RDF_GRAPH_GROUP_INS('{private}', '{SYSTEM_GRAPHS[0]}');",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0, 1);",
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 0, 1);",
    ]
    return "\n".join(lines) + "\n"


def _in_our_graphs(rows: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each N-Quads row mapped to itself, or, in the default graph, to the row in ours; with
    the graph (as N-Quads writes it) that the row is then in."""
    placed = {}
    target = ox.NamedNode(DEFAULT_GRAPH)
    for row in rows:
        quad = next(iter(ox.parse(row + " .", format=ox.RdfFormat.N_QUADS)))
        if isinstance(quad.graph_name, ox.DefaultGraph):
            ours = ox.Quad(quad.subject, quad.predicate, quad.object, target)
            placed[row] = (str(ours), str(target))
        else:
            placed[row] = (row, str(quad.graph_name))
    return placed


def _in_default_graph(rows: Sequence[str]) -> dict[str, str]:
    """Each N-Quads row mapped to itself, or, in the default graph, to the row in ours."""
    return {row: ours for row, (ours, _) in _in_our_graphs(rows).items()}


def _delete_data(by_graph: dict[str, list[str]]) -> list[str]:
    """DELETE DATA operations, one graph and at most ROWS_PER_REQUEST rows each: from an
    operation of several GRAPH blocks (even of one graph), Virtuoso 7.2.5 deletes no
    language-tagged literal, silently (a revert kept its altLabel). INSERT DATA is fine."""
    return [
        f"DELETE DATA {{\n{data_block(graph_rows[start : start + ROWS_PER_REQUEST])}\n}}"
        for graph_rows in by_graph.values()
        for start in range(0, len(graph_rows), ROWS_PER_REQUEST)
    ]


def _standard_json(answer: dict[str, Any]) -> dict[str, Any]:
    """Virtuoso's JSON results as SPARQL 1.1 writes them (literal, blank node labels)."""
    for row in answer.get("results", {}).get("bindings", ()):
        for value in row.values():
            if value.get("type") == "typed-literal":
                value["type"] = "literal"
            elif value.get("type") == "bnode":
                value["value"] = _blank_label(value["value"])
    return answer


def _blank_label(value: str) -> str:
    """A blank node label of Virtuoso's ("nodeID://b10000") as N-Triples allows it."""
    return re.sub(r"[^A-Za-z0-9_]", "_", value.removeprefix("nodeID://")) or "b"


def _trig_rows(block: str) -> list[str] | None:
    """The N-Quads rows of a DATA block read as TriG (None when it is not TriG)."""
    try:
        return [str(quad) for quad in ox.parse(block, format=ox.RdfFormat.TRIG)]
    except (SyntaxError, ValueError):
        return None


def _data_operations(update: str) -> tuple[list[str], list[str]] | None:
    """(added, removed) rows of an update made of DELETE DATA then INSERT DATA operations
    (separated as store/changes.py writes them), or None for any other update."""
    added: list[str] = []
    removed: list[str] = []
    for part in update.strip().split(" ;\n"):
        match = _DATA_OPERATION.fullmatch(part)
        if match is None or (match.group(1).upper() == "DELETE" and added):
            return None
        rows = _trig_rows(match.group(2)) or _trig_rows(match.group(2) + " .")
        if rows is None:
            return None
        (added if match.group(1).upper() == "INSERT" else removed).extend(rows)
    return added, removed


class VirtuosoStore(RemoteStore):
    """The store API over Virtuoso's /sparql, /sparql-auth and /sparql-graph-crud-auth."""

    dialect = "virtuoso"
    hidden_graphs = frozenset({VERSION_GRAPH, DEFAULT_GRAPH, *SYSTEM_GRAPHS})

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str = "",
        *,
        credentials: str = "",
        timeout: float = 10.0,
        graph_store_endpoint: str = "",
    ) -> None:
        super().__init__(
            query_endpoint,
            update_endpoint or _beside(query_endpoint, "sparql-auth"),
            timeout=timeout,
            graph_store_endpoint=graph_store_endpoint
            or _beside(query_endpoint, "sparql-graph-crud-auth"),
        )
        # Digest, and only on writes: /sparql answers anyone, and would not ask.
        self._credentials = credentials
        user, _, password = credentials.partition(":")
        self._digest = requests.auth.HTTPDigestAuth(user, password) if credentials else None

    def _write_auth(self) -> requests.auth.AuthBase | None:
        return self._digest

    def _is_clients_fault(self, response: requests.Response) -> bool:
        return _CLIENT_SQL_STATE.match(response.text) is not None

    def _term(self, binding: dict[str, str]) -> Node:
        # Virtuoso labels blank nodes "nodeID://b10000" in JSON (and "_:b10000" elsewhere).
        if binding["type"] == "bnode":
            return BNode(_blank_label(binding["value"]))
        return _from_json(binding)

    # -- writes ----------------------------------------------------------------------------------

    def _send(self, operations: str) -> None:
        """One update request that leaves the data version alone (the last one moves it)."""
        self._post(
            self.update_endpoint,
            {"update": operations},
            "text/plain, */*;q=0.5",
            auth=self._digest,
        )

    def _graph_store(self, method: str, graph: str, ntriples: str) -> None:
        """PUT (replace) or POST (add) N-Triples to one graph by the Graph Store Protocol."""
        try:
            response = self._session.request(
                method,
                self.graph_store_endpoint,
                params={"graph-uri": graph},
                data=ntriples.encode(),
                headers={"Content-Type": "application/n-triples"},
                auth=self._digest,
                timeout=(5, max(self.timeout, 60.0)),
            )
        except requests.RequestException as exc:
            raise RemoteUnavailable(f"the remote graph store is unreachable: {exc}") from exc
        if response.status_code in (401, 403):
            raise RemoteUnavailable(
                f"Virtuoso refused the write to {self.graph_store_endpoint} "
                f"({response.status_code}): its account needs the SPARQL_UPDATE role"
            )
        if not response.ok:
            message = f"the graph store answered {response.status_code}: {response.text[:500]}"
            if response.status_code < 500 or self._is_clients_fault(response):
                raise StoreError(message)
            raise RemoteUnavailable(message)

    def _put_graphs(self, by_graph: Iterable[tuple[str | None, str]], replace: bool) -> None:
        with self._write_lock:
            for name, ntriples in by_graph:
                target = DEFAULT_GRAPH if name is None else name
                if ntriples.strip():
                    self._graph_store("PUT" if replace else "POST", target, ntriples)
                elif replace:
                    self._send(f"DROP SILENT GRAPH {term_text(URIRef(target))}")
            self._write("")

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update: DROP/CLEAR ALL, NAMED or DEFAULT graph by graph (never
        Virtuoso's own), DATA updates by apply_rows (their default graph in ours), any other
        in one request as it is: its WHERE then reads the union of the graphs."""
        whole = _WHOLE_GRAPHS.fullmatch(update)
        if whole is not None:
            which = whole.group(3).upper()
            graphs = [] if which == "DEFAULT" else self.named_graphs()
            if which != "NAMED":
                graphs.append(DEFAULT_GRAPH)
            verb = whole.group(1).upper()
            with self._write_lock:
                for graph in graphs:
                    self._send(f"{verb} SILENT GRAPH {term_text(URIRef(graph))}")
                self._write("")
            return
        rows = None if base_iri else _data_operations(update)
        if rows is not None:
            self.apply_rows(*rows)
            return
        super().update(update, base_iri=base_iri)

    def drop_graph(self, graph: str | None) -> bool:
        """Remove a named graph (or empty the default graph: ours); False if it did not exist."""
        if graph is not None and not self.has_graph(graph):
            return False
        self._write(f"DROP SILENT GRAPH {term_text(URIRef(graph or DEFAULT_GRAPH))}")
        return True

    def apply_rows(self, added: Sequence[str], removed: Sequence[str]) -> None:
        """Remove then add N-Quads rows (those of the default graph in ours). A small change
        without new blank nodes is one request; else removals go in DELETE DATA requests of
        ROWS_PER_REQUEST rows (blank nodes as DELETE WHERE patterns), and additions by the
        Graph Store Protocol (where blank nodes are new nodes, as INSERT DATA would make)."""
        # One parse of each removed row gives both its row in our graphs and that graph.
        plain: dict[str, list[str]] = {}
        blank: list[str] = []
        for row, in_graph in _in_our_graphs(removed).values():
            if _BLANK.search(row):
                blank.append(row)
            else:
                plain.setdefault(in_graph, []).append(row)
        requests_text = _delete_data(plain)
        if len(added) + len(removed) <= ROWS_PER_REQUEST and not any(map(_BLANK.search, added)):
            self._write_rows(requests_text, blank, list(_in_default_graph(added).values()))
            return
        for start in range(0, len(blank), 50):
            requests_text.append(
                " ;\n".join(
                    "DELETE WHERE {\n" + _BLANK.sub(r"\1?b_\2", data_block([row])) + "\n}"
                    for row in blank[start : start + 50]
                )
            )
        by_graph: dict[str, list[str]] = {}
        for quad in ox.parse("\n".join(f"{row} ." for row in added), format=ox.RdfFormat.N_QUADS):
            graph = DEFAULT_GRAPH if isinstance(quad.graph_name, ox.DefaultGraph) else None
            name = graph or quad.graph_name.value
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            by_graph.setdefault(name, []).append(f"{triple} .")
        with self._write_lock:
            for text in requests_text:
                self._send(text)
            for name, triples in by_graph.items():
                self._graph_store("POST", name, "\n".join(triples) + "\n")
            self._write("")

    # -- reads -----------------------------------------------------------------------------------

    def named_graphs(self) -> list[str]:
        """Return the IRIs of the (non-empty) named graphs, sorted: by GROUP BY, which Virtuoso
        answers from its graph index at once, where SELECT DISTINCT ?g scans (12 s for 41k
        triples), and which its graph-level security filters (DISTINCT lists virtrdf#)."""
        rows = self.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(
            str(r["g"])
            for r in rows
            if isinstance(r.get("g"), URIRef) and str(r["g"]) not in self.hidden_graphs
        )

    def present_rows(self, rows: Sequence[str]) -> set[str]:
        """Those of these N-Quads rows the server holds (default-graph rows read in ours)."""
        mapped = _in_default_graph(rows)
        back = {ours: row for row, ours in mapped.items()}
        return {back[ours] for ours in super().present_rows(list(mapped.values()))}

    def query_serialized(
        self,
        query: str,
        *,
        result_format: str = "json",
        graph_format: str = "turtle",
        union_default_graph: bool = True,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryAnswer:
        """Run a protocol query; its answer is written here, from Virtuoso's JSON or N-Triples,
        in the asked format: Virtuoso's own TSV quotes IRIs as strings, its JSON says
        "typed-literal" and labels blank nodes "nodeID://...", its N-Triples may be a comment."""
        answer = super().query_serialized(
            query,
            result_format="json",
            graph_format="ntriples",
            union_default_graph=union_default_graph,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            base_iri=base_iri,
        )
        if answer.kind == "graph":
            return QueryAnswer("graph", reserialize(answer.body, graph_format))
        try:
            results = ox.parse_query_results(
                json.dumps(_standard_json(json.loads(answer.body))),
                format=ox.QueryResultsFormat.JSON,
            )
        except (SyntaxError, ValueError) as exc:
            raise RemoteUnavailable(f"Virtuoso's answer could not be read: {exc}") from exc
        written = results.serialize(format=RESULT_FORMATS[result_format])
        return QueryAnswer(answer.kind, written or b"")

    def default_graph_nquads(self) -> bytes:
        """The store's default graph: the triples of DEFAULT_GRAPH."""
        # An empty answer is the comment line "# Empty NT": rows are wanted, not comments.
        lines = self._graph_ntriples(DEFAULT_GRAPH).splitlines(keepends=True)
        return b"".join(line for line in lines if not line.startswith(b"#"))
