"""Shared fixtures: small vocabularies, built stores, apps, clients and live servers."""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from bench.virtuoso import VirtuosoMissing, VirtuosoServer, build_vocab
from graph_service import create_app
from graph_service.config import PROJECT_ROOT
from graph_service.store.build import build_remote, build_store, open_current
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.remote import RemoteStore

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"

TINY_SCHEME = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/tiny/> .

ex:scheme a skos:ConceptScheme ;
    dct:title "Petit vocabulaire"@fr, "Tiny vocabulary"@en ;
    skos:hasTopConcept ex:a .
ex:a a skos:Concept ; skos:inScheme ex:scheme ; skos:topConceptOf ex:scheme ;
    skos:prefLabel "Alpha"@fr, "Alpha"@en ; skos:narrower ex:b .
ex:b a skos:Concept ; skos:inScheme ex:scheme ; skos:broader ex:a ;
    skos:prefLabel "Bêta"@fr, "Beta"@en .
"""


#: Seconds a test server may take to start, and to stop gracefully: about a second each on an
#: idle machine, many times that on a loaded one, so the budget is only there to end a hang.
SERVER_START_SECONDS = 120.0
SERVER_STOP_SECONDS = 60.0


def wait_until_up(
    process: subprocess.Popen, url: str, ok: Callable[[requests.Response], bool]
) -> str | None:
    """Poll `url` until ok(answer); None then, else why not (the process exited, or no answer
    came within SERVER_START_SECONDS)."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"exited with code {process.returncode}"
        try:
            if ok(requests.get(url, timeout=5)):
                return None
        except requests.RequestException:
            pass  # not listening yet, or too busy starting to answer in time
        time.sleep(0.1)  # and no busy loop competing with the starting server for the CPU
    return f"did not answer {url} within {SERVER_START_SECONDS:g} s"


def stop_server(process: subprocess.Popen) -> None:
    """Stop a server started in its own process group (process_group=0): SIGTERM and a
    graceful wait, then SIGKILL for the whole group. Killing only the parent would leave its
    workers running, holding the store's lock, and the next server on that store would fail."""
    process.terminate()
    try:
        process.wait(SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def tiny_vocab(tmp_path: Path) -> Path:
    """A vocab/ directory with one small valid scheme."""
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "tiny.ttl").write_text(TINY_SCHEME, encoding="utf-8")
    return vocab


class OxigraphServer:
    """A real `oxigraph serve` on 127.0.0.1, the remote SPARQL backend of the tests."""

    def __init__(self, location: Path) -> None:
        binary = Path(sys.executable).with_name("oxigraph")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(binary),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        failure = wait_until_up(self.process, self.url + "/query?query=ASK%7B%7D", lambda r: r.ok)
        if failure:
            self.stop()
            raise RuntimeError(f"oxigraph serve {failure}")

    def remote_store(self) -> RemoteStore:
        """A RemoteStore on this server, emptied first."""
        store = RemoteStore(self.url + "/query", self.url + "/update", timeout=30)
        store.update("DROP SILENT ALL")
        return store

    def stop(self) -> None:
        stop_server(self.process)
        self.log.close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One oxigraph server for the whole run; tests that use it empty it first."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


def start_virtuoso(location: Path) -> VirtuosoServer:
    """A private Virtuoso server, or a clear stop when it is not installed: a failure in CI
    (`make test` installs it: a missing server there is a broken install, never skipped), a
    skip for a developer who cannot install Debian packages."""
    try:
        return VirtuosoServer(location)
    except VirtuosoMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc} — CI must run the Virtuoso tests", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso server for the whole run; tests that use it empty it first."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def memory_store(request: pytest.FixtureRequest) -> EmbeddedStore | RemoteStore:
    """A fresh, empty store: pyoxigraph in memory, or a real oxigraph or Virtuoso server."""
    if request.param == "embedded":
        return EmbeddedStore()
    if request.param == "virtuoso":
        return request.getfixturevalue("virtuoso_server").empty_store()
    return request.getfixturevalue("oxigraph_server").remote_store()


def remote_service(request: pytest.FixtureRequest, kind: str) -> tuple[RemoteStore, dict[str, str]]:
    """For a service on a server ("remote": the run's oxigraph, "virtuoso": its Virtuoso): the
    server's store, emptied, and the environment that points `graph-service` at it."""
    if kind == "virtuoso":
        virtuoso = request.getfixturevalue("virtuoso_server")
        return virtuoso.empty_store(), {
            "GRAPH_SERVICE_SPARQL_ENDPOINT": virtuoso.query_endpoint,
            "GRAPH_SERVICE_SPARQL_DIALECT": "virtuoso",
            "GRAPH_SERVICE_SPARQL_CREDENTIALS": virtuoso.credentials,
        }
    oxigraph = request.getfixturevalue("oxigraph_server")
    return oxigraph.remote_store(), {
        "GRAPH_SERVICE_SPARQL_ENDPOINT": oxigraph.url + "/query",
        "GRAPH_SERVICE_SPARQL_UPDATE_ENDPOINT": oxigraph.url + "/update",
    }


