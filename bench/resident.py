"""The stores kept in memory for a run (`vmtouch -l`): the bench machine, a VM, pages out file
pages left idle for about a minute (its kernel's DAMON reclaim: 643 MB of store read back in
0.13 s, then in 9.9 s after 90 s idle, on 2026-12-03). The bench pauses the servers it is not
measuring, so each server's store went cold while its peers were measured, and its next cells
read from a disk of ~45 MB/s: a run at 08:32 that day stalled on I/O 36-41% of the time, and
every store-bound figure fell, ours and the peers' alike (oxigraph's unique queries 25-190/s
instead of thousands). Locked pages stay whatever the reclaim does.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Seconds to read the stores in and lock them before the run goes on without them.
LOCK_TIMEOUT = 600
#: The stores kept by the running `resident` block (touched again before each cell).
_kept: list[str] = []


@contextlib.contextmanager
def resident(paths: Iterable[Path], pid_file: Path) -> Iterator[str]:
    """Keep the files under `paths` locked in memory while the block runs; yields the line the
    conditions say about it."""
    tool = shutil.which("vmtouch")
    existing = [str(p.resolve()) for p in paths if p.exists()]
    if tool is None or not existing:
        yield "stores not locked in memory (no vmtouch: `make bench` installs Debian's)"
        return
    pid_file.unlink(missing_ok=True)
    # -d -w: a daemon that returns once every page is read and locked; -P: its pid, to end it.
    command = [tool, "-q", "-f", "-l", "-d", "-w", "-P", str(pid_file), *existing]
    try:
        # No pipes: the daemon would hold them open, and the wait for their end never ends.
        subprocess.run(
            command,
            check=True,
            timeout=LOCK_TIMEOUT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        yield f"stores not locked in memory ({exc})"
        return
    _kept.extend(existing)  # beside those of an enclosing block (the pages file's, later)
    try:
        yield (
            "stores locked in memory for the run (vmtouch -l: "
            + ", ".join(Path(p).name for p in existing)
            + "), and read back before each cell (vmtouch -t: files written since)"
        )
    finally:
        for path in existing:
            with contextlib.suppress(ValueError):
                _kept.remove(path)
        with contextlib.suppress(OSError, ValueError, ProcessLookupError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def touch() -> None:
    """Read back whatever of the kept stores is not in memory (files a server wrote after the
    lock: oxigraph, freshly bulk-loaded, compacts once serving, and its new files went cold
    while it was paused); a cell's first step. Pages already there cost nothing to check."""
    tool = shutil.which("vmtouch")
    if tool is None or not _kept:
        return
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        subprocess.run(
            [tool, "-q", "-f", "-t", *_kept],
            check=False,
            timeout=LOCK_TIMEOUT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
