"""The concept editor in the browser's forms and for scripts: proposals, review, refusals.

One build of the committed vocab/ per module, written to by the tests (each on concepts of
its own), with an editor, a contributor and an admin account.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    CSRF_FIELD,
    LIBRARIAN_PASSWORD,
    librarians_data_dir,
    signed_in,
    writable_app,
)
from flask import Flask
from flask.testing import FlaskClient

from graph_service.curate.proposals import ProposalStore
from graph_service.store.journal import Journal

PASSWORD = LIBRARIAN_PASSWORD
TOKEN = "editor-test-update-token"
TOKEN_FIELD = CSRF_FIELD
BASE_FIELD = re.compile(r'name="base" value="([^"]*)"')
NOTIONS = "https://w3id.org/pdv/notions"
DEMOCRATIE_PARTICIPATIVE = f"{NOTIONS}/democratie-participative"
CONCERTATION = f"{NOTIONS}/concertation"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return librarians_data_dir(
        tmp_path_factory.mktemp("editor-data"), ed="editor", con="contributor", adm="admin"
    )


@pytest.fixture(scope="module")
def app(data_dir: Path) -> Iterator[Flask]:
    with writable_app(data_dir, TOKEN) as app:
        yield app


def _form(client: FlaskClient, path: str) -> tuple[str, str]:
    """The CSRF token and the state token (base) of a form page."""
    page = client.get(path, headers=HTML)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    text = page.get_data(as_text=True)
    base = BASE_FIELD.search(text)
    return TOKEN_FIELD.search(text).group(1), base.group(1) if base else ""  # type: ignore[union-attr]


def _new_concept(client: FlaskClient, label: str, action: str = "save", **fields: object):
    csrf, _ = _form(client, f"/curation/concepts/new?broader={DEMOCRATIE_PARTICIPATIVE}")
    data: dict[str, object] = {
        "csrf_token": csrf, "scheme": NOTIONS, "prefLabel.fr": label,
        "definition.fr": f"Définition d’essai de {label}.", "broader": DEMOCRATIE_PARTICIPATIVE,
        "action": action, **fields,
    }  # fmt: skip
    return client.post("/curation/concepts", data=data, headers=HTML)


def _journal_size(data_dir: Path) -> int:
    return Journal(data_dir).last_seq()


def test_a_contributors_concept_is_a_proposal_until_an_editor_approves_it(
    app: Flask, data_dir: Path
) -> None:
    contributor = signed_in(app, "con")
    before = _journal_size(data_dir)
    answer = _new_concept(contributor, "Budget participatif des collégiens")
    assert answer.status_code == 303
    assert "/curation/proposals/" in answer.headers["Location"]
    proposal_id = answer.headers["Location"].rsplit("/", 1)[-1].split("?")[0]
    assert _journal_size(data_dir) == before  # nothing published
    public = app.test_client()
    assert public.get("/api/autocomplete?q=coll%C3%A9giens").get_json()["results"] == []

    editor = signed_in(app, "ed")
    queue = editor.get("/curation/review", headers=HTML).get_data(as_text=True)
    assert "Budget participatif des collégiens" in queue
    page = editor.get(f"/curation/proposals/{proposal_id}", headers=HTML).get_data(as_text=True)
    assert "Budget participatif des collégiens" in page and "con" in page
    csrf = TOKEN_FIELD.search(page).group(1)  # type: ignore[union-attr]
    approved = editor.post(
        f"/curation/proposals/{proposal_id}/approve", data={"csrf_token": csrf}, headers=HTML
    )
    assert approved.status_code == 303, approved.get_data(as_text=True)
    concept_path = approved.headers["Location"]
    assert public.get(concept_path, headers=HTML).status_code == 200
    change = Journal(data_dir).changes()[-1]
    assert (change.author, change.reviewer) == ("con", "ed")
    assert ProposalStore(data_dir).get(proposal_id).status == "approved"
    found = public.get("/api/autocomplete?q=coll%C3%A9giens").get_json()
    assert [r["label"] for r in found["results"]] == ["Budget participatif des collégiens"]


def test_an_editors_concept_is_published_at_once(app: Flask, data_dir: Path) -> None:
    editor = signed_in(app, "ed")
    answer = _new_concept(editor, "Atelier de quartier d’essai")
    assert answer.status_code == 303
    assert "/curation/proposals/" not in answer.headers["Location"]
    change = Journal(data_dir).changes()[-1]
    assert change.author == "ed" and change.reviewer == ""
    assert any("Atelier de quartier d’essai" in row for row in change.added)


def test_the_preview_shows_the_changes_and_writes_nothing(app: Flask, data_dir: Path) -> None:
    editor = signed_in(app, "ed")
    before = _journal_size(data_dir)
    answer = _new_concept(editor, "Concept seulement prévisualisé", action="preview")
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "Concept seulement prévisualisé" in text and 'class="statement added"' in text
    assert _journal_size(data_dir) == before


def test_an_invalid_form_shows_the_shapes_messages_next_to_the_fields(
    app: Flask, data_dir: Path
) -> None:
    editor = signed_in(app, "ed")
    before = _journal_size(data_dir)
    answer = _new_concept(editor, "Concertation")  # the label of another concept
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert 'id="f-prefLabel-fr-errors"' in text
    assert 'aria-invalid="true" aria-describedby="f-prefLabel-fr-errors"' in text
    assert _journal_size(data_dir) == before
    no_label = _new_concept(editor, "")
    assert no_label.status_code == 422
    assert 'id="f-prefLabel-fr-errors"' in no_label.get_data(as_text=True)
    assert _journal_size(data_dir) == before


def test_a_stale_form_gets_a_conflict_not_an_overwrite(app: Flask, data_dir: Path) -> None:
    first, second = signed_in(app, "ed"), signed_in(app, "adm")
    path = f"/curation/concepts/edit?uri={CONCERTATION}"
    csrf1, base1 = _form(first, path)
    csrf2, base2 = _form(second, path)
    assert base1 == base2 != ""
    fields = {"uri": CONCERTATION, "scheme": NOTIONS, "prefLabel.fr": "Concertation",
              "action": "save"}  # fmt: skip
    saved = first.post(
        "/curation/concepts",
        data={
            **fields,
            "csrf_token": csrf1,
            "base": base1,
            "altLabel.fr": "Concertation préalable",
        },
        headers=HTML,
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    before = _journal_size(data_dir)
    stale = second.post(
        "/curation/concepts",
        data={**fields, "csrf_token": csrf2, "base": base2, "altLabel.fr": "Autre libellé"},
        headers=HTML,
    )
    assert stale.status_code == 409
    assert _journal_size(data_dir) == before


def test_roles_and_csrf_guard_the_editor(app: Flask) -> None:
    anonymous = app.test_client()
    to_login = anonymous.get("/curation/concepts/new", headers=HTML)
    assert to_login.status_code == 302 and "/login" in to_login.headers["Location"]
    contributor = signed_in(app, "con")
    assert contributor.get("/curation/review", headers=HTML).status_code == 403
    no_csrf = contributor.post(
        "/curation/concepts", data={"scheme": NOTIONS, "prefLabel.fr": "Sans jeton"}, headers=HTML
    )
    assert no_csrf.status_code == 403


def test_a_rejected_proposal_tells_its_author_why(app: Flask, data_dir: Path) -> None:
    contributor = signed_in(app, "con")
    answer = _new_concept(contributor, "Proposition à refuser")
    proposal_id = answer.headers["Location"].rsplit("/", 1)[-1].split("?")[0]
    editor = signed_in(app, "ed")
    csrf, _ = _form(editor, f"/curation/proposals/{proposal_id}")
    no_reason = editor.post(
        f"/curation/proposals/{proposal_id}/reject", data={"csrf_token": csrf}, headers=HTML
    )
    assert no_reason.status_code == 400
    rejected = editor.post(
        f"/curation/proposals/{proposal_id}/reject",
        data={"csrf_token": csrf, "reason": "Doublon de « Budget participatif »"},
        headers=HTML,
    )
    assert rejected.status_code == 303
    mine = contributor.get("/curation/proposals", headers=HTML).get_data(as_text=True)
    assert "Doublon de « Budget participatif »" in mine
    again = editor.post(
        f"/curation/proposals/{proposal_id}/approve", data={"csrf_token": csrf}, headers=HTML
    )
    assert again.status_code == 409


# --- the JSON API -----------------------------------------------------------------------------


def _basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    pair = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def _concept_json(label: str) -> dict[str, object]:
    return {"scheme": NOTIONS, "prefLabel": {"fr": label, "en": f"{label} (en)"},
            "definition": {"fr": f"Définition d’essai de {label}."},
            "broader": [DEMOCRATIE_PARTICIPATIVE]}  # fmt: skip


def test_the_api_creates_with_an_editor_and_proposes_with_a_contributor(app: Flask) -> None:
    client = app.test_client()
    created = client.post("/api/concepts", json=_concept_json("Jury citoyen d’essai"),
                          headers=_basic("ed"))  # fmt: skip
    assert created.status_code == 201, created.get_data(as_text=True)
    uri = created.get_json()["uri"]
    assert uri.startswith(f"{NOTIONS}/jury-citoyen")
    location = created.headers["Location"]
    assert client.get(location).get_json()["uri"] == uri
    read = client.get("/api/concepts", query_string={"uri": uri})
    assert read.status_code == 200 and read.get_json()["prefLabel"]["fr"] == "Jury citoyen d’essai"
    assert read.headers["ETag"]
    proposed = client.post("/api/concepts", json=_concept_json("Panel citoyen d’essai"),
                           headers=_basic("con"))  # fmt: skip
    assert proposed.status_code == 202
    assert "/curation/proposals/" in proposed.get_json()["url"]
    by_token = client.post("/api/concepts", json=_concept_json("Convention d’essai"),
                           headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert by_token.status_code == 201


def test_the_api_refuses_with_the_right_status(app: Flask, data_dir: Path) -> None:
    client = app.test_client()
    before = _journal_size(data_dir)
    anonymous = client.post("/api/concepts", json=_concept_json("Sans compte"))
    assert anonymous.status_code == 401 and "Basic" in anonymous.headers["WWW-Authenticate"]
    wrong = client.post("/api/concepts", json=_concept_json("Faux"), headers=_basic("ed", "nope"))
    assert wrong.status_code == 401
    invalid = client.post("/api/concepts", json=_concept_json("Concertation"), headers=_basic("ed"))
    assert invalid.status_code == 422
    assert any(p["field"] == "prefLabel.fr" for p in invalid.get_json()["problems"])
    malformed = client.post("/api/concepts", json={"prefLabel": "x"}, headers=_basic("ed"))
    assert malformed.status_code == 422 and malformed.get_json()["problems"]
    assert _journal_size(data_dir) == before


def test_the_api_patch_needs_a_fresh_etag_and_delete_deprecates(app: Flask) -> None:
    client = app.test_client()
    uri = client.post("/api/concepts", json=_concept_json("Concept à faire évoluer"),
                      headers=_basic("ed")).get_json()["uri"]  # fmt: skip
    etag = client.get("/api/concepts", query_string={"uri": uri}).headers["ETag"]
    patched = client.patch(
        "/api/concepts",
        query_string={"uri": uri},
        json={"altLabel": {"fr": ["Concept évolutif"]}},
        headers={**_basic("ed"), "If-Match": etag},
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    stale = client.patch(
        "/api/concepts",
        query_string={"uri": uri},
        json={"altLabel": {"fr": ["Autre"]}},
        headers={**_basic("ed"), "If-Match": etag},
    )
    assert stale.status_code == 409
    fresh = client.get("/api/concepts", query_string={"uri": uri})
    assert fresh.get_json()["altLabel"] == {"fr": ["Concept évolutif"]}
    deleted = client.delete(
        "/api/concepts",
        query_string={"uri": uri, "replacement": CONCERTATION},
        headers=_basic("ed"),
    )
    assert deleted.status_code == 200, deleted.get_data(as_text=True)
    still = client.get("/api/concepts", query_string={"uri": uri})
    assert still.status_code == 200  # deprecated, still resolvable


def test_the_openapi_document_describes_the_editor_api(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    operations = document["paths"]["/api/concepts"]
    assert set(operations) == {"get", "post", "patch", "delete"}
    assert {"201", "202", "401", "409", "422"} <= set(operations["post"]["responses"])
    assert "basic" in document["components"]["securitySchemes"]


def test_an_approval_cut_short_after_its_commit_is_completed_not_applied_twice(
    app: Flask, data_dir: Path
) -> None:
    from graph_service.curate.operations import commit_action, proposal_note

    contributor = signed_in(app, "con")
    answer = _new_concept(contributor, "Approbation interrompue")
    proposal_id = answer.headers["Location"].rsplit("/", 1)[-1].split("?")[0]
    proposal = ProposalStore(data_dir).get(proposal_id)
    with app.app_context():
        from graph_service.web.backend import get_journal, get_store

        # The commit of an approval whose process died before the proposal was marked.
        commit_action(get_store(), get_journal(), proposal.action, author="con",
                      reviewer="ed", note=proposal_note(proposal_id))  # fmt: skip
    before = _journal_size(data_dir)
    editor = signed_in(app, "ed")
    csrf, _ = _form(editor, f"/curation/proposals/{proposal_id}")
    approved = editor.post(
        f"/curation/proposals/{proposal_id}/approve", data={"csrf_token": csrf}, headers=HTML
    )
    assert approved.status_code == 303, approved.get_data(as_text=True)
    assert _journal_size(data_dir) == before  # not applied a second time
    decided = ProposalStore(data_dir).get(proposal_id)
    assert decided.status == "approved"
    assert decided.change_id == Journal(data_dir).changes()[-1].id


FOREIGN = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/thesaurus> a skos:ConceptScheme ; skos:prefLabel "Thésaurus d’essai"@fr .
<http://example.org/thesaurus/c1> a skos:Concept ; skos:inScheme <http://example.org/thesaurus> ;
    skos:topConceptOf <http://example.org/thesaurus> ; skos:prefLabel "Démocratie locale"@fr .
"""


