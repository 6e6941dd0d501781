"""Deterministic synthetic SKOS dataset: concepts, territories, types and indexed resources.

The same (concepts, resources, seed) always gives byte-identical files: one seeded
random.Random drives every choice, and everything is written in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graph_service.namespaces import BASE

from .synth_rdf import (
    CONCEPT,
    CONCEPT_SCHEME,
    SYL_EN,
    SYL_FR,
    XSD_DATE,
    A,
    D,
    P,
    Writer,
    iri,
    lit,
    plain,
    random_word,
    word,
)

#: Bump when the output changes, so a cached dataset is regenerated.
GENERATOR_VERSION = 1

SCHEME = f"{BASE}synth"
CONCEPT_NS = f"{SCHEME}/"
TERRITORY_SCHEME = f"{BASE}synth-territoires"
TYPE_SCHEME = f"{BASE}synth-types"
RESOURCE_NS = f"{BASE}resources/synth/"
VOCAB_ID = "synth"
RESOURCES_PER_FILE = 20_000

Progress = Callable[[str], None]


@dataclass
class SynthSummary:
    """What was generated: sizes, files, and pools of IRIs and labels to build requests from."""

    concepts: int
    resources: int
    seed: int
    version: int = GENERATOR_VERSION
    triples: int = 0
    files: dict[str, int] = field(default_factory=dict)  # relative path -> triples
    seconds: float = 0.0
    with_children: list[int] = field(default_factory=list)  # concept numbers with narrower
    small_subtrees: list[int] = field(default_factory=list)  # 2-200 descendants
    fr_labels: list[str] = field(default_factory=list)  # prefLabel@fr of concept i

    def conceptiri(self, number: int) -> str:
        """The IRI of synthetic concept `number`."""
        return f"{CONCEPT_NS}c{number}"


def _hierarchy(rng: random.Random, n: int, tops: int) -> list[list[int]]:
    """Broaders of each concept: a heap-like tree (fan-out ~5, depth ~log5 n), 5% with two."""
    parents: list[list[int]] = [[] for _ in range(n)]
    for i in range(tops, n):
        lo = i // 8
        hi = max(lo + 1, min(i, i // 4 + 1))
        first = rng.randrange(lo, hi)
        parents[i].append(first)
        # Every edge points to a smaller number, so a second broader can never make a cycle.
        if rng.random() < 0.05 and hi - lo > 2:
            second = rng.randrange(lo, hi)
            if second != first:
                parents[i].append(second)
    return parents


def _concepts(rng: random.Random, n: int, w: Writer, summary: SynthSummary) -> None:
    """The big scheme: labels fr+en, alt labels, definitions, notations, hierarchy, related."""
    digits = max(3, math.ceil(math.log(n + 1, len(SYL_FR))))
    qualifiers_fr = [random_word(rng, SYL_FR) for _ in range(300)]
    qualifiers_en = [random_word(rng, SYL_EN) for _ in range(300)]
    lexicon = [random_word(rng, SYL_FR) for _ in range(800)]
    tops = max(2, min(20, n // 50))
    parents = _hierarchy(rng, n, tops)
    children: list[list[int]] = [[] for _ in range(n)]
    for i, ps in enumerate(parents):
        for p in ps:
            children[p].append(i)
    related: list[list[int]] = [[] for _ in range(n)]
    for i in range(tops, n):
        if rng.random() < 0.1:
            j = rng.randrange(tops, n)
            if j != i and j not in parents[i] and i not in parents[j] and j not in related[i]:
                related[i].append(j)
                related[j].append(i)
    # Descendant counts (with polyhierarchy counted twice: good enough to pick small subtrees).
    size = [1] * n
    for i in range(n - 1, -1, -1):
        for p in parents[i]:
            size[p] += size[i]
    w.subject(
        iri(SCHEME),
        [
            (A, CONCEPT_SCHEME),
            (D["title"], lit("Vocabulaire synthétique de test de charge", "fr")),
            (D["title"], lit("Synthetic load-test vocabulary", "en")),
            *[(P["hasTopConcept"], iri(f"{CONCEPT_NS}c{t}")) for t in range(tops)],
        ],
    )
    scheme = iri(SCHEME)
    for i in range(n):
        fr = f"{word(i, SYL_FR, digits).capitalize()} {rng.choice(qualifiers_fr)}"
        en = f"{word(i, SYL_EN, digits).capitalize()} {rng.choice(qualifiers_en)}"
        summary.fr_labels.append(fr)
        pairs = [(A, CONCEPT), (P["inScheme"], scheme)]
        if i < tops:
            pairs.append((P["topConceptOf"], scheme))
        pairs += [(P["prefLabel"], lit(fr, "fr")), (P["prefLabel"], lit(en, "en"))]
        if rng.random() < 0.5:
            pairs.append((P["altLabel"], lit(f"{fr.split()[0]} {rng.choice(lexicon)}", "fr")))
        if rng.random() < 0.2:
            pairs.append((P["altLabel"], lit(f"{en.split()[0]} {rng.choice(qualifiers_en)}", "en")))
        if rng.random() < 0.3:
            words = [rng.choice(lexicon) for _ in range(rng.randint(6, 12))]
            pairs.append((P["definition"], lit(" ".join(words).capitalize() + ".", "fr")))
        pairs.append((P["notation"], plain(f"S{i:06d}")))
        pairs += [(P["broader"], iri(f"{CONCEPT_NS}c{p}")) for p in parents[i]]
        pairs += [(P["narrower"], iri(f"{CONCEPT_NS}c{c}")) for c in children[i]]
        pairs += [(P["related"], iri(f"{CONCEPT_NS}c{r}")) for r in related[i]]
        w.subject(iri(f"{CONCEPT_NS}c{i}"), pairs)
        if children[i]:
            summary.with_children.append(i)
            if size[i] <= 200:
                summary.small_subtrees.append(i)


def _territories(rng: random.Random, w: Writer) -> list[str]:
    """France > 13 regions > ~100 departements > ~5,000 communes, INSEE-like codes; communes."""
    ns = f"{TERRITORY_SCHEME}/"
    scheme = iri(TERRITORY_SCHEME)
    country = f"{ns}pays/FR"
    w.subject(
        scheme,
        [
            (A, CONCEPT_SCHEME),
            (D["title"], lit("Territoires synthétiques", "fr")),
            (P["hasTopConcept"], iri(country)),
        ],
    )
    regions = [f"{ns}region/{11 + 5 * k}" for k in range(13)]
    departements = [f"{ns}departement/{k:02d}" for k in range(1, 96)]
    region_of = {d: regions[k % 13] for k, d in enumerate(departements)}
    communes: list[str] = []
    commune_of: dict[str, list[str]] = {d: [] for d in departements}
    for k, d in enumerate(departements, start=1):
        for c in range(1, rng.randint(30, 70)):
            commune = f"{ns}commune/{k:02d}{c:03d}"
            commune_of[d].append(commune)
            communes.append(commune)

    def node(term: str, label: str, code: str, broader: list[str], narrower: list[str]) -> None:
        pairs = [
            (A, CONCEPT),
            (P["inScheme"], scheme),
            (P["prefLabel"], lit(label, "fr")),
            (P["notation"], plain(code)),
        ]
        if not broader:
            pairs.append((P["topConceptOf"], scheme))
        pairs += [(P["broader"], iri(b)) for b in broader]
        pairs += [(P["narrower"], iri(x)) for x in narrower]
        w.subject(iri(term), pairs)

    node(country, "France synthétique", "FR", [], regions)
    for r in regions:
        node(
            r,
            f"Région {random_word(rng, SYL_FR).capitalize()}",
            r.rsplit("/", 1)[1],
            [country],
            [d for d in departements if region_of[d] == r],
        )
    for d in departements:
        node(
            d,
            f"Département {random_word(rng, SYL_FR).capitalize()}",
            d.rsplit("/", 1)[1],
            [region_of[d]],
            commune_of[d],
        )
        for c in commune_of[d]:
            label = f"Saint-{random_word(rng, SYL_FR).capitalize()}"
            node(c, label, c.rsplit("/", 1)[1], [d], [])
    return communes + departements


def _types(w: Writer) -> list[str]:
    """A dozen resource types in their own small scheme."""
    names = [
        "actualité",
        "guide pratique",
        "étude",
        "compte rendu",
        "texte officiel",
        "fiche expérience",
        "vidéo",
        "podcast",
        "rapport",
        "synthèse",
        "outil",
        "agenda",
    ]
    ns = f"{TYPE_SCHEME}/"
    scheme = iri(TYPE_SCHEME)
    iris = [f"{ns}t{k}" for k in range(len(names))]
    w.subject(
        scheme,
        [
            (A, CONCEPT_SCHEME),
            (D["title"], lit("Types synthétiques", "fr")),
            *[(P["hasTopConcept"], iri(t)) for t in iris],
        ],
    )
    for term, name in zip(iris, names, strict=True):
        w.subject(
            iri(term),
            [
                (A, CONCEPT),
                (P["inScheme"], scheme),
                (P["topConceptOf"], scheme),
                (P["prefLabel"], lit(name.capitalize(), "fr")),
            ],
        )
    return iris


def _resources(
    rng: random.Random, count: int, concepts: int, places: list[str], types: list[str]
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Resources with a title, an issue date, 1-3 subjects, a place and a type."""
    lexicon = [random_word(rng, SYL_FR) for _ in range(1000)]
    start = dt.date(2000, 1, 1).toordinal()
    span = dt.date(2025, 12, 31).toordinal() - start
    for r in range(count):
        title = " ".join(rng.choice(lexicon) for _ in range(rng.randint(3, 8))).capitalize()
        issued = dt.date.fromordinal(start + rng.randrange(span)).isoformat()
        pairs = [(D["title"], lit(title, "fr")), (D["issued"], f'"{issued}"^^<{XSD_DATE}>')]
        subjects: list[int] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            # Half uniform, half skewed to the upper levels: some concepts index many resources.
            c = rng.randrange(concepts) if rng.random() < 0.5 else int(concepts * rng.random() ** 3)
            if c not in subjects:
                subjects.append(c)
        pairs += [(D["subject"], iri(f"{CONCEPT_NS}c{c}")) for c in subjects]
        pairs.append((D["spatial"], iri(rng.choice(places))))
        pairs.append((D["type"], iri(rng.choice(types))))
        yield iri(f"{RESOURCE_NS}r{r}"), pairs


