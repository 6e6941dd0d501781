"""The OpenAPI description of /api/concepts (the concept editor for scripts)."""

from __future__ import annotations

EDITOR = "Concept editor"
_IRI = {"type": "string", "format": "uri"}
_IRIS = {"type": "array", "items": _IRI}
_BY_LANG = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": 'Language tag -> text, e.g. {"fr": "Budget participatif"}',
}
_LISTS_BY_LANG = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
_MATCHES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")

CONCEPT = {
    "type": "object",
    "properties": {
        "uri": {**_IRI, "readOnly": True},
        "scheme": _IRI,
        "prefLabel": _BY_LANG,
        "altLabel": _LISTS_BY_LANG,
        "hiddenLabel": _LISTS_BY_LANG,
        "definition": _BY_LANG,
        "scopeNote": _BY_LANG,
        "editorialNote": _BY_LANG,
        "notation": {"type": "string"},
        "broader": _IRIS,
        "related": _IRIS,
        **{name: _IRIS for name in _MATCHES},
    },
    "additionalProperties": False,
}
PROBLEMS = {
    "type": "object",
    "required": ["error", "problems"],
    "properties": {
        "error": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message", "severity"],
                "properties": {
                    "field": {"type": "string", "example": "prefLabel.fr"},
                    "message": {"type": "string"},
                    "severity": {"type": "string", "enum": ["error", "warning", "info"]},
                },
            },
        },
    },
}
_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
_APPLIED = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["applied"]},
        "uri": _IRI,
        "change": {"type": "string"},
    },
}
_PROPOSED = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["proposed"]},
        "proposal": {"type": "string"},
        "url": _IRI,
    },
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _write_responses(applied_status: str) -> dict:
    return {
        applied_status: {"description": "Applied (editor account or update token)",
                         "content": _json(_APPLIED)},
        "202": {"description": "Filed as a proposal awaiting review (contributor account)",
                "content": _json(_PROPOSED)},
        "400": {"description": "Bad request", "content": _json(_ERROR)},
        "401": {"description": "No or wrong credentials", "content": _json(_ERROR)},
        "403": {"description": "Writes disabled or wrong token", "content": _json(_ERROR)},
        "404": {"description": "No such concept", "content": _json(_ERROR)},
        "409": {"description": "The concept changed since the ETag given in If-Match",
                "content": _json(_ERROR)},
        "422": {"description": "The result would not validate: nothing was written",
                "content": _json(PROBLEMS)},
        "429": {"description": "Too many failed sign-ins", "content": _json(_ERROR)},
    }  # fmt: skip


_URI = {"name": "uri", "in": "query", "required": True, "schema": _IRI,
        "description": "IRI of the concept."}  # fmt: skip
_IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
             "description": "The ETag of a GET: the change is refused (409) if the concept "
                            "changed since."}  # fmt: skip
SECURITY: list[dict[str, list[str]]] = [{"basic": []}, {"updateToken": []}]
SECURITY_SCHEMES = {
    "basic": {"type": "http", "scheme": "basic",
              "description": "A librarian's account (graph-service users add)."},
    "updateToken": {"type": "http", "scheme": "bearer",
                    "description": "GRAPH_SERVICE_UPDATE_TOKEN, for machines."},
}  # fmt: skip


def paths() -> dict:
    """The path items of /api/concepts."""
    return {
        "/api/concepts": {
            "post": {
                "summary": "Create a concept in one of the service's schemes",
                "tags": [EDITOR], "security": SECURITY,
                "requestBody": {"required": True, "content": _json(CONCEPT)},
                "responses": _write_responses("201"),
            },
            "get": {
                "summary": "A concept's editable fields, with its state as ETag",
                "tags": [EDITOR], "parameters": [_URI],
                "responses": {
                    "200": {"description": "The concept", "content": _json(CONCEPT),
                            "headers": {"ETag": {"schema": {"type": "string"}}}},
                    "400": {"description": "Bad request", "content": _json(_ERROR)},
                    "404": {"description": "No such concept", "content": _json(_ERROR)},
                },
            },
            "patch": {
                "summary": "Change the fields sent (the others are kept); moving = new broader",
                "tags": [EDITOR], "security": SECURITY, "parameters": [_URI, _IF_MATCH],
                "requestBody": {"required": True, "content": _json(CONCEPT)},
                "responses": _write_responses("200"),
            },
            "delete": {
                "summary": "Deprecate a concept (it stays resolvable), with a replacement",
                "tags": [EDITOR], "security": SECURITY,
                "parameters": [_URI, _IF_MATCH,
                               {"name": "replacement", "in": "query", "required": False,
                                "schema": _IRI, "description": "The concept replacing it."}],
                "responses": _write_responses("200"),
            },
        }
    }  # fmt: skip
