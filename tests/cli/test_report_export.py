"""Day report export: CSV and Excel files read back and compared with the report's JSON, from the command line
and from the Reports panel; a file that cannot be written is named and nothing half-written is left."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.reports.export import ExportError, export_report
from tests.cli.test_cli import run


def csv_sections(path: Path) -> dict[str, list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    out: dict[str, list[list[str]]] = {}
    title = None
    for row in rows:
        if not row:
            title = None
        elif title is None:
            title = row[0]
            out[title] = []
        else:
            out[title].append(row)
    return out


def check_against_json(figures: dict, sheets: dict[str, list[list]]) -> None:
    summary = {row[0]: row[1] for row in sheets["Summary"][1:]}
    for key in ("arrived", "served", "no_show", "abandoned"):
        assert int(summary[key]) == figures[key]
    for key in ("avg_wait_min", "p90_wait_min", "max_wait_min", "avg_transaction_min"):
        assert float(summary[key]) == pytest.approx(figures[key], abs=0.05)
    assert float(summary["service_level"]) == pytest.approx(figures["service_level"], abs=1e-4)
    types = {row[0]: row[1:] for row in sheets["Service types"][1:]}
    assert set(types) == set(figures["per_service_type"])
    for name, (arrived, served, _) in types.items():
        assert (int(arrived), int(served)) == (figures["per_service_type"][name]["arrived"],
                                               figures["per_service_type"][name]["served"])
    counters = {row[0]: row[1:] for row in sheets["Counters"][1:]}
    assert {k: int(v[0]) for k, v in counters.items()} == {k: v["served"] for k, v in figures["per_counter"].items()}
    assert [int(r[1]) for r in sheets["Intervals"][1:]] == [i["arrived"] for i in figures["intervals"]]
    groups = {row[0]: row[1:] for row in sheets["Priority"][1:]}
    for name in ("priority", "ordinary"):
        assert int(groups[name][0]) == figures[name]["arrived"]
        assert float(groups[name][2]) == pytest.approx(figures[name]["avg_wait_min"], abs=0.05)
    appointments = {row[0]: row[1] for row in sheets["Appointments"][1:]}
    for key in ("booked", "cancelled", "checked_in", "early", "on_time", "late", "missing"):
        assert int(appointments[key]) == figures["appointments"][key]
    assert figures["appointments"]["booked"] > 0  # the simulated day has appointments


def test_report_export_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("simulate", "--date", "2026-11-27", "--seed", "3", data_dir=data).returncode == 0
    xlsx, plain = tmp_path / "day.xlsx", tmp_path / "day.csv"
    result = run("report", "--date", "2026-11-27", "--json", "--export", str(xlsx), data_dir=data)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Summary", "Service types", "Counters", "Intervals", "Priority", "Appointments"]
    check_against_json(figures, {name: [[c.value for c in row] for row in book[name].iter_rows()]
                                 for name in book.sheetnames})
    assert run("report", "--date", "2026-11-27", "--export", str(plain), data_dir=data).returncode == 0
    check_against_json(figures, csv_sections(plain))
    bad = run("report", "--date", "2026-11-27", "--export", str(tmp_path / "day.docx"), data_dir=data)
    assert bad.returncode != 0 and "choose a .csv, .xlsx or .pdf file name" in bad.stderr and "Traceback" not in bad.stderr


def test_unwritable_export_names_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    from console.domain.day_report import build_day_report

    report = build_day_report([], date(2026, 11, 27), ZoneInfo("Asia/Shanghai"))
    target = tmp_path / "missing-folder" / "r.csv"
    with pytest.raises(ExportError, match="missing-folder"):
        export_report(report, target)
    # the name is taken by a folder (permissions would not stop root, who runs CI): the rename fails
    folder = tmp_path / "exports"
    (folder / "r.xlsx").mkdir(parents=True)
    (folder / "r.xlsx" / "kept.txt").write_text("earlier file")
    with pytest.raises(ExportError, match="r.xlsx"):
        export_report(report, folder / "r.xlsx")
    assert sorted(p.name for p in folder.iterdir()) == ["r.xlsx"]  # no temporary file left behind
    assert (folder / "r.xlsx" / "kept.txt").read_text() == "earlier file"
