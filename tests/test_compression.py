"""Response weight over real HTTP: text answers compressed (brotli or gzip) as the client's
Accept-Encoding allows, with Vary, through the response cache and ETags; small and already
encoded bodies left alone; static files fingerprinted and kept a year."""

from __future__ import annotations

import gzip
import re

import pytest
import requests
from conftest import LiveServer

from graph_service.web.compression import Compression, choose_encoding, compressible

try:
    import brotli
except ImportError:  # the server then answers gzip only
    brotli = None

PAGE = "/notions/democratie-participative"
#: One URL per kind of text the brief names: HTML, JSON, JS, CSS, RDF.
SPARQL = "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20100"
TEXTS = [PAGE, "/rest/v1/search?query=c*&lang=fr", "/static/ui.js", "/static/style.css",
         PAGE + ".ttl", SPARQL]  # fmt: skip


def raw_get(url: str, encoding: str | None, **headers: str) -> requests.Response:
    """A GET whose body is kept as sent (requests would decode gzip and brotli itself)."""
    sent = {"Accept-Encoding": encoding or "identity", "Accept": "text/html", **headers}
    response = requests.get(url, headers=sent, stream=True, timeout=30)
    response.raw_body = response.raw.read(decode_content=False)  # type: ignore[attr-defined]
    return response


def decoded(response: requests.Response) -> bytes:
    body: bytes = response.raw_body  # type: ignore[attr-defined]
    coding = response.headers.get("Content-Encoding")
    if coding == "gzip":
        return gzip.decompress(body)
    if coding == "br":
        assert brotli is not None
        return bytes(brotli.decompress(body))
    assert coding is None, coding
    return body


def varies_on_encoding(response: requests.Response) -> bool:
    names = {n.strip().lower() for n in response.headers.get("Vary", "").split(",")}
    return "accept-encoding" in names


@pytest.mark.parametrize("path", TEXTS)
def test_text_answers_are_compressed_as_asked(server: LiveServer, path: str) -> None:
    plain = raw_get(server.url + path, None)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert len(plain.raw_body) >= 1024, "the example must be large enough to be compressed"  # type: ignore[attr-defined]
    assert varies_on_encoding(plain)  # the same URL always names the same Vary
    zipped = raw_get(server.url + path, "gzip")
    assert zipped.headers["Content-Encoding"] == "gzip" and varies_on_encoding(zipped)
    assert int(zipped.headers["Content-Length"]) == len(zipped.raw_body)  # type: ignore[attr-defined]
    assert len(zipped.raw_body) < len(plain.raw_body) * 0.6  # type: ignore[attr-defined]
    assert decoded(zipped) == plain.raw_body  # type: ignore[attr-defined]
    both = raw_get(server.url + path, "gzip, deflate, br")
    assert both.headers["Content-Encoding"] == ("br" if brotli else "gzip")
    assert decoded(both) == plain.raw_body  # type: ignore[attr-defined]


def test_refusals_and_q_values_are_honoured(server: LiveServer) -> None:
    url = server.url + PAGE
    assert "Content-Encoding" not in raw_get(url, "gzip;q=0, br;q=0").headers
    assert "Content-Encoding" not in raw_get(url, "*;q=0").headers
    assert raw_get(url, "br;q=0.1, gzip;q=0.9").headers["Content-Encoding"] == "gzip"
    assert raw_get(url, "*").headers["Content-Encoding"] == ("br" if brotli else "gzip")


def test_small_bodies_are_not_compressed(server: LiveServer) -> None:
    small = raw_get(server.url + "/healthz", "gzip, br")
    assert small.status_code == 200 and len(small.raw_body) < 1024  # type: ignore[attr-defined]
    assert "Content-Encoding" not in small.headers
    # Still named in Vary: all the answers of one URL (in every format and size) name the same
    # Vary, or the response cache would stop keeping that URL.
    assert varies_on_encoding(small) == small.headers["Content-Type"].startswith(
        ("text/", "application/json")
    )