@pytest.fixture(scope="session")
def built_vocab_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding one build of the committed vocab/ (built once per run)."""
    data_dir = tmp_path_factory.mktemp("vocab-store")
    build_store(PROJECT_ROOT / "vocab", data_dir)
    return data_dir


@pytest.fixture(scope="session")
def remote_vocab_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """The committed vocabulary in a real oxigraph server of its own, built once, only read."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-vocab"))
    store = server.remote_store()
    build_remote(PROJECT_ROOT / "vocab", tmp_path_factory.mktemp("remote-data"), store)
    yield store
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_vocab_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """The committed vocabulary in a Virtuoso server of its own, built once, only read."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-vocab"))
    build_vocab(server, PROJECT_ROOT / "vocab", tmp_path_factory.mktemp("virtuoso-data"))
    yield server.store()
    server.stop()


@pytest.fixture(scope="session", params=["embedded", "remote", "virtuoso"])
def vocab_store(
    request: pytest.FixtureRequest, built_vocab_dir: Path
) -> Iterator[EmbeddedStore | RemoteStore]:
    """The committed vocabulary, only read by the tests: in the embedded store (a read-only
    handle on a build), in a remote oxigraph server and in Virtuoso, so data-facing tests run
    on all three."""
    if request.param == "remote":
        yield request.getfixturevalue("remote_vocab_store")
        return
    if request.param == "virtuoso":
        yield request.getfixturevalue("virtuoso_vocab_store")
        return
    yield open_current(built_vocab_dir, read_only=True)


@pytest.fixture
def app(vocab_store: EmbeddedStore):
    """The app on the committed vocabulary."""
    return create_app({"TESTING": True, "STORE": vocab_store})


@pytest.fixture
def client(app):
    """Flask's test client (for tests not about HTTP itself)."""
    return app.test_client()


class LiveServer:
    """`graph-service serve` in a subprocess on 127.0.0.1, for tests about real HTTP."""

    def __init__(self, data_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "GRAPH_SERVICE_DATA_DIR": str(data_dir),
            # Rendering every page ahead costs ~90 s of CPU on the committed vocabulary, per
            # server: off unless a test is about it (test_prerender.py), the pages being the
            # app's own answers byte for byte either way.
            "GRAPH_SERVICE_PRERENDER_PAGES": "false",
            **(extra_env or {}),
        }
        # The log goes to a file: a pipe nobody reads would block the server once full.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph_service.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        failure = wait_until_up(self.process, self.url + "/healthz", lambda r: r.status_code == 200)
        if failure:
            output = self.output()
            self.stop()
            raise RuntimeError(f"graph-service serve {failure}; its log:\n{output}")

    def output(self) -> str:
        """What the server has logged so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        stop_server(self.process)
        self.log.close()


@pytest.fixture
def live_server_factory() -> Iterator:
    """Start live servers on given data directories; all are stopped at the end of the test."""
    servers: list[LiveServer] = []

    def start(data_dir: Path, **env: str) -> LiveServer:
        server = LiveServer(data_dir, env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


#: The update a service instance over a remote store relays to it, and the label it writes.
REMOTE_SERVICE_UPDATE = (
    "INSERT DATA { GRAPH <http://example.org/relayed> { <http://example.org/relayed/n> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "relayed"@fr } }'
)
REMOTE_SERVICE_TOKEN = "s3cret"


def serve_over_remote(
    remote: RemoteStore, tmp_path: Path, live_server_factory: Callable[..., LiveServer], **env: str
) -> LiveServer:
    """The committed vocabulary built into `remote`, and a live service instance over it (no
    store of its own; `env` names the endpoint and dialect), writes enabled with a token."""
    build_remote(PROJECT_ROOT / "vocab", tmp_path, remote)
    return live_server_factory(
        tmp_path / "no-local-store", GRAPH_SERVICE_UPDATE_TOKEN=REMOTE_SERVICE_TOKEN, **env
    )


def check_service_over_remote(server: LiveServer, remote: RemoteStore) -> None:
    """The instance serves pages from the remote store, relays an update to it and answers
    /sparql with what it wrote: what every remote engine must allow."""
    home = requests.get(server.url + "/", timeout=60)
    assert home.status_code == 200
    assert 'data-vocab="territoires"' in home.text and "3\u202f924" in home.text
    update = requests.post(
        server.url + "/sparql",
        data={"update": REMOTE_SERVICE_UPDATE},
        headers={"Authorization": f"Bearer {REMOTE_SERVICE_TOKEN}"},
        timeout=60,
    )
    assert update.status_code in (200, 204), update.text
    # The write went to the remote store itself.
    assert remote.ask('ASK { <http://example.org/relayed/n> ?p "relayed"@fr }')
    answer = requests.get(
        server.url + "/sparql",
        params={"query": "SELECT ?l WHERE { <http://example.org/relayed/n> ?p ?l }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.json()["results"]["bindings"][0]["l"]["value"] == "relayed"


#: How long a browser test waits for a page, an element or a state before failing. Playwright
#: waits 30 s for actions and navigations but only 5 s for expect(): a loaded machine must
#: make the browser tests slower, never failing, so expect() waits as long as the rest.
BROWSER_TIMEOUT_MS = 30_000

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's chromium driven by Playwright (never a downloaded browser). One per module:
    Playwright's sync API allows one driver at a time, and other modules start their own."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is missing (/usr/bin/chromium): `make browser` installs it")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    driver = sync_playwright().start()
    launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()
    driver.stop()


@pytest.fixture(scope="module")
def server(built_vocab_dir: Path) -> Iterator[LiveServer]:
    """One live server on the committed vocabulary per module (a module needing other
    settings defines its own `server`, which wins over this one)."""
    live = LiveServer(built_vocab_dir)
    yield live
    live.stop()


@pytest.fixture
def page(browser) -> Iterator:  # type: ignore[no-untyped-def]
    """A fresh page at desktop size; console errors and uncaught exceptions fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


