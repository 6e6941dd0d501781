"""The concept editor's model: drafts read from forms and JSON, and the plans of each edit,
computed, validated and applied on a real store holding the real vocab/."""

from __future__ import annotations

import pytest

from graph_service.config import PROJECT_ROOT
from graph_service.curate.concept_draft import (
    ConceptDraft,
    DraftError,
    draft_as_form,
    draft_as_json,
    draft_from_form,
    draft_from_json,
)
from graph_service.curate.concept_edit import (
    PLANNERS,
    action_summary,
    plan_action,
    plan_create,
    plan_deprecate,
    plan_merge,
    plan_update,
    read_draft,
)
from graph_service.curate.edit_plan import EditPlan, state_token
from graph_service.exceptions import Conflict, NotFound
from graph_service.namespaces import graph_iri_for
from graph_service.store import Store
from graph_service.store.changes import write_patch
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.journal import MemoryJournal

N = "https://w3id.org/pdv/notions/"
NOTIONS = "https://w3id.org/pdv/notions"
NOTIONS_GRAPH = graph_iri_for("notions.ttl")
THEMES_GRAPH = graph_iri_for("thematiques.ttl")
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
RESOURCE = "https://w3id.org/pdv/resources/refonte-des-contrats-de-ville-2023"
GUIDE = RESOURCE + "/conseils-citoyens-levier-participation-habitants"
FOREIGN = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/tiny/scheme> a skos:ConceptScheme ; skos:prefLabel "Tiny"@en ;
    skos:hasTopConcept <http://example.org/tiny/a> .
<http://example.org/tiny/a> a skos:Concept ; skos:inScheme <http://example.org/tiny/scheme> ;
    skos:topConceptOf <http://example.org/tiny/scheme> ; skos:prefLabel "Alpha"@fr .
"""


@pytest.fixture
def store() -> EmbeddedStore:
    """The committed vocab/ in a store of its own (one graph per file), to write to."""
    vocab = PROJECT_ROOT / "vocab"
    store = EmbeddedStore()
    for path in sorted(vocab.rglob("*.ttl")):
        store.load(path, "turtle", graph=graph_iri_for(str(path.relative_to(vocab))))
    store.load(FOREIGN, "turtle", graph="http://example.org/tiny")
    return store


def apply(store: Store, plan: EditPlan) -> None:
    """Commit a plan's patch as the web layer does (the journal first, then the store)."""
    assert plan.ok, plan.problems
    write_patch(store, MemoryJournal(), lambda _: (plan.patch, plan.message), author="test")


def has(store: Store, s: str, p: str, o: str, graph: str | None = None) -> bool:
    obj = o if o.startswith(('"', "<")) else f"<{o}>"
    pattern = f"<{s}> <{p}> {obj}"
    if graph is None:
        return store.ask(f"ASK {{ {pattern} }}")
    return store.ask(f"ASK {{ GRAPH <{graph}> {{ {pattern} }} }}")


def fields(plan: EditPlan, severity: str = "error") -> set[str]:
    return {p.field for p in plan.problems if p.severity == severity}


def draft(**values: object) -> ConceptDraft:
    data: dict[str, object] = {"scheme": NOTIONS, **values}
    return draft_from_json(data)


def edited(store: Store, iri: str, **changes: object) -> tuple[ConceptDraft, str]:
    """A concept's draft with some keys of its JSON replaced, and its state token."""
    current, token = read_draft(store, iri)
    return draft_from_json({**draft_as_json(current), **changes}), token


# --- create ------------------------------------------------------------------------------------


