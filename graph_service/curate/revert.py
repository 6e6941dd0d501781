"""Reverting a journalled change: its inverse (removed quads added back, added ones removed)
committed as a new change, so the history keeps both and a revert can itself be reverted."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.exceptions import GraphServiceError
from graph_service.model.history import find_change
from graph_service.store import Store
from graph_service.store.changes import Followup, commit, write_lock
from graph_service.store.journal import Journal
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import Change
from graph_service.store.write_limits import NO_LIMITS, WriteLimits, check_size, holding


@dataclass(frozen=True)
class Reverted:
    """A revert: the change it undid, the new change, and how many of the undone change's quads
    later changes had already put back or taken away (left as they are)."""

    original: Change
    change: Change
    skipped: int


def inverse_patch(store: Store, change: Change) -> tuple[Patch, int]:
    """The patch undoing a change on the store as it is now, and the quads left alone.

    The journal records a change's effect, so the inverse is exact unless a later change
    touched the same quads: then only those still as the change left them are undone, and the
    new change records exactly what it does (one presence check per quad, only in that case).
    """
    present = store.present_rows([*change.added, *change.removed])
    # Only quads still as the change left them are undone: later changes keep theirs.
    to_remove = tuple(row for row in change.added if row in present)
    to_add = tuple(row for row in change.removed if row not in present)
    skipped = len(change.added) + len(change.removed) - len(to_remove) - len(to_add)
    return Patch(added=to_add, removed=to_remove), skipped


def revert(
    store: Store,
    journal: Journal,
    reference: str,
    *,
    author: str,
    message: str = "",
    followup: Followup | None = None,
    limits: WriteLimits = NO_LIMITS,
) -> Reverted:
    """Undo the change a full id or unique prefix names, as a new change journalled first;
    NotFound for an unknown id, 400 for an ambiguous one, 409 when nothing is left to undo.
    `limits`: a revert through HTTP's (413 for an inverse past them, 503 past the lock wait),
    as any other write; undoing an import-sized change belongs to the command line."""
    # The presence checks and the commit see no other write between them.
    with holding(write_lock(journal), limits):
        original = find_change(journal, reference)
        patch, skipped = inverse_patch(store, original)
        check_size(limits, len(patch.added) + len(patch.removed), "this revert adds and removes")
        if patch.is_empty:
            raise GraphServiceError(
                f"nothing to revert: later changes already undid change {original.id[:8]}",
                status=409,
            )
        text = message or f'Revert "{original.message}" ({original.id[:8]})'
        version_before = store.version
        change = commit(store, journal, patch, author=author, message=text)
        if change is not None and followup is not None:
            followup(store, change, version_before)  # the search index follows, say
    if change is None:  # cannot happen: a patch that changes something is always journalled
        raise GraphServiceError("the revert changed nothing", status=409)
    return Reverted(original, change, skipped)
