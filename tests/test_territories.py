"""Tests of vocab/generate_territories.py and of its committed output vocab/territoires.ttl."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT_ROOT / "vocab" / "generate_territories.py"
COMMITTED = PROJECT_ROOT / "vocab" / "territoires.ttl"

PDV = Namespace("https://w3id.org/pdv/")
PDVO = Namespace("https://w3id.org/pdv/ontology#")
SCHEME = URIRef("https://w3id.org/pdv/territoires")
TERR = "https://w3id.org/pdv/territoires/"
FRANCE = URIRef(TERR + "pays/FR")
LILLE = URIRef(TERR + "commune/59350")
MEL = URIRef(TERR + "epci/200093201")
NORD = URIRef(TERR + "departement/59")
CV192 = URIRef(TERR + "contrat-de-ville/CV192")
CV_COLLECTION = URIRef(TERR + "contrats-de-ville-2015")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_territories", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
DATA_DIR = gen.resolve_data_dir(None)

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / gen.COG_DIR).is_dir(),
    reason=f"shared territories data not found at {DATA_DIR} (set GRAPH_SERVICE_SHARED_DATA)",
)


def run_script(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the generator in a fresh interpreter (fresh hash seed: set-order bugs show up)."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--data-dir", str(DATA_DIR), "-q", *args],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The generator's output, written by the CLI into a temporary file."""
    out = tmp_path_factory.mktemp("territories") / "territoires.ttl"
    run_script("--output", str(out))
    return out.read_bytes()


@pytest.fixture(scope="module")
def graph() -> Graph:
    """The committed vocab/territoires.ttl, parsed."""
    g = Graph()
    g.parse(COMMITTED, format="turtle")
    return g


def of_class(g: Graph, name: str) -> set[URIRef]:
    return set(g.subjects(RDF.type, PDVO[name]))


def concepts(g: Graph) -> set[URIRef]:
    return set(g.subjects(RDF.type, SKOS.Concept))


# ---------------------------------------------------------------------------- generation


def test_committed_file_is_up_to_date(generated: bytes) -> None:
    assert COMMITTED.read_bytes() == generated, (
        "vocab/territoires.ttl differs from the generator's output: "
        "run python vocab/generate_territories.py"
    )


def test_generation_is_deterministic_in_process_and_to_stdout(generated: bytes) -> None:
    text, _, _ = gen.generate(DATA_DIR)
    assert text.encode("utf-8") == generated
    assert run_script("--output", "-").stdout == generated


def test_output_has_header_and_no_timestamp(generated: bytes) -> None:
    head = generated.decode("utf-8")[:1500]
    assert "vocab/generate_territories.py" in head
    assert "do not edit by hand" in head
    assert "Licence Ouverte" in head
    assert "@etalab/decoupage-administratif 6.0.0" in head


def test_data_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(gen.SHARED_DATA_ENV, raising=False)
    assert gen.resolve_data_dir(None) == PROJECT_ROOT.parent / "shared" / "data" / "territories"
    monkeypatch.setenv(gen.SHARED_DATA_ENV, str(tmp_path))
    assert gen.resolve_data_dir(None) == tmp_path / "territories"
    assert gen.resolve_data_dir("/elsewhere") == Path("/elsewhere")


def test_missing_data_dir_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="territories data not found"):
        gen.generate(tmp_path)


@pytest.mark.parametrize(
    "value",
    ['Saint-Ouen "l\'Aumône"', "back\\slash", "two\nlines", "tab\there", "Œuvre – é"],
)
def test_literal_escaping_round_trips(value: str) -> None:
    ttl = f"<urn:s> <urn:p> {gen.literal(value, 'fr')} , {gen.literal(value)} ."
    objects = set(Graph().parse(data=ttl, format="turtle").objects())
    assert objects == {Literal(value, lang="fr"), Literal(value)}


def test_term_uses_prefixes_only_for_safe_local_names() -> None:
    assert gen.term(TERR + "commune/59350") == "commune:59350"
    assert gen.term(TERR + "contrat-de-ville/CV192") == "cv:CV192"
    assert gen.term(str(SCHEME)) == "pdv:territoires"
    assert gen.term(str(CV_COLLECTION)) == f"<{CV_COLLECTION}>"


# ---------------------------------------------------------------------------- content


def test_counts_by_kind(graph: Graph) -> None:
    counts = {
        name: len(of_class(graph, name))
        for name in ("Pays", "Region", "Departement", "EPCI", "Commune", "ContratDeVille")
    }
    assert counts == {
        "Pays": 1,
        "Region": 1,
        "Departement": 5,
        "EPCI": 92,
        "Commune": 3782,
        "ContratDeVille": 43,
    }
    assert len(concepts(graph)) == sum(counts.values())


