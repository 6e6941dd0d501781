"""Our HTML pages carry a Content-Security-Policy and refuse to be framed, except the cards and
the reconciliation previews, which are made for frames (issue 19: /curation/import, with its
token field, could be framed by any site)."""

from __future__ import annotations

import pytest

from graph_service.web.security_headers import FRAMED_CSP, PAGE_CSP

#: HTML pages that must not be framed, anonymous ones and the curation tools.
PAGES = ["/", "/notions", "/notions/empowerment", "/search?q=concertation", "/sparql",
         "/curation/", "/curation/import", "/curation/suggest", "/login", "/feedback",
         "/history", "/no/such/page"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_refuse_frames_and_other_origins_scripts(client, path: str) -> None:
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.mimetype == "text/html", (path, answer.status_code)
    policy = answer.headers["Content-Security-Policy"]
    assert policy == PAGE_CSP
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_in_pages(client) -> None:
    """script-src 'self' would block an inline script: none may be left (JSON-LD is data)."""
    import re

    for path in PAGES:
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        for attributes in re.findall(r"<script([^>]*)>", html):
            assert "src=" in attributes or 'type="application/ld+json"' in attributes, path
        assert not re.search(r"\son[a-z]+\s*=", re.sub(r"<pre.*?</pre>", "", html, flags=re.S))


def test_cards_and_previews_may_be_framed(client) -> None:
    card = client.get("/card/notions/empowerment")
    assert card.status_code == 200
    assert "frame-ancestors *" in card.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in card.headers
    assert card.headers["X-Content-Type-Options"] == "nosniff"
    preview = client.get("/reconcile/preview?id=https://w3id.org/pdv/notions/empowerment")
    assert preview.status_code == 200
    assert preview.headers["Content-Security-Policy"] == FRAMED_CSP
    assert "X-Frame-Options" not in preview.headers


def test_data_answers_are_not_sniffed(client) -> None:
    for path in ("/rest/v1/vocabularies?lang=fr", "/static/ui.js", "/openapi.json"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "X-Frame-Options" not in answer.headers
