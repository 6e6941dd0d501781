"""Pages rendered ahead (web/prerender): the same answers as rendered per request, served from
the pages file only for the data version they were rendered at, and only to the requests they
answer (anonymous GETs of a page's HTML, from the origin they were rendered for)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
import requests
from conftest import TINY_SCHEME

from graph_service import create_app
from graph_service.model.rendered_ahead import pages_to_render
from graph_service.store.build import build_store, open_current
from graph_service.web.prerender import (
    _EXTENSION,
    SERVED_AT_ENV,
    make_renderer,
    renderer_of,
    start_rendering,
)
from graph_service.web.prerender.pages_file import FILE_NAME, PagesFile, StoredPage
from graph_service.web.prerender.renderer import Origin, PageRenderer, origin_for
from graph_service.web.prerender.workers import render_in_processes

SERVED_AT = "127.0.0.1:5005"
BASE_URL = f"http://{SERVED_AT}"
HTML = {"Accept": "text/html"}

#: A scheme of the service's namespace (pages at their paths) beside TINY_SCHEME's example.org
#: one (pages at /page?uri=).
LOCAL_SCHEME = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix t: <https://w3id.org/pdv/essai/> .

t:schema a skos:ConceptScheme ; dct:title "Essai"@fr ; skos:hasTopConcept t:racine .
t:racine a skos:Concept ; skos:inScheme t:schema ; skos:topConceptOf t:schema ;
    skos:prefLabel "Racine"@fr, "Root"@en ; skos:narrower t:feuille ;
    skos:definition "Le concept du haut."@fr .
t:feuille a skos:Concept ; skos:inScheme t:schema ; skos:broader t:racine ;
    skos:prefLabel "Feuille"@fr, "Leaf"@en .
"""
RACINE = "https://w3id.org/pdv/essai/racine"
FEUILLE = "https://w3id.org/pdv/essai/feuille"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
ALPHA_PAGE = "/page?uri=http%3A%2F%2Fexample.org%2Ftiny%2Fa"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "tiny.ttl").write_text(TINY_SCHEME, encoding="utf-8")
    (vocab / "essai.ttl").write_text(LOCAL_SCHEME, encoding="utf-8")
    built = tmp_path / "data"
    build_store(vocab, built)
    return built


def _app(data_dir: Path, monkeypatch: pytest.MonkeyPatch, store=None, **config: object):
    monkeypatch.setenv(SERVED_AT_ENV, SERVED_AT)
    settings = {
        "TESTING": True,
        "STORE": store or open_current(data_dir),
        "DATA_DIR": data_dir,
        "RESPONSE_CACHE_BYTES": 0,  # every request reaches the layer under test
        "UPDATE_TOKEN": "prerender-test-token",
        **config,
    }
    return create_app(settings)


@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    return _app(data_dir, monkeypatch)


def _renderer(app) -> PageRenderer:
    renderer = make_renderer(app)
    assert renderer is not None
    return renderer


def _hits(app) -> int:
    return app.extensions[_EXTENSION]["layer"].hits


def _pages(app) -> list[str]:
    """The paths (and queries) of every page the renderer renders, as a client asks them."""
    with app.app_context():
        from graph_service.web.paths import page_target

        targets = [page_target(iri) for iri in pages_to_render(app.config["STORE"])]
    return [f"{path}?{query}" if query else path for path, query in targets]


def _comparable(response) -> tuple[int, bytes, dict[str, str]]:
    headers = {name: value for name, value in response.headers.items() if name != "Date"}
    return response.status_code, response.data, headers


def test_every_scheme_and_concept_has_its_page_rendered_schemes_first(app) -> None:
    pages = _pages(app)
    assert set(pages) == {
        "/essai/schema", "/essai/racine", "/essai/feuille",
        "/page?uri=http%3A%2F%2Fexample.org%2Ftiny%2Fscheme", ALPHA_PAGE,
        "/page?uri=http%3A%2F%2Fexample.org%2Ftiny%2Fb",
    }  # fmt: skip
    # Schemes, then top concepts, then the others.
    assert {pages[0], pages[1]} == {
        "/essai/schema",
        "/page?uri=http%3A%2F%2Fexample.org%2Ftiny%2Fscheme",
    }
    assert {pages[2], pages[3]} == {"/essai/racine", ALPHA_PAGE}


