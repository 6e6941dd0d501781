"""IRIs and prefixes used across graph-service, declared in one place."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS, XSD

#: The one namespace every IRI of this vocabulary lives in. It never names the
#: host the service runs on; GRAPH_SERVICE_PUBLIC_BASE maps it to local paths.
BASE = "https://w3id.org/pdv/"

PDV = Namespace(BASE)
#: Properties and classes of our own (pilot EPCI of a contrat de ville, ...).
PDVO = Namespace(BASE + "ontology#")
#: Named graphs: one per source file, plus the build metadata graph.
GRAPH = Namespace(BASE + "graph/")
BUILD_GRAPH = GRAPH["build"]

SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")
INSEE_GEO = Namespace("http://id.insee.fr/geo/")

#: The four schemes of the vocabulary, by vocabulary id (also their local name).
SCHEME_IDS = ("notions", "thematiques", "territoires", "types")

PREFIXES: dict[str, str] = {
    "pdv": str(PDV),
    "pdvo": str(PDVO),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "schema": str(SCHEMA),
    "void": str(VOID),
    "prov": str(PROV),
    "sh": str(SH),
    "igeo": str(INSEE_GEO),
}


def scheme_iri(vocab_id: str) -> str:
    """Return the IRI of the concept scheme with this vocabulary id."""
    return f"{BASE}{vocab_id}"


def graph_iri_for(relative_path: str) -> str:
    """Return the named graph IRI for a source file path relative to vocab/ ("resources/x.ttl")."""
    stem = relative_path.removesuffix(".ttl").replace("\\", "/")
    return f"{GRAPH}{stem}"
