"""The `publish` command: fold the journal's pending changes back into vocab/ for review."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from graph_service.store.base import StoreError


@click.command("publish")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Say what would change in which file; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Also print the diff of every file.")
@click.option("--until", type=int, help="Publish only the changes up to this sequence number.")
def publish_command(dry_run: bool, show_diff: bool, until: int | None) -> None:
    """Write the changes accepted since the last publish into the Turtle files they belong to
    (a minimal diff, comments kept), then mark them published."""
    from graph_service.curate.publish import PublishError, format_report, publish

    config = current_app.config
    vocab_dir: Path = config["VOCAB_DIR"]
    try:
        report = publish(vocab_dir, config["DATA_DIR"], dry_run=dry_run, until=until)
    except (PublishError, StoreError, OSError) as exc:
        raise click.ClickException(f"nothing was published: {exc}") from exc
    if show_diff:
        for file in report.files:
            click.echo(file.diff(), nl=False)
    click.echo(format_report(report), err=True)
