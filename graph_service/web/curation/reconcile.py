"""OpenRefine reconciliation service at /reconcile: manifest, batched queries, preview, suggest.

Candidates come from the search index (search.index.get_index) and from the suggestion matcher
(plurals, elision, typos); each is scored 0-100 against all its labels, folded: 100 for an
exact preferred label, 95 alternative, 90 hidden, else string similarity (at most 85).
`match` is true only for an exact pref/alt label match with a clear lead: no other
candidate scoring 90 or more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from graph_service.curate.suggest import get_label_index, suggest
from graph_service.curate.textmatch import fold, normalise
from graph_service.model.concept import definition_of
from graph_service.model.schemes import list_schemes
from graph_service.namespaces import BASE, SKOS_NS, vocab_id_of
from graph_service.store import Store
from graph_service.web.backend import get_store
from graph_service.web.cors import allow_any_origin
from graph_service.web.params import BadParameter, json_value, jsonp_callback
from graph_service.web.paths import page_path, service_base

bp = Blueprint("reconcile", __name__)

SKOS_CONCEPT = SKOS_NS + "Concept"
EXACT = {"prefLabel": 100.0, "altLabel": 95.0, "hiddenLabel": 90.0}
MAX_QUERIES = 100
MAX_LIMIT = 50


class BadQuery(ValueError):
    """A reconciliation request that cannot be answered; the message says why."""


@dataclass(frozen=True)
class Candidate:
    """One reconciliation result."""

    id: str
    name: str
    score: float
    match: bool
    type: list[dict[str, str]]

    def as_dict(self) -> dict:
        """The OpenRefine result object."""
        return {
            "id": self.id,
            "name": self.name,
            "score": self.score,
            "match": self.match,
            "type": self.type,
        }


def _scheme_names(store: Store) -> dict[str, tuple[str, str]]:
    """vocab id -> (scheme IRI, title)."""
    return {s.vocab_id: (s.iri, s.title) for s in list_schemes(store)}


def _restriction(store: Store, wanted: str | None) -> tuple[str | None, str | None]:
    """A query's type as (vocab id, rdf:type IRI): scheme IRI or id, skos:Concept, or a class."""
    if not wanted or wanted in {SKOS_CONCEPT, "skos:Concept"}:
        return None, None
    for vocab_id, (iri, _) in _scheme_names(store).items():
        if wanted in (vocab_id, iri):
            return vocab_id, None
    return None, wanted


def reconcile_one(store: Store, query: dict) -> list[Candidate]:
    """Answer one query object {"query", "type", "limit"}."""
    text = query.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadQuery("each query needs a non-empty 'query' string")
    limit = query.get("limit", 5)
    if not isinstance(limit, int) or limit < 1:
        raise BadQuery("'limit' must be a positive integer")
    limit = min(limit, MAX_LIMIT)
    wanted = query.get("type")
    if isinstance(wanted, list):
        wanted = wanted[0] if wanted else None
    vocab_id, type_iri = _restriction(store, wanted if isinstance(wanted, str) else None)
    index = get_label_index(store)
    candidates = _candidate_iris(store, text, vocab_id, type_iri, limit)
    schemes = _scheme_names(store)
    key, folded = normalise(text), " ".join(fold(text).split())
    scored = []
    for iri in candidates:
        if vocab_id and vocab_id_of(index.scheme.get(iri, "")) != vocab_id:
            continue
        if type_iri and type_iri not in index.types.get(iri, []):
            continue
        score = max(
            (_score(folded, key, kind, label) for kind, label in index.labels.get(iri, [])),
            default=0.0,
        )
        label = index.label_of(iri)
        scheme_id = vocab_id_of(index.scheme.get(iri, "")) if index.scheme.get(iri) else ""
        types = [{"id": SKOS_CONCEPT, "name": "Concept"}]
        if scheme_id in schemes:
            types.insert(0, {"id": schemes[scheme_id][0], "name": schemes[scheme_id][1]})
        scored.append(Candidate(iri, str(label) if label is not None else iri, score, False, types))
    scored.sort(key=lambda c: (-c.score, c.name, c.id))
    if scored and scored[0].score >= EXACT["altLabel"]:
        rivals = [c for c in scored[1:] if c.score >= EXACT["hiddenLabel"]]
        if not rivals:
            top = scored[0]
            scored[0] = Candidate(top.id, top.name, top.score, True, top.type)
    return scored[:limit]


def _candidate_iris(
    store: Store, text: str, vocab_id: str | None, type_iri: str | None, limit: int
) -> list[str]:
    """Search-index hits first, then label matches (which know plurals, elision and typos)."""
    found: dict[str, None] = {}
    try:
        from graph_service.search.index import get_index

        index = get_index(store)
        # The words as typed, then as prefixes: "democratie participativ" finds the full label.
        prefixes = " ".join(w + "*" for w in text.replace("*", " ").split())
        for words in (text, prefixes):
            hits = index.search(
                words, vocab_id=vocab_id, type_iri=type_iri, limit=max(limit * 3, 10)
            )
            found.update(dict.fromkeys(h.iri for h in hits))
    except (ImportError, ValueError):
        pass  # the matcher below still answers
    for hit in suggest(store, text, limit=max(limit * 3, 10)):
        found.setdefault(hit.iri, None)
    return list(found)


