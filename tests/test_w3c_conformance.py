"""The W3C SPARQL 1.1 test suites over real HTTP: protocol, Graph Store Protocol, query evaluation.

Prints the pass counts; every failure must be explained in tests/w3c/KNOWN_FAILURES.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TINY_SCHEME, LiveServer
from w3c import SUITE
from w3c.manifests import http_tests, query_tests
from w3c.runner import (
    Client,
    Outcome,
    gsp_path,
    protocol_path,
    run_http_test,
    run_query_test,
)

from graph_service.store.build import build_store

TOKEN = "w3c-harness-token"
KNOWN_FAILURES = Path(__file__).parent / "w3c" / "KNOWN_FAILURES.md"
#: Passing tests out of each suite's total; a change in either direction must be looked at.
EXPECTED = {"protocol": (34, 34), "graph store protocol": (13, 13), "query evaluation": (215, 225)}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A live server with updates enabled; each test empties its store first."""
    root = tmp_path_factory.mktemp("w3c")
    (root / "vocab").mkdir()
    (root / "vocab" / "seed.ttl").write_text(TINY_SCHEME, encoding="utf-8")
    build_store(root / "vocab", root / "data")
    server = LiveServer(root / "data", {"GRAPH_SERVICE_UPDATE_TOKEN": TOKEN})
    yield Client(server.url, TOKEN)
    server.stop()


def known_failures() -> dict[str, str]:
    """Test IRI -> explanation, from the bullet list of KNOWN_FAILURES.md."""
    text = KNOWN_FAILURES.read_text(encoding="utf-8")
    return dict(re.findall(r"^- `(\S+)`: (.+)$", text, re.MULTILINE))


def check(suite: str, outcomes: list[Outcome]) -> None:
    """Print the count and the failures; assert the count and that failures are explained."""
    passed = sum(o.passed for o in outcomes)
    print(f"\nW3C {suite}: {passed}/{len(outcomes)} passed")
    known = known_failures()
    unexplained = []
    for outcome in outcomes:
        if not outcome.passed:
            print(f"  FAILED {outcome.iri} ({outcome.name}): {outcome.reason[:500]}")
            if outcome.iri not in known:
                unexplained.append(outcome.iri)
    assert not unexplained, f"failures missing from {KNOWN_FAILURES.name}: {unexplained}"
    assert (passed, len(outcomes)) == EXPECTED[suite]


def test_protocol_suite(client: Client) -> None:
    tests = http_tests(SUITE / "protocol" / "manifest.ttl")
    check("protocol", [run_http_test(client, t, protocol_path) for t in tests])


def test_graph_store_protocol_suite(client: Client) -> None:
    tests = http_tests(SUITE / "graph-store-protocol" / "manifest.ttl")
    check("graph store protocol", [run_http_test(client, t, gsp_path) for t in tests])


def test_query_evaluation_suite(client: Client) -> None:
    check("query evaluation", [run_query_test(client, t) for t in query_tests()])
