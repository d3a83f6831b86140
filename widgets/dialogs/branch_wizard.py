"""The branch set-up wizard: File → Set up your branch… (a new branch) and File → Branch settings… (the same pages,
filled in from the stored branch).

Pages, in order (``PageId``): the branch (code, name, time zone, lobby capacity, waiting seats); opening hours per
weekday; counters (窗口) with the service types each takes, preferred first, and whether it is flexible (弹性窗口);
the ticketing system's business names mapped onto the console's service types; the staff directory (typed in or
imported from a .csv/.xlsx file, ``console/staffing/staff_io.py``); the first administrator (only when the caller
says there is no console user yet, and never when editing); the ticket feed (HTTP API or CSV import); cameras
(optional); the service standard (target and maximum wait); a summary in words.

Use::

    wizard = BranchWizard(existing=None, staff=(), needs_admin=True, feed=FeedInfo(url_and_token, last_event_at),
                          open_cameras=None, target_wait_min=10.0, max_wait_min=30.0, finish=store, use_api=True,
                          parent=window)
    wizard.open()

Public: ``BranchWizard``, ``WizardResult``, ``FeedInfo``, ``PageId`` (the page ids, for ``wizard.page(...)``).

- ``existing``: the stored branch to edit (its code is then read-only and the administrator page is skipped), or
  None for a new branch (pages pre-filled with usual values: the Chinese business names, one counter).
- ``staff``: the staff directory as stored; ``WizardResult.staff`` is the whole directory as the manager left it
  (someone missing from it was removed in the wizard).
- ``feed``: two callables of the running console — ``url_and_token()`` gives the feed's URL and the token to show
  (an exception is shown in words instead), ``last_event_at()`` the time of the last event received or None
  (polled once a second while the feed page shows); None when the console cannot tell (the page then says where
  to find them later). ``use_api`` is the choice the page starts with.
- ``open_cameras``: opens the Cameras dialog (modal); None disables the button with a note.
- ``finish(result)``: stores everything in one transaction. The wizard does not write the database itself. When
  ``finish`` raises ``ValueError`` (``BranchSetupError`` is one), its message is shown in a message box and the wizard
  stays open with everything as typed; otherwise the wizard closes (Accepted).

Decisions: each page checks its fields as they are typed and shows the reason a value is wrong in red below or
beside the field, with Next disabled until the page is right; the plan itself is then built the one way a branch
file is read (a dict in branch-file form through ``parse_branch``), so the wizard cannot store a branch that
``branch apply`` would refuse, and a refusal from it is shown on the page that holds the value. Service types and
staff roles are shown by their translated names (``widgets/labels.py``), never by their codes. The default business
names are the ticketing system's own words (Chinese data, not interface text), so they are not translated.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from enum import IntEnum
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from PySide6.QtCore import Qt, QTime, QTimer, Slot
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from console.branches.branch_file import CODE, BranchFileError, BranchPlan, CounterPlan, parse_branch
from console.domain.opening_hours import CLOSED, WEEKDAYS, DayHours, parse_day_hours
from console.domain.records import StaffMember
from console.domain.vocabulary import ServiceType
from console.feed.csv_import import CsvFileError
from console.security.users import USERNAME, UserError, password_problem
from console.staffing.staff_io import member_problem, read_staff
from widgets import labels
from widgets.dialogs.login_dialog import refusal_text
from widgets.dialogs.roster_dialogs import PersonDialog
from widgets.tables import make_table

DEFAULT_ZONE = "Asia/Shanghai"
# A new branch's business names: the usual ones of Chinese ticketing systems (their own words, not translated).
DEFAULT_SERVICE_NAMES: tuple[tuple[str, ServiceType], ...] = (
    ("个人现金", ServiceType.CASH),
    ("个人非现金", ServiceType.NON_CASH),
    ("对公业务", ServiceType.CORPORATE),
    ("贵宾", ServiceType.VIP),
    ("理财", ServiceType.NON_CASH),
)
# A new branch's opening hours, Monday first: weekdays 09:00-17:00, Saturday 09:30-16:00, Sunday closed.
DEFAULT_HOURS: tuple[str, ...] = ("09:00-17:00",) * 5 + ("09:30-16:00", CLOSED)
ERROR_COLOUR = "#b91c1c"
BAD_CELL = QColor("#fee2e2")


class PageId(IntEnum):
    """The wizard's pages, in order (``QWizard.page(PageId.X)``)."""

    BRANCH = 0
    HOURS = 1
    COUNTERS = 2
    NAMES = 3
    STAFF = 4
    ADMIN = 5
    FEED = 6
    CAMERAS = 7
    STANDARD = 8
    SUMMARY = 9


@dataclass(frozen=True)
class FeedInfo:
    """What the feed page shows of the running console: ``url_and_token()`` → (URL, token) and
    ``last_event_at()`` → the time the last ticket event arrived, or None before the first."""

    url_and_token: Callable[[], tuple[str, str]]
    # None while the API does not run yet (a new branch: it starts with the branch, when the wizard finishes)
    last_event_at: Callable[[], datetime | None] | None


@dataclass(frozen=True)
class WizardResult:
    """What the manager set up, handed to the caller's ``finish`` to be stored in one transaction.

    ``plan``: the branch as ``parse_branch`` reads it; ``staff``: the whole staff directory; ``admin``: (user name,
    display name, password) of the first administrator, or None when the page was not shown; ``use_api``: the
    ticket feed comes over the HTTP API (False: CSV import); waits in minutes."""

    plan: BranchPlan
    staff: tuple[StaffMember, ...]
    # (user name, display name, password): the password is never in a log line or a traceback
    admin: tuple[str, str, str] | None = dataclass_field(repr=False)
    use_api: bool
    target_wait_min: float
    max_wait_min: float


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def known_zone(name: str) -> bool:
    """True when ``name`` is an IANA time zone (the branch file's rule)."""
    if name in _zones():
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class FieldError(QLabel):
    """The reason a field is wrong, in red below or beside it; hidden while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formError")
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def note(text: str) -> QLabel:
    """A wrapped explanatory paragraph."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


NARROW = 220  # px: the width of a field for a number or a short code, so that it does not stretch across the page


