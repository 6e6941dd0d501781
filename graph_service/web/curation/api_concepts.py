"""The concept editor for scripts: /api/concepts, with the forms' rules.

POST creates, GET reads (with the concept's state as a strong ETag), PATCH changes the keys
it sends, DELETE deprecates. Writes authenticate with HTTP Basic (an account: a contributor's
write becomes a proposal, 202) or the update token as a Bearer token (published, like an
editor's, 201/200). A result that would not validate is 422 with its problems; a stale
If-Match is 409; nothing is written in either case. Problems are said in English, or in
French for a request with `Accept-Language: fr`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from flask import Blueprint, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import HTTPException, Unauthorized
from werkzeug.wrappers import Response

from graph_service.curate.accounts import AccountStore
from graph_service.curate.concept_draft import DraftError, draft_as_json, draft_from_json
from graph_service.curate.concept_edit import plan_create, plan_deprecate, plan_update, read_draft
from graph_service.curate.edit_plan import EditPlan
from graph_service.curate.operations import RefusedEdit
from graph_service.curate.throttle import LoginThrottle
from graph_service.exceptions import GraphServiceError
from graph_service.namespaces import valid_iri
from graph_service.store.journal import ANONYMOUS
from graph_service.web.auth import REALM, require_update_token
from graph_service.web.backend import get_store
from graph_service.web.curation.submit import Actor, Submitted, submit
from graph_service.web.params import json_body

bp = Blueprint("api_concepts", __name__)

CHALLENGE = WWWAuthenticate("Basic", {"realm": REALM, "charset": "UTF-8"})


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=CHALLENGE)


def _throttle() -> LoginThrottle:
    throttle: LoginThrottle = current_app.extensions["login_throttle"]
    return throttle


def api_actor() -> Actor:
    """Who writes: an account by HTTP Basic, or a script holding the update token."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        require_update_token()
        return Actor(ANONYMOUS, can_publish=True)
    if scheme.lower() != "basic":
        raise _unauthorized(
            "this request writes: authenticate with HTTP Basic (an account) "
            "or `Authorization: Bearer <update token>`"
        )
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _unauthorized("malformed Basic credentials") from exc
    name, _, password = decoded.partition(":")
    # The sign-in page's limits apply here too: the API is no way around the lock-out.
    keys = (f"name:{name.lower()[:65]}", f"addr:{request.remote_addr or '-'}")
    if _throttle().retry_at(*keys) is not None:
        raise GraphServiceError("too many failed sign-ins: try again later", status=429)
    account = AccountStore(current_app.config["DATA_DIR"]).authenticate(name, password)
    if account is None:
        _throttle().failed(*keys)
        raise _unauthorized("wrong account name or password")
    _throttle().succeeded(keys[0])
    return Actor(account.name, can_publish=account.has_role("editor"))


def _json_body() -> Mapping[str, object]:
    if not request.is_json:
        raise GraphServiceError("send the concept as JSON (Content-Type: application/json)", 415)
    data = json_body()
    if not isinstance(data, dict):
        raise GraphServiceError("the body is not a JSON object")
    return data


def _problem_language() -> str:
    """The language of the problems: French when the request prefers it, else English (the
    API's default, whatever the interface's)."""
    return request.accept_languages.best_match(("en", "fr"), default="en") or "en"


def _uri() -> str:
    uri = (request.args.get("uri") or "").strip()
    if not uri or not valid_iri(uri):
        raise GraphServiceError("give the concept as ?uri=<IRI>")
    return uri


def _refused(plan: EditPlan) -> Response:
    response = jsonify(
        {"error": "the result would not validate: nothing was written",
         "problems": [p.as_dict() for p in plan.problems]}
    )  # fmt: skip
    response.status_code = 422
    return response


