"""The change journal: every accepted write as one RDF Patch, appended and fsynced before success.

The file (DATA_DIR/journal/changes.rdfp) is a log of patches in the text form of Apache Jena's
RDF Patch, as RDF Delta uses it: headers, then one `A` (add) or `D` (delete) row per quad
between `TX .` and `TC .`:

    H id <urn:uuid:...> .
    H prev <urn:uuid:...> .
    H seq "12" .
    H time "2026-12-01T23:40:00.123456+00:00" .
    H author "alice" .
    H message "Add an alternative label" .
    TX .
    A <https://w3id.org/pdv/notions/concertation> <http://...#altLabel> "concertation"@fr <...> .
    D ... .
    TC .

Rows are N-Quads written by the engine (a row without a graph term is about the default
graph). A patch is only ever appended whole and fsynced; a torn tail (a crash mid-append) has no
`TC .` and is cut off when the journal is opened, so a change is in the journal entirely or not
at all. Writers in several processes (the server, a CLI import) take an exclusive lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph_service.store.base import StorageFull, is_disk_full
from graph_service.store.durable import fsync_dir
from graph_service.store.rdf_patch import Change, JournalError, blocks, format_change, parse_block

JOURNAL_DIR = "journal"
JOURNAL_FILE = "changes.rdfp"
#: Where `publish` records the last change folded into vocab/ (a small JSON file).
PUBLISHED_FILE = "published.json"
ANONYMOUS = "anonymous token"
#: Per store (build directory or remote endpoint), the last change it has applied.
APPLIED_DIR = "applied"


@dataclass
class _Tail:
    """What the process knows of the journal's end: its size, last sequence number and id."""

    size: int = 0
    seq: int = 0
    id: str = ""
    changes: list[Change] = field(default_factory=list)


def _next_change(
    tail: _Tail,
    author: str,
    message: str,
    added: Iterable[str],
    removed: Iterable[str],
    file: tuple[str, str] = ("", ""),
    reviewer: str = "",
) -> Change:
    """The change that follows the journal's last one (new id, next number, now)."""
    return Change(
        file=file[0],
        file_sha256=file[1],
        id=str(uuid.uuid4()),
        prev=tail.id,
        seq=tail.seq + 1,
        time=datetime.now(UTC).isoformat(),
        author=author or ANONYMOUS,
        reviewer=reviewer,
        message=message,
        added=tuple(added),
        removed=tuple(removed),
    )