def test_create_under_a_concept_mints_the_iri_links_both_ways_and_reads_back(store) -> None:
    new = draft(
        prefLabel={"fr": "Budget participatif jeunesse", "en": "Youth participatory budget"},
        altLabel={"fr": ["budget participatif des jeunes"]},
        definition={"fr": "Budget participatif réservé aux projets proposés par des jeunes."},
        broader=[N + "democratie-participative"],
        related=[N + "budget-participatif"],
        exactMatch=["http://www.wikidata.org/entity/Q1"],
    )
    plan = plan_create(store, new)
    iri = N + "budget-participatif-jeunesse"
    assert (plan.kind, plan.target, plan.base) == ("concept.create", iri, "")
    assert plan.message == "Create concept « Budget participatif jeunesse »"
    assert plan.problems == ()
    # Every new statement goes into the notions graph, none into the default graph.
    assert all(row.endswith(f"<{NOTIONS_GRAPH}>") for row in plan.patch.added)
    assert plan.patch.removed == ()
    apply(store, plan)
    assert has(store, iri, SKOS + "inScheme", NOTIONS, NOTIONS_GRAPH)
    assert has(store, iri, SKOS + "broader", N + "democratie-participative", NOTIONS_GRAPH)
    assert has(store, N + "democratie-participative", SKOS + "narrower", iri, NOTIONS_GRAPH)
    assert has(store, N + "budget-participatif", SKOS + "related", iri, NOTIONS_GRAPH)
    assert not has(store, iri, SKOS + "topConceptOf", NOTIONS)
    read, token = read_draft(store, iri)
    assert read == ConceptDraft(**{**new.__dict__, "iri": iri})
    assert token == state_token(store, iri)


def test_create_without_broader_makes_a_top_concept(store) -> None:
    plan = plan_create(store, draft(prefLabel={"fr": "Urbanisme tactique"}))
    assert plan.ok, plan.problems
    apply(store, plan)
    iri = N + "urbanisme-tactique"
    assert has(store, iri, SKOS + "topConceptOf", NOTIONS, NOTIONS_GRAPH)
    assert has(store, NOTIONS, SKOS + "hasTopConcept", iri, NOTIONS_GRAPH)


def test_create_makes_the_iri_unique(store) -> None:
    # A different label (the folded texts differ) whose slug is taken.
    plan = plan_create(store, draft(prefLabel={"fr": "Concertation !"}))
    assert plan.ok, plan.problems
    assert plan.target == N + "concertation-2"


def test_create_refuses_foreign_and_unknown_schemes(store) -> None:
    for scheme in ("http://example.org/tiny/scheme", N + "nothing-here", ""):
        with pytest.raises(DraftError) as caught:
            plan_create(store, draft(scheme=scheme, prefLabel={"fr": "Nouveau"}))
        assert [p.field for p in caught.value.problems] == ["scheme"]
        assert caught.value.status == 422


# --- update ------------------------------------------------------------------------------------


def test_update_changes_the_labels_only(store) -> None:
    iri = N + "conseil-citoyen"
    changed, token = edited(
        store,
        iri,
        prefLabel={"fr": "Conseil citoyen", "en": "Citizens' panel"},
        altLabel={"fr": ["conseils citoyens", "CC"]},
    )
    plan = plan_update(store, changed, token)
    assert plan.ok, plan.problems
    assert (plan.kind, plan.target, plan.base) == ("concept.update", iri, token)
    assert plan.patch.removed == (
        f'<{iri}> <{SKOS}prefLabel> "Citizens\' council"@en <{NOTIONS_GRAPH}>',
    )
    assert sorted(plan.patch.added) == [
        f'<{iri}> <{SKOS}altLabel> "CC"@fr <{NOTIONS_GRAPH}>',
        f'<{iri}> <{SKOS}prefLabel> "Citizens\' panel"@en <{NOTIONS_GRAPH}>',
    ]
    apply(store, plan)
    assert read_draft(store, iri)[0] == changed
    assert has(store, iri, DCT + "created", '"2023-05-30"^^<http://www.w3.org/2001/XMLSchema#date>')


