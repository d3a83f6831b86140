"""Staff panel: tabs for today's roster as a timeline per person with who is where now, the weekly roster editor,
the coverage chart with its what-if control, and attendance.

The editor, coverage and attendance tabs read the database through a ``RosterDesk`` that the window's factory
makes from the first branch view (the branch's time zone and hours come with it); each tab loads when first shown,
so starting the console costs nothing for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from console.domain.presence import Presence, StaffPresence
from console.domain.vocabulary import ShiftKind
from console.sources.live_view import BranchView
from widgets import labels

PRESENCE_COLOURS = {
    Presence.AT_COUNTER: "#16a34a",
    Presence.ON_BREAK: "#f59e0b",
    Presence.EXPECTED: "#2563eb",
    Presence.ON_LEAVE: "#9ca3af",
    Presence.OFF: "#d1d5db",
}


class RosterTimeline(QWidget):
    """Paints one row per person: name and status on the left, the day's shifts on a time axis."""

    ROW_H = 26
    HEADER_H = 22
    LEFT_W = 230

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[StaffPresence, ...] = ()
        self.now: datetime | None = None
        self.axis_start: datetime | None = None
        self.axis_end: datetime | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def presence_text(self, row: StaffPresence) -> str:
        return labels.presence(row)

    def set_rows(self, rows: tuple[StaffPresence, ...], now: datetime, start: datetime, end: datetime) -> None:
        self.rows, self.now, self.axis_start, self.axis_end = rows, now, start, end
        self.setFixedHeight(self.HEADER_H + self.ROW_H * len(rows) + 4)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(700, self.HEADER_H + self.ROW_H * max(1, len(self.rows)) + 4)

    def _x(self, t: datetime) -> float:
        assert self.axis_start is not None and self.axis_end is not None
        span = (self.axis_end - self.axis_start).total_seconds()
        width = max(1, self.width() - self.LEFT_W - 10)
        return self.LEFT_W + width * (t - self.axis_start).total_seconds() / span

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if self.axis_start is None or self.axis_end is None:
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        grid = QPen(QColor("#e5e7eb"))
        text_pen = QPen(self.palette().text().color())
        hour = self.axis_start.replace(minute=0, second=0, microsecond=0)
        label_w = self.fontMetrics().horizontalAdvance("00:00") + 12
        hours = max(1.0, (self.axis_end - self.axis_start).total_seconds() / 3600)
        per_hour = (self.width() - self.LEFT_W - 10) / hours
        step = 1 if per_hour >= label_w else 2 if 2 * per_hour >= label_w else 3
        while hour <= self.axis_end:
            if hour >= self.axis_start and hour.hour % step == 0:
                x = self._x(hour)
                p.setPen(grid)
                p.drawLine(int(x), self.HEADER_H - 4, int(x), self.height())
                p.setPen(text_pen)
                p.drawText(QRectF(x - 30, 0, 60, self.HEADER_H), Qt.AlignmentFlag.AlignCenter, hour.strftime("%H:%M"))
            hour += timedelta(hours=1)
        for i, row in enumerate(self.rows):
            top = self.HEADER_H + i * self.ROW_H
            colour = QColor(PRESENCE_COLOURS[row.presence])
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(QRectF(6, top + 8, 10, 10))
            p.setPen(text_pen)
            p.drawText(QRectF(22, top, 64, self.ROW_H), Qt.AlignmentFlag.AlignVCenter, row.staff.name)
            status = self.fontMetrics().elidedText(self.presence_text(row), Qt.TextElideMode.ElideRight,
                                                   self.LEFT_W - 96)
            p.drawText(QRectF(88, top, self.LEFT_W - 92, self.ROW_H), Qt.AlignmentFlag.AlignVCenter, status)
            for shift in row.shifts:
                x0, x1 = self._x(shift.start), self._x(shift.end)
                bar = QRectF(x0, top + 5, max(2.0, x1 - x0), self.ROW_H - 10)
                if shift.kind is ShiftKind.LEAVE:
                    p.setBrush(QBrush(QColor("#d1d5db"), Qt.BrushStyle.BDiagPattern))
                    p.setPen(QPen(QColor("#9ca3af")))
                    p.drawRect(bar)
                    continue
                p.setBrush(QColor("#93c5fd"))
                p.setPen(QPen(QColor("#3b82f6")))
                p.drawRoundedRect(bar, 3, 3)
                if shift.counter_id:
                    p.setPen(QPen(QColor("#1e3a8a")))
                    p.drawText(bar.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, shift.counter_id)
                for b in shift.breaks:
                    bx0, bx1 = self._x(b.start), self._x(b.end)
                    p.setBrush(QBrush(QColor("#f59e0b"), Qt.BrushStyle.Dense4Pattern))
                    p.setPen(Qt.PenStyle.NoPen)
                    p.drawRect(QRectF(bx0, top + 5, max(2.0, bx1 - bx0), self.ROW_H - 10))
        if self.now is not None and self.axis_start <= self.now <= self.axis_end:
            x = self._x(self.now)
            p.setPen(QPen(QColor("#dc2626"), 2))
            p.drawLine(int(x), self.HEADER_H - 4, int(x), self.height())
        p.end()


class StaffPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        from widgets.panels.attendance_view import AttendanceView
        from widgets.panels.coverage_view import CoverageView
        from widgets.panels.roster_editor import RosterEditor

        super().__init__(parent)
        self.timeline = RosterTimeline()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.timeline)
        self.editor = RosterEditor()
        self.coverage = CoverageView()
        self.attendance = AttendanceView()
        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, self.tr("Today"))
        self.tabs.addTab(self.editor, self.tr("Roster"))
        self.tabs.addTab(self.coverage, self.tr("Coverage"))
        self.tabs.addTab(self.attendance, self.tr("Attendance"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.editor.sig_saved.connect(self._roster_saved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        # set by the window, as plain functions that hold no reference to the panel or the window
        self.desk_factory = None  # (BranchInfo) -> RosterDesk
        self.coverage_loader = None  # (RosterDesk, date) -> CoveragePlan
        self.clock = None  # () -> the branch's current datetime
        self.target_share = 0.8
        self.read_only = False  # the roster and directory (EDIT_ROSTER)
        self.why_read_only: str | None = None
        self.check_in_denied: str | None = None  # why check in / out is disabled (CHECK_IN_STAFF), None: allowed
        self.desk = None
        self.view: BranchView | None = None
        self._attached: set[int] = set()

    def _ensure_desk(self) -> bool:
        if self.desk is None and self.desk_factory is not None and self.view is not None:
            self.desk = self.desk_factory(self.view.snapshot.branch)
        return self.desk is not None

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        if index == 0 or index in self._attached or not self._ensure_desk() or self.view is None:
            return
        self._attached.add(index)
        day = self.view.snapshot.day
        if index == 1:
            self.editor.attach(self.desk, day, read_only=self.read_only)
            self.editor.set_read_only(self.read_only, self.why_read_only)
        elif index == 2:
            self.coverage.attach(partial(self.coverage_loader, self.desk), day, self.target_share)
        elif index == 3:
            self.attendance.attach(self.desk, self.clock, day, read_only=self.check_in_denied is not None)
            self.attendance.set_read_only(self.check_in_denied is not None, self.check_in_denied)

    def set_access(self, roster_denied: str | None, check_in_denied: str | None, user: str) -> None:
        """The logged-in user's rights (None: allowed, else why not) and name for what they store."""
        self.read_only, self.why_read_only, self.check_in_denied = roster_denied is not None, roster_denied, \
            check_in_denied
        if self.desk is not None:
            self.desk.user = user
        if 1 in self._attached:
            self.editor.set_read_only(self.read_only, roster_denied)
        if 3 in self._attached:
            self.attendance.set_read_only(check_in_denied is not None, check_in_denied)

    @Slot()
    def _roster_saved(self) -> None:
        if 2 in self._attached:
            self.coverage.load()
        if 3 in self._attached:
            self.attendance.reload()

    #: Wall seconds between refreshes of the attendance tab while it is shown (it reads the database).
    ATTENDANCE_REFRESH_S = 30.0

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        import time as wall

        self.view = view
        if self.tabs.currentIndex() == 3 and 3 in self._attached:
            if wall.monotonic() - getattr(self, "_attendance_at", 0.0) >= self.ATTENDANCE_REFRESH_S:
                self._attendance_at = wall.monotonic()
                self.attendance.reload()
        snap = view.snapshot
        starts = [s.start for s in snap.roster]
        ends = [s.end for s in snap.roster]
        tz = snap.at.tzinfo
        opens = datetime.combine(snap.day, snap.branch.opens, tzinfo=tz)
        closes = datetime.combine(snap.day, snap.branch.closes, tzinfo=tz)
        start = min([opens - timedelta(minutes=30), *starts]).replace(minute=0, second=0, microsecond=0)
        end = max([closes + timedelta(minutes=30), *ends])
        self.timeline.set_rows(view.presence, snap.at, start, end)
