"""The branch set-up wizard, driven page by page: bad values keep Next disabled with the reason in red beside the
field; Finish hands over a result whose plan is what the equivalent branch file reads as; a refusal from the caller
keeps the wizard open with everything as typed; Branch settings fills every page from the stored branch and locks
its code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QMessageBox, QWizard

from console.app.i18n import Translations
from console.branches.branch_file import BranchFileError, parse_branch, read_branch_file
from console.domain.records import StaffMember
from console.domain.vocabulary import ServiceType, StaffRole
from console.staffing.staff_io import read_staff
from tests.gui.dialogs import answer_dialog
from widgets.dialogs import branch_wizard
from widgets.dialogs.branch_wizard import BranchWizard, FeedInfo, PageId, WizardResult
from widgets.dialogs.roster_dialogs import PersonDialog

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_BRANCH = ROOT / "resources" / "examples" / "branch.toml"
EXAMPLE_STAFF = ROOT / "resources" / "examples" / "staff.csv"
PASSWORD = "Counter2026pass"


@pytest.fixture
def make_wizard(qapp, qtbot) -> Iterator[Callable[..., BranchWizard]]:
    """A shown wizard (English); ``finished`` collects what Finish handed over."""
    Translations().install("en")
    made: list[BranchWizard] = []

    def make(**options) -> BranchWizard:
        arguments = {"existing": None, "staff": (), "needs_admin": True, "feed": None, "open_cameras": None,
                     "target_wait_min": 10.0, "max_wait_min": 30.0, "finish": lambda result: None}
        arguments.update(options)
        wizard = BranchWizard(**arguments)
        qtbot.addWidget(wizard)
        wizard.show()
        made.append(wizard)
        return wizard

    yield make
    for wizard in made:
        wizard.close()


def go_to(wizard: BranchWizard, page: PageId) -> None:
    """Press Next until ``page`` shows; fails when a page refuses to be left."""
    while wizard.currentId() != page:
        before = wizard.currentId()
        assert wizard.button(QWizard.WizardButton.NextButton).isEnabled(), f"Next disabled on {PageId(before)!r}"
        wizard.next()
        assert wizard.currentId() != before, f"stuck on {PageId(before)!r}"


def next_blocked(wizard: BranchWizard) -> bool:
    """Next is disabled, and pressing it anyway (keyboard, a script) leaves the page where it is."""
    here = wizard.currentId()
    disabled = not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    return disabled and wizard.currentId() == here


def type_item(page, value: str):
    """The line of the counters page's service-type list that shows ``value`` now (ticked ones come first)."""
    return next(page.types.item(i) for i in range(page.types.count())
                if page.types.item(i).data(Qt.ItemDataRole.UserRole) == value)


def fill_branch(wizard: BranchWizard, code: str = "BJ02") -> None:
    page = wizard.branch_page
    page.code.setText(code)
    page.name.setText("北京西单支行")
    page.zone.setCurrentText("Asia/Shanghai")
    page.capacity.setValue(60)
    page.seats.setValue(24)


