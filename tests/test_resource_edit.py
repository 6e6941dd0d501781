"""The resource editor's model: drafts read from forms and JSON, plans of creations and edits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from graph_service.config import PROJECT_ROOT
from graph_service.curate.edit_plan import state_token
from graph_service.curate.ingest import ingest_source
from graph_service.curate.resource_edit import (
    RESOURCE_PLANNERS,
    ResourceDraft,
    ResourceDraftError,
    _shacl_problems,
    draft_from_ingest,
    patch_lines,
    plan_resource_create,
    plan_resource_update,
    read_resource,
    resource_draft_as_json,
    resource_draft_from_form,
    resource_draft_from_json,
    resource_summary,
)
from graph_service.exceptions import Conflict, NotFound
from graph_service.namespaces import SCHEMA, graph_iri_for
from graph_service.store.build import build_store, open_current
from graph_service.store.changes import write_patch
from graph_service.store.journal import MemoryJournal
from graph_service.store.rdf_patch import row_of

P = "https://w3id.org/pdv/"
SEED = P + "resources/refonte-des-contrats-de-ville-2023"
SEED_GRAPH = graph_iri_for("resources/irev-2023-05-30-refonte-contrats-de-ville.ttl")
GUIDE = SEED + "/conseils-citoyens-levier-participation-habitants"
HTML = Path(__file__).resolve().parent / "data" / "curation" / "irev-article.html"
PAGE_URL = (
    "https://irev.fr/actualites-0/refonte-des-contrats-de-ville-un-cycle-en-cours-avec-les-"
    "pilotes-des-contrats-de-ville"
)


@pytest.fixture
def store(tmp_path: Path):
    """A writable build of the committed vocab/ (0.6 s), for tests that apply plans."""
    build_store(PROJECT_ROOT / "vocab", tmp_path)
    opened = open_current(tmp_path)
    yield opened
    opened.close()


def _apply(store, plan) -> None:
    write_patch(store, MemoryJournal(), lambda _: (plan.patch, plan.message), author="test")


def _new(**changes: object) -> ResourceDraft:
    draft = ResourceDraft(
        title={"fr": "Guide de la concertation locale"},
        description={"fr": "Un guide pratique."},
        date="2024-02-03",
        url="https://example.org/guide",
        type=P + "types/guide-pratique",
        themes=[P + "thematiques/participation-citoyenne"],
        territories=[P + "territoires/commune/59350"],
        subjects=[P + "notions/concertation"],
    )
    return replace(draft, **changes)  # type: ignore[arg-type]


# --- reading ------------------------------------------------------------------------------------


def test_read_resource_splits_themes_from_subjects(vocab_store) -> None:
    draft, token = read_resource(vocab_store, SEED)
    assert token == state_token(vocab_store, SEED)
    assert draft.iri == SEED
    assert draft.title == {
        "fr": "Refonte des contrats de ville : un cycle en cours avec les pilotes des contrats "
        "de ville"
    }
    assert set(draft.description) == {"fr", "en"}
    assert (draft.date, draft.type, draft.language) == (
        "2023-05-30",
        P + "types/actu-de-l-irev",
        "fr",
    )
    assert draft.url == PAGE_URL
    assert draft.themes == [
        P + "thematiques/participation-citoyenne",
        P + "thematiques/politique-de-la-ville-dsu",
    ]
    assert len(draft.subjects) == 9 and all("/notions/" in s for s in draft.subjects)
    assert draft.territories == [P + "territoires/commune/59350", P + "territoires/region/32"]


@pytest.mark.parametrize("iri", [P + "notions/empowerment", P + "resources/nothing", "no iri"])
def test_read_resource_refuses_what_is_no_resource(vocab_store, iri: str) -> None:
    with pytest.raises(NotFound):
        read_resource(vocab_store, iri)


# --- updates ------------------------------------------------------------------------------------


def test_an_unchanged_draft_plans_nothing(vocab_store) -> None:
    draft, token = read_resource(vocab_store, SEED)
    plan = plan_resource_update(vocab_store, draft, token)
    assert plan.ok and plan.patch.is_empty
    assert (plan.kind, plan.target, plan.base) == ("resource.update", SEED, token)


def test_an_update_changes_only_the_edited_fields(store) -> None:
    draft, token = read_resource(store, SEED)
    edited = replace(
        draft,
        date="2023-06-01",
        subjects=[s for s in draft.subjects if not s.endswith("/empowerment")],
        territories=[*draft.territories, "Roubaix"],  # an exact label, resolved
        title={**draft.title, "en": "City contracts"},
    )
    plan = plan_resource_update(store, edited, token)
    assert plan.ok, plan.problems
    s = URIRef(SEED)
    assert set(plan.patch.removed) == {
        row_of(s, DCTERMS.issued, Literal("2023-05-30", datatype=XSD.date), SEED_GRAPH),
        row_of(s, DCTERMS.subject, URIRef(P + "notions/empowerment"), SEED_GRAPH),
    }
    assert set(plan.patch.added) == {
        row_of(s, DCTERMS.issued, Literal("2023-06-01", datatype=XSD.date), SEED_GRAPH),
        row_of(s, DCTERMS.spatial, URIRef(P + "territoires/commune/59512"), SEED_GRAPH),
        row_of(s, DCTERMS.title, Literal("City contracts", lang="en"), SEED_GRAPH),
    }
    _apply(store, plan)
    after, _ = read_resource(store, SEED)
    assert after.date == "2023-06-01" and P + "territoires/commune/59512" in after.territories
    # What the form does not edit is still there: attachments, dates, references...
    assert store.ask(f"ASK {{ <{SEED}> <{DCTERMS.hasPart}> <{GUIDE}> }}")
    assert store.ask(f"ASK {{ <{SEED}> <{DCTERMS.modified}> ?d }}")
    assert store.ask(f"ASK {{ <{GUIDE}> <http://www.w3.org/ns/dcat#byteSize> ?size }}")


def test_a_field_left_as_shown_keeps_the_values_it_did_not_show(store) -> None:
    other = "https://example.org/mirror"
    store.update(
        f"INSERT DATA {{ GRAPH <{SEED_GRAPH}> {{ <{SEED}> <{DCTERMS.source}> <{other}> }} }}"
    )
    draft, token = read_resource(store, SEED)
    assert draft.url == other  # the first in order is shown
    assert plan_resource_update(store, draft, token).patch.is_empty
    changed = plan_resource_update(store, replace(draft, url="https://example.org/new"), token)
    removed = {r for r in changed.patch.removed if str(DCTERMS.source) in r}
    assert len(removed) == 2 and len(changed.patch.added) == 1


def test_a_stale_base_is_a_conflict(store) -> None:
    draft, token = read_resource(store, SEED)
    _apply(store, plan_resource_update(store, replace(draft, date="2023-06-02"), token))
    with pytest.raises(Conflict):
        plan_resource_update(store, replace(draft, date="2023-06-03"), token)


def test_an_update_of_no_resource_is_not_found(vocab_store) -> None:
    with pytest.raises(NotFound):
        plan_resource_update(vocab_store, _new(iri=P + "notions/empowerment"), "x")


# --- creations ----------------------------------------------------------------------------------


def test_a_creation_mints_the_iri_and_graph_ingest_would(store) -> None:
    plan = plan_resource_create(store, _new())
    assert plan.ok, plan.problems
    iri = P + "resources/guide-de-la-concertation-locale-2024"
    graph = graph_iri_for("resources/guide-de-la-concertation-locale-2024.ttl")
    assert (plan.kind, plan.target, plan.base) == ("resource.create", iri, "")
    assert row_of(URIRef(iri), RDF.type, SCHEMA.CreativeWork, graph) in plan.patch.added
    assert all(row.endswith(f"<{graph}>") for row in plan.patch.added)
    assert not plan.patch.removed
    _apply(store, plan)
    draft, _ = read_resource(store, iri)
    assert draft == _new(iri=iri)
    # The same title and year again: a new IRI, not the first one's
    again = plan_resource_create(store, _new())
    assert again.target == iri + "-2"


def test_news_are_news_articles_and_a_taken_slug_gets_a_number(vocab_store) -> None:
    plan = plan_resource_create(
        vocab_store,
        _new(
            title={"fr": "Refonte des contrats de ville"},
            date="2023-01-01",
            type=P + "types/actu-de-l-irev",
        ),
    )
    assert plan.target == SEED + "-2"  # the seed has the slug
    assert any(f"<{RDF.type}> <{SCHEMA.NewsArticle}>" in row for row in plan.patch.added)


def test_a_kept_iri_that_is_taken_since_is_a_conflict(vocab_store) -> None:
    with pytest.raises(Conflict):
        plan_resource_create(vocab_store, _new(iri=SEED))
    with pytest.raises(ResourceDraftError):
        plan_resource_create(vocab_store, _new(iri=P + "notions/x"))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": {}}, "title.fr", "title is required"),
        ({"date": ""}, "date", "required"),
        ({"date": "2024-02-30"}, "date", "yyyy-mm-dd"),
        ({"date": "3 février 2024"}, "date", "not a date"),
        ({"url": "ftp://example.org/x"}, "url", "http"),
        ({"url": "example.org"}, "url", "http"),
        ({"type": ""}, "type", "choose"),
        ({"type": P + "notions/empowerment"}, "type", "types scheme"),
        ({"themes": [P + "notions/empowerment"]}, "themes", "thematiques scheme"),
        ({"territories": [P + "notions/empowerment"]}, "territories", "territoires scheme"),
        ({"territories": ["Bailleul"]}, "territories", "label of 2 concepts"),
        ({"subjects": [P + "notions/nothing-like-it"]}, "subjects", "not a concept"),
        ({"subjects": ["Nothing like it"]}, "subjects", "no concept is labelled"),
        ({"subjects": [], "themes": []}, "subjects", "a subject or a theme"),
        ({"language": "français!"}, "language", "language code"),
    ],
)
def test_problems_are_filed_under_their_field(vocab_store, changes, field, words) -> None:
    plan = plan_resource_create(vocab_store, _new(**changes))
    assert not plan.ok
    assert any(words in p.message for p in plan.problems_of(field)), plan.problems


def test_labels_resolve_within_their_scheme(vocab_store) -> None:
    plan = plan_resource_create(
        vocab_store, _new(subjects=["démocratie PARTICIPATIVE"], territories=["Lille"])
    )
    assert plan.ok, plan.problems
    assert any(f"<{P}notions/democratie-participative>" in row for row in plan.patch.added)
    assert any(f"<{P}territoires/commune/59350>" in row for row in plan.patch.added)


def test_the_shapes_are_mapped_to_fields(vocab_store) -> None:
    s = URIRef(P + "resources/x")
    after = [
        (s, RDF.type, SCHEMA.CreativeWork),
        (s, DCTERMS.title, Literal("x")),  # no language tag
        (s, DCTERMS.type, URIRef(P + "notions/empowerment")),
        (s, DCTERMS.subject, URIRef(P + "notions/empowerment")),
    ]
    found = {p.field: p.message for p in _shacl_problems(vocab_store, str(s), after, set())}
    assert "language tag" in found["title.fr"]
    assert "issue date" in found["date"]
    assert "types scheme" in found["type"]
    assert "subjects" not in found


# --- drafts from forms and JSON -------------------------------------------------------------------


def test_a_form_gives_a_draft_with_lines_split_and_repeats_dropped() -> None:
    draft = resource_draft_from_form(
        {
            "title.fr": ["  Un   titre "],
            "title.de": ["Ein Titel"],
            "title.en": [""],
            "description.fr": ["Ligne 1\r\nLigne 2  "],
            "date": ["2024-02-03"],
            "subjects": [
                "https://w3id.org/pdv/notions/a",
                "Lille\n\n https://w3id.org/pdv/notions/a ",
            ],
            "themes": ["https://w3id.org/pdv/thematiques/t"],
        }
    )
    assert draft.title == {"fr": "Un titre", "de": "Ein Titel"}
    assert draft.description == {"fr": "Ligne 1\nLigne 2"}
    assert draft.subjects == ["https://w3id.org/pdv/notions/a", "Lille"]
    assert (draft.language, draft.iri, draft.territories) == ("fr", "", [])


def test_json_round_trips_and_refuses_wrong_shapes() -> None:
    draft = _new(iri=P + "resources/x", title={"fr": "T", "en": "T"})
    assert resource_draft_from_json(resource_draft_as_json(draft)) == draft
    assert resource_draft_from_json({"title": "Titre"}).title == {"fr": "Titre"}
    with pytest.raises(ResourceDraftError) as caught:
        resource_draft_from_json({"title": ["x"], "subjects": "a", "date": 3})
    assert {p.field for p in caught.value.problems} == {"title", "subjects", "date"}
    assert caught.value.status == 422
    with pytest.raises(ResourceDraftError):
        resource_draft_from_json([1, 2])
    with pytest.raises(ResourceDraftError):
        resource_draft_from_json({"subjects": [f"x{n}" for n in range(201)]})
    with pytest.raises(ResourceDraftError):
        resource_draft_from_form({"title.fr": ["x" * 1001]})


# --- actions, summaries, ingest ----------------------------------------------------------------


def test_planners_plan_actions_and_summaries_say_what_they_do(vocab_store) -> None:
    action = {"kind": "resource.create", "draft": resource_draft_as_json(_new())}
    plan = RESOURCE_PLANNERS["resource.create"](vocab_store, action)
    assert plan.ok and plan.kind == "resource.create"
    assert resource_summary(vocab_store, action) == (
        "Nouvelle ressource « Guide de la concertation locale »"
    )
    draft, token = read_resource(vocab_store, SEED)
    update = {"kind": "resource.update", "draft": resource_draft_as_json(draft), "base": token}
    assert RESOURCE_PLANNERS["resource.update"](vocab_store, update).patch.is_empty
    summary = resource_summary(
        vocab_store, {"kind": "resource.update", "draft": {"iri": SEED}}, "en"
    )
    assert summary.startswith("Edit of the resource “Refonte des contrats")
    with pytest.raises(ResourceDraftError):
        RESOURCE_PLANNERS["resource.update"](vocab_store, {"draft": update["draft"]})


def test_a_draft_from_ingest_prefills_a_new_resource(vocab_store) -> None:
    result = ingest_source(vocab_store, str(HTML), source_url=PAGE_URL)
    draft = draft_from_ingest(vocab_store, result)
    assert draft.iri == ""
    assert draft.title["fr"].startswith("Refonte des contrats de ville : un cycle")
    assert (draft.date, draft.url, draft.language) == ("2023-05-30", PAGE_URL, "fr")
    assert draft.type.startswith(P + "types/")
    assert draft.themes and all("/thematiques/" in t for t in draft.themes)
    assert draft.subjects and not set(draft.subjects) & set(draft.themes)
    plan = plan_resource_create(vocab_store, draft)
    assert plan.ok, plan.problems
    assert plan.target == result.iri  # the IRI ingest would have written, made unique


def test_patch_lines_show_removals_then_additions(vocab_store) -> None:
    draft, token = read_resource(vocab_store, SEED)
    plan = plan_resource_update(vocab_store, replace(draft, date="2023-06-01"), token)
    lines = patch_lines(plan.patch)
    assert [(line.added, line.value) for line in lines] == [
        (False, "2023-05-30"),
        (True, "2023-06-01"),
    ]
    assert lines[0].predicate == str(DCTERMS.issued) and not lines[0].is_iri


def test_problems_are_said_in_french_when_asked(vocab_store) -> None:
    plan = plan_resource_create(vocab_store, _new(date="demain", subjects=["Rien"]), lang="fr")
    said = {p.field: p.message for p in plan.problems}
    assert said["date"] == "« demain » n’est pas une date : écrivez-la aaaa-mm-jj (2023-05-30)"
    assert said["subjects"] == "aucun concept n’a pour libellé « Rien » : donnez son IRI"
