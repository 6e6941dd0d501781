"""Fetch a URL safely for imports and ingest: http(s) only, public addresses, timeouts, size cap.

The address a host name resolves to is checked, then used for the connection itself (the
name is resolved once: a second lookup could answer differently, a loopback address say, and
that is how DNS rebinding gets past a check). The name still goes in the Host header and in
TLS (SNI and certificate). Every read from the network is bounded both by the read timeout
and by what is left of the whole download's deadline, so a server trickling bytes cannot
hold a fetch past it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from graph_service.exceptions import GraphServiceError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (per socket read)
#: A slow server can send one byte per read forever: the whole download has a deadline too.
DEFAULT_DEADLINE = 120.0
MAX_REDIRECTS = 5
USER_AGENT = "graph-service-curation/0.1 (+https://w3id.org/pdv/)"


class FetchError(GraphServiceError):
    """A URL that was refused or could not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    """A downloaded document: the final URL after redirects, its media type and bytes."""

    url: str
    content_type: str
    content: bytes

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased."""
        return self.content_type.split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body as text (charset from the header, else UTF-8 with replacement)."""
        charset = "utf-8"
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """The addresses of a host, as socket.getaddrinfo gives them (tests may stand in for it)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts, and the addresses it resolved to, every one allowed."""

    url: str
    https: bool
    host: str
    port: int
    path: str
    #: (family, socket address) pairs to connect to, in the resolver's order.
    addresses: tuple[tuple[int, tuple[Any, ...]], ...]


def _forbidden_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address may not be fetched from by default, or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-global", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def check_url(url: str, *, allow_private: bool = False) -> Target:
    """Refuse non-http(s) URLs and hosts resolving to private, loopback or reserved addresses;
    the checked target, whose addresses are the ones to connect to."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError(f"only http and https URLs can be fetched, not {parts.scheme or url!r}")
    host = parts.hostname
    if not host:
        raise FetchError(f"the URL {url!r} has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"the URL {url!r} has an invalid port") from exc
    try:
        infos = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    if not infos:
        raise FetchError(f"cannot resolve host {host!r}: no address")
    # Every address the name resolves to is checked: one public record must not smuggle in a
    # private one that a later connection attempt might pick.
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        reason = _forbidden_reason(address)
        if reason and not allow_private:
            raise FetchError(
                f"refused to fetch {url}: {host} resolves to {address}, a {reason} address "
                "(set GRAPH_SERVICE_ALLOW_PRIVATE_URLS=true to allow local addresses)"
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    addresses = tuple(dict.fromkeys((info[0], tuple(info[4])) for info in infos))
    return Target(url, parts.scheme == "https", host, port, path, addresses)


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int | None = None,
    timeout: tuple[float, float] | None = None,
    deadline: float | None = None,
    accept: str = "*/*",
) -> Fetched:
    """Download a URL with every safety check, following at most MAX_REDIRECTS redirects."""
    # Defaults are read at call time so that tests (and embedding code) can lower them.
    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    timeout = timeout or DEFAULT_TIMEOUT
    deadline = deadline or DEFAULT_DEADLINE
    limits = _Limits(time.monotonic() + deadline, deadline, timeout)
    headers = {"Accept": accept, "User-Agent": USER_AGENT}
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        target = check_url(current, allow_private=allow_private)
        connection = _PinnedConnection(target, limits)
        response: http.client.HTTPResponse | None = None
        try:
            response = _ask(connection, target, headers, limits)
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                current = urljoin(current, location)
                continue
            if response.status >= 400:
                raise FetchError(f"{current} answered HTTP {response.status}")
            content = _read_capped(response, current, max_bytes, limits)
            return Fetched(current, response.getheader("Content-Type") or "", content)
        finally:
            # An answer that ends the connection owns its socket (http.client hands it over):
            # closing only the connection left it open until garbage collection.
            if response is not None:
                response.close()
            connection.close()
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class _Limits:
    """A download's time limits: the deadline (monotonic), and connect and read timeouts."""

    deadline: float
    seconds: float  # the deadline, as a duration (for messages)
    timeout: tuple[float, float]

    def left(self, limit: float) -> float:
        """Seconds the next wait may take: `limit`, or less if the deadline comes first."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _DeadlinePassed
        return min(limit, remaining)

    def passed(self) -> bool:
        return time.monotonic() >= self.deadline


class _DeadlinePassed(TimeoutError):
    """The whole download's deadline has come."""