def test_a_new_branch_filled_page_by_page_is_handed_over_as_its_branch_file(make_wizard) -> None:
    finished: list[WizardResult] = []
    wizard = make_wizard(finish=finished.append)
    assert wizard.currentId() == PageId.BRANCH and not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    fill_branch(wizard)
    go_to(wizard, PageId.HOURS)
    hours = wizard.hours_page
    hours.open[6].setChecked(True)  # Sunday opens 10:00-15:00; Saturday keeps the default 09:30-16:00
    hours.opens[6].setTime(QTime(10, 0))
    hours.closes[6].setTime(QTime(15, 0))
    hours.closes[4].setTime(QTime(17, 30))  # Friday until 17:30

    go_to(wizard, PageId.COUNTERS)
    counters = wizard.counters_page
    assert counters.table.rowCount() == 1 and counters.cell(0, counters.ID) == "C1"
    counters.add_counter()  # row 2: C2, cash and non-cash; made a VIP counter preferring VIP, then cash
    assert counters.cell(1, counters.ID) == "C2" and counters.table.currentRow() == 1
    counters.table.item(1, counters.NAME).setText("贵宾窗口")
    type_item(counters, "non_cash").setCheckState(Qt.CheckState.Unchecked)
    type_item(counters, "vip").setCheckState(Qt.CheckState.Checked)  # ticked after cash: cash is still preferred
    assert counters.row_types(1) == ["cash", "vip"]
    assert [counters.types.item(i).text() for i in range(3)] == ["Cash", "VIP / priority", "Non-cash"]
    counters.types.setCurrentItem(type_item(counters, "vip"))
    assert counters.up_button.isEnabled() and not counters.down_button.isEnabled()
    counters.up_button.click()  # VIP to the top: preferred
    assert counters.row_types(1) == ["vip", "cash"]
    assert counters.table.item(1, counters.TYPES).text() == "VIP / priority → Cash"
    counters.add_counter()  # row 3: a flexible counter
    counters.table.item(2, counters.ID).setText("F1")
    counters.table.item(2, counters.NAME).setText("弹性窗口")
    counters.set_row_types(2, [ServiceType.NON_CASH, ServiceType.CASH])
    counters.table.item(2, counters.FLEXIBLE).setCheckState(Qt.CheckState.Checked)

    go_to(wizard, PageId.NAMES)
    names = wizard.names_page
    assert [names.name(r) for r in range(names.table.rowCount())] == ["个人现金", "个人非现金", "对公业务", "贵宾", "理财"]
    assert names.combo(2).currentText() == "Corporate"  # the translated name, never the code
    names.add_name()
    names.table.item(5, 0).setText(" 外汇 ")  # spaces around a name are not part of it
    names.combo(5).setCurrentIndex(names.combo(5).findData("cash"))

    go_to(wizard, PageId.STAFF)
    assert wizard.staff_page.import_file(str(EXAMPLE_STAFF))
    go_to(wizard, PageId.ADMIN)
    admin = wizard.admin_page
    admin.display_name.setText("王芳")
    admin.password.setText(PASSWORD)
    admin.again.setText(PASSWORD)
    go_to(wizard, PageId.FEED)
    wizard.feed_page.csv.setChecked(True)
    go_to(wizard, PageId.CAMERAS)
    assert not wizard.cameras_page.button.isEnabled()
    go_to(wizard, PageId.STANDARD)
    wizard.standard_page.target.setValue(8)
    wizard.standard_page.maximum.setValue(25)
    go_to(wizard, PageId.SUMMARY)
    summary = wizard.summary_page.text.toPlainText()
    assert "BJ02 北京西单支行, time zone Asia/Shanghai: a lobby for 60 people with 24 waiting seats." in summary
    assert "F1 弹性窗口: Non-cash → Cash (flexible)" in summary and "non_cash" not in summary
    assert "target wait 8 min, maximum wait 25 min." in summary
    wizard.button(QWizard.WizardButton.FinishButton).click()

    assert wizard.result() == QWizard.DialogCode.Accepted and len(finished) == 1
    result = finished[0]
    assert result.plan == parse_branch({
        "branch": {"code": "BJ02", "name": "北京西单支行", "timezone": "Asia/Shanghai", "lobby_capacity": 60,
                   "waiting_seats": 24,
                   "hours": {"default": "09:00-17:00", "fri": "09:00-17:30", "sat": "09:30-16:00",
                             "sun": "10:00-15:00"}},
        "service_names": {"个人现金": "cash", "个人非现金": "non_cash", "对公业务": "corporate", "贵宾": "vip",
                          "理财": "non_cash", "外汇": "cash"},
        "counter": [{"id": "C1", "name": "Counter 1", "service_types": ["cash", "non_cash"]},
                    {"id": "C2", "name": "贵宾窗口", "service_types": ["vip", "cash"]},
                    {"id": "F1", "name": "弹性窗口", "service_types": ["non_cash", "cash"], "flexible": True}],
    })
    assert result.staff == tuple(read_staff(EXAMPLE_STAFF).members)
    assert result.admin == ("admin", "王芳", PASSWORD) and PASSWORD not in repr(result)
    assert wizard.admin_page.password.text() == ""  # handed over, not kept
    assert (result.use_api, result.target_wait_min, result.max_wait_min) == (False, 8.0, 25.0)