def test_departements_and_notations_are_plain_strings(graph: Graph) -> None:
    notations = {
        str(n) for d in of_class(graph, "Departement") for n in graph.objects(d, SKOS.notation)
    }
    assert notations == {"02", "59", "60", "62", "80"}
    for _, notation in graph.subject_objects(SKOS.notation):
        assert isinstance(notation, Literal)
        assert notation.datatype in (None, XSD.string, PDVO.SIREN), notation
        assert notation.language is None


def test_every_concept_has_one_plain_notation_and_communes_their_siren(graph: Graph) -> None:
    communes = of_class(graph, "Commune")
    for c in concepts(graph):
        notations = list(graph.objects(c, SKOS.notation))
        plain = [n for n in notations if n.datatype is None]
        sirens = [n for n in notations if n.datatype == PDVO.SIREN]
        assert len(plain) == 1, c
        assert len(sirens) == (1 if c in communes else 0), c
        for siren in sirens:
            assert len(str(siren)) == 9 and str(siren).isdigit(), siren
    assert (LILLE, SKOS.notation, Literal("215903501", datatype=PDVO.SIREN)) in graph
    assert (PDVO.SIREN, RDF.type, RDFS.Datatype) in graph


def test_lille_mel_nord_chain(graph: Graph) -> None:
    assert (LILLE, SKOS.exactMatch, URIRef("http://id.insee.fr/geo/commune/59350")) in graph
    assert (LILLE, SKOS.prefLabel, Literal("Lille", lang="fr")) in graph
    assert set(graph.objects(LILLE, SKOS.broader)) == {MEL, NORD}
    assert set(graph.objects(LILLE, PDVO.epci)) == {MEL}
    assert (MEL, SKOS.notation, Literal("200093201")) in graph
    assert set(graph.objects(MEL, SKOS.broader)) == {NORD}
    assert (NORD, SKOS.exactMatch, URIRef("http://id.insee.fr/geo/departement/59")) in graph
    assert set(graph.objects(NORD, SKOS.broader)) == {URIRef(TERR + "region/32")}
    assert len(set(graph.objects(MEL, SKOS.narrower))) == 95


def test_region_labels_and_mapping(graph: Graph) -> None:
    region = URIRef(TERR + "region/32")
    assert (region, SKOS.exactMatch, URIRef("http://id.insee.fr/geo/region/32")) in graph
    assert (region, SKOS.altLabel, Literal("Région Hauts-de-France", lang="fr")) in graph
    assert (region, SKOS.hiddenLabel, Literal("Région Hauts de France", lang="fr")) in graph
    assert set(graph.objects(region, SKOS.broader)) == {FRANCE}


def test_epci_spanning_departements_is_under_the_region_or_france(graph: Graph) -> None:
    ternois = URIRef(TERR + "epci/200069672")  # CC du Ternois: 62 and one commune in 80
    assert set(graph.objects(ternois, SKOS.broader)) == {URIRef(TERR + "region/32")}
    notes = {str(n) for n in graph.objects(ternois, SKOS.scopeNote) if n.language == "fr"}
    assert notes == {"Intercommunalité à cheval sur plusieurs départements : Pas-de-Calais, Somme."}
    # CC Interrégionale Aumale - Blangy-sur-Bresle: 80 and Seine-Maritime (outside the region)
    aumale = URIRef(TERR + "epci/200069722")
    assert set(graph.objects(aumale, SKOS.broader)) == {FRANCE}
    flandre_lys = URIRef(TERR + "epci/245900758")
    merville = URIRef(TERR + "commune/59400")
    assert set(graph.objects(merville, SKOS.broader)) == {NORD, flandre_lys}
    spanning = {
        e for e in of_class(graph, "EPCI") if not set(graph.objects(e, SKOS.broader)) & deps(graph)
    }
    assert len(spanning) == 5  # Ternois, Est de la Somme, Flandre Lys; Aumale, Villes Soeurs


def deps(g: Graph) -> set[URIRef]:
    return of_class(g, "Departement")


def test_epci_properties(graph: Graph) -> None:
    for epci in of_class(graph, "EPCI"):
        (kind,) = graph.objects(epci, PDVO.epciType)
        assert str(kind) in {"CA", "CC", "CU", "METRO"} and kind.datatype is None
        (population,) = graph.objects(epci, PDVO.population)
        assert population.datatype == XSD.integer and population.toPython() > 0
        assert not list(graph.objects(epci, SKOS.exactMatch))


