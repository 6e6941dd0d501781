"""The proposals store: add, get, list, edit and decide; durability, bad ids, limits, and two
deciders racing (threads, and processes)."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import threading
from pathlib import Path

import pytest

from graph_service.curate import proposals
from graph_service.curate.proposals import Proposal, ProposalError, ProposalStore
from graph_service.exceptions import Conflict, GraphServiceError, NotFound

A = "http://example.org/tiny/a"
B = "http://example.org/tiny/b"


def _update(store: ProposalStore, target: str = A, label: str = "Alpha") -> Proposal:
    return store.add(
        kind="concept.update",
        action={"iri": target, "prefLabel": {"fr": label}},
        author="con",
        summary=f"Rename to {label}",
        target=target,
    )


def test_add_get_and_list_oldest_first(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    first = _update(store)
    second = store.add(
        kind="feedback",
        action={"uri": B, "message": "Typo", "name": "", "email": ""},
        author="visitor",
        summary="Typo\nin the   definition",
        target=B,
    )
    assert len(first.id) == 32 and first.status == "pending" and first.created.endswith("+00:00")
    assert second.summary == "Typo in the definition"  # one line for the queue
    assert store.get(first.id) == first
    assert [p.id for p in store.list()] == [first.id, second.id]
    assert [p.id for p in store.list(target=B)] == [second.id]
    assert store.list(limit=1) == [first]
    assert store.list("approved") == []
    assert store.count() == 2 and store.count("rejected") == 0
    assert first.as_dict()["action"] == {"iri": A, "prefLabel": {"fr": "Alpha"}}


def test_files_are_private_json_one_per_proposal(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    proposal = _update(store)
    path = tmp_path / "proposals" / "pending" / f"{proposal.id}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text("utf-8")) == proposal.as_dict()
    # No temporary file left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_new_store_on_the_same_directory_sees_everything(tmp_path: Path) -> None:
    proposal = _update(ProposalStore(tmp_path))
    ProposalStore(tmp_path).decide(proposal.id, status="approved", reviewer="ed", change_id="c1")
    again = ProposalStore(tmp_path).get(proposal.id)
    assert (again.status, again.reviewer, again.change_id) == ("approved", "ed", "c1")
    assert ProposalStore(tmp_path).list("approved") == [again]
    assert ProposalStore(tmp_path).list() == []


def test_decide_once_then_conflict(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    proposal = _update(store)
    rejected = store.decide(proposal.id, status="rejected", reviewer="ed", reason="duplicate")
    assert (rejected.status, rejected.reviewer, rejected.reason) == ("rejected", "ed", "duplicate")
    assert rejected.reviewed >= proposal.created
    with pytest.raises(Conflict) as raised:
        store.decide(proposal.id, status="approved", reviewer="admin")
    assert raised.value.status == 409 and "rejected by ed" in raised.value.message
    assert store.get(proposal.id) == rejected
    with pytest.raises(Conflict):
        store.replace_action(proposal.id, {"iri": A}, "too late")
    assert store.list(None) == [rejected]


def test_an_approval_applies_the_proposal_once_under_the_lock(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    proposal = _update(store)
    applied: list[dict[str, object]] = []

    def fails(_: Proposal) -> str:
        raise GraphServiceError("the concept changed meanwhile", 409)

    with pytest.raises(GraphServiceError, match="changed meanwhile"):
        store.decide(proposal.id, status="approved", reviewer="ed", apply=fails)
    assert store.get(proposal.id).status == "pending"  # a failed apply decides nothing

    def commit(seen: Proposal) -> str:
        applied.append(seen.action)
        return "change-1"

    approved = store.decide(proposal.id, status="approved", reviewer="ed", apply=commit)
    assert (approved.status, approved.change_id) == ("approved", "change-1")
    with pytest.raises(Conflict):
        store.decide(proposal.id, status="approved", reviewer="admin", apply=commit)
    assert applied == [proposal.action]


def test_replace_action_while_pending(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    proposal = _update(store)
    edited = store.replace_action(proposal.id, {"iri": A, "prefLabel": {"fr": "Alfa"}}, "Alfa")
    assert edited.action == {"iri": A, "prefLabel": {"fr": "Alfa"}} and edited.summary == "Alfa"
    assert (edited.id, edited.author, edited.created) == (
        proposal.id,
        proposal.author,
        proposal.created,
    )
    assert ProposalStore(tmp_path).get(proposal.id) == edited


@pytest.mark.parametrize(
    "bad",
    ["", "nope", "../accounts", "0" * 31, "0" * 32 + "/x", "A" * 32, "../" * 11 + "etc", "0" * 33],
)
def test_bad_ids_are_not_found(tmp_path: Path, bad: str) -> None:
    store = ProposalStore(tmp_path)
    _update(store)
    with pytest.raises(NotFound) as raised:
        store.get(bad)
    assert raised.value.status == 404
    with pytest.raises(NotFound):
        store.decide(bad, status="approved", reviewer="ed")
    with pytest.raises(NotFound):
        store.get("0" * 32)  # well formed, unknown


def test_refused_inputs(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    with pytest.raises(ProposalError, match="unknown proposal kind"):
        store.add(kind="concept.drop", action={}, author="con", summary="")
    with pytest.raises(ProposalError, match="plain JSON"):
        store.add(kind="concept.update", action={"x": {1, 2}}, author="con", summary="")
    with pytest.raises(ProposalError, match="plain JSON"):
        store.add(kind="concept.update", action={"x": float("nan")}, author="con", summary="")
    with pytest.raises(ProposalError) as raised:
        store.add(
            kind="concept.update",
            action={"definition": "x" * proposals.MAX_ACTION_BYTES},
            author="con",
            summary="",
        )
    assert raised.value.status == 413
    proposal = _update(store)
    with pytest.raises(ProposalError, match="approved' or 'rejected"):
        store.decide(proposal.id, status="pending", reviewer="ed")
    with pytest.raises(ProposalError, match="reviewer"):
        store.decide(proposal.id, status="approved", reviewer="")
    with pytest.raises(ProposalError, match="unknown status"):
        store.list("done")
    assert store.count() == 1  # nothing of the refused ones was kept


def test_the_queue_has_a_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proposals, "MAX_PENDING", 3)
    store = ProposalStore(tmp_path)
    made = [_update(store) for _ in range(3)]
    with pytest.raises(ProposalError) as raised:
        _update(store)
    assert raised.value.status == 429 and "queue is full" in raised.value.message
    store.decide(made[0].id, status="approved", reviewer="ed")
    _update(store)  # a decision makes room
    assert store.count() == 3


def test_a_damaged_file_is_reported_on_get_and_skipped_in_lists(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    good = _update(store)
    bad = _update(store, B)
    (tmp_path / "proposals" / "pending" / f"{bad.id}.json").write_text("{", "utf-8")
    with pytest.raises(GraphServiceError, match="damaged"):
        store.get(bad.id)
    assert store.list() == [good]


def test_a_crash_between_rewriting_and_moving_a_decision_is_finished(tmp_path: Path) -> None:
    store = ProposalStore(tmp_path)
    proposal = _update(store)
    # What a crash after the rewrite and before the move leaves: pending/ holds a decided file.
    path = tmp_path / "proposals" / "pending" / f"{proposal.id}.json"
    data = {**proposal.as_dict(), "status": "approved", "reviewer": "ed", "reviewed": "x"}
    path.write_text(json.dumps(data), "utf-8")
    assert store.get(proposal.id).status == "approved"
    with pytest.raises(Conflict):
        store.decide(proposal.id, status="rejected", reviewer="admin")
    assert store.list() == []  # and the listing finished the move
    assert not path.exists()
    assert [p.id for p in store.list("approved")] == [proposal.id]
    assert store.count() == 0 and store.count("approved") == 1


def _race(data_dir: Path, proposal_id: str) -> list[str]:
    """Two threads decide the same proposal at once; what each got."""
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(status: str) -> None:
        start.wait()
        try:
            ProposalStore(data_dir).decide(proposal_id, status=status, reviewer=status)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=decide, args=(s,)) for s in ("approved", "rejected")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_threads_deciding_the_same_proposal_one_wins(tmp_path: Path) -> None:
    for _ in range(20):
        proposal = _update(ProposalStore(tmp_path))
        assert sorted(_race(tmp_path, proposal.id)) == ["conflict", "won"]
        final = ProposalStore(tmp_path).get(proposal.id)
        assert final.reviewer == final.status  # the winner's decision, whole
    store = ProposalStore(tmp_path)
    assert store.count() == 0
    assert store.count("approved") + store.count("rejected") == 20


def _decide_in_process(data_dir: str, proposal_id: str, status: str, start, results) -> None:
    start.wait()
    try:
        ProposalStore(Path(data_dir)).decide(proposal_id, status=status, reviewer=status)
        results.put("won")
    except Conflict:
        results.put("conflict")


def test_two_processes_deciding_the_same_proposal_one_wins(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    proposal = _update(ProposalStore(tmp_path))
    start, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=_decide_in_process, args=(str(tmp_path), proposal.id, s, start, results)
        )
        for s in ("approved", "rejected")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert sorted(results.get(timeout=10) for _ in workers) == ["conflict", "won"]
    assert ProposalStore(tmp_path).get(proposal.id).status in ("approved", "rejected")