class Journal:
    """The append-only log of changes of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / JOURNAL_DIR
        self.path = self.directory / JOURNAL_FILE
        self._tail = _Tail()
        # One reader of the file at a time: two threads reading the same new bytes would
        # both append their changes (the history's index is built in a thread of its own).
        self._reading = threading.Lock()

    @property
    def durable(self) -> bool:
        """Whether changes are written to disk (MemoryJournal's are not)."""
        return True

    # -- reading -------------------------------------------------------------------------------

    def _refresh(self) -> _Tail:
        """Read what other processes appended since we last looked (the file only grows)."""
        with self._reading:
            return self._read_new()

    def _read_new(self) -> _Tail:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            self._tail = _Tail()
            return self._tail
        if size == self._tail.size:
            return self._tail
        if size < self._tail.size:
            self._tail = _Tail()  # cut by recovery in another process: read it all again
        with self.path.open("rb") as handle:
            handle.seek(self._tail.size)
            data = handle.read(size - self._tail.size)
        consumed = 0
        for lines, end in blocks(data):
            change = parse_block(lines)
            self._tail.changes.append(change)
            self._tail.seq, self._tail.id = change.seq, change.id
            consumed = end
        # A torn tail stays unread until recovery cuts it (or its writer finishes it).
        self._tail.size += consumed
        return self._tail

    def changes(self, after: int = 0) -> list[Change]:
        """Every complete change with a sequence number above `after`, oldest first."""
        return [c for c in self._refresh().changes if c.seq > after]

    def last_seq(self) -> int:
        """The sequence number of the last change (0 for an empty journal)."""
        return self._refresh().seq

    def rows_back(self, needle: str) -> Iterator[tuple[Change, str]]:
        """Newest first, each journalled row whose text holds `needle`, with its change (its
        headers only, no rows): a search of the file's bytes that parses nothing else, for a
        question asked before the journal was read in this process (reading a 35 MB journal
        of imports takes seconds, the search milliseconds)."""
        # Read already (its size is set once a whole read is done), or nothing on disk.
        if self._tail.size or not self.path.exists():
            yield from _rows_back(self._refresh().changes, needle)
            return
        with self.path.open("rb") as handle:
            data = handle.read()
        # Complete changes only: a torn tail is not in the journal until recovery or its end.
        end = data.rfind(b"\nTC .\n") + 1
        wanted = needle.encode("utf-8")
        headers: dict[int, Change] = {}
        while (found := data.rfind(wanted, 0, end)) >= 0:
            start = data.rfind(b"\n", 0, found) + 1
            stop = data.find(b"\n", found)
            line = data[start:stop].decode("utf-8")
            end = start
            kind, _, rest = line.partition(" ")
            if kind not in ("A", "D"):
                continue  # a header (a message that names the IRI), not a row
            block = data.rfind(b"\nH id ", 0, start) + 1  # the first change starts the file
            if block not in headers:
                tx = data.find(b"\nTX .\n", block)
                head = data[block:tx].decode("utf-8").split("\n")
                headers[block] = parse_block([*head, "TX .", "TC ."])
            yield headers[block], rest.removesuffix(" .").rstrip()

    def get(self, change_id: str) -> Change | None:
        """The change with this id (or a unique prefix of it), or None."""
        found = [c for c in self._refresh().changes if c.id.startswith(change_id)]
        return found[0] if len(found) == 1 else None

    # -- writing -------------------------------------------------------------------------------

    def recover(self) -> int:
        """Cut a torn patch off the end (a crash mid-append); returns the bytes removed."""
        if not self.path.exists():
            return 0
        with self._locked() as handle:
            data = handle.read()
            end = 0
            for _, block_end in blocks(data):
                end = block_end
            if end == len(data):
                return 0
            handle.truncate(end)
            handle.flush()
            os.fsync(handle.fileno())
        self._tail = _Tail()
        return len(data) - end

    def append(
        self,
        *,
        author: str,
        message: str,
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
        file: tuple[str, str] = ("", ""),
        reviewer: str = "",
    ) -> Change:
        """Write one change durably (fsync) and return it with its id and sequence number;
        `file` is (path under DATA_DIR, SHA-256) of a file holding its graph's result;
        `reviewer` the account that approved it when its author only proposed it."""
        # The file lock keeps other processes out; the reading lock keeps this process's
        # readers from parsing the new change before the tail records it.
        with self._locked() as handle, self._reading:
            tail = self._read_new()
            change = _next_change(tail, author, message, added, removed, file, reviewer)
            text = format_change(change).encode("utf-8")
            try:
                handle.seek(0, os.SEEK_END)
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                # Leave no partial patch behind: cut back to where this one started.
                handle.truncate(tail.size)
                if is_disk_full(exc):
                    raise StorageFull(
                        "the server's disk is full: the change could not be written to the "
                        "journal, nothing was changed"
                    ) from exc
                raise JournalError(
                    f"the change could not be written to the journal: {exc}"
                ) from exc
            tail.changes.append(change)
            tail.seq, tail.id, tail.size = change.seq, change.id, tail.size + len(text)
        return change

    def _locked(self) -> _LockedFile:
        if not self.directory.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            fsync_dir(self.directory.parent)
        created = not self.path.exists()
        locked = _LockedFile(self.path)
        if created:
            fsync_dir(self.directory)
        return locked

    # -- which store has applied what ---------------------------------------------------------

    def applied_seq(self, store_key: str) -> int:
        """The last change the store named `store_key` noted as applied (0: none)."""
        try:
            return int(json.loads(self._applied_path(store_key).read_text())["seq"])
        except FileNotFoundError:
            return 0
        except (ValueError, KeyError, TypeError) as exc:
            raise JournalError(f"the applied-change note of {store_key} is damaged: {exc}") from exc

    def record_applied(self, store_key: str, seq: int) -> None:
        """Note that a store has applied every change up to `seq` (atomically replaced; a
        crash before it only makes the next start apply the change again, harmlessly)."""
        target = self._applied_path(store_key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(json.dumps({"store": store_key, "seq": seq}))
        os.replace(temporary, target)

    def _applied_path(self, store_key: str) -> Path:
        digest = hashlib.sha256(store_key.encode()).hexdigest()[:16]
        return self.directory / APPLIED_DIR / f"{digest}.json"

    # -- publishing ----------------------------------------------------------------------------

    def published_seq(self) -> int:
        """The last change already written into vocab/ by `publish` (0: none)."""
        try:
            return int(json.loads((self.directory / PUBLISHED_FILE).read_text())["seq"])
        except FileNotFoundError:
            return 0
        except (ValueError, KeyError, TypeError) as exc:
            raise JournalError(f"{PUBLISHED_FILE} is damaged: {exc}") from exc

    def mark_published(self, seq: int, fingerprint: str) -> None:
        """Record that changes up to `seq` are now in vocab/ (whose sources hash to fingerprint)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / PUBLISHED_FILE
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps({"seq": seq, "fingerprint": fingerprint}))
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        fsync_dir(self.directory)

    def pending(self) -> list[Change]:
        """Changes accepted since the last publish: what a build replays over vocab/."""
        return self.changes(after=self.published_seq())


class MemoryJournal(Journal):
    """The journal of a store in memory: the same history, kept as long as the store lives."""

    def __init__(self) -> None:
        self.directory = Path("/nonexistent/memory-journal")
        self.path = self.directory / JOURNAL_FILE
        self._tail = _Tail()
        self._published = 0
        self._applied: dict[str, int] = {}

    @property
    def durable(self) -> bool:
        """Changes of an in-memory store die with it: nothing is written."""
        return False

    def _refresh(self) -> _Tail:
        return self._tail

    def recover(self) -> int:
        """Nothing can be torn in memory."""
        return 0

    def append(
        self,
        *,
        author: str,
        message: str,
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
        file: tuple[str, str] = ("", ""),
        reviewer: str = "",
    ) -> Change:
        """Keep one change in memory and return it with its id and sequence number."""
        tail = self._tail
        change = _next_change(tail, author, message, added, removed, file, reviewer)
        tail.changes.append(change)
        tail.seq, tail.id = change.seq, change.id
        return change

    def published_seq(self) -> int:
        """The last change marked published."""
        return self._published

    def mark_published(self, seq: int, fingerprint: str) -> None:
        """Remember the published change in memory."""
        self._published = seq

    def applied_seq(self, store_key: str) -> int:
        """The last change noted as applied by a store, in memory."""
        return self._applied.get(store_key, 0)

    def record_applied(self, store_key: str, seq: int) -> None:
        """Note in memory that a store has applied every change up to `seq`."""
        self._applied[store_key] = seq


class _LockedFile:
    """The journal file opened for reading and appending under an exclusive lock."""

    def __init__(self, path: Path) -> None:
        # Unbuffered: after a failed write (a full disk) no buffered tail may reach the file
        # later, when the handle is flushed on closing, past the cut made by truncate().
        self.handle = path.open("a+b", buffering=0)

    def __enter__(self) -> _LockedFile:
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)
        self.handle.seek(0)
        return self

    def read(self) -> bytes:
        return self.handle.read()

    def truncate(self, size: int) -> None:
        self.handle.truncate(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> None:
        self.handle.seek(offset, whence)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:  # an unbuffered write may take part of the data (then fail on the rest)
            view = view[self.handle.write(view) :]

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return self.handle.fileno()

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
        self.handle.close()


def _rows_back(changes: list[Change], needle: str) -> Iterator[tuple[Change, str]]:
    """Newest first, the rows of changes already read that hold `needle`."""
    for change in reversed(changes):
        for row in (*reversed(change.added), *reversed(change.removed)):
            if needle in row:
                yield change, row
