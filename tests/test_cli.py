"""The graph-service command: validate and build, with curator-readable messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHARED_DATA, TEST_DATA

from graph_service import create_app
from graph_service.cli import main
from graph_service.store.build import current_store_dir


def run(args: list[str], **config: object):
    """Invoke the CLI with an app configured by `config`."""
    runner = CliRunner()
    app = create_app({"TESTING": True, **config})
    return runner.invoke(main, args, obj=_script_info(app), catch_exceptions=False)


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


# slow: the CLI checks the file against the whole committed vocabulary with SHACL (~13-25 s
# each on a loaded machine)
@pytest.mark.slow
def test_validate_reports_file_iri_label_and_problem():
    result = run(["validate", str(TEST_DATA / "two_preflabels_same_lang.ttl")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "two_preflabels_same_lang.ttl:" in line]
    assert lines, result.output
    assert "http://example.org/" in lines[0]
    assert "preferred label" in result.output


@pytest.mark.slow  # as above, for each file
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cycle.ttl", "broader cycle"),
        ("dup.ttl", "Identical label"),
        ("nolang.ttl", "language"),
    ],
)
def test_validate_reports_the_skosmos_edge_cases(name: str, expected: str):
    path = SHARED_DATA / "vocab" / "skosmos-tests" / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    result = run(["validate", str(path)])
    assert result.exit_code == 1
    assert f"{name}: http://www.skosmos.skos/" in result.output
    assert expected in result.output


def test_build_refuses_invalid_data_and_keeps_the_store(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    first = run(["build"], VOCAB_DIR=tiny_vocab, DATA_DIR=data_dir)
    assert first.exit_code == 0, first.output
    built = current_store_dir(data_dir)
    shutil.copy(TEST_DATA / "broader_cycle.ttl", tiny_vocab / "cycle.ttl")
    second = run(["build"], VOCAB_DIR=tiny_vocab, DATA_DIR=data_dir)
    assert second.exit_code == 1
    assert "broader cycle" in second.output
    assert "nothing was built" in second.output
    assert current_store_dir(data_dir) == built


def test_build_skips_when_nothing_changed(tiny_vocab: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    assert run(["build"], VOCAB_DIR=tiny_vocab, DATA_DIR=data_dir).exit_code == 0
    again = run(["build"], VOCAB_DIR=tiny_vocab, DATA_DIR=data_dir)
    assert again.exit_code == 0 and "up to date" in again.output
    forced = run(["build", "--force"], VOCAB_DIR=tiny_vocab, DATA_DIR=data_dir)
    assert forced.exit_code == 0 and "built" in forced.output


def test_version_is_ours_not_flasks():
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"graph-service {version('graph-service')}"
    assert "Flask" not in result.output and "Werkzeug" not in result.output


def test_help_offers_only_our_options_and_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for flask_option in ("--env-file", "--app", "--debug"):
        assert flask_option not in result.output
    assert "--version" in result.output
    assert "serve" in result.output and "import" in result.output
