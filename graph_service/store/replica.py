"""A reader process's handle on the writer's store: read-only, with the writer's version."""

from __future__ import annotations

from pathlib import Path

from graph_service.store.embedded import EmbeddedStore
from graph_service.store.serving_stamp import ServingStamp


class ReplicaStore(EmbeddedStore):
    """The build a stamp names, opened read-only, carrying the writer's data version.

    The version is the writer's, not one of its own, so that ETags, cached answers and the
    response cache agree across processes: a page cached by one reader and revalidated by
    another is the same page. The handle sees every write made before it opened; the stamp is
    read before the open, so the data is never older than the version it is labelled with.
    """

    #: Read models this process does not keep (the search index) belong to the writer.
    replica = True

    def __init__(self, stamp: ServingStamp, data_dir: Path | None = None) -> None:
        super().__init__(stamp.path, read_only=True)
        self.stamp = stamp
        #: The writer's data directory (where its shared search index is: search/shared.py).
        self.data_dir = data_dir

    @property
    def version(self) -> str:
        """The writer's data version when the stamp was read."""
        return self.stamp.version
