"""The file of pages rendered ahead: one SQLite file in DATA_DIR, written by the store's owner and
read by every serving process, each row one page's answer at one data version."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: The file's name in DATA_DIR.
FILE_NAME = "prerendered-pages.sqlite"
#: SQLite's auto_vacuum mode that gives free pages back on demand (PRAGMA incremental_vacuum).
INCREMENTAL = 2
#: Seconds a write waits for another process's (a render process's batch) to finish.
WRITE_WAIT_SECONDS = 60.0
#: Bytes of write-ahead log kept after a checkpoint.
WAL_LIMIT_BYTES = 64 * 1024 * 1024
#: zlib's level for the stored bodies: a 13 KB page keeps ~4 KB, decompressed in ~0.03 ms.
LEVEL = 6

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS pages ("
    " key TEXT PRIMARY KEY, version TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


@dataclass(frozen=True)
class StoredPage:
    """One page's answer as the app gave it: headers (without its ETag) and the body."""

    headers: tuple[tuple[str, str], ...]
    body: bytes


def page_key(origin: str, path: str, query: str) -> str:
    """The key of a page: the origin it was rendered for ("" when the page does not depend on
    it), its path and its query string, as the request carries them."""
    return f"{origin} {path}?{query}"


class PagesFile:
    """Reads (every process) and writes (the store's owner) the pages of one file."""

    def __init__(self, path: Path, *, writable: bool) -> None:
        self.path, self.writable = Path(path), writable
        self._local = threading.local()  # one connection per thread: reads run side by side
        self._write_lock = threading.Lock()
        #: The file's identity when last looked at (each new data version), and a count of its
        #: changes: a file replaced (damaged, or of an older format) is reopened by every thread.
        self._identity: tuple[int, int] | None = None
        self._generation = 0
        self._checked_version: str | None = None
        if writable:
            self._open_for_writing()

    # -- reading -------------------------------------------------------------------------

    def get(self, key: str, version: str) -> StoredPage | None:
        """The page stored under `key` for data version `version`, or None."""
        if version != self._checked_version:
            self._checked_version = version
            self._look_at_file()
        db = self._reader()
        if db is None:
            return None
        try:
            row = db.execute("SELECT version, headers, body FROM pages WHERE key = ?", [key])
            found = row.fetchone()
        except sqlite3.Error:
            self._local.db = None  # reopened at the next request (a replaced or damaged file)
            return None
        if found is None or found[0] != version:
            return None
        headers = tuple((str(name), str(value)) for name, value in json.loads(found[1]))
        return StoredPage(headers, zlib.decompress(found[2]))

    def _look_at_file(self) -> None:
        try:
            status = os.stat(self.path)
            identity: tuple[int, int] | None = (status.st_dev, status.st_ino)
        except OSError:
            identity = None
        if identity != self._identity:
            self._identity = identity
            self._generation += 1

    def _reader(self) -> sqlite3.Connection | None:
        db = getattr(self._local, "db", None)
        if db is not None and self._local.generation == self._generation:
            return db
        if db is not None:
            db.close()
            self._local.db = None
        if not self.path.exists():
            return None
        try:
            mode = "rw" if self.writable else "ro"
            db = sqlite3.connect(f"file:{self.path}?mode={mode}", uri=True)
            db.execute("PRAGMA query_only = ON")
            db.execute("SELECT count(*) FROM meta").fetchone()
        except sqlite3.Error:
            return None
        self._local.db, self._local.generation = db, self._generation
        return db

    # -- writing (the store's owner) -----------------------------------------------------

    def _open_for_writing(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = self._connect_writer()
            # A file made before free pages could be given back (auto_vacuum is set before
            # the first table only): replaced, as the pages of a new version are written anyway.
            renewed = self._writer.execute("PRAGMA auto_vacuum").fetchone()[0] != INCREMENTAL
        except sqlite3.DatabaseError:
            # Derived data: a damaged file (a crash of the machine with writes unsynced) is
            # dropped and the pages rendered again.
            log.warning("pages file %s unreadable, starting a new one", self.path)
            renewed = True
        if renewed:
            with contextlib.suppress(AttributeError, sqlite3.Error):
                self._writer.close()
            # Readers holding the old file see it replaced at their next data version.
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(f"{self.path}{suffix}").unlink()
            self._writer = self._connect_writer()

    def _connect_writer(self) -> sqlite3.Connection:
        # Render processes write their batches side by side: each waits for the other's.
        db = sqlite3.connect(str(self.path), timeout=WRITE_WAIT_SECONDS, check_same_thread=False)
        # Free pages can be given back (compact()): a new version replaces every page, and a
        # file of 100,000 pages held twice their size after its second version without it.
        # (Only a new file takes it: SQLite sets it before the first table.)
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.execute("PRAGMA journal_mode = WAL")  # readers read while a batch is written
        db.execute("PRAGMA synchronous = OFF")  # rendered again after a crash anyway
        # The write-ahead log is cut back to this after each checkpoint (it reached 520 MB).
        db.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
        for statement in _SCHEMA:
            db.execute(statement)
        db.execute("SELECT count(*) FROM pages").fetchone()  # fails now if damaged
        db.commit()
        return db

    def put(self, version: str, pages: list[tuple[str, StoredPage]]) -> None:
        """Store pages of `version` (replacing what their keys held), in one transaction."""
        rows = [
            (key, version, json.dumps(page.headers), zlib.compress(page.body, LEVEL))
            for key, page in pages
        ]
        with self._write_lock, self._writer:
            self._writer.executemany(
                "INSERT OR REPLACE INTO pages(key, version, headers, body) VALUES (?, ?, ?, ?)",
                rows,
            )

    def keep_only(self, version: str) -> int:
        """Remove the pages of every other version (concepts gone since); how many went."""
        with self._write_lock, self._writer:
            return self._writer.execute("DELETE FROM pages WHERE version != ?", [version]).rowcount

    def compact(self) -> None:
        """After a version's pages are all written: give the free pages back to the file
        system and fold the write-ahead log into the file, so that readers read one file."""
        with self._write_lock:
            try:
                self._writer.execute("PRAGMA incremental_vacuum")
                self._writer.commit()
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.OperationalError:  # busy: the next version's pass tries again
                log.info("pages file not compacted (busy)", exc_info=True)

    def count(self, version: str) -> int:
        """How many pages of `version` the file holds."""
        with self._write_lock:
            found = self._writer.execute(
                "SELECT count(*) FROM pages WHERE version = ?", [version]
            ).fetchone()
        return int(found[0])