def test_every_commune_is_under_its_departement_and_its_epci(graph: Graph) -> None:
    without_epci = 0
    for commune in of_class(graph, "Commune"):
        broader = set(graph.objects(commune, SKOS.broader))
        (code,) = (n for n in graph.objects(commune, SKOS.notation) if n.datatype is None)
        own = URIRef(TERR + "departement/" + str(code)[:2])
        assert broader & deps(graph) == {own}, commune
        epcis = set(graph.objects(commune, PDVO.epci))
        assert broader - {own} == epcis and len(epcis) <= 1, commune
        without_epci += not epcis
        (population,) = graph.objects(commune, PDVO.population)
        assert population.datatype == XSD.integer
    assert without_epci == 3782 - sum(
        len(set(graph.subjects(PDVO.epci, e))) for e in of_class(graph, "EPCI")
    )
    assert (PDVO.epci, RDF.type, OWL.ObjectProperty) in graph
    labels = {(str(x), x.language) for x in graph.objects(PDVO.epci, RDFS.label)}
    assert {lang for _, lang in labels} == {"fr", "en"}


#: For every commune, the départements reached by skos:broader+ other than its own (INSEE code).
_WRONG_DEPARTEMENT = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pdvo: <https://w3id.org/pdv/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?c ?d WHERE {
  ?d a pdvo:Departement ; skos:notation ?dcode .
  ?c skos:broader+ ?d .
  ?c a pdvo:Commune ; skos:notation ?code FILTER(DATATYPE(?code) = xsd:string)
  FILTER(?dcode != SUBSTR(?code, 1, 2))
}"""
_MISSING_DEPARTEMENT = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pdvo: <https://w3id.org/pdv/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?c WHERE {
  ?c a pdvo:Commune ; skos:notation ?code FILTER(DATATYPE(?code) = xsd:string)
  MINUS {
    ?d a pdvo:Departement ; skos:notation ?dcode .
    ?c skos:broader+ ?d .
    ?c skos:notation ?code FILTER(?dcode = SUBSTR(?code, 1, 2))
  }
}"""


def test_every_commune_reaches_exactly_its_own_departement(vocab_store: object) -> None:
    """Merville, Estaires, La Gorgue (Nord, in CC Flandre Lys) were under Pas-de-Calais."""
    store = vocab_store
    assert store.select(_WRONG_DEPARTEMENT) == []  # type: ignore[attr-defined]
    assert store.select(_MISSING_DEPARTEMENT) == []  # type: ignore[attr-defined]
    communes = store.select(  # type: ignore[attr-defined]
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/pdv/ontology#Commune> }"
    )
    assert int(communes[0]["n"]) == 3782


def test_contrats_de_ville(graph: Graph) -> None:
    contrats = of_class(graph, "ContratDeVille")
    assert contrats == set(graph.objects(CV_COLLECTION, SKOS.member))
    assert (CV_COLLECTION, RDF.type, SKOS.Collection) in graph
    for cv in contrats:
        pilots = set(graph.objects(cv, PDVO.pilote))
        assert len(pilots) == 1, cv
        (pilot,) = pilots
        assert (pilot, RDF.type, PDVO.EPCI) in graph or (pilot, RDF.type, PDVO.Commune) in graph
        assert (cv, SKOS.related, pilot) in graph
        assert (pilot, SKOS.related, cv) in graph
        assert not list(graph.objects(cv, SKOS.broader)), "contrats stay out of the hierarchy"
        (code,) = graph.objects(cv, PDVO.codeGeoHistorique)
        assert code.datatype is None
    assert set(graph.objects(CV192, PDVO.pilote)) == {MEL}
    assert (CV192, PDVO.codeGeoHistorique, Literal("245900410")) in graph
    assert (CV192, SKOS.notation, Literal("CV192")) in graph
    fr = {str(v) for v in graph.objects(CV192, SKOS.prefLabel) if v.language == "fr"}
    assert fr == {"Contrat de ville – Métropole Européenne de Lille"}


def test_old_sirens_resolve_through_checked_successor_table() -> None:
    _, _, resolutions = gen.generate(DATA_DIR)
    assert len(resolutions) == 43
    by_code = {r.code_cv: r for r in resolutions}
    assert {r.method for r in resolutions} <= {"siren", "commune", "nom+table", "table"}
    non_direct = {r.code_cv for r in resolutions if r.method != "siren"}
    assert len(non_direct) == len(gen.OLD_EPCI_SUCCESSORS) == 17
    assert by_code["CV192"].method == "nom+table"
    assert by_code["CV009"].pilot_iri == TERR + "epci/200071785"  # Villes d'Oyse (La Fère)
    assert by_code["CV226"].pilot_iri == TERR + "epci/200069029"  # Mer et Terres d'Opale


# ---------------------------------------------------------------------------- SKOS integrity


def test_broader_and_narrower_are_symmetric(graph: Graph) -> None:
    broader = set(graph.subject_objects(SKOS.broader))
    narrower = {(o, s) for s, o in graph.subject_objects(SKOS.narrower)}
    assert broader == narrower
    communes_in_epci = len(set(graph.subject_objects(PDVO.epci)))
    assert len(broader) == 1 + 5 + 92 + 3782 + communes_in_epci


