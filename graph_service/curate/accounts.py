"""Librarians' accounts: names, roles and password hashes in DATA_DIR/accounts.json.

The hashes use werkzeug's scrypt format (`scrypt:n:r:p$salt$hex`), so that
`werkzeug.security.check_password_hash` reads them; they are computed with hashlib here
because werkzeug is a web library and this layer must not need it. The file is written
atomically (temporary file, fsync, rename) with mode 0600: it holds hashes, never passwords.
Every change is a read-modify-write under an flock on DATA_DIR/.accounts.lock, so that the
server's pages and the CLI (or two admins at once) never lose each other's changes, and the
rule "at least one admin remains" holds whoever asks.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph_service.exceptions import GraphServiceError

FILE_NAME = "accounts.json"
LOCK_NAME = ".accounts.lock"
ADMIN = "admin"
#: Roles from the least to the most trusted: each may do what the ones before it may.
ROLES = ("contributor", "editor", "admin")
NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_PASSWORD = 1024
MIN_PASSWORD = 8
#: werkzeug's defaults for scrypt (n=2**15, r=8, p=1) and its salt length.
SCRYPT = (2**15, 8, 1)
SALT_CHARS = string.ascii_letters + string.digits
SALT_LENGTH = 16


class AccountError(GraphServiceError):
    """A bad name, role or password, a duplicate, an unknown account, or a change that would
    leave no admin. `reason` names which (name, role, password, exists, unknown, last_admin,
    file), so that the pages can say it in their language next to the right field."""

    def __init__(self, message: str, *, reason: str = "", status: int | None = None) -> None:
        super().__init__(message, status)
        self.reason = reason


@dataclass(frozen=True)
class Account:
    """One account as shown to people: never its hash."""

    name: str
    role: str
    created: str
    #: A digest of the password hash (not the hash): sessions keep it, so that a new password
    #: ends the sessions opened with the old one.
    stamp: str = field(default="", repr=False, compare=False)

    def has_role(self, needed: str) -> bool:
        """Whether this account may act as `needed` (an admin is also an editor, ...)."""
        return role_rank(self.role) >= role_rank(needed)


def role_rank(role: str) -> int:
    """The rank of a role in ROLES; AccountError for an unknown one."""
    if role not in ROLES:
        raise AccountError(
            f"unknown role {role!r}: choose one of {', '.join(ROLES)}", reason="role"
        )
    return ROLES.index(role)


def check_name(name: str) -> str:
    """Return `name` if it is a valid account name, else raise AccountError."""
    if not NAME.match(name):
        raise AccountError(
            f"invalid account name {name!r}: 1 to 64 letters, digits, '.', '-' or '_'",
            reason="name",
        )
    return name


def check_password(password: str) -> str:
    """Return `password` if it is acceptable, else raise AccountError."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(
            f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters", reason="password"
        )
    return password


def generate_password() -> str:
    """A random password of about 120 bits, for people who do not choose one."""
    return secrets.token_urlsafe(15)


def hash_password(password: str) -> str:
    """The scrypt hash of `password` in werkzeug's format, with a random salt."""
    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(SALT_LENGTH))
    n, r, p = SCRYPT
    return f"scrypt:{n}:{r}:{p}${salt}${_scrypt(password, salt, n, r, p)}"