def test_pages_from_the_file_are_the_pages_the_app_renders(app) -> None:
    client = app.test_client()
    pages = _pages(app)
    rendered = {
        page: _comparable(client.get(page, headers=HTML, base_url=BASE_URL)) for page in pages
    }
    assert _hits(app) == 0  # nothing rendered ahead yet: each page was rendered per request
    done = _renderer(app).run_once(wait_for_warm_up=False)
    assert done is not None and done.done and done.kept == len(pages) == 6
    for page in pages:
        assert _comparable(client.get(page, headers=HTML, base_url=BASE_URL)) == rendered[page]
    assert _hits(app) == len(pages)
    assert "Racine" in client.get("/essai/racine", headers=HTML, base_url=BASE_URL).text
    # A browser's Accept picks HTML as well.
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    client.get("/essai/racine", headers=browser, base_url=BASE_URL)
    assert _hits(app) == len(pages) + 2
    # Nothing to do again for the same version.
    assert _renderer(app).run_once(wait_for_warm_up=False) is None


def test_a_page_from_the_file_carries_the_tag_the_app_revalidates(app) -> None:
    client = app.test_client()
    _renderer(app).run_once(wait_for_warm_up=False)
    for accept in ("text/html", "text/html,*/*;q=0.8"):
        for encoding in ("", "gzip"):
            headers = {"Accept": accept, "Accept-Encoding": encoding}
            served = client.get("/essai/racine", headers=headers, base_url=BASE_URL)
            hits = _hits(app)
            assert served.status_code == 200 and served.headers["ETag"].startswith('W/"')
            again = client.get(
                "/essai/racine",
                headers={**headers, "If-None-Match": served.headers["ETag"]},
                base_url=BASE_URL,
            )
            # Conditional requests go to the app, which knows the tag as its own.
            assert again.status_code == 304 and _hits(app) == hits
    # Compressed as any answer when the client takes it.
    compressed = client.get(
        "/essai/racine", headers={**HTML, "Accept-Encoding": "gzip"}, base_url=BASE_URL
    )
    assert compressed.headers.get("Content-Encoding") in {"gzip", "br"}


@pytest.mark.parametrize(
    ("path", "headers", "base_url", "expected"),
    [
        ("/essai/racine", {"Accept": "text/turtle"}, BASE_URL, "skos:prefLabel"),
        ("/essai/racine.ttl", HTML, BASE_URL, "skos:prefLabel"),
        ("/essai/racine?lang=en", HTML, BASE_URL, 'lang="en"'),
        ("/essai/racine?format=jsonld", HTML, BASE_URL, '"@id"'),
        ("/essai/racine", HTML, "http://other.example:8080", "http://other.example:8080/"),
        (ALPHA_PAGE + "&rpage=1", HTML, BASE_URL, "Alpha"),
    ],
)
def test_requests_a_stored_page_does_not_answer_go_to_the_app(
    app, path: str, headers: dict[str, str], base_url: str, expected: str
) -> None:
    _renderer(app).run_once(wait_for_warm_up=False)
    client = app.test_client()
    answer = client.get(path, headers=headers, base_url=base_url)
    assert answer.status_code == 200 and expected in answer.text
    assert _hits(app) == 0
    assert client.head("/essai/racine", headers=HTML, base_url=BASE_URL).status_code == 200
    assert _hits(app) == 0


def test_a_request_with_a_cookie_or_credentials_goes_to_the_app(app) -> None:
    _renderer(app).run_once(wait_for_warm_up=False)
    client = app.test_client()
    authorised = {**HTML, "Authorization": "Bearer prerender-test-token"}
    assert client.get("/essai/racine", headers=authorised, base_url=BASE_URL).status_code == 200
    client.set_cookie("session", "x", domain="127.0.0.1")
    answer = client.get("/essai/racine", headers=HTML, base_url=BASE_URL)
    assert answer.status_code == 200 and "Racine" in answer.text
    assert _hits(app) == 0


