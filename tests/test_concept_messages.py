"""The concept editor's problems in French and English: each kind of refusal said in both
languages by the planners (English by default), the shapes' messages picked in the language
asked for, and `graph-service validate` left in English."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH

from graph_service.config import PROJECT_ROOT
from graph_service.curate.concept_draft import (
    DraftError,
    draft_as_json,
    draft_from_form,
    draft_from_json,
)
from graph_service.curate.concept_edit import (
    PLANNERS,
    plan_action,
    plan_create,
    plan_deprecate,
    plan_merge,
    plan_update,
    read_draft,
)
from graph_service.curate.concept_messages import MESSAGES, count, message, sentence
from graph_service.curate.edit_plan import EditPlan, state_token
from graph_service.curate.operations import RefusedEdit, commit_action
from graph_service.curate.validate import DEFAULT_SHAPES_DIR
from graph_service.curate.validate_checks import Checker, Source
from graph_service.curate.validate_read import load_shapes
from graph_service.exceptions import Conflict, NotFound
from graph_service.namespaces import graph_iri_for
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import MemoryJournal

N = "https://w3id.org/pdv/notions/"
NOTIONS = "https://w3id.org/pdv/notions"
NOTIONS_GRAPH = graph_iri_for("notions.ttl")
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOREIGN = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/tiny/scheme> a skos:ConceptScheme ; skos:prefLabel "Tiny"@en ;
    skos:hasTopConcept <http://example.org/tiny/a> .
<http://example.org/tiny/a> a skos:Concept ; skos:inScheme <http://example.org/tiny/scheme> ;
    skos:topConceptOf <http://example.org/tiny/scheme> ; skos:prefLabel "Alpha"@fr .
"""
TINY = "http://example.org/tiny/a"
QPV = "« Quartier prioritaire de la politique de la ville »"


def _vocab_store() -> EmbeddedStore:
    vocab = PROJECT_ROOT / "vocab"
    store = EmbeddedStore()
    for path in sorted(vocab.rglob("*.ttl")):
        store.load(path, "turtle", graph=graph_iri_for(str(path.relative_to(vocab))))
    store.load(FOREIGN, "turtle", graph="http://example.org/tiny")
    return store


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    """vocab/ and a foreign scheme, only planned on (plans write nothing)."""
    return _vocab_store()


def _draft(lang: str, **values: object):
    return draft_from_json({"scheme": NOTIONS, **values}, lang=lang)


def _edited(store: EmbeddedStore, iri: str, lang: str, **changes: object):
    current, token = read_draft(store, iri)
    return draft_from_json({**draft_as_json(current), **changes}, lang=lang), token


def _create(**values: object) -> Callable[[EmbeddedStore, str], EditPlan]:
    return lambda store, lang: plan_create(store, _draft(lang, **values), lang=lang)


def _update(iri: str, **changes: object) -> Callable[[EmbeddedStore, str], EditPlan]:
    def plan(store: EmbeddedStore, lang: str) -> EditPlan:
        draft, token = _edited(store, iri, lang, **changes)
        return plan_update(store, draft, token, lang=lang)

    return plan


def _deprecate(iri: str, replacement: str) -> Callable[[EmbeddedStore, str], EditPlan]:
    return lambda store, lang: plan_deprecate(
        store, iri, replacement, state_token(store, iri), lang=lang
    )


def _merge(loser: str, winner: str) -> Callable[[EmbeddedStore, str], EditPlan]:
    return lambda store, lang: plan_merge(
        store, loser, winner, state_token(store, loser), lang=lang
    )


