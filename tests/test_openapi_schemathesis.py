"""schemathesis (every check) over every GET operation of /openapi.json, on a live server on
127.0.0.1: no server error, no answer outside the document, no valid request refused and no
invalid one accepted. Bounded: a few examples per operation and a fixed seed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
#: Examples per operation and phase: enough to cover every parameter's edges in a minute.
MAX_EXAMPLES = 10
SEED = 19


def _schemathesis() -> str:
    beside = Path(sys.executable).parent / "schemathesis"
    found = str(beside) if beside.exists() else shutil.which("schemathesis")
    if found is None:
        pytest.skip("schemathesis is missing: `make install-dev` installs the dev extras")
    return found


def _run(command: str, url: str, cwd: Path, *selection: str) -> str:
    """One bounded schemathesis run over the selected operations; its report (it must pass).
    Every check runs: all are on by default, and tests/schemathesis.toml names the few left
    out for some operations, and why (`--checks all` here would override it)."""
    result = subprocess.run(
        [command, "--config-file", str(CONFIG), "run", f"{url}/openapi.json", *selection,
         "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
         "--request-timeout", "60", "--no-color"],
        capture_output=True, text=True, timeout=600, check=False,
        cwd=cwd,  # whatever it keeps (examples, reports) stays out of the checkout
    )  # fmt: skip
    report = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, report
    assert "Tested:" in report  # it did run the operations
    return report


def test_schemathesis_finds_nothing_over_every_get_operation(
    built_vocab_dir, live_server_factory, tmp_path
) -> None:
    command = _schemathesis()
    # No update token and no accounts: /api/concepts can only be read (GET) here anyway.
    server = live_server_factory(built_vocab_dir)
    _run(command, server.url, tmp_path, "--include-method", "GET")
    # The protocols' POSTs: queries and reconciliation batches in bodies and forms; updates
    # without the token (none configured) are refused, so nothing is written.
    report = _run(
        command,
        server.url,
        tmp_path,
        "--include-name-regex", "^POST /(sparql|reconcile)",
    )  # fmt: skip
    assert "Selected: 4/" in report  # /sparql, /reconcile and the two 1.0 match paths
