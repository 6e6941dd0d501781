"""Packaging: the Python versions we install on, and what our installed dependencies accept."""

from __future__ import annotations

import tomllib
from importlib.metadata import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
PROJECT = tomllib.loads(PYPROJECT.read_text())["project"]


@pytest.mark.parametrize("python", ["3.11", "3.12", "3.13"])
def test_current_pythons_can_install(python: str) -> None:
    assert SpecifierSet(PROJECT["requires-python"]).contains(python + ".0")


@pytest.mark.parametrize("python", ["3.12.0", "3.13.0"])
def test_runtime_dependencies_do_not_stop_at_3_11(python: str) -> None:
    # Only what our own requirements pull in directly; a release that dropped a Python would
    # say so in its Requires-Python.
    for line in PROJECT["dependencies"]:
        name = Requirement(line).name
        accepted = metadata(name).get("Requires-Python") or ""
        assert SpecifierSet(accepted).contains(python), f"{name} requires Python {accepted}"
