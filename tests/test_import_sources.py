"""Imports through the web read only http(s) URLs and uploads, never the server's own files;
the command line, run by the operator, still imports local files."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service import create_app
from graph_service.curate.imports import ImportFailed, prepare_import, read_source
from graph_service.curate.jobs import import_job
from graph_service.store.build import build_store, open_current
from graph_service.store.journal import Journal
from graph_service.web.curation.import_jobs import job_runner

DATA = Path(__file__).resolve().parent / "data" / "curation"
TOKEN = "import-token"
#: A word only the server's file holds: it must never show in an answer.
SECRET = "secret-host-name-7319"


@pytest.fixture
def web(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "var"
    build_store(tiny_vocab, data_dir)
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
    yield app
    for job in job_runner(app).jobs():
        job_runner(app).wait(job.id, 120)
    store.close()


def _server_files(tmp_path: Path) -> list[str]:
    secret = tmp_path / "hostname"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    vocab = tmp_path / "vocab.ttl"
    vocab.write_bytes((DATA / "import_ok.ttl").read_bytes())
    return [
        str(secret),
        str(vocab),
        f"file://{secret}",
        "/etc/hostname",
        f"http://example.org/\n{secret}",  # is_url says no, urlsplit drops the newline
    ]


def test_the_web_import_refuses_the_server_s_files(web, tmp_path: Path) -> None:
    client = web.test_client()
    for source in _server_files(tmp_path):
        answer = client.post(
            "/curation/import",
            data={"url": source, "format": "turtle"},
            headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
        )
        text = answer.get_data(as_text=True)
        assert answer.status_code == 400, (source, text)
        assert "http" in answer.get_json()["error"]
        assert SECRET not in text
    assert job_runner(web).jobs() == []


def test_an_import_job_reads_no_local_file(web, tmp_path: Path) -> None:
    """Below the form too: the job the web starts refuses a path, whatever reaches it."""
    secret, vocab, *_ = _server_files(tmp_path)
    for source in (secret, vocab):
        work = import_job(None, None, None, source)  # type: ignore[arg-type]
        with pytest.raises(ImportFailed, match="only http") as caught:
            work(lambda name, percent: None)
        assert SECRET not in str(caught.value)
    with pytest.raises(ImportFailed, match="only http"):
        read_source(secret)


def test_the_operator_still_imports_a_local_file(tmp_path: Path) -> None:
    _, vocab, *_ = _server_files(tmp_path)
    report, turtle = prepare_import(vocab, local_files=True)
    assert report.triples_parsed > 0 and turtle
    data, fmt = read_source(vocab, local_files=True)
    assert fmt == "turtle" and data == (DATA / "import_ok.ttl").read_bytes()
