"""POST /curation/import starts an import job; GET /curation/jobs/<id> shows how it goes.

An import takes minutes on a large thesaurus, so the request only checks what is cheap to
check (who asks, a file or a URL, size, URL scheme and address, format and id) and answers at
once: `202 Accepted` with the job's URLs for JSON clients, a `303` to the job's page for a
browser's form. The job runs in the app's JobRunner (curate/jobs.py), in this process only.

Who may import: a signed-in admin, from the form (CSRF-checked; the journal names the account),
or anyone holding the update token (typed in the form, or a Bearer header for scripts).
"""

from __future__ import annotations

import threading

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from graph_service.curate.fetch import check_url, is_url
from graph_service.curate.imports import check_vocab_id, format_of_name
from graph_service.curate.jobs import JobRunner, JobStatus, import_job
from graph_service.exceptions import Forbidden, GraphServiceError, NotFound
from graph_service.web import csrf
from graph_service.web.accounts import current_account
from graph_service.web.auth import change_author
from graph_service.web.backend import get_journal, get_store, write_limits
from graph_service.web.curation.views import bp, check_token, wants_json
from graph_service.web.i18n import translate
from graph_service.web.params import max_nesting
from graph_service.web.ui.links import ui_language

_RUNNER = "graph_service.jobs"
_runner_lock = threading.Lock()


def job_runner(app: Flask | None = None) -> JobRunner:
    """The app's job runner, made on first use."""
    app = app or current_app
    with _runner_lock:
        runner = app.extensions.get(_RUNNER)
        if runner is None:
            runner = app.extensions[_RUNNER] = JobRunner()
        return runner


@bp.get("/curation/import")
def import_form() -> ResponseReturnValue:
    """The import form (file upload or URL)."""
    return render_template("curation/import.html", error="")


def check_importer() -> None:
    """Let a signed-in admin import with the session (CSRF-checked), and anyone else with the
    update token; a signed-in account without the role and without the token gets 403."""
    account = current_account()
    # Only a Bearer header is the token: a browser behind a proxy's Basic auth sends its own.
    bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
    with_token = bool(request.form.get("token", "").strip()) or bearer
    if account is None or with_token:
        check_token()
        return
    csrf.check_csrf()
    if not account.has_role("admin"):
        role = translate(f"admin.role.{account.role}", ui_language())
        raise Forbidden(
            translate("import.needs_admin", ui_language(), name=account.name, role=role)
        )
    if get_store().read_only:
        raise Forbidden("changes are disabled: this server opened its store read-only")


@bp.post("/curation/import")
def import_post() -> ResponseReturnValue:
    """Start an import job (an admin's session or the update token): 202 with its URLs, or 303
    to its page."""
    try:
        check_importer()  # a refusal is told on the form (or as JSON), like a bad upload
        job = _start_import()
    except GraphServiceError as exc:
        if wants_json():
            return jsonify({"error": exc.message}), exc.status
        page = render_template("curation/import.html", error=exc.message)
        return Response(page, exc.status)
    page_url = _url(job.id)
    if not wants_json():
        return redirect(page_url, 303)
    body = {"job": job.id, "status_url": page_url + "?format=json", "page_url": page_url}
    return jsonify(body), 202, {"Location": page_url}


def _url(job_id: str) -> str:
    return url_for("curation.job_page", job_id=job_id)


def _start_import() -> JobStatus:
    """Check the form cheaply and queue the import (GraphServiceError: a 4xx, or 503 if busy)."""
    upload = request.files.get("file")
    url = (request.form.get("url") or "").strip()
    fmt = (request.form.get("format") or "").strip() or None
    vocab_id = (request.form.get("vocab_id") or "").strip() or None
    allow_private = bool(current_app.config.get("ALLOW_PRIVATE_URLS"))
    data: bytes | None = None
    if upload is not None and upload.filename:
        limit = int(current_app.config.get("MAX_UPLOAD_BYTES") or 0)
        source, data = upload.filename, upload.stream.read(limit + 1 if limit else -1)
        if limit and len(data) > limit:
            raise GraphServiceError(
                f"the file is larger than {limit:,} bytes (GRAPH_SERVICE_MAX_UPLOAD_BYTES)", 413
            )
        if not data.strip():
            raise GraphServiceError(f"{source} is empty")
        fmt = format_of_name(source, fmt)
    elif url:
        source = url
        if not is_url(url):  # a path would name one of the server's own files
            raise GraphServiceError(
                "only http and https URLs can be imported: give one, or upload the file"
            )
        # Refused URLs (scheme, private addresses) are told now; fetch() checks them again.
        check_url(url, allow_private=allow_private)
        if fmt:
            format_of_name(url, fmt)
    else:
        raise GraphServiceError("give a file or a URL to import")
    if vocab_id:
        check_vocab_id(vocab_id)
    # The job's thread has no app context: it gets the store and journal themselves.
    work = import_job(
        get_store(),
        get_journal(),
        current_app.config.get("DATA_DIR"),
        source,
        data=data,
        vocab_id=vocab_id,
        fmt=fmt,
        skosify=request.form.get("skosify", "on") not in {"", "off", "0", "false"},
        allow_private=allow_private,
        author=change_author(),
        max_nesting=max_nesting(),
        # As every write through HTTP: a change past MAX_CHANGE_QUADS fails the job (bulk
        # loads go through `graph-service import`), a lock held past WRITE_LOCK_WAIT too.
        limits=write_limits(),
    )
    return job_runner().submit("import", work)


@bp.get("/curation/jobs/<job_id>")
def job_page(job_id: str) -> ResponseReturnValue:
    """A job's progress: a page that refreshes itself until the job is over, or its JSON."""
    job = job_runner().status(job_id)
    if job is None:
        message = f"no job {job_id}: jobs are kept in memory, for the server's lifetime only"
        if wants_json():
            return jsonify({"error": message}), 404
        raise NotFound(message)
    if wants_json():
        response = jsonify(job.as_dict())
    else:
        response = Response(render_template("curation/job.html", job=job))
    # Polled while it changes: neither the browser nor the response cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response
