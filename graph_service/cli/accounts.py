"""The `users` commands of the graph-service CLI: librarians' accounts in DATA_DIR."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from graph_service.curate.accounts import ROLES, AccountStore, generate_password


def _store() -> AccountStore:
    return AccountStore(current_app.config["DATA_DIR"])


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The password read from standard input (first line), or a generated one; and whether it
    was generated (then it is printed, once: it is kept nowhere but in its hash)."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.ClickException("--password-stdin: standard input gave no password")
        return line, False
    return generate_password(), True


def register(group: click.Group) -> None:
    """Add the `users` command group to the graph-service command group."""
    group.add_command(users)


@click.group("users")
def users() -> None:
    """Manage the accounts librarians sign in with (stored hashed in DATA_DIR/accounts.json)."""


@users.command("add")
@with_appcontext
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_command(name: str, role: str, password_stdin: bool) -> None:
    """Create the account NAME (password from stdin, or generated and printed once)."""
    password, generated = _password(password_stdin)
    account = _store().add(name, role, password)
    click.echo(f"created {account.name} ({account.role})", err=True)
    if generated:
        click.echo(f"password for {account.name} (shown once, keep it safe): {password}")


@users.command("list")
@with_appcontext
def list_command() -> None:
    """List the accounts: name, role, created (never the password hash)."""
    accounts = _store().list()
    if not accounts:
        click.echo("no accounts yet: add one with `graph-service users add NAME --role ...`")
        return
    width = max(len(a.name) for a in accounts)
    for account in accounts:
        click.echo(f"{account.name:<{width}}  {account.role:<11}  {account.created}")


@users.command("remove")
@with_appcontext
@click.argument("name")
def remove_command(name: str) -> None:
    """Delete the account NAME."""
    _store().remove(name)
    click.echo(f"removed {name}", err=True)


@users.command("passwd")
@with_appcontext
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def passwd_command(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (from stdin, or generated and printed once)."""
    store = _store()
    if store.get(name) is None:  # before generating: no password printed for no account
        raise click.ClickException(f"no account named {name!r}")
    password, generated = _password(password_stdin)
    store.set_password(name, password)
    click.echo(f"password of {name} changed", err=True)
    if generated:
        click.echo(f"new password for {name} (shown once, keep it safe): {password}")


@users.command("role")
@with_appcontext
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def role_command(name: str, role: str) -> None:
    """Give the account NAME the role ROLE (the last admin cannot be demoted)."""
    account = _store().set_role(name, role)
    click.echo(f"{account.name} is now {account.role}", err=True)
