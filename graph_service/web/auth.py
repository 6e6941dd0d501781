"""The update token: writes (SPARQL Update, Graph Store PUT/POST/DELETE) need it as a Bearer token.

With GRAPH_SERVICE_UPDATE_TOKEN unset, writes are refused with 403 rather than 405: the methods
exist on these resources (POST also carries queries on /sparql), the server's policy is what
refuses them. Without credentials the answer is 401 with `WWW-Authenticate: Bearer`, with a
wrong token 403. A store opened read-only refuses writes with 403 as well.
"""

from __future__ import annotations

import hmac

from flask import current_app, has_request_context, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from graph_service.exceptions import Forbidden
from graph_service.store.journal import ANONYMOUS
from graph_service.web.accounts import current_account
from graph_service.web.backend import get_store

#: Header a client may send to say why it writes; the journal records it with the change.
MESSAGE_HEADER = "X-Change-Message"
MAX_MESSAGE = 500

REALM = "graph-service"


def require_update_token() -> None:
    """Return if the request carries the update token; raise 401 or 403 otherwise."""
    token: str = current_app.config.get("UPDATE_TOKEN") or ""
    if not token.strip():  # a blank token is no token (config.py refuses one at start)
        raise Forbidden("updates are disabled: the server has no GRAPH_SERVICE_UPDATE_TOKEN")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        raise Unauthorized(
            "this request writes data: send the update token as `Authorization: Bearer <token>`",
            www_authenticate=WWWAuthenticate("Bearer", {"realm": REALM}),
        )
    # compare_digest takes as long whatever the first wrong byte: no timing oracle on the token.
    if not hmac.compare_digest(credentials.encode(), token.encode()):
        raise Forbidden("the update token is wrong")
    if get_store().read_only:
        raise Forbidden("updates are disabled: this server opened its store read-only")


def change_author() -> str:
    """Who a write is by, as the journal records it: the signed-in account's name, else
    ANONYMOUS (the update token is shared, so it names no one)."""
    account = current_account() if has_request_context() else None
    return account.name if account is not None else ANONYMOUS


def change_message(default: str) -> str:
    """Why a write is made: the client's X-Change-Message (one line, trimmed), or `default`."""
    given = " ".join(request.headers.get(MESSAGE_HEADER, "").split())
    return given[:MAX_MESSAGE] or default
