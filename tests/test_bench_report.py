"""The benchmark's table: a column pair per peer, in text and Markdown, and the peers' cells."""

from __future__ import annotations

from bench.report import Report, Row
from bench.runner import peer_columns
from bench.virtuoso_peer import _loaded_cleanly


def _markdown_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_a_further_peer_gets_its_own_columns_after_oxigraph() -> None:
    report = Report("t")
    report.add(
        Row(
            "SPARQL unique",
            "concept",
            "4",
            "2,000/s",
            target="≥ 0.6× oxigraph",
            met="no",
            **peer_columns(  # type: ignore[arg-type]
                {"oxigraph": ("10,000/s", "0.20×"), "virtuoso": ("1,000/s", "2.00×")}
            ),
        )
    )
    report.add(Row("memory", "rss", "", "700 MiB", "1,400 MiB", "0.50×"))
    lines = report.markdown().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| section"))
    assert _markdown_cells(lines[header]) == [
        "section",
        "measure",
        "clients",
        "ours",
        "oxigraph",
        "ours/oxigraph",
        "virtuoso",
        "ours/virtuoso",
        "target",
        "met",
    ]
    # The alignment row has a cell per column, or Markdown renders no table.
    assert len(_markdown_cells(lines[header + 1])) == 10
    assert _markdown_cells(lines[header + 2])[4:8] == ["10,000/s", "0.20×", "1,000/s", "2.00×"]
    # A row without the further peer leaves its two cells empty, in place.
    assert _markdown_cells(lines[header + 3])[4:] == ["1,400 MiB", "0.50×", "", "", "", ""]
    text_header = report.text().splitlines()[2]
    assert text_header.split() == _markdown_cells(lines[header])


def test_without_oxigraph_only_the_other_peer_is_shown() -> None:
    report = Report("t")
    report.add(
        Row("build", "time", "", "20 s", **peer_columns({"virtuoso": ("40 s", "0.50×")}))  # type: ignore[arg-type]
    )
    header = next(line for line in report.markdown().splitlines() if line.startswith("| section"))
    assert "oxigraph" not in header
    assert _markdown_cells(header)[4:6] == ["virtuoso", "ours/virtuoso"]


def test_ours_alone_has_no_peer_columns() -> None:
    report = Report("t")
    report.add(Row("writes", "update", "1", "3 ms"))
    header = next(line for line in report.markdown().splitlines() if line.startswith("| section"))
    assert _markdown_cells(header) == ["section", "measure", "clients", "ours", "target", "met"]


def test_bulk_load_check_reads_the_count_of_failed_files() -> None:
    # isql-vt 7.2.5's output of LOAD_SQL (the load's statements answer "Done.").
    clean = (
        "Connected to OpenLink Virtuoso\nSQL> Done. -- 1 msec.\nSQL> Done. -- 2065 msec.\n"
        "SQL> Done. -- 120 msec.\nSQL> count\nINTEGER\n____________\n\n0\n\n"
        "1 Rows. -- 0 msec.\nSQL> "
    )
    assert _loaded_cleanly(clean)
    assert not _loaded_cleanly(clean.replace("\n0\n", "\n1\n"))
    assert not _loaded_cleanly("Done. -- 3 msec.\n")