def test_after_a_write_the_file_answers_nothing_until_the_new_version_is_rendered(app) -> None:
    client = app.test_client()
    renderer = _renderer(app)
    first = renderer.run_once(wait_for_warm_up=False)
    assert first is not None and first.done
    store = app.config["STORE"]
    store.update(
        f'DELETE {{ GRAPH ?g {{ <{RACINE}> <{PREF_LABEL}> "Racine"@fr }} }}'
        f' INSERT {{ GRAPH ?g {{ <{RACINE}> <{PREF_LABEL}> "Souche"@fr }} }}'
        f" WHERE {{ GRAPH ?g {{ <{RACINE}> a ?t }} }}"
    )
    # The leaf's page names its broader concept: stale in the file, so not served from it.
    leaf = client.get("/essai/feuille", headers=HTML, base_url=BASE_URL)
    top = client.get("/essai/racine", headers=HTML, base_url=BASE_URL)
    assert "Souche" in leaf.text and "Souche" in top.text and "Racine" not in top.text
    assert _hits(app) == 0
    second = renderer.run_once(wait_for_warm_up=False)
    assert second is not None and second.done and second.version != first.version
    again = client.get("/essai/feuille", headers=HTML, base_url=BASE_URL)
    assert again.data == leaf.data and _hits(app) == 1


def test_a_concept_removed_leaves_the_file_with_the_next_version(app, data_dir: Path) -> None:
    client = app.test_client()
    renderer = _renderer(app)
    renderer.run_once(wait_for_warm_up=False)
    app.config["STORE"].update(f"DELETE WHERE {{ GRAPH ?g {{ <{FEUILLE}> ?p ?o }} }}")
    assert client.get("/essai/feuille", headers=HTML, base_url=BASE_URL).status_code == 404
    done = renderer.run_once(wait_for_warm_up=False)
    assert done is not None and done.kept == 5
    with sqlite3.connect(data_dir / FILE_NAME) as db:
        keys = {key for (key,) in db.execute("SELECT key FROM pages")}
        versions = {version for (version,) in db.execute("SELECT DISTINCT version FROM pages")}
    assert f"{BASE_URL} /essai/feuille?" not in keys and len(keys) == 5
    assert versions == {done.version}
    assert client.get("/essai/feuille", headers=HTML, base_url=BASE_URL).status_code == 404


def test_a_write_during_a_pass_stops_it_and_its_pages_are_never_served(app) -> None:
    store = app.config["STORE"]
    renderer = _renderer(app)
    inner = renderer.render_app
    calls = []

    def write_on_first_page(environ, start_response):
        if not calls:
            store.update('INSERT DATA { <urn:x:a> <urn:x:b> "written during the pass" }')
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    renderer.render_app = write_on_first_page
    stopped = renderer.run_once(wait_for_warm_up=False)
    assert stopped is not None and not stopped.done
    assert stopped.version != store.version
    client = app.test_client()
    for page in _pages(app):
        client.get(page, headers=HTML, base_url=BASE_URL)
    assert _hits(app) == 0
    assert renderer.status(store.version)["state"] == "off"  # no thread: run_once only
    resumed = renderer.run_once(wait_for_warm_up=False)
    assert resumed is not None and resumed.done and resumed.version == store.version
    assert renderer.status(store.version)["state"] == "ready"


def test_with_a_public_base_one_page_serves_every_host(data_dir: Path, monkeypatch) -> None:
    app = _app(data_dir, monkeypatch, PUBLIC_BASE="https://glossaire.example.org/")
    client = app.test_client()
    dynamic = client.get("/essai/racine", headers=HTML, base_url="http://internal:8000")
    assert "https://glossaire.example.org/essai/racine" in dynamic.text
    _renderer(app).run_once(wait_for_warm_up=False)
    for host in ("http://internal:8000", "https://glossaire.example.org"):
        served = client.get("/essai/racine", headers=HTML, base_url=host)
        assert _comparable(served) == _comparable(dynamic)
    assert _hits(app) == 2


def test_healthz_says_how_far_the_pages_are(app) -> None:
    client = app.test_client()
    assert "pages" not in client.get("/healthz").json  # no renderer in this process
    renderer = _renderer(app)
    assert client.get("/healthz").json["pages"] == "off"  # not started
    renderer.run_once(wait_for_warm_up=False)
    health = client.get("/healthz").json
    assert health["pages"] == "ready" and health["pages_rendered"]["pages"] == 6


