"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, GraphDB, Virtuoso) behind the store API.

Every read is a SPARQL query over HTTP and every write one SPARQL Update request, which the
remote applies atomically. Data are parsed and serialised by the engine helpers of
store/formats.py and store/terms.py, so this module never builds query text from unescaped
input. The remote's default graph must be the union of its named graphs (`oxigraph serve
--union-default-graph`, Fuseki's `unionDefaultGraph`), as the embedded store's is.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import requests
import requests.auth
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph_service.namespaces import GRAPH, PDVO
from graph_service.store.base import (
    QueryAnswer,
    StoreError,
    StoreUnavailable,
    calls_other_servers,
    engine_failure,
)
from graph_service.store.formats import (
    ntriples_to_rdflib,
    parse_to_ntriples,
    reserialize,
    triples_to_ntriples,
)
from graph_service.store.rdf_patch import data_block
from graph_service.store.sparql_text import query_form
from graph_service.store.terms import XSD_STRING, bind, term_text

RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
#: Seconds during which the remote data version is trusted before asking again.
VERSION_TTL = 1.0
#: The data version lives in a graph of its own, hidden from the store API (counts, dumps).
VERSION_GRAPH = f"{GRAPH}version"
_VERSION_SUBJECT = f"<{VERSION_GRAPH}>"
_VERSION_PROPERTY = f"<{PDVO.dataVersion}>"


_BLANK = re.compile(r"(^|\s)_:([A-Za-z0-9_]+)")


def _beside(endpoint: str, name: str) -> str:
    """The URL of a sibling service: .../query or .../sparql becomes .../<name>."""
    base, _, last = endpoint.rstrip("/").rpartition("/")
    return f"{base}/{name}" if last in {"query", "sparql", "update"} else f"{endpoint}/{name}"


class RemoteUnavailable(StoreUnavailable):
    """The remote store did not answer in time, or could not be reached."""


def _from_json(binding: dict[str, str]) -> Node:
    kind = binding["type"]
    if kind == "uri":
        return URIRef(binding["value"])
    if kind == "bnode":
        return BNode(binding["value"])
    if "xml:lang" in binding:
        return Literal(binding["value"], lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != XSD_STRING:
        return Literal(binding["value"], datatype=URIRef(datatype))
    return Literal(binding["value"])


class RemoteStore:
    """The store API over a remote SPARQL 1.1 query (and update) endpoint."""

    path = None
    read_only = False
    #: Which server's dialect this store speaks ("sparql11": any SPARQL 1.1 server).
    dialect = "sparql11"
    #: Graphs of ours that the store API hides (not listed, not counted, not dumped).
    hidden_graphs: frozenset[str] = frozenset({VERSION_GRAPH})
    #: Text put before every query, and before every update (a dialect's pragmas).
    query_prologue = ""
    update_prologue = ""
    is_persistent = False
    #: The server keeps the data: its changes are journalled on disk.
    durable = True

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str = "",
        *,
        credentials: str = "",
        timeout: float = 10.0,
        graph_store_endpoint: str = "",
    ) -> None:
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        # Only the Graph Store Protocol reads the real default graph of a server that queries
        # the union of graphs; oxigraph and Fuseki serve it beside their query endpoint.
        self.graph_store_endpoint = graph_store_endpoint or _beside(query_endpoint, "store")
        self.timeout = timeout
        self._credentials = credentials
        self._session = requests.Session()
        if credentials:
            user, _, password = credentials.partition(":")
            self._session.auth = (user, password)
        # Re-entrant: a dialect may send one write as several requests under the one lock.
        self._write_lock = threading.RLock()
        self._version: str | None = None
        self._version_checked = 0.0

    # -- HTTP ----------------------------------------------------------------------------------

    def _write_auth(self) -> requests.auth.AuthBase | None:
        """The authentication of write requests beyond the session's own (None: the same)."""
        return None

    def _post(
        self,
        url: str,
        data: dict[str, object],
        accept: str,
        *,
        auth: requests.auth.AuthBase | None = None,
    ) -> requests.Response:
        try:
            response = self._session.post(
                url,
                data=data,
                headers={"Accept": accept},
                auth=auth,
                # A little beyond the query limit, so the remote's own timeout answers first.
                timeout=(5, self.timeout + 2),
            )
        except requests.Timeout as exc:
            raise RemoteUnavailable(
                f"the remote store did not answer within {self.timeout:g} s"
            ) from exc
        except requests.RequestException as exc:
            raise RemoteUnavailable(f"the remote store cannot be reached: {exc}") from exc
        text = str(data.get("query") or data.get("update") or "")
        if response.status_code >= 500 and calls_other_servers(text):
            # The server's message may quote a SERVICE endpoint's answer: never passed on.
            raise engine_failure(RuntimeError(response.text[:200]), text)
        if response.status_code >= 500 and not self._is_clients_fault(response):
            raise RemoteUnavailable(
                f"the remote store failed ({response.status_code}): {response.text[:500]}"
            )
        if response.status_code >= 400:
            raise StoreError(response.text.strip()[:2000] or f"HTTP {response.status_code}")
        return response

    def _is_clients_fault(self, response: requests.Response) -> bool:
        """Whether a 5xx answer is really about the request (servers that say 500 for it)."""
        return False

    def _query(self, query: str, accept: str, **params: object) -> requests.Response:
        text = self.query_prologue + query
        return self._post(self.query_endpoint, {"query": text, **params}, accept)

    # -- identity ------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """The data version left by the last write through any instance (rechecked each second)."""
        now = time.monotonic()
        if self._version is None or now - self._version_checked > VERSION_TTL:
            rows = self.select(
                f"SELECT ?v WHERE {{ GRAPH {_VERSION_SUBJECT} {{ {_VERSION_SUBJECT} "
                f"{_VERSION_PROPERTY} ?v }} }}"
            )
            self._version = str(rows[0]["v"]) if rows else "initial"
            self._version_checked = now
        return self._version

    def reopen_settings(self) -> dict[str, object]:
        """How another process reaches the same endpoints (credentials included: pass privately)."""
        return {
            "query_endpoint": self.query_endpoint,
            "update_endpoint": self.update_endpoint,
            "credentials": self._credentials,
            "timeout": self.timeout,
            "dialect": self.dialect,
        }

    # -- reads ---------------------------------------------------------------------------------

    def select(
        self, query: str, bindings: Mapping[str, Node] | None = None, *, union: bool = True
    ) -> list[dict[str, Node]]:
        """Run a SELECT and return its rows as dicts of rdflib terms."""
        answer = self._query(bind(query, bindings), RESULT_MEDIA["json"]).json()
        if "results" not in answer:
            raise StoreError("not a SELECT query")
        return [
            {name: self._term(value) for name, value in row.items()}
            for row in answer["results"]["bindings"]
        ]

    def _term(self, binding: dict[str, str]) -> Node:
        """The rdflib term of one value of a JSON result row."""
        return _from_json(binding)

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        """Run an ASK query."""
        return bool(self._query(bind(query, bindings), RESULT_MEDIA["json"]).json()["boolean"])

    def construct(
        self, query: str, bindings: Mapping[str, Node] | None = None
    ) -> list[tuple[Node, Node, Node]]:
        """Run a CONSTRUCT or DESCRIBE and return its triples."""
        body = self._query(bind(query, bindings), GRAPH_MEDIA["ntriples"]).content
        return ntriples_to_rdflib(body)

    def construct_serialized(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        fmt: str = "turtle",
        *,
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes:
        """Run a CONSTRUCT and serialise its triples in `fmt` (with our prefixes)."""
        body = self._query(bind(query, bindings), GRAPH_MEDIA["ntriples"]).content
        return reserialize(body, fmt, prefixes=prefixes)

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
        """Pass a protocol query through and return the remote's answer bytes."""
        form = query_form(query) or "select"
        params: dict[str, object] = {}
        if default_graphs is not None or named_graphs is not None:
            params["default-graph-uri"] = list(default_graphs or ())
            params["named-graph-uri"] = list(named_graphs or ())
        text = f"BASE <{base_iri}>\n{query}" if base_iri else query
        if form in {"construct", "describe"}:
            response = self._query(text, GRAPH_MEDIA[graph_format], **params)
            return QueryAnswer("graph", response.content)
        response = self._query(text, RESULT_MEDIA[result_format], **params)
        return QueryAnswer("ask" if form == "ask" else "select", response.content)

    def named_graphs(self) -> list[str]:
        """Return the IRIs of the (non-empty) named graphs, sorted."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(
            str(r["g"])
            for r in rows
            if isinstance(r.get("g"), URIRef) and str(r["g"]) not in self.hidden_graphs
        )

    def count(self, graph: str | None = None) -> int:
        """Count the triples of one named graph, or of all named graphs."""
        if graph is None:
            hidden = ", ".join(term_text(URIRef(g)) for g in sorted(self.hidden_graphs))
            rows = self.select(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER(?g NOT IN ({hidden})) }}"
            )
        else:
            rows = self.select(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH $g { ?s ?p ?o } }", {"g": URIRef(graph)}
            )
        return int(str(rows[0]["n"])) if rows else 0

    def _graph_ntriples(self, graph: str) -> bytes:
        query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $g { ?s ?p ?o } }"
        return self._query(bind(query, {"g": URIRef(graph)}), GRAPH_MEDIA["ntriples"]).content

    def dump(
        self, fmt: str, graph: str | None = None, *, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        """Serialise one named graph, or every named graph in a dataset format."""
        if graph is not None:
            return reserialize(self._graph_ntriples(graph), fmt, graph=graph, prefixes=prefixes)
        # Graph by graph, joined: only formats whose documents concatenate (not JSON-LD).
        if fmt not in {"trig", "nquads"}:
            raise StoreError(f"{fmt} holds one graph: name the graph to dump")
        return b"".join(
            reserialize(self._graph_ntriples(name), fmt, graph=name) for name in self.named_graphs()
        )

    def quads(self, graph: str | None = None) -> Iterator[tuple[Node, Node, Node, str | None]]:
        """Iterate over the quads of one named graph or of all named graphs."""
        for name in [graph] if graph is not None else self.named_graphs():
            for s, p, o in ntriples_to_rdflib(self._graph_ntriples(name)):
                yield s, p, o, name

    def has_graph(self, graph: str) -> bool:
        """Whether a named graph holds any triple."""
        return self.ask("ASK { GRAPH $g { ?s ?p ?o } }", {"g": URIRef(graph)})

    # -- writes: one request each, which the remote applies as one transaction -------------------

    def _write(self, operations: str) -> None:
        marker = uuid.uuid4().hex
        before = operations.rstrip().rstrip(";")
        text = self.update_prologue + (
            (before + " ;\n" if before else "")
            + f"DELETE WHERE {{ GRAPH {_VERSION_SUBJECT} {{ {_VERSION_SUBJECT} "
            f"{_VERSION_PROPERTY} ?v }} }} ;\nINSERT DATA {{ GRAPH {_VERSION_SUBJECT} {{ "
            f'{_VERSION_SUBJECT} {_VERSION_PROPERTY} "{marker}" }} }}'
        )
        with self._write_lock:
            self._post(
                self.update_endpoint,
                {"update": text},
                "text/plain, */*;q=0.5",
                auth=self._write_auth(),
            )
            self._version, self._version_checked = marker, time.monotonic()

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update (and move the data version) in one request."""
        self._write(f"BASE <{base_iri}>\n{update}" if base_iri else update)

    @staticmethod
    def _insert(by_graph: Iterable[tuple[str | None, str]], replace: bool) -> str:
        """The update text that adds (or replaces by) N-Triples texts, graph by graph."""
        operations = []
        for name, ntriples in by_graph:
            target = "DEFAULT" if name is None else f"GRAPH {term_text(URIRef(name))}"
            if replace:
                operations.append(f"DROP SILENT {target}")
            if ntriples.strip():
                body = ntriples if name is None else f"{target} {{\n{ntriples}}}"
                operations.append(f"INSERT DATA {{\n{body}\n}}")
        return " ;\n".join(operations) or "CLEAR SILENT GRAPH <urn:x-graph-service:nothing>"

    def _put_graphs(self, by_graph: Iterable[tuple[str | None, str]], replace: bool) -> None:
        """Add (or replace by) N-Triples texts, graph by graph, in one update request."""
        self._write(self._insert(by_graph, replace))

    def load(
        self,
        data: bytes | str | Path,
        fmt: str,
        *,
        graph: str | None = None,
        replace: bool = False,
        base_iri: str | None = None,
    ) -> int:
        """Parse data here (so a syntax error sends nothing), then add or replace in one request."""
        by_graph = parse_to_ntriples(data, fmt, graph, base_iri)
        if replace and graph not in by_graph:
            by_graph[graph] = ""
        self._put_graphs(by_graph.items(), replace)
        return sum(text.count("\n") for text in by_graph.values())

    def load_parts(
        self,
        parts: Iterable[tuple[bytes, str]],
        *,
        graph: str | None = None,
        base_iri: str | None = None,
    ) -> int:
        """Parse several documents and add them all in one request."""
        merged: dict[str | None, str] = {}
        for data, fmt in parts:
            for name, text in parse_to_ntriples(data, fmt, graph, base_iri).items():
                merged[name] = merged.get(name, "") + text
        self._put_graphs(merged.items(), replace=False)
        return sum(text.count("\n") for text in merged.values())

    def replace_graphs(self, by_graph: Mapping[str, str]) -> None:
        """Replace several named graphs by N-Triples texts ("" empties one) in one request."""
        self._put_graphs(by_graph.items(), replace=True)

    def bulk_load_file(self, path: Path, fmt: str, graph: str | None) -> None:
        """Replace a graph with a file's content (one request)."""
        self.load(path, fmt, graph=graph, replace=True)

    def add_triples(self, triples: Iterable[tuple[Node, Node, Node]], graph: str | None) -> None:
        """Add rdflib triples to a graph in one request."""
        self._put_graphs([(graph, triples_to_ntriples(triples))], replace=False)

    def drop_graph(self, graph: str | None) -> bool:
        """Remove a named graph (or empty the default graph); False if it did not exist."""
        if graph is not None and not self.has_graph(graph):
            return False
        target = "DEFAULT" if graph is None else f"GRAPH {term_text(URIRef(graph))}"
        self._write(f"DROP SILENT {target}")
        return True

    def default_graph_nquads(self) -> bytes:
        """The server's real default graph, read through its Graph Store Protocol endpoint."""
        try:
            response = self._session.get(
                self.graph_store_endpoint,
                params={"default": ""},
                headers={"Accept": "application/n-triples"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise RemoteUnavailable(f"the remote graph store is unreachable: {exc}") from exc
        if response.status_code == 404:
            return b""
        if not response.ok:
            raise StoreError(
                f"the remote graph store {self.graph_store_endpoint} answered "
                f"{response.status_code} for the default graph"
            )
        return response.content

    def apply_rows(self, added: Sequence[str], removed: Sequence[str]) -> None:
        """Remove then add N-Quads rows in one request. A removed row's blank nodes match any
        node there (a server's blank nodes cannot be named), added ones are new nodes."""
        plain = [row for row in removed if not _BLANK.search(row)]
        blank = [row for row in removed if _BLANK.search(row)]
        deletions = [f"DELETE DATA {{\n{data_block(plain)}\n}}"] if plain else []
        self._write_rows(deletions, blank, added)

    def _write_rows(
        self, deletions: Sequence[str], blank: Sequence[str], added: Sequence[str]
    ) -> None:
        """One request: these DELETE DATA operations, one DELETE WHERE per removed row with
        blank nodes, then INSERT DATA of the added rows."""
        operations = list(deletions)
        for row in blank:
            pattern = _BLANK.sub(r"\1?b_\2", data_block([row]))
            operations.append(f"DELETE WHERE {{\n{pattern}\n}}")
        if added:
            operations.append(f"INSERT DATA {{\n{data_block(added)}\n}}")
        if operations:
            self._write(" ;\n".join(operations))

    def present_rows(self, rows: Sequence[str]) -> set[str]:
        """Those of these N-Quads rows the server holds (rows with blank nodes count as
        present: they cannot be named there)."""
        plain = [row for row in rows if not _BLANK.search(row)]
        present = {row for row in rows if _BLANK.search(row)}
        for start in range(0, len(plain), 200):
            chunk = plain[start : start + 200]
            # One branch per row, tagged with its position: the solutions name the rows held.
            branches = [f"{{ {data_block([row])} BIND({n} AS ?i) }}" for n, row in enumerate(chunk)]
            found = self.select("SELECT ?i WHERE { " + " UNION ".join(branches) + " }")
            present |= {chunk[int(str(row["i"]))] for row in found}
        return present

    def flush(self) -> None:
        """Nothing to do: the remote persists each request."""

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()