def test_move_updates_the_back_links(store) -> None:
    iri = N + "information"
    moved, token = edited(store, iri, broader=[N + "participation-citoyenne"])
    plan = plan_update(store, moved, token)
    assert plan.ok, plan.problems
    apply(store, plan)
    assert not has(store, N + "democratie-participative", SKOS + "narrower", iri)
    assert has(store, N + "participation-citoyenne", SKOS + "narrower", iri, NOTIONS_GRAPH)
    assert not has(store, iri, SKOS + "topConceptOf", NOTIONS)
    # Without broader it becomes a top concept; given one again, it is none any more.
    top, token = edited(store, iri, broader=[])
    apply(store, plan_update(store, top, token))
    assert has(store, iri, SKOS + "topConceptOf", NOTIONS, NOTIONS_GRAPH)
    assert has(store, NOTIONS, SKOS + "hasTopConcept", iri, NOTIONS_GRAPH)
    assert not has(store, N + "participation-citoyenne", SKOS + "narrower", iri)
    under, token = edited(store, iri, broader=[N + "democratie"])
    apply(store, plan_update(store, under, token))
    assert not has(store, iri, SKOS + "topConceptOf", NOTIONS)
    assert not has(store, NOTIONS, SKOS + "hasTopConcept", iri)
    assert has(store, N + "democratie", SKOS + "narrower", iri, NOTIONS_GRAPH)


def test_related_links_are_added_and_removed_both_ways(store) -> None:
    iri = N + "co-construction"
    current, _ = read_draft(store, iri)
    assert N + "habitant" in current.related
    wanted = [N + "concertation", N + "diagnostic-partage"]
    changed, token = edited(store, iri, related=wanted)
    apply(store, plan_update(store, changed, token))
    assert has(store, N + "diagnostic-partage", SKOS + "related", iri, NOTIONS_GRAPH)
    assert has(store, iri, SKOS + "related", N + "diagnostic-partage", NOTIONS_GRAPH)
    assert not has(store, iri, SKOS + "related", N + "habitant")
    assert not has(store, N + "habitant", SKOS + "related", iri)
    assert read_draft(store, iri)[0].related == wanted


def test_a_stale_base_is_a_conflict(store) -> None:
    iri = N + "consultation"
    first, token = edited(store, iri, notation="C1")
    apply(store, plan_update(store, first, token))
    second = draft_from_json({**draft_as_json(first), "notation": "C2"})
    with pytest.raises(Conflict) as caught:
        plan_update(store, second, token)
    assert caught.value.status == 409


def test_update_of_an_unknown_concept_is_not_found(store) -> None:
    with pytest.raises(NotFound):
        plan_update(store, draft(prefLabel={"fr": "X"}, uri=N + "nothing-here"), "t")
    with pytest.raises(NotFound):
        read_draft(store, NOTIONS)


# --- refusals ----------------------------------------------------------------------------------


def test_a_label_used_twice_in_a_language_is_refused(store) -> None:
    # Another concept of the scheme has it (compared folded), or the concept has it twice.
    plan = plan_create(store, draft(prefLabel={"fr": "concertation"}))
    assert fields(plan) == {"prefLabel.fr"}
    assert "Concertation" in plan.problems_of("prefLabel.fr")[0].message
    clash = draft(prefLabel={"fr": "Atelier urbain"}, altLabel={"fr": ["Atelier urbain"]})
    plan = plan_create(store, clash)
    assert fields(plan) == {"altLabel.fr"}
    assert "both a preferred and an alternative label" in plan.problems_of("altLabel.fr")[0].message
    with pytest.raises(DraftError) as caught:
        draft_from_form({"scheme": [NOTIONS], "prefLabel.fr": ["Un", "Deux"]})
    assert [p.field for p in caught.value.problems] == ["prefLabel.fr"]
    renamed, token = edited(store, N + "consultation", prefLabel={"fr": "Concertation"})
    assert fields(plan_update(store, renamed, token)) == {"prefLabel.fr"}


def test_a_broader_cycle_is_refused(store) -> None:
    looped, token = edited(store, N + "concertation", broader=[N + "concertation-prealable"])
    plan = plan_update(store, looped, token)
    assert fields(plan) == {"broader"}
    assert "cycle" in plan.problems_of("broader")[0].message
    assert not plan.ok and plan.patch.added  # the preview still has the patch


def test_a_related_link_along_a_broader_chain_is_refused(store) -> None:
    chained, token = edited(
        store, N + "concertation-prealable", related=[N + "participation-citoyenne"]
    )
    plan = plan_update(store, chained, token)
    assert fields(plan) == {"related"}
    message = plan.problems_of("related")[0].message
    assert "Participation citoyenne" in message and "broader chain" in message
    assert len(plan.problems) == 1  # reported on both concepts, shown once


