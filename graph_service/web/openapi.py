"""The OpenAPI 3 description of the REST API and linked-data routes, built in code."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from flask.typing import ResponseReturnValue

from graph_service.namespaces import MAX_IRI_LENGTH
from graph_service.web import openapi_editor, openapi_protocols
from graph_service.web.conneg import format_names
from graph_service.web.cors import allow_any_origin
from graph_service.web.params import MAX_CALLBACK

bp = Blueprint("openapi", __name__)

REST = "Skosmos REST v1"
LD = "Linked data"
_STRING = {"type": "string"}
#: Whole numbers as params.int_arg reads them: at most fifteen digits.
_MAX_WHOLE = 10**15 - 1
_COUNT = {"type": "integer", "minimum": 0, "maximum": _MAX_WHOLE}
_POSITIVE = {"type": "integer", "minimum": 1, "maximum": _MAX_WHOLE}
#: An absolute IRI (params.iri_arg): a scheme, a colon, no spaces nor <>"{}|^`\.
_IRI_CHARS = '[^<>"{}|^`\\\\\\x00-\\x20\\x7f]'
_IRI = {"type": "string", "format": "uri", "minLength": 1, "maxLength": MAX_IRI_LENGTH,
        "pattern": f"^[ \\t]*[A-Za-z][A-Za-z0-9+.-]*:{_IRI_CHARS}*[ \\t]*$"}  # fmt: skip
#: A language tag (params.language_tag), optional: an empty value is no language.
_TAG = "[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*"
_LANG = {"type": "string", "pattern": f"^[ \\t]*({_TAG})?[ \\t]*$"}
_LANG_REQUIRED = {"type": "string", "pattern": f"^[ \\t]*{_TAG}[ \\t]*$"}
#: A JSONP callback (params.jsonp_callback): a dotted identifier, or empty for none.
_IDENTIFIER = "[A-Za-z_$][A-Za-z0-9_$]*"
_CALLBACK = {"type": "string", "maxLength": MAX_CALLBACK,
             "pattern": f"^({_IDENTIFIER}(\\.{_IDENTIFIER})*)?$"}  # fmt: skip
_DATE = {"type": "string", "pattern": "^[ \\t]*([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?[ \\t]*$"}


_PAGE_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")
#: /rest/v1/data takes media types only (as Skosmos does); pages and VoID take any name.
#: An empty format= is no format: the Accept header chooses.
_DATA_FORMAT = {"type": "string", "enum": ["", "application/rdf+xml", "text/turtle",
                "application/ld+json", "application/json", "application/n-triples"]}  # fmt: skip
_PAGE_FORMAT = {"type": "string",
                "enum": ["", "html", "text/html", *format_names(_PAGE_FORMATS)]}  # fmt: skip
_VOID_FORMAT = {"type": "string", "enum": ["", *format_names(_PAGE_FORMATS)]}
_ERROR_EXAMPLE = "404 Not Found : Could not find concept <https://w3id.org/pdv/notions/x>"
_TEXT_ERROR = {"text/plain": {"schema": {"type": "string", "example": _ERROR_EXAMPLE}}}
_RDF_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")
#: JSON-LD is JSON (an object or an array); the other syntaxes are text.
_RDF = {media_type: {"schema": {} if media_type.endswith("json") else _STRING}
        for media_type in _RDF_TYPES}  # fmt: skip
#: A value with something other than spaces and tabs in it (params.BLANKS are trimmed).
_TEXT = {"type": "string", "pattern": "[^ \\t]"}
_DESCRIPTIONS = {
    302: "Redirect to the vocabulary dump (no uri)",
    303: "See the IRI's own page",
    304: "Not modified (conditional request with If-None-Match or If-Modified-Since)",
    400: "Bad request (plain text)",
    404: "Not found (plain text)",
    406: "No acceptable format (plain text)",
    414: "URI too long: the HTTP server refuses request lines past its limit",
}

#: Parameters by name: (where, description, required, schema).
PARAMS: dict[str, tuple[str, str, bool, dict]] = {
    "vocid": ("path", "Vocabulary id: notions, thematiques, territoires, types.", True, _STRING),
    "letter": ("path", "A letter, 0-9, !* (other) or * (all).", True, _STRING),
    "name": ("path", "<vocid|resources|all>.<ttl|nt|nq|trig|rdf|jsonld>", True, _STRING),
    "lang": ("query", "Language of the labels (fr, en); fallbacks fr, en, any.", False, _LANG),
    "lang!": ("query", "Language of the labels.", True, _LANG_REQUIRED),
    "uri": ("query", "IRI of the concept.", True, _IRI),
    "uri?": ("query", "IRI of the concept (omit for the whole vocabulary).", False, _IRI),
    "group-uri": ("query", "IRI of the collection.", True, _IRI),
    "any-uri": ("query", "Any IRI present in the store.", True, _IRI),
    "query": ("query", "Search term; * is a wildcard (concert*, *ville).", True, _TEXT),
    "labellang": ("query", "Language of the returned labels.", False, _LANG),
    "vocab": ("query", "Vocabulary ids, space separated.", False, _STRING),
    "type": ("query", "Classes (skos:Concept or IRIs), space separated.", False, _STRING),
    "type@iri": ("query", "Type of resource (dct:type), an IRI.", False, _IRI),
    "parent": ("query", "Only concepts under this concept.", False, _IRI),
    "group": ("query", "Only members of this collection.", False, _IRI),
    "maxhits": ("query", "Most results (default 100, at most 1000).", False, _POSITIVE),
    "fields": ("query", "Extra fields: broader narrower related prefLabel.", False, _STRING),
    "unique": ("query", "Accepted for compatibility; results are always unique.", False, _STRING),
    "label": ("query", "The label to look up.", True, _TEXT),
    "scheme": ("query", "Concept scheme IRI.", False, _IRI),
    "limit": ("query", "Most items to return.", False, _COUNT),
    "limit@1": ("query", "Most items to return (at least 1).", False, _POSITIVE),
    "offset": ("query", "Items to skip.", False, _COUNT),
    "format@data": ("query", "A media type.", False, _DATA_FORMAT),
    "format@page": ("query", "A media type, or html, ttl, jsonld, rdf, nt.", False, _PAGE_FORMAT),
    "format@void": ("query", "A media type, or ttl, jsonld, rdf, nt.", False, _VOID_FORMAT),
    "narrower": ("query", "true: include the resources of narrower concepts.", False, _STRING),
    "territory": ("query", "Territory IRI; its sub-territories count too.", False, _IRI),
    "from": ("query", "Earliest issue date: YYYY, YYYY-MM or YYYY-MM-DD.", False, _DATE),
    "to": ("query", "Latest issue date: YYYY, YYYY-MM or YYYY-MM-DD.", False, _DATE),
    "callback": ("query", "JSONP: wrap the answer in a call to this function.", False, _CALLBACK),
}

_SEARCH = "query lang labellang type parent group maxhits offset fields unique"
_CONCEPT = "vocid uri lang"
#: JSON endpoints: path, summary, parameters, top-level keys, error statuses.
JSON_ENDPOINTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("/vocabularies", "Vocabularies with their titles", "lang!", "vocabularies", "400"),
    ("/search", "Search all (or some) vocabularies", _SEARCH + " vocab", "results", "400 404"),
    ("/label", "Labels of a concept of any vocabulary", "uri lang", "uri prefLabel", "400 404"),
    ("/types", "Classes of all vocabularies", "lang!", "types", "400"),
    ("/{vocid}/", "Vocabulary information", "vocid lang", "id title languages", "404"),
    ("/{vocid}/search", "Search one vocabulary", "vocid " + _SEARCH, "results", "400 404"),
    ("/{vocid}/label", "Labels of a concept", _CONCEPT, "uri prefLabel", "400 404"),
    ("/{vocid}/types", "Classes of the vocabulary", "vocid lang", "types", "404"),
    ("/{vocid}/topConcepts", "Top concepts", "vocid lang scheme", "topconcepts", "404"),
    ("/{vocid}/broader", "Broader concepts", _CONCEPT, "uri broader", "400 404"),
    ("/{vocid}/broaderTransitive", "All broader concepts, keyed by IRI", _CONCEPT + " limit@1",
     "uri broaderTransitive", "400 404"),
    ("/{vocid}/narrower", "Narrower concepts", _CONCEPT, "uri narrower", "400 404"),
    ("/{vocid}/narrowerTransitive", "All narrower concepts, keyed by IRI", _CONCEPT + " limit@1",
     "uri narrowerTransitive", "400 404"),
    ("/{vocid}/related", "Related concepts", _CONCEPT, "uri related", "400 404"),
    ("/{vocid}/hierarchy", "Path to the top, with the children of each step", _CONCEPT,
     "uri broaderTransitive", "400 404"),
    ("/{vocid}/children", "Narrower concepts for a tree view", _CONCEPT, "uri narrower", "400 404"),
    ("/{vocid}/lookup", "Concepts with exactly this label (key `result`)", "vocid label lang",
     "result", "400 404"),
    ("/{vocid}/index/", "Letters of the alphabetical index", "vocid lang", "indexLetters", "404"),
    ("/{vocid}/index/{letter}", "Concepts whose label starts with a letter",
     "vocid letter lang limit offset", "indexConcepts", "400 404"),
    ("/{vocid}/groups", "Collections of the vocabulary", "vocid lang", "groups", "404"),
    ("/{vocid}/groupMembers", "Members of a collection", "vocid group-uri lang", "uri members",
     "400 404"),
    ("/{vocid}/new", "Concepts by creation date, newest first", "vocid lang offset limit",
     "changeList", "400 404"),
    ("/{vocid}/modified", "Concepts by modification date, newest first",
     "vocid lang offset limit", "changeList", "400 404"),
    ("/{vocid}/vocabularyStatistics", "Numbers of concepts and of each class", "vocid lang",
     "id concepts", "404"),
    ("/{vocid}/labelStatistics", "Numbers of labels per language", "vocid lang", "id languages",
     "404"),
    ("/{vocid}/mappings", "Mappings of a concept (JSKOS)", _CONCEPT, "mappings", "400 404"),
    ("/{vocid}/resources", "Resources indexed with a concept, filtered and paginated",
     _CONCEPT + " narrower territory type@iri from to limit@1 offset", "uri total resources",
     "400 404"),
    ("/{vocid}/concepts", "All concepts page by page, for harvesting", "vocid limit@1 offset",
     "total concepts", "400 404"),
)  # fmt: skip


def _parameters(names: str) -> list[dict]:
    result = []
    for name in names.split():
        where, description, required, schema = PARAMS[name]
        real = name.rstrip("!?").split("@")[0].replace("group-", "").replace("any-", "")
        result.append(
            {"name": real, "in": where, "description": description, "required": required,
             "schema": schema}
        )  # fmt: skip
    return result


def _responses(ok: dict, errors: str) -> dict:
    responses = {"200": ok, "304": {"description": _DESCRIPTIONS[304]}}
    # Any parameter may be malformed (a callback, a language tag, a number): 400 everywhere.
    for code in sorted({"400", "414", *errors.split()}):
        entry: dict = {"description": _DESCRIPTIONS[int(code)]}
        if int(code) >= 400 and code != "414":  # the HTTP server's own answer, not ours
            entry["content"] = _TEXT_ERROR
        responses[code] = entry
    return responses


def _json_operation(summary: str, params: str, keys: str, errors: str) -> dict:
    schema = {
        "type": "object",
        "required": ["@context", *keys.split()],
        "properties": {"@context": {"type": "object"}},
        "additionalProperties": True,
    }
    content = {
        "application/json": {"schema": schema},
        "application/ld+json": {"schema": schema},
        "application/javascript": {"schema": _STRING},
    }
    return {
        "summary": summary,
        "tags": [REST],
        "parameters": _parameters(params + " callback"),
        "responses": _responses({"description": summary, "content": content}, errors),
    }


def _operation(tag: str, summary: str, params: str, content: dict, errors: str) -> dict:
    return {
        "summary": summary,
        "tags": [tag],
        "parameters": _parameters(params),
        "responses": _responses({"description": summary, "content": content}, errors),
    }


def document(server_url: str = "/") -> dict:
    """The OpenAPI 3.0 document of the service."""
    paths = {
        "/rest/v1" + path: {"get": _json_operation(summary, params, keys, errors)}
        for path, summary, params, keys, errors in JSON_ENDPOINTS
    }
    datasets = {**_RDF, "application/trig": {"schema": _STRING},
                "application/n-quads": {"schema": _STRING}}  # fmt: skip
    page = {**_RDF, "text/html": {"schema": _STRING}}
    extra = {
        "/rest/v1/data": (REST, "RDF of a concept of any vocabulary", "uri format@data", _RDF,
                          "400 404 406"),
        "/rest/v1/{vocid}/data": (REST, "RDF of a concept, or a redirect to the dump",
                                  "vocid uri? format@data", _RDF, "302 400 404 406"),
        "/page": (LD, "Any IRI of the store: ours redirect to their page, others render here",
                  "any-uri format@page", page, "303 400 404 406"),
        "/dumps/{name}": (LD, "Dump of a vocabulary, of the resources or of all data, streamed",
                          "name", datasets, "404"),
        "/.well-known/void": (LD, "VoID description: datasets, sizes, dumps, SPARQL endpoint",
                              "format@void", _RDF, "406"),
    }  # fmt: skip
    for path, (tag, summary, params, content, errors) in extra.items():
        paths[path] = {"get": _operation(tag, summary, params, content, errors)}
    paths.update(openapi_editor.paths())
    paths.update(openapi_protocols.paths())
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "graph-service",
            "version": "1.0.0",
            "description": (
                "Skosmos-compatible REST API (v1) over the urban-policy vocabulary, plus "
                "resources, harvesting, dereferenceable IRIs and dumps: GET only, CORS *, JSONP "
                "with ?callback=, errors in plain text, ETag, Last-Modified and 304 on every GET. "
                "The concept editor (/api/concepts) writes with an account (HTTP Basic) or the "
                "update token, and answers JSON. /sparql speaks the SPARQL 1.1 Protocol, "
                "/reconcile the OpenRefine reconciliation API (0.2, and the 1.0 draft under "
                "/reconcile/v1). A 429 or 503 says when to retry (Retry-After)."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": [
            {"name": REST},
            {"name": LD},
            {"name": openapi_editor.EDITOR},
            {"name": openapi_protocols.SPARQL},
            {"name": openapi_protocols.RECONCILE},
        ],
        "paths": paths,
        "components": {"securitySchemes": openapi_editor.SECURITY_SCHEMES},
    }


@bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    """The OpenAPI document of this service."""
    return allow_any_origin(jsonify(document(request.script_root or "/")))


def init_app(app: Flask) -> None:
    """Serve /openapi.json."""
    app.register_blueprint(bp)
