"""Fetch a URL safely for imports and ingest: http(s) only, public addresses, timeouts, size cap."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

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


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse non-http(s) URLs and hosts resolving to private, loopback or reserved addresses."""
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
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    if allow_private:
        return
    # Every address the name resolves to is checked: one public record must not smuggle in a
    # private one that the HTTP client might pick.
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        reason = _forbidden_reason(address)
        if reason:
            raise FetchError(
                f"refused to fetch {url}: {host} resolves to {address}, a {reason} address "
                "(set GRAPH_SERVICE_ALLOW_PRIVATE_URLS=true to allow local addresses)"
            )


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
    started = time.monotonic()
    headers = {"Accept": accept, "User-Agent": USER_AGENT}
    current = url
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment may bypass the address check
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private=allow_private)
            try:
                response = session.get(
                    current, headers=headers, timeout=timeout, stream=True, allow_redirects=False
                )
            except requests.Timeout as exc:
                raise FetchError(
                    f"{current} did not answer within {timeout[0]:g}/{timeout[1]:g} s"
                ) from exc
            except requests.RequestException as exc:
                raise FetchError(f"cannot fetch {current}: {_reason(exc)}") from exc
            with response:
                if response.is_redirect and response.headers.get("Location"):
                    current = urljoin(current, response.headers["Location"])
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"{current} answered HTTP {response.status_code}")
                content = _read_capped(response, current, max_bytes, started, deadline, timeout)
                return Fetched(current, response.headers.get("Content-Type", ""), content)
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _read_capped(
    response: requests.Response,
    url: str,
    max_bytes: int,
    started: float,
    deadline: float,
    timeout: tuple[float, float],
) -> bytes:
    """Read the body in chunks, stopping past max_bytes or the overall deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url} is too large: {int(declared):,} bytes (limit {max_bytes:,})")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    f"{url} is too large: more than {max_bytes:,} bytes, download stopped"
                )
            if time.monotonic() - started > deadline:
                raise FetchError(f"{url} took longer than {deadline:g} s to download")
            chunks.append(chunk)
    except requests.exceptions.ConnectionError as exc:
        if "timed out" in str(exc).lower():
            raise FetchError(f"{url} stopped sending data for more than {timeout[1]:g} s") from exc
        raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from exc
    except requests.RequestException as exc:
        raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from exc
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    """The innermost readable reason of a requests error."""
    text = str(exc)
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
