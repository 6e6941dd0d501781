"""Parameters a hostile client sends: each answered 4xx with a message, never a 500.

The audit of issue 19 found anonymous 500s (each logging a traceback): numbers past SQLite's
64-bit integers, and IRIs the engine refuses (a space is no IRI code point) reaching the store.
"""

from __future__ import annotations

import pytest

#: One past SQLite's largest integer, and its largest: both overflowed the search index.
INT64_MAX = "9223372036854775807"
INT64_PAST = "9223372036854775808"


@pytest.mark.parametrize(
    "url",
    [
        f"/rest/v1/search?query=a*&offset={INT64_MAX}",
        f"/rest/v1/search?query=a*&maxhits={INT64_PAST}",
        f"/rest/v1/notions/index/A?limit={INT64_PAST}",
        f"/rest/v1/notions/index/A?offset={INT64_MAX}",
        f"/rest/v1/notions/new?offset={INT64_PAST}",
        f"/search?q=a&page={INT64_PAST}",
    ],
)
def test_numbers_past_64_bits_are_refused_with_a_message(client, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert "whole number" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/rest/v1/search?query=a*&offset=999999999999999",
        "/rest/v1/notions/index/A?limit=999999999999999&offset=999999999999999",
    ],
)
def test_the_largest_accepted_numbers_answer(client, url: str) -> None:
    """Fifteen digits, the most the rule takes, reach SQLite and the model without overflow."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "status", "said"),
    [
        ("/card?uri=http://x/a%20b", 400, "not a valid IRI"),
        ("/card/a%20b", 404, ""),
        ("/api/summary?uri=http://x/a%20b", 400, "not a valid IRI"),
        ("/summary/a%20b", 404, "no concept"),
        ("/oembed?url=https://w3id.org/pdv/notions/a%20b", 404, "no concept page"),
        ("/oembed?url=http://x/a%20b", 404, "no concept page"),
    ],
)
def test_iris_the_engine_refuses_are_a_client_error(
    client, url: str, status: int, said: str
) -> None:
    answer = client.get(url)
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert said in answer.get_data(as_text=True)
