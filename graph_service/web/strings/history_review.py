"""Interface strings of the history for reviewed changes: who proposed a change, who approved it."""

# fmt: off
STRINGS: dict[str, tuple[str, str]] = {
    "history.proposed_by": ("proposé par", "proposed by"),
    "history.approved_by": ("approuvé par", "approved by"),
    "history.revert": ("Annuler ce changement", "Revert this change"),
    "history.revert_label": ("Annuler le changement {id}", "Revert change {id}"),
}
# fmt: on
