"""History commands of the graph-service CLI: `history` (the journal's changes, readable) and
`revert` (undo a change as a new one)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from graph_service.exceptions import GraphServiceError
from graph_service.model.history import (
    Entry,
    entry_json,
    history_of,
    recent_changes,
    statement_text,
)
from graph_service.namespaces import valid_iri
from graph_service.store import Store
from graph_service.store.base import StoreError
from graph_service.store.build import BuildError
from graph_service.store.journal import Journal
from graph_service.store.opening import open_store

REVERT_AUTHOR = "graph-service revert"


def register(group: click.Group) -> None:
    """Add the history commands to the graph-service command group."""
    group.add_command(history_command)
    group.add_command(revert_command)


def _journal() -> Journal:
    return Journal(Path(current_app.config["DATA_DIR"]))


def _entry_lines(entry: Entry) -> list[str]:
    """A change as a curator reads it: id prefix, time, author, message, then its quads."""
    stamp = entry.stamp
    who = f"{stamp.author} (approved by {stamp.reviewer})" if stamp.reviewer else stamp.author
    lines = [f"{stamp.id[:8]}  {stamp.time[:19].replace('T', ' ')}  {who}  {stamp.message}"]
    lines += [f"  - {statement_text(s)}" for s in entry.removed]
    lines += [f"  + {statement_text(s)}" for s in entry.added]
    hidden = entry.added_count + entry.removed_count - len(entry.added) - len(entry.removed)
    if hidden:
        lines.append(f"  ... and {hidden:,} more quads")
    return lines


@click.command("history")
@with_appcontext
@click.argument("iri", required=False)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="One JSON document, as GET /history gives.")
def history_command(iri: str | None, limit: int, as_json: bool) -> None:
    """The journal's changes touching IRI (default: all), newest first.

    Read from DATA_DIR/journal only: it works while a server runs on the store.
    """
    if iri is not None and not valid_iri(iri):
        raise click.BadParameter(f"not an absolute IRI: {iri!r}", param_hint="IRI")
    journal = _journal()
    try:
        found = (
            history_of(journal, iri, limit=limit) if iri else recent_changes(journal, limit=limit)
        )
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    if found is None:  # only for an unknown vocabulary, which this command never asks for
        raise click.ClickException("no history")
    history = found
    if as_json:
        document = {"uri": iri, "changes": [entry_json(e) for e in history.entries]}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if not history.entries:
        click.echo("no change in the journal" + (f" touches <{iri}>" if iri else ""), err=True)
        return
    for entry in history.entries:
        click.echo("\n".join(_entry_lines(entry)))
    if history.more:
        click.echo(f"(more changes: --limit {limit * 2})", err=True)


@contextmanager
def _writable_store() -> Iterator[Store]:
    """The configured store opened for writing, with a clear message when a running server
    holds the embedded store's lock (a remote store has no such limit)."""
    config = current_app.config
    try:
        store = open_store(config)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    except StoreError as exc:
        if "lock" in str(exc).lower():
            raise click.ClickException(
                f"the store in {config['DATA_DIR']} is in use by a running server "
                "(graph-service serve): stop the server, or revert through it with "
                "POST /history/revert (form field change=<id>, the update token as "
                "Authorization: Bearer)."
            ) from exc
        raise click.ClickException(str(exc)) from exc
    try:
        yield store
    finally:
        store.close()


@click.command("revert")
@with_appcontext
@click.argument("change_id")
@click.option("--message", "-m", default="", help='Why (default: Revert "<its message>").')
def revert_command(change_id: str, message: str) -> None:
    """Undo the change CHANGE_ID (or a unique prefix of it) as a new change in the journal."""
    from graph_service.curate.revert import revert

    author = os.environ.get("USER") or REVERT_AUTHOR
    with _writable_store() as store:
        try:
            done = revert(store, _journal(), change_id, author=author, message=message)
        except GraphServiceError as exc:
            raise click.ClickException(exc.message) from exc
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(done.change.id)
    click.echo(
        f"reverted {done.original.id[:8]} ({done.original.message}) as change "
        f"{done.change.seq}: +{len(done.change.added)} -{len(done.change.removed)} quads",
        err=True,
    )
    if done.skipped:
        click.echo(
            f"{done.skipped} quads left as they are: later changes had already changed them",
            err=True,
        )
