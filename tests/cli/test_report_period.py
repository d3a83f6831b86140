"""``report --from --to``: a period of a real branch fed by a CSV import, as JSON and text, and the refusals."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.cli.test_tickets_import import HEADER, data_dir, run, write  # noqa: F401  (data_dir: a fixture)

ROWS = [
    "A001,cash,0,2026-11-23T09:00:00,2026-11-23T09:04:00,2026-11-23T09:05:00,2026-11-23T09:10:00,1,E1,served",
    "A002,cash,0,2026-11-23T09:01:00,2026-11-23T09:31:00,2026-11-23T09:32:00,2026-11-23T09:40:00,1,E1,served",
    "A001,cash,0,2026-11-30T10:00:00,2026-11-30T10:02:00,2026-11-30T10:03:00,2026-11-30T10:09:00,1,E1,served",
    "B001,non_cash,0,2026-11-30T10:05:00,,,2026-11-30T10:30:00,,,abandoned",
    "A001,cash,0,2026-12-01T11:00:00,2026-12-01T11:20:00,,2026-12-01T11:25:00,1,E1,no_show",
]


def test_a_period_over_all_its_tickets(data_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    assert run("tickets", "import", str(write(tmp_path / "t.csv", [HEADER, *ROWS])), data_dir=data_dir
               ).returncode == 0
    result = run("report", "--from", "2026-11-23", "--to", "2026-12-01", "--group-by", "week", "--json",
                 data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["from"], data["to"], data["arrived"], data["served"], data["abandoned"]) == (
        "2026-11-23", "2026-12-01", 5, 3, 1)
    # waits 4, 30, 2, 20 min: over all the period's tickets, not an average of the days' averages
    assert data["avg_wait_min"] == 14.0 and data["max_wait_min"] == 30.0 and data["p90_wait_min"] == 30.0
    assert data["service_level"] == 2 / 5  # called within 10 min: 2 of 4 called + 1 abandoned
    assert [d["date"] for d in data["days"]] == ["2026-11-23", "2026-11-30", "2026-12-01"]
    assert [(g["label"], g["arrived"]) for g in data["groups"]] == [("2026-W48", 2), ("2026-W49", 3)]
    text = run("report", "--from", "2026-11-23", "--to", "2026-12-01", data_dir=data_dir)
    assert text.returncode == 0 and text.stdout.startswith("Report 2026-11-23 to 2026-12-01 (9 days)")
    assert "2026-11-24" in text.stdout  # a day without tickets is a row of its own, with nothing
    # the first report kept each closed day's summary; a later import into one of those days is not missed
    late = "A003,cash,0,2026-11-23T15:00:00,2026-11-23T15:50:00,2026-11-23T15:51:00,2026-11-23T15:55:00,1,E1,served"
    assert run("tickets", "import", str(write(tmp_path / "late.csv", [HEADER, late])), data_dir=data_dir
               ).returncode == 0
    again = json.loads(run("report", "--from", "2026-11-23", "--to", "2026-12-01", "--json", data_dir=data_dir).stdout)
    assert (again["arrived"], again["max_wait_min"], again["days"][0]["arrived"]) == (6, 50.0, 3)


def test_refusals_name_the_option(data_dir: Path) -> None:  # noqa: F811
    backwards = run("report", "--from", "2026-12-01", "--to", "2026-11-23", data_dir=data_dir)
    assert backwards.returncode != 0 and "--to 2026-11-23 is before --from 2026-12-01" in backwards.stderr
    both = run("report", "--date", "2026-12-01", "--from", "2026-11-23", data_dir=data_dir)
    assert both.returncode != 0 and "--date is one day" in both.stderr
    alone = run("report", "--to", "2026-11-23", data_dir=data_dir)
    assert alone.returncode != 0 and "--to needs --from" in alone.stderr
    long = run("report", "--from", "2024-01-01", "--to", "2026-01-01", data_dir=data_dir)
    assert long.returncode != 0 and "at most 400" in long.stderr
    assert all("Traceback" not in r.stderr for r in (backwards, both, alone, long))


def test_ratings_from_the_log_and_the_feed_reach_the_report(data_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    """A ``rating`` column in the ticket log: scores per counter and staff member in the report; a bad score
    rejects its line; a rating of a ticket that was not served too."""
    lines = [HEADER + ",rating",
             ROWS[0] + ",5", ROWS[1] + ",2", ROWS[2] + ",", ROWS[3] + ",", ROWS[4] + ",",
             "A009,cash,0,2026-11-23T12:00:00,2026-11-23T12:01:00,2026-11-23T12:02:00,2026-11-23T12:09:00,2,E2,"
             "served,4",
             "A010,cash,0,2026-11-23T12:00:00,2026-11-23T12:01:00,2026-11-23T12:02:00,2026-11-23T12:09:00,2,E2,"
             "served,6",
             "A011,cash,0,2026-11-23T12:30:00,,,2026-11-23T12:50:00,,,abandoned,3"]
    log = write(tmp_path / "rated.csv", lines)
    result = run("tickets", "import", str(log), data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{log}:8: rating '6' is not a whole number from 1 to 5",
        f"{log}:9: rating 3 but outcome abandoned: a customer rates a finished service (served)"]
    data = json.loads(run("report", "--date", "2026-11-23", "--json", data_dir=data_dir).stdout)
    ratings = data["ratings"]
    assert (ratings["rated"], ratings["avg_score"], ratings["low"]) == (3, (5 + 2 + 4) / 3, 1)
    assert ratings["per_counter"] == {"1": {"rated": 2, "avg_score": 3.5, "low": 1},
                                      "2": {"rated": 1, "avg_score": 4.0, "low": 0}}
    assert ratings["per_staff"]["E1"]["avg_score"] == 3.5
    period = json.loads(run("report", "--from", "2026-11-23", "--to", "2026-12-01", "--json",
                            data_dir=data_dir).stdout)
    assert period["ratings"]["rated"] == 3
    text = run("report", "--date", "2026-11-23", data_dir=data_dir).stdout
    assert "customer ratings (1-5): 3 rated, average 3.67, 1 scored 1 or 2" in text


def test_a_period_exported_to_excel_and_csv(data_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    from openpyxl import load_workbook

    assert run("tickets", "import", str(write(tmp_path / "t.csv", [HEADER, *ROWS])), data_dir=data_dir
               ).returncode == 0
    book_path, csv_path = tmp_path / "period.xlsx", tmp_path / "period.csv"
    for path in (book_path, csv_path):
        result = run("report", "--from", "2026-11-23", "--to", "2026-12-01", "--group-by", "week", "--export",
                     str(path), data_dir=data_dir)
        assert result.returncode == 0, result.stderr
    book = load_workbook(book_path)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert (summary["from"], summary["to"], summary["days"], summary["arrived"], summary["avg_wait_min"]) == (
        "2026-11-23", "2026-12-01", 9, 5, 14.0)
    weeks = list(book["Groups"].iter_rows(min_row=2, values_only=True))
    assert [(w[0], w[3]) for w in weeks] == [("2026-W48", 2), ("2026-W49", 3)]
    assert [d[0] for d in book["Days"].iter_rows(min_row=2, values_only=True)] == [
        "2026-11-23", "2026-11-30", "2026-12-01"]
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "Groups" in text and "2026-W48" in text
    docx = run("report", "--from", "2026-11-23", "--to", "2026-12-01", "--export", str(tmp_path / "p.docx"),
               data_dir=data_dir)
    assert docx.returncode != 0 and "written as CSV (.csv), Excel (.xlsx) or PDF (.pdf)" in docx.stderr
    assert not (tmp_path / "p.docx").exists()


def test_a_period_and_a_day_exported_to_pdf(data_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    """PDF through main.py: drawn by Qt offscreen, no display needed; the figures are the Excel export's."""
    assert run("tickets", "import", str(write(tmp_path / "t.csv", [HEADER, *ROWS])), data_dir=data_dir
               ).returncode == 0
    for extra, name in ((["--from", "2026-11-23", "--to", "2026-12-01", "--group-by", "week"], "period.pdf"),
                        (["--date", "2026-11-30"], "day.pdf")):
        pdf = tmp_path / name
        result = run("report", *extra, "--export", str(pdf), data_dir=data_dir)
        assert result.returncode == 0, result.stderr
        assert pdf.read_bytes().startswith(b"%PDF") and not list(tmp_path.glob("*.tmp"))
    text = subprocess.run(["pdftotext", str(tmp_path / "period.pdf"), "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else ""
    if text:  # the words of the PDF, where poppler is installed
        assert "2026-11-23 to 2026-12-01" in text and "Groups" in text and "Days" in text
    bad = run("report", "--from", "2026-11-23", "--export", str(tmp_path / "no-such-dir" / "p.pdf"),
              data_dir=data_dir)
    assert bad.returncode == 1 and "no-such-dir" in bad.stderr and "Traceback" not in bad.stderr
