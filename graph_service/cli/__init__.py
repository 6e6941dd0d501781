"""The graph-service command: validate, build and serve (a thin shell over the library); the
curation commands are in cli/curation.py."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from graph_service import create_app
from graph_service.cli.accounts import register as register_accounts
from graph_service.cli.curation import register as register_curation
from graph_service.cli.history import register as register_history
from graph_service.cli.publish import publish_command
from graph_service.store.build import (
    BuildError,
    build_remote,
    build_store,
    is_up_to_date,
    source_files,
)
from graph_service.store.opening import open_remote


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _create_app() -> Flask:
    """create_app, with a bad setting told in one line (exit 1) rather than a traceback."""
    try:
        return create_app()
    except ValueError as exc:  # config.py's errors name the GRAPH_SERVICE_* variable
        raise click.ClickException(str(exc)) from exc


#: Flask's own group options: the app is ours (--app), debug is `serve --dev` (--debug), the
#: settings come from GRAPH_SERVICE_* (--env-file). They still work, but are not ours to offer.
_FLASK_OPTIONS = ("env_file", "app", "debug")


class ServiceGroup(FlaskGroup):
    """Flask's command group (app context for every command) without Flask's options in --help
    nor Flask's versions in --version."""

    def __init__(self, **extra: object) -> None:
        super().__init__(add_version_option=False, **extra)  # type: ignore[arg-type]
        hidden = []
        for param in self.params:
            if param.name in _FLASK_OPTIONS:
                param = copy.copy(param)  # Flask's option objects are shared module globals
                param.hidden = True  # type: ignore[attr-defined]
            hidden.append(param)
        self.params = hidden


@click.group(cls=ServiceGroup, create_app=_create_app, add_default_commands=False)
@click.version_option(
    package_name="graph-service", prog_name="graph-service", message="%(prog)s %(version)s"
)
def main() -> None:
    """graph-service: a SKOS glossary and knowledge-graph service."""


def _validate(
    files: list[Path], vocab_dir: Path, shapes_dir: Path, max_warnings: int | None = None
) -> bool:
    """Print the problems of `files` (with the rest of vocab/ as context); True if no error."""
    from graph_service.curate.validate import format_report, validate_files

    all_sources = source_files(vocab_dir) if vocab_dir.is_dir() else []
    targets = files or all_sources
    chosen = {p.resolve() for p in targets}
    context = [p for p in all_sources if p.resolve() not in chosen] if files else []
    problems = validate_files(targets, context=context, shapes_dir=shapes_dir)
    if problems:
        _echo_err(format_report(problems, max_warnings=max_warnings))
    errors = [p for p in problems if p.severity == "error"]
    if not problems:
        _echo_err(f"{len(targets)} files valid")
    return not errors


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_command(files: tuple[Path, ...]) -> None:
    """Check FILES (default: all of vocab/) against the SHACL shapes and SKOS rules."""
    config = current_app.config
    if not _validate(list(files), config["VOCAB_DIR"], config["SHAPES_DIR"]):
        sys.exit(1)


@main.command("build")
@click.option("--force/--if-changed", default=False, help="Rebuild even if vocab/ is unchanged.")
@click.option("--validate/--no-validate", "check", default=True, help="Validate first.")
def build_command(force: bool, check: bool) -> None:
    """Validate vocab/ and load it into a new store, switched to only when complete."""
    config = current_app.config
    vocab_dir: Path = config["VOCAB_DIR"]
    shapes_dir: Path = config["SHAPES_DIR"]
    shapes = sorted(shapes_dir.glob("*.ttl")) if shapes_dir.is_dir() else []
    remote = open_remote(config)
    if remote is None and not force and is_up_to_date(vocab_dir, config["DATA_DIR"], shapes):
        _echo_err("store is up to date with vocab/ and shapes/: nothing to build")
        return
    if check and not _validate([], vocab_dir, shapes_dir, max_warnings=5):
        raise click.ClickException("vocab/ is not valid: fix the problems above, nothing was built")
    try:
        if remote is not None:
            # With a remote store, the build replaces its graphs instead of writing a directory.
            build_remote(
                vocab_dir,
                config["DATA_DIR"],
                remote,
                fingerprint_extra=shapes,
                force=force,
                progress=_echo_err,
            )
            return
        build_store(
            vocab_dir,
            config["DATA_DIR"],
            fingerprint_extra=shapes,
            force=force,
            progress=_echo_err,
        )
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", type=int, default=None, help="Worker threads (GRAPH_SERVICE_THREADS).")
@click.option(
    "--readers",
    type=click.IntRange(min=0, max=64),
    default=None,
    help="Reader processes beside the writing one (GRAPH_SERVICE_READERS; 0: one process).",
)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading.")
def serve_command(
    host: str, port: int, threads: int | None, readers: int | None, dev: bool
) -> None:
    """Serve the last complete build on HOST:PORT with a production WSGI server."""
    config = current_app.config
    if dev:
        current_app.run(host=host, port=port, debug=True, threaded=True)
        return
    from graph_service.web.server import PortInUse, serve

    _echo_err(f"graph-service on http://{host}:{port}/ (data: {config['DATA_DIR']})")
    try:
        serve(
            host,
            port,
            threads or config["THREADS"],
            config["QUERY_TIMEOUT"],
            access_log=config["ACCESS_LOG"],
            readers=config["READERS"] if readers is None else readers,
        )
    except PortInUse as exc:
        raise click.ClickException(str(exc.strerror)) from exc


register_curation(main)
main.add_command(publish_command)
register_history(main)
register_accounts(main)
