"""What follows every write the service accepts, still under the write lock: the previous data
version's remembered answers brought up to the new one where that costs less than computing
them again (the search index, the graph sizes of the VoID description)."""

from __future__ import annotations

from flask import has_app_context

from graph_service.model.dumps import follow_counts
from graph_service.search.index import follow as follow_search
from graph_service.store import Store
from graph_service.store.rdf_patch import Change
from graph_service.web.backend import get_journal


def follow_write(store: Store, change: Change, version_before: str) -> None:
    """The followup of the service's write paths (store/changes.py Followup)."""
    # Within the service the sizes are also saved on disk with the app's journal (a tool or
    # a test calling this outside an app keeps them in memory only).
    journal = get_journal() if has_app_context() else None
    follow_counts(store, change, version_before, journal)
    follow_search(store, change, version_before)
