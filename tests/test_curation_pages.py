"""Curation pages: quality report with linked offenders, import (token), suggest and its API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from conftest import csrf_token

from graph_service import create_app
from graph_service.cli import main
from graph_service.curate.imports import import_graph_iri
from graph_service.store.build import build_store, open_current
from graph_service.store.embedded import EmbeddedStore

DATA = Path(__file__).resolve().parent / "data" / "curation"
OURS = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/pdv/notions/orphelin> a skos:Concept ;
    skos:inScheme <https://w3id.org/pdv/notions> ; skos:prefLabel "Orphelin"@fr .
"""
TOKEN = "s3cret-token"


@pytest.fixture
def quality_client():
    store = EmbeddedStore()
    store.load(DATA / "quality_issues.ttl", "turtle", graph="urn:test:q")
    store.load(OURS.encode(), "turtle", graph="urn:test:ours")
    return create_app({"TESTING": True, "STORE": store}).test_client()


def test_index(client) -> None:
    page = client.get("/curation/")
    assert page.status_code == 200
    assert "/curation/quality" in page.get_data(as_text=True)


def test_quality_page_links_offenders(quality_client) -> None:
    page = quality_client.get("/curation/quality", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The page is French: check titles too (issue 16: English titles mixed into it).
    assert "Cycles hiérarchiques" in html and "Cyclic hierarchical relations" not in html
    assert 'href="/notions/orphelin"' in html  # our IRIs: their path
    assert 'href="/page?uri=http%3A%2F%2Fexample.org%2Fq%2Fno-label"' in html  # others
    data = quality_client.get("/curation/quality?format=json").get_json()
    assert data["totals"]["error"] >= 9
    assert any(c["id"] == "orphan-concepts" for c in data["checks"])


def test_quality_page_on_the_vocabulary(client) -> None:
    assert client.get("/curation/quality").status_code == 200


def test_api_suggest(client) -> None:
    response = client.post("/api/suggest", json={"text": "La concertation à Lille", "limit": 5})
    assert response.status_code == 200
    results = response.get_json()["results"]
    iris = [r["iri"] for r in results]
    assert "https://w3id.org/pdv/notions/concertation" in iris
    assert {"score", "matched", "vocab_id", "label"} <= set(results[0])
    form = client.post("/api/suggest", data={"text": "les conseils citoyens", "limit": "3"})
    assert form.get_json()["results"][0]["iri"] == "https://w3id.org/pdv/notions/conseil-citoyen"
    for bad in (
        {"limit": 3},
        {"text": ""},
        {"text": "x", "limit": "many"},
        {"text": "x", "limit": 0},
    ):
        answer = client.post("/api/suggest", json=bad)
        assert answer.status_code == 400 and "error" in answer.get_json()
    assert (
        client.post("/api/suggest", data=b"{oops", content_type="application/json").status_code
        == 400
    )


def test_suggest_page(client) -> None:
    token = csrf_token(client, "/curation/suggest")
    text = "Démocratie participative et <b>"
    page = client.post("/curation/suggest", data={"text": text, "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Démocratie participative" in html
    assert "<b>" not in html and "&lt;b&gt;" in html  # escaped
    empty = client.post("/curation/suggest", data={"text": "", "csrf_token": token})
    assert empty.status_code == 400


def test_suggest_page_refuses_a_post_without_its_token(client) -> None:
    token = csrf_token(client, "/curation/suggest")  # the session has a token: it is not sent
    refused = client.post("/curation/suggest", data={"text": "Démocratie participative"})
    assert refused.status_code == 403
    assert "Démocratie participative" not in refused.get_data(as_text=True)
    forged = {"text": "Démocratie participative", "csrf_token": token[::-1]}
    assert client.post("/curation/suggest", data=forged).status_code == 403


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var"
    build_store(tiny_vocab, target)
    return target


@pytest.fixture
def writable(data_dir: Path):
    store = open_current(data_dir)
    app = create_app({"TESTING": True, "STORE": store, "UPDATE_TOKEN": TOKEN, "DATA_DIR": data_dir})
    yield app.test_client(), store
    store.close()


def _upload(client, name: str, **extra: str):
    with (DATA / name).open("rb") as handle:
        return client.post(
            "/curation/import",
            data={"file": (handle, name), **extra},
            headers={"Accept": "text/html"},
        )


def _job_over(client, location: str) -> str:
    """The job page once the import is over (it runs in the background; 120 s at most)."""
    deadline = time.monotonic() + 120
    while client.get(location + "?format=json").get_json()["state"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return client.get(location, headers={"Accept": "text/html"}).get_data(as_text=True)


def test_import_needs_the_token(writable) -> None:
    client, store = writable
    assert client.get("/curation/import").status_code == 200
    assert _upload(client, "import_ok.ttl").status_code == 401
    assert _upload(client, "import_ok.ttl", token="wrong").status_code == 403
    assert not store.has_graph(import_graph_iri("greenvoc"))


def test_import_upload_then_listed(writable, data_dir: Path) -> None:
    client, store = writable
    answer = _upload(client, "import_ok.ttl", token=TOKEN)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert "greenvoc" in _job_over(client, answer.headers["Location"])
    assert store.has_graph(import_graph_iri("greenvoc"))
    assert (data_dir / "imports" / "greenvoc.ttl").is_file()
    assert "Vocabulaire vert" in client.get("/").get_data(as_text=True)  # the home lists it


def test_failed_imports_change_nothing(writable, data_dir: Path) -> None:
    client, store = writable
    before = sorted(store.dump("nquads").splitlines())
    for name in ("not_rdf.ttl", "import_invalid.ttl"):
        answer = _upload(client, name, token=TOKEN)
        assert answer.status_code == 303  # found out by the job: parsing, validating
        assert "rien n’a été chargé" in _job_over(client, answer.headers["Location"])
    refused = client.post(
        "/curation/import",
        data={"url": "http://127.0.0.1:9/vocab.ttl"},
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
    )
    assert refused.status_code == 400 and "loopback" in refused.get_json()["error"]
    assert sorted(store.dump("nquads").splitlines()) == before
    assert not (data_dir / "imports").exists() or not list((data_dir / "imports").iterdir())


def test_running_server_import_over_http(data_dir: Path, live_server_factory) -> None:
    server = live_server_factory(data_dir, GRAPH_SERVICE_UPDATE_TOKEN=TOKEN)
    cli = CliRunner().invoke(
        main, ["import", str(DATA / "import_ok.ttl")], env={"GRAPH_SERVICE_DATA_DIR": str(data_dir)}
    )
    assert cli.exit_code == 1 and "/curation/import" in cli.output
    with (DATA / "import_ok.ttl").open("rb") as handle:
        response = requests.post(
            server.url + "/curation/import",
            files={"file": ("import_ok.ttl", handle)},
            headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
            timeout=60,
        )
    assert response.status_code == 202, response.text
    status_url = server.url + response.json()["status_url"]
    deadline = time.monotonic() + 120
    over = {"done", "failed"}
    while (status := requests.get(status_url, timeout=30).json())["state"] not in over:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status["state"] == "done" and status["result"]["vocab_id"] == "greenvoc", status
    assert "Vocabulaire vert" in requests.get(server.url + "/", timeout=30).text