def test_a_french_label_is_required(store) -> None:
    plan = plan_create(store, draft(prefLabel={"en": "Tactical urbanism"}))
    assert fields(plan) == {"prefLabel.fr"}
    unnamed, token = edited(store, N + "consultation", prefLabel={})
    assert fields(plan_update(store, unnamed, token)) == {"prefLabel.fr"}


def test_unknown_or_deprecated_links_are_refused(store) -> None:
    plan = plan_create(
        store,
        draft(
            prefLabel={"fr": "Nouveau"},
            broader=[N + "nothing-here"],
            related=[N + "zone-urbaine-sensible"],
        ),
    )
    assert fields(plan) == {"broader", "related"}
    assert "nothing-here" in plan.problems_of("broader")[0].message
    assert "deprecated" in plan.problems_of("related")[0].message
    assert len(plan.problems_of("broader")) == 1  # not once more by the shapes


def test_problems_the_data_had_before_do_not_block(store) -> None:
    # A neighbour's fault older than the edit: two French preferred labels.
    store.update(
        f"INSERT DATA {{ GRAPH <{NOTIONS_GRAPH}> {{ <{N}budget-participatif> "
        f'<{SKOS}prefLabel> "Budget citoyen"@fr }} }}'
    )
    plan = plan_create(
        store, draft(prefLabel={"fr": "Budget jeunesse"}, related=[N + "budget-participatif"])
    )
    assert plan.ok, plan.problems


def test_a_fault_the_concept_had_before_is_shown_as_a_warning(store) -> None:
    iri = N + "concertation-prealable"
    store.update(
        f"INSERT DATA {{ GRAPH <{NOTIONS_GRAPH}> {{ <{iri}> <{SKOS}related> "
        f"<{N}participation-citoyenne> }} }}"
    )
    changed, token = edited(store, iri, scopeNote={"fr": "Lieu d'information."})
    plan = plan_update(store, changed, token)
    assert plan.ok
    (warning,) = plan.problems
    assert warning.field == "related" and warning.severity == "warning"
    assert warning.message.endswith("(already so before this edit)")


def test_an_edit_of_the_territories_is_checked_around_the_edited_concept(store) -> None:
    # The territories' graph is too large to be read whole: the context is the neighbourhood.
    region = "https://w3id.org/pdv/territoires/region/32"
    renamed, token = edited(store, region, altLabel={"fr": ["Région Hauts-de-France", "HdF"]})
    plan = plan_update(store, renamed, token)
    assert plan.ok, plan.problems
    assert plan.patch.added == (
        f'<{region}> <{SKOS}altLabel> "HdF"@fr <{graph_iri_for("territoires.ttl")}>',
    )
    looped, token = edited(
        store, region, broader=["https://w3id.org/pdv/territoires/commune/59350"]
    )
    assert fields(plan_update(store, looped, token)) == {"broader"}


