"""The concept editor's pages: create, edit (labels, notes, move, related, mappings),
deprecate and merge, each with a preview of what will change before anything is saved.

A form posts back to itself: "preview" plans the edit and shows its changes and problems,
"save" plans it again and submits it (applied for editors, a proposal for contributors). A
plan with errors is shown with the shapes' messages next to their fields (422) and nothing is
written; an edit based on a state of the concept that has changed since is refused (409).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from graph_service.curate.concept_draft import (
    MATCH_PROPERTIES,
    ConceptDraft,
    DraftError,
    draft_as_json,
    draft_from_form,
)
from graph_service.curate.concept_edit import (
    plan_create,
    plan_deprecate,
    plan_merge,
    plan_update,
    read_draft,
)
from graph_service.curate.edit_plan import EditPlan, FieldProblem
from graph_service.curate.operations import RefusedEdit
from graph_service.exceptions import Conflict, GraphServiceError
from graph_service.model.browse import labels_for
from graph_service.model.history import preview_entry
from graph_service.model.schemes import schemes
from graph_service.namespaces import BASE, vocab_id_of
from graph_service.web import csrf
from graph_service.web.accounts import current_account, require_role
from graph_service.web.backend import get_store
from graph_service.web.curation.submit import (
    after_submit,
    approve,
    proposal_store,
    session_actor,
    submit,
)
from graph_service.web.ui.links import content_language, ui_language

bp = Blueprint("editor", __name__)

#: The languages every concept form offers, whatever the concept already has.
FORM_LANGUAGES = ("fr", "en")
DEFAULT_SCHEME = f"{BASE}notions"


@dataclass
class FormState:
    """What a concept form shows: the draft, its state token, the plan previewed (if any),
    the problems per field, the labels of the IRIs it links to, and the proposal it amends."""

    draft: ConceptDraft
    base: str = ""
    plan: EditPlan | None = None
    problems: tuple[FieldProblem, ...] = ()
    proposal: str = ""
    notice: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    def errors_of(self, name: str) -> list[str]:
        """The messages filed under one field."""
        return [p.message for p in self.problems if p.field == name]


def _languages(draft: ConceptDraft) -> list[str]:
    seen = dict.fromkeys(FORM_LANGUAGES)
    for values in (draft.pref_label, draft.alt_label, draft.hidden_label, draft.definition,
                   draft.scope_note, draft.editorial_note):  # fmt: skip
        seen.update(dict.fromkeys(values))
    return list(seen)


def _linked(draft: ConceptDraft) -> list[str]:
    iris = [*draft.broader, *draft.related]
    for values in draft.mappings.values():
        iris.extend(values)
    return iris


def _labels(iris: Iterable[str]) -> dict[str, str]:
    refs = labels_for(get_store(), iris, content_language())
    return {iri: ref.label for iri, ref in refs.items()}


def _render(template: str, state: FormState, status: int = 200, **extra: object) -> Response:
    store = get_store()
    entry = None
    if state.plan is not None and not state.plan.patch.is_empty:
        entry = preview_entry(
            store, state.plan.patch.added, state.plan.patch.removed, content_language(),
            state.plan.target or None,
        )  # fmt: skip
    labels = _labels([*_linked(state.draft), *extra.pop("more_iris", [])])  # type: ignore[misc]
    state.labels.update(labels)
    known = schemes(store, content_language())
    body = render_template(
        template,
        state=state,
        draft=state.draft,
        languages=_languages(state.draft),
        match_properties=MATCH_PROPERTIES,
        preview=entry,
        ui_lang=ui_language(),
        our_schemes=[s for s in known if s.iri.startswith(BASE)],
        # Mappings point to other vocabularies: the autocomplete can be narrowed to one.
        other_schemes=[s for s in known if not s.iri.startswith(BASE)],
        scheme_vocab=vocab_id_of(state.draft.scheme) if state.draft.scheme else "",
        can_publish=bool((account := current_account()) and account.has_role("editor")),
        **extra,
    )
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def editable_concept(iri: str) -> bool:
    """Whether the editor's forms apply to an IRI: concepts of our own schemes only."""
    return iri.startswith(BASE)


def _plan_status(plan: EditPlan) -> int:
    return 200 if plan.ok else 422


def _concept_action(draft: ConceptDraft, base: str) -> dict[str, object]:
    if draft.iri:
        return {"kind": "concept.update", "draft": draft_as_json(draft), "base": base}
    return {"kind": "concept.create", "draft": draft_as_json(draft)}


def _save(action: Mapping[str, object], target: str, proposal: str) -> Response:
    actor, lang = session_actor(), ui_language()
    if proposal:
        if not actor.can_publish:
            raise GraphServiceError("only an editor can approve a proposal", status=403)
        return after_submit(approve(proposal, actor, action, lang=lang))
    return after_submit(submit(action, actor, target=target, lang=lang))


@bp.get("/curation/concepts/new")
@require_role("contributor")
def new_concept() -> ResponseReturnValue:
    """An empty concept form in a scheme (?scheme=), under a broader concept (?broader=)."""
    scheme = request.args.get("scheme") or DEFAULT_SCHEME
    broader = [b for b in request.args.getlist("broader") if b]
    return _render(
        "curation/concept_form.html", FormState(ConceptDraft(scheme=scheme, broader=broader))
    )


