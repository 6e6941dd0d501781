"""A WSGI layer that answers repeated GET requests from memory while the data version holds.

A vocabulary service is read far more than written, by pages, cards and API clients asking
the same URLs again and again. A response is kept when it is a plain 200 to a GET without
credentials or conditions, and the app did not mark it private or no-store. It is keyed by
path, query string, Accept, Host and the request headers its `Vary` names, and it is valid
for one data version only: any write empties the cache. A hit costs a dictionary lookup instead of a
trip through Flask, the model layer and the engine.

An answer is kept from the second time its URL is asked for, not the first: most URLs of a
large vocabulary are asked for once (a crawler, a stream of distinct SPARQL queries), and
keeping those filled the cache with answers never read again, at a cost in memory and in
time. A small bit set (the "doorkeeper" of TinyLFU caches) remembers which URLs were seen.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Request headers that make a response personal or conditional: such requests always go
#: through to the app (which answers 304s itself).
_BYPASS = ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


@dataclass(frozen=True)
class _Entry:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ResponseCache:
    """Wraps a WSGI app; `version` returns the current data version (None: do not cache)."""

    def __init__(
        self,
        app: WSGIApp,
        version: Callable[[], str | None],
        *,
        max_bytes: int = 128 * 1024 * 1024,
        max_entry_bytes: int = 2 * 1024 * 1024,
        keep_first_answers: bool = False,
    ) -> None:
        self.app, self.version = app, version
        self.max_bytes, self.max_entry_bytes = max_bytes, max_entry_bytes
        self._doorkeeper = None if keep_first_answers else _Doorkeeper()
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._vary: dict[tuple[str, str], tuple[str, ...]] = {}
        self._bytes = 0
        self._current: str | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in _BYPASS):
            return self.app(environ, start_response)
        try:
            version = self.version()
        except Exception:  # an unreachable remote store: the app gives the real answer (503)
            version = None
        if version is None:
            return self.app(environ, start_response)
        base = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        entry = self._lookup(version, base, environ)
        if entry is not None:
            self.hits += 1
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        self.misses += 1
        return self._fill(version, base, environ, start_response)

    def _key(self, base: tuple[str, str], names: tuple[str, ...], environ: Environ) -> tuple:
        return (*base, *(environ.get(key, "") for key in _environ_keys(names)))

    def _lookup(self, version: str, base: tuple[str, str], environ: Environ) -> _Entry | None:
        with self._lock:
            if version != self._current:
                self._entries.clear()
                self._vary.clear()
                self._bytes, self._current = 0, version
                if self._doorkeeper is not None:
                    self._doorkeeper.clear()
                return None
            names = self._vary.get(base)
            if names is None:
                return None
            key = self._key(base, names, environ)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def _fill(
        self, version: str, base: tuple[str, str], environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return (
                start_response(status, headers, exc_info)
                if exc_info
                else start_response(status, headers)
            )

        body_iter = self.app(environ, capture)
        if not self._cacheable(captured):
            return body_iter
        # Only buffered (non-streamed) answers are small enough to keep; read them once.
        chunks, size = [], 0
        try:
            for chunk in body_iter:
                chunks.append(chunk)
                size += len(chunk)
        finally:
            close = getattr(body_iter, "close", None)
            if close is not None:
                close()
        body = b"".join(chunks)
        if size <= self.max_entry_bytes:
            self._store(version, base, environ, captured, body)
        return [body]

    @staticmethod
    def _cacheable(captured: dict[str, Any]) -> bool:
        if not captured.get("status", "").startswith("200"):
            return False
        headers = {k.lower(): v for k, v in captured["headers"]}
        control = headers.get("cache-control", "").lower()
        if "no-store" in control or "private" in control or "set-cookie" in headers:
            return False
        length = headers.get("content-length")
        return length is not None  # streamed answers (dumps) have none: never buffered here

    def _store(
        self,
        version: str,
        base: tuple[str, str],
        environ: Environ,
        captured: dict[str, Any],
        body: bytes,
    ) -> None:
        headers = tuple(captured["headers"])
        vary = next((v for k, v in headers if k.lower() == "vary"), "")
        # Accept is always part of the key: a negotiated answer that forgot `Vary: Accept`
        # must still never be served to a client that asked for another format.
        names = tuple(
            sorted({"accept"} | {n.strip().lower() for n in vary.split(",") if n.strip()})
        )
        if "*" in names:
            return
        with self._lock:
            if version != self._current:
                return
            if self._vary.setdefault(base, names) != names:
                return  # the URL's Vary changed between answers: keep it uncached
            key = self._key(base, names, environ)
            if key in self._entries:
                return
            if self._doorkeeper is not None and self._doorkeeper.first_sight(key):
                return  # kept if it is asked for again
            self._entries[key] = _Entry(captured["status"], headers, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)


@functools.lru_cache(maxsize=64)
def _environ_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    """The WSGI environ keys of request header names (one Vary's: a handful per service)."""
    return tuple("HTTP_" + name.upper().replace("-", "_") for name in names)


class _Doorkeeper:
    """Which keys were seen before: one bit per key hash, forgotten in bulk once well filled.

    A false "seen" (two keys on one bit) only admits an answer one request early; 2**20 bits
    (128 kB) are reset after 2**17 keys, so at most one key in eight is admitted early.
    """

    BITS = 1 << 20
    RESET_AFTER = 1 << 17

    def __init__(self) -> None:
        self._bits = bytearray(self.BITS // 8)
        self._marked = 0

    def first_sight(self, key: tuple) -> bool:
        """Whether `key` is new (and remember it); the caller holds the cache's lock."""
        slot = hash(key) % self.BITS
        byte, mask = slot >> 3, 1 << (slot & 7)
        if self._bits[byte] & mask:
            return False
        if self._marked >= self.RESET_AFTER:
            self.clear()
        self._bits[byte] |= mask
        self._marked += 1
        return True

    def clear(self) -> None:
        """Forget every key (on a new data version, or once the set is well filled)."""
        self._bits = bytearray(self.BITS // 8)
        self._marked = 0
