"""Optional load client: Debian's `wrk` (C, epoll), for rates a Python client cannot reach."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .load import CellResult
from .peers import PeerError

CLIENT = "wrk (Debian), keep-alive connections, paths from a file via a Lua script"

# Each wrk thread has its own Lua state: `setup` numbers the threads, `init` reads the paths
# and starts each thread at its own share of them, `done` prints the figures as JSON.
SCRIPT = r"""
local paths, accept, n = {}, "", 0
local count = 0
setup = function(thread)
  thread:set("thread_id", count)
  count = count + 1
end
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  accept = args[2]
  n = math.floor(#paths * thread_id / tonumber(args[3]))
end
request = function()
  n = n + 1
  local headers = {}
  if accept ~= "" then headers["Accept"] = accept end
  return wrk.format("GET", paths[((n - 1) % #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


def available() -> bool:
    """Whether `wrk` is installed (apt-get install wrk)."""
    return shutil.which("wrk") is not None


def run_cell(
    host: str,
    port: int,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    timeout: float = 60.0,
) -> CellResult:
    """One cell with wrk: bounded by time only (whole seconds, at least 1); the paths it may
    use are capped at max_requests. Answers of 400 and above count as errors."""
    threads = min(concurrency, 2)  # wrk threads are event loops; more than the cores only adds
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        folder = Path(tmp)
        (folder / "paths.txt").write_text(
            "".join(paths[n] + "\n" for n in range(min(len(paths), max_requests))),
            encoding="utf-8",
        )
        (folder / "bench.lua").write_text(SCRIPT, encoding="utf-8")
        argv = [
            "wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(max_seconds))}s",
            f"--timeout={int(timeout)}s", "-s", str(folder / "bench.lua"),
            f"http://{host}:{port}/", "--", str(folder / "paths.txt"),
            headers.get("Accept", ""), str(threads),
        ]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, timeout=max_seconds + 120,
                              check=False)  # fmt: skip
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise PeerError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    figures = json.loads(line.removeprefix("BENCH "))
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    result = CellResult(concurrency=concurrency, client="wrk")
    result.seconds = figures["duration_us"] / 1e6
    result.requests = max(0, figures["requests"] - figures["status"])
    result.errors = errors
    result.reported = {0.5: figures["p50_us"] / 1000, 0.99: figures["p99_us"] / 1000}
    result.reported_mean_ms = round(figures["mean_us"] / 1000, 3)
    return result