class _BoundedReads:
    """A socket whose every read waits at most the read timeout, and never past the deadline
    (a server sending one byte per second would otherwise never hit the read timeout)."""

    limits: _Limits

    def recv_into(self, *args: Any, **kwargs: Any) -> int:
        self.settimeout(self.limits.left(self.limits.timeout[1]))  # type: ignore[attr-defined]
        return super().recv_into(*args, **kwargs)  # type: ignore[misc]

    def recv(self, *args: Any, **kwargs: Any) -> bytes:
        self.settimeout(self.limits.left(self.limits.timeout[1]))  # type: ignore[attr-defined]
        return super().recv(*args, **kwargs)  # type: ignore[misc]


class _BoundedSocket(_BoundedReads, socket.socket):
    """A plain TCP socket with bounded reads."""


class _BoundedTLSSocket(_BoundedReads, ssl.SSLSocket):
    """A TLS socket with bounded reads."""


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to the checked address of a target, never to a new lookup of its
    name; the name goes in the Host header, SNI and the certificate check."""

    def __init__(self, target: Target, limits: _Limits) -> None:
        super().__init__(target.host, target.port)
        self.default_port = 443 if target.https else 80  # Host: name (no :443)
        self.target, self.limits = target, limits

    def connect(self) -> None:
        errors: list[OSError] = []
        for family, address in self.target.addresses:
            sock = _BoundedSocket(family, socket.SOCK_STREAM)
            sock.limits = self.limits
            try:
                sock.settimeout(self.limits.left(self.limits.timeout[0]))
                sock.connect(address)
                self.sock = self._secure(sock) if self.target.https else sock
                return
            except _DeadlinePassed:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                errors.append(exc)
        raise errors[-1]

    def _secure(self, sock: _BoundedSocket) -> ssl.SSLSocket:
        context = ssl.create_default_context()
        context.sslsocket_class = _BoundedTLSSocket
        sock.settimeout(self.limits.left(self.limits.timeout[0]))  # the handshake
        secure = context.wrap_socket(sock, server_hostname=self.target.host)
        secure.limits = self.limits  # type: ignore[attr-defined]
        return secure


def _ask(
    connection: _PinnedConnection, target: Target, headers: dict[str, str], limits: _Limits
) -> http.client.HTTPResponse:
    """Send the request and read the answer's status and headers."""
    try:
        connection.request("GET", target.path, headers=headers)
        return connection.getresponse()
    except TimeoutError as exc:
        if limits.passed():
            raise FetchError(f"{target.url} took longer than {limits.seconds:g} s") from exc
        connect, read = limits.timeout
        raise FetchError(f"{target.url} did not answer within {connect:g}/{read:g} s") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError(f"cannot fetch {target.url}: {_reason(exc)}") from exc


def _read_capped(
    response: http.client.HTTPResponse, url: str, max_bytes: int, limits: _Limits
) -> bytes:
    """Read the body as it comes, stopping past max_bytes or the deadline."""
    declared = response.getheader("Content-Length") or ""
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url} is too large: {int(declared):,} bytes (limit {max_bytes:,})")
    chunks: list[bytes] = []
    size = 0
    try:
        # read1 returns what one read from the network gives: each is bounded by the socket.
        while chunk := response.read1(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    f"{url} is too large: more than {max_bytes:,} bytes, download stopped"
                )
            chunks.append(chunk)
    except TimeoutError as exc:
        if limits.passed():
            raise FetchError(f"{url} took longer than {limits.seconds:g} s to download") from exc
        stalled = limits.timeout[1]
        raise FetchError(f"{url} stopped sending data for more than {stalled:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from exc
    if response.length:  # the connection closed before the declared length
        raise FetchError(f"cannot fetch {url}: the answer was cut short")
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    """The readable reason of a network error."""
    text = str(exc) or type(exc).__name__
    return text if len(text) < 300 else text[:300] + "..."


def is_url(text: str) -> bool:
    """Whether a command-line argument is a URL rather than a file path or text."""
    return urlsplit(text.strip()).scheme in {"http", "https"} and "\n" not in text.strip()


def link_checker(
    *, allow_private: bool = False, timeout: tuple[float, float] = (5.0, 10.0)
) -> Callable[[list[str]], list[tuple[str, str]]]:
    """A broken-links checker for the quality report: HEAD (then GET) each link, safely."""

    def check(urls: list[str]) -> list[tuple[str, str]]:
        broken = []
        for url in urls:
            try:
                fetch(url, allow_private=allow_private, timeout=timeout, max_bytes=1 << 20)
            except FetchError as exc:
                broken.append((url, exc.message))
        return broken

    return check