def with_error(field: QWidget, error: FieldError, width: int | None = None) -> QWidget:
    """A field with its error line right below it, as one cell of a form; ``width`` keeps a short field short."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    if width is not None:
        field.setFixedWidth(width)
        column.addWidget(field, 0, Qt.AlignmentFlag.AlignLeft)
    else:
        column.addWidget(field)
    column.addWidget(error)
    return box


def plan_key(exc: BranchFileError, source: str) -> str:
    """The branch-file key a refusal names ("branch.code", "counter #2.id", "service_names"...)."""
    text = str(exc)
    if text.startswith(source + ": "):
        text = text[len(source) + 2:]
    return text.split(": ", 1)[0]


def page_of_key(key: str) -> PageId:
    """The page that holds a branch-file key."""
    if key.startswith(("branch.hours", "[branch.hours]")):
        return PageId.HOURS
    if key.startswith(("service_names", "[service_names]")):
        return PageId.NAMES
    if key.startswith(("counter", "[[counter]]")):
        return PageId.COUNTERS
    return PageId.BRANCH


class BranchPage(QWizardPage):
    """Code, name, time zone, lobby capacity and waiting seats."""

    def __init__(self, existing: BranchPlan | None) -> None:
        super().__init__()
        self.setTitle(self.tr("Your branch"))
        self.setSubTitle(self.tr("The branch as the bank knows it, its time zone and how many people its lobby "
                                 "holds."))
        self.code = QLineEdit(existing.code if existing else "")
        self.code.setPlaceholderText(self.tr("for example SH01"))
        self.code.setMaxLength(16)
        self.code_note = QLabel(self.tr("The code names the branch's stored data and cannot be changed."))
        self.code_note.setWordWrap(True)
        self.code_note.setVisible(existing is not None)
        if existing is not None:
            self.code.setReadOnly(True)
            self.code.setStyleSheet("background: palette(window)")
        self.name = QLineEdit(existing.name if existing else "")
        self.name.setPlaceholderText(self.tr("for example Shanghai Branch Business Department"))
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItems(list(_zones()))
        self.zone.setMaxVisibleItems(20)
        completer = self.zone.completer()
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.zone.setCurrentText(existing.timezone if existing else DEFAULT_ZONE)
        self.capacity = QSpinBox()
        self.capacity.setRange(0, 100_000)
        self.capacity.setSuffix(self.tr(" people"))
        self.capacity.setValue(existing.lobby_capacity if existing else 0)
        self.seats = QSpinBox()
        self.seats.setRange(0, 100_000)
        self.seats.setSuffix(self.tr(" seats"))
        self.seats.setValue(existing.waiting_seats if existing else 0)
        self.errors = {key: FieldError() for key in ("code", "name", "timezone", "lobby_capacity", "waiting_seats")}
        self.plan_error = FieldError()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        code_row = QWidget()
        beside = QHBoxLayout(code_row)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.addWidget(with_error(self.code, self.errors["code"], NARROW))
        beside.addWidget(self.code_note, 1)
        form.addRow(self.tr("Branch code"), code_row)
        form.addRow(self.tr("Branch name"), with_error(self.name, self.errors["name"]))
        form.addRow(self.tr("Time zone"), with_error(self.zone, self.errors["timezone"], 2 * NARROW))
        form.addRow(self.tr("Lobby capacity"), with_error(self.capacity, self.errors["lobby_capacity"], NARROW))
        form.addRow(self.tr("Waiting-area seats"), with_error(self.seats, self.errors["waiting_seats"], NARROW))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note(self.tr("The lobby capacity is the number of people the premises are rated for; the "
                                      "crowding alerts and the lobby figure are measured against it. The branch "
                                      "code is 1 to 16 letters, digits, '-' or '_'.")))
        layout.addWidget(self.plan_error)
        layout.addStretch(1)
        self.code.textChanged.connect(self._changed)
        self.name.textChanged.connect(self._changed)
        self.zone.currentTextChanged.connect(self._changed)
        self.capacity.valueChanged.connect(self._changed)
        self.seats.valueChanged.connect(self._changed)
        self._changed()

    def problems(self) -> dict[str, str]:
        """The reason each wrong field is wrong, by branch-file key."""
        found: dict[str, str] = {}
        code = self.code.text().strip()
        if not code:
            found["code"] = self.tr("Enter the branch code: 1 to 16 letters, digits, '-' or '_' (for example SH01).")
        elif not CODE.match(code):
            found["code"] = self.tr("'%1' is not a branch code: use 1 to 16 letters, digits, '-' or '_', without "
                                    "spaces.").replace("%1", code)
        if not self.name.text().strip():
            found["name"] = self.tr("Enter the branch's name.")
        zone = self.zone.currentText().strip()
        if not known_zone(zone):
            found["timezone"] = self.tr("'%1' is not a known time zone; choose one from the list (for example "
                                        "Asia/Shanghai).").replace("%1", zone)
        if self.capacity.value() <= 0:
            found["lobby_capacity"] = self.tr("Enter the lobby capacity: the number of people the premises are "
                                              "rated for (above 0).")
        elif self.seats.value() > self.capacity.value():
            found["waiting_seats"] = (self.tr("The waiting area cannot have more seats (%1) than the lobby holds "
                                              "people (%2).")
                                      .replace("%1", str(self.seats.value())).replace("%2", str(self.capacity.value())))
        return found

    @Slot()
    def _changed(self) -> None:
        found = self.problems()
        for key, label in self.errors.items():
            label.say(found.get(key, ""))
        self.plan_error.say("")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problems()

    def validatePage(self) -> bool:
        return self.isComplete() and self.wizard().plan_accepted(PageId.BRANCH)

    def show_plan_error(self, key: str, message: str) -> None:
        field = key.removeprefix("branch.")
        (self.errors.get(field) or self.plan_error).say(message)

    def values(self) -> dict[str, object]:
        """The ``[branch]`` table of a branch file, without its hours."""
        return {"code": self.code.text().strip(), "name": self.name.text().strip(),
                "timezone": self.zone.currentText().strip(), "lobby_capacity": self.capacity.value(),
                "waiting_seats": self.seats.value()}


class HoursPage(QWizardPage):
    """Opening hours per weekday: open or closed, opens and closes (the branch's local clock)."""

    def __init__(self, existing: BranchPlan | None) -> None:
        super().__init__()
        self.setTitle(self.tr("Opening hours"))
        self.setSubTitle(self.tr("When the branch is open on each day of the week, in its local time."))
        day_names = (self.tr("Monday"), self.tr("Tuesday"), self.tr("Wednesday"), self.tr("Thursday"),
                     self.tr("Friday"), self.tr("Saturday"), self.tr("Sunday"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.addWidget(QLabel(self.tr("Day")), 0, 0)
        grid.addWidget(QLabel(self.tr("Opens")), 0, 2)
        grid.addWidget(QLabel(self.tr("Closes")), 0, 4)
        self.open: list[QCheckBox] = []
        self.opens: list[QTimeEdit] = []
        self.closes: list[QTimeEdit] = []
        self.errors: list[FieldError] = []
        for row, name in enumerate(day_names, start=1):
            box = QCheckBox(self.tr("Open"))
            opens, closes = QTimeEdit(), QTimeEdit()
            for edit in (opens, closes):
                edit.setDisplayFormat("HH:mm")
            error = FieldError()
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(box, row, 1)
            grid.addWidget(opens, row, 2)
            grid.addWidget(QLabel("–"), row, 3)
            grid.addWidget(closes, row, 4)
            grid.addWidget(error, row, 5)
            self.open.append(box)
            self.opens.append(opens)
            self.closes.append(closes)
            self.errors.append(error)
        grid.setColumnStretch(5, 1)
        self.week_error = FieldError()
        self.set_hours(existing.hours if existing else tuple(parse_day_hours(t) for t in DEFAULT_HOURS))
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.week_error)
        layout.addSpacing(12)
        layout.addWidget(note(self.tr(
            "Chinese public holidays and the working weekends that make up for them (调休), as the console knows "
            "them, apply by themselves: on a public holiday the branch keeps Sunday's hours, on a working weekend "
            "Monday's hours.")))
        layout.addStretch(1)
        for box, opens, closes in zip(self.open, self.opens, self.closes, strict=True):
            box.toggled.connect(self._changed)
            opens.timeChanged.connect(self._changed)
            closes.timeChanged.connect(self._changed)
        self._changed()

    def set_hours(self, hours: Sequence[DayHours]) -> None:
        for day, box, opens, closes in zip(hours, self.open, self.opens, self.closes, strict=True):
            box.setChecked(not day.closed)
            if not day.closed:
                assert day.opens is not None and day.closes is not None
                opens.setTime(QTime(day.opens.hour, day.opens.minute))
                closes.setTime(QTime(day.closes.hour, day.closes.minute))
            else:
                opens.setTime(QTime(9, 0))
                closes.setTime(QTime(17, 0))

    def day_text(self, index: int) -> str:
        """One day as a branch file writes it: "HH:MM-HH:MM" or "closed"."""
        if not self.open[index].isChecked():
            return CLOSED
        return f"{self.opens[index].time().toString('HH:mm')}-{self.closes[index].time().toString('HH:mm')}"

    def problems(self) -> tuple[list[str], str]:
        """(the reason each day is wrong, "" when right; the reason the week is wrong, "")."""
        days = []
        for index in range(len(WEEKDAYS)):
            text = self.day_text(index)
            try:
                parse_day_hours(text)
            except ValueError:
                days.append(self.tr("Opens at %1, not before it closes at %2.")
                            .replace("%1", self.opens[index].time().toString("HH:mm"))
                            .replace("%2", self.closes[index].time().toString("HH:mm")))
            else:
                days.append("")
        week = "" if any(box.isChecked() for box in self.open) else self.tr(
            "The branch must be open on at least one day of the week.")
        return days, week

    @Slot()
    def _changed(self) -> None:
        days, week = self.problems()
        for index, error in enumerate(self.errors):
            error.say(days[index])
            self.opens[index].setEnabled(self.open[index].isChecked())
            self.closes[index].setEnabled(self.open[index].isChecked())
        self.week_error.say(week)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        days, week = self.problems()
        return not week and not any(days)

    def validatePage(self) -> bool:
        return self.isComplete() and self.wizard().plan_accepted(PageId.HOURS)

    def show_plan_error(self, key: str, message: str) -> None:
        self.week_error.say(message)

    def values(self) -> dict[str, str]:
        """The ``[branch.hours]`` table: every weekday written out."""
        return {day: self.day_text(index) for index, day in enumerate(WEEKDAYS)}


class TablePage(QWizardPage):
    """A page holding a table of rows the manager edits (counters, business names): ``problems()`` lists
    (row, column, reason); ``_changed`` marks the cells at fault in red, says why below the table and re-checks Next.
    Subclasses set ``PAGE`` and ``CHECKED`` (the columns marked) and own ``table``, ``remove_button``, ``error``."""

    PAGE: PageId
    CHECKED: tuple[int, ...] = (0,)
    _loading = False

    def problems(self) -> list[tuple[int, int, str]]:
        raise NotImplementedError

    @Slot()
    def _changed(self, *_: object) -> None:
        if self._loading:
            return
        found = self.problems()
        bad = {(row, column) for row, column, _ in found}
        self._loading = True
        for row in range(self.table.rowCount()):
            for column in self.CHECKED:
                item = self.table.item(row, column)
                if item is not None:
                    item.setBackground(QBrush(BAD_CELL) if (row, column) in bad else QBrush())
        self._loading = False
        self.remove_button.setEnabled(self.table.rowCount() > 0)
        self.error.say("\n".join(reason for _, _, reason in found))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problems()

    def validatePage(self) -> bool:
        return self.isComplete() and self.wizard().plan_accepted(self.PAGE)

    def show_plan_error(self, key: str, message: str) -> None:
        self.error.say(message)


class CountersPage(TablePage):
    """The counters (窗口): id, name, the service types taken (an ordered, checkable list beside the table) and
    whether the counter is flexible (弹性窗口)."""

    ID, NAME, TYPES, FLEXIBLE = range(4)
    PAGE = PageId.COUNTERS
    CHECKED = (ID, NAME, TYPES)
    TYPES_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, existing: BranchPlan | None) -> None:
        super().__init__()
        self.setTitle(self.tr("Counters"))
        self.setSubTitle(self.tr("Every counter (窗口) of the branch, the service types it takes, the preferred "
                                 "first, and whether it is a flexible counter (弹性窗口) opened at peaks."))
        self.table: QTableWidget = make_table(
            [self.tr("Id"), self.tr("Name"), self.tr("Service types (preferred first)"), self.tr("Flexible")],
            stretch_column=2)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumWidth(460)
        header = self.table.horizontalHeader()
        for column, width in ((self.ID, 90), (self.NAME, 180)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.add_button = QPushButton(self.tr("Add counter"))
        self.remove_button = QPushButton(self.tr("Remove counter"))
        self.add_button.clicked.connect(self.add_counter)
        self.remove_button.clicked.connect(self.remove_counter)
        self.types = QListWidget()
        self.types.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for kind in ServiceType:
            item = QListWidgetItem(labels.service_type(kind))
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.types.addItem(item)
        self.up_button = QPushButton(self.tr("Move up"))
        self.down_button = QPushButton(self.tr("Move down"))
        self.up_button.clicked.connect(lambda: self.move_type(-1))
        self.down_button.clicked.connect(lambda: self.move_type(1))
        self.types_box = QGroupBox(self.tr("Service types of the selected counter"))
        inner = QVBoxLayout(self.types_box)
        inner.addWidget(note(self.tr("Tick the types the counter takes and move the one it calls first to the "
                                     "top.")))
        inner.addWidget(self.types)
        self.types.setMaximumHeight(self.types.sizeHintForRow(0) * (self.types.count() + 1) + 8)
        moves = QHBoxLayout()
        moves.addWidget(self.up_button)
        moves.addWidget(self.down_button)
        inner.addLayout(moves)
        inner.addStretch(1)
        self.types_box.setMaximumWidth(300)
        self.error = FieldError()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addLayout(buttons)
        left.addWidget(note(self.tr("Double-click an id or a name to change it; the id is what the ticketing "
                                    "system sends (1 to 16 letters, digits, '-' or '_').")))
        left.addWidget(self.error)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.types_box)
        self._loading = False
        self.table.itemChanged.connect(self._cell_changed)
        self.table.currentCellChanged.connect(self._row_selected)
        self.types.itemChanged.connect(self._types_changed)
        self.types.currentRowChanged.connect(self._update_moves)
        if existing is not None:
            self.set_counters(existing.counters)
        else:
            self.set_counters([CounterPlan("C1", labels.counter_name("1"), (ServiceType.CASH, ServiceType.NON_CASH))])

    # --- rows -----------------------------------------------------------------------------------------------

    def set_counters(self, counters: Sequence[CounterPlan]) -> None:
        self._loading = True
        self.table.setRowCount(0)
        for counter in counters:
            self._append(counter.counter_id, counter.name, [t.value for t in counter.service_types],
                         counter.flexible)
        self._loading = False
        if counters:
            self.table.setCurrentCell(0, self.NAME)
        self._changed()

    def _append(self, counter_id: str, name: str, types: list[str], flexible: bool) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, self.ID, QTableWidgetItem(counter_id))
        self.table.setItem(row, self.NAME, QTableWidgetItem(name))
        kinds = QTableWidgetItem()
        kinds.setFlags(kinds.flags() & ~Qt.ItemFlag.ItemIsEditable)
        kinds.setData(self.TYPES_ROLE, list(types))
        kinds.setText(self._types_text(types))
        self.table.setItem(row, self.TYPES, kinds)
        flex = QTableWidgetItem()
        flex.setFlags((flex.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable)
        flex.setCheckState(Qt.CheckState.Checked if flexible else Qt.CheckState.Unchecked)
        self.table.setItem(row, self.FLEXIBLE, flex)
        return row

    def _types_text(self, types: list[str]) -> str:
        return " → ".join(labels.service_type(ServiceType(t)) for t in types) or self.tr("(none ticked)")

    @Slot()
    def add_counter(self) -> None:
        """A new row with the next free id ("C2") and the usual personal service types, ready to be renamed."""
        taken = {self.cell(r, self.ID) for r in range(self.table.rowCount())}
        number = 1
        while f"C{number}" in taken:
            number += 1
        self._loading = True
        row = self._append(f"C{number}", labels.counter_name(str(number)),
                           [ServiceType.CASH.value, ServiceType.NON_CASH.value], False)
        self._loading = False
        self.table.setCurrentCell(row, self.NAME)
        self._changed()

    @Slot()
    def remove_counter(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        self.table.removeRow(row)
        self._row_selected(self.table.currentRow())
        self._changed()

    def cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def row_types(self, row: int) -> list[str]:
        item = self.table.item(row, self.TYPES)
        return list(item.data(self.TYPES_ROLE) or []) if item is not None else []

    def set_row_types(self, row: int, kinds: Sequence[ServiceType]) -> None:
        """Set a row's service types, the preferred first (also what the checkable list does)."""
        item = self.table.item(row, self.TYPES)
        values = [k.value for k in kinds]
        self._loading = True
        item.setData(self.TYPES_ROLE, values)
        item.setText(self._types_text(values))
        self._loading = False
        if row == self.table.currentRow():
            self._row_selected(row)
        self._changed()

    # --- the service types of the selected row --------------------------------------------------------------

    def _row_selected(self, row: int, *_: int) -> None:
        """Show a row's service types in the list: the ticked ones first, in their order, then the others."""
        self.types_box.setEnabled(row >= 0)
        chosen = self.row_types(row) if row >= 0 else []
        self._show_types(chosen)
        if row >= 0:
            self.types_box.setTitle(self.tr("Service types of counter %1").replace("%1", self.cell(row, self.ID)))

    def _show_types(self, chosen: list[str]) -> None:
        current = self.types.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        order = chosen + [k.value for k in ServiceType if k.value not in chosen]
        self._loading = True
        for index, value in enumerate(order):
            item = self.types.item(index)
            item.setText(labels.service_type(ServiceType(value)))
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setCheckState(Qt.CheckState.Checked if value in chosen else Qt.CheckState.Unchecked)
        if keep is not None:
            self.types.setCurrentRow(order.index(keep))
        self._loading = False
        self._update_moves()

    def _chosen(self) -> list[str]:
        return [self.types.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.types.count())
                if self.types.item(i).checkState() == Qt.CheckState.Checked]

    def _store_types(self, chosen: list[str]) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        item = self.table.item(row, self.TYPES)
        self._loading = True
        item.setData(self.TYPES_ROLE, chosen)
        item.setText(self._types_text(chosen))
        self._loading = False
        self._show_types(chosen)  # a type just ticked joins the ticked ones, one just unticked leaves them
        self._changed()

    def _types_changed(self, *_: object) -> None:
        if not self._loading:
            self._store_types(self._chosen())

    def move_type(self, step: int) -> None:
        """Move the highlighted ticked service type up (-1) or down (+1) among the ticked ones: the first is the
        preferred one."""
        chosen = self._chosen()
        index = self.types.currentRow()
        target = index + step
        if not 0 <= index < len(chosen) or not 0 <= target < len(chosen):
            return
        chosen[index], chosen[target] = chosen[target], chosen[index]
        self._loading = True
        self.types.setCurrentRow(target)
        self._loading = False
        self._store_types(chosen)

    def _update_moves(self, *_: object) -> None:
        ticked = len(self._chosen())
        index = self.types.currentRow()
        self.up_button.setEnabled(0 < index < ticked)
        self.down_button.setEnabled(0 <= index < ticked - 1)

    # --- checks ---------------------------------------------------------------------------------------------

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        if item.column() == self.ID and item.row() == self.table.currentRow():
            self.types_box.setTitle(self.tr("Service types of counter %1").replace("%1", item.text().strip()))
        self._changed()

    def problems(self) -> list[tuple[int, int, str]]:
        """(row, column, reason) of every wrong cell; row -1 for the table as a whole."""
        if self.table.rowCount() == 0:
            return [(-1, -1, self.tr("Add at least one counter."))]
        found: list[tuple[int, int, str]] = []
        first: dict[str, int] = {}
        for row in range(self.table.rowCount()):
            shown = str(row + 1)
            counter_id = self.cell(row, self.ID)
            if not counter_id:
                found.append((row, self.ID, self.tr("Row %1: enter the counter's id.").replace("%1", shown)))
            elif not CODE.match(counter_id):
                found.append((row, self.ID, self.tr("Row %1: '%2' is not a counter id: use 1 to 16 letters, digits, "
                                                    "'-' or '_', without spaces.")
                              .replace("%1", shown).replace("%2", counter_id)))
            elif counter_id in first:
                found.append((row, self.ID, self.tr("Row %1: the id %2 is already used on row %3.")
                              .replace("%1", shown).replace("%2", counter_id)
                              .replace("%3", str(first[counter_id] + 1))))
            else:
                first[counter_id] = row
            if not self.cell(row, self.NAME):
                found.append((row, self.NAME, self.tr("Row %1: enter the counter's name.").replace("%1", shown)))
            if not self.row_types(row):
                found.append((row, self.TYPES, self.tr("Row %1: tick at least one service type the counter takes.")
                              .replace("%1", shown)))
        return found

    def values(self) -> list[dict[str, object]]:
        """The ``[[counter]]`` tables of a branch file."""
        return [{"id": self.cell(row, self.ID), "name": self.cell(row, self.NAME),
                 "service_types": self.row_types(row),
                 "flexible": self.table.item(row, self.FLEXIBLE).checkState() == Qt.CheckState.Checked}
                for row in range(self.table.rowCount())]


class NamesPage(TablePage):
    """The ticketing system's business names, each mapped onto one of the console's service types."""

    PAGE = PageId.NAMES

    def __init__(self, existing: BranchPlan | None) -> None:
        super().__init__()
        self.setTitle(self.tr("Business names"))
        self.setSubTitle(self.tr("The names the ticketing system gives its kinds of business, and the console's "
                                 "service type each one counts as."))
        self.table: QTableWidget = make_table([self.tr("Name in the ticketing system"), self.tr("Service type")],
                                              stretch_column=0)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().resizeSection(1, 220)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.add_button = QPushButton(self.tr("Add name"))
        self.remove_button = QPushButton(self.tr("Remove name"))
        self.add_button.clicked.connect(self.add_name)
        self.remove_button.clicked.connect(self.remove_name)
        self.error = FieldError()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(note(self.tr("Write each name exactly as the ticketing system sends it (double-click to "
                                      "change it). The ticket feed and the CSV import understand these names; a "
                                      "ticket whose name is not listed is refused with the name shown.")))
        self._loading = False
        self.table.itemChanged.connect(self._changed)
        self.set_names(existing.service_names if existing is not None else DEFAULT_SERVICE_NAMES)

    def set_names(self, names: Sequence[tuple[str, ServiceType]]) -> None:
        self._loading = True
        self.table.setRowCount(0)
        for name, kind in names:
            self._append(name, kind)
        self._loading = False
        self._changed()

    def _append(self, name: str, kind: ServiceType) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        combo = QComboBox()
        for choice in ServiceType:
            combo.addItem(labels.service_type(choice), choice.value)
        combo.setCurrentIndex(combo.findData(kind.value))
        combo.currentIndexChanged.connect(self._changed)
        self.table.setCellWidget(row, 1, combo)
        return row

    def combo(self, row: int) -> QComboBox:
        widget = self.table.cellWidget(row, 1)
        assert isinstance(widget, QComboBox)
        return widget

    @Slot()
    def add_name(self) -> None:
        self._loading = True
        row = self._append("", ServiceType.NON_CASH)
        self._loading = False
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))
        self._changed()

    @Slot()
    def remove_name(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._changed()

    def name(self, row: int) -> str:
        item = self.table.item(row, 0)
        return item.text().strip() if item is not None else ""

    def problems(self) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        first: dict[str, int] = {}
        for row in range(self.table.rowCount()):
            name = self.name(row)
            if not name:
                found.append((row, 0, self.tr("Row %1: enter the name, or remove the row.").replace("%1",
                                                                                                   str(row + 1))))
            elif name in first:
                found.append((row, 0, self.tr("Row %1: the name %2 is already on row %3.")
                              .replace("%1", str(row + 1)).replace("%2", name).replace("%3", str(first[name] + 1))))
            else:
                first[name] = row
        return found

    def values(self) -> dict[str, str]:
        """The ``[service_names]`` table of a branch file, in the table's order."""
        return {self.name(row): str(self.combo(row).currentData()) for row in range(self.table.rowCount())}


class StaffPage(QWizardPage):
    """The staff directory: imported from a file, typed in person by person, or left for later."""

    def __init__(self, staff: Sequence[StaffMember]) -> None:
        super().__init__()
        self.setTitle(self.tr("Staff directory"))
        self.setSubTitle(self.tr("The people who work at the branch: employee number, name, role and the service "
                                 "types each can handle."))
        self.table = make_table([self.tr("Employee no."), self.tr("Name"), self.tr("Role"), self.tr("Can handle")],
                                stretch_column=3)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setMinimumSectionSize(90)
        self.table.doubleClicked.connect(self.change_person)
        self.import_button = QPushButton(self.tr("Import from a file…"))
        self.add_button = QPushButton(self.tr("Add…"))
        self.change_button = QPushButton(self.tr("Change…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.import_button.clicked.connect(lambda: self.import_file())
        self.add_button.clicked.connect(self.add_person)
        self.change_button.clicked.connect(self.change_person)
        self.remove_button.clicked.connect(self.remove_person)
        buttons = QHBoxLayout()
        for button in (self.import_button, self.add_button, self.change_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.import_result = QLabel()
        self.import_result.setWordWrap(True)
        self.import_result.hide()
        self.rejected = FieldError()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.import_result)
        layout.addWidget(self.rejected)
        layout.addWidget(note(self.tr(
            "A file (.csv or .xlsx) has the header employee_no,name,role,skills, with skills separated by ';' (for "
            "example cash;non_cash). Someone already in the list is replaced by the file's line. You may leave the "
            "directory empty: the roster editor's Staff directory… button adds people later.")))
        self.members: list[StaffMember] = []
        self.set_members(staff)

    def set_members(self, members: Sequence[StaffMember]) -> None:
        self.members = list(members)
        self.table.setRowCount(len(self.members))
        for row, person in enumerate(self.members):
            cells = (person.staff_id, person.name, labels.staff_role(person.role),
                     " · ".join(labels.service_type(t) for t in person.skills))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.change_button.setEnabled(bool(self.members))
        self.remove_button.setEnabled(bool(self.members))

    def merge(self, people: Sequence[StaffMember]) -> None:
        """Add ``people``; someone with an employee number already listed is replaced in place."""
        index = {p.staff_id: i for i, p in enumerate(self.members)}
        merged = list(self.members)
        for person in people:
            if person.staff_id in index:
                merged[index[person.staff_id]] = person
            else:
                index[person.staff_id] = len(merged)
                merged.append(person)
        self.set_members(merged)

    def import_file(self, path: str | None = None) -> bool:
        """Read a directory file into the list; refused lines are listed in red with their reasons."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Import the staff directory"), "",
                                                  self.tr("Staff directory (*.csv *.xlsx)"))
            if not path:
                return False
        try:
            parsed = read_staff(Path(path))
        except CsvFileError as exc:
            self.import_result.hide()
            self.rejected.say(self.tr("%1 cannot be imported: %2").replace("%1", path).replace("%2", str(exc)))
            return False
        self.merge(parsed.members)
        self.import_result.setText(self.tr("People read from %2: %1.").replace("%1", str(len(parsed.members)))
                                   .replace("%2", Path(path).name))
        self.import_result.show()
        if parsed.rejected:
            lines = [self.tr("Line %1: %2").replace("%1", str(r.line)).replace("%2", r.reason)
                     for r in parsed.rejected[:20]]
            if len(parsed.rejected) > 20:
                lines.append(self.tr("… and %1 more.").replace("%1", str(len(parsed.rejected) - 20)))
            self.rejected.say(self.tr("Lines not imported (%1): correct them in the file and import it again, or add "
                                      "the people by hand.").replace("%1", str(len(parsed.rejected)))
                              + "\n" + "\n".join(lines))
        else:
            self.rejected.say("")
        return True

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows()
        return self.members[rows[0].row()] if rows else None

    @Slot()
    def add_person(self) -> None:
        dialog = PersonDialog(None, member_problem, {p.staff_id for p in self.members}, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.merge([dialog.member()])

    @Slot()
    def change_person(self) -> None:
        current = self.selected()
        if current is None:
            return
        dialog = PersonDialog(current, member_problem, set(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.merge([dialog.member()])

    @Slot()
    def remove_person(self) -> None:
        current = self.selected()
        if current is not None:
            self.set_members([p for p in self.members if p.staff_id != current.staff_id])


class AdminPage(QWizardPage):
    """The first administrator: user name, display name and the password twice (the login's rules)."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("First administrator"))
        self.setSubTitle(self.tr("The branch has no console user yet. The administrator logs in with this user "
                                 "name and password and adds the other users and their roles."))
        self.username = QLineEdit("admin")

        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText(self.tr("for example Wang Fang"))
        self.password = QLineEdit()
        self.again = QLineEdit()
        for field in (self.password, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors = {key: FieldError() for key in ("username", "password", "again")}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("User name"), with_error(self.username, self.errors["username"], 2 * NARROW))
        form.addRow(self.tr("Full name"), self.display_name)
        form.addRow(self.tr("Password"), with_error(self.password, self.errors["password"]))
        form.addRow(self.tr("Password again"), with_error(self.again, self.errors["again"]))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note(self.tr("There is no default password: keep this one safe. The user is created when "
                                      "you press Finish.")))
        layout.addStretch(1)
        for field in (self.username, self.password, self.again):
            field.textChanged.connect(self._changed)
        self._changed()

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if not USERNAME.match(self.username.text().strip()):
            found["username"] = refusal_text(UserError("", "name"))
        if password_problem(self.password.text()) is not None:
            found["password"] = refusal_text(UserError("", "weak"))
        if self.again.text() != self.password.text():
            found["again"] = self.tr("The two passwords differ.")
        return found

    @Slot()
    def _changed(self) -> None:
        found = self.problems()
        for key, label in self.errors.items():
            label.say(found.get(key, ""))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problems()

    def validatePage(self) -> bool:
        return self.isComplete()

    def admin(self) -> tuple[str, str, str]:
        """(user name, display name, password); the display name is the user name when left empty."""
        username = self.username.text().strip()
        return username, self.display_name.text().strip() or username, self.password.text()


class FeedPage(QWizardPage):
    """How tickets reach the console: the HTTP API (URL, token and a live line) or a CSV import."""

    def __init__(self, feed: FeedInfo | None, use_api: bool, zone: Callable[[], str]) -> None:
        super().__init__()
        self.setTitle(self.tr("Ticket feed"))
        self.setSubTitle(self.tr("How the ticketing system's tickets reach the console."))
        self.feed, self.zone = feed, zone
        self.api = QRadioButton(self.tr("HTTP API: the ticketing system sends each ticket event as it happens"))
        self.csv = QRadioButton(self.tr("CSV import: the day's ticket log is imported from a file"))
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.api)
        self.choice.addButton(self.csv)
        (self.api if use_api else self.csv).setChecked(True)

        self.api_box = QGroupBox(self.tr("Enter these in the ticketing system's settings"))
        self.url = QLineEdit()
        self.token = QLineEdit()
        for field in (self.url, self.token):
            field.setReadOnly(True)
        self.copy_url = QPushButton(self.tr("Copy"))
        self.copy_token = QPushButton(self.tr("Copy"))
        self.copy_url.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.url.text()))
        self.copy_token.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.token.text()))
        self.feed_error = FieldError()
        self.status = QLabel()
        self.status.setObjectName("feedStatus")
        form = QFormLayout(self.api_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Address (URL)"), self._with_button(self.url, self.copy_url))
        form.addRow(self.tr("Token"), self._with_button(self.token, self.copy_token))
        form.addRow(self.feed_error)
        form.addRow(self.tr("Events"), self.status)
        if feed is None:
            for widget in (self.url, self.token, self.copy_url, self.copy_token):
                widget.setEnabled(False)
            self.status.setText(self.tr("The address and the token are shown in File → Settings… → API once the "
                                        "set-up is stored."))
            self.status.setWordWrap(True)

        self.csv_box = QGroupBox(self.tr("Import each day's ticket log"))
        command = QLineEdit("python main.py tickets import FILE.csv")
        command.setReadOnly(True)
        command.setStyleSheet("font-family: monospace")
        inner = QVBoxLayout(self.csv_box)
        inner.addWidget(note(self.tr("Export the day's ticket log from the ticketing system as CSV and import it on "
                                     "this PC with the command below (the columns and options are in the "
                                     "administrator's guide). Importing the same file twice changes nothing. The "
                                     "figures then follow the imports, not the live lobby.")))
        inner.addWidget(command)

        layout = QVBoxLayout(self)
        layout.addWidget(self.api)
        layout.addWidget(self.api_box)
        layout.addWidget(self.csv)
        layout.addWidget(self.csv_box)
        layout.addStretch(1)
        self.timer = QTimer(self)
        self.timer.setObjectName("feedStatusTimer")
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh_status)
        self.api.toggled.connect(self._choice_changed)
        self._choice_changed()

    @staticmethod
    def _with_button(field: QLineEdit, button: QPushButton) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        row.addWidget(button)
        return box

    def use_api(self) -> bool:
        return self.api.isChecked()

    def initializePage(self) -> None:
        if self.feed is None:
            return
        try:
            url, token = self.feed.url_and_token()
        except Exception as exc:  # the token cannot be read from the secret store, the feed did not start
            self.url.clear()
            self.token.clear()
            self.feed_error.say(self.tr("The address and token cannot be shown: %1").replace("%1", str(exc)))
        else:
            self.url.setText(url)
            self.token.setText(token)
            self.url.setCursorPosition(0)
            self.token.setCursorPosition(0)
            self.feed_error.say("")
        self.refresh_status()

    @Slot()
    def _choice_changed(self) -> None:
        self.api_box.setVisible(self.use_api())
        self.csv_box.setVisible(not self.use_api())
        self._run_timer()

    def _run_timer(self) -> None:
        """The live line is polled once a second, and only while it can be seen."""
        if self.feed is not None and self.use_api() and self.isVisible():
            if not self.timer.isActive():
                self.refresh_status()
                self.timer.start()
        else:
            self.timer.stop()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._run_timer()

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    @Slot()
    def refresh_status(self) -> None:
        if self.feed is None:
            return
        if self.feed.last_event_at is None:
            self.status.setStyleSheet("")
            self.status.setText(self.tr("The ticket API starts with the branch when you finish; the status bar then "
                                        "says when the first event arrives."))
            return
        try:
            last = self.feed.last_event_at()
        except Exception as exc:  # a database read failed: say so, try again in a second
            self.status.setStyleSheet(f"color: {ERROR_COLOUR}")
            self.status.setText(self.tr("Cannot tell: %1").replace("%1", str(exc)))
            return
        if last is None:
            self.status.setStyleSheet("color: #b45309")
            self.status.setText(self.tr("Waiting for the first event…"))
            return
        if last.tzinfo is not None:
            zone = self.zone()
            last = last.astimezone(ZoneInfo(zone)) if known_zone(zone) else last.astimezone()
        self.status.setStyleSheet("color: #15803d")
        self.status.setText(self.tr("Last event received at %1").replace("%1", last.strftime("%H:%M:%S")))


