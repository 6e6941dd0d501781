#!/usr/bin/env python3
"""Generate vocab/territoires.ttl, the SKOS scheme of the Hauts-de-France territories.

Reads only ../shared/data/territories (INSEE COG 2026 and Banatic through the npm package
@etalab/decoupage-administratif 6.0.0, and the ANCT contrats de ville 2015-2023 from
anct-carto/ci-ville) and writes Turtle text itself, with the standard library only, so that
regenerating gives byte-identical output: everything is sorted and there is no timestamp.

    python vocab/generate_territories.py [--data-dir DIR] [--output PATH | -]

The data directory is, in order: --data-dir, $GRAPH_SERVICE_SHARED_DATA/territories, then
../shared/data/territories beside the project root.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "territories"
DEFAULT_OUTPUT = PROJECT_ROOT / "vocab" / "territoires.ttl"
SHARED_DATA_ENV = "GRAPH_SERVICE_SHARED_DATA"

COG_DIR = "decoupage-administratif-2026"
CV_FILE = "contrats-de-ville-2015/contrats-de-ville-hauts-de-france.csv"
#: The QPV 2024 list (décret n° 2024-806), when a public copy with codes is put there: one row
#: per (QPV, commune) with columns code_qpv, lib_qpv, insee_com. None was reachable when this
#: was written (vocab/SOURCES.md), so the file is optional and the scheme has no QPV yet.
QPV_FILE = "qpv-2024/qpv-hauts-de-france.csv"

REGION_CODE = "32"

# ---------------------------------------------------------------------------- IRIs

PDV = "https://w3id.org/pdv/"
PDVO = PDV + "ontology#"
SCHEME = PDV + "territoires"
TERR = SCHEME + "/"
CV_COLLECTION = TERR + "contrats-de-ville-2015"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# Legacy code-based INSEE geo IRIs (http://id.insee.fr/geo/commune/59350, ...; France is
# .../pays/france in that pattern). INSEE's current intercommunalité IRIs are UUIDs
# (.../geo/intercommunalite/831d6a01-...), not SIRENs, so EPCIs get no exactMatch rather than an
# invented IRI.
INSEE_GEO = "http://id.insee.fr/geo/"
FRANCE_INSEE = INSEE_GEO + "pays/france"

LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
SOURCES = (
    "https://github.com/anct-carto/ci-ville",
    "https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0",
)

#: Turtle prefixes, written in this order; the output uses the longest one that fits.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("commune", TERR + "commune/"),
    ("cv", TERR + "contrat-de-ville/"),
    ("dct", DCT),
    ("departement", TERR + "departement/"),
    ("epci", TERR + "epci/"),
    ("owl", OWL),
    ("pays", TERR + "pays/"),
    ("pdv", PDV),
    ("pdvo", PDVO),
    ("qpv", TERR + "qpv/"),
    ("rdfs", RDFS),
    ("region", TERR + "region/"),
    ("skos", SKOS),
)

#: Kinds in output order: (IRI segment, pdvo class, French label, English label).
KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("pays", "Pays", "Pays", "Country"),
    ("region", "Region", "Région", "Region"),
    ("departement", "Departement", "Département", "Department"),
    (
        "epci",
        "EPCI",
        "Établissement public de coopération intercommunale",
        "Public body for inter-municipal cooperation",
    ),
    ("commune", "Commune", "Commune", "Municipality"),
    (
        "qpv",
        "QuartierPrioritaire",
        "Quartier prioritaire de la politique de la ville",
        "Priority neighbourhood of urban policy",
    ),
    ("contrat-de-ville", "ContratDeVille", "Contrat de ville", "City contract"),
)
#: The datatype of a SIREN number given as a second skos:notation of a commune.
SIREN_DATATYPE = PDVO + "SIREN"
#: Properties and datatypes of our own declared in the file: (IRI, rdf:type, fr, en, extra).
ONTOLOGY: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        PDVO + "epci",
        OWL + "ObjectProperty",
        "EPCI d'appartenance",
        "member of the inter-municipal body",
        ((RDFS + "domain", PDVO + "Commune"), (RDFS + "range", PDVO + "EPCI")),
    ),
    (
        SIREN_DATATYPE,
        RDFS + "Datatype",
        "Numéro SIREN",
        "SIREN number",
        (),
    ),
)
KIND_ORDER = {kind: i for i, (kind, *_rest) in enumerate(KINDS)}
KIND_CLASS = {kind: PDVO + cls for kind, cls, *_rest in KINDS}

EPCI_TYPE_NAMES = {  # expands the abbreviation that starts Banatic's EPCI names
    "CA": "Communauté d'agglomération",
    "CC": "Communauté de communes",
    "CU": "Communauté urbaine",
}

#: Usual names of EPCI that the Banatic name does not give: acronyms and short names, each
#: with where it is used. Facts checked against the EPCI's own publications (sites, deliberations,
#: logos), written here as (label, where it comes from) -- the source is for the reviewer only.
USUAL_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "200093201": (  # Métropole Européenne de Lille
        ("MEL", "the métropole's own name and logo, lillemetropole.fr"),
        ("Lille Métropole", "name of the former Lille Métropole Communauté urbaine (2008-2014)"),
    ),
    "200069037": (("CAPSO", "the agglomération's own acronym, ca-pso.fr"),),
    "245900428": (("CUD", "Communauté urbaine de Dunkerque, communaute-urbaine-dunkerque.fr"),),
    "200033579": (("CUA", "Communauté urbaine d'Arras, cu-arras.org"),),
    "200042190": (("CAPH", "CA de la Porte du Hainaut, agglo-porteduhainaut.fr"),),
    "200043396": (("CAMVS", "CA Maubeuge Val de Sambre, its acronym in its deliberations"),),
    "246200364": (("CALL", "Communauté d'agglomération de Lens-Liévin, agglo-lenslievin.fr"),),
    "246200299": (("CAHC", "CA d'Hénin-Carvin, agglo-henincarvin.fr"),),
    "245901160": (("CAVM", "CA Valenciennes Métropole, its acronym in its deliberations"),),
    "200072460": (("CABBALR", "CA de Béthune-Bruay, Artois-Lys Romane, bethunebruay.fr"),),
    "200044618": (("CAD", "Communauté d'agglomération du Douaisis, its name before 2017"),),
    "200071892": (("CASQ", "CA du Saint-Quentinois, agglo-saint-quentin.fr"),),
    "200043495": (("CAPL", "CA du Pays de Laon, its acronym in its deliberations"),),
    "200069029": (("CA2BM", "CA des Deux Baies en Montreuillois, ca2bm.fr"),),
    "200068047": (("ACSO", "Agglomération Creil Sud Oise, creilsudoise.fr"),),
    "200067965": (("ARC", "Agglomération de la Région de Compiègne, agglo-compiegne.fr"),),
    "200090751": (("Grand Calais", "short name used by the agglomération, grandcalais.fr"),),
    "240200477": (("GrandSoissons", "the agglomération's brand, grandsoissons.com"),),
    "200041960": (("CCPC", "CC Pévèle Carembault, pevelecarembault.fr"),),
    "245900758": (("CCFL", "CC Flandre Lys, cc-flandrelys.fr"),),
}
#: Leading articles and prepositions dropped from a name without its legal form
#: ("CA du Pays de Saint-Omer" -> "Pays de Saint-Omer").
_NAME_PARTICLES = re.compile(r"^(?:de la |de l'|de l’|des |du |de |d'|d’)", re.IGNORECASE)


def usual_names(banatic_name: str, commune_names: set[str]) -> list[str]:
    """Names without the legal form ('CA Amiens Métropole' -> 'Amiens Métropole'); a short
    form that would be the bare name of a commune ('CU d'Arras' -> 'Arras') is left out."""
    abbr, _, rest = banatic_name.partition(" ")
    if abbr not in EPCI_TYPE_NAMES or not rest:
        return []
    rest = re.sub(r"\s*\([^)]*\)", "", rest).strip()  # "(Combles - Péronne - Roisel)"
    short = _NAME_PARTICLES.sub("", rest).strip()
    if not short or short in commune_names or len(short) < 3:
        return []
    return [short]


# Contrats de ville whose codgeo is the SIREN of an EPCI that no longer exists: the pilot is the
# current EPCI that holds the old EPCI's seat commune. The generator checks that the seat commune
# is a member of the expected current EPCI. Facts (prefectoral merger orders of the 2016-2017
# SDCI under the NOTRe law, and the MEL/CC de la Haute-Deûle merger of 14 March 2020), with the
# seats as published on the EPCIs' Banatic/Wikipedia pages:
#   old SIREN: (seat commune, current SIREN)
OLD_EPCI_SUCCESSORS: dict[str, tuple[str, str]] = {
    # CC de la Région de Château-Thierry (seat Château-Thierry) -> CA de la Région de
    # Château-Thierry, created 1 Jan 2017.
    "240200618": ("02168", "200072031"),
    # CC Chauny-Tergnier + CC des Villes d'Oyse (seat La Fère) -> CA Chauny Tergnier La Fère,
    # arrêté 2016-1079, 1 Jan 2017.
    "240200683": ("02173", "200071785"),
    "240200428": ("02304", "200071785"),
    # CA de Saint-Quentin -> CA du Saint-Quentinois, 1 Jan 2017.
    "240200261": ("02691", "200071892"),
    # CC Villers-Cotterêts - Forêt de Retz -> CC Retz-en-Valois, 1 Jan 2017.
    "240200691": ("02810", "200071991"),
    # CA de Cambrai (2014 SIREN) -> CA de Cambrai, new entity on 1 Jan 2017.
    "200044022": ("59122", "200068500"),
    # Métropole Européenne de Lille: new legal entity (SIREN 200093201) after the merger with the
    # CC de la Haute-Deûle on 14 March 2020; 245900410 is the pre-2020 SIREN.
    "245900410": ("59350", "200093201"),
    # CA du Beauvaisis -> CA du Beauvaisis, new entity on 1 Jan 2017.
    "246000830": ("60057", "200067999"),
    # CA de la Région de Compiègne -> CA de la Région de Compiègne et de la Basse Automne.
    "246001010": ("60159", "200067965"),
    # Communauté de l'agglomération creilloise + CC Pierre Sud Oise -> CA Creil Sud Oise.
    "246000111": ("60175", "200068047"),
    # CC du Pays d'Aire (seat Aire-sur-la-Lys) and CA de Saint-Omer -> CA du Pays de Saint-Omer.
    "246200018": ("62014", "200069037"),
    "246200455": ("62765", "200069037"),
    # Artois Comm. (CA de Béthune-Bruay-Nœux) and CC Artois-Lys (seat Lillers) -> CA de
    # Béthune-Bruay, Artois-Lys Romane.
    "200044055": ("62119", "200072460"),
    "246200802": ("62516", "200072460"),
    # CA du Calaisis -> CA Grand Calais Terres et Mers (merger with what remained of the CC du
    # Sud-Ouest du Calaisis, end of 2019).
    "246201149": ("62193", "200090751"),
    # CC Mer et Terres d'Opale (seat Le Touquet) -> CA des Deux Baies en Montreuillois.
    "246201115": ("62826", "200069029"),
    # CC de l'Abbevillois -> CA de la Baie de Somme.
    "248000556": ("80001", "200070993"),
}


# ---------------------------------------------------------------------------- model


@dataclass
class Concept:
    """One skos:Concept, with its statements grouped by predicate."""

    kind: str
    code: str
    pref: dict[str, str]  # lang -> label
    alt: list[tuple[str, str]] = field(default_factory=list)  # (label, lang)
    hidden: list[tuple[str, str]] = field(default_factory=list)
    notation: str | None = None
    broader: set[str] = field(default_factory=set)
    narrower: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    exact_match: set[str] = field(default_factory=set)
    epci_type: str | None = None
    epci: str | None = None  # pdvo:epci, the EPCI a commune is a member of
    siren: str | None = None  # second notation, typed pdvo:SIREN
    scope_note: dict[str, str] = field(default_factory=dict)
    population: int | None = None
    pilote: str | None = None
    code_geo_historique: str | None = None
    generation: str | None = None
    history_note: dict[str, str] = field(default_factory=dict)
    top: bool = False

    @property
    def iri(self) -> str:
        return concept_iri(self.kind, self.code)


def commune_departement(insee_code: str) -> str:
    """The département code of an INSEE commune code (2 characters; 3 overseas)."""
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


def concept_iri(kind: str, code: str) -> str:
    """Return the IRI of a territory concept (CONVENTIONS.md)."""
    return f"{TERR}{kind}/{code}"


@dataclass
class PilotResolution:
    """How a contrat de ville's codgeo was turned into a pilot concept."""

    code_cv: str
    codgeo: str
    lib: str
    pilot_iri: str
    method: str  # "siren", "commune", "nom", "nom+table", "table"


# ---------------------------------------------------------------------------- reading


def resolve_data_dir(cli_value: str | None) -> Path:
    """Pick the territories data directory: CLI, then environment, then the default."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        return Path(env) / "territories"
    return DEFAULT_DATA_DIR


def _load_json(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def normalise_name(name: str) -> str:
    """Fold an EPCI name for comparison: no accents, case, brackets, legal-form words."""
    name = re.sub(r"^\d{2,3}[AB]? - ", "", name)  # "59 - " prefix of lib_cv
    name = re.sub(r"\[[^\]]*\]", " ", name)
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c)).lower()
    name = name.replace("’", "'")
    for abbr, long in EPCI_TYPE_NAMES.items():
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", long) if not unicodedata.combining(c)
        ).lower()
        name = name.replace(folded, abbr.lower())
    name = re.sub(r"[-'’,.]", " ", name)
    return " ".join(name.split())


def strip_department_prefix(lib_cv: str) -> str:
    """'59 - Métropole Européenne de Lille' -> 'Métropole Européenne de Lille'."""
    return re.sub(r"^\d{2,3}[AB]? - ", "", lib_cv).strip()


# ---------------------------------------------------------------------------- building


def build_concepts(data_dir: Path) -> tuple[dict[str, Concept], list[PilotResolution]]:
    """Read the data files and return the concepts by IRI and the contrat pilot resolutions."""
    cog = data_dir / COG_DIR
    regions = {r["code"]: r for r in _load_json(cog / "regions.json")}
    region = regions[REGION_CODE]
    all_departements = _load_json(cog / "departements.json")
    departement_names = {d["code"]: d["nom"] for d in all_departements}
    departements = sorted(
        (d for d in all_departements if d.get("region") == REGION_CODE),
        key=lambda d: d["code"],
    )
    dep_codes = {d["code"] for d in departements}
    communes = sorted(
        (
            c
            for c in _load_json(cog / "communes-hauts-de-france.json")
            if c.get("type") == "commune-actuelle" and c.get("departement") in dep_codes
        ),
        key=lambda c: c["code"],
    )
    commune_by_code = {c["code"]: c for c in communes}
    epcis = sorted(_load_json(cog / "epci-hauts-de-france.json"), key=lambda e: e["code"])

    concepts: dict[str, Concept] = {}

    def add(c: Concept) -> Concept:
        if c.iri in concepts:
            raise ValueError(f"duplicate concept {c.iri}")
        concepts[c.iri] = c
        return c

    def link(narrower: Concept, broader: Concept) -> None:
        narrower.broader.add(broader.iri)
        broader.narrower.add(narrower.iri)

    france = add(
        Concept(
            "pays",
            "FR",
            {"fr": "France", "en": "France"},
            notation="FR",
            top=True,
            exact_match={FRANCE_INSEE},
        )
    )
    reg = add(
        Concept(
            "region",
            REGION_CODE,
            {"fr": region["nom"], "en": region["nom"]},
            alt=[(f"Région {region['nom']}", "fr")],
            # the seed page's territory term is spelt "Région Hauts de France"
            hidden=[
                (region["nom"].replace("-", " "), "fr"),
                (f"Région {region['nom'].replace('-', ' ')}", "fr"),
            ],
            notation=REGION_CODE,
            exact_match={f"{INSEE_GEO}region/{REGION_CODE}"},
        )
    )
    link(reg, france)
    deps: dict[str, Concept] = {}
    for d in departements:
        dep = add(
            Concept(
                "departement",
                d["code"],
                {"fr": d["nom"], "en": d["nom"]},
                notation=d["code"],
                exact_match={f"{INSEE_GEO}departement/{d['code']}"},
            )
        )
        link(dep, reg)
        deps[d["code"]] = dep

    # EPCI: under the département that holds all its member communes. An EPCI that spans two
    # départements is under none of them (that would put its communes under the other one by
    # skos:broader+): it is under the region, or under France when it crosses the region's
    # border, and a scope note names its départements.
    commune_names = {c["nom"] for c in communes}
    epci_of_commune: dict[str, Concept] = {}
    epci_by_siren: dict[str, Concept] = {}
    for e in epcis:
        name = e["nom"]
        alt = []
        abbr, _, rest = name.partition(" ")
        if abbr in EPCI_TYPE_NAMES and rest:
            alt.append((f"{EPCI_TYPE_NAMES[abbr]} {rest}", "fr"))
        alt += [(short, "fr") for short in usual_names(name, commune_names)]
        alt += [(usual, "fr") for usual, _source in USUAL_NAMES.get(e["code"], ())]
        epci = add(
            Concept(
                "epci",
                e["code"],
                {"fr": name, "en": name},
                alt=sorted(set(alt)),
                notation=e["code"],
                epci_type=e["type"],
                population=int(e["populationMunicipale"]),
            )
        )
        epci_by_siren[e["code"]] = epci
        # every member's département, inside the region or not (INSEE code prefix)
        all_deps = {commune_departement(m["code"]) for m in e["membres"]}
        for m in e["membres"]:
            if m["code"] in commune_by_code:
                if m["code"] in epci_of_commune:
                    raise ValueError(f"commune {m['code']} is in two EPCI")
                epci_of_commune[m["code"]] = epci
        if not all_deps & dep_codes:
            raise ValueError(f"EPCI {e['code']} has no member commune in the region")
        if len(all_deps) == 1:
            link(epci, deps[next(iter(all_deps))])
        else:
            link(epci, reg if all_deps <= dep_codes else france)
            names = [departement_names.get(d, d) for d in sorted(all_deps)]
            epci.scope_note = {
                "fr": "Intercommunalité à cheval sur plusieurs départements : "
                + ", ".join(names)
                + ".",
                "en": "Inter-municipal body spanning several départements: "
                + ", ".join(names)
                + ".",
            }

    # Communes: under their own département (from the INSEE code) and under their EPCI, whose
    # broader chain then leads to the same département or to the region. pdvo:epci states the
    # membership on its own, for queries that must not mix it with the département.
    # Namesake communes (Fleury x4, Dury x3...) get "Name (Département)" as an alternative
    # label, so that a search or a picker can tell them apart.
    name_counts = Counter(c["nom"] for c in communes)
    for c in communes:
        alt = []
        if name_counts[c["nom"]] > 1:
            dep_name = deps[c["departement"]].pref["fr"]
            alt = [(f"{c['nom']} ({dep_name})", "fr"), (f"{c['nom']} ({dep_name})", "en")]
        com = add(
            Concept(
                "commune",
                c["code"],
                {"fr": c["nom"], "en": c["nom"]},
                alt=alt,
                notation=c["code"],
                siren=c.get("siren"),
                exact_match={f"{INSEE_GEO}commune/{c['code']}"},
                population=int(c["population"]) if "population" in c else None,
            )
        )
        if commune_departement(c["code"]) != c["departement"]:
            raise ValueError(f"commune {c['code']} is not in département {c['departement']}")
        link(com, deps[c["departement"]])
        epci = epci_of_commune.get(c["code"])
        if epci is not None:
            link(com, epci)
            com.epci = epci.iri

    for qpv in qpv_concepts(read_qpv_rows(data_dir), commune_by_code):
        for commune_iri in qpv.broader:
            concepts[commune_iri].narrower.add(qpv.iri)
        add(qpv)

    # Contrats de ville 2015-2023 and their pilots.
    resolutions = []
    epci_by_name: dict[str, list[Concept]] = defaultdict(list)
    for epci in epci_by_siren.values():
        epci_by_name[normalise_name(epci.pref["fr"])].append(epci)
    unresolved = []
    with open(data_dir / CV_FILE, encoding="utf-8-sig", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["code_cv"])
    for row in rows:
        code, lib, codgeo = row["code_cv"].strip(), row["lib_cv"].strip(), row["codgeo"].strip()
        res = resolve_pilot(
            code, lib, codgeo, epci_by_siren, epci_by_name, commune_by_code, epci_of_commune
        )
        if res is None:
            unresolved.append(f"{code} {lib!r} codgeo={codgeo}")
            continue
        pilot = concepts[res.pilot_iri]
        pilot_deps = (
            {commune_by_code[m]["departement"] for m, e in epci_of_commune.items() if e is pilot}
            if pilot.kind == "epci"
            else {commune_by_code[pilot.code]["departement"]}
        )
        if row["insee_dep"].strip() not in pilot_deps:
            raise ValueError(f"{code}: pilot {pilot.iri} is not in département {row['insee_dep']}")
        name = strip_department_prefix(lib)
        cv = add(
            Concept(
                "contrat-de-ville",
                code,
                {"fr": f"Contrat de ville – {name}", "en": f"City contract – {name}"},
                notation=code,
                pilote=pilot.iri,
                code_geo_historique=codgeo,
                generation="2015",
            )
        )
        if res.method in ("table", "nom+table"):  # the table records mergers
            current = pilot.pref["fr"]
            cv.history_note = {
                "fr": f"Pilote d'origine : « {name} », SIREN {codgeo}, EPCI disparu par fusion ; "
                f"son successeur est « {current} », SIREN {pilot.code}.",
                "en": f"Original pilot: “{name}”, SIREN {codgeo}, an EPCI that ceased to exist "
                f"in a merger; its successor is “{current}”, SIREN {pilot.code}.",
            }
        cv.related.add(pilot.iri)
        pilot.related.add(cv.iri)
        resolutions.append(res)
    if unresolved:
        raise SystemExit("unresolved contrat de ville pilots:\n  " + "\n  ".join(unresolved))
    return concepts, resolutions


def read_qpv_rows(data_dir: Path) -> list[dict[str, str]]:
    """The rows of the QPV list, or none when the file is not there (QPV_FILE)."""
    path = data_dir / QPV_FILE
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def qpv_concepts(rows: list[dict[str, str]], commune_by_code: dict[str, dict]) -> list[Concept]:
    """QPV concepts, each under the communes it lies in (a QPV may cover several); rows of
    communes outside the region are left out, an unknown code in the region is an error."""
    by_code: dict[str, Concept] = {}
    for row in sorted(rows, key=lambda r: (r["code_qpv"], r["insee_com"])):
        code, name, insee = (
            row["code_qpv"].strip(),
            row["lib_qpv"].strip(),
            row["insee_com"].strip(),
        )
        if insee not in commune_by_code:
            if commune_departement(insee) in {c["departement"] for c in commune_by_code.values()}:
                raise ValueError(f"QPV {code}: unknown commune {insee}")
            continue
        qpv = by_code.setdefault(
            code, Concept("qpv", code, {"fr": name, "en": name}, notation=code)
        )
        qpv.broader.add(concept_iri("commune", insee))
    return list(by_code.values())


def resolve_pilot(
    code: str,
    lib: str,
    codgeo: str,
    epci_by_siren: dict[str, Concept],
    epci_by_name: dict[str, list[Concept]],
    commune_by_code: dict[str, dict],
    epci_of_commune: dict[str, Concept],
) -> PilotResolution | None:
    """Find the pilot of a contrat: current SIREN, commune code, then name and successor table."""
    if codgeo in epci_by_siren:
        return PilotResolution(code, codgeo, lib, epci_by_siren[codgeo].iri, "siren")
    if len(codgeo) == 5 and codgeo in commune_by_code:
        return PilotResolution(code, codgeo, lib, concept_iri("commune", codgeo), "commune")
    by_name = epci_by_name.get(normalise_name(lib), [])
    by_name_iri = by_name[0].iri if len(by_name) == 1 else None
    successor = OLD_EPCI_SUCCESSORS.get(codgeo)
    if successor:
        seat, expected = successor
        actual = epci_of_commune.get(seat)
        if actual is None or actual.code != expected:
            raise ValueError(
                f"{code}: seat commune {seat} of old EPCI {codgeo} is in "
                f"{actual.code if actual else 'no EPCI'}, not in {expected}"
            )
        if by_name_iri and by_name_iri != actual.iri:
            raise ValueError(f"{code}: name match {by_name_iri} disagrees with table {expected}")
        method = "nom+table" if by_name_iri else "table"
        return PilotResolution(code, codgeo, lib, actual.iri, method)
    if by_name_iri:
        return PilotResolution(code, codgeo, lib, by_name_iri, "nom")
    return None


# ---------------------------------------------------------------------------- Turtle


_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def term(iri: str) -> str:
    """Write an IRI as a prefixed name when a prefix fits, else as <IRI>."""
    best = None
    for prefix, ns in PREFIXES:
        fits = iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns) :])
        if fits and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    if best:
        return f"{best[0]}:{iri[len(best[1]) :]}"
    if any(ch in iri for ch in '<>"{}|^`\\ '):
        raise ValueError(f"IRI cannot be written in Turtle: {iri!r}")
    return f"<{iri}>"


def literal(value: str, lang: str | None = None) -> str:
    """Write a string literal, escaped for Turtle's "..." form."""
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    text = '"' + "".join(out) + '"'
    return f"{text}@{lang}" if lang else text


def _lang_key(lang: str) -> tuple[int, str]:
    return ({"fr": 0, "en": 1}.get(lang, 2), lang)


def labels(items: Iterable[tuple[str, str]]) -> list[str]:
    """Sort language-tagged labels fr first, en second, then by text."""
    return [literal(v, lang) for v, lang in sorted(items, key=lambda x: (_lang_key(x[1]), x[0]))]


def iris(items: Iterable[str]) -> list[str]:
    """Sort IRIs by kind then code, so codes stay in numeric-looking order."""

    def key(iri: str) -> tuple:
        if iri.startswith(TERR):
            kind, _, code = iri[len(TERR) :].partition("/")
            return (0, KIND_ORDER.get(kind, 99), kind, code)
        return (1, iri)

    return [term(i) for i in sorted(set(items), key=key)]


def block(subject: str, statements: list[tuple[str, list[str]]]) -> str:
    """Render one subject with predicates in the given order; long object lists one per line."""
    lines = [term(subject)]
    stmts = [(p, objs) for p, objs in statements if objs]
    for i, (pred, objs) in enumerate(stmts):
        end = " ." if i == len(stmts) - 1 else " ;"
        p = "a" if pred == RDF_TYPE else term(pred)
        if len(objs) > 3:
            lines.append(f"    {p}")
            lines.extend(f"        {o}," for o in objs[:-1])
            lines.append(f"        {objs[-1]}{end}")
        else:
            lines.append(f"    {p} {', '.join(objs)}{end}")
    return "\n".join(lines) + "\n"


def concept_block(c: Concept) -> str:
    """Render a concept with the fixed predicate order."""
    return block(
        c.iri,
        [
            (RDF_TYPE, [term(SKOS + "Concept"), term(KIND_CLASS[c.kind])]),
            (SKOS + "inScheme", [term(SCHEME)]),
            (SKOS + "topConceptOf", [term(SCHEME)] if c.top else []),
            (SKOS + "prefLabel", labels((v, lang) for lang, v in c.pref.items())),
            (SKOS + "altLabel", labels(c.alt)),
            (SKOS + "hiddenLabel", labels(c.hidden)),
            (
                SKOS + "notation",
                ([literal(c.notation)] if c.notation is not None else [])
                + ([f"{literal(c.siren)}^^{term(SIREN_DATATYPE)}"] if c.siren else []),
            ),
            (SKOS + "broader", iris(c.broader)),
            (SKOS + "narrower", iris(c.narrower)),
            (SKOS + "related", iris(c.related)),
            (SKOS + "exactMatch", iris(c.exact_match)),
            (SKOS + "scopeNote", labels((v, lang) for lang, v in c.scope_note.items())),
            (SKOS + "historyNote", labels((v, lang) for lang, v in c.history_note.items())),
            (PDVO + "epci", [term(c.epci)] if c.epci else []),
            (PDVO + "epciType", [literal(c.epci_type)] if c.epci_type else []),
            (PDVO + "population", [str(c.population)] if c.population is not None else []),
            (PDVO + "pilote", [term(c.pilote)] if c.pilote else []),
            (
                PDVO + "codeGeoHistorique",
                [literal(c.code_geo_historique)] if c.code_geo_historique else [],
            ),
            (PDVO + "generation", [literal(c.generation)] if c.generation else []),
        ],
    )


RULE = "# " + "-" * 64


def _fr_number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def render(concepts: dict[str, Concept]) -> str:
    """Render the whole scheme as Turtle text."""
    ordered = sorted(concepts.values(), key=lambda c: (KIND_ORDER[c.kind], c.code))
    count = defaultdict(int)
    for c in ordered:
        count[c.kind] += 1
    n_dep, n_epci, n_com, n_cv = (
        count["departement"],
        count["epci"],
        count["commune"],
        count["contrat-de-ville"],
    )
    header = [
        "# Territoires: France, the Hauts-de-France region, its départements, EPCI and communes,",
        "# and the contrats de ville 2015-2023 of the region (SKOS).",
        "#",
        "# GENERATED by vocab/generate_territories.py -- do not edit by hand; rerun the script.",
        "#",
        "# Sources (read from ../shared/data/territories):",
        "#   - INSEE Code officiel géographique 2026 and Banatic, via the npm package",
        "#     @etalab/decoupage-administratif 6.0.0 (data under the Licence Ouverte / Etalab);",
        "#   - ANCT contrats de ville 2015-2023, repository anct-carto/ci-ville",
        "#     (src/assets/geom_cv_ctr.json, Licence Ouverte 2.0).",
        "# Derived data: any reuse must credit these sources (Licence Ouverte / Etalab).",
        "",
    ]
    prefixes = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES]
    parts = ["\n".join(header + prefixes) + "\n"]

    parts.append(f"{RULE} classes, properties and datatypes\n")
    for _kind, cls, fr, en in sorted(KINDS, key=lambda k: k[1]):
        parts.append(
            block(
                PDVO + cls,
                [
                    (RDF_TYPE, [term(OWL + "Class")]),
                    (RDFS + "label", labels([(fr, "fr"), (en, "en")])),
                ],
            )
        )

    for iri, kind, fr, en, extra in ONTOLOGY:
        parts.append(
            block(
                iri,
                [
                    (RDF_TYPE, [term(kind)]),
                    (RDFS + "label", labels([(fr, "fr"), (en, "en")])),
                    *((pred, [term(obj)]) for pred, obj in extra),
                ],
            )
        )

    parts.append(f"{RULE} scheme\n")
    desc_fr = (
        f"Territoires de la région Hauts-de-France : la France, la région, ses {n_dep} "
        f"départements, ses {n_epci} EPCI à fiscalité propre et ses {_fr_number(n_com)} "
        "communes, d'après le Code officiel géographique 2026 de l'INSEE et la base Banatic "
        "(via le paquet @etalab/decoupage-administratif 6.0.0), ainsi que ses "
        f"{n_cv} contrats de ville 2015-2023 (ANCT, dépôt anct-carto/ci-ville). "
        "Données sous Licence Ouverte / Etalab."
    )
    desc_en = (
        f"Territories of the Hauts-de-France region: France, the region, its {n_dep} "
        f"départements, its {n_epci} EPCI (inter-municipal bodies) and its {n_com:,} communes, "
        "from INSEE's Code officiel géographique 2026 and the Banatic database (via the "
        "@etalab/decoupage-administratif 6.0.0 package), and its "
        f"{n_cv} city contracts of the 2015-2023 generation (ANCT, anct-carto/ci-ville "
        "repository). Data under the Licence Ouverte / Etalab (Open Licence)."
    )
    parts.append(
        block(
            SCHEME,
            [
                (RDF_TYPE, [term(SKOS + "ConceptScheme")]),
                (DCT + "title", labels([("Territoires", "fr"), ("Territories", "en")])),
                (DCT + "description", labels([(desc_fr, "fr"), (desc_en, "en")])),
                (DCT + "source", [term(s) for s in sorted(SOURCES)]),
                (DCT + "license", [term(LICENCE)]),
                (SKOS + "hasTopConcept", iris(c.iri for c in ordered if c.top)),
            ],
        )
    )
    parts.append(
        block(
            CV_COLLECTION,
            [
                (RDF_TYPE, [term(SKOS + "Collection")]),
                (
                    SKOS + "prefLabel",
                    labels(
                        [
                            ("Contrats de ville 2015-2023 des Hauts-de-France", "fr"),
                            ("2015-2023 city contracts of Hauts-de-France", "en"),
                        ]
                    ),
                ),
                (SKOS + "member", iris(c.iri for c in ordered if c.kind == "contrat-de-ville")),
            ],
        )
    )
    current = None
    for c in ordered:
        if c.kind != current:
            current = c.kind
            parts.append(f"{RULE} {current}\n")
        parts.append(concept_block(c))
    return "\n".join(parts)