def test_deprecate_keeps_the_labels_and_reattaches_the_children(store) -> None:
    iri = N + "concertation"
    token = state_token(store, iri)
    plan = plan_deprecate(store, iri, N + "co-construction", token)
    assert plan.ok, plan.problems
    assert plan.message == "Deprecate concept « Concertation », replaced by « Co-construction »"
    apply(store, plan)
    assert has(store, iri, OWL + "deprecated", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>')
    assert has(store, iri, DCT + "isReplacedBy", N + "co-construction", NOTIONS_GRAPH)
    assert has(store, N + "co-construction", DCT + "replaces", iri, NOTIONS_GRAPH)
    assert has(store, iri, SKOS + "prefLabel", '"Concertation"@fr')
    assert has(store, iri, SKOS + "inScheme", NOTIONS)
    for p in ("broader", "narrower", "related"):
        assert not store.ask(
            f"ASK {{ {{ <{iri}> <{SKOS}{p}> ?x }} UNION {{ ?x <{SKOS}{p}> <{iri}> }} }}"
        )
    # Its narrower concept moved up to its broader one.
    child = N + "concertation-prealable"
    assert has(store, child, SKOS + "broader", N + "participation-citoyenne", NOTIONS_GRAPH)
    assert has(store, N + "participation-citoyenne", SKOS + "narrower", child, NOTIONS_GRAPH)
    # The resource indexed with it still is.
    assert has(store, RESOURCE, DCT + "subject", iri)
    again = plan_deprecate(store, iri, "", state_token(store, iri))
    assert not again.ok and "deprecated already" in again.problems[0].message


def test_deprecating_a_top_concept_makes_its_children_top_concepts(store) -> None:
    iri = N + "cadre-legislatif"
    children = read_draft_narrower(store, iri)
    assert children
    apply(store, plan_deprecate(store, iri, "", state_token(store, iri)))
    assert not has(store, NOTIONS, SKOS + "hasTopConcept", iri)
    for child in children:
        assert has(store, child, SKOS + "topConceptOf", NOTIONS, NOTIONS_GRAPH)
        assert has(store, NOTIONS, SKOS + "hasTopConcept", child, NOTIONS_GRAPH)


def read_draft_narrower(store: EmbeddedStore, iri: str) -> list[str]:
    rows = store.select(f"SELECT ?c WHERE {{ ?c <{SKOS}broader> <{iri}> }}")
    return sorted(str(row["c"]) for row in rows)


def test_deprecate_checks_the_replacement(store) -> None:
    iri = N + "concertation"
    token = state_token(store, iri)
    assert fields(plan_deprecate(store, iri, iri, token)) == {"replacement"}
    assert fields(plan_deprecate(store, iri, N + "nothing-here", token)) == {"replacement"}
    foreign = plan_deprecate(store, iri, "http://example.org/tiny/a", token)
    assert fields(foreign) == {"replacement"}
    with pytest.raises(Conflict):
        plan_deprecate(store, iri, "", "stale")


# --- merge -------------------------------------------------------------------------------------


def test_merge_moves_labels_and_links_then_deprecates_the_loser(store) -> None:
    loser, winner = N + "conseil-citoyen", N + "conseil-de-quartier"
    plan = plan_merge(store, loser, winner, state_token(store, loser))
    assert plan.ok, plan.problems
    assert plan.message == "Merge concept « Conseil citoyen » into « Conseil de quartier »"
    apply(store, plan)
    merged, _ = read_draft(store, winner)
    assert merged.pref_label == {"fr": "Conseil de quartier", "en": "Neighbourhood council"}
    assert merged.alt_label == {
        "fr": ["Conseil citoyen", "conseils citoyens"],
        "en": ["Citizens' council"],
    }
    assert N + "table-de-quartier" in merged.related
    assert has(store, N + "table-de-quartier", SKOS + "related", winner)
    # Resources and other schemes' mappings point at the winner now, in their own graphs.
    assert has(
        store,
        GUIDE,
        DCT + "subject",
        winner,
        graph_iri_for("resources/irev-2023-05-30-refonte-contrats-de-ville.ttl"),
    )
    assert not store.ask(f"ASK {{ ?s ?p <{loser}> FILTER (?p != <{DCT}replaces>) }}")
    assert store.ask(f"ASK {{ GRAPH <{THEMES_GRAPH}> {{ ?t <{SKOS}closeMatch> <{winner}> }} }}")
    # The loser stays, deprecated, replaced by the winner, with its preferred labels.
    assert has(store, loser, DCT + "isReplacedBy", winner)
    assert has(store, loser, SKOS + "prefLabel", '"Conseil citoyen"@fr')
    assert not has(store, loser, SKOS + "altLabel", '"conseils citoyens"@fr')
    assert not has(store, loser, SKOS + "broader", N + "democratie-participative")


def test_merge_refusals(store) -> None:
    loser = N + "conseil-citoyen"
    token = state_token(store, loser)
    assert fields(plan_merge(store, loser, loser, token)) == {"winner"}
    assert fields(plan_merge(store, loser, N + "nothing-here", token)) == {"winner"}
    foreign = plan_merge(store, loser, "http://example.org/tiny/a", token)
    assert "another concept scheme" in foreign.problems_of("winner")[0].message
    assert "winner" in fields(plan_merge(store, loser, N + "zone-urbaine-sensible", token))
    with pytest.raises(Conflict):
        plan_merge(store, loser, N + "conseil-de-quartier", "stale")


def test_merge_does_not_make_cycles(store) -> None:
    # The loser's broader concept is under the winner: it is not moved, and the plan says so.
    loser, winner = N + "petition", N + "participation-citoyenne"
    plan = plan_merge(store, loser, winner, state_token(store, loser))
    assert plan.ok, plan.problems
    assert any("cycle" in p.message for p in plan.problems if p.severity == "warning")
    apply(store, plan)
    assert not has(store, winner, SKOS + "broader", N + "initiative-citoyenne")


# --- a remote store ----------------------------------------------------------------------------


def test_the_editor_works_on_a_remote_store(oxigraph_server) -> None:
    # A remote's default graph is the union of its graphs: each statement is read twice.
    remote = oxigraph_server.remote_store()
    vocab = PROJECT_ROOT / "vocab"
    for name in ("notions.ttl", "thematiques.ttl", "types.ttl"):
        remote.load(vocab / name, "turtle", graph=graph_iri_for(name))
    new = draft(prefLabel={"fr": "Budget jeunesse"}, broader=[N + "budget-participatif"])
    plan = plan_create(remote, new)
    assert plan.ok, plan.problems
    assert all(row.endswith(f"<{NOTIONS_GRAPH}>") for row in plan.patch.added)
    apply(remote, plan)
    iri = N + "budget-jeunesse"
    read, token = read_draft(remote, iri)
    assert read == ConceptDraft(**{**new.__dict__, "iri": iri})
    assert token == state_token(remote, iri)
    moved = draft_from_json({**draft_as_json(read), "broader": [N + "democratie-participative"]})
    plan = plan_update(remote, moved, token)
    assert plan.ok, plan.problems
    assert len(plan.patch.removed) == 2 and len(plan.patch.added) == 2
    apply(remote, plan)
    assert not has(remote, N + "budget-participatif", SKOS + "narrower", iri)
    looped, token = edited(remote, N + "democratie-participative", broader=[iri])
    assert fields(plan_update(remote, looped, token)) == {"broader"}


# --- actions -----------------------------------------------------------------------------------


def test_planners_replay_actions(store) -> None:
    new = draft(
        prefLabel={"fr": "Budget participatif jeunesse"}, broader=[N + "democratie-participative"]
    )
    action = {"kind": "concept.create", "draft": draft_as_json(new)}
    assert PLANNERS["concept.create"](store, action) == plan_create(store, new)
    assert (
        action_summary(store, action)
        == "Nouveau concept « Budget participatif jeunesse » sous « Démocratie participative »"
    )
    assert action_summary(store, action, "en") == (
        "New concept « Budget participatif jeunesse » under « Participatory democracy »"
    )
    iri = N + "information"
    moved, token = edited(store, iri, broader=[N + "democratie"])
    update = {"kind": "concept.update", "draft": draft_as_json(moved), "base": token}
    assert plan_action(store, update).patch == plan_update(store, moved, token).patch
    assert action_summary(store, update) == (
        "Modification du concept « Information », déplacé sous « Démocratie »"
    )
    deprecate = {
        "kind": "concept.deprecate",
        "uri": N + "concertation",
        "replacement": "",
        "base": state_token(store, N + "concertation"),
    }
    assert plan_action(store, deprecate).kind == "concept.deprecate"
    assert action_summary(store, deprecate) == "Concept « Concertation » déclaré obsolète"
    merge = {
        "kind": "concept.merge",
        "loser": N + "conseil-citoyen",
        "winner": N + "conseil-de-quartier",
        "base": state_token(store, N + "conseil-citoyen"),
    }
    assert plan_action(store, merge).kind == "concept.merge"
    assert action_summary(store, merge, "en") == (
        "Merge of « Citizens' council » into « Neighbourhood council »"
    )
    for bad in ({"kind": "concept.explode"}, {"kind": "concept.update", "draft": {}}):
        with pytest.raises(DraftError):
            plan_action(store, bad)
    with pytest.raises(DraftError) as caught:
        plan_action(store, {"kind": "concept.merge", "loser": N + "x", "winner": 3, "base": "t"})
    assert [p.field for p in caught.value.problems] == ["winner"]
    assert action_summary(store, {"kind": "concept.explode"}) == (
        "Modification non reconnue (concept.explode)"
    )


# --- drafts ------------------------------------------------------------------------------------


def test_draft_from_json_lists_every_problem_with_its_field() -> None:
    with pytest.raises(DraftError) as caught:
        draft_from_json(
            {
                "scheme": "not an iri",
                "prefLabel": {"fr": "A" * 501, "f r": "B", "en": ["C"]},
                "altLabel": {"fr": "not a list"},
                "definition": {"fr": "ok\u0000"},
                "broader": ["https://ok.example/a", "bad iri"],
                "exactMatch": "http://example.org/x",
                "colour": "blue",
            }
        )
    assert {p.field for p in caught.value.problems} == {
        "scheme",
        "prefLabel.fr",
        "prefLabel.f r",
        "prefLabel.en",
        "altLabel.fr",
        "definition.fr",
        "broader",
        "exactMatch",
        "colour",
    }
    assert caught.value.status == 422
    with pytest.raises(DraftError):
        draft_from_json(["not", "an", "object"])
    with pytest.raises(DraftError) as caught:
        draft_from_json({"uri": N + "a"}, iri=N + "b")
    assert [p.field for p in caught.value.problems] == ["uri"]


def test_draft_from_form_reads_lines_trims_and_names_bad_fields() -> None:
    form = {
        "uri": [""],
        "scheme": [NOTIONS],
        "prefLabel.fr": ["  Budget   participatif jeunesse "],
        "prefLabel.en": [""],
        "altLabel.fr": ["budget jeune\r\n\r\n  budget des jeunes \n"],
        "definition.FR": ["Ligne un.\r\nLigne deux.  "],
        "broader": [N + "democratie-participative", ""],
        "related": [f"{N}budget-participatif\n{N}co-decision"],
        "exactMatch": [""],
        "csrf_token": ["whatever"],
    }
    read = draft_from_form(form)
    assert read == ConceptDraft(
        scheme=NOTIONS,
        pref_label={"fr": "Budget participatif jeunesse"},
        alt_label={"fr": ["budget des jeunes", "budget jeune"]},
        definition={"fr": "Ligne un.\nLigne deux."},
        broader=[N + "democratie-participative"],
        related=[N + "budget-participatif", N + "co-decision"],
    )
    with pytest.raises(DraftError) as caught:
        draft_from_form(
            {
                "scheme": ["nope"],
                "prefLabel.xx_1": ["Label"],
                "prefLabel.en": ["Two\nlines"],
                "broader": ["http://ok.example/a", "<bad>"],
                "notation": ["a", "b"],
            }
        )
    assert {p.field for p in caught.value.problems} == {
        "scheme",
        "prefLabel.xx_1",
        "prefLabel.en",
        "broader",
        "notation",
    }


def test_json_and_form_round_trips(store) -> None:
    current, _ = read_draft(store, N + "empowerment")
    assert current.hidden_label == {"fr": ["empowerement"]}
    assert draft_from_json(draft_as_json(current)) == current
    assert draft_from_form(draft_as_form(current)) == current
    with_all = ConceptDraft(
        scheme=NOTIONS,
        pref_label={"fr": "A", "en": "B"},
        alt_label={"fr": ["c", "d"]},
        hidden_label={"en": ["e"]},
        definition={"fr": "Deux\nlignes"},
        scope_note={"en": "f"},
        editorial_note={"fr": "g"},
        notation="02",
        broader=[N + "a"],
        related=[N + "b"],
        mappings={"closeMatch": ["http://example.org/c"], "relatedMatch": ["http://example.org/d"]},
    )
    assert draft_from_json(draft_as_json(with_all)) == with_all
    assert draft_from_form(draft_as_form(with_all)) == with_all


def test_a_draft_is_equal_whatever_the_order_of_its_values() -> None:
    one = ConceptDraft(alt_label={"en": ["b", "a"], "fr": ["x"]}, broader=["http://b", "http://a"])
    two = ConceptDraft(
        alt_label={"fr": ["x"], "en": ["a", "b", "a"]}, broader=["http://a", "http://b"]
    )
    assert one == two
    assert list(one.alt_label) == ["fr", "en"]
