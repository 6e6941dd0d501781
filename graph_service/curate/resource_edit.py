"""Create and edit indexed resources from a form or JSON: drafts planned as patches, checked.

A resource is stated as ingest states it (curate/ingest.py): `dct:title` and
`dct:description` tagged with their language, `dct:issued` an xsd:date, the page's URL as
`dct:source`, `dct:type` from the types scheme, themes and subjects both as `dct:subject`
(a theme is a concept of the thematiques scheme), territories as `dct:spatial`,
`dct:language` a plain code. A new resource is `pdv:resources/<slug>` (the slug of its title
and year, as ingest makes it, made unique) in its own graph, as `vocab/resources/<slug>.ttl`
would load it. An update changes only these properties, and of each only what the form
changed: a resource's attachments, sizes, notes and other statements stay as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Node

from graph_service.curate.edit_plan import WHOLE_FORM, EditPlan, FieldProblem, Planner, state_token
from graph_service.curate.resource_draft import (
    ResourceDraft,
    ResourceDraftError,
    resource_draft_as_json,
    resource_draft_from_form,
    resource_draft_from_json,
)
from graph_service.curate.resource_messages import message
from graph_service.curate.resource_read import (
    PatchLine,
    Quad,
    draft_from_ingest,
    patch_lines,
    read_resource,
    resource_quads,
    texts_of,
)
from graph_service.curate.resource_terms import (
    check_terms,
    is_iri_value,
    resolve_terms,
)
from graph_service.curate.textmatch import slugify
from graph_service.curate.validate import validate_graph
from graph_service.exceptions import Conflict, NotFound
from graph_service.model.base import SPARQL_PREFIXES, kind_of, values_block
from graph_service.namespaces import BASE, SCHEMA, graph_iri_for, scheme_iri, valid_iri
from graph_service.store import Store
from graph_service.store.patches import Patch
from graph_service.store.rdf_patch import row_of, row_terms

__all__ = [
    "EDITABLE",
    "RESOURCE_PLANNERS",
    "PatchLine",
    "ResourceDraft",
    "ResourceDraftError",
    "draft_from_ingest",
    "mint_iri",
    "patch_lines",
    "plan_resource_create",
    "plan_resource_update",
    "read_resource",
    "resource_draft_as_json",
    "resource_draft_from_form",
    "resource_draft_from_json",
    "resource_summary",
]

RESOURCES = f"{BASE}resources/"
#: The properties the editor owns; every other statement of a resource is left alone.
EDITABLE = (
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.issued,
    DCTERMS.source,
    DCTERMS.type,
    DCTERMS.subject,
    DCTERMS.spatial,
    DCTERMS.language,
)
#: Properties whose values are each their own slot (a set), not one value per slot.
_SETS = (DCTERMS.subject, DCTERMS.spatial)
#: Resources typed as news (under this type) are schema:NewsArticle, as ingest makes them.
NEWS_TYPE = scheme_iri("types") + "/actualite"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SLUG_LENGTH = 50
#: The form field a SHACL problem is filed under, by the property it names.
_SHACL_FIELDS = {
    "dct:title": "title.fr",
    "dct:description": "description.fr",
    "dct:issued": "date",
    "dct:source": "url",
    "dct:type": "type",
    "dct:subject": "subjects",
    "dct:spatial": "territories",
    "dct:language": "language",
}
#: What validation needs to know of a cited concept: its classes, schemes and labels.
_CITED = SPARQL_PREFIXES + (
    "CONSTRUCT {{ ?c a ?t ; ?p ?o }} WHERE {{ {values} ?c a ?t . OPTIONAL {{ VALUES ?p {{ "
    "skos:inScheme skos:topConceptOf skos:prefLabel }} ?c ?p ?o }} }}"
)
_IS_NEWS = SPARQL_PREFIXES + "ASK { $t (skos:broader|^skos:narrower)* $news }"
_TAKEN = "ASK { { $s ?p ?o } UNION { ?x ?y $s } UNION { GRAPH ?g { $s ?p ?o } } }"


# --- checking -----------------------------------------------------------------------------------


def _field_problems(draft: ResourceDraft, lang: str) -> list[FieldProblem]:
    """What is wrong with the draft's own values (the store aside)."""
    problems = []
    if not draft.title:
        field_lang = draft.language if draft.language in ("fr", "en") else "fr"
        problems.append(FieldProblem(f"title.{field_lang}", message("title_required", lang)))
    for kind in ("title", "description"):
        for code in getattr(draft, kind):
            if not _LANG.match(code):
                problems.append(
                    FieldProblem(f"{kind}.{code}", message("bad_lang_tag", lang, value=code))
                )
    if not draft.date:
        problems.append(FieldProblem("date", message("date_required", lang)))
    elif _issued(draft.date) is None:
        problems.append(FieldProblem("date", message("bad_date", lang, value=draft.date)))
    if draft.url and not (is_iri_value(draft.url) and valid_iri(draft.url)):
        problems.append(FieldProblem("url", message("bad_url", lang, value=draft.url)))
    if not draft.type:
        problems.append(FieldProblem("type", message("type_required", lang)))
    if not draft.subjects and not draft.themes:
        problems.append(FieldProblem("subjects", message("subject_required", lang)))
    if draft.language and not _LANG.match(draft.language):
        problems.append(
            FieldProblem("language", message("bad_language", lang, value=draft.language))
        )
    return problems


