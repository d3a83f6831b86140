"""A ticket log read as a stream in batches: line numbers, repeated tickets and rejected rows across batch
boundaries are as in one piece; a file that breaks half-way yields the batches before the break, then names it."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.feed.csv_import import CsvFileError, parse_log, read_batches

TZ = ZoneInfo("Asia/Shanghai")
HEADER = "ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,outcome"


def row(ticket: str, day: int = 27, outcome: str = "waiting") -> str:
    return f"{ticket},cash,0,2026-11-{day}T09:00:00,,,,,,{outcome}"


LINES = [HEADER, row("A001"), row("A002"), row("A003", outcome="vanished"), row("A004"), row("A001"),
         row("A001", day=28), row("A005"), row("A006"), row("A002")]


def test_batches_read_as_one_piece(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("\r\n".join(LINES) + "\r\n", encoding="utf-8")
    batches = list(read_batches(path, TZ, batch_rows=3))
    whole = parse_log("\r\n".join(LINES), TZ)
    assert [b.rows for b in batches] == [3, 3, 3]
    assert [r for b in batches for r in b.rejected] == whole.rejected
    assert [(r.line, r.reason.split(" already")[0]) for r in whole.rejected] == [
        (4, "outcome 'vanished' is unknown; expected one of served, no_show, abandoned, transferred, waiting"),
        (6, "ticket_id 'A001' on 2026-11-27"), (10, "ticket_id 'A002' on 2026-11-27")]
    assert [g[0].ticket_id for b in batches for g in b.groups] == ["A001", "A002", "A004", "A001", "A005", "A006"]
    assert all(b.encoding == "utf-8-sig" for b in batches)


def test_a_file_that_breaks_half_way_keeps_the_batches_before(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    huge = "x" * 200_000  # over the csv module's field limit: the file cannot be read on from here
    path.write_text("\r\n".join(LINES[:7]) + f"\r\nA007,cash,0,\"{huge}\",,,,,,waiting\r\n", encoding="utf-8")
    batches = read_batches(path, TZ, batch_rows=3)
    assert [b.rows for b in (next(batches), next(batches))] == [3, 3]
    with pytest.raises(CsvFileError, match="not valid CSV near line 8"):
        next(batches)
