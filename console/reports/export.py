"""A day report written to CSV or Excel (.xlsx): the figures of ``main.py report`` and the Reports panel.

CSV: one file, sections one after the other, each with a title row, a header row and its rows, separated by an
empty row (summary; per service type; per counter; 30-minute intervals). UTF-8 with a byte-order mark so that
Excel on a Chinese Windows opens it with the right characters. Excel: one sheet per section. Minutes are numbers
rounded to 0.1; shares (service level) are fractions in CSV and percentages in Excel's number format. Empty cells
where a figure does not exist (no ticket called yet). Every cell goes through ``cell_safety.safe_cell``, here and in
``write_table``: a text that a spreadsheet would run as a formula is written as text. No Qt imports.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from console.domain.day_report import DayReport
from console.domain.period_report import PeriodReport
from console.reports.cell_safety import safe_cell, safe_row

FORMATS = (".csv", ".xlsx")


class ExportError(Exception):
    """The report cannot be written; the message names the file and the reason."""


def _round(value: float | None, digits: int = 1) -> float | str:
    return "" if value is None else round(value, digits)


def sections(report: DayReport) -> Iterator[tuple[str, list[str], list[list[object]]]]:
    """(title, header, rows) of each section, in order."""
    yield "Summary", ["figure", "value"], [
        ["date", report.date.isoformat()],
        ["target_wait_min", report.target_wait_min],
        ["arrived", report.arrived],
        ["served", report.served],
        ["no_show", report.no_show],
        ["abandoned", report.abandoned],
        ["waiting", report.waiting],
        ["avg_wait_min", _round(report.avg_wait_min)],
        ["p90_wait_min", _round(report.p90_wait_min)],
        ["max_wait_min", _round(report.max_wait_min)],
        ["service_level", _round(report.service_level, 4)],
        ["avg_transaction_min", _round(report.avg_transaction_min)],
        ["max_transaction_min", _round(report.max_transaction_min)],
    ]
    yield "Service types", ["service_type", "arrived", "served", "avg_wait_min"], [
        [name, d.arrived, d.served, _round(d.avg_wait_min)] for name, d in report.per_service_type.items()]
    yield "Counters", ["counter_id", "served", "avg_transaction_min", "busy_min"], [
        [cid, d.served, _round(d.avg_transaction_min), _round(d.busy_min)] for cid, d in report.per_counter.items()]
    yield "Intervals", ["start", "arrived", "served", "avg_wait_min"], [
        [i.start.isoformat(timespec="minutes"), i.arrived, i.served, _round(i.avg_wait_min)]
        for i in report.intervals]
    groups = [(name, g) for name, g in (("priority", report.priority), ("ordinary", report.ordinary)) if g is not None]
    yield "Priority", ["group", "arrived", "served", "avg_wait_min", "p90_wait_min", "max_wait_min",
                       "service_level"], [
        [name, g.arrived, g.served, _round(g.avg_wait_min), _round(g.p90_wait_min), _round(g.max_wait_min),
         _round(g.service_level, 4)] for name, g in groups]
    a = report.appointments
    if a is not None:
        yield "Appointments", ["figure", "value"], [
            ["booked", a.booked], ["cancelled", a.cancelled], ["checked_in", a.checked_in], ["early", a.early],
            ["on_time", a.on_time], ["late", a.late], ["missing", a.missing],
            ["avg_wait_after_check_in_min", _round(a.avg_wait_after_check_in_min)],
            ["max_wait_after_check_in_min", _round(a.max_wait_after_check_in_min)],
            ["called_on_time_share", _round(a.called_on_time_share, 4)],
        ]


def _row_of(label: list[object], r: DayReport) -> list[object]:
    rated = r.ratings.rated if r.ratings else 0
    return [*label, r.arrived, r.served, r.no_show, r.abandoned, _round(r.avg_wait_min), _round(r.p90_wait_min),
            _round(r.max_wait_min), _round(r.service_level, 4), _round(r.avg_transaction_min), rated,
            _round(r.ratings.avg_score if r.ratings else None, 2)]


_PERIOD_FIGURES = ["arrived", "served", "no_show", "abandoned", "avg_wait_min", "p90_wait_min", "max_wait_min",
                   "service_level", "avg_transaction_min", "rated", "avg_rating"]


def period_sections(report: PeriodReport) -> Iterator[tuple[str, list[str], list[list[object]]]]:
    """A period report's sections: the day report's over the whole period (its summary naming the period, its
    intervals by the time of day), then one row per group (day, week or month), one per day with tickets, and the
    ratings per counter and service type."""
    for title, header, rows in sections(report.figures):
        if title == "Summary":
            rows = [["from", report.first.isoformat()], ["to", report.last.isoformat()],
                    ["days", report.day_count], ["days_with_tickets", len(report.days)],
                    ["purged_days_left_out", len(report.purged_days)], *rows[1:]]
        elif title == "Intervals":
            rows = [[row[0][11:16], *row[1:]] for row in rows]  # a time of day over all the period's days
            header = ["time_of_day", *header[1:]]
        yield title, header, rows
    yield "Groups", [report.group_by, "from", "to", *_PERIOD_FIGURES], [
        _row_of([g.label, g.first.isoformat(), g.last.isoformat()], g.figures) for g in report.groups]
    yield "Days", ["date", *_PERIOD_FIGURES], [_row_of([d.date.isoformat()], d) for d in report.days]
    ratings = report.figures.ratings
    if ratings is not None:
        yield "Ratings", ["by", "key", "rated", "avg_rating", "scored_1_or_2"], [
            [kind, key, f.rated, _round(f.avg_score, 2), f.low]
            for kind, found in (("counter", ratings.per_counter), ("service_type", ratings.per_service_type))
            for key, f in found.items()]


def write_atomically(path: Path, write) -> None:
    """Write to a temporary file beside ``path``, then rename: a failed export never leaves half a file."""
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=path.suffix, dir=folder)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_table(path: Path, sheet: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """One table to .csv (UTF-8 with BOM, for Excel) or .xlsx (one sheet named ``sheet``), written atomically."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: choose a .csv or .xlsx file name")

    def write(tmp: Path) -> None:
        if suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(safe_row(header))
                writer.writerows(safe_row(row) for row in rows)
            return
        from openpyxl import Workbook

        book = Workbook()
        book.active.title = sheet
        book.active.append(safe_row(header))
        for row in rows:
            book.active.append(safe_row(row))
        book.save(tmp)

    write_atomically(path, write)
    return path


