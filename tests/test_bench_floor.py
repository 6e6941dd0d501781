"""The CPython-floor benchmark's own logic: CPU accounting from /proc and the ratio table."""

import os

from bench.floor import Row, _table, cpu_seconds


def test_cpu_seconds_counts_this_process_work() -> None:
    before = cpu_seconds(os.getpid())
    total = 0
    while cpu_seconds(os.getpid()) - before < 0.05:  # /proc counts in clock ticks
        total += sum(range(10_000))
    assert cpu_seconds(os.getpid()) - before >= 0.05


def test_table_gives_each_cell_its_ratios_to_oxigraph() -> None:
    rows = [
        Row("oxigraph", "concept", 4, 10_000.0, 0.2, 0),
        Row("floor1", "concept", 4, 6_000.0, 0.4, 0),
        Row("ours", "concept", 4, 2_500.0, 0.8, 12),
    ]
    text = _table(rows, "2026-12-02 12:00", (0.1, 0.2, 0.3))
    assert "| floor1 | concept | 4 | 6,000 | 0.60× | 0.400 | 0.50× |" in text
    assert "| ours | concept | 4 | 2,500 (12 errors) | 0.25× | 0.800 | 0.25× |" in text
    assert "load average at start 0.10, 0.20, 0.30" in text
