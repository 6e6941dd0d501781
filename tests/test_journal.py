"""The change journal: RDF Patch text, durable appends, torn tails cut, several writers."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_service.store.journal import ANONYMOUS, Journal
from graph_service.store.rdf_patch import Change, JournalError, format_change, parse_rows, quad_rows

EX = "http://example.org/"
ALT = ox.Quad(
    ox.NamedNode(EX + "c"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
    ox.Literal('concertation "préalable"\nsur deux lignes', language="fr"),
    ox.NamedNode(EX + "graph/notions"),
)
NOTE = ox.Quad(
    ox.NamedNode(EX + "n"), ox.NamedNode(EX + "p"), ox.BlankNode("b1"), ox.DefaultGraph()
)


def test_a_change_round_trips_with_its_quads_and_headers(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    written = journal.append(
        author="alice", message='Ajout d\'un libellé "alt"', added=quad_rows([ALT, NOTE])
    )
    again = Journal(tmp_path).changes()
    assert again == [written]
    assert (written.seq, written.author, written.prev) == (1, "alice", "")
    assert set(parse_rows(again[0].added)) == {ALT, NOTE}
    text = journal.path.read_text(encoding="utf-8")
    assert text.startswith(f"H id <urn:uuid:{written.id}> .\n")
    assert "\nTX .\nA " in text and text.endswith("TC .\n")


def test_changes_chain_and_number_in_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    first = journal.append(author="", message="one", added=quad_rows([ALT]))
    second = journal.append(author="bob", message="two", removed=quad_rows([ALT]))
    assert first.author == ANONYMOUS
    assert (second.seq, second.prev) == (2, first.id)
    assert [c.seq for c in journal.changes(after=1)] == [2]
    assert journal.get(second.id[:8]) == second
    assert second.inverse() == (second.removed, ())


def test_a_torn_tail_is_ignored_then_cut_and_the_next_change_follows_the_last_whole_one(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path)
    kept = journal.append(author="a", message="kept", added=quad_rows([ALT]))
    whole = format_change(journal.changes()[0]).replace(kept.id, "0" * 36)
    with journal.path.open("ab") as handle:
        handle.write(whole.encode()[: len(whole) // 2])  # a crash half-way through an append
    assert [c.id for c in Journal(tmp_path).changes()] == [kept.id]
    assert Journal(tmp_path).recover() > 0
    assert Journal(tmp_path).recover() == 0
    after = Journal(tmp_path).append(author="a", message="next", added=quad_rows([NOTE]))
    assert (after.seq, after.prev) == (2, kept.id)
    assert [c.message for c in Journal(tmp_path).changes()] == ["kept", "next"]


def test_a_damaged_row_is_a_clear_error(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(author="a", message="m", added=quad_rows([ALT]))
    text = journal.path.read_text().replace("TX .\n", "TX .\nX nonsense .\n")
    journal.path.write_text(text)
    with pytest.raises(JournalError, match="unknown row"):
        Journal(tmp_path).changes()


def test_writers_in_two_processes_never_interleave(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from graph_service.store.journal import Journal\n"
        "j = Journal(Path(sys.argv[1]))\n"
        "for i in range(40): j.append(author=sys.argv[2], message=str(i), "
        "added=[f'<http://e/{sys.argv[2]}{i}> <http://e/p> \"x\"'])\n"
    )
    root = Path(__file__).resolve().parent.parent
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name], cwd=root)
        for name in ("a", "b")
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    changes = Journal(tmp_path).changes()
    assert [c.seq for c in changes] == list(range(1, 81))
    assert all(later.prev == earlier.id for earlier, later in itertools.pairwise(changes))


def test_published_pointer(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    for i in range(3):
        journal.append(author="a", message=str(i), added=quad_rows([ALT]))
    assert [c.seq for c in journal.pending()] == [1, 2, 3]
    journal.mark_published(2, "abc")
    assert Journal(tmp_path).published_seq() == 2
    assert [c.seq for c in Journal(tmp_path).pending()] == [3]


def test_threads_reading_and_appending_at_once_see_each_change_once(tmp_path: Path) -> None:
    """A journal read by several threads of a process (pages, the history's index built in a
    thread of its own) while one appends: every change once, in order, for every reader."""
    writer = Journal(tmp_path)
    writer.directory.mkdir(parents=True)
    # Enough changes for a first read to take a while (written at once: no fsync each).
    writer.path.write_text(
        "".join(
            format_change(
                Change(
                    id=str(uuid.UUID(int=n)),
                    seq=n,
                    time="2026-01-01T00:00:00+00:00",
                    author="a",
                    message=f"m{n}",
                    added=(f'<{EX}s{n}> <{EX}p> "{n}"',),
                    prev=str(uuid.UUID(int=n - 1)) if n > 1 else "",
                )
            )
            for n in range(1, 2001)
        ),
        encoding="utf-8",
    )
    shared = Journal(tmp_path)  # one object, as an app holds it
    failures: list[str] = []

    def read() -> None:
        for _ in range(20):
            seqs = [c.seq for c in shared.changes()]
            if seqs != list(range(1, len(seqs) + 1)):
                failures.append(f"{len(seqs)} changes, not numbered 1..n once each")

    def append() -> None:
        for n in range(2000, 2020):
            shared.append(author="b", message=f"m{n}", added=[f'<{EX}s{n}> <{EX}p> "{n}"'])

    threads = [threading.Thread(target=read) for _ in range(3)] + [threading.Thread(target=append)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [c.seq for c in shared.changes()] == list(range(1, 2021))
    assert [c.seq for c in Journal(tmp_path).changes()] == list(range(1, 2021))
