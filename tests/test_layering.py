"""The layering, enforced: imports point down, Flask stays in web/, SPARQL stays out of it.

In the spirit of an import-linter contract, read from the source with `ast` (nothing imported),
plus every module imported alone in a fresh interpreter so that an import cycle fails.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "graph_service"
ROOT = "graph_service"

#: Layers from the bottom up; a module may import its own package and lower ranks only.
#: Packages of the same rank (search and query) are independent of each other.
LAYERS: dict[str, int] = {
    "config": 0,
    "namespaces": 0,
    "exceptions": 0,
    "labels": 0,
    "text": 0,
    "store": 1,
    "search": 2,
    "query": 2,
    "model": 3,
    "curate": 4,
    "web": 5,
    # The entry points build the app and the command: they may import everything.
    "__init__": 6,
    "cli": 6,
}
CORE_RANK = 0
#: Libraries of the web layer that the rest of the package must not need.
WEB_LIBRARIES = ("flask", "werkzeug", "jinja2")
ENTRY_POINTS = ("__init__", "cli")
#: SPARQL query text: a prefix declaration, a query form with its WHERE block, or an update.
SPARQL_TEXT = re.compile(
    r"PREFIX\s+[\w-]*:\s*<"
    r"|\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b[\s\S]*?\bWHERE\s*\{"
    r"|\b(INSERT|DELETE)\s+(DATA\s*)?\{"
    r"|\bASK\s*\{"
)


@dataclass(frozen=True)
class Module:
    """One source file of the package: its dotted name, top-level part and parsed tree."""

    name: str
    path: Path
    tree: ast.Module

    @property
    def top(self) -> str:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else "__init__"


def _modules() -> list[Module]:
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        found.append(Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


MODULES = _modules()


def _imports(module: Module) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the module, at any depth."""
    is_package = module.path.name == "__init__.py"
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.name.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from graph_service import web` imports the subpackage itself.
            if name == ROOT:
                found += [(node.lineno, f"{ROOT}.{alias.name}") for alias in node.names]
    return found


def _rank(top: str) -> int:
    return LAYERS[top]


def test_every_module_belongs_to_a_layer() -> None:
    unknown = sorted({m.top for m in MODULES} - set(LAYERS))
    assert unknown == [], f"modules outside every layer (add them to LAYERS): {unknown}"


def test_imports_point_down_only() -> None:
    wrong = []
    for module in MODULES:
        for line, name in _imports(module):
            if not name.startswith(ROOT + ".") or module.top in ENTRY_POINTS:
                continue
            target = name.split(".")[1]
            if target == module.top:
                continue
            here, there = _rank(module.top), _rank(target)
            if there > here or (there == here and here != CORE_RANK):
                wrong.append(f"{module.path.name}:{line} ({module.name}) imports {name}")
    assert wrong == [], "imports against the layering:\n" + "\n".join(wrong)


def test_flask_only_in_the_web_layer() -> None:
    wrong = [
        f"{module.name}:{line} imports {name}"
        for module in MODULES
        if module.top not in ("web", *ENTRY_POINTS)
        for line, name in _imports(module)
        if name.split(".")[0] in WEB_LIBRARIES
    ]
    assert wrong == [], "web libraries outside web/:\n" + "\n".join(wrong)


def _strings(tree: ast.Module) -> list[tuple[int, str]]:
    """Every string constant, f-strings' literal parts joined, with its line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "$x" for part in node.values
            )
            found.append((node.lineno, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def test_no_sparql_text_in_the_web_layer() -> None:
    wrong = [
        f"{module.name}:{line}: {text.strip()[:60]!r}"
        for module in MODULES
        if module.top == "web"
        for line, text in _strings(module.tree)
        if SPARQL_TEXT.search(text)
    ]
    assert wrong == [], "SPARQL text in web/ (it belongs in model/):\n" + "\n".join(wrong)


def test_the_sparql_detector_finds_queries_and_spares_prose() -> None:
    assert SPARQL_TEXT.search("SELECT ?s WHERE { ?s ?p ?o }")
    assert SPARQL_TEXT.search("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>")
    assert SPARQL_TEXT.search("INSERT DATA { <a> <b> <c> }")
    assert SPARQL_TEXT.search("ASK { $s ?p ?o }")
    assert not SPARQL_TEXT.search("Select a vocabulary where you want to search")
    assert not SPARQL_TEXT.search("the SPARQL endpoint accepts SELECT, ASK and CONSTRUCT")


def test_only_the_store_layer_imports_the_engine() -> None:
    wrong = [
        f"{module.name}:{line}"
        for module in MODULES
        if module.top != "store"
        for line, name in _imports(module)
        if name.split(".")[0] == "pyoxigraph"
    ]
    assert wrong == [], "pyoxigraph imported outside store/:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", [m.name for m in MODULES])
def test_every_module_imports_alone(name: str) -> None:
    # A fresh interpreter per module: an import cycle only shows when its module comes first.
    result = subprocess.run(
        [sys.executable, "-c", f"import {name}"],
        capture_output=True,
        text=True,
        cwd=PACKAGE_DIR.parent,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
