"""Proposals waiting for review: contributors' edits and visitors' feedback, one JSON file each.

A contributor's edit is not applied: it is kept here, invisible to the public, until an editor
approves it (the editor's code then commits it and records the change id) or rejects it. A
visitor's feedback message lands in the same queue. Files live in DATA_DIR/proposals/<status>/,
so that counting or listing the pending ones reads nothing else; each is written atomically
(temporary file, fsync, rename, fsync of the directory) with mode 0600, as feedback holds
e-mail addresses. A decision is a read-modify-write under an fcntl lock on
DATA_DIR/proposals/.lock: of two processes or threads deciding the same proposal, one wins and
the other gets Conflict (an approval may apply the proposal under that same lock, so that it
is applied once). The file's content is the truth about its status: a crash between rewriting
a decided file and moving it out of pending/ is finished by the next listing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from graph_service.exceptions import Conflict, GraphServiceError, NotFound
from graph_service.store.durable import fsync_dir

log = logging.getLogger(__name__)

STATUSES = ("pending", "approved", "rejected")
KINDS = (
    "concept.create",
    "concept.update",
    "concept.deprecate",
    "concept.merge",
    "resource.create",
    "resource.update",
    "feedback",
)
DIRECTORY = "proposals"
LOCK_FILE = ".lock"
#: Pending proposals at most: a flood of feedback must not fill the disk nor the queue.
MAX_PENDING = 10_000
#: The bytes of one proposal's action as JSON at most (a long definition fits many times).
MAX_ACTION_BYTES = 256 * 1024
MAX_SUMMARY = 200
MAX_TEXT = 2000  # author, reviewer, target, reason: each at most this many characters
ID = re.compile(r"^[0-9a-f]{32}$")
#: Proposals kept parsed (per file path, with the file's inode, time and size), all stores.
MAX_PARSED = 50_000
_parsed: dict[str, tuple[tuple[int, int, int], Proposal]] = {}
_parsed_lock = threading.Lock()


class ProposalError(GraphServiceError):
    """A proposal that cannot be stored: an unknown kind, an action too large, a full queue."""


@dataclass(frozen=True)
class Proposal:
    """One proposed edit or feedback message, and the decision taken on it."""

    id: str
    kind: str
    #: The operation, as JSON (for "feedback": {"uri", "message", "name", "email"}).
    action: dict[str, object]
    author: str  # account name, or "visitor" for feedback
    created: str  # ISO time, UTC
    summary: str  # one line for the queue
    target: str = ""  # the IRI concerned ("" for a creation)
    status: str = "pending"
    reviewer: str = ""
    reviewed: str = ""  # ISO time of the decision
    reason: str = ""  # rejection reason or approval note
    change_id: str = ""  # the journal's change id once applied

    def as_dict(self) -> dict[str, object]:
        """The proposal as JSON (for the API and the file)."""
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")  # orders a fast queue


def _one_line(text: str, limit: int) -> str:
    """Text with its whitespace runs made single spaces, cut to `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _action_json(action: Mapping[str, object]) -> dict[str, object]:
    """A plain-dict copy of `action`, refused if it is not JSON or larger than the limit."""
    if not isinstance(action, Mapping):
        raise ProposalError("a proposal's action must be a JSON object")
    try:
        text = json.dumps(dict(action), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ProposalError(f"a proposal's action must be plain JSON: {exc}") from exc
    if len(text.encode("utf-8")) > MAX_ACTION_BYTES:
        raise ProposalError(
            f"this proposal is too large (more than {MAX_ACTION_BYTES // 1024} KB): split it",
            status=413,
        )
    copy: dict[str, object] = json.loads(text)
    return copy


def _checked_text(name: str, value: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ProposalError(f"a proposal's {name} must be text of at most {MAX_TEXT} characters")
    return value


def _from_json(data: object, path: Path) -> Proposal:
    """A proposal read from its file; ValueError for content that is not one."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    values = {name: data[name] for name in Proposal.__dataclass_fields__ if name in data}
    proposal = Proposal(**values)
    if proposal.status not in STATUSES or not isinstance(proposal.action, dict):
        raise ValueError(f"bad status {proposal.status!r} or action")
    if proposal.id != path.stem:
        raise ValueError(f"id {proposal.id!r} does not match its file name")
    return proposal


class ProposalStore:
    """The proposals of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / DIRECTORY

    # --- files ------------------------------------------------------------------------------

    def _dir(self, status: str) -> Path:
        return self.root / status

    def _ensure_dirs(self) -> None:
        for status in STATUSES:
            # 0700: feedback holds people's names and e-mail addresses.
            self._dir(status).mkdir(mode=0o700, parents=True, exist_ok=True)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the directory's lock: one read-modify-write at a time, across processes (and
        across threads: each call opens its own descriptor, and flock locks conflict between
        descriptors even in one process)."""
        self._ensure_dirs()
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _write(self, proposal: Proposal, directory: Path) -> Path:
        """Write a proposal's file in `directory` atomically and durably; return its path."""
        target = directory / f"{proposal.id}.json"
        fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(proposal.as_dict(), out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)  # readers see the old file or the new one, never half
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        fsync_dir(directory)
        return target

    def _read(self, path: Path) -> Proposal:
        """The proposal in a file (parsed once per version of the file: a queue of thousands
        is listed at the cost of a stat per file)."""
        info = os.stat(path)
        # Every write replaces the file by a new one: a new inode, whatever the clock says.
        version = (info.st_ino, info.st_mtime_ns, info.st_size)
        key = str(path)
        with _parsed_lock:
            cached = _parsed.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        try:
            proposal = _from_json(json.loads(path.read_text(encoding="utf-8")), path)
        except (ValueError, TypeError) as exc:
            raise GraphServiceError(f"proposal file {path.name} is damaged: {exc}", 500) from exc
        with _parsed_lock:
            if len(_parsed) >= MAX_PARSED:
                _parsed.clear()  # rare: more files than any queue page needs at once
            _parsed[key] = (version, proposal)
        return proposal

    def _find(self, proposal_id: str) -> Proposal:
        if not isinstance(proposal_id, str) or not ID.match(proposal_id):
            raise NotFound(f"no proposal {str(proposal_id)[:80]!r}")
        for status in STATUSES:
            path = self._dir(status) / f"{proposal_id}.json"
            try:
                return self._read(path)
            except FileNotFoundError:
                continue  # not there, or moved there from pending/ while we looked
        raise NotFound(f"no proposal {proposal_id!r}")

    def _files(self, status: str) -> list[Path]:
        try:
            names = os.listdir(self._dir(status))
        except FileNotFoundError:
            return []
        return [self._dir(status) / n for n in names if n.endswith(".json") and ID.match(n[:-5])]

    # --- the interface ----------------------------------------------------------------------

    def add(
        self,
        *,
        kind: str,
        action: Mapping[str, object],
        author: str,
        summary: str,
        target: str = "",
    ) -> Proposal:
        """Keep a new pending proposal; ProposalError for a bad kind, a large action (413) or a
        full queue (429)."""
        if kind not in KINDS:
            raise ProposalError(f"unknown proposal kind {kind!r}: one of {', '.join(KINDS)}")
        if not author:
            raise ProposalError("a proposal needs an author")
        proposal = Proposal(
            id=uuid.uuid4().hex,
            kind=kind,
            action=_action_json(action),
            author=_checked_text("author", author),
            created=_now(),
            summary=_one_line(summary, MAX_SUMMARY),
            target=_checked_text("target", target),
        )
        with self._locked():
            if len(self._files("pending")) >= MAX_PENDING:
                raise ProposalError(
                    f"the review queue is full ({MAX_PENDING} pending proposals): "
                    "try again once editors have reviewed some",
                    status=429,
                )
            self._write(proposal, self._dir("pending"))
        return proposal

    def get(self, proposal_id: str) -> Proposal:
        """The proposal of an id; NotFound for an unknown or malformed one."""
        return self._find(proposal_id)

    def list(
        self, status: str | None = "pending", *, target: str | None = None, limit: int = 200
    ) -> list[Proposal]:
        """Proposals of a status (None: all), of one target IRI if given, oldest first."""
        if status is not None and status not in STATUSES:
            raise ProposalError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
        found: dict[str, Proposal] = {}
        for each in (status,) if status is not None else STATUSES:
            for path in self._files(each):
                try:
                    proposal = self._read(path)
                except FileNotFoundError:
                    continue  # decided (moved) while we listed
                except GraphServiceError as exc:
                    log.warning("%s", exc.message)  # one damaged file must not hide the queue
                    continue
                if proposal.status != each:
                    # A crash between a decision's two steps left it in pending/: finish it.
                    proposal = self._move_decided(proposal)
                    if status is not None and proposal.status != status:
                        continue
                if target is None or proposal.target == target:
                    found[proposal.id] = proposal
        ordered = sorted(found.values(), key=lambda p: (p.created, p.id))
        return ordered[: max(0, limit)]

    def replace_action(
        self, proposal_id: str, action: Mapping[str, object], summary: str
    ) -> Proposal:
        """Change a pending proposal's action (an editor's edit before approving it); Conflict
        once it is decided."""
        new_action = _action_json(action)
        with self._locked():
            proposal = self._find(proposal_id)
            if proposal.status != "pending":
                raise Conflict(f"proposal {proposal_id} was already {proposal.status}")
            changed = replace(proposal, action=new_action, summary=_one_line(summary, MAX_SUMMARY))
            self._write(changed, self._dir("pending"))
        return changed

    def decide(
        self,
        proposal_id: str,
        *,
        status: str,
        reviewer: str,
        reason: str = "",
        change_id: str = "",
        apply: Callable[[Proposal], str] | None = None,
    ) -> Proposal:
        """Approve or reject a pending proposal; Conflict if it was already decided.

        `apply`, if given, is called under the lock once the proposal is known to be pending,
        with it as it stands (an editor's edit included); it commits the proposal and returns
        the journal's change id, recorded as `change_id`. If it raises, nothing is decided: of
        two editors approving at once, only one applies the proposal.
        """
        if status not in ("approved", "rejected"):
            raise ProposalError(f"a decision is 'approved' or 'rejected', not {status!r}")
        if not reviewer:
            raise ProposalError("a decision needs a reviewer")
        with self._locked():
            proposal = self._find(proposal_id)
            if proposal.status != "pending":
                raise Conflict(
                    f"proposal {proposal_id} was already {proposal.status} "
                    f"by {proposal.reviewer or 'someone'}"
                )
            if apply is not None:
                change_id = apply(proposal)
            decided = replace(
                proposal,
                status=status,
                reviewer=_checked_text("reviewer", reviewer),
                reviewed=_now(),
                reason=_checked_text("reason", reason),
                change_id=_checked_text("change_id", change_id),
            )
            # Rewritten where it is, then moved: the file is always in one directory, and its
            # content tells its status if a crash comes between the two steps.
            self._write(decided, self._dir("pending"))
            self._move(decided.id, status)
        return decided

    def count(self, status: str = "pending") -> int:
        """How many proposals have a status (the files of its directory: nothing is read)."""
        if status not in STATUSES:
            raise ProposalError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
        return len(self._files(status))

    def _move(self, proposal_id: str, status: str) -> None:
        """Move a decided proposal's file from pending/ to its status's directory (locked)."""
        name = f"{proposal_id}.json"
        os.rename(self._dir("pending") / name, self._dir(status) / name)  # atomic: one place
        fsync_dir(self._dir(status))
        fsync_dir(self._dir("pending"))

    def _move_decided(self, proposal: Proposal) -> Proposal:
        """Finish the move of a decided proposal found in pending/; return it as it is now."""
        with self._locked():
            try:
                current = self._read(self._dir("pending") / f"{proposal.id}.json")
            except FileNotFoundError:
                return self._find(proposal.id)  # someone else moved it meanwhile
            if current.status != "pending":
                self._move(current.id, current.status)
            return current