def _scrypt(password: str, salt: str, n: int, r: int, p: int) -> str:
    digest = hashlib.scrypt(
        password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p
    )
    return digest.hex()


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches a hash written by hash_password (or werkzeug's scrypt)."""
    try:
        method, salt, expected = stored.split("$", 2)
        kind, *params = method.split(":")
        n, r, p = (int(x) for x in params) if params else SCRYPT
    except ValueError:
        return False
    if kind != "scrypt" or len(password) > MAX_PASSWORD:
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when a name is unknown, so that both cases take the time of one hash."""
    return hash_password(secrets.token_urlsafe(16))


class AccountStore:
    """The accounts of one data directory; every change rewrites the file atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, dict[str, Any]]]:
        """The entries, read under the directory's accounts lock, held until the block ends.
        Across processes, and across threads too: each call opens its own descriptor, and
        flock locks conflict between descriptors even in one process."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.parent / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self._read()
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AccountError(f"cannot read {self.path}: {exc}", reason="file") from exc
        return {entry["name"]: entry for entry in raw.get("accounts", [])}

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"accounts": sorted(entries.values(), key=lambda e: e["name"])}
        # mkstemp creates the file 0600 already: the hashes are never readable by others.
        fd, temp = tempfile.mkstemp(prefix=".accounts-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)  # readers see the old file or the new, never half
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def list(self) -> list[Account]:
        """Every account, by name."""
        return [_account(e) for _, e in sorted(self._read().items())]

    def get(self, name: str) -> Account | None:
        """The account called `name`, or None."""
        entry = self._read().get(name)
        return _account(entry) if entry else None

    def add(self, name: str, role: str, password: str) -> Account:
        """Create an account; AccountError if the name is taken or anything is invalid."""
        check_name(name)
        role_rank(role)
        check_password(password)
        with self._locked() as entries:
            if name in entries:
                raise AccountError(f"an account named {name!r} already exists", reason="exists")
            created = datetime.now(UTC).replace(microsecond=0).isoformat()
            entries[name] = {
                "name": name,
                "role": role,
                "created": created,
                "hash": hash_password(password),
            }
            self._write(entries)
            return _account(entries[name])

    def remove(self, name: str) -> None:
        """Delete an account; AccountError if there is none by that name, or (409) if it is
        the last admin."""
        with self._locked() as entries:
            _keep_an_admin(entries, _known(entries, name), "remove")
            del entries[name]
            self._write(entries)

    def set_role(self, name: str, role: str) -> Account:
        """Give an account another role (effective on its next request); AccountError if the
        account or the role is unknown, or (409) if it would demote the last admin."""
        role_rank(role)
        with self._locked() as entries:
            entry = _known(entries, name)
            if entry["role"] != role:
                if role != ADMIN:
                    _keep_an_admin(entries, entry, "demote")
                entry["role"] = role
                self._write(entries)
            return _account(entry)

    def set_password(self, name: str, password: str) -> Account:
        """Replace an account's password, which ends the sessions opened with the old one
        (its stamp changes); AccountError if unknown or the password is bad."""
        check_password(password)
        with self._locked() as entries:
            entry = _known(entries, name)
            entry["hash"] = hash_password(password)
            self._write(entries)
            return _account(entry)

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account if `password` is its own, else None; as slow for unknown names."""
        entry = self._read().get(name) if NAME.match(name) else None
        stored = entry["hash"] if entry else _dummy_hash()
        matches = verify_password(stored, password)
        return _account(entry) if entry and matches else None


def _known(entries: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    """The entry of `name`; AccountError if there is none."""
    entry = entries.get(name)
    if entry is None:
        raise AccountError(f"no account named {name!r}", reason="unknown")
    return entry


def _keep_an_admin(entries: dict[str, dict[str, Any]], entry: dict[str, Any], verb: str) -> None:
    """Refuse (409) to remove or demote `entry` if it is the only admin: someone must remain
    who can manage the accounts from the browser."""
    if entry["role"] != ADMIN:
        return
    if sum(1 for other in entries.values() if other["role"] == ADMIN) <= 1:
        raise AccountError(
            f"cannot {verb} {entry['name']!r}: it is the last admin; "
            "make another account admin first",
            reason="last_admin",
            status=409,
        )


def _account(entry: dict[str, Any]) -> Account:
    stamp = hashlib.sha256(entry["hash"].encode()).hexdigest()[:32]
    return Account(name=entry["name"], role=entry["role"], created=entry["created"], stamp=stamp)
