"""The reconciliation protocol's JSON, versions 0.2 (OpenRefine) and 1.0 draft, read and written
as pure functions: queries in, answers and manifests out (the schemas are in the tests)."""

from __future__ import annotations

from typing import Any

from graph_service.curate.reconcile import (
    PROPERTIES,
    SKOS_CONCEPT,
    BadQuery,
    Candidate,
    Property,
    Query,
    clamp_limit,
    property_id,
)
from graph_service.model.schemes import list_schemes
from graph_service.namespaces import BASE, SKOS_NS
from graph_service.store import Store

SERVICE_NAME = "graph-service: vocabulaire de la participation et de la politique de la ville"
PREVIEW_SIZE = {"width": 400, "height": 120}
FEATURE_NAMES = {"exact": "Exact label, IRI or code", "properties": "Every property matches"}
MATCH_QUANTIFIERS = ("any", "all", "none")


def _values(value: object, where: str) -> tuple[str, ...]:
    """A property value (or list of them) as strings: entities by id, numbers as written."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, dict):
            if not isinstance(item.get("id"), str):
                raise BadQuery(f"{where}: an entity value needs an 'id' string")
            found.append(item["id"])
        elif isinstance(item, bool):
            found.append("true" if item else "false")
        elif isinstance(item, int | float | str):
            found.append(str(item))
        else:
            raise BadQuery(f"{where}: values are strings, numbers, booleans or {{'id': ...}}")
    return tuple(found)


# --- 0.2 -----------------------------------------------------------------------------------


def query_v02(raw: object, key: str = "query") -> Query:
    """One 0.2 query object; an empty text or properties alone are valid (answered per query)."""
    if not isinstance(raw, dict):
        raise BadQuery(f"{key}: each query must be a JSON object")
    text = raw.get("query", "")
    if not isinstance(text, str):
        raise BadQuery(f"{key}: 'query' must be a string")
    wanted = raw.get("type")
    if isinstance(wanted, str):
        types: tuple[str, ...] = (wanted,)
    elif isinstance(wanted, list) and all(isinstance(t, str) for t in wanted):
        types = tuple(wanted)
    elif wanted is None:
        types = ()
    else:
        raise BadQuery(f"{key}: 'type' must be a string or a list of strings")
    properties = raw.get("properties", [])
    if not isinstance(properties, list):
        raise BadQuery(f"{key}: 'properties' must be a list")
    conditions = []
    for item in properties:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise BadQuery(f"{key}: each property is an object with a 'pid' string and 'v'")
        conditions.append(Property(property_id(item["pid"]), _values(item["v"], key)))
    return Query(text, types, clamp_limit(raw.get("limit")), tuple(conditions))


def batch_v02(raw: object, max_queries: int) -> dict[str, Query]:
    """A 0.2 batch {"q0": {...}, ...}: every query read, or BadQuery for the whole batch."""
    if not isinstance(raw, dict):
        raise BadQuery('queries must be a JSON object {"q0": {"query": ...}, ...}')
    if len(raw) > max_queries:
        raise BadQuery(f"at most {max_queries} queries per request: this batch has {len(raw)}")
    return {key: query_v02(value, key) for key, value in raw.items()}


def candidate_v02(candidate: Candidate) -> dict[str, Any]:
    """A 0.2 result object."""
    answer: dict[str, Any] = {
        "id": candidate.id,
        "name": candidate.name,
        "score": candidate.score,
        "match": candidate.match,
        "type": [{"id": tid, "name": name} for tid, name in candidate.types],
    }
    if candidate.description:
        answer["description"] = candidate.description
    answer["features"] = [{"id": k, "value": v} for k, v in candidate.features.items()]
    return answer


def suggestion(candidate: Candidate) -> dict[str, Any]:
    """A suggest/entity result (the same in 0.2 and 1.0)."""
    answer: dict[str, Any] = {"id": candidate.id, "name": candidate.name}
    if candidate.description:
        answer["description"] = candidate.description
    answer["notable"] = [{"id": tid, "name": name} for tid, name in candidate.types]
    return answer


def _types(store: Store) -> list[dict[str, str]]:
    types = [{"id": SKOS_CONCEPT, "name": "Concept (any vocabulary)"}]
    return types + [{"id": s.iri, "name": s.title} for s in list_schemes(store)]


def manifest_v02(store: Store, root: str) -> dict[str, Any]:
    """The 0.2 service manifest at /reconcile (OpenRefine reads it first)."""
    service = {"service_url": root.rstrip("/")}
    return {
        "versions": ["0.1", "0.2"],
        "name": SERVICE_NAME,
        "identifierSpace": BASE,
        "schemaSpace": SKOS_NS,
        "defaultTypes": _types(store),
        "view": {"url": f"{root}page?uri={{{{id}}}}"},
        "preview": {"url": f"{root}reconcile/preview?id={{{{id}}}}", **PREVIEW_SIZE},
        "suggest": {
            "entity": {**service, "service_path": "/reconcile/suggest/entity"},
            "property": {**service, "service_path": "/reconcile/suggest/property"},
            "type": {**service, "service_path": "/reconcile/suggest/type"},
        },
    }


# --- 1.0 draft ------------------------------------------------------------------------------


def query_v1(raw: object, where: str) -> Query:
    """One 1.0 query: conditions by name, id or property (any, all or none of the values)."""
    if not isinstance(raw, dict):
        raise BadQuery(f"{where}: each query must be a JSON object")
    conditions = raw.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        raise BadQuery(f"{where}: 'conditions' must be a non-empty list")
    wanted = raw.get("type")
    if wanted is not None and not isinstance(wanted, str):
        raise BadQuery(f"{where}: 'type' must be a string")
    names: list[str] = []
    properties: list[Property] = []
    for number, condition in enumerate(conditions):
        at = f"{where}.conditions[{number}]"
        if not isinstance(condition, dict) or "propertyValue" not in condition:
            raise BadQuery(f"{at}: a condition is an object with 'matchType' and 'propertyValue'")
        kind = condition.get("matchType")
        values = _values(condition["propertyValue"], at)
        if kind in ("name", "id"):
            names.extend(values)
        elif kind == "property":
            pid = condition.get("propertyId")
            if not isinstance(pid, str):
                raise BadQuery(f"{at}: a property condition needs a 'propertyId' string")
            quantifier = condition.get("matchQuantifier", "any")
            if quantifier not in MATCH_QUANTIFIERS:
                raise BadQuery(f"{at}: matchQuantifier is one of {', '.join(MATCH_QUANTIFIERS)}")
            required = condition.get("required", False)
            if not isinstance(required, bool):
                raise BadQuery(f"{at}: 'required' must be true or false")
            properties.append(Property(property_id(pid), values, required, quantifier))
        else:
            raise BadQuery(f"{at}: matchType is name, id or property")
    text = " ".join(names[:1])  # one name is matched; more would be the same entity's aliases
    return Query(
        text, (wanted,) if wanted else (), clamp_limit(raw.get("limit")), tuple(properties)
    )


def batch_v1(raw: object, max_queries: int) -> list[Query]:
    """A 1.0 batch {"queries": [...]}: every query read, or BadQuery for the whole batch."""
    if not isinstance(raw, dict) or not isinstance(raw.get("queries"), list):
        raise BadQuery('the body must be a JSON object {"queries": [{"conditions": [...]}, ...]}')
    queries = raw["queries"]
    if len(queries) > max_queries:
        raise BadQuery(f"at most {max_queries} queries per request: this batch has {len(queries)}")
    return [query_v1(q, f"queries[{n}]") for n, q in enumerate(queries)]


def candidate_v1(candidate: Candidate) -> dict[str, Any]:
    """A 1.0 candidate."""
    answer: dict[str, Any] = {
        "id": candidate.id,
        "name": candidate.name,
        "score": candidate.score,
        "match": candidate.match,
        "type": [{"id": tid, "name": name} for tid, name in candidate.types],
        "features": [
            {"id": k, "name": FEATURE_NAMES.get(k, k), "value": v}
            for k, v in candidate.features.items()
        ],
    }
    if candidate.description:
        answer["description"] = candidate.description
    return answer


def manifest_v1(store: Store, root: str) -> dict[str, Any]:
    """The 1.0 draft manifest at /reconcile/v1 (its endpoints are relative to that URL)."""
    return {
        "versions": ["1.0-draft"],
        "name": SERVICE_NAME,
        "lang": "fr",
        "documentation": f"{root}openapi.json",
        "defaultTypes": _types(store),
        "view": {"url": f"{root}page?uri={{id}}"},
        "preview": dict(PREVIEW_SIZE),
        "suggest": {"entity": True, "property": True, "type": True},
        "standardizedScore": True,
    }


def property_suggestions(prefix: str) -> list[dict[str, str]]:
    """The properties whose id or name starts with (or contains) `prefix`."""
    folded = prefix.strip().lower()
    return [
        {"id": pid, "name": name, "description": description}
        for pid, name, description in PROPERTIES
        if not folded or folded in pid.lower() or folded in name.lower()
    ]


def type_suggestions(store: Store, prefix: str) -> list[dict[str, str]]:
    """The types (schemes and skos:Concept) whose id or name contains `prefix`."""
    folded = prefix.strip().lower()
    return [t for t in _types(store) if not folded or folded in (t["id"] + t["name"]).lower()]
