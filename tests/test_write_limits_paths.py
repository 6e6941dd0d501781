"""The write limits on the last write paths without them: web imports (as jobs), the CSV import
and the web revert. Too large: 413 (a job failing with that status), nothing written; the
write lock held past WRITE_LOCK_WAIT: 503, nothing written."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.curate.export import apply_csv, export_csv, resolve_scheme
from graph_service.store.build import build_store, open_current
from graph_service.store.changes import write_documents, write_lock
from graph_service.store.journal import Journal
from graph_service.store.write_limits import ChangeTooLarge, WriteLimits
from graph_service.web.curation.import_jobs import job_runner

DATA = Path(__file__).resolve().parent / "data" / "curation"
TOKEN = "paths-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
PATIENCE = 120.0
G = "http://example.org/graph/ten"


def ten_triples() -> str:
    rows = (f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .\n' for i in range(10))
    return "".join(rows)


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var"
    build_store(tiny_vocab, target)
    return target


@pytest.fixture
def web(data_dir: Path):
    """The app on a built store with a journal, 5 quads per change, 0.2 s of lock wait."""
    store = open_current(data_dir)
    journal = Journal(data_dir)
    app = create_app(
        {
            "TESTING": True,
            "STORE": store,
            "JOURNAL": journal,
            "UPDATE_TOKEN": TOKEN,
            "DATA_DIR": data_dir,
            "MAX_CHANGE_QUADS": 5,
            "WRITE_LOCK_WAIT": 0.2,
        }
    )
    yield app, store, journal
    for job in job_runner(app).jobs():  # no job may outlive its store
        job_runner(app).wait(job.id, PATIENCE)
    store.close()


def _import(client) -> dict:
    """Upload import_ok.ttl (more than 5 triples) and wait for the job to end."""
    with (DATA / "import_ok.ttl").open("rb") as handle:
        answer = client.post(
            "/curation/import", data={"file": (handle, "import_ok.ttl")}, headers=AUTH
        )
    assert answer.status_code == 202, answer.get_data(as_text=True)
    url = answer.get_json()["status_url"]
    deadline = time.monotonic() + PATIENCE
    while True:
        status = client.get(url, headers=AUTH).get_json()
        if status["state"] in {"done", "failed"} or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def _nothing_imported(store, journal: Journal, data_dir: Path, before: list[str]) -> None:
    assert sorted(store.dump("nquads").splitlines()) == before
    assert journal.changes() == []
    imports = data_dir / "imports"
    assert not imports.exists() or not list(imports.iterdir())  # no file, no temporary one


def test_a_web_import_past_the_change_limit_fails_with_413_and_loads_nothing(
    web, data_dir: Path
) -> None:
    app, store, journal = web
    before = sorted(store.dump("nquads").splitlines())
    status = _import(app.test_client())
    assert status["state"] == "failed" and status["error_status"] == 413, status
    assert "more than 5 quads" in status["error"]
    assert "GRAPH_SERVICE_MAX_CHANGE_QUADS" in status["error"]
    _nothing_imported(store, journal, data_dir, before)


def test_a_web_import_waiting_too_long_for_the_lock_fails_with_503(web, data_dir: Path) -> None:
    app, store, journal = web
    app.config["MAX_CHANGE_QUADS"] = 0  # only the lock is in the way
    before = sorted(store.dump("nquads").splitlines())
    with write_lock(journal):  # another write holds it for the whole job
        status = _import(app.test_client())
    assert status["state"] == "failed" and status["error_status"] == 503, status
    assert "GRAPH_SERVICE_WRITE_LOCK_WAIT" in status["error"]
    _nothing_imported(store, journal, data_dir, before)


def _ten_quad_change(store, journal: Journal) -> str:
    """A change of 10 quads made as the command line would (no limits); its id."""
    change = write_documents(store, journal, [(ten_triples(), "ntriples")], G, replace=True)
    assert change is not None
    return change.id


def test_a_web_revert_past_the_change_limit_is_413_and_reverts_nothing(web) -> None:
    app, store, journal = web
    change_id = _ten_quad_change(store, journal)
    answer = app.test_client().post("/history/revert", data={"change": change_id}, headers=AUTH)
    assert answer.status_code == 413, answer.get_data(as_text=True)
    text = answer.get_data(as_text=True)
    assert "this revert adds and removes more than 5 quads" in text
    assert "GRAPH_SERVICE_MAX_CHANGE_QUADS" in text
    assert store.count(G) == 10 and len(journal.changes()) == 1


def test_a_web_revert_waiting_too_long_for_the_lock_is_503_with_retry_after(web) -> None:
    app, store, journal = web
    app.config["MAX_CHANGE_QUADS"] = 0
    change_id = _ten_quad_change(store, journal)
    # Another thread holds the lock for 5 s (not this one: a revert waiting for ever, as
    # before the limit, would then wait for itself).
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_lock(journal):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    held.wait(PATIENCE)
    answer = app.test_client().post("/history/revert", data={"change": change_id}, headers=AUTH)
    release.set()
    holder.join(PATIENCE)
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert int(answer.headers["Retry-After"]) >= 1
    assert store.count(G) == 10 and len(journal.changes()) == 1
    # Once the lock is free, the same revert goes through.
    done = app.test_client().post("/history/revert", data={"change": change_id}, headers=AUTH)
    assert done.status_code == 200 and store.count(G) == 0


RICH = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix pdv: <https://w3id.org/pdv/> .
@prefix r: <https://w3id.org/pdv/rich/> .
pdv:rich a skos:ConceptScheme ; dct:title "Riche"@fr ; skos:hasTopConcept r:a .
r:a a skos:Concept ; skos:inScheme pdv:rich ; skos:topConceptOf pdv:rich ;
    skos:prefLabel "Démocratie"@fr .
r:b a skos:Concept ; skos:inScheme pdv:rich ; skos:broader r:a ;
    skos:prefLabel "Budget participatif"@fr .
"""


def test_the_csv_import_passes_the_limits_it_is_given(tiny_vocab: Path, tmp_path: Path) -> None:
    (tiny_vocab / "rich.ttl").write_text(RICH, encoding="utf-8")
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
    store = open_current(data_dir)
    try:
        text = export_csv(store, resolve_scheme(store, "rich"))
        edited = text.replace("Budget participatif", "Budget participatif citoyen")
        assert edited != text
        before = sorted(store.dump("nquads").splitlines())
        with pytest.raises(ChangeTooLarge, match="more than 1 quads"):
            apply_csv(store, edited, "rich", data_dir=data_dir, limits=WriteLimits(max_quads=1))
        assert sorted(store.dump("nquads").splitlines()) == before
        assert Journal(data_dir).changes() == []
        # Without limits (the command line's), the same CSV loads.
        apply_csv(store, edited, "rich", data_dir=data_dir)
        assert len(Journal(data_dir).changes()) == 1
    finally:
        store.close()
