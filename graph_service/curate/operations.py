"""Every edit as an action (a JSON-able dict with a "kind"): planned on the store as it is
now, and committed with its author and reviewer. Proposals keep actions, not patches: an
approved proposal is planned again on the data of the day it is approved, so that it neither
undoes what others changed meanwhile nor applies to a concept edited since (409)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graph_service.curate.concept_edit import PLANNERS, action_summary
from graph_service.curate.edit_plan import EditPlan, FieldProblem, Planner
from graph_service.curate.resource_edit import RESOURCE_PLANNERS, resource_summary
from graph_service.exceptions import GraphServiceError
from graph_service.store import Store
from graph_service.store.changes import Amend, Followup, keep_patch, no_followup, write_patch
from graph_service.store.journal import Journal
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import Change
from graph_service.store.write_limits import NO_LIMITS, WriteLimits


class RefusedEdit(GraphServiceError):
    """An edit whose result would not validate: nothing is written (422, with its problems)."""

    status = 422

    def __init__(self, plan: EditPlan) -> None:
        errors = [p for p in plan.problems if p.severity == "error"]
        super().__init__("; ".join(f"{p.field or 'form'}: {p.message}" for p in errors))
        self.plan = plan
        self.problems: tuple[FieldProblem, ...] = plan.problems


def planners() -> dict[str, Planner]:
    """Every kind of action this service knows, with its planner."""
    return {**PLANNERS, **RESOURCE_PLANNERS}


def action_kind(action: Mapping[str, object]) -> str:
    """The action's kind, checked against the known ones (400 otherwise)."""
    kind = action.get("kind")
    if not isinstance(kind, str) or kind not in planners():
        raise GraphServiceError(f"unknown kind of edit: {kind!r}")
    return kind


def plan_action(store: Store, action: Mapping[str, object], *, lang: str = "en") -> EditPlan:
    """The plan of an action on the store as it is now; a concept's problems said in `lang`
    ("fr" or English)."""
    return planners()[action_kind(action)](store, action, lang=lang)


def summarize(store: Store, action: Mapping[str, object], lang: str = "fr") -> str:
    """One readable line saying what an action does (for the review queue)."""
    if action_kind(action).startswith("resource."):
        return resource_summary(store, action, lang)
    return action_summary(store, action, lang)


@dataclass(frozen=True)
class Committed:
    """An action applied: its plan (as computed under the write lock) and its change (None
    when it changed nothing)."""

    plan: EditPlan
    change: Change | None


def commit_action(
    store: Store,
    journal: Journal,
    action: Mapping[str, object],
    *,
    author: str,
    reviewer: str = "",
    note: str = "",
    amend: Amend = keep_patch,
    followup: Followup = no_followup,
    lang: str = "en",
    limits: WriteLimits = NO_LIMITS,
) -> Committed:
    """Plan the action again under the write lock and commit it: Conflict (409) when what it
    was based on changed, RefusedEdit (422) when its result would not validate (its problems
    said in `lang`). `note` is added to the journal message in brackets (a proposal's id: see
    `committed_note`); the journal message itself is always English."""
    planned: list[EditPlan] = []

    def make_patch(current: Store) -> tuple[Patch, str]:
        plan = plan_action(current, action, lang=lang)
        if not plan.ok:
            raise RefusedEdit(plan)
        planned.append(plan)
        return plan.patch, f"{plan.message} [{note}]" if note else plan.message

    change = write_patch(
        store,
        journal,
        make_patch,
        author=author,
        reviewer=reviewer,
        amend=amend,
        followup=followup,
        limits=limits,
    )
    return Committed(planned[0], change)


def proposal_note(proposal_id: str) -> str:
    """The note a proposal's change carries in its journal message."""
    return f"proposal {proposal_id}"


def committed_note(journal: Journal, note: str) -> Change | None:
    """The journalled change whose message ends with `[note]`, if any: an approval that
    crashed after its commit is then completed, not applied a second time."""
    marker = f"[{note}]"
    for change in reversed(journal.changes()):
        if change.message.endswith(marker):
            return change
    return None