def test_a_damaged_file_is_a_miss_for_readers_and_replaced_by_the_renderer(
    app, data_dir: Path
) -> None:
    path = data_dir / FILE_NAME
    path.write_bytes(b"not a database" * 100)
    client = app.test_client()
    assert client.get("/essai/racine", headers=HTML, base_url=BASE_URL).status_code == 200
    done = _renderer(app).run_once(wait_for_warm_up=False)
    assert done is not None and done.done and done.kept == 6
    assert client.get("/essai/racine", headers=HTML, base_url=BASE_URL).status_code == 200
    assert _hits(app) == 1


def test_the_file_keeps_one_row_per_page_compressed(tmp_path: Path) -> None:
    pages = PagesFile(tmp_path / FILE_NAME, writable=True)
    page = StoredPage((("Content-Type", "text/html"),), b"<p>x</p>" * 1000)
    pages.put("v1", [("k", page)])
    pages.put("v2", [("k", page)])
    assert pages.count("v1") == 0 and pages.count("v2") == 1
    assert pages.get("k", "v1") is None and pages.get("k", "v2") == page
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        headers, body = db.execute("SELECT headers, body FROM pages").fetchone()
    assert json.loads(headers) == [["Content-Type", "text/html"]]
    assert len(body) < 200 and zlib.decompress(body) == page.body
    reader = PagesFile(tmp_path / FILE_NAME, writable=False)
    assert reader.get("k", "v2") == page and reader.get("missing", "v2") is None


def test_not_on_a_remote_store_nor_when_turned_off(data_dir: Path, monkeypatch) -> None:
    off = _app(data_dir, monkeypatch, PRERENDER_PAGES=False)
    assert _EXTENSION not in off.extensions and make_renderer(off) is None
    store = off.config["STORE"]
    remote = _app(data_dir, monkeypatch, store, SPARQL_ENDPOINT="http://127.0.0.1:9/sparql")
    assert _EXTENSION not in remote.extensions
    # Without the warm-up, nothing is rendered ahead: no thread starts.
    unwarmed = _app(data_dir, monkeypatch, store, WARM_UP=False)
    start_rendering(unwarmed)
    assert renderer_of(unwarmed) is None and make_renderer(unwarmed) is not None


@pytest.mark.parametrize(
    ("public_base", "served_at", "expected"),
    [
        ("https://g.example.org/", "0.0.0.0:8000", Origin("https", "g.example.org", free=True)),
        ("", "127.0.0.1:8000", Origin("http", "127.0.0.1:8000", free=False)),
        ("", "[::1]:8000", Origin("http", "[::1]:8000", free=False)),
        ("", "0.0.0.0:8000", None),
        ("", "[::]:8000", None),
        ("", "", None),
        ("not a url", "127.0.0.1:8000", None),
    ],
)
def test_pages_are_rendered_for_the_public_base_or_the_address_served(
    public_base: str, served_at: str, expected: Origin | None
) -> None:
    assert origin_for(public_base, served_at) == expected