def generate(
    out_dir: Path,
    concepts: int,
    resources: int,
    seed: int = 42,
    progress: Progress = lambda message: None,
) -> SynthSummary:
    """Write out_dir/vocab/*.ttl, out_dir/vocab/resources/*.ttl, out_dir/all.nq and synth.json."""
    started = time.perf_counter()
    rng = random.Random(seed)
    vocab = out_dir / "vocab"
    if vocab.exists():
        for old in sorted(vocab.rglob("*.ttl")):
            old.unlink()
    vocab.mkdir(parents=True, exist_ok=True)
    summary = SynthSummary(concepts=concepts, resources=resources, seed=seed)
    writers: list[Writer] = []
    with (out_dir / "all.nq").open("w", encoding="utf-8", newline="\n") as nquads:
        try:
            w = Writer(vocab, "synth-notions.ttl", nquads)
            writers.append(w)
            _concepts(rng, concepts, w, summary)
            progress(f"  {concepts:,} concepts: {w.count:,} triples")
            writers.append(Writer(vocab, "synth-territoires.ttl", nquads))
            places = _territories(rng, writers[-1])
            writers.append(Writer(vocab, "synth-types.ttl", nquads))
            types = _types(writers[-1])
            stream = _resources(rng, resources, concepts, places, types)
            for number, (s, pairs) in enumerate(stream):
                if number % RESOURCES_PER_FILE == 0:
                    part = number // RESOURCES_PER_FILE + 1
                    writers.append(Writer(vocab, f"resources/synth-{part:02d}.ttl", nquads))
                writers[-1].subject(s, pairs)
        finally:
            for w in writers:
                w.close()
    summary.files = {w.relative: w.count for w in writers}
    summary.triples = sum(summary.files.values())
    summary.seconds = time.perf_counter() - started
    progress(f"  {resources:,} resources; {summary.triples:,} triples in {summary.seconds:.1f} s")
    (out_dir / "synth.json").write_text(json.dumps(asdict(summary), ensure_ascii=False))
    return summary


def load_or_generate(
    out_dir: Path,
    concepts: int,
    resources: int,
    seed: int = 42,
    progress: Progress = lambda message: None,
) -> tuple[SynthSummary, bool]:
    """Reuse out_dir's dataset if it was made with the same parameters; (summary, generated)."""
    path = out_dir / "synth.json"
    if path.is_file() and (out_dir / "all.nq").is_file():
        try:
            data = json.loads(path.read_text())
            cached = SynthSummary(**data)
        except (ValueError, TypeError):
            cached = None
        if cached is not None and (
            cached.concepts,
            cached.resources,
            cached.seed,
            cached.version,
        ) == (concepts, resources, seed, GENERATOR_VERSION):
            files_ok = all((out_dir / "vocab" / f).is_file() for f in cached.files)
            if files_ok:
                return cached, False
    return generate(out_dir, concepts, resources, seed, progress), True