def test_branch_page_refuses_a_code_with_a_space_and_no_capacity(make_wizard) -> None:
    wizard = make_wizard()
    fill_branch(wizard, code="BJ 02")
    page = wizard.branch_page
    assert next_blocked(wizard)
    assert page.errors["code"].text() == ("'BJ 02' is not a branch code: use 1 to 16 letters, digits, '-' or '_', "
                                          "without spaces.")
    assert page.errors["code"].isVisibleTo(page)
    page.code.setText("BJ02")
    page.capacity.setValue(0)
    assert page.errors["code"].text() == "" and not page.errors["code"].isVisibleTo(page)
    assert next_blocked(wizard)
    assert page.errors["lobby_capacity"].text() == ("Enter the lobby capacity: the number of people the premises "
                                                    "are rated for (above 0).")
    page.capacity.setValue(20)  # fewer people than the 24 seats
    assert next_blocked(wizard)
    assert page.errors["waiting_seats"].text() == ("The waiting area cannot have more seats (24) than the lobby "
                                                   "holds people (20).")
    page.capacity.setValue(60)
    page.zone.setCurrentText("Asia/Peking")
    assert next_blocked(wizard)
    assert page.errors["timezone"].text().startswith("'Asia/Peking' is not a known time zone")
    page.zone.setCurrentText("Asia/Urumqi")
    wizard.next()
    assert wizard.currentId() == PageId.HOURS


def test_hours_page_refuses_a_day_closing_before_it_opens_and_a_week_closed(make_wizard) -> None:
    wizard = make_wizard()
    fill_branch(wizard)
    go_to(wizard, PageId.HOURS)
    page = wizard.hours_page
    page.opens[2].setTime(QTime(17, 0))  # Wednesday opens when it closes
    assert next_blocked(wizard)
    assert page.errors[2].text() == "Opens at 17:00, not before it closes at 17:00."
    assert [bool(e.text()) for e in page.errors] == [False, False, True, False, False, False, False]
    page.open[2].setChecked(False)  # a closed day's times do not matter
    assert page.errors[2].text() == "" and not page.opens[2].isEnabled()
    for box in page.open:
        box.setChecked(False)
    assert next_blocked(wizard)
    assert page.week_error.text() == "The branch must be open on at least one day of the week."
    page.open[5].setChecked(True)  # open on Saturdays only is a branch
    go_to(wizard, PageId.COUNTERS)


def test_counters_page_refuses_a_repeated_id_and_a_counter_without_service_types(make_wizard) -> None:
    wizard = make_wizard()
    fill_branch(wizard)
    go_to(wizard, PageId.COUNTERS)
    page = wizard.counters_page
    page.add_counter()
    page.table.item(1, page.ID).setText("C1")
    assert next_blocked(wizard)
    assert page.error.text() == "Row 2: the id C1 is already used on row 1."
    assert page.table.item(1, page.ID).background().color() == branch_wizard.BAD_CELL
    page.table.item(1, page.ID).setText("C2")
    page.table.setCurrentCell(1, page.NAME)
    for value in ("cash", "non_cash"):  # untick everything in the list beside the table
        type_item(page, value).setCheckState(Qt.CheckState.Unchecked)
    assert page.row_types(1) == []
    assert next_blocked(wizard)
    assert page.error.text() == "Row 2: tick at least one service type the counter takes."
    assert page.table.item(1, page.TYPES).text() == "(none ticked)"
    page.table.setCurrentCell(1, page.NAME)
    page.remove_counter()
    page.remove_counter()
    assert next_blocked(wizard) and page.error.text() == "Add at least one counter."
    page.add_counter()
    go_to(wizard, PageId.NAMES)


def test_names_page_refuses_a_repeated_or_empty_name(make_wizard) -> None:
    wizard = make_wizard()
    fill_branch(wizard)
    go_to(wizard, PageId.NAMES)
    page = wizard.names_page
    page.add_name()
    assert next_blocked(wizard) and page.error.text() == "Row 6: enter the name, or remove the row."
    page.table.item(5, 0).setText("理财")
    assert next_blocked(wizard) and page.error.text() == "Row 6: the name 理财 is already on row 5."
    page.remove_name()
    go_to(wizard, PageId.STAFF)