@pytest.mark.parametrize("readers", ["0", "2"])
def test_served_over_http_from_the_file_and_rendered_again_after_writes(
    data_dir: Path, live_server_factory, readers: str
) -> None:
    # Beside readers, render processes render the pages; in one process, a thread.
    server = live_server_factory(
        data_dir,
        GRAPH_SERVICE_READERS=readers,
        GRAPH_SERVICE_PRERENDER_PAGES="true",
        GRAPH_SERVICE_UPDATE_TOKEN="prerender-test-token",
        GRAPH_SERVICE_ACCESS_LOG="false",
    )
    health = _wait_for_pages(server.url)
    assert health["pages_rendered"]["pages"] == 6
    page = requests.get(server.url + "/essai/racine", headers=HTML, timeout=60)
    with sqlite3.connect(data_dir / FILE_NAME) as db:
        version, body = db.execute(
            "SELECT version, body FROM pages WHERE key = ?", [f"{server.url} /essai/racine?"]
        ).fetchone()
    assert version == health["version"] and page.content == zlib.decompress(body)
    assert (
        requests.get(
            server.url + "/essai/racine",
            headers={**HTML, "If-None-Match": page.headers["ETag"]},
            timeout=60,
        ).status_code
        == 304
    )
    # Every write is seen by the next page, whichever process answers it, file or not.
    for number in range(6):
        written = requests.post(
            server.url + "/sparql",
            data={"update": f'INSERT DATA {{ <{RACINE}> <{ALT_LABEL}> "Tronc{number}"@fr }}'},
            headers={"Authorization": "Bearer prerender-test-token"},
            timeout=60,
        )
        assert written.status_code in (200, 204), written.text
        after = requests.get(server.url + "/essai/racine", headers=HTML, timeout=60)
        assert f"Tronc{number}" in after.text, (number, after.headers["ETag"])
        if number % 2:
            _wait_for_pages(server.url, other_than=health["version"])
    again = _wait_for_pages(server.url, other_than=health["version"])
    with sqlite3.connect(data_dir / FILE_NAME) as db:
        versions = {v for (v,) in db.execute("SELECT DISTINCT version FROM pages")}
        body = db.execute(
            "SELECT body FROM pages WHERE key = ?", [f"{server.url} /essai/racine?"]
        ).fetchone()[0]
    assert versions == {again["version"]} and b"Tronc" in zlib.decompress(body)


def _wait_for_pages(url: str, other_than: str = "") -> dict:
    import time

    deadline = time.monotonic() + 300  # only a broken server reaches it
    while True:
        health = requests.get(url + "/healthz", timeout=60).json()
        if health["version"] != other_than and health.get("pages") == "ready":
            return health
        assert time.monotonic() < deadline, f"pages never ready: {health}"
        time.sleep(0.2)


def test_render_processes_stop_when_their_version_is_not_the_writers(
    data_dir: Path, live_server_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A writer beside readers publishes its store for other processes to open read-only.
    server = live_server_factory(data_dir, GRAPH_SERVICE_READERS="1")
    current = requests.get(server.url + "/healthz", timeout=60).json()["version"]
    monkeypatch.setenv("GRAPH_SERVICE_DATA_DIR", str(data_dir))
    progress: list[int] = []
    # A version overtaken before they start: each process says so and writes nothing.
    assert not render_in_processes("an-older-version", 2, BASE_URL, lambda: True, progress.append)
    # The writer's own version, but a write comes (still_current says no): stopped.
    assert not render_in_processes(current, 2, BASE_URL, lambda: False, progress.append)
    assert progress == []
    # Left alone, they render every page of the version into the file.
    assert render_in_processes(current, 2, BASE_URL, lambda: True, progress.append)
    assert progress and progress[-1] == 6
    assert (
        PagesFile(data_dir / FILE_NAME, writable=False).get(f"{BASE_URL} /essai/racine?", current)
        is not None
    )


def test_a_new_version_replaces_the_pages_and_the_file_gives_space_back(tmp_path: Path) -> None:
    pages = PagesFile(tmp_path / FILE_NAME, writable=True)
    body = bytes(range(256)) * 40  # 10 kB that zlib cannot shrink
    for version in ("v1", "v2", "v3"):
        pages.put(version, [(f"k{n}", StoredPage((), body + str(n).encode())) for n in range(300)])
        pages.keep_only(version)
        pages.compact()
    size = (tmp_path / FILE_NAME).stat().st_size
    wal = tmp_path / f"{FILE_NAME}-wal"
    # One version's 300 pages of ~10 kB, not three versions' worth, and no log left beside.
    assert size < 1.5 * 300 * len(body) and (not wal.exists() or wal.stat().st_size == 0)
    assert pages.count("v3") == 300 and pages.get("k7", "v3") is not None


def test_a_reader_follows_the_file_when_it_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    page = StoredPage((("Content-Type", "text/html"),), b"<p>first</p>")
    PagesFile(path, writable=True).put("v1", [("k", page)])
    reader = PagesFile(path, writable=False)
    assert reader.get("k", "v1") == page  # its connection is open on the first file
    # A file of an older format (no incremental vacuum) is replaced by the next writer.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    old.close()
    writer = PagesFile(path, writable=True)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    newer = StoredPage((("Content-Type", "text/html"),), b"<p>second</p>")
    writer.put("v2", [("k", newer)])
    assert reader.get("k", "v2") == newer
