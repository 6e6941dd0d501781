"""Headers that keep our pages from being framed, sniffed or made to run another site's script.

Every answer gets `X-Content-Type-Options: nosniff` and a `Referrer-Policy`. HTML pages get a
Content-Security-Policy that runs scripts from this origin only (our templates have no inline
script: a JSON-LD block is data, which CSP does not block; styles may be inline, several
templates have a <style> block), and frame protection: `frame-ancestors 'none'` and
`X-Frame-Options: DENY`, so that a page with a token field (/curation/import) cannot be framed
by another site. The pages meant to be framed say so: the cards (web/cards/, the oEmbed iframe
targets) set their own policy, kept as is; OpenRefine shows reconciliation previews in a frame.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: Sources of our pages: this origin, inline styles, data: images (the blank favicon).
_SOURCES = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'"
)
PAGE_CSP = _SOURCES + "; frame-ancestors 'none'"
FRAMED_CSP = _SOURCES + "; frame-ancestors *"
#: HTML pages other sites may frame (the cards set their own policy in web/cards/views.py).
FRAMEABLE_PATHS = frozenset({"/reconcile/preview"})
REFERRER_POLICY = "strict-origin-when-cross-origin"
#: Headers of every answer, for the WSGI layers that answer without Flask (the /sparql fast path).
EVERY_ANSWER = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", REFERRER_POLICY))


def secure(response: Response) -> Response:
    """Add the headers to one answer; a policy a view set itself (the cards') is kept."""
    for name, value in EVERY_ANSWER:
        response.headers.setdefault(name, value)
    if response.mimetype != "text/html" or "Content-Security-Policy" in response.headers:
        return response
    if request.path in FRAMEABLE_PATHS:
        response.headers["Content-Security-Policy"] = FRAMED_CSP
    else:
        response.headers["Content-Security-Policy"] = PAGE_CSP
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every answer of the app."""
    app.after_request(secure)
