"""Long writes as jobs: the runner alone, then imports through /curation/import and their page."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.curate.imports import import_graph_iri
from graph_service.curate.jobs import JobRunner, JobsBusy, Report
from graph_service.exceptions import GraphServiceError
from graph_service.store.build import build_store, open_current
from graph_service.store.journal import Journal
from graph_service.web.curation.import_jobs import job_runner

DATA = Path(__file__).resolve().parent / "data" / "curation"
TOKEN = "jobs-token"
#: Generous: a loaded machine may be slow, the test only waits as long as it needs.
PATIENCE = 120.0
HOSTILE = "<script>alert(1)</script>"


def _steps(*steps: tuple[str, int]):
    def work(report: Report) -> dict[str, object]:
        for name, percent in steps:
            report(name, percent)
        return {"steps": [name for name, _ in steps]}

    return work


def test_a_job_reports_its_steps_and_finishes() -> None:
    runner = JobRunner()
    queued = runner.submit("test", _steps(("parsing", 10), ("loading", 80)))
    assert queued.kind == "test" and queued.state in {"queued", "running", "done"}
    done = runner.wait(queued.id, PATIENCE)
    assert done is not None and done.state == "done" and done.percent == 100
    assert done.result == {"steps": ["parsing", "loading"]} and done.error == ""
    assert done.started is not None and done.finished is not None
    as_json = done.as_dict()
    assert {"id", "state", "step", "percent", "result", "error", "started", "finished"} <= set(
        as_json
    )
    assert as_json["error"] is None and str(as_json["finished"]).endswith("+00:00")


def test_a_failing_job_keeps_its_message() -> None:
    runner = JobRunner()

    def fails(report: Report) -> dict[str, object]:
        report("parsing", 10)
        raise GraphServiceError("line 3 is not Turtle")

    def crashes(report: Report) -> dict[str, object]:
        raise ValueError("boom")

    failed = runner.wait(runner.submit("test", fails).id, PATIENCE)
    assert failed is not None and failed.state == "failed"
    assert failed.error == "line 3 is not Turtle" and failed.result is None
    assert failed.step == "parsing" and failed.percent == 10
    crashed = runner.wait(runner.submit("test", crashes).id, PATIENCE)
    assert crashed is not None and crashed.state == "failed" and "boom" in crashed.error


def test_states_while_running_and_jobs_in_turn() -> None:
    runner = JobRunner(keep=3, max_waiting=2)
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def held(report: Report) -> dict[str, object]:
        report("validating", 50)
        inside.set()
        assert release.wait(PATIENCE)
        order.append("held")
        return {}

    def after(name: str):
        def work(report: Report) -> dict[str, object]:
            order.append(name)
            return {"name": name}

        return work

    first = runner.submit("test", held)
    assert inside.wait(PATIENCE)
    running = runner.status(first.id)
    assert running is not None and running.state == "running"
    assert (running.step, running.percent) == ("validating", 50) and not running.over
    second, third = runner.submit("test", after("second")), runner.submit("test", after("third"))
    assert runner.status(second.id).state == "queued"  # type: ignore[union-attr]
    with pytest.raises(JobsBusy):
        runner.submit("test", after("too many"))
    release.set()
    assert runner.wait(third.id, PATIENCE).state == "done"  # type: ignore[union-attr]
    assert order == ["held", "second", "third"]  # one at a time, in order
    for name in ("fourth", "fifth"):
        runner.wait(runner.submit("test", after(name)).id, PATIENCE)
    kept = runner.jobs()
    assert len(kept) == 3 and runner.status(first.id) is None  # the oldest are forgotten
    assert kept[0].result == {"name": "fifth"}  # the latest first


# --- through the web ----------------------------------------------------------------------------


@pytest.fixture
def data_dir(tiny_vocab: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var"
    build_store(tiny_vocab, target)
    return target


@pytest.fixture
def web(data_dir: Path):
    store = open_current(data_dir)
    app = create_app(
        {
            "TESTING": True,
            "STORE": store,
            "JOURNAL": Journal(data_dir),
            "UPDATE_TOKEN": TOKEN,
            "DATA_DIR": data_dir,
        }
    )
    yield app, store
    for job in job_runner(app).jobs():  # no job may outlive its store
        job_runner(app).wait(job.id, PATIENCE)
    store.close()


def _post(client, name: str, *, filename: str | None = None, json: bool = True, **form: str):
    with (DATA / name).open("rb") as handle:
        return client.post(
            "/curation/import",
            data={"file": (handle, filename or name), **form},
            headers={
                "Authorization": f"Bearer {TOKEN}",
                "Accept": "application/json" if json else "text/html",
            },
        )


def _poll(client, url: str) -> dict:
    """The job's JSON status once it is over (small waits, PATIENCE in all)."""
    deadline = time.monotonic() + PATIENCE
    while True:
        answer = client.get(url, headers={"Accept": "application/json"})
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        status = answer.get_json()
        if status["state"] in {"done", "failed"} or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_import_is_a_job(web, data_dir: Path) -> None:
    app, store = web
    client = app.test_client()
    answer = _post(client, "import_ok.ttl")
    assert answer.status_code == 202, answer.get_data(as_text=True)
    body = answer.get_json()
    assert answer.headers["Location"] == body["page_url"] == f"/curation/jobs/{body['job']}"
    status = _poll(client, body["status_url"])
    assert status["state"] == "done", status
    assert status["percent"] == 100 and status["result"]["vocab_id"] == "greenvoc"
    assert status["result"]["triples"] > 0 and status["error"] is None
    assert store.has_graph(import_graph_iri("greenvoc"))
    assert (data_dir / "imports" / "greenvoc.ttl").is_file()
    [change] = Journal(data_dir).changes()
    assert change.message == "import greenvoc from import_ok.ttl"
    page = client.get(body["page_url"], headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<progress" in html and "greenvoc" in html
    assert 'http-equiv="refresh"' not in html  # over: the page stops refreshing
    english = client.get(body["page_url"] + "?lang=en", headers={"Accept": "text/html"})
    assert "Vocabulary greenvoc loaded" in english.get_data(as_text=True)


def test_a_browser_form_is_sent_to_the_job_page(web) -> None:
    app, _ = web
    client = app.test_client()
    answer = _post(client, "import_ok.ttl", json=False)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/curation/jobs/")
    assert _poll(client, answer.headers["Location"])["state"] == "done"


def test_bad_uploads_fail_and_change_nothing(web, data_dir: Path) -> None:
    app, store = web
    client = app.test_client()
    before = sorted(store.dump("nquads").splitlines())
    for name in ("not_rdf.ttl", "import_invalid.ttl"):
        answer = _post(client, name)
        assert answer.status_code == 202
        status = _poll(client, answer.get_json()["status_url"])
        assert status["state"] == "failed" and status["error"] and status["result"] is None
    # What is cheap to check is refused at once.
    assert _post(client, "not_rdf.ttl", filename="memo.doc").status_code == 400
    assert _post(client, "import_ok.ttl", vocab_id="Bad Id").status_code == 400
    for form in ({}, {"url": "ftp://example.org/v.ttl"}, {"url": "http://127.0.0.1:9/v.ttl"}):
        refused = client.post(
            "/curation/import",
            data=form,
            headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
        )
        assert refused.status_code == 400 and refused.get_json()["error"]
    assert sorted(store.dump("nquads").splitlines()) == before
    assert Journal(data_dir).changes() == []
    assert not (data_dir / "imports").exists() or not list((data_dir / "imports").iterdir())


def test_the_page_escapes_a_hostile_error(web) -> None:
    app, _ = web
    client = app.test_client()
    answer = _post(client, "not_rdf.ttl", filename=f"{HOSTILE}.ttl")
    assert answer.status_code == 202, answer.get_data(as_text=True)
    location = answer.headers["Location"]
    assert _poll(client, location)["state"] == "failed"

    def hostile(report: Report) -> dict[str, object]:
        report(HOSTILE, 5)
        raise GraphServiceError(HOSTILE)

    job = job_runner(app).submit("import", hostile)
    job_runner(app).wait(job.id, PATIENCE)
    for url in (location, f"/curation/jobs/{job.id}"):
        html = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert HOSTILE not in html and "&lt;script&gt;" in html


def test_unknown_jobs_and_tokens(web) -> None:
    app, store = web
    client = app.test_client()
    assert client.get("/curation/jobs/no-such-job").status_code == 404
    missing = client.get("/curation/jobs/no-such-job", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and "error" in missing.get_json()
    with (DATA / "import_ok.ttl").open("rb") as handle:
        anonymous = client.post("/curation/import", data={"file": (handle, "import_ok.ttl")})
    assert anonymous.status_code == 401
    with (DATA / "import_ok.ttl").open("rb") as handle:
        wrong = client.post(
            "/curation/import", data={"file": (handle, "import_ok.ttl"), "token": "wrong"}
        )
    assert wrong.status_code == 403
    assert job_runner(app).jobs() == [] and not store.has_graph(import_graph_iri("greenvoc"))


def test_the_page_of_a_running_job_refreshes_itself(web) -> None:
    app, _ = web
    client = app.test_client()
    inside, release = threading.Event(), threading.Event()

    def held(report: Report) -> dict[str, object]:
        report("validating", 50)
        inside.set()
        assert release.wait(PATIENCE)
        return {}

    job = job_runner(app).submit("import", held)
    try:
        assert inside.wait(PATIENCE)
        page = client.get(f"/curation/jobs/{job.id}?lang=en", headers={"Accept": "text/html"})
        html = page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "no-store"
        assert 'http-equiv="refresh"' in html and 'value="50"' in html and "validating" in html
        status = client.get(f"/curation/jobs/{job.id}?format=json").get_json()
        assert (status["state"], status["step"], status["percent"]) == ("running", "validating", 50)
        assert status["started"] and status["finished"] is None
    finally:
        release.set()
