"""A WSGI layer that compresses text answers (HTML, JSON, JS, CSS, RDF) with brotli or gzip.

It honours Accept-Encoding (q-values, q=0 refusals), prefers brotli when the `brotli` package is
installed, and leaves alone what gains little or cannot be touched: small bodies, streamed
bodies of unknown length (dumps, long SPARQL results), answers already encoded, partial (206)
and HEAD answers. It sits inside the response cache, so a compressed answer is kept and served
again compressed: `Vary: Accept-Encoding` puts the header in the cache key. That Vary is sent on
every text answer, whatever this client accepts and whatever its size, so that one URL always
names the same Vary (the cache and shared caches key on it). A strong ETag
becomes weak on a compressed answer: the bytes differ per encoding, the data does not, and
If-None-Match compares weakly, so 304s still work.
"""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Callable, Iterable
from typing import Any

brotli: Any
try:  # optional (it has no type stubs): gzip alone when the package is missing
    brotli = importlib.import_module("brotli")
except ImportError:  # pragma: no cover - depends on the installation
    brotli = None

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Below this many bytes the headers and the CPU cost more than what compression saves.
MIN_BYTES = 1024
#: Above, the answer passes through: compressing it in memory would hold it all at once.
MAX_BYTES = 8 * 1024 * 1024
GZIP_LEVEL = 6
BROTLI_QUALITY = 5  # brotli's fast levels beat gzip -6 in size at a similar cost

#: Media types worth compressing: text, and the JSON, XML and RDF syntaxes.
_TEXT_TYPES = frozenset({
    "application/javascript", "application/json", "application/ld+json", "application/n-quads",
    "application/n-triples", "application/rdf+xml", "application/trig", "application/xml",
    "application/sparql-results+json", "application/sparql-results+xml", "application/geo+json",
    "application/atom+xml", "application/xhtml+xml", "image/svg+xml",
})  # fmt: skip


def compressible(content_type: str) -> bool:
    """Whether a Content-Type is text worth compressing (text/*, JSON, XML and RDF syntaxes)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


def choose_encoding(accept_encoding: str, brotli_available: bool = brotli is not None) -> str:
    """The coding to answer with ("br", "gzip" or "" for none) for an Accept-Encoding value."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if not name:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.lower()] = weight
    star = weights.get("*", 0.0)
    best, best_weight = "", 0.0
    for coding in (["br"] if brotli_available else []) + ["gzip"]:  # ties go to brotli
        weight = weights.get(coding, weights.get("x-gzip", star) if coding == "gzip" else star)
        if weight > best_weight:
            best, best_weight = coding, weight
    return best


def compress(body: bytes, coding: str) -> bytes:
    """`body` encoded with `coding` ("br" or "gzip")."""
    if coding == "br" and brotli is not None:
        return bytes(brotli.compress(body, quality=BROTLI_QUALITY))
    # mtime=0: the same body gives the same bytes (no timestamp in the gzip header).
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _with_vary(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    vary = _header(headers, "vary")
    if vary is None:
        return [*headers, ("Vary", "Accept-Encoding")]
    names = {n.strip().lower() for n in vary.split(",")}
    if "accept-encoding" in names or "*" in names:
        return headers
    return [(k, f"{v}, Accept-Encoding" if k.lower() == "vary" else v) for k, v in headers]


class Compression:
    """Wraps a WSGI app and compresses its eligible answers."""

    def __init__(self, app: WSGIApp, *, min_bytes: int = MIN_BYTES) -> None:
        self.app, self.min_bytes = app, min_bytes

    @staticmethod
    def _varies(status: str, headers: list[tuple[str, str]]) -> bool:
        """Whether this kind of answer is compressed for some clients: then it names
        Accept-Encoding in Vary whatever its size, so that the answers of one URL in all its
        formats name the same Vary (the response cache keeps a URL only while they do)."""
        if not status.startswith("200"):
            return False
        kind = control = ""
        for name, value in headers:  # one pass: this runs on every answer
            lower = name.lower()
            if lower == "content-type":
                kind = value
            elif lower == "cache-control":
                control = value
            elif lower == "content-encoding" and value:
                return False
        return "no-transform" not in control and compressible(kind)

    def _eligible(self, headers: list[tuple[str, str]]) -> bool:
        """Whether an answer that varies is compressed: a known length, neither small nor huge."""
        length = _header(headers, "content-length")
        return (
            length is not None and length.isdigit() and self.min_bytes <= int(length) <= MAX_BYTES
        )

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        coding = choose_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        if environ.get("REQUEST_METHOD") == "HEAD":
            coding = ""  # no body to compress; the headers say what a GET would not be
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if exc_info is not None or not self._varies(status, headers):
                return (
                    start_response(status, headers, exc_info)
                    if exc_info
                    else start_response(status, headers)
                )
            headers = _with_vary(headers)
            if not coding or not self._eligible(headers):
                return start_response(status, headers)
            captured["status"], captured["headers"] = status, headers
            return lambda data: captured.setdefault("written", []).append(data)

        body_iter = self.app(environ, capture)
        if "status" not in captured:
            return body_iter
        try:
            body = b"".join([*captured.get("written", []), *body_iter])
        finally:
            close = getattr(body_iter, "close", None)
            if close is not None:
                close()
        encoded = compress(body, coding)
        headers = []
        for key, value in captured["headers"]:
            lower = key.lower()
            if lower == "content-length":
                value = str(len(encoded))
            elif lower == "etag" and not value.startswith("W/"):
                value = "W/" + value
            elif lower == "accept-ranges":
                continue  # byte ranges of the encoded body are not offered
            headers.append((key, value))
        headers.append(("Content-Encoding", coding))
        start_response(captured["status"], headers)
        return [encoded]


def wrap(app: Any) -> None:
    """Put the compression layer around a Flask app's WSGI callable."""
    if app.config.get("COMPRESSION", True):
        # Flask's documented way to add WSGI middleware; its stubs type wsgi_app as a method.
        app.wsgi_app = Compression(app.wsgi_app)
