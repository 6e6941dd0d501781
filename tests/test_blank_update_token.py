"""A whitespace-only GRAPH_SERVICE_UPDATE_TOKEN is refused at start, and a blank token in a form
or a config is never compared: with token=" " (issue 19), anyone could write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, stop_server

from graph_service import create_app
from graph_service.config import PROJECT_ROOT, Config
from graph_service.curate.imports import import_graph_iri
from graph_service.store.build import build_store, open_current

DATA = Path(__file__).resolve().parent / "data" / "curation"


@pytest.mark.parametrize("blank", [" ", "\t", "  \n "])
def test_config_refuses_a_blank_token(blank: str) -> None:
    with pytest.raises(ValueError, match="GRAPH_SERVICE_UPDATE_TOKEN is only whitespace"):
        Config.from_env({"GRAPH_SERVICE_UPDATE_TOKEN": blank})
    with pytest.raises(ValueError, match="only whitespace"):
        create_app({"TESTING": True, "UPDATE_TOKEN": blank})
    assert Config.from_env({"GRAPH_SERVICE_UPDATE_TOKEN": ""}).update_token == ""  # unset: fine


def test_serve_refuses_to_start_with_a_blank_token(tmp_path: Path) -> None:
    """One line naming the variable, exit 1, no traceback, and no server listening."""
    env = {"GRAPH_SERVICE_UPDATE_TOKEN": "   ", "GRAPH_SERVICE_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", "serve", "--port", str(free_port())],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        process_group=0,  # a server that did start is stopped whole (its worker too)
    )
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop_server(process)
        pytest.fail("the server started with a blank update token")
    assert process.returncode == 1
    assert "GRAPH_SERVICE_UPDATE_TOKEN is only whitespace" in stderr
    assert "Traceback" not in stderr


@pytest.fixture
def blank_token_app(tiny_vocab: Path, tmp_path: Path):
    """An app whose token became blank after start (a config set by hand, not through Config)."""
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    store = open_current(data_dir)
    app = create_app({"TESTING": True, "STORE": store, "DATA_DIR": data_dir})
    app.config["UPDATE_TOKEN"] = " "
    yield app, store
    store.close()


def test_a_blank_token_is_never_compared(blank_token_app) -> None:
    app, store = blank_token_app
    client = app.test_client()
    with (DATA / "import_ok.ttl").open("rb") as handle:
        form = client.post(
            "/curation/import",
            data={"file": (handle, "import_ok.ttl"), "token": " "},
            headers={"Accept": "application/json"},
        )
    assert form.status_code in (401, 403), form.get_data(as_text=True)
    update = client.post(
        "/sparql",
        data="INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
        content_type="application/sparql-update",
        headers={"Authorization": "Bearer  "},
    )
    assert update.status_code in (401, 403)
    assert not store.has_graph(import_graph_iri("greenvoc"))
    assert not store.ask("ASK { <urn:x:a> ?p ?o }")