def test_a_mapping_to_an_imported_vocabulary(app: Flask, data_dir: Path) -> None:
    from graph_service.search.index import follow
    from graph_service.store.changes import write_documents

    with app.app_context():
        from graph_service.web.backend import get_journal, get_store

        write_documents(get_store(), get_journal(), [(FOREIGN, "turtle")],
                        "http://example.org/graphs/thesaurus", replace=True, author="test",
                        followup=follow)  # fmt: skip
    editor = signed_in(app, "ed")
    path = f"/curation/concepts/edit?uri={DEMOCRATIE_PARTICIPATIVE}"
    page = editor.get(path, headers=HTML).get_data(as_text=True)
    assert 'id="f-mapping-vocab"' in page and ">Thésaurus d’essai</option>" in page
    found = editor.get("/api/autocomplete?q=locale&vocab=thesaurus").get_json()["results"]
    assert [r["uri"] for r in found] == ["http://example.org/thesaurus/c1"]
    csrf, base = _form(editor, path)
    form = editor.get(f"/api/concepts?uri={DEMOCRATIE_PARTICIPATIVE}").get_json()
    data: dict[str, object] = {"csrf_token": csrf, "base": base, "uri": DEMOCRATIE_PARTICIPATIVE,
                               "scheme": NOTIONS, "action": "save",
                               "closeMatch": "http://example.org/thesaurus/c1"}  # fmt: skip
    for lang, label in form["prefLabel"].items():
        data[f"prefLabel.{lang}"] = label
    for lang, text in form.get("definition", {}).items():
        data[f"definition.{lang}"] = text
    data["broader"] = form.get("broader", [])
    data["related"] = form.get("related", [])
    for lang, labels in form.get("altLabel", {}).items():
        data[f"altLabel.{lang}"] = "\n".join(labels)
    saved = editor.post("/curation/concepts", data=data, headers=HTML)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:3000]
    after = editor.get(f"/api/concepts?uri={DEMOCRATIE_PARTICIPATIVE}").get_json()
    assert after["closeMatch"] == ["http://example.org/thesaurus/c1"]


def test_the_curation_home_leads_each_role_to_its_tools(app: Flask, data_dir: Path) -> None:
    pending = ProposalStore(data_dir).count("pending")
    editor = signed_in(app, "ed").get("/curation/", headers=HTML)
    assert f"Propositions à relire ({pending})" in editor.get_data(as_text=True)
    assert "private" in editor.headers["Cache-Control"]
    contributor = signed_in(app, "con").get("/curation/?lang=en", headers=HTML)
    text = contributor.get_data(as_text=True)
    assert "New concept" in text and "My proposals" in text and "Proposals to review" not in text
    anonymous = app.test_client().get("/curation/", headers=HTML).get_data(as_text=True)
    assert "New concept" not in anonymous and "Nouveau concept" not in anonymous