def test_admin_and_service_standard_pages_refuse_what_the_login_and_the_standard_refuse(make_wizard) -> None:
    wizard = make_wizard()
    fill_branch(wizard)
    go_to(wizard, PageId.ADMIN)
    page = wizard.admin_page
    page.password.setText("short1")
    page.again.setText("short1")
    assert next_blocked(wizard)
    assert page.errors["password"].text() == "A password needs at least 10 characters, with letters and digits."
    page.password.setText(PASSWORD)
    assert next_blocked(wizard) and page.errors["again"].text() == "The two passwords differ."
    page.again.setText(PASSWORD)
    page.username.setText("a b")
    assert next_blocked(wizard)
    assert page.errors["username"].text() == "A user name is 2–64 letters, digits, '.', '_' or '-'."
    page.username.setText("wang.fang")
    go_to(wizard, PageId.STANDARD)
    standard = wizard.standard_page
    standard.maximum.setValue(10)  # not longer than the 10-minute target
    assert next_blocked(wizard)
    assert standard.error.text() == "The maximum wait (10 min) must be longer than the target wait (10 min)."
    standard.maximum.setValue(10.5)
    go_to(wizard, PageId.SUMMARY)


def test_a_refusal_from_finish_keeps_the_wizard_open_with_everything_typed(make_wizard) -> None:
    calls: list[WizardResult] = []

    def finish(result: WizardResult) -> None:
        calls.append(result)
        if len(calls) == 1:
            raise ValueError("branch code DEMO is the demo branch's; choose another code")

    wizard = make_wizard(finish=finish, needs_admin=False)
    fill_branch(wizard, code="DEMO")
    go_to(wizard, PageId.SUMMARY)
    assert wizard.page(PageId.ADMIN) is None  # a console user exists already
    seen: dict = {}

    def read(box: QMessageBox) -> None:
        seen["text"] = box.text()
        box.accept()

    answer_dialog(QMessageBox, read, seen)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert "error" not in seen, seen
    assert seen["text"] == ("The set-up could not be finished: branch code DEMO is the demo branch's; choose "
                            "another code")
    assert wizard.isVisible() and wizard.currentId() == PageId.SUMMARY and wizard.result() == 0
    wizard.back()
    assert wizard.currentId() == PageId.STANDARD
    go_to(wizard, PageId.SUMMARY)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted and not wizard.isVisible()
    assert len(calls) == 2 and calls[1] == calls[0] and calls[1].admin is None


def test_branch_settings_fill_every_page_and_lock_the_code(make_wizard) -> None:
    stored = read_branch_file(EXAMPLE_BRANCH)
    staff = read_staff(EXAMPLE_STAFF).members
    finished: list[WizardResult] = []
    wizard = make_wizard(existing=stored, staff=staff, needs_admin=True, finish=finished.append,
                         target_wait_min=12.0, max_wait_min=40.0, use_api=False)
    assert wizard.windowTitle() == "Branch settings: SH01"
    page = wizard.branch_page
    assert page.code.text() == "SH01" and page.code.isReadOnly()
    assert (page.name.text(), page.zone.currentText(), page.capacity.value(), page.seats.value()) == (
        "上海分行营业部", "Asia/Shanghai", 80, 40)
    assert wizard.page(PageId.ADMIN) is None  # never asked when editing
    assert [wizard.hours_page.day_text(i) for i in range(7)] == ["09:00-17:00"] * 5 + ["09:30-16:00", "closed"]
    counters = wizard.counters_page
    assert [counters.cell(r, counters.ID) for r in range(counters.table.rowCount())] == ["C1", "C2", "C3", "V1", "F1"]
    assert counters.table.item(3, counters.TYPES).text() == "VIP / priority → Cash → Non-cash"
    assert wizard.staff_page.members == staff
    assert not wizard.feed_page.use_api()
    # the Chinese business names shown as stored; removing a person and a counter is what Finish hands over
    counters.table.setCurrentCell(2, counters.NAME)
    counters.remove_counter()
    go_to(wizard, PageId.STAFF)
    wizard.staff_page.table.selectRow(0)
    wizard.staff_page.remove_person()
    go_to(wizard, PageId.SUMMARY)
    assert "Removed: C3 3号窗口（对公）." in wizard.summary_page.text.toPlainText()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    result = finished[0]
    assert result.plan == replace(stored, counters=tuple(c for c in stored.counters if c.counter_id != "C3"))
    assert result.staff == tuple(staff[1:]) and result.admin is None
    assert (result.use_api, result.target_wait_min, result.max_wait_min) == (False, 12.0, 40.0)


