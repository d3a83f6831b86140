"""The Staff panel's roster editor, staff directory, coverage chart and attendance on a configured branch: a real
database file and the real writer thread; dialogs driven as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from console.app.i18n import Translations
from console.domain.attendance import AttendanceStatus
from console.domain.records import BranchInfo, BreakSpan, CounterStatus, ShiftRecord, StaffMember, TicketEvent
from console.domain.roster_rules import RosterRules
from console.domain.staffing import erlang_c
from console.domain.vocabulary import CounterState, ServiceType, StaffRole, TicketEventType
from console.staffing.roster_desk import RosterDesk
from storage import repository
from storage.tasks import SaveBranchSetup, SaveRoster, StoreFeedEvents
from storage.writer import DatabaseWriter, apply_now
from tests.gui.conftest import make_env
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.roster_dialogs import PersonDialog, ShiftDialog, StaffDirectoryDialog
from widgets.panels.attendance_view import AttendanceView
from widgets.panels.coverage_view import CoverageView
from widgets.panels.roster_editor import RosterEditor

pytestmark = pytest.mark.gui

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 18)  # a Wednesday
BRANCH = BranchInfo(code="SH01", name="Shanghai Lujiazui", timezone="Asia/Shanghai", opens=clock_time(9),
                    closes=clock_time(17), lobby_capacity=60)
CASH, NON_CASH = ServiceType.CASH, ServiceType.NON_CASH
STAFF = (StaffMember("E1", "李伟", StaffRole.TELLER, (CASH, NON_CASH)),
         StaffMember("E2", "王芳", StaffRole.TELLER, (CASH,)),
         StaffMember("E3", "周婷", StaffRole.LOBBY_MANAGER, (NON_CASH,)))


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hh, mm), tzinfo=TZ)


def roster(day: date) -> tuple[ShiftRecord, ...]:
    return (ShiftRecord("E1", at(day, 8, 45), at(day, 17, 30), counter_id="1",
                        breaks=(BreakSpan(at(day, 12), at(day, 12, 45)),)),
            ShiftRecord("E2", at(day, 8, 45), at(day, 17, 30), counter_id="2",
                        breaks=(BreakSpan(at(day, 13), at(day, 13, 45)),)),
            ShiftRecord("E3", at(day, 8, 30), at(day, 17, 30)))


@pytest.fixture
def desk(qapp, isolated_data_dir) -> Iterator[RosterDesk]:
    Translations().install("en")
    env = make_env(isolated_data_dir)
    since = at(DAY, 8)
    apply_now(env.db, SaveBranchSetup(branch=BRANCH, staff=STAFF, counters=(
        CounterStatus("1", "Counter 1", (CASH,), CounterState.CLOSED, since),
        CounterStatus("2", "Counter 2", (CASH, NON_CASH), CounterState.CLOSED, since))))
    apply_now(env.db, SaveRoster("SH01", DAY, roster(DAY)))
    writer = DatabaseWriter(env.db)
    writer.start()
    try:
        yield RosterDesk(env.db, BRANCH, lambda task: writer.submit_and_wait(task, timeout_s=10.0), "manager.li",
                         RosterRules())
    finally:
        writer.stop()
        env.close()


def editor_for(qtbot, desk: RosterDesk) -> RosterEditor:
    editor = RosterEditor()
    qtbot.addWidget(editor)
    editor.resize(1200, 500)
    editor.show()
    editor.attach(desk, DAY)
    return editor


def test_dragging_a_shift_moves_it_by_whole_quarter_hours_and_the_rules_flag_a_long_duty(qtbot, desk) -> None:
    editor = editor_for(qtbot, desk)
    line = editor.timeline
    assert sorted(r.staff_id for r in line.records) == ["E1", "E2", "E3"]
    i = next(k for k, r in enumerate(line.records) if r.staff_id == "E1")
    bar = line.bar(i)
    px_per_hour = line.x_of(line.start + timedelta(hours=1)) - line.x_of(line.start)
    y = int(bar.center().y())
    x = int(bar.center().x())
    QTest.mousePress(line, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, y))
    QTest.mouseMove(line, QPoint(int(x + px_per_hour), y))
    QTest.mouseRelease(line, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(int(x + px_per_hour), y))
    moved = next(r for r in editor.draft if r.staff_id == "E1")
    assert (moved.start, moved.end) == (at(DAY, 9, 45), at(DAY, 18, 30))
    assert moved.breaks == (BreakSpan(at(DAY, 13), at(DAY, 13, 45)),)  # the break moves with its shift
    assert editor.dirty and editor.buttons["save"].isEnabled() and not editor.check.errors

    right = int(line.bar(i).right())
    QTest.mousePress(line, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(right - 1, y))
    QTest.mouseMove(line, QPoint(int(right - 1 + 2 * px_per_hour), y))
    QTest.mouseRelease(line, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(int(right - 1 + 2 * px_per_hour), y))
    longer = next(r for r in editor.draft if r.staff_id == "E1")
    assert (longer.start, longer.end) == (at(DAY, 9, 45), at(DAY, 20, 30))  # 10 h 45 min > 10 h
    assert [p.kind.value for p in editor.check.errors] == ["too_long"]
    assert "longer than the 10 h allowed" in editor.problems.item(0).text()
    assert not editor.buttons["save"].isEnabled()
    assert i in line.flagged

    editor.revert()
    assert not editor.dirty and next(r for r in editor.draft if r.staff_id == "E1").start == at(DAY, 8, 45)
    assert repository.load_audit(desk.db) == []


def test_adding_by_dialog_checks_like_an_import_and_saving_is_audited(qtbot, desk) -> None:
    editor = editor_for(qtbot, desk)
    editor.day = DAY + timedelta(days=1)
    editor.refresh()
    seen: dict = {}

    def fill(dialog: ShiftDialog) -> None:
        dialog.person.setCurrentIndex(dialog.person.findData("E2"))
        dialog.start.setText("17:00")
        dialog.end.setText("09:00")
        dialog.accept()
        seen["first"] = dialog.error.text()  # refused: the dialog stays open
        dialog.start.setText("08:45")
        dialog.end.setText("17:30")
        dialog.breaks.setText("12:00-12:45; 18:00-18:15")
        dialog.accept()
        seen["second"] = dialog.error.text()
        dialog.breaks.setText("12:00-12:45")
        dialog.counter.setCurrentIndex(dialog.counter.findData("2"))
        dialog.accept()

    answer_dialog(ShiftDialog, fill, seen)
    editor.buttons["add"].click()
    assert "error" not in seen, seen
    assert "ends (09:00) before it starts (17:00)" in seen["first"]
    assert "break 18:00-18:15 is not inside the shift 08:45-17:30" in seen["second"]
    added = [r for r in editor.draft if r.start.date() == DAY + timedelta(days=1)]
    assert [(r.staff_id, r.counter_id, r.start) for r in added] == [("E2", "2", at(DAY + timedelta(days=1), 8, 45))]
    # rest: E2 worked until 17:30 the day before, only 15.25 h — enough; nobody handles non-cash that day: a warning
    assert not editor.check.errors
    assert any(p.kind.value == "no_cover" and p.service_type is NON_CASH for p in editor.check.warnings)
    assert editor.save()
    stored = repository.load_roster(desk.db, "SH01", DAY + timedelta(days=1))
    assert [(r.staff_id, r.start, r.breaks) for r in stored] == [
        ("E2", at(DAY + timedelta(days=1), 8, 45), (BreakSpan(at(DAY + timedelta(days=1), 12),
                                                               at(DAY + timedelta(days=1), 12, 45)),))]
    audit = repository.load_audit(desk.db)
    assert [(a.action, a.user) for a in audit] == [("roster.edit", "manager.li")]
    assert len(audit[0].before["records"]) == 3 and len(audit[0].after["records"]) == 4


def test_overlap_too_little_rest_and_deleting_with_the_key(qtbot, desk) -> None:
    editor = editor_for(qtbot, desk)
    late = ShiftRecord("E1", at(DAY, 16), at(DAY, 22))  # overlaps 08:45-17:30
    editor.draft.append(late)
    editor.dirty = True
    editor.refresh()
    assert {p.kind.value for p in editor.check.errors} >= {"overlap"}
    line = editor.timeline
    line.selected = line.records.index(late)
    line.setFocus()
    QTest.keyClick(line, Qt.Key.Key_Delete)
    assert late not in editor.draft and not editor.check.errors
    next_day = DAY + timedelta(days=1)
    editor.draft.append(ShiftRecord("E1", at(next_day, 7), at(next_day, 12)))  # 13.5 h after 17:30: fine
    editor.draft.append(ShiftRecord("E2", at(next_day, 2), at(next_day, 6)))  # 8.5 h after 17:30: too little
    editor.refresh()
    assert [(p.kind.value, p.staff_id) for p in editor.check.errors] == [("too_little_rest", "E2")]
    assert "only 8.5 h of rest" in editor.problems.item(0).text()


def test_copy_week_forward_import_and_export(qtbot, desk, tmp_path, monkeypatch) -> None:
    editor = editor_for(qtbot, desk)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: shown.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    editor.copy_week_forward()
    week_later = DAY + timedelta(days=7)
    copied = repository.load_roster(desk.db, "SH01", week_later)
    assert sorted((r.staff_id, r.start, r.end) for r in copied) == sorted(
        (r.staff_id, r.start + timedelta(days=7), r.end + timedelta(days=7)) for r in roster(DAY))
    assert editor.monday == week_later - timedelta(days=week_later.weekday())
    assert repository.load_audit(desk.db)[-1].action == "roster.copy_week"

    bad = tmp_path / "bad.csv"
    bad.write_text("employee_no,date,start,end,kind,counter_id,breaks\nE1,2026-11-26,9:00,18:00,work,1,\n"
                   "E9,2026-11-26,09:00,17:00,work,,\nE2,2026-11-26,25:00,17:00,work,,\n", encoding="utf-8")
    assert not editor.import_file(str(bad))
    assert "2 rows cannot be read; nothing was imported" in shown[-1]
    assert f"{bad}:3: employee_no 'E9' is not in the staff directory" in shown[-1]
    assert f"{bad}:4: start '25:00' is not a time of day" in shown[-1]
    assert repository.load_roster(desk.db, "SH01", date(2026, 11, 26)) == []  # 9:00 was fine, but nothing stored

    good = tmp_path / "good.csv"
    good.write_text("employee_no,date,start,end,kind,counter_id,breaks\n"
                    "E1,2026-12-01,08:45,17:30,work,1,12:00-12:45\nE3,2026-12-01,08:30,17:30,work,,\n"
                    "E2,2026-12-01,08:00,20:00,work,2,\n", encoding="utf-8")
    assert not editor.import_file(str(good))  # 12 h for E2: refused whole
    assert "12.0 h" in shown[-1] and repository.load_roster(desk.db, "SH01", date(2026, 12, 1)) == []
    good.write_text(good.read_text(encoding="utf-8").replace("08:00,20:00", "09:00,17:00"), encoding="utf-8")
    assert editor.import_file(str(good))
    assert len(repository.load_roster(desk.db, "SH01", date(2026, 12, 1))) == 3
    assert repository.load_audit(desk.db)[-1].action == "roster.import"

    out = tmp_path / "week.xlsx"
    assert editor.export_file(str(out))
    from openpyxl import load_workbook

    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("employee_no", "date", "start", "end") and len(rows) == 1 + 3


def test_staff_directory_adds_checks_and_keeps_people_with_a_roster(qtbot, desk, monkeypatch) -> None:
    dialog = StaffDirectoryDialog(desk)
    qtbot.addWidget(dialog)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: shown.append(text))
    seen: dict = {}

    def fill(person: PersonDialog) -> None:
        person.number.setText("E 4")
        person.name.setText("赵丽")
        person.accept()
        seen["bad_number"] = person.error.text()
        person.number.setText("E1")
        person.accept()
        seen["taken"] = person.error.text()
        person.number.setText("E4")
        person.accept()
        seen["no_skill"] = person.error.text()
        person.skills[NON_CASH].setChecked(True)
        person.role.setCurrentIndex(person.role.findData("senior_teller"))
        person.accept()

    answer_dialog(PersonDialog, fill, seen)
    dialog.add_button.click()
    assert "error" not in seen, seen
    assert "'E 4'" in seen["bad_number"] and "already in the directory" in seen["taken"]
    assert "at least one service type" in seen["no_skill"]
    added = next(p for p in repository.load_staff(desk.db, "SH01") if p.staff_id == "E4")
    assert (added.name, added.role.value, added.skills) == ("赵丽", "senior_teller", (NON_CASH,))
    assert dialog.table.rowCount() == 4

    dialog.table.selectRow(next(i for i, p in enumerate(dialog.members) if p.staff_id == "E1"))
    dialog.remove()
    assert shown and "E1 has 1 roster records" in shown[-1]
    assert any(p.staff_id == "E1" for p in repository.load_staff(desk.db, "SH01"))
    dialog.table.selectRow(next(i for i, p in enumerate(dialog.members) if p.staff_id == "E4"))
    dialog.remove()
    assert not any(p.staff_id == "E4" for p in repository.load_staff(desk.db, "SH01"))
    assert [a.action for a in repository.load_audit(desk.db)] == ["staff.add", "staff.remove"]


def test_coverage_chart_and_what_if_match_the_erlang_figures(qtbot, desk) -> None:
    from console.staffing.demand import coverage_plan

    view = CoverageView()
    qtbot.addWidget(view)
    view.resize(1100, 420)
    view.show()
    view.attach(lambda d: coverage_plan(desk.db, BRANCH, d, 10.0, 0.8), DAY, 0.8)
    plan = view.plan
    assert plan is not None and plan.source == "fallback" and len(plan.rows) == 16
    assert "demo branch's demand profile" in view.note.text()
    # staff on shift at each half-hour's middle, counted from the roster by hand
    for row in plan.rows:
        middle = row.start + timedelta(minutes=15)
        expected = sum(1 for r in roster(DAY) if r.start <= middle < r.end
                       and not any(b.start <= middle < b.end for b in r.breaks))
        assert row.on_shift == expected
    i = max(range(16), key=lambda k: plan.counts.get((CASH, k), 0))
    n = plan.counts[(CASH, i)]
    aht = plan.counter_time_s[CASH]
    required = plan.rows[i].required[CASH]
    assert erlang_c(n / 1800, aht, required, 600).service_level >= 0.8
    assert required == 1 or n / 1800 * aht >= required - 1 \
        or erlang_c(n / 1800, aht, required - 1, 600).service_level < 0.8  # the fewest that reach the target
    base, more = view.chart.levels[i]
    assert base == pytest.approx(erlang_c(n / 1800, aht, required, 600).service_level)
    assert more == pytest.approx(erlang_c(n / 1800, aht, required + 1, 600).service_level)
    view.delta.setCurrentIndex(view.delta.findData(-1))
    base2, fewer = view.chart.levels[i]
    assert base2 == base
    expected_fewer = 0.0 if required - 1 < 1 or n / 1800 * aht >= required - 1 else \
        erlang_c(n / 1800, aht, required - 1, 600).service_level
    assert fewer == pytest.approx(expected_fewer)
    assert f"{base:.0%} within target with {required} counters" in view.chart.tooltip_text(i)
    view.chart.grab()  # paints without error


def test_attendance_manual_check_in_and_monthly_export(qtbot, desk, tmp_path) -> None:
    now = [at(DAY, 10, 0)]
    # E1 logged in at counter 1 at 09:10 (25 min late); E2 never logged in
    apply_now(desk.db, StoreFeedEvents("SH01", (
        TicketEvent("l1", TicketEventType.STAFF_LOGIN, at(DAY, 9, 10), counter_id="1", staff_id="E1"),)))
    view = AttendanceView()
    qtbot.addWidget(view)
    view.attach(desk, lambda: now[0], DAY)
    status = {r.shift.staff_id: r for r in view.rows}
    assert status["E1"].status is AttendanceStatus.LATE and status["E1"].late_min == pytest.approx(25)
    assert status["E2"].status is AttendanceStatus.NOT_IN_YET  # the shift is running: not judged absent yet
    assert status["E3"].status is AttendanceStatus.NOT_CHECKED
    assert "1 late" in view.summary.text() and "0 absent" in view.summary.text()
    assert view.summary.text().endswith("1 on shift not logged in yet")
    row = next(i for i, r in enumerate(view.rows) if r.shift.staff_id == "E3")
    view.table.selectRow(row)
    assert view.record(check_out=False)  # 周婷 checks in at 10:00, rostered from 08:30
    e3 = next(r for r in view.rows if r.shift.staff_id == "E3")
    assert e3.status is AttendanceStatus.LATE and e3.late_min == pytest.approx(90)
    assert repository.load_audit(desk.db)[-1].action == "attendance.check_in"

    out = tmp_path / "attendance.csv"
    assert view.export_month(str(out))
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("date,employee_no,name")
    assert len(lines) == 1 + 3  # the month's roster records
    assert any(",E3,周婷," in line and ",late," in line for line in lines)