def test_the_cache_keeps_one_answer_per_encoding_and_etags_still_give_304(
    server: LiveServer,
) -> None:
    url = server.url + "/rest/v1/search?query=d*&lang=en"
    answers = {}
    for _ in range(3):  # the response cache keeps an answer from its second request on
        for coding in ("gzip", None, "br" if brotli else "gzip"):
            answer = raw_get(url, coding)
            answers.setdefault(coding, set()).add((answer.headers.get("Content-Encoding"),
                                                   decoded(answer)))  # fmt: skip
    assert answers["gzip"] == {("gzip", next(iter(answers[None]))[1])}
    assert {encoding for encoding, _ in answers[None]} == {None}
    assert len({body for values in answers.values() for _, body in values}) == 1
    tag = raw_get(url, "gzip").headers["ETag"]
    assert tag.startswith("W/")
    again = raw_get(url, "gzip", **{"If-None-Match": tag})
    assert again.status_code == 304 and again.raw_body == b""  # type: ignore[attr-defined]


def test_static_files_are_fingerprinted_and_kept_a_year(server: LiveServer) -> None:
    html = decoded(raw_get(server.url + PAGE, None)).decode()
    found = re.search(r'href="(/static/style\.css\?v=([0-9a-f]{12}))"', html)
    assert found, "the stylesheet link carries the file's fingerprint"
    fingerprinted = raw_get(server.url + found.group(1), "gzip")
    assert fingerprinted.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert fingerprinted.headers["Content-Encoding"] == "gzip"
    plain = raw_get(server.url + "/static/style.css", None)
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert decoded(fingerprinted) == plain.raw_body  # type: ignore[attr-defined]
    stale = raw_get(server.url + "/static/style.css?v=000000000000", None)
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    # A compressed static answer's validator is weak, and still gives a 304.
    tag = fingerprinted.headers["ETag"]
    assert tag.startswith("W/")
    again = raw_get(server.url + found.group(1), "gzip", **{"If-None-Match": tag})
    assert again.status_code == 304
    for script in re.findall(r'src="(/static/[^"]+)"', html):
        assert "?v=" in script, script


# --- the layer's decisions, on a plain WSGI app ---------------------------------------------


def _app(headers: list[tuple[str, str]], body: bytes, status: str = "200 OK"):  # type: ignore[no-untyped-def]
    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return app


def _call(app, encoding: str, method: str = "GET") -> tuple[str, dict[str, str], bytes]:  # type: ignore[no-untyped-def]
    seen: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):  # type: ignore[no-untyped-def]
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(Compression(app)({"REQUEST_METHOD": method, "HTTP_ACCEPT_ENCODING": encoding},
                                     start_response))  # fmt: skip
    return seen["status"], seen["headers"], body  # type: ignore[return-value]


def test_already_encoded_partial_head_and_binary_answers_pass_through() -> None:
    text = b"<p>" + b"mot " * 1000 + b"</p>"
    html = [("Content-Type", "text/html; charset=utf-8")]
    cases = [
        (_app([*html, ("Content-Encoding", "gzip")], gzip.compress(text)), "GET"),
        (_app(html, text, "206 Partial Content"), "GET"),
        (_app([("Content-Type", "application/gzip")], gzip.compress(text)), "GET"),
        (_app([("Content-Type", "image/png")], text), "GET"),
        (_app([*html, ("Cache-Control", "no-transform")], text), "GET"),
        (_app(html, text), "HEAD"),
    ]
    for app, method in cases:
        _, headers, _ = _call(app, "gzip", method)
        assert headers.get("Content-Encoding") in (None, "gzip") and "W/" not in headers.get(
            "ETag", ""
        )
        if "Content-Encoding" in headers:  # only the first: it was encoded by the app itself
            assert app is cases[0][0]
    _, headers, body = _call(_app(html, b"<p>court</p>"), "gzip")
    assert "Content-Encoding" not in headers and headers["Vary"] == "Accept-Encoding"
    _, headers, body = _call(_app([*html, ("ETag", '"abc"'), ("Vary", "Accept")], text), "gzip")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == text
    assert headers["ETag"] == 'W/"abc"' and headers["Vary"] == "Accept, Accept-Encoding"


def test_accept_encoding_parsing() -> None:
    assert choose_encoding("gzip, deflate, br", brotli_available=True) == "br"
    assert choose_encoding("gzip, deflate, br", brotli_available=False) == "gzip"
    assert choose_encoding("br;q=0, gzip;q=0.5", brotli_available=True) == "gzip"
    assert choose_encoding("identity", brotli_available=True) == ""
    assert choose_encoding("", brotli_available=True) == ""
    assert choose_encoding("GZIP;q=bad", brotli_available=True) == ""
    assert choose_encoding("x-gzip", brotli_available=False) == "gzip"
    assert compressible("application/n-triples") and compressible("application/vnd.api+json")
    assert not compressible("image/png") and not compressible("application/zip")