class CamerasPage(QWizardPage):
    """Cameras are optional: a button opens the Cameras dialog of the console."""

    def __init__(self, open_cameras: Callable[[], None] | None) -> None:
        super().__init__()
        self.setTitle(self.tr("Cameras (optional)"))
        self.setSubTitle(self.tr("Cameras count the people in the lobby and the waiting area."))
        self.open_cameras = open_cameras
        self.button = QPushButton(self.tr("Open the Cameras dialog…"))
        self.button.setEnabled(open_cameras is not None)
        self.button.clicked.connect(self._open)
        text = (self.tr("Add the branch's cameras now, or later with File → Cameras…. The branch works without "
                        "cameras: the queue and the counters come from the ticketing system; only the people in "
                        "the lobby are counted by cameras.")
                if open_cameras is not None else
                self.tr("Cameras can be added later with File → Cameras…. The branch works without cameras: the "
                        "queue and the counters come from the ticketing system; only the people in the lobby are "
                        "counted by cameras."))
        layout = QVBoxLayout(self)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(note(text))
        layout.addStretch(1)

    @Slot()
    def _open(self) -> None:
        if self.open_cameras is not None:
            self.open_cameras()


class StandardPage(QWizardPage):
    """The service standard: the target wait and the maximum wait, in minutes."""

    def __init__(self, target_wait_min: float, max_wait_min: float) -> None:
        super().__init__()
        self.setTitle(self.tr("Service standard"))
        self.setSubTitle(self.tr("How long customers should wait before a counter calls them."))
        self.target = QDoubleSpinBox()
        self.target.setRange(1.0, 120.0)
        self.maximum = QDoubleSpinBox()
        self.maximum.setRange(1.0, 240.0)
        for box in (self.target, self.maximum):
            box.setDecimals(1)
            box.setSingleStep(1.0)
            box.setSuffix(self.tr(" min"))
        self.target.setValue(target_wait_min)
        self.maximum.setValue(max_wait_min)
        self.error = FieldError()
        form = QFormLayout()
        form.addRow(self.tr("Target wait"), with_error(self.target, FieldError(), NARROW))
        form.addRow(self.tr("Maximum wait"), with_error(self.maximum, self.error, NARROW))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note(self.tr("Target wait: most customers should be called within it; the service level, "
                                      "the counters needed and the staffing advice are measured against it. "
                                      "Maximum wait: no customer should wait longer than this.")))
        layout.addStretch(1)
        self.target.valueChanged.connect(self._changed)
        self.maximum.valueChanged.connect(self._changed)
        self._changed()

    def problem(self) -> str:
        if self.maximum.value() <= self.target.value():
            return (self.tr("The maximum wait (%1 min) must be longer than the target wait (%2 min).")
                    .replace("%1", f"{self.maximum.value():g}").replace("%2", f"{self.target.value():g}"))
        return ""

    @Slot()
    def _changed(self) -> None:
        self.error.say(self.problem())
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problem()

    def validatePage(self) -> bool:
        return self.isComplete()


