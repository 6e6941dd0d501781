"""IRIs and prefixes used across graph-service, declared in one place."""

from __future__ import annotations

import re

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

# The namespaces as plain strings, for IRIs built by concatenation (SKOS_NS + "Concept") and
# for JSON-LD contexts: adding to rdflib's Namespace objects makes rdflib terms instead.
SKOS_NS = PREFIXES["skos"]
DCT_NS = PREFIXES["dct"]
DCAT_NS = PREFIXES["dcat"]
OWL_NS = PREFIXES["owl"]
RDF_NS = PREFIXES["rdf"]
RDFS_NS = PREFIXES["rdfs"]
XSD_NS = PREFIXES["xsd"]
VOID_NS = PREFIXES["void"]
PDVO_NS = PREFIXES["pdvo"]
RDF_TYPE = RDF_NS + "type"
#: Namespaces only the web answers use: Skosmos's JSON-LD keys, the SPARQL service description.
ONKI_NS = "http://schema.onki.fi/onki#"
ISOTHES_NS = "http://purl.org/iso25964/skos-thes#"
VOID_EXT_NS = "http://ldf.fi/void-ext#"
SD_NS = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
ENTAILMENT_NS = "http://www.w3.org/ns/entailment/"

#: Prefixes of Turtle, TriG and RDF/XML output (dumps, IRI descriptions): the namespaces (SHACL
#: apart) plus one per scheme and kind of territory, so that IRIs read `notions:empowerment`
#: and `commune:59350`.
LD_PREFIXES: dict[str, str] = {
    **{k: v for k, v in PREFIXES.items() if k != "sh"},
    **{name: f"{BASE}{name}/" for name in (*SCHEME_IDS, "resources")},
    **{
        name: f"{BASE}territoires/{path}/"
        for name, path in (
            ("pays", "pays"),
            ("region", "region"),
            ("departement", "departement"),
            ("epci", "epci"),
            ("commune", "commune"),
            ("cv", "contrat-de-ville"),
        )
    },
}


def scheme_iri(vocab_id: str) -> str:
    """Return the IRI of the concept scheme with this vocabulary id."""
    return f"{BASE}{vocab_id}"


def graph_iri_for(relative_path: str) -> str:
    """Return the named graph IRI for a source file path relative to vocab/ ("resources/x.ttl")."""
    stem = relative_path.removesuffix(".ttl").replace("\\", "/")
    return f"{GRAPH}{stem}"


#: Vocabulary ids given to schemes by their import (the graph an import lives in is named by the
#: import's id, "unesco-thesaurus"): pages, REST, dumps, VoID and search use that id, not a slug
#: of the scheme IRI ("thesaurus"). Filled by curate.imports.learn_imported_vocab_ids.
_ASSIGNED_IDS: dict[str, str] = {}


def assign_vocab_ids(ids: dict[str, str]) -> None:
    """Record the vocabulary ids that imports gave to their schemes ({scheme IRI: id})."""
    _ASSIGNED_IDS.update(ids)


def assigned_vocab_ids() -> dict[str, str]:
    """The vocabulary ids imports gave to their schemes (for a child process to know them)."""
    return dict(_ASSIGNED_IDS)


def vocab_id_of(scheme_iri: str) -> str:
    """The vocabulary id of a scheme: the id of its import, else its local name in our
    namespace, else a slug of its IRI."""
    if scheme_iri in _ASSIGNED_IDS:
        return _ASSIGNED_IDS[scheme_iri]
    if scheme_iri.startswith(BASE):
        return scheme_iri[len(BASE) :].strip("/").replace("/", "-")
    tail = scheme_iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tail or "vocabulary"


#: Prefixes longest namespace first, so that the most specific prefix wins in `curie`.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def curie(iri: str) -> str:
    """A prefixed name for an IRI when a known prefix fits (skos:Concept), else the IRI."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def expand(value: str) -> str:
    """The IRI of a prefixed name (skos:Concept), or the value itself."""
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for SPARQL text, for the named prefixes of PREFIXES or LD_PREFIXES (schemes,
    kinds of territory); all of PREFIXES when none is named."""
    known = {**PREFIXES, **LD_PREFIXES}
    return "".join(f"PREFIX {name}: <{known[name]}>\n" for name in names or PREFIXES)


#: What an absolute IRI may hold (a scheme, then the IRIREF production's characters).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20\x7f]*")
#: Longer IRIs are refused in requests: no vocabulary uses them, and it bounds a request's work.
MAX_IRI_LENGTH = 4096


def valid_iri(value: str) -> bool:
    """Whether a string is an absolute IRI (at most MAX_IRI_LENGTH characters) that can be
    written as <value> in SPARQL or Turtle."""
    return len(value) <= MAX_IRI_LENGTH and _IRI.fullmatch(value) is not None