#: (plan, field, severity, French message, English message) of each kind of problem.
CASES = {
    "duplicate label": (
        _create(prefLabel={"fr": "concertation"}), "prefLabel.fr", "error",
        "Ce libellé préféré est déjà celui du concept « Concertation » dans ce vocabulaire.",
        f"« concertation » is already the preferred label of « Concertation » <{N}concertation>",
    ),
    "label of a deprecated concept": (
        _create(prefLabel={"fr": "Zone urbaine sensible"}), "prefLabel.fr", "warning",
        "« Zone urbaine sensible » est aussi le libellé du concept obsolète « Zone urbaine "
        "sensible ».",
        "« Zone urbaine sensible » is also the label of the deprecated concept « Zone urbaine "
        "sensible »",
    ),
    "preferred and alternative label (shapes)": (
        _create(prefLabel={"fr": "Atelier urbain"}, altLabel={"fr": ["Atelier urbain"]}),
        "altLabel.fr", "error",
        "« Atelier urbain » est à la fois libellé préféré et libellé alternatif.",
        "« Atelier urbain » is both a preferred and an alternative label",
    ),
    "broader cycle": (
        _update(N + "concertation", broader=[N + "concertation-prealable"]), "broader", "error",
        "Cycle de concepts génériques : Concertation > Concertation préalable > Concertation.",
        "broader cycle: Concertation > Concertation préalable > Concertation",
    ),
    "related along the broader chain": (
        _update(N + "concertation-prealable", related=[N + "participation-citoyenne"]),
        "related", "error",
        "« Participation citoyenne » est déjà un concept générique ou spécifique (direct ou "
        "non) de ce concept : il ne peut pas lui être aussi associé.",
        "« Participation citoyenne » is on its own broader chain: related and broader at once",
    ),
    "missing French label": (
        _create(prefLabel={"en": "Tactical urbanism"}), "prefLabel.fr", "error",
        "Un libellé préféré en français est obligatoire.",
        "a preferred label in French is required",
    ),
    "unknown broader": (
        _create(prefLabel={"fr": "Nouveau"}, broader=[N + "nothing-here"]), "broader", "error",
        f"<{N}nothing-here> n’est pas un concept du vocabulaire.",
        f"<{N}nothing-here> is not a concept of the vocabulary",
    ),
    "deprecated related": (
        _create(prefLabel={"fr": "Nouveau"}, related=[N + "zone-urbaine-sensible"]),
        "related", "error",
        f"« Zone urbaine sensible » est obsolète : utilisez plutôt {QPV}.",
        f"« Zone urbaine sensible » is deprecated: use {QPV} instead",
    ),
    "broader in another scheme": (
        _create(prefLabel={"fr": "Nouveau"}, broader=[TINY]), "broader", "error",
        "« Alpha » appartient à un autre vocabulaire.",
        "« Alpha » is in another concept scheme",
    ),
    "mapped to itself": (
        _update(N + "consultation", exactMatch=[N + "consultation"]), "exactMatch", "error",
        "Un concept ne peut pas être aligné sur lui-même.",
        "a concept cannot be mapped to itself",
    ),
    "replaced by itself": (
        _deprecate(N + "concertation", N + "concertation"), "replacement", "error",
        "Un concept ne peut pas être lié à lui-même.",
        "a concept cannot be linked to itself",
    ),
    "unknown replacement": (
        _deprecate(N + "concertation", N + "nothing-here"), "replacement", "error",
        f"<{N}nothing-here> n’est pas un concept du vocabulaire.",
        f"<{N}nothing-here> is not a concept of the vocabulary",
    ),
    "replacement not curated here": (
        _deprecate(N + "concertation", TINY), "replacement", "error",
        "« Alpha » n’appartient pas à un vocabulaire géré ici.",
        "« Alpha » is not in a vocabulary curated here",
    ),
    "replacement not an IRI": (
        _deprecate(N + "concertation", "not an iri"), "replacement", "error",
        "« not an iri » n’est pas une adresse (IRI) valide.",
        "« not an iri » is not a valid IRI",
    ),
    "deprecated already": (
        _deprecate(N + "zone-urbaine-sensible", ""), "", "error",
        "« Zone urbaine sensible » est déjà obsolète.",
        "« Zone urbaine sensible » is deprecated already",
    ),
    "merged into itself": (
        _merge(N + "conseil-citoyen", N + "conseil-citoyen"), "winner", "error",
        "Un concept ne peut pas être fusionné avec lui-même.",
        "a concept cannot be merged into itself",
    ),
    "merged into an unknown concept": (
        _merge(N + "conseil-citoyen", N + "nothing-here"), "winner", "error",
        f"<{N}nothing-here> n’est pas un concept du vocabulaire.",
        f"<{N}nothing-here> is not a concept of the vocabulary",
    ),
    "merged into a deprecated concept": (
        _merge(N + "conseil-citoyen", N + "zone-urbaine-sensible"), "winner", "error",
        "« Zone urbaine sensible » est obsolète.",
        "« Zone urbaine sensible » is deprecated",
    ),
    "merged into another scheme": (
        _merge(N + "conseil-citoyen", TINY), "winner", "error",
        "« Alpha » appartient à un autre vocabulaire.",
        "« Alpha » is in another concept scheme",
    ),
    "a neighbour's problem (shapes)": (
        _merge(N + "conseil-citoyen", TINY), "", "error",
        "« Tiny » n’a aucun concept de tête (ni skos:hasTopConcept, ni concept qui en soit "
        "skos:topConceptOf).",
        "« Tiny »: has no top concept (no skos:hasTopConcept, and no concept is "
        "skos:topConceptOf it)",
    ),
    "merge leaving a broader link that would loop": (
        _merge(N + "petition", N + "participation-citoyenne"), "winner", "warning",
        "Le concept générique « Initiative citoyenne » n’est pas repris : il créerait un cycle.",
        "broader « Initiative citoyenne » not moved: it would make a cycle",
    ),
}  # fmt: skip


def _said(plan: EditPlan, field: str, severity: str) -> list[str]:
    return [p.message for p in plan.problems_of(field) if p.severity == severity]


