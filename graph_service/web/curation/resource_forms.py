"""The resource form: /curation/resources/new and /curation/resources/edit?uri=IRI.

One form, three buttons: "Suggest subjects" re-renders it with the concepts found in the
title and summary as boxes to tick; "Preview" shows the statements a save would add and
remove; "Save" hands the action to the shared submit (curation/submit.py). Pre-filling from
a page or an uploaded HTML file runs ingest and fills the form, writing nothing. Every answer
needs a signed-in contributor (or higher) and every POST its CSRF token. The model does the
work (curate/resource_edit.py); this module reads the request and renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from graph_service.curate.edit_plan import EditPlan, FieldProblem
from graph_service.curate.fetch import is_url
from graph_service.curate.ingest import IngestResult, ingest_source, ingest_text
from graph_service.curate.operations import RefusedEdit
from graph_service.curate.resource_edit import (
    ResourceDraft,
    ResourceDraftError,
    draft_from_ingest,
    patch_lines,
    plan_resource_create,
    plan_resource_update,
    read_resource,
    resource_draft_as_json,
    resource_draft_from_form,
    resource_summary,
)
from graph_service.curate.resource_terms import is_iri_value, resolve_terms, scheme_choices
from graph_service.curate.suggest import Suggestion, suggest
from graph_service.exceptions import Conflict, GraphServiceError
from graph_service.model.base import Ref
from graph_service.model.browse import labels_for
from graph_service.model.place_names import qualify_refs
from graph_service.store import Store
from graph_service.web.accounts import require_role
from graph_service.web.backend import get_store
from graph_service.web.csrf import check_csrf
from graph_service.web.curation import submit
from graph_service.web.i18n import language_name, translate
from graph_service.web.ui.links import content_language, page_href, ui_language, with_params

bp = Blueprint("resource_forms", __name__)

ROLE = "contributor"
SUGGESTIONS = 20
MAX_UPLOAD_MB = 5
#: The languages whose title and summary always have a field (others show when present).
FORM_LANGUAGES = ("fr", "en")
#: Where a suggested concept goes, by vocabulary id (any other: subjects).
SUGGESTION_FIELD = {"thematiques": "themes", "territoires": "territories"}
#: The vocabularies whose concepts are offered (a type is chosen in its own list).
SUGGESTED_VOCABS = ("notions", "thematiques", "territoires")


@dataclass(frozen=True)
class Chosen:
    """A term field's state for the template: chosen concepts (IRIs with labels, as ticked
    boxes) and the lines typed that name none yet (back in the text area)."""

    refs: tuple[Ref, ...]
    text: str


def field_id(name: str) -> str:
    """The id of a field's control ("title.fr" -> "f-title-fr"), the error summary's target."""
    return "f-" + (name.replace(".", "-") if name else "form")


def _field_label(name: str, lang: str) -> str:
    """A field's name in the error summary."""
    if name.startswith(("title.", "description.")):
        kind, _, code = name.partition(".")
        key = "rf.title_in" if kind == "title" else "rf.description_in"
        return translate(key, lang, lang=language_name(code))
    if not name:
        return translate("rf.whole_form", lang)
    return translate(f"rf.field.{name}", lang)


def _chosen(values: Sequence[str], labels: dict[str, Ref]) -> Chosen:
    refs = tuple(labels.get(v, Ref(v, v)) for v in values if is_iri_value(v))
    return Chosen(refs, "\n".join(v for v in values if not is_iri_value(v)))


def _languages(texts: dict[str, str]) -> list[str]:
    return [*FORM_LANGUAGES, *sorted(code for code in texts if code not in FORM_LANGUAGES)]


def _render(
    draft: ResourceDraft,
    *,
    base: str = "",
    problems: Sequence[FieldProblem] = (),
    plan: EditPlan | None = None,
    suggestions: list[Suggestion] | None = None,
    prefill: IngestResult | None = None,
    status: int = 200,
) -> Response:
    """The form for a draft, with its problems, a plan's changes or suggestions."""
    store, lang, clang = get_store(), ui_language(), content_language()
    editing = bool(draft.iri) and prefill is None
    term_iris = [*draft.themes, *draft.territories, *draft.subjects]
    changes = patch_lines(plan.patch) if plan is not None and plan.ok else None
    shown = [line.value for line in changes or [] if line.is_iri]
    labels = labels_for(store, [i for i in [*term_iris, *shown] if is_iri_value(i)], clang)
    labels.update((r.iri, r) for r in qualify_refs(store, labels.values(), clang))
    chosen = {
        "themes": set(draft.themes),
        "territories": _chosen(draft.territories, labels),
        "subjects": _chosen(draft.subjects, labels),
    }
    offered = [
        (s, SUGGESTION_FIELD.get(s.vocab_id, "subjects"))
        for s in suggestions or []
        if s.iri not in term_iris and s.vocab_id in SUGGESTED_VOCABS
    ]
    by_field: dict[str, list[FieldProblem]] = {}
    for problem in problems:
        by_field.setdefault(problem.field, []).append(problem)
    action = "resource_forms.edit_submit" if editing else "resource_forms.new_submit"
    body = render_template(
        "curation/resource_form.html",
        lang=lang,
        draft=draft,
        editing=editing,
        base=base,
        form_action=with_params(url_for(action)),
        prefill_action=with_params(url_for("resource_forms.prefill")),
        title_languages=_languages(draft.title),
        description_languages=_languages(draft.description),
        types=scheme_choices(store, "types", clang),
        themes=scheme_choices(store, "thematiques", clang),
        chosen=chosen,
        problems=list(problems),
        problems_by_field=by_field,
        field_id=field_id,
        field_label=lambda name: _field_label(name, lang),
        suggestions=offered if suggestions is not None else None,
        changes=changes,
        labels=labels,
        plan=plan,
        prefill=prefill,
        max_upload_mb=MAX_UPLOAD_MB,
        page_href=page_href,
    )
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _conflict(exc: Conflict, iri: str) -> Response:
    """The 409 page of a stale form: what happened, and a link to reload it."""
    body = render_template(
        "curation/resource_conflict.html",
        lang=ui_language(),
        message=exc.message,
        reload=(
            with_params(url_for("resource_forms.edit_form"), uri=iri)
            if iri
            else with_params(url_for("resource_forms.new_form"))
        ),
    )
    return Response(body, 409, content_type="text/html; charset=utf-8")


