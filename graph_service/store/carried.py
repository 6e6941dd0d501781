"""Files that carry a journalled change: an import's DATA_DIR/imports/<id>.ttl and its graph.

An import replaces one graph and keeps the same data in a file that every build loads. The
file and the change must appear together, whatever moment a crash (or SIGKILL) picks:

1. the file is written under a temporary name in its folder and fsynced (`Staged`);
2. the change, naming the file and the SHA-256 of its bytes, is appended to the journal and
   fsynced: this is the commit point;
3. the temporary file is renamed over the file, and the folder fsynced;
4. the change is applied to the store.

A crash before 2 leaves only a temporary file, which `complete_files` removes on the next open
or build. A crash after 2 is completed then: the journal's recovery applies the change to the
store, and `complete_files` finishes the rename from the temporary file the change names.

A build loads the file, and then replays the journal's pending changes: the change of that
file (and what earlier changes did to its graph) is already in it, so `carried_graphs` tells
the replay to leave that graph out of them (a 110,000-triple import is not applied twice, and
the file's blank nodes, renamed by every load, are not doubled by the change's own).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from graph_service.store.base import write_failure
from graph_service.store.durable import fsync_dir
from graph_service.store.journal import Journal
from graph_service.store.rdf_patch import Change

#: DATA_DIR's folder of imported vocabularies, one Turtle file per graph .../graph/imports/<id>.
IMPORTS = "imports"
_SUFFIX = ".tmp"


def sha256_of_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes ("" when there is no such file)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        return ""
    return digest.hexdigest()


def _temporaries(folder: Path, name: str = "", sha256: str = "") -> list[Path]:
    """Temporary files of a folder, or of one content of one file (.<name>.<sha>.<pid>-<n>.tmp)."""
    pattern = f".{name}.{sha256[:16]}.*{_SUFFIX}" if name else f".*{_SUFFIX}"
    return sorted(folder.glob(pattern))


class Staged:
    """A file's new content written durably under a temporary name in its folder, locked
    (flock) as long as its writer is alive, so that no cleanup removes it meanwhile."""

    def __init__(self, data_dir: Path, relative: str, data: bytes) -> None:
        self.relative = relative
        self.target = Path(data_dir) / relative
        self.sha256 = hashlib.sha256(data).hexdigest()
        folder = self.target.parent
        folder.mkdir(parents=True, exist_ok=True)
        unique = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.path = folder / f".{self.target.name}.{self.sha256[:16]}.{unique}{_SUFFIX}"
        self._promoted = False
        self._fd = self._create()
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError as exc:
            self.close()  # the temporary file goes: a full disk leaves no empty or half file
            raise write_failure(exc, relative) from exc

    def _create(self) -> int:
        """Create and lock the temporary file; a cleanup that removed it between the two
        (it was not locked yet) makes us start again."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink:
                return fd
            os.close(fd)

    @property
    def header(self) -> tuple[str, str]:
        """What the journalled change records of the file: its path and the SHA-256 of it."""
        return self.relative, self.sha256

    def promote(self) -> None:
        """Put the new content in place with one rename, made durable. Called once the change
        is journalled: from then on the temporary file is kept even if the rename fails, for
        `complete_files` to finish it."""
        self._promoted = True
        os.replace(self.path, self.target)
        fsync_dir(self.target.parent)

    def close(self) -> None:
        """Drop the temporary file unless its change was journalled, and the lock."""
        if self._fd < 0:
            return
        if not self._promoted:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = -1


def _unlocked(path: Path) -> int | None:
    """An fd holding `path` locked, when no live writer holds it (None otherwise, or gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def complete_files(journal: Journal) -> list[str]:
    """Finish the renames of files whose change was journalled before a crash, then remove the
    temporary files no live process writes; the files put in place, for the report."""
    if not journal.durable:
        return []
    data_dir = journal.directory.parent
    latest: dict[str, Change] = {}
    for change in journal.pending():
        if change.file:
            latest[change.file] = change
    promoted = []
    for relative, change in latest.items():
        target = data_dir / relative
        if not target.parent.is_dir() or sha256_of_file(target) == change.file_sha256:
            continue
        for temporary in _temporaries(target.parent, target.name, change.file_sha256):
            fd = _unlocked(temporary)
            if fd is None:
                continue
            try:
                if sha256_of_file(temporary) == change.file_sha256:
                    os.replace(temporary, target)
                    fsync_dir(target.parent)
                    promoted.append(relative)
                    break
            finally:
                os.close(fd)
    folders = {(data_dir / relative).parent for relative in latest} | {data_dir / IMPORTS}
    for folder in sorted(f for f in folders if f.is_dir()):
        for temporary in _temporaries(folder):
            fd = _unlocked(temporary)
            if fd is not None:
                temporary.unlink(missing_ok=True)
                os.close(fd)
    return promoted


def carried_graphs(
    changes: Iterable[Change], loaded: Mapping[str, tuple[str, str]]
) -> dict[str, int]:
    """For each graph a build loaded from a file ({path under DATA_DIR: (graph, SHA-256)}), the
    last change whose result that file holds: the replay leaves the graph out of it and of
    every change before it."""
    carried: dict[str, int] = {}
    for change in changes:
        graph, sha256 = loaded.get(change.file, ("", ""))
        if graph and change.file_sha256 == sha256:
            carried[graph] = change.seq
    return carried
