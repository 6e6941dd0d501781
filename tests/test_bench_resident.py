"""The bench's stores kept in memory for a run (bench/resident.py, Debian's vmtouch)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import resident


def _locked_kb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Mlocked:"):
            return int(line.split()[1])
    raise AssertionError("no Mlocked in /proc/meminfo")


@pytest.mark.skipif(shutil.which("vmtouch") is None, reason="make bench installs vmtouch")
def test_stores_are_locked_for_the_block_and_read_back_before_cells(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "a.sst").write_bytes(b"x" * (16 << 20))
    before = _locked_kb()
    with resident.resident([store, tmp_path / "missing"], tmp_path / "vmtouch.pid") as line:
        assert line.startswith("stores locked in memory") and "store" in line
        assert _locked_kb() - before >= 15 << 10  # the 16 MiB file, locked
        assert resident._kept == [str(store.resolve())]
        (store / "b.sst").write_bytes(b"y" * 1024)  # written after the lock: touched by cells
        resident.touch()
    assert resident._kept == []
    resident.touch()  # outside a block: nothing to do


def test_without_vmtouch_the_run_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(resident.shutil, "which", lambda name: None)
    with resident.resident([tmp_path], tmp_path / "vmtouch.pid") as line:
        assert "not locked" in line and "make bench" in line
        resident.touch()
