"""The weekly roster editor: a timeline per person for the chosen day of the week, edited with the mouse (drag a
bar to move it, drag its ends to change its times, double-click to edit or add, Delete or the context menu to
remove) and by dialog; a draft of the whole week is checked by the roster rules on every change and saved all at
once (errors block saving; half-hours without cover are warnings). Copy the week forward, import and export CSV or
Excel with the same checks.

Mouse edits snap to ``SNAP`` (15 minutes). Everything reads and writes through a ``console.staffing.roster_desk.RosterDesk``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from console.domain.records import BreakSpan, ShiftRecord, StaffMember
from console.domain.roster_rules import RosterProblem, RosterProblemKind
from console.domain.vocabulary import ShiftKind
from console.staffing.roster_desk import CheckResult, RosterDesk, monday_of
from widgets.dialogs.roster_dialogs import ShiftDialog, StaffDirectoryDialog

SNAP = timedelta(minutes=15)
EDGE_PX = 6


def snap(t: datetime) -> datetime:
    base = t.replace(minute=0, second=0, microsecond=0)
    steps = round((t - base) / SNAP)
    return base + SNAP * steps


class EditableTimeline(QWidget):
    """One row per person; bars are the day's records. Emits the edited record pair (old, new)."""

    sig_changed = Signal(object, object)  # old ShiftRecord, new ShiftRecord
    sig_edit = Signal(object)  # ShiftRecord to edit by dialog
    sig_add = Signal(str, object)  # staff_id, datetime where double-clicked
    sig_delete = Signal(object)  # ShiftRecord

    ROW_H = 26
    HEADER_H = 22
    LEFT_W = 120

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.staff: list[StaffMember] = []
        self.records: list[ShiftRecord] = []
        self.flagged: set[int] = set()  # indexes of records with an error
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.selected: int | None = None
        self.editable = True
        self._drag: tuple[int, str, float, ShiftRecord] | None = None  # index, mode, press x, original
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_day(self, staff: list[StaffMember], records: list[ShiftRecord], flagged: set[int], start: datetime,
                end: datetime) -> None:
        self.staff, self.records, self.flagged, self.start, self.end = staff, records, flagged, start, end
        if self.selected is not None and self.selected >= len(records):
            self.selected = None
        self.setFixedHeight(self.HEADER_H + self.ROW_H * max(1, len(staff)) + 4)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(700, self.HEADER_H + self.ROW_H * max(1, len(self.staff)) + 4)

    # --- geometry -------------------------------------------------------------------------------------------

    def x_of(self, t: datetime) -> float:
        assert self.start is not None and self.end is not None
        width = max(1, self.width() - self.LEFT_W - 10)
        return self.LEFT_W + width * (t - self.start).total_seconds() / (self.end - self.start).total_seconds()

    def time_at(self, x: float) -> datetime:
        assert self.start is not None and self.end is not None
        width = max(1, self.width() - self.LEFT_W - 10)
        return self.start + (self.end - self.start) * ((x - self.LEFT_W) / width)

    def row_of(self, staff_id: str) -> int:
        return next((i for i, p in enumerate(self.staff) if p.staff_id == staff_id), -1)

    def bar(self, index: int) -> QRectF:
        r = self.records[index]
        top = self.HEADER_H + self.row_of(r.staff_id) * self.ROW_H
        x0, x1 = self.x_of(r.start), self.x_of(r.end)
        return QRectF(x0, top + 4, max(3.0, x1 - x0), self.ROW_H - 8)

    def hit(self, pos: QPointF) -> tuple[int, str] | None:
        """(record index, "move" | "start" | "end") under ``pos``."""
        for i in range(len(self.records)):
            rect = self.bar(i)
            if rect.adjusted(-EDGE_PX, 0, EDGE_PX, 0).contains(pos):
                if abs(pos.x() - rect.left()) <= EDGE_PX:
                    return i, "start"
                if abs(pos.x() - rect.right()) <= EDGE_PX:
                    return i, "end"
                return i, "move"
        return None

    # --- painting -------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if self.start is None or self.end is None:
            p.end()
            return
        text_pen = QPen(self.palette().text().color())
        hour = self.start.replace(minute=0, second=0, microsecond=0)
        while hour <= self.end:
            if hour >= self.start:
                x = self.x_of(hour)
                p.setPen(QPen(QColor("#e5e7eb")))
                p.drawLine(int(x), self.HEADER_H - 4, int(x), self.height())
                p.setPen(text_pen)
                p.drawText(QRectF(x - 30, 0, 60, self.HEADER_H), Qt.AlignmentFlag.AlignCenter, hour.strftime("%H"))
            hour += timedelta(hours=1)
        for i, person in enumerate(self.staff):
            top = self.HEADER_H + i * self.ROW_H
            p.setPen(text_pen)
            p.drawText(QRectF(6, top, self.LEFT_W - 8, self.ROW_H), Qt.AlignmentFlag.AlignVCenter,
                       f"{person.name} {person.staff_id}")
        for i, r in enumerate(self.records):
            if self.row_of(r.staff_id) < 0:
                continue
            rect = self.bar(i)
            border = QColor("#dc2626") if i in self.flagged else QColor("#3b82f6")
            width = 3 if i == self.selected or i in self.flagged else 1
            if r.kind is ShiftKind.LEAVE:
                p.setBrush(QBrush(QColor("#d1d5db"), Qt.BrushStyle.BDiagPattern))
                p.setPen(QPen(border if i in self.flagged else QColor("#6b7280"), width))
                p.drawRect(rect)
                p.setPen(text_pen)
                p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, self.tr("Leave"))
                continue
            p.setBrush(QColor("#93c5fd") if r.counter_id else QColor("#c7d2fe"))
            p.setPen(QPen(border, width))
            p.drawRoundedRect(rect, 3, 3)
            for b in r.breaks:
                bx0, bx1 = self.x_of(b.start), self.x_of(b.end)
                p.setBrush(QBrush(QColor("#f59e0b"), Qt.BrushStyle.Dense4Pattern))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRect(QRectF(bx0, rect.top(), max(2.0, bx1 - bx0), rect.height()))
            p.setPen(QPen(QColor("#1e3a8a")))
            tz = self.start.tzinfo
            label = f"{r.start.astimezone(tz):%H:%M}–{r.end.astimezone(tz):%H:%M}" + (
                f"  #{r.counter_id}" if r.counter_id else "")
            p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, label)
        p.end()

    # --- mouse and keys ---------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        found = self.hit(event.position())
        self.selected = found[0] if found else None
        if found and self.editable and event.button() == Qt.MouseButton.LeftButton:
            self._drag = (found[0], found[1], event.position().x(), self.records[found[0]])
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._drag is None:
            found = self.hit(event.position()) if self.editable else None
            shape = Qt.CursorShape.ArrowCursor if found is None else (
                Qt.CursorShape.SizeHorCursor if found[1] != "move" else Qt.CursorShape.OpenHandCursor)
            self.setCursor(shape)
            return
        index, mode, x0, original = self._drag
        moved = self.dragged(original, mode, self.time_at(event.position().x()) - self.time_at(x0))
        if moved is not None:
            self.records[index] = moved
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._drag is None:
            return
        index, _, _, original = self._drag
        self._drag = None
        if self.records[index] != original:
            self.sig_changed.emit(original, self.records[index])

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if not self.editable:
            return
        found = self.hit(event.position())
        if found:
            self.sig_edit.emit(self.records[found[0]])
            return
        row = int((event.position().y() - self.HEADER_H) // self.ROW_H)
        if 0 <= row < len(self.staff) and event.position().x() > self.LEFT_W:
            self.sig_add.emit(self.staff[row].staff_id, snap(self.time_at(event.position().x())))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected is not None and self.editable:
            self.sig_delete.emit(self.records[self.selected])
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self.editable:
            return
        found = self.hit(QPointF(event.pos()))
        if not found:
            return
        record = self.records[found[0]]
        menu = QMenu(self)
        edit = QAction(self.tr("Edit…"), menu)
        remove = QAction(self.tr("Delete"), menu)
        menu.addAction(edit)
        menu.addAction(remove)
        chosen = menu.exec(event.globalPos())
        if chosen is edit:
            self.sig_edit.emit(record)
        elif chosen is remove:
            self.sig_delete.emit(record)

    @staticmethod
    def dragged(r: ShiftRecord, mode: str, delta: timedelta) -> ShiftRecord | None:
        """The record after dragging by ``delta`` (snapped); None when it would end before it starts."""
        step = SNAP * round(delta / SNAP)
        if mode == "move":
            return replace(r, start=r.start + step, end=r.end + step,
                           breaks=tuple(BreakSpan(b.start + step, b.end + step) for b in r.breaks))
        start, end = (r.start + step, r.end) if mode == "start" else (r.start, r.end + step)
        if end - start < SNAP:
            return None
        return replace(r, start=start, end=end)


class RosterEditor(QWidget):
    """The week's draft, the day's timeline, the problems and the buttons."""

    sig_saved = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk: RosterDesk | None = None
        self.monday: date | None = None
        self.day: date | None = None
        self.draft: list[ShiftRecord] = []
        self.dirty = False
        self.check: CheckResult = CheckResult()
        self.read_only = False
        self.why_read_only: str | None = None  # the tooltip of disabled buttons for a read-only role
        self._names: dict[str, str] = {}  # staff id → name, as of the last refresh

        self.week = QDateEdit()
        self.week.setCalendarPopup(True)
        self.week.setDisplayFormat("yyyy-MM-dd")
        self.week.dateChanged.connect(self._week_picked)
        prev_week, next_week = QPushButton("◀"), QPushButton("▶")
        prev_week.setToolTip(self.tr("Previous week"))
        next_week.setToolTip(self.tr("Next week"))
        prev_week.setMaximumWidth(36)
        next_week.setMaximumWidth(36)
        prev_week.clicked.connect(self.previous_week)
        next_week.clicked.connect(self.next_week)
        self.day_group = QButtonGroup(self)
        self.day_group.setExclusive(True)
        self.day_buttons: list[QPushButton] = []
        top = QHBoxLayout()
        top.addWidget(prev_week)
        top.addWidget(self.week)
        top.addWidget(next_week)
        for i in range(7):
            b = QPushButton()
            b.setCheckable(True)
            self.day_group.addButton(b, i)
            self.day_buttons.append(b)
            top.addWidget(b)
        self.day_group.idClicked.connect(self._day_clicked)
        top.addStretch(1)

        self.timeline = EditableTimeline()
        self.timeline.sig_changed.connect(self._replaced)
        self.timeline.sig_edit.connect(self.edit_record)
        self.timeline.sig_add.connect(self._add_at)
        self.timeline.sig_delete.connect(self.delete_record)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.timeline)
        self.problems = QListWidget()
        self.problems.setObjectName("rosterProblems")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(self.problems)
        split.setSizes([300, 90])

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.demo_note = QLabel(self.tr(
            "Demo branch: the simulator plays its own roster on the day it shows (that day is stored again when the "
            "demo starts); rosters saved here are used by coverage, attendance and exports."))
        self.demo_note.setWordWrap(True)
        self.demo_note.setVisible(False)
        self.buttons: dict[str, QPushButton] = {}
        bottom = QHBoxLayout()
        for key, text, slot in (
            ("add", self.tr("Add…"), self.add_record),
            ("staff", self.tr("Staff directory…"), self.open_directory),
            ("copy", self.tr("Copy week forward"), self.copy_week_forward),
            ("import", self.tr("Import…"), self.import_file),
            ("export", self.tr("Export…"), self.export_file),
            ("revert", self.tr("Revert"), self.revert),
            ("save", self.tr("Save week"), self.save),
        ):
            b = QPushButton(text)
            b.clicked.connect(slot)
            self.buttons[key] = b
            bottom.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.demo_note)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        self._enable()

    # --- wording --------------------------------------------------------------------------------------------

    def describe(self, p: RosterProblem) -> str:
        assert self.desk is not None
        tz = self.desk.tz
        names = self._names
        who = f"{names.get(p.staff_id or '', p.staff_id)} ({p.staff_id})" if p.staff_id else ""

        def at(t: datetime) -> str:
            return t.astimezone(tz).strftime("%m-%d %H:%M")

        hours = f"{(p.end - p.start).total_seconds() / 3600:.1f}"
        text = {
            RosterProblemKind.UNKNOWN_STAFF: self.tr("%1 is not in the staff directory."),
            RosterProblemKind.BREAK_OUTSIDE: self.tr("%1: the break %2–%3 is not inside its shift."),
            RosterProblemKind.OVERLAP: self.tr("%1: two records overlap from %2 to %3."),
            RosterProblemKind.TOO_LONG: self.tr("%1: the duty %2 to %3 is %4 h, longer than the %5 h allowed."),
            RosterProblemKind.TOO_LITTLE_REST: self.tr("%1: only %4 h of rest between %2 and %3 (at least %5 h)."),
            RosterProblemKind.NO_COVER: self.tr("Nobody on shift can handle %6 from %2 to %3."),
        }[p.kind]
        limit = {RosterProblemKind.TOO_LONG: self.desk.rules.max_duty,
                 RosterProblemKind.TOO_LITTLE_REST: self.desk.rules.min_rest}.get(p.kind, timedelta(0))
        from widgets import labels

        service = labels.service_type(p.service_type) if p.service_type else ""
        return (text.replace("%1", who).replace("%2", at(p.start)).replace("%3", at(p.end)).replace("%4", hours)
                .replace("%5", f"{limit.total_seconds() / 3600:g}").replace("%6", service))

    # --- loading --------------------------------------------------------------------------------------------

    def attach(self, desk: RosterDesk, today: date, read_only: bool = False) -> None:
        self.desk = desk
        self.read_only = read_only
        self.timeline.editable = not read_only
        self.demo_note.setVisible(desk.branch.is_demo)
        self.show_week(monday_of(today), today)

    def set_read_only(self, read_only: bool, why: str | None = None) -> None:
        """A user whose role may not change the roster (after a switch of user, too): view and export only."""
        self.read_only = read_only
        self.why_read_only = why
        self.timeline.editable = not read_only
        self._enable()

    def show_week(self, monday: date, day: date | None = None) -> None:
        if self.desk is None:
            return
        if self.dirty and not self._discard_ok():
            self.week.blockSignals(True)
            self.week.setDate(QDate(self.day.year, self.day.month, self.day.day) if self.day else QDate.currentDate())
            self.week.blockSignals(False)
            return
        self.monday = monday
        self.draft = self.desk.load(self.days())
        self.dirty = False
        self.day = day or monday
        self.week.blockSignals(True)
        self.week.setDate(QDate(self.day.year, self.day.month, self.day.day))
        self.week.blockSignals(False)
        self.refresh()

    def days(self) -> list[date]:
        assert self.monday is not None
        return [self.monday + timedelta(days=i) for i in range(7)]

    def refresh(self) -> None:
        """Re-check the draft and redraw the day."""
        if self.desk is None or self.monday is None or self.day is None:
            return
        tz = self.desk.tz
        staff = self.desk.staff()  # read once per refresh: the problems' names and the timeline's rows
        self._names = {s.staff_id: s.name for s in staff}
        self.check = self.desk.check(self.days(), self.draft)
        weekdays = [self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"), self.tr("Fri"), self.tr("Sat"),
                    self.tr("Sun")]
        for i, (b, d) in enumerate(zip(self.day_buttons, self.days())):
            b.setText(f"{weekdays[i]} {d:%m-%d}")
            b.setChecked(d == self.day)
        mine = [r for r in self.draft if r.start.astimezone(tz).date() == self.day]
        bad = set()
        for p in self.check.errors:
            for i, r in enumerate(mine):
                if r.staff_id == p.staff_id and r.start < p.end and p.start < r.end:
                    bad.add(i)
        branch = self.desk.branch
        start = datetime.combine(self.day, branch.opens, tzinfo=tz) - timedelta(hours=1, minutes=30)
        end = datetime.combine(self.day, branch.closes, tzinfo=tz) + timedelta(hours=1, minutes=30)
        start = min([start, *[r.start for r in mine]]).replace(minute=0)
        end = max([end, *[r.end for r in mine]])
        self.timeline.set_day(staff, mine, bad, start, end)
        self.problems.clear()
        for p in self.check.errors:
            self.problems.addItem("✖ " + self.describe(p))
        for p in self.check.warnings:
            self.problems.addItem("⚠ " + self.describe(p))
        state = self.tr("Unsaved changes.") if self.dirty else self.tr("Saved.")
        counts = self.tr("%1 errors, %2 warnings in this week.").replace("%1", str(len(self.check.errors))) \
            .replace("%2", str(len(self.check.warnings)))
        self.status.setText(f"{state} {counts}")
        self._enable()

    def _enable(self) -> None:
        has = self.desk is not None and not self.read_only
        for key, b in self.buttons.items():
            b.setEnabled(has if key not in ("save", "revert") else has and self.dirty)
            b.setToolTip((self.why_read_only or self.tr("Your role may not change the roster."))
                         if self.read_only and key not in ("export", "staff") else "")
        if self.desk is not None:
            self.buttons["export"].setEnabled(True)
            self.buttons["staff"].setEnabled(True)
        if has and self.dirty and self.check.errors:
            self.buttons["save"].setToolTip(self.tr("Fix the errors listed above first."))
            self.buttons["save"].setEnabled(False)

    def _discard_ok(self) -> bool:
        answer = QMessageBox.question(self, self.tr("Roster"), self.tr("Discard the unsaved changes of this week?"))
        return answer == QMessageBox.StandardButton.Yes

    # --- navigation -----------------------------------------------------------------------------------------

    @Slot()
    def previous_week(self) -> None:
        if self.monday is not None:
            self.show_week(self.monday - timedelta(days=7), (self.day or self.monday) - timedelta(days=7))

    @Slot()
    def next_week(self) -> None:
        if self.monday is not None:
            self.show_week(self.monday + timedelta(days=7), (self.day or self.monday) + timedelta(days=7))

    @Slot(QDate)
    def _week_picked(self, qdate: QDate) -> None:
        day = date(qdate.year(), qdate.month(), qdate.day())
        if self.monday is not None and monday_of(day) == self.monday:
            self.day = day
            self.refresh()
        else:
            self.show_week(monday_of(day), day)

    @Slot(int)
    def _day_clicked(self, index: int) -> None:
        self.day = self.days()[index]
        self.refresh()

    # --- edits ----------------------------------------------------------------------------------------------

    def _changed(self) -> None:
        self.dirty = True
        self.refresh()

    @Slot(object, object)
    def _replaced(self, old: ShiftRecord, new: ShiftRecord) -> None:
        if old in self.draft:
            self.draft[self.draft.index(old)] = new
        self._changed()

    def _dialog(self, record: ShiftRecord | None, staff_id: str | None = None,
                start: datetime | None = None) -> ShiftRecord | None:
        assert self.desk is not None and self.day is not None
        dialog = ShiftDialog(self.desk.staff(), self.desk.counter_ids(), self.day, self.desk.tz, record, staff_id,
                             self)
        if start is not None:
            dialog.start.setText(start.strftime("%H:%M"))
            dialog.end.setText(min(start + timedelta(hours=4), start.replace(hour=23, minute=45)).strftime("%H:%M"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.record()

    @Slot()
    def add_record(self) -> None:
        if self.desk is None:
            return
        if (record := self._dialog(None)) is not None:
            self.draft.append(record)
            self._changed()

    @Slot(str, object)
    def _add_at(self, staff_id: str, at: datetime) -> None:
        if (record := self._dialog(None, staff_id, at)) is not None:
            self.draft.append(record)
            self._changed()

    @Slot(object)
    def edit_record(self, record: ShiftRecord) -> None:
        if (new := self._dialog(record)) is not None and record in self.draft:
            self.draft[self.draft.index(record)] = new
            self._changed()

    @Slot(object)
    def delete_record(self, record: ShiftRecord) -> None:
        if record in self.draft:
            self.draft.remove(record)
            self.timeline.selected = None
            self._changed()

    @Slot()
    def revert(self) -> None:
        if self.monday is not None:
            self.dirty = False
            self.show_week(self.monday, self.day)

    @Slot()
    def save(self) -> bool:
        return self._store(self.days(), self.draft, "roster.edit")

    def _store(self, days: list[date], records: list[ShiftRecord], action: str) -> bool:
        from storage.writer import WriteFailed

        assert self.desk is not None
        try:
            result = self.desk.save(days, records, action)
        except WriteFailed as exc:
            QMessageBox.critical(self, self.tr("Roster"), self.tr("The roster was not stored, nothing was changed: %1")
                                 .replace("%1", str(exc)))
            return False
        if result.errors:
            QMessageBox.warning(self, self.tr("Roster"), self.tr("Not saved: %1 errors.").replace(
                "%1", str(len(result.errors))) + "\n\n" + "\n".join(self.describe(p) for p in result.errors[:10]))
            return False
        self.dirty = False
        self.sig_saved.emit()
        self.show_week(self.monday or days[0], self.day)
        return True

    @Slot()
    def copy_week_forward(self) -> None:
        if self.desk is None or self.monday is None:
            return
        if self.dirty and not self._discard_ok():
            return
        target = self.monday + timedelta(days=7)
        days, records = self.desk.copy_week(self.monday, target)
        if not records:
            QMessageBox.information(self, self.tr("Roster"), self.tr("This week has no roster to copy."))
            return
        if self.desk.load(days):
            answer = QMessageBox.question(self, self.tr("Roster"), self.tr(
                "The week from %1 already has a roster. Replace it with a copy of this week?")
                .replace("%1", target.isoformat()))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.dirty = False
        if self._store(days, records, "roster.copy_week"):
            self.show_week(target, (self.day or self.monday) + timedelta(days=7))

    @Slot()
    def import_file(self, path: str | None = None) -> bool:
        from console.feed.csv_import import CsvFileError

        if self.desk is None:
            return False
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Import roster"), "",
                                                  self.tr("Roster (*.csv *.xlsx)"))
            if not path:
                return False
        try:
            parsed = self.desk.read_file(Path(path))
        except CsvFileError as exc:
            QMessageBox.warning(self, self.tr("Import roster"), f"{path}: {exc}")
            return False
        if parsed.rejected:
            lines = "\n".join(f"{path}:{r.line}: {r.reason}" for r in parsed.rejected[:15])
            QMessageBox.warning(self, self.tr("Import roster"), self.tr(
                "%1 rows cannot be read; nothing was imported.").replace("%1", str(len(parsed.rejected)))
                + "\n\n" + lines)
            return False
        if not parsed.records:
            QMessageBox.warning(self, self.tr("Import roster"), self.tr("%1 has no roster rows.").replace("%1", path))
            return False
        if self.dirty and not self._discard_ok():
            return False
        self.dirty = False
        if self._store(parsed.days, parsed.records, "roster.import"):
            first = parsed.days[0]
            self.show_week(monday_of(first), first)
            return True
        return False

    @Slot()
    def export_file(self, path: str | None = None) -> bool:
        from console.reports.export import ExportError

        if self.desk is None or self.monday is None:
            return False
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export roster"), f"roster-{self.monday}.xlsx",
                                                  self.tr("Excel (*.xlsx);;CSV (*.csv)"))
            if not path:
                return False
        try:
            n = self.desk.export(Path(path), self.days())
        except ExportError as exc:
            QMessageBox.warning(self, self.tr("Export roster"), str(exc))
            return False
        self.status.setText(self.tr("%1 records written to %2.").replace("%1", str(n)).replace("%2", path))
        return True

    @Slot()
    def open_directory(self) -> None:
        if self.desk is None:
            return
        dialog = StaffDirectoryDialog(self.desk, self, read_only=self.read_only)
        dialog.exec()
        if dialog.changed:
            self.refresh()
