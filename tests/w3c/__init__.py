"""A W3C SPARQL 1.1 conformance harness run over real HTTP against a live graph-service.

Three suites from ../shared/data/w3c-rdf-tests/sparql/sparql11/: the SPARQL Protocol
(protocol/manifest.ttl), the Graph Store HTTP Protocol (graph-store-protocol/manifest.ttl) and
query evaluation (manifest-sparql11-query.ttl and the folders it includes). `manifests` reads
the tests, `runner` sends them to a server, `results` compares answers with the expected ones.
Adaptations are listed in KNOWN_FAILURES.md next to the failures that remain.
"""

from __future__ import annotations

from pathlib import Path

from graph_service.config import PROJECT_ROOT

#: The suite's files, read in place from the shared data (never copied into the repository).
SUITE = PROJECT_ROOT.parent / "shared" / "data" / "w3c-rdf-tests" / "sparql" / "sparql11"
#: The IRI the test files are published under; relative IRIs in them resolve against it.
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"


def iri_of(path: Path) -> str:
    """The published IRI of a file of the suite."""
    return BASE + path.relative_to(SUITE).as_posix()


def path_of(iri: str) -> Path:
    """The local file of an IRI of the suite."""
    if not iri.startswith(BASE):
        raise ValueError(f"{iri} is not a file of the suite")
    return SUITE / iri[len(BASE) :]
