"""Making files durable: a directory's new or renamed entries survive a crash only once the
directory itself is fsynced (a file's own fsync does not cover its name)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a directory's new or renamed entries durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