def _score(query: str, key: str, kind: str, label: str) -> float:
    if " ".join(fold(label).split()) == query:
        return EXACT.get(kind, 90.0)
    other = normalise(label)
    if other == key:  # equal once plurals and elisions are set aside: close, not exact
        return EXACT.get(kind, 90.0) - 8
    return round(SequenceMatcher(None, key, other).ratio() * 85, 1)


def manifest(store: Store, root: str) -> dict:
    """The service manifest OpenRefine reads first."""
    types = [{"id": SKOS_CONCEPT, "name": "Concept (any vocabulary)"}]
    types += [{"id": iri, "name": title} for iri, title in _scheme_names(store).values()]
    return {
        "versions": ["0.1", "0.2"],
        "name": "graph-service: vocabulaire de la participation et de la politique de la ville",
        "identifierSpace": BASE,
        "schemaSpace": SKOS_NS,
        "defaultTypes": types,
        "view": {"url": f"{root}page?uri={{{{id}}}}"},
        "preview": {"url": f"{root}reconcile/preview?id={{{{id}}}}", "width": 400, "height": 120},
        "suggest": {
            "entity": {"service_url": root.rstrip("/"), "service_path": "/reconcile/suggest/entity"}
        },
    }


def _reply(data: object, status: int = 200) -> Response:
    """JSON, or JSONP when a valid ?callback= is given."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.values.get("callback", "")
    if callback and not jsonp_callback(callback):
        body, status = json.dumps({"error": "invalid callback name"}), 400
    elif callback:
        return Response(
            f"/**/{callback}({body});", status, content_type="application/javascript; charset=utf-8"
        )
    return allow_any_origin(Response(body, status, content_type="application/json; charset=utf-8"))


@bp.route("/reconcile", methods=["GET", "POST"])
def service() -> ResponseReturnValue:
    """Manifest (no query), one query (query=) or a batch (queries=)."""
    store = get_store()
    raw_batch, raw_one = request.values.get("queries"), request.values.get("query")
    if raw_batch is None and raw_one is None:
        return _reply(manifest(store, service_base()))
    try:
        if raw_batch is not None:
            batch = json_value(raw_batch, "queries")
            if not isinstance(batch, dict) or not all(isinstance(q, dict) for q in batch.values()):
                raise BadQuery('queries must be a JSON object {"q0": {"query": ...}, ...}')
            if len(batch) > MAX_QUERIES:
                raise BadQuery(f"at most {MAX_QUERIES} queries per request")
            answer = {
                k: {"result": [c.as_dict() for c in reconcile_one(store, q)]}
                for k, q in batch.items()
            }
            return _reply(answer)
        text = raw_one or ""  # there is no batch: a single query was given
        one = json_value(text, "query") if text.lstrip().startswith("{") else {"query": text}
        if not isinstance(one, dict):
            raise BadQuery("query must be a string or a JSON object")
        return _reply({"result": [c.as_dict() for c in reconcile_one(store, one)]})
    except (BadQuery, BadParameter) as exc:
        return _reply({"error": str(exc)}, 400)


@bp.get("/reconcile/preview")
def preview() -> ResponseReturnValue:
    """A small HTML card for one concept (OpenRefine shows it in a popup)."""
    iri = request.args.get("id", "").strip()
    store = get_store()
    index = get_label_index(store)
    if iri not in index.labels:
        return Response("unknown concept", 404, content_type="text/plain; charset=utf-8")
    label = index.label_of(iri)
    definition = definition_of(store, iri)
    scheme = index.scheme.get(iri, "")
    return render_template(
        "curation/preview.html",
        iri=iri,
        label=str(label or iri),
        definition=str(definition or ""),
        vocab_id=vocab_id_of(scheme) if scheme else "",
        href=page_path(iri),
    )


@bp.get("/reconcile/suggest/entity")
def suggest_entity() -> ResponseReturnValue:
    """Autocomplete for OpenRefine: concepts whose labels start with or contain ?prefix=."""
    prefix = request.args.get("prefix", "").strip()
    if not prefix:
        return _reply({"result": []})
    store = get_store()
    found: dict[str, str] = {}
    try:
        from graph_service.search.index import get_index

        words = " ".join(w + "*" for w in prefix.replace("*", " ").split())
        for hit in get_index(store).search(words, limit=10):
            found.setdefault(hit.iri, hit.pref_label)
    except (ImportError, ValueError):
        pass
    for candidate in reconcile_one(store, {"query": prefix, "limit": 10}):
        found.setdefault(candidate.id, candidate.name)
    results = [{"id": iri, "name": name} for iri, name in list(found.items())[:10]]
    return _reply({"result": results})
