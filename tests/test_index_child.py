"""The search index's child process (search/build.py) ends with the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph_service.search.build import _CHILD

PATIENCE = 60.0

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="the parent-death signal is Linux's"
)

#: A stand-in for the server: starts the index child on the stdin it was given, says the
#: child's pid, then waits (the test kills it).
_PARENT = (
    "import subprocess, sys, time; "
    f"child = subprocess.Popen([sys.executable, '-c', {_CHILD!r}], stdin=sys.stdin); "
    "print(child.pid, flush=True); time.sleep(600)"
)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_index_child_ends_when_its_server_is_killed() -> None:
    # The test keeps the pipe's writing end: the child still waits for its settings after
    # the parent's death, as one still reading the store would go on.
    read_end, write_end = os.pipe()
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT], stdin=read_end, stdout=subprocess.PIPE, text=True
    )
    os.close(read_end)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        time.sleep(1.0)  # the child asks for the signal first thing; give it time to start
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + PATIENCE
        while _alive(child):
            assert time.monotonic() < deadline, "the index child outlived its killed server"
            time.sleep(0.1)
    finally:
        os.close(write_end)
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