class SummaryPage(QWizardPage):
    """What Finish will store, in words."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Summary"))
        self.setSubTitle(self.tr("Check what will be stored, then press Finish. Back changes any page."))
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.error = FieldError()
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        wizard = self.wizard()
        try:
            plan = wizard.build_plan()
        except BranchFileError as exc:
            self.text.clear()
            self.error.say(str(exc))
        else:
            self.error.say("")
            self.text.setHtml(wizard.summary_html(plan))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.error.text()


class BranchWizard(QWizard):
    """Set up a new branch, or change the stored one (``existing``); see the module notes for the arguments."""

    def __init__(self, *, existing: BranchPlan | None, staff: Sequence[StaffMember], needs_admin: bool,
                 feed: FeedInfo | None, open_cameras: Callable[[], None] | None, target_wait_min: float,
                 max_wait_min: float, finish: Callable[[WizardResult], None], use_api: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.existing = existing
        self._finish = finish
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setWindowTitle(self.tr("Set up your branch") if existing is None
                            else self.tr("Branch settings: %1").replace("%1", existing.code))
        self.branch_page = BranchPage(existing)
        self.hours_page = HoursPage(existing)
        self.counters_page = CountersPage(existing)
        self.names_page = NamesPage(existing)
        self.staff_page = StaffPage(staff)
        self.admin_page = AdminPage() if needs_admin and existing is None else None
        self.feed_page = FeedPage(feed, use_api, lambda: self.branch_page.zone.currentText().strip())
        self.cameras_page = CamerasPage(open_cameras)
        self.standard_page = StandardPage(target_wait_min, max_wait_min)
        self.summary_page = SummaryPage()
        pages: list[tuple[PageId, QWizardPage | None]] = [
            (PageId.BRANCH, self.branch_page), (PageId.HOURS, self.hours_page),
            (PageId.COUNTERS, self.counters_page), (PageId.NAMES, self.names_page),
            (PageId.STAFF, self.staff_page), (PageId.ADMIN, self.admin_page), (PageId.FEED, self.feed_page),
            (PageId.CAMERAS, self.cameras_page), (PageId.STANDARD, self.standard_page),
            (PageId.SUMMARY, self.summary_page)]
        for page_id, page in pages:
            if page is not None:
                self.setPage(page_id, page)
        self.setStartId(PageId.BRANCH)
        self.setMinimumSize(860, 620)
        self.resize(1000, 720)

    # --- the plan -------------------------------------------------------------------------------------------

    def branch_data(self) -> dict[str, object]:
        """Every page's values as a branch file's table (what ``parse_branch`` reads)."""
        return {"branch": {**self.branch_page.values(), "hours": self.hours_page.values()},
                "service_names": self.names_page.values(),
                "counter": self.counters_page.values()}

    def plan_source(self) -> str:
        """How a refusal of the plan names where the values came from."""
        return self.tr("Set-up wizard")

    def build_plan(self) -> BranchPlan:
        """The branch as a branch file with these values reads; ``BranchFileError`` naming the key otherwise."""
        return parse_branch(self.branch_data(), source=self.plan_source())

    def plan_accepted(self, current: PageId) -> bool:
        """Leaving ``current``: the branch-file rules over every value typed so far. A refusal of a value on this
        page or an earlier one is shown beside that value and keeps the manager here; one on a later page is left
        to that page (its own checks show it in the interface language when it is reached)."""
        try:
            self.build_plan()
        except BranchFileError as exc:
            key = plan_key(exc, self.plan_source())
            owner = page_of_key(key)
            if owner > current:
                return True
            self.page(owner).show_plan_error(key, str(exc))
            if owner < current:  # the page at fault is not in view: say it here too, naming that page
                self.page(current).show_plan_error("", f"{self.page(owner).title()}: {exc}")
            return False
        return True

    def setup_result(self) -> WizardResult:
        """What Finish hands to the caller; ``BranchFileError`` when the plan is refused."""
        admin = self.admin_page.admin() if self.admin_page is not None else None
        return WizardResult(plan=self.build_plan(), staff=tuple(self.staff_page.members), admin=admin,
                            use_api=self.feed_page.use_api(), target_wait_min=self.standard_page.target.value(),
                            max_wait_min=self.standard_page.maximum.value())

    def accept(self) -> None:
        """Finish: hand the result to the caller; a ``ValueError`` from it is shown and the wizard stays open."""
        try:
            result = self.setup_result()
        except BranchFileError as exc:
            self.summary_page.error.say(str(exc))
            return
        try:
            self._finish(result)
        except ValueError as exc:
            QMessageBox.warning(self, self.tr("Set-up not finished"),
                                self.tr("The set-up could not be finished: %1").replace("%1", str(exc)))
            return
        if self.admin_page is not None:  # the password is the caller's now; the wizard keeps no copy
            self.admin_page.password.clear()
            self.admin_page.again.clear()
        super().accept()

    # --- the summary ----------------------------------------------------------------------------------------

    def summary_html(self, plan: BranchPlan) -> str:
        """Everything Finish stores, one row per subject, in the interface language's words and punctuation."""
        between = self.tr("; ")  # between the items of a list
        rows: list[tuple[str, str]] = [
            (self.tr("Branch"), self.tr("%1 %2, time zone %3: a lobby for %4 people with %5 waiting seats.")
             .replace("%1", plan.code).replace("%2", plan.name).replace("%3", plan.timezone)
             .replace("%4", str(plan.lobby_capacity)).replace("%5", str(plan.waiting_seats))),
        ]
        day_names = (self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"), self.tr("Fri"), self.tr("Sat"),
                     self.tr("Sun"))
        closed = self.tr("closed")
        hours = between.join(f"{name} {closed if day.closed else day.text().replace('-', '–')}"
                             for name, day in zip(day_names, plan.hours, strict=True))
        rows.append((self.tr("Opening hours"),
                     hours + "\n" + self.tr("Public holidays keep Sunday's hours, working weekends Monday's.")))
        lines = []
        for c in plan.counters:
            kinds = " → ".join(labels.service_type(t) for t in c.service_types)
            line = self.tr("%1 %2: %3").replace("%1", c.counter_id).replace("%2", c.name).replace("%3", kinds)
            lines.append(line + (self.tr(" (flexible)") if c.flexible else ""))
        if self.existing is not None:
            kept = {c.counter_id for c in plan.counters}
            removed = [c for c in self.existing.counters if c.counter_id not in kept]
            if removed:
                lines.append(self.tr("Removed: %1. A counter that is open or serving, or that open tickets name, "
                                     "cannot be removed; then nothing is stored.")
                             .replace("%1", between.join(f"{c.counter_id} {c.name}" for c in removed)))
        rows.append((self.tr("Counters (%1)").replace("%1", str(len(plan.counters))), "\n".join(lines)))
        rows.append((self.tr("Business names"),
                     between.join(f"{name} → {labels.service_type(kind)}" for name, kind in plan.service_names)
                     or self.tr("none")))
        members = self.staff_page.members
        if members:
            rows.append((self.tr("Staff directory (%1)").replace("%1", str(len(members))),
                         self.tr(", ").join(self.tr("%1 (%2)").replace("%1", p.name)
                                            .replace("%2", labels.staff_role(p.role)) for p in members)))
        else:
            rows.append((self.tr("Staff directory"), self.tr("nobody yet; the roster editor adds people later.")))
        if self.admin_page is not None:
            username, name, _ = self.admin_page.admin()
            rows.append((self.tr("First administrator"), self.tr("%1 (%2)").replace("%1", username)
                         .replace("%2", name)))
        rows.append((self.tr("Ticket feed"), self.tr("HTTP API (the ticketing system sends each event)")
                     if self.feed_page.use_api() else self.tr("CSV import of the day's ticket log")))
        rows.append((self.tr("Service standard"), self.tr("target wait %1 min, maximum wait %2 min.")
                     .replace("%1", f"{self.standard_page.target.value():g}")
                     .replace("%2", f"{self.standard_page.maximum.value():g}")))
        cells = "".join(
            f"<tr><td style='padding: 4px 16px 8px 0; white-space: nowrap'><b>{html.escape(subject)}</b></td>"
            f"<td style='padding: 4px 0 8px 0'>{html.escape(text).replace(chr(10), '<br>')}</td></tr>"
            for subject, text in rows)
        return f"<table cellspacing='0'>{cells}</table>"