# ---------------------------------------------------------------------------- CLI


def generate(data_dir: Path) -> tuple[str, dict[str, Concept], list[PilotResolution]]:
    """Build the Turtle text for the data directory; also return concepts and resolutions."""
    if not (data_dir / COG_DIR).is_dir():
        raise FileNotFoundError(f"territories data not found in {data_dir}")
    concepts, resolutions = build_concepts(data_dir)
    return render(concepts), concepts, resolutions


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="the shared/data/territories directory")
    parser.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="output Turtle file, or - for stdout (default: %(default)s)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    text, concepts, resolutions = generate(resolve_data_dir(args.data_dir))
    if args.output == "-":
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        out = Path(args.output)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(text.encode("utf-8"))
        tmp.replace(out)
    elapsed = time.perf_counter() - start

    if not args.quiet:
        count: dict[str, int] = defaultdict(int)
        for c in concepts.values():
            count[c.kind] += 1
        kinds = ", ".join(f"{k}={count[k]}" for k, *_ in KINDS)
        print(
            f"territoires: {kinds}; {len(text.encode('utf-8'))} bytes; {elapsed:.2f} s",
            file=sys.stderr,
        )
        for r in resolutions:
            if r.method != "siren":
                print(
                    f"  {r.code_cv} {r.lib!r} codgeo={r.codgeo} -> {term(r.pilot_iri)} "
                    f"({r.method})",
                    file=sys.stderr,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
