"""Read the files to validate (any common RDF syntax, with a curator's error) and the shapes."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from rdflib import Dataset, Graph

#: rdflib parser names by file extension; Turtle is the default for anything else.
FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".trig": "trig",
    ".nq": "nquads",
}
_FORMAT_NAMES = {
    "turtle": "Turtle",
    "nt": "N-Triples",
    "n3": "N3",
    "xml": "RDF/XML",
    "json-ld": "JSON-LD",
    "trig": "TriG",
    "nquads": "N-Quads",
}
_QUAD_FORMATS = {"trig", "nquads"}


def display_name(path: Path) -> str:
    """How a file is named in reports: relative to the working directory when inside it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def parse_file(path: Path) -> tuple[Graph, str]:
    """Parse one file; return (graph, "") or (empty graph, a curator's error message)."""
    fmt = FORMATS.get(path.suffix.lower(), "turtle")
    graph = Graph()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if fmt in _QUAD_FORMATS:
                dataset = Dataset()
                dataset.parse(path, format=fmt)
                for s, p, o, _ in dataset.quads((None, None, None, None)):
                    graph.add((s, p, o))
            else:
                graph.parse(path, format=fmt)
    except OSError as exc:
        return Graph(), f"cannot be read: {exc.strerror or exc}"
    except Exception as exc:  # any parser failure is the file's fault, not a crash of ours
        return Graph(), f"cannot be read as {_FORMAT_NAMES[fmt]}: {_parser_message(exc)}"
    return graph, ""


def _parser_message(exc: Exception) -> str:
    """Condense a parser exception to "line N: reason" (rdflib's Turtle text is multi-line)."""
    text = str(exc)
    match = re.search(r"at line (\d+) of <[^>]*>:\s*Bad syntax \((.*?)\) at \^ in:", text, re.S)
    if match:
        return f"line {match.group(1)}: {match.group(2)}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first[:300]


def load_shapes(shapes_dir: Path) -> Graph:
    """Every shapes file of a directory in one graph."""
    shapes = Graph()
    for path in sorted(Path(shapes_dir).glob("*.ttl")):
        shapes.parse(path, format="turtle")
    if not len(shapes):
        raise FileNotFoundError(f"no SHACL shapes in {shapes_dir}")
    return shapes
