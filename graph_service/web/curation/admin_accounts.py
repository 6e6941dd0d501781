"""The admins' accounts page, /curation/accounts: list the accounts, add one (password typed
twice or generated), change a role, set a password, remove one after a confirmation.

Thin over curate/accounts.py's AccountStore, which keeps the rules (valid names and passwords,
at least one admin remains) for the CLI as well. Every form is CSRF-checked and every page is
never cached: one of them shows a generated password, once, which is kept nowhere else (not
in the session either: the cookie is signed, not encrypted).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from graph_service.curate.accounts import (
    ADMIN,
    MAX_PASSWORD,
    MIN_PASSWORD,
    ROLES,
    Account,
    AccountError,
    check_name,
    check_password,
    generate_password,
    role_rank,
)
from graph_service.exceptions import NotFound
from graph_service.web import csrf
from graph_service.web.accounts import SESSION_STAMP, accounts_store, current_account, require_role
from graph_service.web.i18n import translate
from graph_service.web.ui.links import ui_language, with_params

bp = Blueprint("admin_accounts", __name__)

#: The form field an AccountError's message is shown next to, by its reason.
FIELD_OF = {"name": "name", "exists": "name", "role": "role", "last_admin": "role"}


def _page(template: str, status: int = 200, **values: object) -> Response:
    body = render_template(template, **values)
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _say(key: str, **values: object) -> str:
    return translate(key, ui_language(), **values)


def _role_name(role: str) -> str:
    return _say(f"admin.role.{role}")


def _message(exc: AccountError) -> str:
    """The refusal in the interface language (the store's own message for an unknown reason)."""
    key = f"admin.error.{exc.reason}"
    text = _say(key, min=MIN_PASSWORD, max=MAX_PASSWORD)
    return exc.message if text == key else text


def _me() -> Account:
    account = current_account()
    assert account is not None  # require_role("admin") let this request through
    return account


def _list_page(
    status: int = 200, problems: dict[str, str] | None = None, form: dict[str, str] | None = None
) -> Response:
    """The accounts, the forms to change each, and the form to add one; `problems` maps a
    field's id (`add-name`, `role-<account>`, ...) to the message shown next to it."""
    return _page(
        "curation/accounts.html",
        status,
        accounts=accounts_store().list(),
        roles=ROLES,
        me=_me(),
        problems=problems or {},
        form=form or {},
        notices=get_flashed_messages(),
        min_password=MIN_PASSWORD,
        max_password=MAX_PASSWORD,
    )


def _back(endpoint: str = "admin_accounts.page") -> Response:
    """Post/redirect/get: 303 to the page, the interface language kept."""
    return redirect(with_params(url_for(endpoint)), 303)


def _chosen_password() -> tuple[str, bool]:
    """The password of the form: generated if asked, else typed twice the same; and whether
    it was generated. AccountError (reason password or mismatch) otherwise."""
    if request.form.get("generate"):
        return generate_password(), True
    password = request.form.get("password", "")
    check_password(password)
    if password != request.form.get("password_again", ""):
        raise AccountError("the two passwords differ", reason="mismatch")
    return password, False


def _account_field() -> str:
    """The account a form is about (its `account` field, or ?account= for the confirmation
    page); 404 if there is none by that name."""
    name = (request.form if request.method == "POST" else request.args).get("account", "")
    if not name or accounts_store().get(name) is None:
        raise NotFound(_say("admin.error.unknown"))
    return name


def _refused(exc: AccountError, field: str) -> Response:
    status = 404 if exc.reason == "unknown" else exc.status
    return _list_page(status, {field: _message(exc)})


def _generated(name: str, password: str) -> Response:
    """The one page that shows a generated password."""
    return _page("curation/account_password.html", name=name, password=password)


@bp.get("/curation/accounts")
@require_role(ADMIN)
def page() -> ResponseReturnValue:
    """Every account (name, role, created) with its forms, and the form to add one."""
    return _list_page()


@bp.post("/curation/accounts")
@require_role(ADMIN)
def add() -> ResponseReturnValue:
    """Create an account; its generated password, if asked for, is shown on the answer only."""
    csrf.check_csrf()
    name = request.form.get("name", "").strip()
    role = request.form.get("role", "")
    try:
        check_name(name)  # told before any password is generated
        role_rank(role)
        password, generated = _chosen_password()
        account = accounts_store().add(name, role, password)
    except AccountError as exc:
        field = "add-" + FIELD_OF.get(exc.reason, "password")
        return _list_page(exc.status, {field: _message(exc)}, {"name": name, "role": role})
    if generated:
        return _generated(account.name, password)
    flash(_say("admin.added", name=account.name, role=_role_name(account.role)))
    return _back()


@bp.post("/curation/accounts/role")
@require_role(ADMIN)
def set_role() -> ResponseReturnValue:
    """Give an account another role; it takes effect on that account's next request."""
    csrf.check_csrf()
    name = _account_field()
    try:
        account = accounts_store().set_role(name, request.form.get("role", ""))
    except AccountError as exc:
        return _refused(exc, f"role-{name}")
    if name == _me().name and account.role != ADMIN:
        return _back("curation.index")  # no longer an admin: this page would be a 403
    flash(_say("admin.role_set", name=account.name, role=_role_name(account.role)))
    return _back()


@bp.post("/curation/accounts/password")
@require_role(ADMIN)
def set_password() -> ResponseReturnValue:
    """Set an account's password, which ends the sessions opened with the old one."""
    csrf.check_csrf()
    name = _account_field()
    try:
        password, generated = _chosen_password()
        account = accounts_store().set_password(name, password)
    except AccountError as exc:
        return _refused(exc, f"password-{name}")
    if name == _me().name:
        # The admin who typed it stays signed in here; their other sessions end.
        session[SESSION_STAMP] = account.stamp
    if generated:
        return _generated(account.name, password)
    flash(_say("admin.password_set", name=account.name))
    return _back()


@bp.get("/curation/accounts/remove")
@require_role(ADMIN)
def confirm_remove() -> ResponseReturnValue:
    """The confirmation step before removing an account (?account=)."""
    return _page("curation/account_remove.html", name=_account_field(), me=_me())


@bp.post("/curation/accounts/remove")
@require_role(ADMIN)
def remove() -> ResponseReturnValue:
    """Remove an account (the form of the confirmation page)."""
    csrf.check_csrf()
    name = _account_field()
    try:
        accounts_store().remove(name)
    except AccountError as exc:
        return _refused(exc, f"remove-{name}")
    if name == _me().name:
        session.clear()  # removed themselves: signed out now rather than on the next request
        return _back("ui.home")
    flash(_say("admin.removed", name=name))
    return _back()
