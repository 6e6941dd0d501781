"""The OpenAPI description of the standard protocols: SPARQL 1.1 at /sparql and OpenRefine
reconciliation (0.2 at /reconcile, the 1.0 draft at /reconcile/v1), with every status they
answer: the client's faults (400, 401, 406, 413, 415, 422, 429) and the server's (502, 503,
507), the "try later" ones with Retry-After."""

from __future__ import annotations

from graph_service.web.params import MAX_CALLBACK
from graph_service.web.sparql.protocol import (
    GRAPH_ALIASES_BY_MEDIA,
    GRAPH_MEDIA,
    HTML,
    RESULT_ALIASES,
    RESULT_MEDIA,
)

SPARQL = "SPARQL 1.1 Protocol"
RECONCILE = "Reconciliation (OpenRefine)"
_STRING = {"type": "string"}
_IRI = {"type": "string", "format": "uri"}
_IRIS = {"type": "array", "items": _IRI}
_OBJECT = {"type": "object"}
_ERROR = {"type": "object", "required": ["error"], "properties": {"error": _STRING}}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds after which to try again", "schema": _STRING}
}

_STATUS = {
    204: "The update was made (or changed nothing)",
    304: "Not modified (conditional request)",
    400: "Bad request: the query, update or a parameter is not valid (plain text)",
    401: "An update without the update token (Authorization: Bearer ...)",
    403: "Updates are off: no update token configured, or the store is read-only",
    404: "Not found",
    406: "None of the Accept header's types can hold this answer",
    413: "The body, query or change is too large (the message names the limit)",
    414: "URI too long: the HTTP server refuses request lines past its limit",
    415: "Unsupported Content-Type or charset",
    422: "The answer has more rows than the endpoint's limit: add LIMIT",
    429: "This client already has as many requests running as it may",
    502: "An allowed SERVICE endpoint failed (its reply is not passed on)",
    503: "The server cannot answer now (time limit, busy workers, store down)",
    507: "The server's disk or quota is full: nothing was changed",
}
#: Errors of /sparql: a message in plain text (an HTML page for a browser).
_TEXT_ERROR = {"text/plain": {"schema": _STRING}, "text/html": {"schema": _STRING}}
#: Errors of the reconciliation API: JSON (JSONP with a callback), or plain text from the
#: layers before it (a body past its limit).
_JSON_ERROR = {
    "application/json": {"schema": _ERROR},
    "application/javascript": {"schema": _STRING},
    "text/plain": {"schema": _STRING},
}


def _content(media_types: list[str]) -> dict:
    """JSON types take any JSON value; the others are text."""
    return {media: {"schema": {} if media.endswith("json") else _STRING} for media in media_types}


def _responses(ok: dict, errors: str, error_content: dict) -> dict:
    responses = dict(ok)
    for code in errors.split():
        entry: dict = {"description": _STATUS[int(code)]}
        if code not in ("304", "414"):  # no body, or the HTTP server's own answer
            entry["content"] = error_content
        if code in ("429", "503"):
            entry["headers"] = _RETRY_AFTER
        responses[code] = entry
    return responses


def _query_param(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "required": required,
        "schema": schema,
    }


_ANSWER_MEDIA = [
    *RESULT_MEDIA,
    *GRAPH_MEDIA,
    *dict.fromkeys([*RESULT_ALIASES, *GRAPH_ALIASES_BY_MEDIA]),
    HTML,
]
_DATASET = [
    _query_param("default-graph-uri", "A graph of the query's default graph.", _IRIS),
    _query_param("named-graph-uri", "A named graph of the query's dataset.", _IRIS),
]
_FORMAT = _query_param(
    "format",
    "The answer's format by name (json, xml, csv, tsv, turtle, jsonld, rdfxml, ntriples...) "
    "or media type; an unknown one leaves the choice to Accept.",
    _STRING,
)
_QUERY_OK = {
    "200": {
        "description": "The answer: SPARQL results (SELECT, ASK) or a graph (CONSTRUCT, "
        "DESCRIBE), as format= or Accept chose; the query page for a browser; without a "
        "query, the service description",
        "content": _content(_ANSWER_MEDIA),
    }
}
_FORM = {
    "type": "object",
    "properties": {
        "query": _STRING,
        "update": _STRING,
        "default-graph-uri": _IRIS,
        "named-graph-uri": _IRIS,
        "using-graph-uri": _IRIS,
        "using-named-graph-uri": _IRIS,
        "format": _STRING,
    },
}


