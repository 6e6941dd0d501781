"""The bench's stores kept in memory for a run (bench/resident.py, Debian's vmtouch)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bench import resident


def _locked_kb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Mlocked:"):
            return int(line.split()[1])
    raise AssertionError("no Mlocked in /proc/meminfo")


def _resident_percent(path: Path) -> int:
    """How much of a file is in the page cache, as vmtouch reports it."""
    report = subprocess.run(["vmtouch", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"Resident Pages:.*?(\d+)%", report.stdout)
    assert found, report.stdout
    return int(found.group(1))


def _paged_out(path: Path) -> None:
    """Drop a file's pages from the page cache (written to disk first), as the machine does."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


@pytest.fixture
def vmtouch() -> None:
    """vmtouch, which `make test` installs: a failure in CI without it, else a skip."""
    if shutil.which("vmtouch") is None:
        if os.environ.get("CI"):
            pytest.fail("vmtouch is missing: CI must run the bench's locking test", pytrace=False)
        pytest.skip("vmtouch is missing (make test installs it)")


@pytest.mark.usefixtures("vmtouch")
def test_stores_are_locked_for_the_block_and_read_back_before_cells(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "a.sst").write_bytes(b"x" * (16 << 20))
    before = _locked_kb()
    with resident.resident([store, tmp_path / "missing"], tmp_path / "vmtouch.pid") as line:
        assert line.startswith("stores locked in memory") and "store" in line
        assert _locked_kb() - before >= 15 << 10  # the 16 MiB file, locked
        assert resident._kept == [str(store.resolve())]
        # A file written after the lock, then paged out: a cell's touch reads it back.
        later = store / "b.sst"
        later.write_bytes(b"y" * (1 << 20))
        _paged_out(later)
        assert _resident_percent(later) == 0
        resident.touch()
        assert _resident_percent(later) == 100
    assert resident._kept == []
    resident.touch()  # outside a block: nothing to do


def test_without_vmtouch_the_run_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(resident.shutil, "which", lambda name: None)
    with resident.resident([tmp_path], tmp_path / "vmtouch.pid") as line:
        assert "not locked" in line and "make bench" in line
        resident.touch()
