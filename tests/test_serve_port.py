"""`serve` on a port another server listens on refuses to start, with a clear error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from graph_service.store.build import build_store

#: Seconds the second server has to give up (it imports the app first): only there to end a
#: server that, wrongly, started.
EXIT_SECONDS = 120


def _serve(data_dir: Path, port: int) -> subprocess.CompletedProcess[str] | None:
    """Run `serve` on the port; its result once it exits, None when it kept serving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", "serve", "--port", str(port)],
        env={**os.environ, "GRAPH_SERVICE_DATA_DIR": str(data_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        process_group=0,
    )
    try:
        output, _ = process.communicate(timeout=EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.communicate()
        return None
    return subprocess.CompletedProcess(process.args, process.returncode, output)


def test_a_second_server_on_a_served_port_refuses_to_start(
    tiny_vocab: Path, tmp_path: Path, live_server_factory
) -> None:
    first_data, second_data = tmp_path / "first", tmp_path / "second"
    build_store(tiny_vocab, first_data)
    build_store(tiny_vocab, second_data)
    first = live_server_factory(first_data, GRAPH_SERVICE_ACCESS_LOG="false")
    store = requests.get(first.url + "/healthz", timeout=30).json()["store"]

    second = _serve(second_data, first.port)

    assert second is not None, "the second server started on a port in use"
    assert second.returncode != 0
    assert f"cannot serve on 127.0.0.1:{first.port}" in second.stdout
    assert "Address already in use" in second.stdout
    assert "Listening at" not in second.stdout
    # The first server is untouched and alone on its port.
    for _ in range(20):
        assert requests.get(first.url + "/healthz", timeout=30).json()["store"] == store


@pytest.mark.parametrize("reuse_port", [False, True])
def test_serve_refuses_a_port_any_socket_listens_on(tmp_path: Path, reuse_port: bool) -> None:
    with socket.socket() as listener:
        if reuse_port:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = _serve(tmp_path / "data", port)
    assert result is not None and result.returncode == 1, result
    assert "Error: cannot serve on" in result.stdout
