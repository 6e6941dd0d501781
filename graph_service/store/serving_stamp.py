"""The serving stamp: which build and data version the writing process serves, for readers.

With reader processes (`serve --readers N`), one process owns the read-write store and the
readers open it read-only. A read-only RocksDB handle sees the data as it was when opened, so
the writer publishes, after its store opens and after every write, a small file naming the
build directory and its data version; a reader compares the file's identity (one stat, about
a microsecond) before using its handle and reopens when it changed. The file is replaced by
rename, so a reader never reads half of it, and it is written before the write's HTTP answer
leaves the writer: a client that wrote and then reads, through any process, sees its write.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

#: The stamp's file name in DATA_DIR.
STAMP_FILE = "serving-stamp.json"


@dataclass(frozen=True)
class ServingStamp:
    """A build directory and the data version the writer has made of it."""

    path: Path
    version: str


def stamp_path(data_dir: Path) -> Path:
    """Where the stamp of a data directory lives."""
    return Path(data_dir) / STAMP_FILE


_publish_lock = threading.Lock()


def publish(data_dir: Path, stamp: ServingStamp) -> None:
    """Replace the stamp (atomically: readers see the old one or the new one, whole)."""
    target = stamp_path(data_dir)
    text = json.dumps({"path": str(stamp.path), "version": stamp.version})
    with _publish_lock:  # one temporary file per process: writes of two threads must not mix
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)


def read_stamp(data_dir: Path) -> ServingStamp | None:
    """The current stamp, or None when there is none (no writer yet) or it is unreadable."""
    try:
        data = json.loads(stamp_path(data_dir).read_text(encoding="utf-8"))
        return ServingStamp(Path(data["path"]), str(data["version"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class StampWatch:
    """Tells cheaply whether the stamp changed since it was last read (one stat per call)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = stamp_path(data_dir)
        self._seen: tuple[int, int, int] | None = None
        self.stamp: ServingStamp | None = None

    def _identity(self) -> tuple[int, int, int] | None:
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        # A rename gives a new inode; the time and size cover a file system reusing inodes.
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def changed(self) -> bool:
        """Whether the stamp's file is not the one last read (read() then updates `stamp`)."""
        return self._identity() != self._seen

    def forget(self) -> None:
        """Make the next changed() say yes (the stamp read could not be used: try again)."""
        self._seen = None

    def read(self) -> ServingStamp | None:
        """Read the stamp again and remember its identity."""
        self._seen = self._identity()
        self.stamp = None if self._seen is None else read_stamp(self.path.parent)
        return self.stamp
