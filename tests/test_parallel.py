"""Independent questions of a page asked at once (model/parallel.py), and the scheme page that
asks them so (a real store, the Flask test client)."""

from __future__ import annotations

import threading
import time

import pytest

from graph_service.model.parallel import in_parallel


def test_answers_come_in_call_order_and_the_calls_run_at_once() -> None:
    # Three calls that can only all end if they run at the same time (generous bound).
    meeting = threading.Barrier(3, timeout=60)

    def meet(value: str) -> str:
        meeting.wait()
        return value

    assert in_parallel(lambda: meet("a"), lambda: meet("b"), lambda: meet("c")) == (
        "a",
        "b",
        "c",
    )
    assert in_parallel(lambda: 1) == (1,)


def test_an_exception_is_raised_once_every_call_has_ended() -> None:
    ended: list[str] = []

    def slow() -> None:
        time.sleep(0.2)
        ended.append("slow")

    def fail() -> None:
        raise ValueError("no such scheme")

    with pytest.raises(ValueError, match="no such scheme"):
        in_parallel(fail, slow)
    assert ended == ["slow"]  # the other call was not left running
    with pytest.raises(KeyError):
        in_parallel(slow, lambda: {}["missing"])
    assert ended == ["slow", "slow"]
