"""CSRF protection for the pages' forms: a per-session token in a hidden field, checked on POST.

Templates put `{{ csrf_field() }}` in every form that posts; the view calls `check_csrf()`
first. The token lives in the signed session cookie, so a page of another site can neither
read it nor forge it; a form without it, or with another session's, gets 403.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session
from markupsafe import Markup, escape

from graph_service.exceptions import Forbidden

FIELD = "csrf_token"
SESSION_KEY = "csrf"


def csrf_token() -> str:
    """This session's token, created on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def csrf_field() -> Markup:
    """The hidden input carrying the token, for a form's body."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(csrf_token()))


def check_csrf() -> None:
    """Raise 403 unless the posted form carries this session's token."""
    expected = session.get(SESSION_KEY)
    given = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not expected or not given:
        raise Forbidden(
            "this form has no valid security token (CSRF): reload the page and submit it again"
        )
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden(
            "this form's security token (CSRF) does not match your session: "
            "reload the page and submit it again"
        )


def init_app(app: Flask) -> None:
    """Make csrf_field() available to every template."""
    app.jinja_env.globals["csrf_field"] = csrf_field
