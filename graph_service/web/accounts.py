"""Sign-in for librarians: /login and /logout, the session, current_account() and require_role.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure behind https). Its key is
GRAPH_SERVICE_SECRET_KEY, or one generated on first need and kept in DATA_DIR/secret_key
(0600), so that sessions survive a restart. Machines keep using the update token (web/auth.py).
"""

from __future__ import annotations

import functools
import hmac
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers import Response

from graph_service.curate.accounts import Account, AccountStore, role_rank
from graph_service.curate.throttle import LoginThrottle
from graph_service.exceptions import Forbidden
from graph_service.web import csrf

bp = Blueprint("accounts", __name__)

SECRET_FILE = "secret_key"
SESSION_ACCOUNT = "account"
SESSION_STAMP = "stamp"
F = TypeVar("F", bound=Callable[..., Any])


def load_secret_key(data_dir: Path) -> str:
    """The key kept in DATA_DIR/secret_key, created (0600) the first time."""
    path = Path(data_dir) / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        # O_EXCL: two processes starting together agree on the first one's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key)
        out.flush()
        os.fsync(out.fileno())
    return key


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, with the key loaded only when a session is first needed: the
    read-only pages and the CLI never create DATA_DIR/secret_key."""

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            app.secret_key = load_secret_key(app.config["DATA_DIR"])
        return super().get_signing_serializer(app)

    def open_session(self, app: Flask, request: Any) -> Any:
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # nothing to read: no key needed yet
        return super().open_session(app, request)


def accounts_store() -> AccountStore:
    """The accounts of this server's data directory."""
    return AccountStore(current_app.config["DATA_DIR"])


def _throttle() -> LoginThrottle:
    return cast(LoginThrottle, current_app.extensions["login_throttle"])


def current_account() -> Account | None:
    """The signed-in account of this request, or None (read from the file: a removed account
    or a changed role takes effect on the next request)."""
    if "account" in g:
        return cast(Account | None, g.account)
    found = None
    if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
        name, stamp = session.get(SESSION_ACCOUNT), session.get(SESSION_STAMP)
        found = accounts_store().get(name) if isinstance(name, str) and name else None
        # A changed password (users passwd) ends the sessions opened with the old one.
        if found is not None and not (
            isinstance(stamp, str) and hmac.compare_digest(stamp.encode(), found.stamp.encode())
        ):
            found = None
    g.account = found
    return found


def _wants_page() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"])
    return best == "text/html"


def check_role(role: str) -> Response | None:
    """None if the signed-in account has `role`; a redirect to /login for pages (401 for
    other clients) when no one is signed in; 403 for an account without the role."""
    role_rank(role)
    account = current_account()
    if account is None:
        if _wants_page():
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        raise Unauthorized("sign in first at /login")
    if not account.has_role(role):
        raise Forbidden(f"this needs the {role} role; {account.name} is a {account.role}")
    return None


def require_role(role: str) -> Callable[[F], F]:
    """Decorate a view so that only signed-in accounts with `role` (or a higher one) reach it."""
    role_rank(role)  # an unknown role is a programming error: fail at import, not per request

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            refused = check_role(role)
            return refused if refused is not None else view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (no open redirect)."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("ui.home")
    if target.startswith("//") or "\\" in target:
        return url_for("ui.home")
    return target


def _form(error: str = "", status: int = 200, name: str = "", **headers: str) -> Response:
    body = render_template(
        "accounts/login.html", error=error, name=name, next=request.values.get("next", "")
    )
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def _retry_message(at: float) -> tuple[str, int]:
    from graph_service.web.i18n import translate
    from graph_service.web.ui.links import ui_language

    seconds = max(1, int(at - datetime.now(UTC).timestamp()) + 1)
    when = datetime.fromtimestamp(at, UTC).strftime("%H:%M UTC")
    minutes = (seconds + 59) // 60
    return translate("login.locked", ui_language(), when=when, minutes=minutes), seconds


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The sign-in form, and its answer."""
    from graph_service.web.i18n import translate
    from graph_service.web.ui.links import ui_language

    if request.method == "GET":
        return _form()
    csrf.check_csrf()
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    # The name and the address are both limited: guessing one name from many addresses, or
    # many names from one address, each meet a limit. Checked before any hash is computed.
    # (Cut to a name's longest length: a flood of huge names must not fill memory.)
    keys = (f"name:{name.lower()[:65]}", f"addr:{request.remote_addr or '-'}")
    retry_at = _throttle().retry_at(*keys)
    if retry_at is not None:
        message, seconds = _retry_message(retry_at)
        return _form(message, 429, name, **{"Retry-After": str(seconds)})
    account = accounts_store().authenticate(name, password)
    if account is None:
        _throttle().failed(*keys)
        return _form(translate("login.wrong", ui_language()), 401, name)
    _throttle().succeeded(keys[0])  # not the address: one good account must not reset it
    session.clear()  # a new session on sign-in: no token or data carried from before
    session[SESSION_ACCOUNT] = account.name
    session[SESSION_STAMP] = account.stamp
    csrf.csrf_token()
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out: the session is emptied."""
    csrf.check_csrf()
    session.clear()
    return redirect(url_for("ui.home"), 303)


def _private_when_signed_in(response: Response) -> Response:
    # A page showing an account must not be kept by a shared cache nor answered from another's.
    if g.get("account") is not None:
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    """Set up the session cookie, the sign-in routes and the header's helpers."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    public_base = str(app.config.get("PUBLIC_BASE") or "")
    app.config["SESSION_COOKIE_SECURE"] = public_base.lower().startswith("https://")
    app.session_interface = _SessionInterface()
    app.extensions["login_throttle"] = LoginThrottle()
    csrf.init_app(app)
    app.jinja_env.globals["current_account"] = current_account
    app.after_request(_private_when_signed_in)
    app.register_blueprint(bp)
