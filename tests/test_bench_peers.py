"""The benchmark's quieting of bystanders: every process of a server stopped, then resumed."""

import subprocess
import sys
import time
from pathlib import Path

from bench.peers import _tree, paused


class _Started:
    """A stand-in for a started server: a process with a child, as ours has query workers."""

    def __init__(self) -> None:
        child = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); time.sleep(300)"  # noqa: E501
        self.process = subprocess.Popen([sys.executable, "-c", child])


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _tree_of(server: _Started) -> list[int]:
    deadline = time.monotonic() + 120  # the child starts in its own time on a loaded machine
    while len(pids := _tree(server.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def test_paused_stops_every_process_of_each_server_and_resumes_them() -> None:
    servers = [_Started(), _Started()]
    try:
        trees = [_tree_of(s) for s in servers]
        assert all(len(t) == 2 for t in trees)
        with paused(servers):
            assert {_state(pid) for t in trees for pid in t} == {"T"}
        deadline = time.monotonic() + 120  # SIGCONT too is delivered in the kernel's time
        while "T" in (states := {_state(pid) for t in trees for pid in t}):
            assert time.monotonic() < deadline, states
            time.sleep(0.01)
    finally:
        for server in servers:
            for pid in reversed(_tree(server.process.pid)):
                subprocess.run(["kill", "-9", str(pid)], check=False)
            server.process.wait()


def test_paused_skips_servers_that_are_not_running() -> None:
    class NotStarted:
        process = None

    with paused([NotStarted()]):
        pass