def test_the_feed_page_shows_the_address_token_and_a_live_line(make_wizard, qtbot) -> None:
    last: list[datetime | None] = [None]
    feed = FeedInfo(lambda: ("http://127.0.0.1:8731/api/v1/events", "tok-123"), lambda: last[0])
    wizard = make_wizard(feed=feed, needs_admin=False)
    fill_branch(wizard)
    go_to(wizard, PageId.FEED)
    page = wizard.feed_page
    assert (page.url.text(), page.token.text()) == ("http://127.0.0.1:8731/api/v1/events", "tok-123")
    assert page.status.text() == "Waiting for the first event…" and page.timer.isActive()
    last[0] = datetime(2026, 11, 27, 2, 15, 42, tzinfo=UTC)  # 10:15:42 in Shanghai
    qtbot.waitUntil(lambda: page.status.text() == "Last event received at 10:15:42", timeout=2500)
    page.csv.setChecked(True)  # nothing to poll for a CSV import
    assert not page.timer.isActive() and not page.api_box.isVisibleTo(page) and page.csv_box.isVisibleTo(page)
    page.api.setChecked(True)
    assert page.timer.isActive()
    wizard.next()  # leaving the page stops the polling
    assert not page.timer.isActive()


def test_the_cameras_page_opens_the_callers_dialog(make_wizard) -> None:
    opened: list[int] = []
    wizard = make_wizard(open_cameras=lambda: opened.append(1), needs_admin=False)
    fill_branch(wizard)
    go_to(wizard, PageId.CAMERAS)
    assert wizard.cameras_page.button.isEnabled()
    wizard.cameras_page.button.click()
    assert opened == [1]


def test_the_staff_page_lists_refused_lines_and_takes_people_typed_in(make_wizard, tmp_path: Path) -> None:
    wizard = make_wizard(needs_admin=False)
    page = wizard.staff_page
    bad = tmp_path / "staff.csv"
    bad.write_text("employee_no,name,role,skills\nE1,王芳,teller,cash\nE2,李娜,clerk,cash\n", encoding="utf-8")
    assert page.import_file(str(bad))
    assert [p.staff_id for p in page.members] == ["E1"]
    assert page.rejected.text().startswith("Lines not imported (1): correct them in the file")
    assert page.import_result.text() == "People read from staff.csv: 1."
    assert "Line 3: role 'clerk' is unknown" in page.rejected.text()
    assert page.table.item(0, 2).text() == "Teller"  # the role's name, not its code
    assert not page.import_file(str(tmp_path / "nobody.csv"))
    assert page.rejected.text().endswith("cannot be imported: does not exist")
    seen: dict = {}

    def type_in(dialog: PersonDialog) -> None:
        dialog.number.setText("E1")  # taken: refused in the dialog
        dialog.name.setText("张伟")
        dialog.skills[ServiceType.VIP].setChecked(True)
        dialog.accept()
        seen["taken"] = dialog.error.text()
        dialog.number.setText("E3")
        dialog.role.setCurrentIndex(dialog.role.findData("vip_manager"))
        dialog.accept()

    answer_dialog(PersonDialog, type_in, seen)
    page.add_person()
    assert "error" not in seen, seen
    assert seen["taken"] == "Employee no. E1 is already in the directory."
    assert page.members[-1] == StaffMember("E3", "张伟", StaffRole.VIP_MANAGER, (ServiceType.VIP,))


def test_a_refusal_of_the_branch_file_rules_is_shown_on_the_page_that_holds_the_value(make_wizard,
                                                                                       monkeypatch) -> None:
    wizard = make_wizard(needs_admin=False)
    fill_branch(wizard)

    def refuse(data, source):
        raise BranchFileError(f"{source}: counter #1.name: too long for the ticketing system")

    monkeypatch.setattr(branch_wizard, "parse_branch", refuse)
    go_to(wizard, PageId.COUNTERS)  # a later page's value does not hold up the pages before it
    assert wizard.counters_page.error.text() == ""
    wizard.next()
    assert wizard.currentId() == PageId.COUNTERS
    assert wizard.counters_page.error.text() == "Set-up wizard: counter #1.name: too long for the ticketing system"
