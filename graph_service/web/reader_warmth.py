"""Which data version each reader process has warmed, told to the writer through small files.

With `serve --readers N`, /healthz is answered by the writing process, whose own warm-up is
only part of the truth: every reader remembers its own answers per data version and warms
each version itself. Each reader writes the version it last warmed in a file of its own (named
by its process id) in a directory the server made for this run; the writer's /healthz counts
the live readers whose file names its current version.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

#: The directory the readers' files go in, and how many readers serve: set by `serve` for the
#: processes it starts (not user settings).
READERS_DIR_ENV = "GRAPH_SERVICE_READERS_DIR"
READERS_COUNT_ENV = "GRAPH_SERVICE_READERS_COUNT"


@dataclass(frozen=True)
class ReadersWarmth:
    """How many of the expected readers have warmed a given data version."""

    warm: int
    expected: int

    @property
    def all_warm(self) -> bool:
        """Whether every expected reader has warmed the version."""
        return self.warm >= self.expected


def report_warm(directory: Path, version: str) -> None:
    """Say, for this process, that `version` is warm (written whole: renamed into place)."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / str(os.getpid())
    scratch = directory / f".{os.getpid()}.tmp"
    scratch.write_text(version, encoding="utf-8")
    scratch.replace(final)


def readers_warmth(directory: Path, expected: int, version: str) -> ReadersWarmth:
    """Count the live readers whose last warmed version is `version` (a replaced reader's
    file stays behind: its process is gone, so it does not count)."""
    warm = 0
    with contextlib.suppress(OSError):
        for entry in directory.iterdir():
            if not entry.name.isdigit() or not _alive(int(entry.name)):
                continue
            with contextlib.suppress(OSError):
                if entry.read_text(encoding="utf-8") == version:
                    warm += 1
    return ReadersWarmth(min(warm, expected), expected)


def readers_from_env() -> tuple[Path, int] | None:
    """The readers' directory and count `serve` gave this process, or None (no readers)."""
    directory, count = os.environ.get(READERS_DIR_ENV), os.environ.get(READERS_COUNT_ENV)
    if not directory or not count:
        return None
    return Path(directory), int(count)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process took the number: not one of our readers
    return True
