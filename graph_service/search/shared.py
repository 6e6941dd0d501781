"""The search index shared with reader processes: one SQLite file, kept current by the writer.

Beside reader processes (`serve --readers N`) the writing process keeps its search index in a
file rather than in memory, and every reader opens that file read-only: the index is built and
followed once, by the writer, and its pages are in memory once, in the kernel's page cache. The
index's data version is a row of the file, written in the transaction that changes the rows, so
a reader uses the index only when its version is the one of the reader's store (otherwise the
reader answers from the store, or hands the request to the writer). A new build goes to a new
file, named by a pointer file replaced by rename; the file before it is kept (a reader may still
read it), older ones are removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import uuid
from pathlib import Path

#: Where the writer keeps the shared index files, in DATA_DIR.
SHARED_DIR = "read-model"
#: The pointer to the current file, in SHARED_DIR.
POINTER = "current.json"
#: SQLite reads the file through a memory map of up to this many bytes (no copy per page).
MMAP_BYTES = 1 << 30

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

_sharing: dict[str, Path] = {}
_lock = threading.Lock()


def share_in(data_dir: Path) -> None:
    """Make this process (the writer) keep its search indexes in files under `data_dir`."""
    _sharing["dir"] = Path(data_dir) / SHARED_DIR


def sharing() -> bool:
    """Whether this process shares its search index with readers."""
    return "dir" in _sharing


def _tune(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    db.execute("PRAGMA cache_size = -65536")  # 64 MiB of decoded pages per connection


def set_version(db: sqlite3.Connection, version: str) -> None:
    """Record the data version the rows are of (in the caller's transaction)."""
    db.execute(_META)
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('version', ?)", [version])


def version_of(db: sqlite3.Connection) -> str | None:
    """The data version a shared index holds (None: none recorded)."""
    try:
        found = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.Error:
        return None
    return None if found is None else str(found[0])


def to_file(db: sqlite3.Connection, version: str) -> sqlite3.Connection:
    """Copy a built in-memory index into a new shared file, point readers at it, and return
    the writer's connection to the file (WAL: readers read while the writer follows writes)."""
    directory = _sharing["dir"]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"index-{uuid.uuid4().hex}.sqlite"
    shared = sqlite3.connect(str(path), check_same_thread=False)
    db.commit()
    db.backup(shared)
    shared.execute("PRAGMA journal_mode = WAL")
    shared.execute("PRAGMA synchronous = OFF")  # derived data: rebuilt after a crash anyway
    _tune(shared)
    set_version(shared, version)
    shared.commit()
    _point_at(directory, path)
    return shared


def _point_at(directory: Path, path: Path) -> None:
    """Name `path` as the current file; keep the one before it, remove older ones."""
    with _lock:
        pointer = directory / POINTER
        previous = None
        with contextlib.suppress(OSError, ValueError, KeyError):
            previous = json.loads(pointer.read_text(encoding="utf-8"))["path"]
        temporary = directory / f".{POINTER}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"path": str(path)}), encoding="utf-8")
        os.replace(temporary, pointer)
        keep = {path.name, Path(previous).name if previous else ""}
        for old in directory.glob("index-*.sqlite*"):
            if old.name.split(".sqlite")[0] + ".sqlite" not in keep:
                with contextlib.suppress(OSError):
                    old.unlink()


def committed(db: sqlite3.Connection, version: str) -> None:
    """After the writer followed a write: record the version and let readers see both."""
    if sharing():
        set_version(db, version)
        db.commit()


class SharedFile:
    """A reader's view of the writer's current shared file (reopened when it changes)."""

    def __init__(self, data_dir: Path) -> None:
        self.pointer = Path(data_dir) / SHARED_DIR / POINTER
        self._seen: tuple[int, int] | None = None
        self.path: Path | None = None
        self.db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _identity(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self.pointer)
        except OSError:
            return None
        return (status.st_ino, status.st_mtime_ns)

    def current(self) -> sqlite3.Connection | None:
        """A read-only connection to the current file (None while the writer shares none)."""
        identity = self._identity()
        if identity == self._seen and self.db is not None:
            return self.db
        with self._lock:
            if identity != self._seen:
                self._seen = identity
                self.db = self._open()
            return self.db

    def _open(self) -> sqlite3.Connection | None:
        try:
            path = Path(json.loads(self.pointer.read_text(encoding="utf-8"))["path"])
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            _tune(db)
            db.execute("SELECT count(*) FROM meta").fetchone()  # fails now if unreadable
        except (OSError, ValueError, KeyError, sqlite3.Error):
            self._seen = None  # try again next time
            return None
        self.path = path
        return db