# --- every test that drives chromium is marked `browser` --------------------------------------
# `make test-fast` deselects `-m browser`: an unmarked browser test would slip into the inner
# loop (and need chromium there), so collection fails instead of letting the marks drift.


def imports_playwright(source: str) -> bool:
    """Whether Python source imports playwright (import, from-import or importorskip)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and "importorskip" in ast.unparse(node.func):
            names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
        else:
            continue
        if any(str(name).split(".")[0] == "playwright" for name in names):
            return True
    return False


@functools.cache
def _module_imports_playwright(path: Path) -> bool:
    """Whether a test module imports playwright."""
    return imports_playwright(path.read_text(encoding="utf-8"))


@functools.cache
def _fixture_imports_playwright(func: object) -> bool:
    """Whether a fixture's own code imports playwright."""
    try:
        source = inspect.getsource(func)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return False
    return imports_playwright(textwrap.dedent(source))


def drives_a_browser(item: pytest.Item) -> bool:
    """Whether a test imports playwright in its module or uses a fixture that does (directly
    or through other fixtures)."""
    if item.path.suffix == ".py" and _module_imports_playwright(item.path):
        return True
    # name2fixturedefs holds the test's whole fixture closure, not only what it names.
    info = getattr(item, "_fixtureinfo", None)
    for fixturedefs in getattr(info, "name2fixturedefs", {}).values():
        if any(_fixture_imports_playwright(fixturedef.func) for fixturedef in fixturedefs):
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything: every collected test is checked
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail the collection when a test drives a browser but is not marked `browser`."""
    unmarked = [
        item.nodeid
        for item in items
        if item.get_closest_marker("browser") is None and drives_a_browser(item)
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests drive a browser (Playwright) but are not marked `browser`, so "
            "`make test-fast` would run them; add `pytestmark = pytest.mark.browser` to the "
            "module or @pytest.mark.browser to the test:\n  " + "\n  ".join(unmarked)
        )


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the graph-service command in a subprocess with extra environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "graph_service.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=PROJECT_ROOT,
    )


def sparql_ask(url: str, query: str) -> bool:
    """The answer of an ASK query sent to a live server's /sparql (asserting a 200)."""
    response = requests.get(
        url + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


# --- librarians: a writable build with accounts, and signed-in clients -------------------------

LIBRARIAN_PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
HTML_PAGE = {"Accept": "text/html"}


def librarians_data_dir(data_dir: Path, **roles: str) -> Path:
    """A build of the committed vocab/ in `data_dir` with accounts {name: role}."""
    from graph_service.curate.accounts import AccountStore

    build_store(PROJECT_ROOT / "vocab", data_dir)
    accounts = AccountStore(data_dir)
    for name, role in roles.items():
        accounts.add(name, role, LIBRARIAN_PASSWORD)
    return data_dir


@contextlib.contextmanager
def writable_app(data_dir: Path, update_token: str) -> Iterator:
    """The app writing to the build of `data_dir`, its journal there, writes enabled."""
    from graph_service.store.journal import Journal

    store = open_current(data_dir)
    try:
        yield create_app(
            {"TESTING": True, "STORE": store, "DATA_DIR": data_dir,
             "UPDATE_TOKEN": update_token, "JOURNAL": Journal(data_dir)}
        )  # fmt: skip
    finally:
        store.close()


def csrf_token(client, path: str) -> str:  # type: ignore[no-untyped-def]
    """The CSRF token of the form on the page at `path`."""
    page = client.get(path, headers=HTML_PAGE)
    found = CSRF_FIELD.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:2000]
    return found.group(1)


def signed_in(app, name: str):  # type: ignore[no-untyped-def]
    """A test client of `app` with the account `name` signed in."""
    client = app.test_client()
    answer = client.post(
        "/login",
        data={
            "name": name,
            "password": LIBRARIAN_PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
        },
        headers=HTML_PAGE,
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client