def sparql_paths() -> dict:
    """The path item of /sparql: GET queries, POST queries and updates."""
    get = {
        "summary": "A SPARQL query (query=), or the service description without one",
        "tags": [SPARQL],
        "parameters": [
            _query_param("query", "The SPARQL query.", {"type": "string", "minLength": 1}),
            *_DATASET,
            _FORMAT,
        ],
        "responses": _responses(_QUERY_OK, "304 400 406 413 414 422 429 502 503", _TEXT_ERROR),
    }
    post = {
        "summary": "A query or an update in the body (updates need the update token)",
        "description": "application/sparql-query and application/sparql-update bodies, or a "
        "form with query= or update=. Updates are refused without `Authorization: Bearer "
        "<GRAPH_SERVICE_UPDATE_TOKEN>`; each is journalled before it is applied.",
        "tags": [SPARQL],
        "parameters": [*_DATASET, _FORMAT],
        "requestBody": {
            "required": True,
            "content": {
                "application/sparql-query": {"schema": _STRING},
                "application/sparql-update": {"schema": _STRING},
                "application/x-www-form-urlencoded": {"schema": _FORM},
            },
        },
        "responses": _responses(
            {**_QUERY_OK, "204": {"description": _STATUS[204]}},
            "400 401 403 406 413 414 415 422 429 502 503 507",
            _TEXT_ERROR,
        ),
    }
    return {"/sparql": {"get": get, "post": post}}


#: A JSONP callback (params.jsonp_callback): a dotted identifier, or empty for none.
_IDENTIFIER = "[A-Za-z_$][A-Za-z0-9_$]*"
_CALLBACK_NAME = {
    "type": "string",
    "maxLength": MAX_CALLBACK,
    "pattern": f"^({_IDENTIFIER}(\\.{_IDENTIFIER})*)?$",
}
_CALLBACK = _query_param(
    "callback", "JSONP: wrap the answer in a call to this function.", _CALLBACK_NAME
)
_JSON_OK = {
    "application/json": {"schema": _OBJECT},
    "application/javascript": {"schema": _STRING},
}
_RECONCILE_PARAMS = [
    _query_param("query", "One query: a text, or a JSON object {query, type, limit...}.", _STRING),
    _query_param("queries", 'A batch: a JSON object {"q0": {"query": ...}, ...}.', _STRING),
    _CALLBACK,
]
_RECONCILE_FORM = {
    "type": "object",
    "properties": {"query": _STRING, "queries": _STRING, "callback": _CALLBACK_NAME},
}


def _reconcile_operation(summary: str, errors: str, **extra: object) -> dict:
    ok = {"200": {"description": summary, "content": _JSON_OK}}
    return {
        "summary": summary,
        "tags": [RECONCILE],
        **extra,
        "responses": _responses(ok, errors, _JSON_ERROR),
    }


def reconcile_paths() -> dict:
    """The path items of the reconciliation API, 0.2 and the 1.0 draft."""
    service = {
        "get": _reconcile_operation(
            "The manifest (no query), one query or a batch",
            "400 414 429 503",
            parameters=_RECONCILE_PARAMS,
        ),
        "post": _reconcile_operation(
            "One query or a batch, as OpenRefine posts them (a form)",
            "400 413 414 429 503",
            parameters=[_CALLBACK],
            # Without a field, the manifest (as GET without a query).
            requestBody={
                "required": False,
                "content": {"application/x-www-form-urlencoded": {"schema": _RECONCILE_FORM}},
            },
        ),
    }
    match_body = {
        "type": "object",
        "required": ["queries"],
        "properties": {"queries": {"type": "array", "items": _OBJECT}},
    }
    match = {
        "post": _reconcile_operation(
            "A 1.0 batch: {queries: [...]}, answered in order",
            "400 413 414 429 503",
            requestBody={"required": True, "content": {"application/json": {"schema": match_body}}},
        )
    }
    prefix = _query_param("prefix", "What the user typed.", _STRING)
    cursor = _query_param(
        "cursor", "Suggestions to skip.", {"type": "string", "pattern": "^[ \\t]*[0-9]*[ \\t]*$"}
    )
    suggest = {
        "entity": ("Concepts whose label, IRI or code starts with prefix=", [prefix, cursor]),
        "property": ("The properties a query may give", [prefix]),
        "type": ("The types a query may ask for", [prefix]),
    }
    preview = {
        "summary": "A small HTML card of a concept (400x120)",
        "tags": [RECONCILE],
        "parameters": [_query_param("id", "The concept's IRI.", _STRING, required=True)],
        "responses": {
            "200": {"description": "The card", "content": {HTML: {"schema": _STRING}}},
            "400": {"description": _STATUS[400], "content": _TEXT_ERROR},
            "404": {"description": "No such concept", "content": _TEXT_ERROR},
            "414": {"description": _STATUS[414]},
        },
    }
    paths: dict = {
        "/reconcile": service,
        "/reconcile/v1": {
            "get": _reconcile_operation(
                "The 1.0 draft's manifest", "400 414", parameters=[_CALLBACK]
            )
        },
        "/reconcile/v1/match": match,
        "/reconcile/match": match,
    }
    for base in ("/reconcile", "/reconcile/v1"):
        paths[f"{base}/preview"] = {"get": preview}
        for kind, (summary, parameters) in suggest.items():
            paths[f"{base}/suggest/{kind}"] = {
                "get": _reconcile_operation(summary, "400 414", parameters=[*parameters, _CALLBACK])
            }
    return paths


def paths() -> dict:
    """Every path item of the protocols."""
    return {**sparql_paths(), **reconcile_paths()}