@pytest.mark.parametrize("case", CASES)
def test_each_problem_is_said_in_french_and_in_english(store: EmbeddedStore, case: str) -> None:
    make, field, severity, french, english = CASES[case]
    assert french in _said(make(store, "fr"), field, severity)
    assert english in _said(make(store, "en"), field, severity)


def test_english_is_the_default(store: EmbeddedStore) -> None:
    plan = plan_create(store, draft_from_json({"scheme": NOTIONS, "prefLabel": {"en": "X"}}))
    assert [p.message for p in plan.problems] == ["a preferred label in French is required"]


def test_a_fault_older_than_the_edit_says_so_in_both_languages() -> None:
    store = _vocab_store()
    iri = N + "concertation-prealable"
    store.update(
        f"INSERT DATA {{ GRAPH <{NOTIONS_GRAPH}> {{ <{iri}> <{SKOS}related> "
        f"<{N}participation-citoyenne> }} }}"
    )
    said = {}
    for lang in ("fr", "en"):
        draft, token = _edited(store, iri, lang, scopeNote={"fr": "Lieu d'information."})
        plan = plan_update(store, draft, token, lang=lang)
        assert plan.ok
        (warning,) = plan.problems
        said[lang] = warning.message
    assert said["fr"].endswith(
        "il ne peut pas lui être aussi associé (c’était déjà le cas avant cette modification)."
    )
    assert said["en"].endswith("related and broader at once (already so before this edit)")


def test_stale_and_unknown_concepts_are_said_in_both_languages(store: EmbeddedStore) -> None:
    iri = N + "concertation"
    draft, _ = read_draft(store, iri)
    stale = {
        "fr": "« Concertation » a été modifié depuis l’ouverture de ce formulaire : rechargez-le.",
        "en": "« Concertation » was changed since this form was opened: reload it",
    }
    for lang, expected in stale.items():
        with pytest.raises(Conflict) as caught:
            plan_update(store, draft, "stale", lang=lang)
        assert caught.value.message == expected
        with pytest.raises(Conflict) as caught:
            plan_deprecate(store, iri, "", "stale", lang=lang)
        assert caught.value.message == expected
        with pytest.raises(Conflict) as caught:
            plan_merge(store, iri, N + "co-construction", "stale", lang=lang)
        assert caught.value.message == expected
    with pytest.raises(NotFound) as caught:
        read_draft(store, N + "nothing-here", lang="fr")
    assert caught.value.message == f"<{N}nothing-here> n’est pas un concept du vocabulaire."
    with pytest.raises(NotFound) as caught:
        plan_deprecate(store, "not an iri", "", "t", lang="fr")
    assert caught.value.message == "« not an iri » n’est pas l’adresse (IRI) d’un concept."


def test_scheme_problems_are_said_in_both_languages(store: EmbeddedStore) -> None:
    for lang, expected in (
        ("fr", "<http://example.org/tiny/scheme> n’est pas un vocabulaire géré ici."),
        ("en", "<http://example.org/tiny/scheme> is not a concept scheme curated here"),
    ):
        draft = draft_from_json(
            {"scheme": "http://example.org/tiny/scheme", "prefLabel": {"fr": "X"}}
        )
        with pytest.raises(DraftError) as caught:
            plan_create(store, draft, lang=lang)
        assert [p.message for p in caught.value.problems] == [expected]
    with pytest.raises(DraftError) as caught:
        plan_create(store, draft_from_json({"prefLabel": {"fr": "X"}}), lang="fr")
    assert caught.value.problems[0].message == "Choisissez le vocabulaire du nouveau concept."


def test_draft_parsing_problems_are_said_in_both_languages() -> None:
    form = {
        "scheme": ["nope"],
        "prefLabel.fr": ["Un", "Deux"],
        "prefLabel.xx_1": ["Label"],
        "altLabel.en": ["ok"],
        "notation": ["N" * 101],
    }
    said = {}
    for lang in ("fr", "en"):
        with pytest.raises(DraftError) as caught:
            draft_from_form(form, lang=lang)
        said[lang] = {p.field: p.message for p in caught.value.problems}
    assert said["fr"] == {
        "scheme": "« nope » n’est pas une adresse (IRI) valide.",
        "prefLabel.fr": "Ce champ ne prend qu’une valeur.",
        "prefLabel.xx_1": "Ce n’est pas une étiquette de langue (fr, en, pt-br…).",
        "notation": "La notation dépasse 100 caractères.",
    }
    assert said["en"] == {
        "scheme": "« nope » is not a valid IRI",
        "prefLabel.fr": "takes one value only",
        "prefLabel.xx_1": "is not a language tag (fr, en, pt-br...)",
        "notation": "is longer than 100 characters",
    }
    with pytest.raises(DraftError) as caught:
        draft_from_json(
            {"prefLabel": {"fr": "Deux\nlignes"}, "definition": {"fr": "x" * 10_001}, "colour": 1},
            lang="fr",
        )
    assert {p.field: p.message for p in caught.value.problems} == {
        "colour": "Ce champ est inconnu.",
        "prefLabel.fr": "Un libellé tient sur une ligne.",
        "definition.fr": f"« {'x' * 40}… » dépasse 10\u202f000 caractères.",
    }
    with pytest.raises(DraftError) as caught:
        draft_from_json("not an object", lang="fr")
    assert caught.value.problems[0].message == "Un objet JSON est attendu."


