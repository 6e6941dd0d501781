"""Turn a news page (IREV-style HTML, or its text export) into a resource in Turtle for review."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef

from graph_service.curate.fetch import fetch, is_url
from graph_service.curate.news_html import html_to_text
from graph_service.curate.news_page import (
    MONTHS,
    PARIS,
    UNITS,
    Attachment,
    Page,
    parse_page,
    parse_size,
)
from graph_service.curate.suggest import Suggestion, get_label_index, suggest
from graph_service.curate.textmatch import normalise, slugify
from graph_service.curate.validate import Problem, validate_graph
from graph_service.exceptions import GraphServiceError
from graph_service.namespaces import BASE, PREFIXES, SCHEME_IDS, XSD, scheme_iri, sparql_prefixes
from graph_service.store import Store

__all__ = [
    "MAX_SUBJECTS",
    "MONTHS",
    "MONTH_ONLY_NOTE",
    "PARIS",
    "SCHEMES",
    "SUBJECT_THRESHOLD",
    "UNITS",
    "Attachment",
    "IngestError",
    "IngestResult",
    "Page",
    "build_turtle",
    "html_to_text",
    "ingest_source",
    "ingest_text",
    "map_term",
    "parse_page",
    "parse_size",
    "validate_resource",
]

SCHEMES = {vocab_id: scheme_iri(vocab_id) for vocab_id in SCHEME_IDS}
SUBJECT_THRESHOLD = 0.2  # a suggested subject needs this score (best hit = 1.0)
MAX_SUBJECTS = 16
#: The prefixes the written Turtle uses.
_TURTLE_PREFIXES = ("dct", "dcat", "schema", "skos", "xsd")
MONTH_ONLY_NOTE = "Only the month of publication is known; the first day of the month is used."
#: An attachment with no date on the page is not described as a part (every part needs a
#: dct:issued, and none is invented): the resource links it and asks the reviewer for its date.
UNDATED_NOTE = (
    'The page gives no date for its attachment "{title}"{where}: find its date, then describe '
    "it as a dct:hasPart with its dct:issued."
)


class IngestError(GraphServiceError):
    """A page that cannot be turned into a resource."""


@dataclass
class IngestResult:
    """The resource as Turtle, where it should go, and what validation said."""

    slug: str
    iri: str
    turtle: str
    page: Page
    problems: list[Problem] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def map_term(store: Store, label: str, vocab_id: str) -> str | None:
    """The concept of a scheme (else of any scheme) with this label, folded."""
    index = get_label_index(store)
    key = tuple(normalise(label).split())
    concepts = sorted({e.concept for e in index.entries.get(key, [])})
    preferred = [c for c in concepts if index.scheme.get(c) == SCHEMES[vocab_id]]
    return next(iter(preferred or concepts), None)


def _short_slug(title: str, year: int | None, limit: int = 50) -> str:
    slug = slugify(title, max_length=200)
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return f"{slug}-{year}" if year else slug


def _n3(value: object, lang: str | None = None, datatype: str | None = None) -> str:
    if isinstance(value, URIRef):
        return value.n3()
    dt = XSD[datatype] if datatype else None
    return Literal(str(value), lang=lang, datatype=dt).n3()


def _objects(values: list[tuple[str, str]]) -> str:
    """'<a> ,  # why' lines for a multi-valued property (comments for the reviewer)."""
    lines = []
    for number, (iri, why) in enumerate(values):
        end = " ;" if number == len(values) - 1 else " ,"
        lines.append(f"        {URIRef(iri).n3()}{end}" + (f"  # {why}" if why else ""))
    return "\n" + "\n".join(lines)


def _end_statement(line: str) -> str:
    """Turn the last " ;" of a statement's last line into " .", before its comment if any
    ("    <x> ;  # default" -> "    <x> .  # default")."""
    if line.endswith(" ;"):
        return line[: -len(" ;")] + " ."
    code, hash_, comment = line.rpartition("  # ")  # only object lines carry a comment
    if hash_ and code.endswith(" ;"):
        return code[: -len(" ;")] + " ." + hash_ + comment
    return line


def _picked(
    hits: list[Suggestion], vocabs: set[str], limit: int, threshold: float = SUBJECT_THRESHOLD
) -> list[tuple[str, str]]:
    chosen = [h for h in hits if h.vocab_id in vocabs and h.score >= threshold][:limit]
    return [(h.iri, f'suggested {h.score:.2f}: "{h.matched}" ({h.matched_kind})') for h in chosen]


def _merge(*groups: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for group in groups:
        for iri, why in group:
            seen.setdefault(iri, why)
    return list(seen.items())


def build_turtle(store: Store, page: Page) -> IngestResult:
    """The resource and its attachments as commented Turtle, ready for review."""
    if not page.title:
        raise IngestError("no title found: give the page URL with --url (its slug makes the title)")
    if page.issued is None:
        raise IngestError("no publication date found ('Publié le ...')")
    slug = _short_slug(page.title, page.issued.year)
    iri = f"{BASE}resources/{slug}"
    unmapped: list[str] = []

    def mapped(key: str, vocab_id: str, why: str) -> list[tuple[str, str]]:
        found = []
        for label in page.taxonomy.get(key, []):
            concept = map_term(store, label, vocab_id)
            if concept:
                found.append((concept, f'{why}: "{label}"'))
            else:
                unmapped.append(f'{why} "{label}"')
        return found

    text = "\n\n".join(page.body + [a.title for a in page.attachments])
    # The page's links are evidence too: a link to the page a concept cites as rdfs:seeAlso.
    hits = suggest(store, text, title=page.title, limit=60, links=page.references)
    types = mapped("type", "types", "page type") or [(SCHEMES["types"] + "/actualite", "default")]
    subjects = _merge(
        mapped("themes", "thematiques", "page theme"),
        _picked(hits, {"notions", "thematiques"}, MAX_SUBJECTS),
    )
    spatial = _merge(
        mapped("territories", "territoires", "page territory"),
        _picked(hits, {"territoires"}, 5, 0.0),
    )
    out = [
        f"# Resource ingested by `graph-service ingest` from {page.source or 'a file'}.",
        "# REVIEW before committing: subjects marked 'suggested' come from label matching.",
        "",
        *(f"@prefix {name}: <{PREFIXES[name]}> ." for name in _TURTLE_PREFIXES),
        "",
        f"<{iri}>",
        "    a schema:NewsArticle ;",
        f"    dct:title {_n3(page.title, 'fr')} ;",
    ]
    if page.body:
        out.append(f"    dct:description {_n3(page.body[0], 'fr')} ;")
    out.append(f"    dct:issued {_n3(page.issued.isoformat(), datatype='date')} ;")
    if page.modified:
        out.append(f"    dct:modified {_n3(page.modified.isoformat(), datatype='date')} ;")
    for prop, moment in (("datePublished", page.published_at), ("dateModified", page.modified_at)):
        if moment:
            out.append(f"    schema:{prop} {_n3(moment.isoformat(), datatype='dateTime')} ;")
    if page.source:
        out.append(f"    dct:source {URIRef(page.source).n3()} ;")
    out.append('    dct:language "fr" ;')
    out.append("    dct:type" + _objects(types))
    if subjects:
        out.append("    dct:subject" + _objects(subjects))
    if spatial:
        out.append("    dct:spatial" + _objects(spatial))
    dated = [a for a in page.attachments if a.issued is not None]
    undated = [a for a in page.attachments if a.issued is None]
    parts = [(f"{iri}/{_short_slug(a.title, None, 60)}", a) for a in dated]
    if parts:
        out.append("    dct:hasPart" + _objects([(p, "") for p, _ in parts]))
    if page.references:
        out.append("    dct:references" + _objects([(r, "") for r in page.references]))
    linked = [a.url for a in undated if a.url]
    if linked:
        out.append(
            "    dct:relation" + _objects([(u, "attachment without a date") for u in linked])
        )
    notes = []
    if page.title_from_url:
        notes.append("Title derived from the page URL (the text export has no title): check it.")
    notes += [f"Not found in the vocabulary: {u}." for u in unmapped]
    notes += [
        UNDATED_NOTE.format(title=a.title, where=f" <{a.url}>" if a.url else "") for a in undated
    ]
    for note in notes:
        out.append(f"    skos:editorialNote {_n3(note, 'en')} ;")
    out[-1] = _end_statement(out[-1])
    for part_iri, attachment in parts:
        out += _attachment_turtle(store, part_iri, iri, attachment, subjects)
    turtle = "\n".join(out) + "\n"
    return IngestResult(slug, iri, turtle, page, unmapped=unmapped)


def _attachment_turtle(
    store: Store,
    iri: str,
    whole: str,
    attachment: Attachment,
    fallback: list[tuple[str, str]],
) -> list[str]:
    kinds = [h for h in suggest(store, attachment.type_hint, limit=10) if h.vocab_id == "types"]
    kind = (
        (kinds[0].iri, f'suggested: "{kinds[0].matched}"')
        if kinds
        else (SCHEMES["types"] + "/document", "default")
    )
    hits = suggest(store, " ".join([attachment.title, *attachment.toc]), limit=30)
    subjects = _picked(hits, {"notions", "thematiques"}, 6) or fallback[:3]
    lines = [
        "",
        f"<{iri}>",
        "    a schema:DigitalDocument ;",
        f"    dct:title {_n3(attachment.title, 'fr')} ;",
    ]
    if attachment.issued:
        lines.append(f"    dct:issued {_n3(attachment.issued.isoformat(), datatype='date')} ;")
        if attachment.month_only:
            lines.append(f"    skos:note {_n3(MONTH_ONLY_NOTE, 'en')} ;")
    lines.append("    dct:type" + _objects([kind]))
    if attachment.url:
        suffix = Path(urlsplit(attachment.url).path).suffix.lower()
        if suffix == ".pdf":
            lines.append('    dct:format "application/pdf" ;')
        lines.append(f"    dcat:downloadURL {URIRef(attachment.url).n3()} ;")
    if attachment.size is not None:
        lines.append(
            f"    dcat:byteSize {_n3(attachment.size, datatype='nonNegativeInteger')} ;"
            f"  # page: {attachment.size_text}"
        )
    if attachment.toc:
        lines.append(f"    dct:tableOfContents {_n3(chr(10).join(attachment.toc), 'fr')} ;")
    lines.append("    dct:subject" + _objects(subjects))
    lines.append(f"    dct:isPartOf <{whole}> .")
    return lines


#: What validation needs to know of a cited concept: its classes, schemes and labels.
_CITED_QUERY = sparql_prefixes("skos") + (
    "CONSTRUCT { $c a ?t ; ?p ?o } WHERE { $c a ?t . OPTIONAL { VALUES ?p { "
    "skos:inScheme skos:topConceptOf skos:prefLabel } $c ?p ?o } }"
)


def validate_resource(store: Store, result: IngestResult) -> list[Problem]:
    """Check the Turtle against the shapes, with the concepts it cites as context."""
    graph = Graph().parse(data=result.turtle, format="turtle")
    context = Graph()
    cited = {o for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith(BASE)}
    for concept in sorted(cited):
        context += store.construct(_CITED_QUERY, {"c": concept})
    return validate_graph(graph, context=context, file=f"{result.slug}.ttl")


def ingest_text(
    store: Store, text: str, *, source_url: str = "", html: bool = False
) -> IngestResult:
    """Parse a page (HTML or text export), build its Turtle and validate it."""
    if html:
        text = html_to_text(text, source_url)
    page = parse_page(text, source_url)
    result = build_turtle(store, page)
    result.problems = validate_resource(store, result)
    return result


def ingest_source(
    store: Store, source: str, *, source_url: str | None = None, allow_private: bool = False
) -> IngestResult:
    """Ingest a FILE (.html or text export) or a URL."""
    if is_url(source):
        fetched = fetch(source, allow_private=allow_private, accept="text/html, text/plain;q=0.8")
        html = "html" in fetched.media_type
        return ingest_text(store, fetched.text(), source_url=source_url or fetched.url, html=html)
    path = Path(source)
    if not path.is_file():
        raise IngestError(f"{source}: no such file")
    html = path.suffix.lower() in {".html", ".htm"}
    text = path.read_text(encoding="utf-8", errors="replace")
    return ingest_text(store, text, source_url=source_url or "", html=html)
