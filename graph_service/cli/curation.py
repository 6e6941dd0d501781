"""Curation commands of the graph-service CLI: quality, import, export, import-csv, diff, ..."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from graph_service.store import Store
from graph_service.store.base import StoreError
from graph_service.store.build import BuildError, open_current, source_files
from graph_service.store.journal import Journal
from graph_service.store.opening import recover_store

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _err(message: str) -> None:
    click.echo(message, err=True)


def cli_author() -> str:
    """Who a change made from the command line is by, as the journal records it."""
    return os.environ.get("USER") or "graph-service"


@contextmanager
def current_store(*, read_only: bool = False) -> Iterator[Store]:
    """The store of DATA_DIR, with a clear message when a running server holds its lock; opened
    to write, it first completes what a crash left unfinished (as the server does on start)."""
    data_dir: Path = current_app.config["DATA_DIR"]
    try:
        store = open_current(data_dir, read_only=read_only)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    except StoreError as exc:
        if "lock" in str(exc).lower():
            raise click.ClickException(
                f"the store in {data_dir} is in use by a running server (graph-service serve). "
                "Import through the server instead: the page /curation/import, or "
                "POST /curation/import with the update token; or stop the server and retry."
            ) from exc
        raise click.ClickException(str(exc)) from exc
    try:
        if not read_only:
            recover_store(store, Journal(data_dir))
        yield store
    finally:
        store.close()


def _write(data: bytes | str, output: Path | None) -> None:
    """Write to a file, or to standard output."""
    raw = data.encode() if isinstance(data, str) else data
    if output is None:
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(raw)
        _err(f"wrote {len(raw):,} bytes to {output}")


def register(group: click.Group) -> None:
    """Add the curation commands to the graph-service command group."""
    for command in (
        quality_command,
        import_command,
        export_command,
        import_csv_command,
        diff_command,
        suggest_command,
        ingest_command,
    ):
        group.add_command(command)


@click.command("quality")
@with_appcontext
@click.argument("files", nargs=-1, type=FILE)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="never",
    help="Exit with status 1 when findings of this severity (or worse) exist.",
)
@click.option("--check-links", is_flag=True, help="Also fetch external links (slow, network).")
@click.option("--limit", default=10, show_default=True, help="Offenders shown per check (text).")
def quality_command(
    files: tuple[Path, ...], fmt: str, fail_on: str, check_links: bool, limit: int
) -> None:
    """Run the qSKOS quality checks on FILES (default: every file of vocab/)."""
    from graph_service.curate.quality import format_text, quality_of_files

    targets = list(files) or source_files(current_app.config["VOCAB_DIR"])
    if not targets:
        raise click.ClickException("no RDF files to check")
    checker = None
    if check_links:
        from graph_service.curate.fetch import link_checker

        checker = link_checker(allow_private=current_app.config["ALLOW_PRIVATE_URLS"])
    try:
        report = quality_of_files(targets, link_checker=checker)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report, limit=limit))
    totals = report.totals()
    failing = {"error": totals["error"], "warning": totals["error"] + totals["warning"]}
    if failing.get(fail_on, 0):
        sys.exit(1)


@click.command("import")
@with_appcontext
@click.argument("source")
@click.option(
    "--id",
    "vocab_id",
    help=(
        "Vocabulary id (default: the last segment of its scheme IRI, the publisher's part of "
        "the host first when that segment is generic: unesco-thesaurus)."
    ),
)
@click.option("--format", "fmt", help="RDF format (turtle, rdfxml, jsonld, ntriples, trig...).")
@click.option(
    "--skosify/--no-skosify",
    default=True,
    show_default=True,
    help="Clean up with skosify first and report what it changed.",
)
@click.option(
    "--validate/--no-validate",
    default=True,
    show_default=True,
    help="Refuse vocabularies that break the SHACL shapes.",
)
@click.option("--dry-run", is_flag=True, help="Do every check, load nothing.")
def import_command(
    source: str, vocab_id: str | None, fmt: str | None, skosify: bool, validate: bool, dry_run: bool
) -> None:
    """Import a vocabulary from a FILE or URL as a vocabulary of its own."""
    from graph_service.curate.imports import load_import, prepare_import
    from graph_service.model.dumps import graph_counts
    from graph_service.store.graph_sizes import sizes_kept

    config = current_app.config
    # The store first: the import is validated with the concepts of ours it points at (and a
    # server holding the store is told at once, not after minutes of parsing).
    with current_store(read_only=dry_run) as store:
        report, turtle = prepare_import(
            source,
            vocab_id=vocab_id,
            fmt=fmt,
            skosify=skosify,
            validate=validate,
            allow_private=config["ALLOW_PRIVATE_URLS"],
            local_files=True,  # the operator's own files: never offered to web clients
            progress=_err,
            store=store,
            max_nesting=config["MAX_NESTING"],
        )
        for problem in report.warnings[:20]:
            _err(f"warning: {problem}")
        if dry_run:
            _err(
                f"dry run: {report.triples_loaded:,} triples would go into <{report.graph}> "
                f"as vocabulary {report.vocab_id!r}; nothing was loaded"
            )
            return
        journal = Journal(Path(config["DATA_DIR"]))
        load_import(
            store,
            report,
            turtle,
            config["DATA_DIR"],
            journal=journal,
            author=cli_author(),
            progress=_err,
        )
        if sizes_kept(store, journal):
            # The graph sizes of the new content, saved for the server's VoID description
            # (its first one after the start would count every graph).
            graph_counts(store, journal)
    _err(f"saved to {report.saved_to} (reloaded by every build)")


@click.command("export")
@with_appcontext
@click.option("--scheme", help="Vocabulary id or scheme IRI (default: everything).")
@click.option(
    "--format",
    "fmt",
    default="turtle",
    show_default=True,
    type=click.Choice(["turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads", "csv"]),
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def export_command(scheme: str | None, fmt: str, output: Path | None) -> None:
    """Export one scheme or the whole store as RDF or CSV."""
    from graph_service.curate.export import export_csv, export_rdf, resolve_scheme

    with current_store(read_only=True) as store:
        chosen = resolve_scheme(store, scheme) if scheme else None
        data = export_csv(store, chosen) if fmt == "csv" else export_rdf(store, fmt, chosen)
    _write(data, output)


@click.command("import-csv")
@with_appcontext
@click.argument("file", type=FILE)
@click.option("--scheme", required=True, help="Vocabulary id (or IRI) the rows belong to.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the scheme's new Turtle here (to review and commit in vocab/).",
)
@click.option("--dry-run", is_flag=True, help="Check and show the result, load nothing.")
def import_csv_command(file: Path, scheme: str, output: Path | None, dry_run: bool) -> None:
    """Bring back a CSV written by `export --format csv` (labels, broader, definitions)."""
    from graph_service.curate.export import apply_csv

    data_dir = current_app.config["DATA_DIR"]
    with current_store(read_only=dry_run) as store:
        summary = apply_csv(
            store,
            file.read_text(encoding="utf-8-sig"),
            scheme,
            data_dir=data_dir,
            journal=Journal(data_dir),
            author=cli_author(),
            message=f"import-csv {file.name} into {scheme}",
            output=output,
            dry_run=dry_run,
        )
    _err(summary)


@click.command("diff")
@with_appcontext
@click.argument("old", type=FILE)
@click.argument("new", type=FILE)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def diff_command(old: Path, new: Path, fmt: str) -> None:
    """Compare two versions of a vocabulary file."""
    from graph_service.curate.diff import diff_files, format_text

    try:
        result = diff_files(old, new)
    except StoreError as exc:
        raise click.ClickException(f"cannot read the files as RDF: {exc}") from exc
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(result))


def _read_text_argument(value: str) -> tuple[str, str]:
    """TEXT, FILE or URL -> (text, source); HTML is reduced to its text."""
    from graph_service.curate.fetch import fetch, is_url
    from graph_service.curate.ingest import html_to_text

    if is_url(value):
        fetched = fetch(value, allow_private=current_app.config["ALLOW_PRIVATE_URLS"])
        text = fetched.text()
        return (html_to_text(text) if "html" in fetched.media_type else text), fetched.url
    path = Path(value)
    if len(value) < 4096 and "\n" not in value and path.is_file():
        text = path.read_text(encoding="utf-8", errors="replace")
        return (html_to_text(text) if path.suffix.lower() in {".html", ".htm"} else text), value
    return value, "text"


@click.command("suggest")
@with_appcontext
@click.argument("source")
@click.option("--limit", default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--broader/--no-broader", default=False, help="Also propose broader concepts.")
def suggest_command(source: str, limit: int, fmt: str, broader: bool) -> None:
    """Suggest concepts to index TEXT, a FILE or a URL with."""
    from graph_service.curate.suggest import format_text, suggest

    text, _ = _read_text_argument(source)
    with current_store(read_only=True) as store:
        hits = suggest(store, text, limit=limit, add_broader=broader)
    if fmt == "json":
        click.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(hits))


@click.command("ingest")
@with_appcontext
@click.argument("source")
@click.option("--dry-run", is_flag=True, help="Print the Turtle instead of writing it.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write into (default: vocab/resources/).",
)
@click.option("--url", "source_url", help="The page's URL, when SOURCE is a saved file.")
def ingest_command(source: str, dry_run: bool, output: Path | None, source_url: str | None) -> None:
    """Turn a news page (FILE or URL, HTML or text export) into a resource for review."""
    from graph_service.curate.ingest import ingest_source

    config = current_app.config
    with current_store(read_only=True) as store:
        result = ingest_source(
            store, source, source_url=source_url, allow_private=config["ALLOW_PRIVATE_URLS"]
        )
    for problem in result.problems:
        _err(f"{problem.severity}: {problem}")
    errors = [p for p in result.problems if p.severity == "error"]
    if dry_run:
        click.echo(result.turtle, nl=False)
        if errors:
            sys.exit(1)
        return
    if errors:  # never an invalid file in vocab/resources/, which would break the build
        _err(f"not written: {len(errors)} validation error(s); fix the page or the vocabulary")
        sys.exit(1)
    folder = output or Path(config["VOCAB_DIR"]) / "resources"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{result.slug}.ttl"
    target.write_text(result.turtle, encoding="utf-8")
    _err(f"wrote {target}: review it, then commit it and run `graph-service build`")