@bp.get("/curation/resources/new")
@require_role(ROLE)
def new_form() -> ResponseReturnValue:
    """An empty form for a new resource."""
    return _render(ResourceDraft())


@bp.get("/curation/resources/edit")
@require_role(ROLE)
def edit_form() -> ResponseReturnValue:
    """The form of a resource of the store (?uri=IRI), with its state token."""
    draft, base = read_resource(get_store(), (request.args.get("uri") or "").strip())
    return _render(draft, base=base)


@bp.post("/curation/resources/new")
@require_role(ROLE)
def new_submit() -> ResponseReturnValue:
    """Suggest, preview or save a new resource."""
    return _submit(editing=False)


@bp.post("/curation/resources/edit")
@require_role(ROLE)
def edit_submit() -> ResponseReturnValue:
    """Suggest, preview or save the changes to a resource."""
    return _submit(editing=True)


def _suggestions(store: Store, draft: ResourceDraft) -> list[Suggestion]:
    title = " ".join(draft.title.values())
    text = "\n\n".join([title, *draft.description.values()])
    return suggest(store, text, title=title, limit=SUGGESTIONS) if text.strip() else []


def _submit(*, editing: bool) -> ResponseReturnValue:
    check_csrf()
    store, lang = get_store(), ui_language()
    base = request.form.get("base", "") if editing else ""
    try:
        draft = resource_draft_from_form(request.form.to_dict(flat=False))
    except ResourceDraftError as exc:
        return _render(ResourceDraft(), base=base, problems=exc.problems, status=422)
    if not editing:
        draft = replace(draft, iri="")
    elif not draft.iri:
        raise GraphServiceError("the form has no iri= field: open it from the resource's page")
    if request.form.get("action") == "suggest":
        return _render(draft, base=base, suggestions=_suggestions(store, draft))
    try:
        plan = (
            plan_resource_update(store, draft, base, lang=lang)
            if editing
            else plan_resource_create(store, draft, lang=lang)
        )
    except Conflict as exc:
        return _conflict(exc, draft.iri)
    except ResourceDraftError as exc:
        return _render(draft, base=base, problems=exc.problems, status=422)
    shown, _ = resolve_terms(store, draft, lang)  # labels that named a concept show as its box
    if not plan.ok or request.form.get("action") != "save":
        return _render(shown, base=base, problems=plan.problems, plan=plan,
                       status=200 if plan.ok else 422)  # fmt: skip
    saved = replace(shown, iri=plan.target)
    action: dict[str, object] = {"kind": plan.kind, "draft": resource_draft_as_json(saved)}
    if editing:
        action["base"] = base
    try:
        return submit.submit_action(action, resource_summary(store, action, lang), plan.target)
    except Conflict as exc:
        return _conflict(exc, draft.iri)
    except (ResourceDraftError, RefusedEdit) as exc:  # changed between the check and the write
        return _render(shown, base=base, problems=exc.problems, status=422)


def _upload_text() -> tuple[str, bool] | None:
    """The uploaded page's text and whether it is HTML, or None when no file was sent."""
    upload = request.files.get("page_file")
    if upload is None or not upload.filename:
        return None
    limit = MAX_UPLOAD_MB * 1024 * 1024
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise GraphServiceError(
            translate("rf.prefill_too_large", ui_language(), size=MAX_UPLOAD_MB)
        )
    text = data.decode("utf-8", errors="replace")
    name = upload.filename.lower()
    html = name.endswith((".html", ".htm")) or "html" in (upload.mimetype or "")
    return text, html or text.lstrip()[:1] == "<"


@bp.post("/curation/resources/prefill")
@require_role(ROLE)
def prefill() -> ResponseReturnValue:
    """A new resource's form filled from a page (its address, or an uploaded HTML file)
    through ingest: nothing is written."""
    check_csrf()
    store = get_store()
    url = (request.form.get("page_url") or "").strip()
    try:
        upload = _upload_text()
        if upload is not None:
            result = ingest_text(store, upload[0], source_url=url, html=upload[1])
        elif is_url(url):
            allow = bool(current_app.config.get("ALLOW_PRIVATE_URLS"))
            result = ingest_source(store, url, allow_private=allow)
        elif url:
            raise GraphServiceError(f"“{url}” is not an http or https address")
        else:
            raise GraphServiceError(translate("rf.prefill_nothing", ui_language()))
    except GraphServiceError as exc:
        problem = FieldProblem("prefill", exc.message)
        return _render(ResourceDraft(), problems=[problem], status=422)
    return _render(draft_from_ingest(store, result), prefill=result)