def _issued(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _shacl_problems(
    store: Store, iri: str, after: list[tuple[Node, Node, Node]], known: set[str]
) -> list[FieldProblem]:
    """The shapes' verdict on the resource as the edit leaves it, by field; fields that have a
    problem already (`known`) are not told twice. Only the cited concepts' classes, schemes
    and labels are read as context, never a whole scheme (territories hold 40,000 triples)."""
    graph = Graph()
    for triple in after:
        graph.add(triple)
    cited = sorted({str(o) for _, _, o in after if isinstance(o, URIRef) and str(o) != iri})
    context = Graph()
    if cited:
        values, bindings = values_block("c", cited)
        for triple in store.construct(_CITED.format(values=values), bindings):
            context.add(triple)
    problems = []
    for problem in validate_graph(graph, context=context, file="resource"):
        if problem.focus != iri:
            continue  # about a cited concept: the vocabulary's business, not this form's
        prop = problem.message.split(" ", 1)[0].rstrip(":")
        name = _SHACL_FIELDS.get(prop, WHOLE_FORM)
        if name not in known:
            problems.append(FieldProblem(name, problem.message, problem.severity))
    return problems


# --- planning -----------------------------------------------------------------------------------


def _statements(iri: str, draft: ResourceDraft) -> list[tuple[Node, Node, Node]]:
    """The editable statements a (checked, resolved) draft makes about `iri`."""
    s = URIRef(iri)
    out: list[tuple[Node, Node, Node]] = []
    out += [(s, DCTERMS.title, Literal(t, lang=lang)) for lang, t in draft.title.items() if lang]
    out += [
        (s, DCTERMS.description, Literal(t, lang=lang))
        for lang, t in draft.description.items()
        if lang
    ]
    if _issued(draft.date):
        out.append((s, DCTERMS.issued, Literal(draft.date, datatype=XSD.date)))
    if draft.url and valid_iri(draft.url):
        out.append((s, DCTERMS.source, URIRef(draft.url)))
    if draft.type and valid_iri(draft.type):
        out.append((s, DCTERMS.type, URIRef(draft.type)))
    for value in [*draft.themes, *draft.subjects]:
        if is_iri_value(value) and valid_iri(value):
            out.append((s, DCTERMS.subject, URIRef(value)))
    for value in draft.territories:
        if is_iri_value(value) and valid_iri(value):
            out.append((s, DCTERMS.spatial, URIRef(value)))
    if draft.language:
        out.append((s, DCTERMS.language, Literal(draft.language)))
    return list(dict.fromkeys(out))


def _slot(predicate: Node, obj: Node) -> tuple[str, ...]:
    """What one form field holds: a language's title, the date, one subject..."""
    if predicate in _SETS:
        return (str(predicate), obj.n3())
    if predicate in (DCTERMS.title, DCTERMS.description) and isinstance(obj, Literal):
        return (str(predicate), (obj.language or "").lower())
    return (str(predicate),)


def _diff(
    iri: str, before: list[Quad], after: list[tuple[Node, Node, Node]], home: str
) -> tuple[list[str], list[str]]:
    """Rows to add and remove so that the editable properties say what `after` says; a field
    whose value is among those stated already changes nothing (a second URL, say, stays)."""
    old: dict[tuple[str, ...], list[Quad]] = {}
    for quad in before:
        if quad[1] in EDITABLE:
            old.setdefault(_slot(quad[1], quad[2]), []).append(quad)
    new: dict[tuple[str, ...], set[Node]] = {}
    for _, p, o in after:
        new.setdefault(_slot(p, o), set()).add(o)
    added, removed = [], []
    for slot in sorted(set(old) | set(new)):
        wanted, stated = new.get(slot, set()), old.get(slot, [])
        if wanted and wanted <= {q[2] for q in stated}:
            continue
        removed += [row_of(s, p, o, g) for s, p, o, g in stated]
        present = {q[2] for q in stated}
        added += [
            row_of(URIRef(iri), URIRef(slot[0]), o, home) for o in sorted(wanted - present, key=str)
        ]
    return sorted(set(added)), sorted(set(removed))


def _message(verb: str, draft: ResourceDraft) -> str:
    title = draft.title.get("fr") or next(iter(draft.title.values()), "")
    return f"{verb} resource “{title}”" if title else f"{verb} resource"


def _resolved(
    store: Store, draft: ResourceDraft, lang: str
) -> tuple[ResourceDraft, list[FieldProblem]]:
    """The draft with labels resolved, and every problem of its fields and terms."""
    resolved, problems = resolve_terms(store, draft, lang)
    problems += _field_problems(resolved, lang)
    problems += check_terms(store, resolved, lang)
    return resolved, problems


def _is_taken(store: Store, iri: str) -> bool:
    return store.ask(_TAKEN, {"s": URIRef(iri)})


def mint_iri(store: Store, draft: ResourceDraft) -> str:
    """A new resource's IRI: the slug of its title (French first) and year, as ingest makes
    it, with -2, -3... when that IRI or its graph is taken."""
    title = draft.title.get("fr") or draft.title.get(draft.language) or ""
    title = title or next(iter(draft.title.values()), "") or "ressource"
    slug = slugify(title, max_length=200)
    if len(slug) > _SLUG_LENGTH:
        slug = slug[:_SLUG_LENGTH].rsplit("-", 1)[0]
    issued = _issued(draft.date)
    slug = f"{slug}-{issued.year}" if issued else slug
    for number in range(1, 1000):
        candidate = slug if number == 1 else f"{slug}-{number}"
        iri = RESOURCES + candidate
        if not _is_taken(store, iri) and not store.has_graph(_graph_of(iri)):
            return iri
    raise Conflict(f"too many resources are called {slug}: change the title")


def _graph_of(iri: str) -> str:
    """The graph of a new resource, as vocab/resources/<slug>.ttl would load it."""
    return graph_iri_for(f"resources/{iri[len(RESOURCES) :]}.ttl")


def _resource_class(store: Store, type_iri: str) -> URIRef:
    """schema:NewsArticle for news (as ingest types pages), schema:CreativeWork otherwise."""
    news = {"t": URIRef(type_iri), "news": URIRef(NEWS_TYPE)} if valid_iri(type_iri) else None
    if news is not None and store.ask(_IS_NEWS, news):
        return SCHEMA.NewsArticle
    return SCHEMA.CreativeWork


def plan_resource_create(store: Store, draft: ResourceDraft, *, lang: str = "en") -> EditPlan:
    """The patch that creates a resource from a draft, with the draft's problems (said in
    `lang`). The draft's IRI, when it has one (a proposal made earlier), is kept: Conflict if
    it is taken since."""
    resolved, problems = _resolved(store, draft, lang)
    if draft.iri:
        if not (
            draft.iri.startswith(RESOURCES)
            and re.fullmatch(r"[a-z0-9-]+", draft.iri[len(RESOURCES) :])
        ):
            raise ResourceDraftError(
                [FieldProblem(WHOLE_FORM, f"<{draft.iri}> is not a new resource's IRI")]
            )
        if _is_taken(store, draft.iri):
            raise Conflict(message("taken", lang, value=draft.iri))
        iri = draft.iri
    else:
        iri = mint_iri(store, resolved)
    resolved = replace(resolved, iri=iri)
    statements = [
        (URIRef(iri), RDF.type, _resource_class(store, resolved.type)),
        *_statements(iri, resolved),
    ]
    graph = _graph_of(iri)
    known = {p.field for p in problems}
    if not problems:
        problems += _shacl_problems(store, iri, statements, known)
    patch = Patch(added=tuple(sorted({row_of(s, p, o, graph) for s, p, o in statements})))
    return EditPlan("resource.create", iri, patch, "", _message("New", resolved), tuple(problems))


def _home_graph(quads: list[Quad], iri: str) -> str:
    """Where an edited resource's new statements go: the graph of its class statement, else
    the graph holding most of its statements, else the one a new resource would get."""
    typed = sorted(g for _, p, _, g in quads if p == RDF.type and g)
    if typed:
        return typed[0]
    counts = Counter(g for *_, g in quads if g)
    if counts:
        return min(counts, key=lambda g: (-counts[g], g))
    return _graph_of(iri) if iri.startswith(RESOURCES) else graph_iri_for("resources/edited.ttl")


def plan_resource_update(
    store: Store, draft: ResourceDraft, base: str, *, lang: str = "en"
) -> EditPlan:
    """The patch that makes a resource's editable properties what the draft says (problems
    said in `lang`); NotFound if it is no resource, Conflict if it changed since the form read
    it (`base`)."""
    iri = draft.iri
    if not iri or not valid_iri(iri) or kind_of(store, iri) != "resource":
        raise NotFound(message("not_resource", lang, value=iri))
    if state_token(store, iri) != base:
        raise Conflict(message("stale", lang))
    resolved, problems = _resolved(store, draft, lang)
    before = resource_quads(store, iri)
    after = _statements(iri, resolved)
    added, removed = _diff(iri, before, after, _home_graph(before, iri))
    if not problems:
        removed_set = set(removed)
        kept = [(s, p, o) for s, p, o, g in before if row_of(s, p, o, g) not in removed_set]
        state = list(dict.fromkeys(kept + [(s, p, o) for s, p, o, _ in row_terms(added)]))
        problems += _shacl_problems(store, iri, state, {p.field for p in problems})
    patch = Patch(added=tuple(added), removed=tuple(removed))
    return EditPlan(
        "resource.update", iri, patch, base, _message("Edit of", resolved), tuple(problems)
    )


# --- actions (what a proposal keeps, what the shared submit replays) -------------------------


def _plan_create_action(
    store: Store, action: Mapping[str, object], *, lang: str = "en"
) -> EditPlan:
    return plan_resource_create(store, resource_draft_from_json(action.get("draft")), lang=lang)


def _plan_update_action(
    store: Store, action: Mapping[str, object], *, lang: str = "en"
) -> EditPlan:
    base = action.get("base")
    if not isinstance(base, str) or not base:
        raise ResourceDraftError([FieldProblem(WHOLE_FORM, "an update needs its base state token")])
    draft = resource_draft_from_json(action.get("draft"))
    return plan_resource_update(store, draft, base, lang=lang)


#: The planner of each kind of action on resources: {"kind": "resource.create", "draft":
#: {...}} and {"kind": "resource.update", "draft": {...}, "base": token}.
RESOURCE_PLANNERS: dict[str, Planner] = {
    "resource.create": _plan_create_action,
    "resource.update": _plan_update_action,
}

_SUMMARIES = {
    "resource.create": ("Nouvelle ressource « {title} »", "New resource “{title}”"),
    "resource.update": (
        "Modification de la ressource « {title} »",
        "Edit of the resource “{title}”",
    ),
}


def resource_summary(store: Store, action: Mapping[str, object], lang: str = "fr") -> str:
    """One line saying what an action does, for a review queue or a journal ("New resource
    “Title”"), in French or English."""
    kind = str(action.get("kind", ""))
    draft = action.get("draft")
    titles = draft.get("title") if isinstance(draft, Mapping) else None
    title = ""
    if isinstance(titles, Mapping):
        title = str(titles.get(lang) or titles.get("fr") or next(iter(titles.values()), ""))
    iri = draft.get("iri") if isinstance(draft, Mapping) else ""
    if not title and isinstance(iri, str) and iri and valid_iri(iri):
        found = texts_of(resource_quads(store, iri), DCTERMS.title)
        title = found.get(lang) or found.get("fr") or next(iter(found.values()), iri)
    pair = _SUMMARIES.get(kind, ("{title}", "{title}"))
    return pair[1 if lang == "en" else 0].format(title=title or "?")
