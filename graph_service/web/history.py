"""The history of the data, from the change journal: /history (an IRI's changes, or the latest,
as a page or JSON), POST /history/revert, the Atom feed /changes.atom, and a vocabulary's new
and modified concepts by month at /vocab/<id>/changes."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from graph_service.curate.revert import revert
from graph_service.exceptions import Forbidden, GraphServiceError, NotFound
from graph_service.model.browse import labels_for
from graph_service.model.history import Entry, History, entry_json, history_of, recent_changes
from graph_service.model.stats import changes_by_month
from graph_service.model.vocab import vocabulary_info
from graph_service.store.base import StoreError
from graph_service.web import atom, csrf, i18n
from graph_service.web.accounts import current_account
from graph_service.web.auth import change_author, change_message, require_update_token
from graph_service.web.backend import get_journal, get_store, write_limits
from graph_service.web.conneg import negotiate
from graph_service.web.followups import follow_write
from graph_service.web.params import BadParameter, int_arg, iri_arg
from graph_service.web.paths import absolute_url
from graph_service.web.ui.links import MAX_PAGE, content_language, ui_language, with_params

bp = Blueprint("history", __name__)

#: Changes per page of /history.
PAGE_SIZE = 50
#: Entries of the feed by default, and at most (?limit=).
FEED_SIZE = 50
MAX_FEED_SIZE = 200


def _vocabulary() -> str | None:
    """The ?scheme= vocabulary id, if any (checked by the model: unknown ids are a 404)."""
    return (request.args.get("scheme") or "").strip() or None


def _history(limit: int, offset: int) -> History:
    """The changes of ?uri=, else the latest ones (of ?scheme=); 400 and 404 for bad values."""
    store, journal, clang = get_store(), get_journal(), content_language()
    iri = iri_arg("uri")
    if iri is not None:
        return history_of(journal, iri, store=store, lang=clang, limit=limit, offset=offset)
    vocab_id = _vocabulary()
    found = recent_changes(
        journal, store=store, vocab_id=vocab_id, lang=clang, limit=limit, offset=offset
    )
    if found is None:
        raise NotFound(f"No vocabulary with id {vocab_id!r}")
    return found


@bp.get("/history")
def history_page() -> ResponseReturnValue:
    """An IRI's changes (?uri=), or the latest changes, newest first: HTML or JSON by Accept."""
    page = int_arg("page", 1, minimum=1, maximum=MAX_PAGE)
    history = _history(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    if negotiate(request.headers.get("Accept"), ["text/html", "application/json"]) == (
        "application/json"
    ):
        response = jsonify(
            {
                "uri": history.uri,
                "changes": [entry_json(entry) for entry in history.entries],
                "offset": history.offset,
                "limit": history.limit,
                "more": history.more,
            }
        )
    else:
        label = None
        if history.uri is not None:
            ref = labels_for(get_store(), [history.uri], content_language())[history.uri]
            label = ref.label if ref.label != ref.iri else None
        response = Response(
            render_template(
                "ui/history.html",
                history=history,
                label=label,
                page=page,
                vocab_id=_vocabulary(),
                feed_href=_feed_href(_vocabulary()),
                lang=ui_language(),
            ),
            content_type="text/html; charset=utf-8",
        )
    response.vary.add("Accept")
    return response


@bp.post("/history/revert")
def revert_change() -> ResponseReturnValue:
    """Undo a change (form field `change`: its id or a unique prefix) as a new change: for
    scripts with the update token, 200 with the new change's id; for a signed-in editor (the
    history page's button, CSRF-checked), a redirect back to the history."""
    account = current_account()
    # Only a Bearer header makes it a script's request: a browser behind a proxy's Basic
    # login still reverts through its session.
    bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
    from_page = account is not None and not bearer
    if from_page:
        csrf.check_csrf()
        if not account.has_role("editor"):  # type: ignore[union-attr]
            raise Forbidden("reverting a change needs the editor role")
        if get_store().read_only:
            raise Forbidden("changes are disabled: this server opened its store read-only")
    else:
        require_update_token()
    reference = (request.form.get("change") or "").strip()
    if not reference:
        raise BadParameter("the form has no change= field: give the id of the change to revert")
    message = change_message(" ".join((request.form.get("message") or "").split()))
    try:
        done = revert(
            get_store(), get_journal(), reference, author=change_author(), message=message,
            followup=follow_write, limits=write_limits(),
        )  # fmt: skip
    except StoreError as exc:  # the client's (400), or the server's (503, 507)
        raise GraphServiceError(str(exc), status=exc.status) from exc
    if from_page:
        about = request.form.get("uri", "")
        target = (
            url_for("history.history_page", uri=about) if about else url_for("history.history_page")
        )
        return redirect(with_params(target) + f"#change-{done.change.id}", 303)
    response = jsonify(
        {
            "id": done.change.id,
            "seq": done.change.seq,
            "message": done.change.message,
            "reverted": done.original.id,
            "skipped": done.skipped,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _feed_href(vocab_id: str | None, *, absolute: bool = False) -> str:
    query = f"?{urlencode({'scheme': vocab_id})}" if vocab_id else ""
    return (absolute_url("changes.atom") if absolute else url_for("history.feed")) + query


@bp.get("/changes.atom")
def feed() -> ResponseReturnValue:
    """The latest changes as an Atom 1.0 feed (?scheme=<vocabulary id> for one vocabulary's)."""
    store, lang = get_store(), ui_language()
    vocab_id = _vocabulary()
    history = _history(int_arg("limit", FEED_SIZE, minimum=1, maximum=MAX_FEED_SIZE), 0)
    title = i18n.translate("history.feed_title", lang)
    if vocab_id is not None:
        info = vocabulary_info(store, vocab_id, content_language())
        title = i18n.translate("history.feed_title_of", lang, title=info.title if info else "")
    page = absolute_url("history") + (f"?{urlencode({'scheme': vocab_id})}" if vocab_id else "")
    head = atom.FeedHead(
        id=_feed_href(vocab_id, absolute=True),
        title=title,
        self_url=_feed_href(vocab_id, absolute=True),
        page_url=page,
    )

    def entry_url(entry: Entry) -> str:
        if not entry.subject:
            return page
        return absolute_url("history") + "?" + urlencode({"uri": entry.subject})

    body = atom.feed_xml(
        head,
        history.entries,
        entry_url,
        lambda count: i18n.translate("history.more", lang, count=count),
    )
    return Response(body, content_type=f"{atom.MEDIA_TYPE}; charset=utf-8")


@bp.get("/vocab/<vocid>/changes")
def vocabulary_changes(vocid: str) -> ResponseReturnValue:
    """A vocabulary's new and modified concepts by month (their dct:created, dct:modified)."""
    store, clang = get_store(), content_language()
    info = vocabulary_info(store, vocid, clang)
    months = changes_by_month(store, vocid, clang)
    if info is None or months is None:
        raise NotFound(f"No vocabulary with id {vocid!r}")
    return render_template(
        "ui/changes.html",
        info=info,
        months=months,
        vocab_id=vocid,
        history_href=with_params(url_for("history.history_page"), scheme=vocid),
        feed_href=_feed_href(vocid),
        lang=ui_language(),
    )
