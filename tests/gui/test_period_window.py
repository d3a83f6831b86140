"""Periods window on a real SQLite branch with three quarters of tickets: the figures beside the quarter before
and a year earlier, the weekly trend and the weekday × half-hour map, each checked against a computation from the
raw tickets; the computing runs off the GUI thread."""

from __future__ import annotations

import random
import threading
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest

from benchmarks.report_speed import random_ticket
from console.app.period_controller import PeriodController
from storage import models as m
from storage import repository
from storage.database import open_database
from storage.tasks import SaveBranchSetup, branch_id
from storage.writer import apply_now
from tests.storage.conftest import BRANCH, TZ
from widgets.dialogs.period_window import PeriodWindow
from widgets.tables import cell_text

QUARTER = (date(2026, 7, 1), date(2026, 9, 30))
NOW = datetime(2026, 10, 15, 10, 0, tzinfo=TZ)


def fill(db, first: date, last: date, per_day: int, seed: int) -> None:
    """``per_day`` ± 10 tickets on each day but Sundays, 09:00–17:00."""
    rng = random.Random(seed)
    with db.session() as session:
        bid = branch_id(session, BRANCH.code)
    rows = []
    day = first
    while day <= last:
        if day.weekday() != 6:
            opens = datetime.combine(day, clock_time(9), tzinfo=TZ)
            rows += [random_ticket(rng, bid, day, opens + timedelta(seconds=rng.uniform(0, 8 * 3600)), f"A{i:04d}",
                                   f"A{i:04d}", {"served": 90, "no_show": 4, "abandoned": 6}, 6)
                     for i in range(per_day + rng.randint(-10, 10))]
        day += timedelta(days=1)
    with db.session() as session:
        session.execute(m.Ticket.__table__.insert(), rows)


def cameras(db) -> None:
    """Two lobby cameras every 10 s on three July days (and a waiting-area zone that is not the lobby), a counting
    line on two of them."""
    rng = random.Random(4)
    with db.session() as session:
        bid = branch_id(session, BRANCH.code)
    samples, crossings = [], []
    for day in (date(2026, 7, 6), date(2026, 7, 7), date(2026, 7, 8)):
        at = datetime.combine(day, clock_time(9), tzinfo=TZ)
        while at < datetime.combine(day, clock_time(12), tzinfo=TZ):
            for camera in ("c1", "c2"):
                samples.append({"branch_id": bid, "camera_id": camera, "zone": "", "at": at,
                                "count": rng.randint(0, 20)})
            samples.append({"branch_id": bid, "camera_id": "c1", "zone": "Waiting area", "at": at, "count": 99})
            if day != date(2026, 7, 8):
                crossings.append({"branch_id": bid, "camera_id": "c1", "line": "Entrance", "at": at,
                                  "in_count": rng.randint(0, 2), "out_count": rng.randint(0, 2)})
            at += timedelta(seconds=10)
    with db.session() as session:
        session.execute(m.OccupancySample.__table__.insert(), samples)
        session.execute(m.LineCrossingSample.__table__.insert(), crossings)
    db.camera_rows = (samples, crossings)


@pytest.fixture(scope="module")
def branch_db(tmp_path_factory):
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('periods') / 'console.db'}")
    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=(), staff=()))
    fill(db, date(2025, 7, 1), date(2025, 9, 30), 30, 1)  # a year earlier
    fill(db, date(2026, 4, 1), date(2026, 9, 30), 45, 2)  # the quarter before, and this one
    cameras(db)
    yield db
    db.close()


def raw(db, first: date, last: date):
    start = datetime.combine(first, clock_time(0), tzinfo=TZ)
    return repository.load_tickets(db, BRANCH.code, start, datetime.combine(last + timedelta(days=1), clock_time(0),
                                                                             tzinfo=TZ))


