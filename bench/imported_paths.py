"""The requests of the imported-vocabularies scenario: every page type and REST endpoint of a
vocabulary imported next to ours, with the sample IRIs of UNESCO and STW they ask about."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Sample:
    """An imported vocabulary and the IRIs its requests name."""

    vocab_id: str
    file_name: str
    #: A concept deep in the hierarchy, a top concept with many concepts under it, a group
    #: (None when the vocabulary has no collections) and a word of its labels to search.
    concept: str
    top: str
    group: str | None
    word: str
    lang: str


STW = Sample(
    "stw",
    "stw-skos.ttl",
    "http://zbw.eu/stw/descriptor/10001-6",
    "http://zbw.eu/stw/thsys/a",
    None,
    "market",
    "en",
)
UNESCO = Sample(
    "thesaurus",
    "unesco-thesaurus.ttl",
    "http://vocabularies.unesco.org/thesaurus/concept10",
    "http://vocabularies.unesco.org/thesaurus/concept10",
    "http://vocabularies.unesco.org/thesaurus/domain1",
    "education",
    "en",
)
SAMPLES = (UNESCO, STW)


def paths(sample: Sample) -> list[tuple[str, str]]:
    """(name, path) of every page and REST endpoint of one imported vocabulary."""
    v, c, top = sample.vocab_id, quote(sample.concept, safe=""), quote(sample.top, safe="")
    rest = f"/rest/v1/{v}"
    found = [
        ("home page", "/"),
        ("vocabulary list", "/vocab"),
        ("scheme page", f"/vocab/{v}"),
        ("alphabetical index page", f"/vocab/{v}/index?letter=A"),
        ("concept page", f"/page?uri={c}"),
        ("top concept page", f"/page?uri={top}"),
        ("concept card", f"/card?uri={c}"),
        ("concept summary", f"/api/summary?uri={c}"),
        ("tree children fragment", f"/ui/children?uri={top}"),
        ("search page", f"/search?q={sample.word}&vocab={v}"),
        ("VoID", "/.well-known/void"),
        ("REST vocabularies", "/rest/v1/vocabularies?lang=en"),
        ("REST vocabulary", f"{rest}/?lang={sample.lang}"),
        ("REST topConcepts", f"{rest}/topConcepts?lang={sample.lang}"),
        ("REST types", f"{rest}/types?lang={sample.lang}"),
        ("REST vocabularyStatistics", f"{rest}/vocabularyStatistics?lang={sample.lang}"),
        ("REST labelStatistics", f"{rest}/labelStatistics?lang={sample.lang}"),
        ("REST concepts", f"{rest}/concepts?limit=100"),
        ("REST groups", f"{rest}/groups?lang={sample.lang}"),
        ("REST index letters", f"{rest}/index/?lang={sample.lang}"),
        ("REST index A", f"{rest}/index/A?lang={sample.lang}"),
        ("REST new", f"{rest}/new?lang={sample.lang}"),
        ("REST modified", f"{rest}/modified?lang={sample.lang}"),
        ("REST search", f"{rest}/search?query={sample.word}*&lang={sample.lang}"),
        ("REST lookup", f"{rest}/lookup?label={sample.word}&lang={sample.lang}"),
        ("REST label", f"{rest}/label?uri={c}&lang={sample.lang}"),
        ("REST data", f"{rest}/data?uri={c}&format=application/ld%2Bjson"),
        ("REST broader", f"{rest}/broader?uri={c}&lang={sample.lang}"),
        ("REST broaderTransitive", f"{rest}/broaderTransitive?uri={c}&lang={sample.lang}"),
        ("REST narrower", f"{rest}/narrower?uri={top}&lang={sample.lang}"),
        ("REST narrowerTransitive", f"{rest}/narrowerTransitive?uri={top}&lang={sample.lang}"),
        ("REST related", f"{rest}/related?uri={c}&lang={sample.lang}"),
        ("REST hierarchy", f"{rest}/hierarchy?uri={c}&lang={sample.lang}"),
        ("REST children", f"{rest}/children?uri={top}&lang={sample.lang}"),
        ("REST mappings", f"{rest}/mappings?uri={c}&lang={sample.lang}"),
        ("REST resources", f"{rest}/resources?uri={top}&narrower=true"),
    ]
    if sample.group is not None:
        g = quote(sample.group, safe="")
        found.append(("REST groupMembers", f"{rest}/groupMembers?uri={g}&lang={sample.lang}"))
    return found
