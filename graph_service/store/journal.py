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
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from graph_service.store.base import StoreError

JOURNAL_DIR = "journal"
JOURNAL_FILE = "changes.rdfp"
#: Where `publish` records the last change folded into vocab/ (a small JSON file).
PUBLISHED_FILE = "published.json"
ANONYMOUS = "anonymous token"


class JournalError(StoreError):
    """The journal cannot be read or written (a damaged file, a full disk)."""


@dataclass(frozen=True)
class Change:
    """One accepted write: who, when, why, and the quads it added and removed (N-Quads rows)."""

    id: str
    seq: int
    time: str
    author: str
    message: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    prev: str = ""

    @property
    def is_empty(self) -> bool:
        """Whether the change adds and removes nothing (a write that changed no data)."""
        return not self.added and not self.removed

    def inverse(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(added, removed) of the change that undoes this one."""
        return self.removed, self.added


@dataclass
class _Tail:
    """What the process knows of the journal's end: its size, last sequence number and id."""

    size: int = 0
    seq: int = 0
    id: str = ""
    changes: list[Change] = field(default_factory=list)


def quad_rows(quads: Iterable[ox.Quad]) -> tuple[str, ...]:
    """N-Quads rows (without the final dot) of engine quads, sorted so a patch is deterministic."""
    rows = {str(quad) for quad in quads}
    return tuple(sorted(rows))


def parse_rows(rows: Iterable[str]) -> list[ox.Quad]:
    """Engine quads of N-Quads rows (as stored in a Change)."""
    text = "".join(f"{row} .\n" for row in rows)
    if not text:
        return []
    try:
        return list(ox.parse(input=text, format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as exc:
        raise JournalError(f"bad quad in the journal: {exc}") from exc


def data_block(rows: Iterable[str]) -> str:
    """The body of an INSERT DATA / DELETE DATA block for N-Quads rows, grouped by graph."""
    by_graph: dict[str, list[str]] = {}
    for quad in parse_rows(rows):
        name = quad.graph_name
        key = "" if isinstance(name, ox.DefaultGraph) else str(name)
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        by_graph.setdefault(key, []).append(str(triple))
    parts = []
    for graph, triples in by_graph.items():
        body = " .\n".join(triples) + " ."
        parts.append(body if not graph else f"GRAPH {graph} {{\n{body}\n}}")
    return "\n".join(parts)


def _literal(value: str) -> str:
    # JSON string escaping is also valid N-Triples/Turtle string escaping for what we write.
    return json.dumps(value, ensure_ascii=False)


def _unliteral(text: str) -> str:
    return str(json.loads(text))


def format_change(change: Change) -> str:
    """The RDF Patch text of one change, ending with `TC .` and a newline."""
    lines = [
        f"H id <urn:uuid:{change.id}> .",
        *([f"H prev <urn:uuid:{change.prev}> ."] if change.prev else []),
        f'H seq "{change.seq}" .',
        f"H time {_literal(change.time)} .",
        f"H author {_literal(change.author)} .",
        f"H message {_literal(change.message)} .",
        "TX .",
        *(f"D {row} ." for row in change.removed),
        *(f"A {row} ." for row in change.added),
        "TC .",
    ]
    return "\n".join(lines) + "\n"


def _parse_block(lines: list[str]) -> Change:
    headers: dict[str, str] = {}
    added: list[str] = []
    removed: list[str] = []
    for line in lines:
        kind, _, rest = line.partition(" ")
        body = rest.removesuffix(" .").removesuffix(".").rstrip()
        if kind == "H":
            key, _, value = body.partition(" ")
            headers[key] = value
        elif kind == "A":
            added.append(body)
        elif kind == "D":
            removed.append(body)
        elif kind not in ("TX", "TC"):
            raise JournalError(f"unknown row in the journal: {line[:80]!r}")
    try:
        return Change(
            id=headers["id"].removeprefix("<urn:uuid:").removesuffix(">"),
            prev=headers.get("prev", "").removeprefix("<urn:uuid:").removesuffix(">"),
            seq=int(_unliteral(headers["seq"])),
            time=_unliteral(headers["time"]),
            author=_unliteral(headers["author"]),
            message=_unliteral(headers["message"]),
            added=tuple(added),
            removed=tuple(removed),
        )
    except (KeyError, ValueError) as exc:
        raise JournalError(f"a change in the journal lacks a header: {exc}") from exc


def _next_change(
    tail: _Tail, author: str, message: str, added: Iterable[str], removed: Iterable[str]
) -> Change:
    """The change that follows the journal's last one (new id, next number, now)."""
    return Change(
        id=str(uuid.uuid4()),
        prev=tail.id,
        seq=tail.seq + 1,
        time=datetime.now(UTC).isoformat(),
        author=author or ANONYMOUS,
        message=message,
        added=tuple(added),
        removed=tuple(removed),
    )


def _blocks(data: bytes) -> Iterator[tuple[list[str], int]]:
    """Each complete patch's lines and the byte offset just after its `TC .` row."""
    lines: list[str] = []
    offset = 0
    for raw in data.splitlines(keepends=True):
        offset += len(raw)
        if not raw.endswith(b"\n"):
            return  # a torn last line
        line = raw.decode("utf-8").rstrip("\n")
        if not line:
            continue
        lines.append(line)
        if line == "TC .":
            yield lines, offset
            lines = []


class Journal:
    """The append-only log of changes of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / JOURNAL_DIR
        self.path = self.directory / JOURNAL_FILE
        self._tail = _Tail()

    @property
    def durable(self) -> bool:
        """Whether changes are written to disk (MemoryJournal's are not)."""
        return True

    # -- reading -------------------------------------------------------------------------------

    def _refresh(self) -> _Tail:
        """Read what other processes appended since we last looked (the file only grows)."""
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
        for lines, end in _blocks(data):
            change = _parse_block(lines)
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
            for _, block_end in _blocks(data):
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
    ) -> Change:
        """Write one change durably (fsync) and return it with its id and sequence number."""
        with self._locked() as handle:
            tail = self._refresh()
            change = _next_change(tail, author, message, added, removed)
            text = format_change(change).encode("utf-8")
            try:
                handle.seek(0, os.SEEK_END)
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                # Leave no partial patch behind: cut back to where this one started.
                handle.truncate(tail.size)
                raise JournalError(
                    f"the change could not be written to the journal: {exc}"
                ) from exc
            tail.changes.append(change)
            tail.seq, tail.id, tail.size = change.seq, change.id, tail.size + len(text)
        return change

    def _locked(self) -> _LockedFile:
        if not self.directory.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            _fsync_dir(self.directory.parent)
        created = not self.path.exists()
        locked = _LockedFile(self.path)
        if created:
            _fsync_dir(self.directory)
        return locked

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
        _fsync_dir(self.directory)

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
    ) -> Change:
        """Keep one change in memory and return it with its id and sequence number."""
        tail = self._tail
        change = _next_change(tail, author, message, added, removed)
        tail.changes.append(change)
        tail.seq, tail.id = change.seq, change.id
        return change

    def published_seq(self) -> int:
        """The last change marked published."""
        return self._published

    def mark_published(self, seq: int, fingerprint: str) -> None:
        """Remember the published change in memory."""
        self._published = seq


class _LockedFile:
    """The journal file opened for reading and appending under an exclusive lock."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("a+b")

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
        self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return self.handle.fileno()

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
        self.handle.close()


def _fsync_dir(directory: Path) -> None:
    """Make a new entry of a directory durable (the file's own fsync does not)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