@pytest.fixture
def window(qtbot, branch_db):
    threads: list[str] = []

    def store(task):
        threads.append(threading.current_thread().name)
        apply_now(branch_db, task)

    controller = PeriodController(branch_db, BRANCH.code, TZ, 10.0, store, lambda: NOW)
    shown = PeriodWindow(controller.request, controller.today())
    controller.sig_ready.connect(shown.show_comparison)
    controller.sig_failed.connect(shown.show_failure)
    qtbot.addWidget(shown)
    shown.resize(1500, 860)
    shown.set_period("quarter", QUARTER[0])
    with qtbot.waitSignal(controller.sig_ready, timeout=60_000):
        shown.ask()
    shown.threads = threads
    return shown


def test_the_quarter_beside_the_one_before_and_a_year_earlier(window, branch_db) -> None:
    assert window.threads and all(name == "period-report" for name in window.threads)  # not the GUI thread
    figures = window.figures
    rows = {cell_text(figures, r, 0): r for r in range(figures.rowCount())}
    spans = (QUARTER, (date(2026, 4, 1), date(2026, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30)))
    for column, (first, last) in zip((1, 2, 4), spans, strict=True):
        tickets = raw(branch_db, first, last)
        waits = [(t.called_at - t.issued_at).total_seconds() / 60 for t in tickets if t.called_at]
        assert cell_text(figures, rows["Tickets issued"], column) == f"{len(tickets):,}"
        assert cell_text(figures, rows["Average wait (min)"], column) == f"{sum(waits) / len(waits):.1f}"
        gave_up = sum(t.status.value == "abandoned" for t in tickets)
        assert cell_text(figures, rows["Abandonment (share of tickets issued)"], column) == \
            f"{gave_up / len(tickets) * 100:.1f}%"
    now, before = len(raw(branch_db, *spans[0])), len(raw(branch_db, *spans[1]))
    assert cell_text(figures, rows["Tickets issued"], 3) == \
        f"{'▲' if now > before else '▼'} {abs(now - before):,} ({abs(now - before) / before * 100:.1f}%)"
    assert "2026-07-01 – 2026-09-30" in figures.horizontalHeaderItem(1).text()
    samples, crossings = branch_db.camera_rows
    per_instant: dict = {}
    for s in samples:
        if s["zone"] == "":
            per_instant[s["at"]] = per_instant.get(s["at"], 0) + s["count"]
    assert cell_text(figures, rows["Peak lobby occupancy (people)"], 1) == str(max(per_instant.values()))
    assert cell_text(figures, rows["Peak lobby occupancy (people)"], 2) == "—"  # no camera in the spring
    visitors = sum(c["in_count"] for c in crossings) / 2  # a day, over the two days the line counted
    assert cell_text(figures, rows["Visitors counted at the entrance, a day"], 1) == f"{visitors:,.0f}"


def test_weekly_trend_and_weekday_map(window, branch_db) -> None:
    tickets = raw(branch_db, *QUARTER)
    weeks: dict[tuple[int, int], int] = {}
    week_days: dict[tuple[int, int], set] = {}
    for t in tickets:
        local = t.issued_at.astimezone(TZ)
        year, week, _ = local.isocalendar()
        weeks[(year, week)] = weeks.get((year, week), 0) + 1
        week_days.setdefault((year, week), set()).add(local.date())
    # tickets a day over the week's days with tickets (the quarter cuts its first and last week)
    assert window.series["This period"] == pytest.approx([weeks[k] / len(week_days[k]) for k in sorted(weeks)])
    assert len(window.series["A year earlier"]) == len(weeks)
    # Tuesdays 10:00–10:30: tickets issued per Tuesday with tickets
    tuesdays = {t.issued_at.astimezone(TZ).date() for t in tickets if t.issued_at.astimezone(TZ).weekday() == 1}
    in_slot = sum(1 for t in tickets if (local := t.issued_at.astimezone(TZ)).weekday() == 1 and local.hour == 10
                  and local.minute < 30)
    columns = {window.heat.horizontalHeaderItem(c).text(): c for c in range(window.heat.columnCount())}
    assert cell_text(window.heat, 1, columns["10:00"]) == f"{in_slot / len(tuesdays):.1f}"
    assert cell_text(window.heat, 6, columns["10:00"]) == ""  # closed on Sundays
    window.trend_metric.setCurrentIndex(window.trend_metric.findData("peak"))
    samples, _ = branch_db.camera_rows
    per_instant: dict = {}
    for s in samples:
        if s["zone"] == "":
            per_instant[s["at"]] = per_instant.get(s["at"], 0) + s["count"]
    week = sorted(weeks).index((2026, 28))  # 6–12 July: the only week with cameras
    assert window.series["This period"][week] == max(per_instant.values())
    assert [v for n, v in enumerate(window.series["This period"]) if n != week] == [None] * (len(weeks) - 1)