def test_related_is_symmetric(graph: Graph) -> None:
    related = set(graph.subject_objects(SKOS.related))
    assert related == {(o, s) for s, o in related}


def test_no_broader_cycles_and_everything_reaches_france(graph: Graph) -> None:
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in graph.subject_objects(SKOS.broader):
        parents[s].add(o)
    state: dict[URIRef, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: URIRef) -> None:
        stack = [(node, iter(sorted(parents[node])))]
        state[node] = 1
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[current] = 2
                stack.pop()
            elif state.get(child) == 1:
                pytest.fail(f"broader cycle through {child}")
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(sorted(parents[child]))))

    for c in sorted(concepts(graph)):
        if c not in state:
            visit(c)
    roots = {c for c in concepts(graph) if not parents[c]}
    assert roots == {FRANCE} | of_class(graph, "ContratDeVille")


def test_scheme_membership_and_top_concept(graph: Graph) -> None:
    for c in concepts(graph):
        assert set(graph.objects(c, SKOS.inScheme)) == {SCHEME}, c
    assert set(graph.subjects(SKOS.topConceptOf, SCHEME)) == {FRANCE}
    assert set(graph.objects(SCHEME, SKOS.hasTopConcept)) == {FRANCE}
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in graph
    titles = {(str(t), t.language) for t in graph.objects(SCHEME, DCTERMS.title)}
    assert titles == {("Territoires", "fr"), ("Territories", "en")}
    descriptions = {d.language for d in graph.objects(SCHEME, DCTERMS.description)}
    assert descriptions == {"fr", "en"}
    assert list(graph.objects(SCHEME, DCTERMS.license))


def test_labels_one_pref_per_language_and_disjoint(graph: Graph) -> None:
    for c in concepts(graph):
        prefs = list(graph.objects(c, SKOS.prefLabel))
        assert sorted(p.language for p in prefs) == ["en", "fr"], c
        alts = set(graph.objects(c, SKOS.altLabel))
        hidden = set(graph.objects(c, SKOS.hiddenLabel))
        assert not (set(prefs) & alts or set(prefs) & hidden or alts & hidden), c
        for label in [*prefs, *alts, *hidden]:
            text = str(label)
            assert label.language and text and text.strip() == text, (c, label)


def test_usual_names_of_epci(graph: Graph) -> None:
    assert gen.usual_names("CA Amiens Métropole", set()) == ["Amiens Métropole"]
    assert gen.usual_names("CA du Pays de Saint-Omer", set()) == ["Pays de Saint-Omer"]
    assert gen.usual_names("CU d'Arras", {"Arras"}) == []  # the bare name is the commune's
    assert gen.usual_names("CC de la Haute Somme (Combles - Péronne - Roisel)", set()) == [
        "Haute Somme"
    ]
    assert gen.usual_names("Métropole Européenne de Lille", set()) == []
    alts = {str(a) for a in graph.objects(MEL, SKOS.altLabel)}
    assert {"MEL", "Lille Métropole"} <= alts
    capso = URIRef(TERR + "epci/200069037")
    assert {"CAPSO", "Pays de Saint-Omer"} <= {str(a) for a in graph.objects(capso, SKOS.altLabel)}
    for siren, names in gen.USUAL_NAMES.items():  # every curated name has its source
        assert (URIRef(TERR + "epci/" + siren), RDF.type, PDVO.EPCI) in graph, siren
        assert all(label and source for label, source in names)


def test_qpv_hook_puts_each_neighbourhood_under_its_communes() -> None:
    communes = {"59350": {"departement": "59"}, "59512": {"departement": "59"}}
    rows = [
        {"code_qpv": "QN05901M", "lib_qpv": "Quartier Test", "insee_com": "59350"},
        {"code_qpv": "QN05901M", "lib_qpv": "Quartier Test", "insee_com": "59512"},
        {"code_qpv": "QN07601M", "lib_qpv": "Ailleurs", "insee_com": "76540"},  # not ours
    ]
    (qpv,) = gen.qpv_concepts(rows, communes)
    assert qpv.iri == TERR + "qpv/QN05901M" and qpv.notation == "QN05901M"
    assert qpv.broader == {TERR + "commune/59350", TERR + "commune/59512"}
    with pytest.raises(ValueError, match="unknown commune 59999"):
        gen.qpv_concepts([{"code_qpv": "Q", "lib_qpv": "X", "insee_com": "59999"}], communes)
    assert gen.read_qpv_rows(DATA_DIR) == []  # no public QPV 2024 list yet (vocab/SOURCES.md)
    assert gen.term(TERR + "qpv/QN05901M") == "qpv:QN05901M"
