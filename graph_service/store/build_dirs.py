"""Build directories: which are complete, which a process has open, and removing the others.

A directory under DATA_DIR/builds/ is removed only when no live process uses it. RocksDB's own
lock (an fcntl lock on `<dir>/LOCK`) covers read-write opens only: a read-only open (every query
worker) takes no lock at all. So every open through EmbeddedStore holds a shared `flock` on
`<dir>/IN_USE` for as long as the store is open, and a removal first takes it exclusively
without waiting. flock locks belong to an open file, not to a process: they work between
processes and within one, and the kernel drops them when a process dies (SIGKILL included), so
no stale marker outlives its holder. The remover keeps its exclusive lock while it deletes:
an open that comes in meanwhile fails cleanly instead of reading files being removed.

A build is complete once `<dir>/COMPLETE` is on disk (written and fsynced after the store was
flushed and closed, before `current` is switched to it); a directory without it is a build
still running or one that was killed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import threading
from collections import Counter
from pathlib import Path

from graph_service.store.base import StoreError
from graph_service.store.durable import fsync_dir

IN_USE = "IN_USE"
COMPLETE = "COMPLETE"
#: RocksDB's lock file, held (fcntl) by a read-write open.
ENGINE_LOCK = "LOCK"

#: Directories this process has open, for the checks fcntl cannot make on its own process.
_open_here: Counter[str] = Counter()
_open_guard = threading.Lock()


def _key(directory: Path) -> str:
    return os.path.realpath(directory)


class Hold:
    """A shared lock on a directory's IN_USE file: while it is held, the directory stays."""

    def __init__(self, fd: int | None, directory: Path) -> None:
        self._fd = fd
        self._key = _key(directory)
        with _open_guard:
            _open_here[self._key] += 1

    def release(self) -> None:
        """Let the directory go (closing the file drops the lock); safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        os.close(fd)
        with _open_guard:
            _open_here[self._key] -= 1
            if _open_here[self._key] <= 0:
                del _open_here[self._key]


def hold(directory: Path, *, create: bool) -> Hold:
    """Mark a store directory as in use by this process until the hold is released.

    `create` makes the directory first (a store about to be created). A read-only open of a
    directory where the marker cannot be written (a read-only file system) is not held.
    """
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(directory / IN_USE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if create:
            raise StoreError(f"cannot mark the store at {directory} as in use: {exc}") from exc
        return Hold(None, directory)  # nothing to protect, or nothing we may write
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise StoreError(f"the store at {directory} is being removed") from exc
        raise StoreError(f"cannot mark the store at {directory} as in use: {exc}") from exc
    return Hold(fd, directory)


def remove_unless_in_use(directory: Path) -> bool:
    """Delete a build directory unless a live process holds it; True if it is gone."""
    if not directory.is_dir():
        return True
    with _open_guard:
        if _open_here[_key(directory)]:
            return False
    try:
        marker = os.open(directory / IN_USE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        return True  # removed meanwhile
    try:
        try:
            fcntl.flock(marker, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        engine = _engine_unlocked(directory)
        if engine is False:
            return False
        try:
            shutil.rmtree(directory, ignore_errors=True)
        finally:
            if isinstance(engine, int):
                os.close(engine)
        return not directory.exists()
    finally:
        os.close(marker)


def _engine_unlocked(directory: Path) -> int | bool:
    """RocksDB's lock taken by us (its fd, kept until the removal is done), True when there is
    no lock file, False when another process has the store open read-write.

    This catches a process that opened the store without our marker (an older version of the
    service, a script). It is only asked about directories this process does not have open:
    closing an fcntl-locked file drops every lock the process holds on it.
    """
    try:
        fd = os.open(directory / ENGINE_LOCK, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    return fd


def in_use(directory: Path) -> bool:
    """Whether some live process (this one included) has the store in `directory` open."""
    with _open_guard:
        if _open_here[_key(directory)]:
            return True
    try:
        marker = os.open(directory / IN_USE, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        pass  # opened by nothing of ours, if at all: the engine's lock tells
    else:
        try:
            fcntl.flock(marker, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(marker)
    engine = _engine_unlocked(directory)
    if isinstance(engine, bool):
        return not engine
    os.close(engine)
    return False


def mark_complete(directory: Path, note: str = "") -> None:
    """Record durably that the build in `directory` is whole (its store flushed and closed)."""
    target = directory / COMPLETE
    with target.open("w", encoding="utf-8") as handle:
        handle.write(note + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    fsync_dir(directory)


def is_complete(directory: Path) -> bool:
    """Whether the build in `directory` finished (a killed or running build has no marker)."""
    return (directory / COMPLETE).is_file()