def test_stepping_back_asks_for_the_quarter_before(qtbot, branch_db, tmp_path: Path) -> None:
    asked = []
    shown = PeriodWindow(lambda *period: asked.append(period), date(2026, 10, 15))
    qtbot.addWidget(shown)
    shown.set_period("quarter", date(2026, 7, 1))
    shown.step(-1)
    shown.step(-1)
    shown.set_period("range", date(2026, 9, 1), date(2026, 8, 1))
    shown.ask()
    assert asked == [("quarter", date(2026, 4, 1), date(2026, 6, 30)), ("quarter", date(2026, 1, 1),
                                                                         date(2026, 3, 31))]
    assert "before it starts" in shown.status.text()


def test_counters_and_people_only_for_those_allowed(qtbot, branch_db) -> None:
    controller = PeriodController(branch_db, BRANCH.code, TZ, 10.0, lambda task: apply_now(branch_db, task),
                                  lambda: NOW)
    controller.with_work = True
    shown = PeriodWindow(controller.request, controller.today())
    controller.sig_ready.connect(shown.show_comparison)
    qtbot.addWidget(shown)
    tab = shown.tabs.indexOf(shown.work_tab)
    assert not shown.tabs.isTabVisible(tab)
    shown.set_work_allowed(True)
    shown.set_period("month", date(2026, 9, 1))
    with qtbot.waitSignal(controller.sig_ready, timeout=60_000):
        shown.ask()
    served: dict[str, int] = {}
    for t in raw(branch_db, date(2026, 9, 1), date(2026, 9, 30)):
        if t.status.value == "served":
            served[t.counter_id] = served.get(t.counter_id, 0) + 1
    table = shown.work_counters
    assert {cell_text(table, r, 0): cell_text(table, r, 1) for r in range(table.rowCount())} == {
        f"Counter {c}": f"{n:,}" for c, n in served.items()}
    assert "reported no counter states" in shown.work_note.text()
    shown.set_work_allowed(False)  # another user logs in
    assert not shown.tabs.isTabVisible(tab) and table.rowCount() == 0


def test_the_review_exported_as_excel_and_pdf(window, branch_db, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.dialogs import answer_dialog

    window.comments.setPlainText("Waits fell after the second cash counter opened at noon.\n=cmd|' /C calc'!A0")
    book_path = tmp_path / "review.xlsx"
    assert window.export_review(book_path)
    book = load_workbook(book_path)
    assert book.sheetnames == ["Review", "Service figures", "Trend by week", "Customer ratings", "Alerts by rule",
                               "Incidents and drills", "Comments"]
    figures = [list(r) for r in book["Service figures"].iter_rows(min_row=2, values_only=True)]
    table = window.figures
    assert figures == [[cell_text(table, r, c) for c in range(6)] for r in range(table.rowCount())]
    trend = book["Trend by week"]
    assert [r[1] for r in trend.iter_rows(min_row=2, values_only=True)] == [
        round(v, 1) for v in window.series["This period"]]
    assert len(trend._charts) == 1
    comments = [r[0] for r in book["Comments"].iter_rows(min_row=2, values_only=True)]
    assert comments == ["Waits fell after the second cash counter opened at noon.", "'=cmd|' /C calc'!A0"]
    pdf = tmp_path / "review.pdf"
    assert window.export_review(pdf) and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    seen: dict = {}
    answer_dialog(QMessageBox, lambda box: (seen.setdefault("text", box.text()), box.accept()), seen)
    assert not window.export_review(tmp_path / "review.docx")
    assert "choose a .xlsx or .pdf file name" in seen["text"] and not (tmp_path / "review.docx").exists()