def test_planners_and_actions_take_the_language(store: EmbeddedStore) -> None:
    action = {"kind": "concept.create", "draft": {"scheme": NOTIONS, "prefLabel": {"en": "X"}}}
    french = "Un libellé préféré en français est obligatoire."
    assert [p.message for p in PLANNERS["concept.create"](store, action, lang="fr").problems] == [
        french
    ]
    assert [p.message for p in plan_action(store, action, lang="fr").problems] == [french]
    assert [p.message for p in plan_action(store, action).problems] == [
        "a preferred label in French is required"
    ]
    with pytest.raises(DraftError) as caught:
        plan_action(store, {"kind": "concept.explode"}, lang="fr")
    assert caught.value.problems[0].message == "Type de modification inconnu : concept.explode."
    with pytest.raises(DraftError) as caught:
        plan_action(store, {"kind": "concept.update", "draft": {}}, lang="fr")
    assert caught.value.problems[0].message == "Un texte est attendu."


def test_a_refusal_under_the_write_lock_is_said_in_the_language_asked(
    store: EmbeddedStore,
) -> None:
    action = {
        "kind": "concept.create",
        "draft": {"scheme": NOTIONS, "prefLabel": {"fr": "Concertation"}},
    }
    journal = MemoryJournal()
    _, _, _, french, english = CASES["duplicate label"]
    for lang, expected in (
        ("fr", french),
        ("en", english.replace("« concertation »", "« Concertation »")),
    ):
        with pytest.raises(RefusedEdit) as caught:
            commit_action(store, journal, action, author="test", lang=lang)
        assert [p.message for p in caught.value.problems] == [expected]
        assert expected in caught.value.message
    assert journal.last_seq() == 0


# --- the catalogue and the shapes ------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_a_french_sentence_using_the_english_values() -> None:
    for key, (french, english) in MESSAGES.items():
        assert french != english, key
        # The callers pass the values the English text needs; the French may use fewer.
        assert _fields(french) <= _fields(english), key
        if key not in ("this_concept", "already_before"):
            assert french.endswith("."), key
            assert french[0].isupper() or french[0] in "«<{", key
    assert message("deprecated", "fr", name="« A »") == "« A » est obsolète."
    assert message("deprecated", "de", name="« A »") == "« A » is deprecated"
    assert count(10_000, "fr") == "10\u202f000" and count(10_000) == "10000"
    assert sentence("a phrase", "fr") == "A phrase." and sentence("a phrase") == "a phrase"


def test_every_shape_message_is_said_in_english_and_in_french() -> None:
    shapes = Graph().parse(DEFAULT_SHAPES_DIR / "skos.ttl")
    holders = set(shapes.subjects(SH.message, None))
    assert len(holders) > 20
    for holder in holders:
        said = [m for m in shapes.objects(holder, SH.message) if isinstance(m, Literal)]
        assert sorted(m.language for m in said) == ["en", "fr"], said
        english, french = sorted(said, key=lambda m: m.language)
        # A message naming its property keeps it in both languages (concept_validate reads it).
        assert re.match(r"skos:\w+: ", english) is None or str(french).startswith(
            str(english).split(": ")[0] + ": "
        )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "is on its own broader chain: related and broader at once"),
        ("fr", "est déjà un concept générique ou spécifique (direct ou non) de ce concept"),
    ],
)
def test_the_checker_picks_the_shapes_message_in_its_language(lang: str, expected: str) -> None:
    # A SPARQL constraint's messages come out of pyshacl without their language tag.
    data = Graph().parse(PROJECT_ROOT / "tests" / "data" / "related_on_broader_chain.ttl")
    data.parse(PROJECT_ROOT / "tests" / "data" / "broader_cycle.ttl")
    checker = Checker(data, [Source("data", data, True)], lang=lang)
    checker.run_shacl(load_shapes(DEFAULT_SHAPES_DIR))
    checker.check_cycles()
    messages = sorted(p.message for p in checker.problems)
    assert any(expected in m for m in messages), messages
    cycle = "cycle de concepts génériques : " if lang == "fr" else "broader cycle: "
    assert any(m.startswith(cycle) for m in messages), messages
