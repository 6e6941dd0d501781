"""The `browser` marks stay true: `make test-fast` (-m "not browser and not slow") must never
start chromium, and `make test` runs everything.

conftest's collection hook fails any run that collects an unmarked test driving a browser;
these tests prove the hook catches both ways a test gets to Playwright, and check every test
module of the suite, even when only some of them are collected.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import imports_playwright

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _collect(directory: Path) -> subprocess.CompletedProcess[str]:
    """Collect `directory` in a fresh pytest that has the suite's conftest as a plugin."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "conftest",
         "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"), str(directory)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _write(directory: Path, files: dict[str, str]) -> None:
    """Write test modules into `directory`."""
    directory.mkdir()
    for name, source in files.items():
        (directory / name).write_text(textwrap.dedent(source), encoding="utf-8")


MARKED = {
    "test_marked_module.py": """\
        import pytest
        from playwright.sync_api import expect

        pytestmark = pytest.mark.browser

        def test_module_mark(): pass
        """,
    "test_marked_function.py": """\
        import pytest

        @pytest.fixture
        def page(browser):
            return browser

        @pytest.mark.browser
        def test_function_mark(page): pass

        def test_no_browser(tmp_path): pass
        """,
}
UNMARKED = {
    "test_unmarked_module.py": """\
        import pytest

        playwright_api = pytest.importorskip("playwright.sync_api")

        def test_imports_playwright(): pass
        """,
    "test_unmarked_fixture.py": """\
        import pytest

        @pytest.fixture
        def page(browser):  # conftest's fixture, which starts Playwright
            return browser

        def test_through_a_fixture(page): pass
        """,
}


def test_an_unmarked_browser_test_fails_the_collection(tmp_path: Path) -> None:
    _write(tmp_path / "bad", {**MARKED, **UNMARKED})
    result = _collect(tmp_path / "bad")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "not marked `browser`" in result.stderr
    for unmarked in ("test_unmarked_module.py::test_imports_playwright",
                     "test_unmarked_fixture.py::test_through_a_fixture"):  # fmt: skip
        assert unmarked in result.stderr
    for marked in ("test_module_mark", "test_function_mark", "test_no_browser"):
        assert marked not in result.stderr

    _write(tmp_path / "good", MARKED)
    result = _collect(tmp_path / "good")
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "3 tests collected" in result.stdout


def test_what_counts_as_importing_playwright() -> None:
    assert imports_playwright("import playwright")
    assert imports_playwright("from playwright.sync_api import sync_playwright")
    assert imports_playwright("def f():\n    import playwright.sync_api as p")
    assert imports_playwright('api = pytest.importorskip("playwright.sync_api")')
    assert not imports_playwright('"""Driven by Playwright."""\nimport playwrighter')
    assert not imports_playwright('pytest.importorskip("rdflib")')


def _module_marks(tree: ast.Module) -> str:
    """The source of a module's top-level `pytestmark = ...`, or ""."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            return ast.unparse(node.value)
    return ""


def test_every_module_importing_playwright_is_marked_browser() -> None:
    # Only the collected modules reach the hook: this reads all of them, collected or not.
    unmarked = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if imports_playwright(ast.unparse(tree)) and "mark.browser" not in _module_marks(tree):
            unmarked.append(path.name)
    assert unmarked == []
    # The suite's browser tests are all known to this check.
    assert {"test_ui_browser.py", "test_embed_browser.py"} <= {
        path.name for path in TESTS.glob("test_*.py") if imports_playwright(path.read_text())
    }
