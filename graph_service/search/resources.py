"""Resources in the search index: their titles, summaries, attachments and subjects, in FTS5.

A resource is what the service indexes with concepts: a subject with a dct:title and a
dct:subject that is no concept and no part of another resource. Its attachments (dct:hasPart,
dct:isPartOf) are found through it: their titles are searched as the resource's. The labels
of its subjects and territories are searched too, so that "conseil citoyen lille" finds an
article about citizens' councils in Lille whose text says "conseils citoyens".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graph_service.labels import best_language
from graph_service.namespaces import sparql_prefixes
from graph_service.text import fold

SCHEMA = """
CREATE TABLE resources(number INTEGER PRIMARY KEY, iri TEXT UNIQUE, titles TEXT);
CREATE VIRTUAL TABLE resources_fts USING fts5(title, parts, description, subjects,
                                              tokenize='unicode61 remove_diacritics 2');
"""
#: The properties a resource is searched by, each read by a query of its own (one index scan:
#: a VALUES over the predicates made the engine 40% slower).
PROPERTIES = ("title", "description", "abstract", "subject", "spatial", "hasPart", "isPartOf")
#: Those whose values are IRIs.
LINKS = frozenset({"subject", "spatial", "hasPart", "isPartOf"})


def property_query(name: str) -> str:
    """The query reading one property of PROPERTIES (`name` is one of them, never user input)."""
    assert name in PROPERTIES
    return sparql_prefixes("dct") + f"SELECT ?r ?v WHERE {{ ?r dct:{name} ?v }}"


#: Classes whose members are never resources, even with a title and a subject.
NOT_RESOURCES_QUERY = (
    sparql_prefixes("skos")
    + "SELECT ?r WHERE { ?r a ?c VALUES ?c { skos:Concept skos:ConceptScheme skos:Collection } }"
)
#: Weights of the columns in bm25: a word of the title counts most, one of a subject least.
WEIGHTS = (10.0, 4.0, 2.0, 1.0)
#: Scores of the tiers of a resource hit (concepts' tiers are 300, 200, 100 and bm25 from 0).
EXACT_TITLE, TITLE_PREFIX, TITLE_WORDS = 250.0, 100.0, 50.0

Rows = Callable[[str, list[object]], list[tuple]]


@dataclass(frozen=True)
class ResourceHit:
    """A resource found by a search: its title in the language asked (with fallbacks)."""

    iri: str
    title: str
    lang: str
    score: float  # higher is better, on the scale of concept hits


def resource_rows(
    facts: Iterable[tuple[str, str, tuple[str, str]]],
    not_resources: set[str],
    labels_of: Callable[[str], list[str]],
    wanted: set[str] | None = None,
) -> list[tuple[str, dict[str, str], tuple[str, str, str, str]]]:
    """(IRI, titles by language, the four searched texts) of each resource among `facts`
    ((subject IRI, property name, (value, language)) rows), only those of `wanted` if given.
    `labels_of` gives the labels of a concept (subjects and territories)."""
    by: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for subject, name, value in facts:
        by.setdefault(subject, {}).setdefault(name, []).append(value)
    parts_of: dict[str, set[str]] = {}
    for subject, entry in by.items():
        for whole, _ in entry.get("isPartOf", ()):
            parts_of.setdefault(whole, set()).add(subject)
        for part, _ in entry.get("hasPart", ()):
            parts_of.setdefault(subject, set()).add(part)
    found = []
    folded: dict[str, str] = {}  # a concept's labels, folded once for all its resources
    for iri, entry in sorted(by.items()):
        if wanted is not None and iri not in wanted:
            continue
        if iri in not_resources or "title" not in entry or "subject" not in entry:
            continue
        if entry.get("isPartOf"):
            continue  # an attachment: found through the resource it belongs to
        titles: dict[str, str] = {}
        for text, lang in entry["title"]:
            titles.setdefault(lang, text)
        parts = [
            t
            for part in sorted(parts_of.get(iri, ()))
            for t, _ in by.get(part, {}).get("title", ())
        ]
        description = [t for key in ("description", "abstract") for t, _ in entry.get(key, ())]
        subjects = []
        for key in ("subject", "spatial"):
            for concept, _ in entry.get(key, ()):
                if concept not in folded:
                    folded[concept] = fold(" ; ".join(dict.fromkeys(labels_of(concept))))
                subjects.append(folded[concept])
        texts = (
            fold(" ; ".join(t for t, _ in entry["title"])),
            fold(" ; ".join(parts)) if parts else "",
            fold(" ; ".join(description)) if description else "",
            " ; ".join(subjects),
        )
        found.append((iri, titles, texts))
    return found


def insert_resources(
    db: sqlite3.Connection, rows: list[tuple[str, dict[str, str], tuple[str, str, str, str]]]
) -> None:
    """Add resource rows (numbered after the last one) with their searched texts."""
    first = db.execute("SELECT coalesce(max(number), -1) FROM resources").fetchone()[0] + 1
    db.executemany(
        "INSERT INTO resources VALUES (?,?,?)",
        [(first + n, iri, json.dumps(titles, ensure_ascii=False))
         for n, (iri, titles, _) in enumerate(rows)],
    )  # fmt: skip
    db.executemany(
        "INSERT INTO resources_fts(rowid, title, parts, description, subjects) VALUES (?,?,?,?,?)",
        [(first + n, *texts) for n, (_, _, texts) in enumerate(rows)],
    )


def forget_resources(db: sqlite3.Connection, iris: Iterable[str]) -> None:
    """Remove resources (a write changed them: they are read again)."""
    for iri in iris:
        found = db.execute("SELECT number FROM resources WHERE iri = ?", [iri]).fetchone()
        if found is not None:
            db.execute("DELETE FROM resources WHERE number = ?", [found[0]])
            db.execute("DELETE FROM resources_fts WHERE rowid = ?", [found[0]])


def search_resources(
    rows: Rows, tokens: list[str], plain: str, lang: str | None, limit: int
) -> list[ResourceHit]:
    """Resources holding every word (the last may be a prefix, `word*`), best first: exact
    title, title starting with the query, every word in the title, then by bm25."""
    if not tokens or limit <= 0:
        return []
    match = " ".join(f'"{t.rstrip("*")}"' + ("*" if t.endswith("*") else "") for t in tokens)
    weights = ", ".join(str(w) for w in WEIGHTS)
    found = rows(
        f"SELECT r.iri, r.titles, bm25(resources_fts, {weights}) AS rank "
        "FROM resources_fts f JOIN resources r ON r.number = f.rowid "
        "WHERE resources_fts MATCH ? ORDER BY rank LIMIT ?",
        [match, limit],
    )
    in_title = {
        iri
        for (iri,) in rows(
            "SELECT r.iri FROM resources_fts f JOIN resources r ON r.number = f.rowid "
            "WHERE resources_fts MATCH ? LIMIT ?",
            [f"title : ({match})", limit],
        )
    }
    hits = []
    for iri, titles_json, rank in found:
        titles = json.loads(titles_json)
        code = best_language(titles, lang)
        title, title_lang = (titles[code], code) if code is not None else (iri, "")
        bm25 = -float(rank)
        if any(fold(t) == plain for t in titles.values()):
            score = EXACT_TITLE
        elif any(_starts(fold(t), plain) for t in titles.values()):
            score = TITLE_PREFIX
        elif iri in in_title:
            score = TITLE_WORDS + min(bm25, 49.0)
        else:
            score = min(bm25, 49.0)
        hits.append(ResourceHit(iri, title, title_lang, round(score, 4)))
    hits.sort(key=lambda h: -h.score)
    return hits


def _starts(title: str, plain: str) -> bool:
    """Whether a folded title starts with the query at a word boundary."""
    return title.startswith(plain) and (len(title) == len(plain) or not title[len(plain)].isalnum())
