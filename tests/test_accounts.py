"""Librarians' accounts: the store in DATA_DIR/accounts.json and the `users` commands."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from werkzeug.security import check_password_hash, generate_password_hash

from graph_service import create_app
from graph_service.cli import main
from graph_service.curate.accounts import (
    AccountError,
    AccountStore,
    hash_password,
    verify_password,
)
from graph_service.curate.throttle import LoginThrottle

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / "var")


def test_add_list_and_authenticate(accounts: AccountStore) -> None:
    created = accounts.add("alice", "editor", PASSWORD)
    assert (created.name, created.role) == ("alice", "editor")
    assert [a.name for a in accounts.list()] == ["alice"]
    assert accounts.authenticate("alice", PASSWORD) == created
    assert accounts.authenticate("alice", "wrong password") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert accounts.authenticate("../bad name", PASSWORD) is None


def test_the_file_holds_a_hash_never_the_password(accounts: AccountStore) -> None:
    accounts.add("alice", "editor", PASSWORD)
    text = accounts.path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    stored = json.loads(text)["accounts"][0]["hash"]
    assert stored.startswith("scrypt:")
    # werkzeug reads our hashes, and we read its: the format is the same.
    assert check_password_hash(stored, PASSWORD)
    assert verify_password(generate_password_hash(PASSWORD, method="scrypt"), PASSWORD)
    assert not verify_password("garbage", PASSWORD)
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # salted


def test_the_file_is_private_and_replaced_atomically(accounts: AccountStore) -> None:
    accounts.add("alice", "editor", PASSWORD)
    first_inode = accounts.path.stat().st_ino
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600
    accounts.add("bob", "contributor", PASSWORD)
    # A new file renamed over the old one: readers never see a half-written file.
    assert accounts.path.stat().st_ino != first_inode
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600
    # No temporary file left behind; the lock file is empty (it holds nothing but the lock).
    files = sorted(p.name for p in accounts.path.parent.iterdir())
    assert files == [".accounts.lock", "accounts.json"]
    assert (accounts.path.parent / ".accounts.lock").stat().st_size == 0


def test_remove_and_passwd(accounts: AccountStore) -> None:
    accounts.add("alice", "editor", PASSWORD)
    before = accounts.get("alice")
    changed = accounts.set_password("alice", "another password")
    assert changed.stamp != before.stamp  # type: ignore[union-attr]  # sessions end
    assert accounts.authenticate("alice", PASSWORD) is None
    assert accounts.authenticate("alice", "another password") is not None
    accounts.remove("alice")
    assert accounts.list() == []
    with pytest.raises(AccountError, match="no account named"):
        accounts.remove("alice")
    with pytest.raises(AccountError, match="no account named"):
        accounts.set_password("alice", PASSWORD)


@pytest.mark.parametrize("name", ["", "a b", "../etc", "é", "x" * 65, "a/b", "<script>"])
def test_bad_names_are_refused(accounts: AccountStore, name: str) -> None:
    with pytest.raises(AccountError, match="invalid account name"):
        accounts.add(name, "editor", PASSWORD)


def test_bad_roles_duplicates_and_short_passwords(accounts: AccountStore) -> None:
    with pytest.raises(AccountError, match="unknown role"):
        accounts.add("alice", "root", PASSWORD)
    with pytest.raises(AccountError, match="characters"):
        accounts.add("alice", "editor", "short")
    accounts.add("alice", "editor", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("alice", "admin", PASSWORD)


def test_roles_are_ranked(accounts: AccountStore) -> None:
    admin = accounts.add("root.1", "admin", PASSWORD)
    contributor = accounts.add("c_2", "contributor", PASSWORD)
    assert admin.has_role("editor") and admin.has_role("contributor")
    assert not contributor.has_role("editor")


def test_set_role(accounts: AccountStore) -> None:
    accounts.add("alice", "contributor", PASSWORD)
    stamp = accounts.get("alice").stamp  # type: ignore[union-attr]
    promoted = accounts.set_role("alice", "editor")
    assert promoted.role == "editor" and accounts.get("alice") == promoted
    assert promoted.stamp == stamp  # a new role keeps the sessions: read on each request
    with pytest.raises(AccountError, match="unknown role") as bad:
        accounts.set_role("alice", "root")
    assert bad.value.reason == "role"
    with pytest.raises(AccountError, match="no account named") as unknown:
        accounts.set_role("bob", "editor")
    assert unknown.value.reason == "unknown"


def test_the_last_admin_stays(accounts: AccountStore) -> None:
    accounts.add("root", "admin", PASSWORD)
    accounts.add("alice", "editor", PASSWORD)
    for change in (lambda: accounts.set_role("root", "editor"), lambda: accounts.remove("root")):
        with pytest.raises(AccountError, match="last admin") as refused:
            change()
        assert refused.value.reason == "last_admin" and refused.value.status == 409
    assert accounts.set_role("root", "admin").role == "admin"  # staying admin is no demotion
    accounts.set_role("alice", "admin")
    accounts.set_role("root", "contributor")  # another admin remains: allowed
    with pytest.raises(AccountError, match="last admin"):
        accounts.remove("alice")
    accounts.remove("root")
    assert [(a.name, a.role) for a in accounts.list()] == [("alice", "admin")]


def test_two_admins_demoting_each_other_at_once_leave_one(tmp_path: Path) -> None:
    # The check and the write happen under one lock: of two simultaneous demotions of the
    # only two admins, one is refused (each sees the other's result, never the old file).
    for round_ in range(10):
        data_dir = tmp_path / f"round{round_}"
        for name in ("a", "b"):
            AccountStore(data_dir).add(name, "admin", PASSWORD)
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def demote(name: str, data_dir: Path, start: threading.Barrier, out: list[str]) -> None:
            start.wait()
            try:
                AccountStore(data_dir).set_role(name, "editor")
                out.append("demoted")
            except AccountError as exc:
                out.append(exc.reason)

        threads = [
            threading.Thread(target=demote, args=(name, data_dir, start, outcomes))
            for name in ("a", "b")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["demoted", "last_admin"]
        assert [a.role for a in AccountStore(data_dir).list()].count("admin") == 1


def test_the_throttle_locks_out_after_five_failures_for_a_while() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(5):
        assert throttle.retry_at("name:alice") is None
        throttle.failed("name:alice")
    assert throttle.retry_at("name:alice") == 1000.0 + 15 * 60
    assert throttle.retry_at("name:bob") is None
    now[0] += 15 * 60 + 1
    assert throttle.retry_at("name:alice") is None


def _cli(data_dir: Path, args: list[str], stdin: str | None = None):
    app = create_app({"TESTING": True, "DATA_DIR": data_dir})
    runner = CliRunner()
    return runner.invoke(main, args, input=stdin, obj=ScriptInfo(create_app=lambda: app))


def test_cli_add_with_password_from_stdin(tmp_path: Path) -> None:
    result = _cli(
        tmp_path, ["users", "add", "alice", "--role", "editor", "--password-stdin"], PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert AccountStore(tmp_path).authenticate("alice", PASSWORD) is not None
    listed = _cli(tmp_path, ["users", "list"])
    assert listed.exit_code == 0
    assert "alice" in listed.output and "editor" in listed.output
    assert "scrypt" not in listed.output


def test_cli_generated_password_is_printed_once_and_works(tmp_path: Path) -> None:
    result = _cli(tmp_path, ["users", "add", "bob", "--role", "admin"])
    assert result.exit_code == 0, result.output
    printed = [line for line in result.output.splitlines() if "shown once" in line]
    assert len(printed) == 1
    password = printed[0].rsplit(" ", 1)[-1]
    assert AccountStore(tmp_path).authenticate("bob", password) is not None
    assert password not in _cli(tmp_path, ["users", "list"]).output
    changed = _cli(tmp_path, ["users", "passwd", "bob"])
    assert changed.exit_code == 0
    new = changed.output.strip().rsplit(" ", 1)[-1]
    assert AccountStore(tmp_path).authenticate("bob", new) is not None
    assert AccountStore(tmp_path).authenticate("bob", password) is None


def test_cli_errors_exit_non_zero_with_a_message(tmp_path: Path) -> None:
    _cli(tmp_path, ["users", "add", "alice", "--role", "editor", "--password-stdin"], PASSWORD)
    duplicate = _cli(tmp_path, ["users", "add", "alice", "--role", "editor"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    assert "shown once" not in duplicate.output
    bad_role = _cli(tmp_path, ["users", "add", "carol", "--role", "root"])
    assert bad_role.exit_code != 0 and "root" in bad_role.output
    bad_name = _cli(tmp_path, ["users", "add", "a b", "--role", "editor"])
    assert bad_name.exit_code != 0 and "invalid account name" in bad_name.output
    unknown = _cli(tmp_path, ["users", "remove", "nobody"])
    assert unknown.exit_code != 0 and "no account named" in unknown.output
    unknown = _cli(tmp_path, ["users", "passwd", "nobody"])
    assert unknown.exit_code != 0 and "no account named" in unknown.output
    removed = _cli(tmp_path, ["users", "remove", "alice"])
    assert removed.exit_code == 0
    assert "no accounts" in _cli(tmp_path, ["users", "list"]).output


def test_cli_role(tmp_path: Path) -> None:
    _cli(tmp_path, ["users", "add", "root", "--role", "admin"])
    _cli(tmp_path, ["users", "add", "alice", "--role", "contributor"])
    result = _cli(tmp_path, ["users", "role", "alice", "editor"])
    assert result.exit_code == 0, result.output
    assert "alice is now editor" in result.output
    assert AccountStore(tmp_path).get("alice").role == "editor"  # type: ignore[union-attr]
    bad = _cli(tmp_path, ["users", "role", "alice", "root"])
    assert bad.exit_code != 0 and "root" in bad.output
    unknown = _cli(tmp_path, ["users", "role", "nobody", "editor"])
    assert unknown.exit_code != 0 and "no account named" in unknown.output
    # The same rule as the pages: the last admin is neither demoted nor removed.
    for args in (["users", "role", "root", "editor"], ["users", "remove", "root"]):
        refused = _cli(tmp_path, args)
        assert refused.exit_code != 0 and "last admin" in refused.output
    assert AccountStore(tmp_path).get("root").role == "admin"  # type: ignore[union-attr]