@bp.get("/curation/concepts/edit")
@require_role("contributor")
def edit_concept() -> ResponseReturnValue:
    """The form of an existing concept (?uri=), or of a pending proposal (?proposal=)."""
    proposal_id = request.args.get("proposal", "")
    if proposal_id:
        return _edit_proposal(proposal_id)
    draft, base = read_draft(get_store(), request.args.get("uri", ""), lang=ui_language())
    return _render("curation/concept_form.html", FormState(draft, base))


def _edit_proposal(proposal_id: str) -> Response:
    actor = session_actor()
    if not actor.can_publish:
        raise GraphServiceError("only an editor can edit a proposal", status=403)
    proposal = proposal_store().get(proposal_id)
    if proposal.kind not in ("concept.create", "concept.update"):
        raise GraphServiceError("this proposal is not a concept form", status=400)
    from graph_service.curate.concept_draft import draft_from_json

    action = proposal.action
    stored = action.get("draft")
    iri = str(stored.get("uri", "")) if isinstance(stored, dict) else ""
    draft = draft_from_json(stored, iri=iri, lang=ui_language())
    state = FormState(draft, str(action.get("base", "")), proposal=proposal.id)
    return _render("curation/concept_form.html", state)


@bp.post("/curation/concepts")
@require_role("contributor")
def save_concept() -> ResponseReturnValue:
    """Preview or save the concept form."""
    csrf.check_csrf()
    base, lang = request.form.get("base", ""), ui_language()
    proposal = request.form.get("proposal", "")
    try:
        draft = draft_from_form(request.form.to_dict(flat=False), lang=lang)
    except DraftError as exc:
        fallback = ConceptDraft(
            iri=request.form.get("uri", ""), scheme=request.form.get("scheme", "")
        )
        state = FormState(fallback, base, problems=exc.problems, proposal=proposal)
        return _render("curation/concept_form.html", state, 422)
    state = FormState(draft, base, proposal=proposal)
    try:
        plan = (
            plan_update(get_store(), draft, base, lang=lang)
            if draft.iri
            else plan_create(get_store(), draft, lang=lang)
        )
    except Conflict as exc:
        state.notice = exc.message
        return _render("curation/concept_form.html", state, 409, conflict=True)
    state.plan, state.problems = plan, plan.problems
    if request.form.get("action") != "save" or not plan.ok:
        return _render("curation/concept_form.html", state, _plan_status(plan))
    return _saved_or_refused(
        "curation/concept_form.html", state, _concept_action(draft, base), plan.target, proposal
    )


def _saved_or_refused(
    template: str, state: FormState, action: Mapping[str, object], target: str, proposal: str,
    **extra: object,
) -> Response:  # fmt: skip
    try:
        return _save(action, target, proposal)
    except Conflict as exc:  # someone saved the same concept between the plan and the save
        state.notice = exc.message
        return _render(template, state, 409, conflict=True, **extra)
    except RefusedEdit as exc:
        state.plan, state.problems = exc.plan, exc.problems
        return _render(template, state, 422, **extra)


# --- deprecate and merge ----------------------------------------------------------------------


def _one_iri(name: str) -> str:
    return (request.values.get(name) or "").strip()


def _retire_form(template: str, field_name: str, kind: str) -> ResponseReturnValue:
    """The deprecate and merge forms: one concept (?uri=) and one other (`field_name`: its
    replacement, or the concept kept), previewed, then saved as a `kind` action."""
    store, lang = get_store(), ui_language()
    draft, current = read_draft(store, _one_iri("uri"), lang=lang)
    if request.method == "GET":
        blank: dict[str, object] = {field_name: ""}
        return _render(template, FormState(draft, current), 200, **blank)
    csrf.check_csrf()
    base, other = request.form.get("base", ""), _one_iri(field_name)
    state = FormState(draft, base)
    extra: dict[str, object] = {field_name: other, "more_iris": [other] if other else []}
    try:
        if kind == "concept.merge":
            plan = plan_merge(store, draft.iri, other, base, lang=lang)
            action = {"kind": kind, "loser": draft.iri, "winner": other, "base": base}
        else:
            plan = plan_deprecate(store, draft.iri, other, base, lang=lang)
            action = {"kind": kind, "uri": draft.iri, "replacement": other, "base": base}
    except Conflict as exc:
        state.notice = exc.message
        return _render(template, state, 409, conflict=True, **extra)
    state.plan, state.problems = plan, plan.problems
    if request.form.get("action") != "save" or not plan.ok:
        return _render(template, state, _plan_status(plan), **extra)
    target = other if kind == "concept.merge" else draft.iri
    return _saved_or_refused(template, state, action, target, "", **extra)


@bp.route("/curation/concepts/deprecate", methods=["GET", "POST"])
@require_role("contributor")
def deprecate_concept() -> ResponseReturnValue:
    """Deprecate a concept (?uri=), optionally replaced by another (kept resolvable)."""
    return _retire_form("curation/deprecate.html", "replacement", "concept.deprecate")


@bp.route("/curation/concepts/merge", methods=["GET", "POST"])
@require_role("contributor")
def merge_concept() -> ResponseReturnValue:
    """Merge a concept (?uri=, the one that goes) into another (`winner`, the one that stays)."""
    return _retire_form("curation/merge.html", "winner", "concept.merge")