def _answer(submitted: Submitted, created: bool) -> Response:
    if submitted.proposal is not None:
        proposal = submitted.proposal
        response = jsonify(
            {"status": "proposed", "proposal": proposal.id,
             "url": url_for("review.proposal_page", proposal_id=proposal.id, _external=True)}
        )  # fmt: skip
        response.status_code = 202
        response.headers["Location"] = response.json["url"]  # type: ignore[index]
        return response
    assert submitted.committed is not None
    target = submitted.committed.plan.target
    change = submitted.committed.change
    response = jsonify(
        {"status": "applied", "uri": target, "change": change.id if change else None}
    )
    response.status_code = 201 if created else 200
    if created:
        response.headers["Location"] = url_for("api_concepts.concept", uri=target, _external=True)
    return response


def _checked(plan: EditPlan) -> EditPlan:
    if not plan.ok:
        raise RefusedEdit(plan)
    return plan


def _if_match(current: str) -> str:
    """The state the client based its change on: If-Match's tag, else the current one."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return current
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    return current if current in tags else tags[0]


@bp.post("/api/concepts")
def create() -> ResponseReturnValue:
    """Create a concept: 201 applied, 202 proposed, 422 invalid."""
    actor, lang = api_actor(), _problem_language()
    draft = draft_from_json(_json_body(), lang=lang)
    plan = _checked(plan_create(get_store(), draft, lang=lang))
    action = {"kind": "concept.create", "draft": draft_as_json(draft)}
    return _answer(submit(action, actor, target=plan.target, lang=lang), created=True)


@bp.get("/api/concepts")
def concept() -> ResponseReturnValue:
    """A concept's editable fields as JSON, with its state as a strong ETag."""
    draft, token = read_draft(get_store(), _uri(), lang=_problem_language())
    response = jsonify(draft_as_json(draft))
    response.set_etag(token)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.patch("/api/concepts")
def update() -> ResponseReturnValue:
    """Change the keys sent (the others are kept): 200 applied, 202 proposed, 409 stale."""
    actor, lang = api_actor(), _problem_language()
    body = _json_body()
    draft, current = read_draft(get_store(), _uri(), lang=lang)
    merged = {**draft_as_json(draft), **body}
    merged.pop("uri", None)
    changed = draft_from_json(merged, iri=draft.iri, lang=lang)
    base = _if_match(current)
    _checked(plan_update(get_store(), changed, base, lang=lang))
    action = {"kind": "concept.update", "draft": draft_as_json(changed), "base": base}
    return _answer(submit(action, actor, target=draft.iri, lang=lang), created=False)


@bp.delete("/api/concepts")
def deprecate() -> ResponseReturnValue:
    """Deprecate a concept (?replacement=IRI optional): it stays resolvable."""
    actor, lang = api_actor(), _problem_language()
    uri = _uri()
    replacement = (request.args.get("replacement") or "").strip()
    _, current = read_draft(get_store(), uri, lang=lang)
    base = _if_match(current)
    _checked(plan_deprecate(get_store(), uri, replacement, base, lang=lang))
    action = {"kind": "concept.deprecate", "uri": uri, "replacement": replacement, "base": base}
    return _answer(submit(action, actor, target=uri, lang=lang), created=False)


@bp.errorhandler(RefusedEdit)
def _refused_edit(exc: RefusedEdit) -> ResponseReturnValue:
    return _refused(exc.plan)


@bp.errorhandler(DraftError)
def _bad_draft(exc: DraftError) -> ResponseReturnValue:
    response = jsonify({"error": exc.message, "problems": [p.as_dict() for p in exc.problems]})
    response.status_code = 422
    return response


@bp.errorhandler(GraphServiceError)
def _service_error(exc: GraphServiceError) -> ResponseReturnValue:
    response = jsonify({"error": exc.message})
    response.status_code = exc.status
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    response = jsonify({"error": exc.description or exc.name})
    response.status_code = exc.code or 500
    for key, value in exc.get_headers():
        if key.lower() not in {"content-type", "content-length"}:
            response.headers[key] = value
    return response