def export_report(report: DayReport | PeriodReport, path: Path) -> Path:
    """Write a day's or a period's ``report`` to ``path`` as CSV or .xlsx, chosen by its suffix."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: choose a .csv or .xlsx file name")
    found = list(period_sections(report) if isinstance(report, PeriodReport) else sections(report))
    write_atomically(path, (lambda p: _write_csv(found, p)) if suffix == ".csv" else (lambda p: _write_xlsx(found, p)))
    return path


def _write_csv(found: Sequence[tuple[str, list[str], list[list[object]]]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        for n, (title, header, rows) in enumerate(found):
            if n:
                writer.writerow([])
            writer.writerow(safe_row([title]))
            writer.writerow(safe_row(header))
            writer.writerows(safe_row(row) for row in rows)


def _write_xlsx(found: Sequence[tuple[str, list[str], list[list[object]]]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in found:
        sheet = book.create_sheet(title)
        sheet.append(safe_row(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([None if v == "" else safe_cell(v) for v in row])
        if title == "Summary":
            for row in sheet.iter_rows(min_row=2):
                if row[0].value == "service_level" and row[1].value is not None:
                    row[1].number_format = "0.0%"
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 40)
    book.save(path)


Section = tuple[str, Sequence[str], Sequence[Sequence[object]]]


def write_sections_xlsx(path: Path, found: Sequence[Section],
                        line_charts: dict[str, tuple[str, Sequence[int]]] | None = None) -> None:
    """Sections as one sheet each (bold header, widths to fit), written atomically, every cell through
    ``safe_cell``. ``line_charts``: section title → (chart title, the columns, 1-based, drawn as lines against the
    first column) for a native Excel line chart beside the table."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Alignment, Font

    def write(tmp: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for title, header, rows in found:
            sheet = book.create_sheet(title[:31])
            sheet.append(safe_row(list(header)))
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in rows:
                sheet.append([None if v == "" else safe_cell(v) for v in row])
            for column in sheet.columns:
                width = max(max((len(line) for line in str(c.value).splitlines()), default=0)
                            if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
                for c in column:
                    if isinstance(c.value, str) and "\n" in c.value:
                        c.alignment = Alignment(wrap_text=True, vertical="top")
            chart_spec = (line_charts or {}).get(title)
            if chart_spec is not None and rows:
                chart = LineChart()
                chart.title, chart.height, chart.width = chart_spec[0], 9, 18
                for col in chart_spec[1]:
                    chart.add_data(Reference(sheet, min_col=col, min_row=1, max_row=len(rows) + 1),
                                   titles_from_data=True)
                chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
                sheet.add_chart(chart, f"{chr(ord('A') + len(header) + 1)}2")
        book.save(tmp)

    write_atomically(path, write)


def sections_html(title: str, subtitle: str, found: Sequence[Section], above: dict[str, str] | None = None) -> str:
    """The sections as an HTML document of tables, for a PDF drawn by Qt (the closing report, ``report --export
    FILE.pdf``, the service-quality review). ``above``: section title → HTML of its own (a chart) put above the
    section's table. A header's line breaks stay line breaks; a missing value (None) is "—"."""
    import html

    parts = [f"<h2>{html.escape(title)}</h2>"]
    if subtitle:
        parts.append(f"<p>{html.escape(subtitle)}</p>")
    for name, header, rows in found:
        parts.append(f"<h3>{html.escape(name)}</h3>")
        parts.append((above or {}).get(name, ""))
        if not rows:
            parts.append("<p>—</p>")
            continue
        parts.append('<table border="1" cellspacing="0" cellpadding="3">')
        parts.append("<tr>" + "".join(f"<th>{html.escape(str(h)).replace(chr(10), '<br>')}</th>"
                                      for h in header) + "</tr>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{'—' if v is None else html.escape(str(v))}</td>"
                                          for v in row) + "</tr>")
        parts.append("</table>")
    return "\n".join(parts)
