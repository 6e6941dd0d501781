"""Readers' warm-up reports (web/reader_warmth.py): what the writer's /healthz counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from graph_service.web.reader_warmth import readers_warmth, report_warm


def _ended_pid() -> int:
    """The number of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_live_reader_counts_only_for_the_version_it_warmed(tmp_path: Path) -> None:
    report_warm(tmp_path, "session-7")
    assert (tmp_path / str(os.getpid())).read_text() == "session-7"
    assert readers_warmth(tmp_path, 2, "session-7").warm == 1
    assert not readers_warmth(tmp_path, 2, "session-7").all_warm
    assert readers_warmth(tmp_path, 1, "session-7").all_warm
    assert readers_warmth(tmp_path, 1, "session-8").warm == 0
    report_warm(tmp_path, "session-8")  # the next version replaces the report
    assert readers_warmth(tmp_path, 1, "session-8").all_warm
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, nothing left behind


def test_an_ended_readers_report_does_not_count(tmp_path: Path) -> None:
    (tmp_path / str(_ended_pid())).write_text("v1")
    (tmp_path / "notes.txt").write_text("v1")  # not a reader's file
    assert readers_warmth(tmp_path, 1, "v1").warm == 0


def test_no_directory_yet_means_no_reader_is_warm(tmp_path: Path) -> None:
    assert readers_warmth(tmp_path / "missing", 2, "v1").warm == 0
