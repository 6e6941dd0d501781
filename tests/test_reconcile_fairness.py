"""Per-client limit on reconciliation: one client's batches cannot take every server thread."""

from __future__ import annotations

import json

import pytest

from graph_service import create_app
from graph_service.config import Config
from graph_service.web.curation.reconcile import RECONCILE_SLOTS

BATCH = json.dumps({"q0": {"query": "concertation", "limit": 3}})
MATCH = json.dumps(
    {"queries": [{"conditions": [{"matchType": "name", "propertyValue": "concertation"}]}]}
)
ONE, OTHER = "192.0.2.1", "192.0.2.2"


@pytest.fixture
def limited(vocab_store):
    """The app with at most 2 reconciliation requests per client and a 60 s compute limit."""
    app = create_app(
        {
            "TESTING": True,
            "STORE": vocab_store,
            "RECONCILE_PER_CLIENT": 2,
            "COMPUTE_TIME_LIMIT": 60,  # generous: a loaded machine must not make it late
        }
    )
    return app.test_client()


def _requests(client, address: str):
    """A 0.2 batch, a 0.2 single query and a 1.0 match from `address`."""
    env = {"REMOTE_ADDR": address}
    return [
        client.post("/reconcile", data={"queries": BATCH}, environ_base=env),
        client.get("/reconcile?query=concertation", environ_base=env),
        client.post(
            "/reconcile/v1/match", data=MATCH, content_type="application/json", environ_base=env
        ),
    ]


def test_a_client_at_its_limit_gets_429_with_retry_after_and_others_are_served(limited) -> None:
    # Two requests of the client are computing (as two batches would in two server threads).
    with RECONCILE_SLOTS.hold(ONE, 2, 1), RECONCILE_SLOTS.hold(ONE, 2, 1):
        for response in _requests(limited, ONE):
            assert response.status_code == 429, response.data
            assert response.headers["Retry-After"] == "60"
            assert "already has 2 reconciliation requests running" in response.get_json()["error"]
            assert response.headers["Access-Control-Allow-Origin"] == "*"
        for response in _requests(limited, OTHER):
            assert response.status_code == 200, response.data
    # Its slots free again, the client is served; its requests gave theirs back.
    for response in _requests(limited, ONE):
        assert response.status_code == 200, response.data
    assert RECONCILE_SLOTS.running(ONE) == 0


def test_below_the_limit_and_the_manifest_are_not_refused(limited) -> None:
    with RECONCILE_SLOTS.hold(ONE, 2, 1):
        assert all(r.status_code == 200 for r in _requests(limited, ONE))
    with RECONCILE_SLOTS.hold(ONE, 2, 1), RECONCILE_SLOTS.hold(ONE, 2, 1):
        # The manifest and suggestions compute nothing costly: never counted.
        manifest = limited.get("/reconcile", environ_base={"REMOTE_ADDR": ONE})
        assert manifest.status_code == 200


def test_no_limit_when_set_to_0(vocab_store) -> None:
    app = create_app(
        {"TESTING": True, "STORE": vocab_store, "RECONCILE_PER_CLIENT": 0, "COMPUTE_TIME_LIMIT": 60}
    )
    with RECONCILE_SLOTS.hold(ONE, 9, 1), RECONCILE_SLOTS.hold(ONE, 9, 1):
        assert all(r.status_code == 200 for r in _requests(app.test_client(), ONE))


def test_the_default_limit_is_2() -> None:
    assert Config().reconcile_per_client == 2
