"""Coverage of a day: counters required per half-hour by the forecast demand (bars, one colour per service type)
against the people on shift in the roster (the black step line); half-hours short of staff are shaded red. Under
it, the what-if control: for one service type, the expected share called within target of each half-hour with its
required counters and with one more or one fewer (``console/domain/coverage.py``)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QToolTip, QVBoxLayout, QWidget

from console.domain.coverage import what_if
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType
from console.staffing.demand import CoveragePlan
from widgets import labels

TYPE_COLOURS = {
    ServiceType.CASH: "#60a5fa",
    ServiceType.NON_CASH: "#34d399",
    ServiceType.CORPORATE: "#fbbf24",
    ServiceType.VIP: "#c084fc",
}


class CoverageChart(QWidget):
    """Paints a ``CoveragePlan``; the lower band shows the what-if service levels."""

    MARGIN_L, MARGIN_R, MARGIN_T = 40, 10, 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: CoveragePlan | None = None
        self.levels: list[tuple[float | None, float | None]] = []
        self.delta = 1
        self.service: ServiceType = ServiceType.CASH
        self.target_share = 0.8
        self.setMinimumHeight(260)
        self.setMouseTracking(True)

    def set_plan(self, plan: CoveragePlan | None, service: ServiceType, delta: int, target_share: float) -> None:
        self.plan, self.service, self.delta, self.target_share = plan, service, delta, target_share
        self.levels = [] if plan is None else what_if(plan.rows, plan.counts, service, plan.counter_time_s[service],
                                                      plan.target_s, delta)
        self.update()

    def _geometry(self) -> tuple[float, float, float, float]:
        """(left, slot width, bar area bottom, band height)."""
        n = len(self.plan.rows) if self.plan else 1
        width = max(1.0, self.width() - self.MARGIN_L - self.MARGIN_R)
        band = 70.0
        return self.MARGIN_L, width / max(1, n), self.height() - band - 40, band

    def slot_at(self, x: float) -> int | None:
        if self.plan is None:
            return None
        left, slot_w, _, _ = self._geometry()
        i = int((x - left) // slot_w)
        return i if 0 <= i < len(self.plan.rows) else None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        plan = self.plan
        if plan is None or not plan.rows:
            p.end()
            return
        text = QPen(self.palette().text().color())
        left, slot_w, bottom, band = self._geometry()
        top = self.MARGIN_T
        peak = max([1, plan.counters, *[r.total_required for r in plan.rows], *[r.on_shift for r in plan.rows]])
        scale = (bottom - top) / peak
        p.setPen(QPen(QColor("#e5e7eb")))
        for k in range(0, peak + 1, max(1, peak // 5)):
            y = bottom - k * scale
            p.drawLine(int(left), int(y), int(self.width() - self.MARGIN_R), int(y))
            p.setPen(text)
            p.drawText(QRectF(0, y - 8, left - 4, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       str(k))
            p.setPen(QPen(QColor("#e5e7eb")))
        for i, row in enumerate(plan.rows):
            x = left + i * slot_w
            y = bottom
            for st in QUEUED_SERVICE_TYPES:
                k = row.required.get(st, 0)
                if not k:
                    continue
                h = k * scale
                p.fillRect(QRectF(x + 2, y - h, slot_w - 4, h), QColor(TYPE_COLOURS[st]))
                y -= h
            if i % 2 == 0:
                p.setPen(text)
                p.drawText(QRectF(x, bottom + 2, slot_w * 2, 16), Qt.AlignmentFlag.AlignLeft,
                           row.start.strftime("%H:%M"))
        for i, row in enumerate(plan.rows):  # the shortfall: counters required above the staff on shift
            if row.shortfall > 0:
                x = left + i * slot_w
                y0, y1 = bottom - row.total_required * scale, bottom - row.on_shift * scale
                p.setPen(QPen(QColor("#dc2626"), 2))
                p.setBrush(QBrush(QColor("#dc2626"), Qt.BrushStyle.BDiagPattern))
                p.drawRect(QRectF(x + 2, y0, slot_w - 4, y1 - y0))
        legend_x = self.width() - self.MARGIN_R - 4
        for st in reversed(QUEUED_SERVICE_TYPES):
            name = labels.service_type(st)
            w = self.fontMetrics().horizontalAdvance(name) + 22
            legend_x -= w
            p.fillRect(QRectF(legend_x, top, 12, 12), QColor(TYPE_COLOURS[st]))
            p.setPen(text)
            p.drawText(QRectF(legend_x + 15, top - 2, w, 16), Qt.AlignmentFlag.AlignLeft, name)
        p.setPen(QPen(QColor("#111827"), 2))
        for i, row in enumerate(plan.rows):
            x = left + i * slot_w
            y = bottom - row.on_shift * scale
            p.drawLine(QPointF(x, y), QPointF(x + slot_w, y))
            if i + 1 < len(plan.rows):
                p.drawLine(QPointF(x + slot_w, y), QPointF(x + slot_w, bottom - plan.rows[i + 1].on_shift * scale))
        if plan.counters:  # the counters the branch has: more cannot work at once, whatever is required
            cy = bottom - plan.counters * scale
            p.setPen(QPen(QColor("#7c3aed"), 2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(left, cy), QPointF(self.width() - self.MARGIN_R, cy))
            p.setPen(QPen(QColor("#7c3aed")))
            p.drawText(QRectF(left + 4, cy - 17, 400, 16), Qt.AlignmentFlag.AlignLeft,
                       self.tr("Counters in the branch: %1").replace("%1", str(plan.counters)))
        # what-if band: base (grey) and changed (coloured) service level per half-hour, with the target line
        band_top = bottom + 36
        p.setPen(QPen(QColor("#9ca3af"), 1, Qt.PenStyle.DashLine))
        ty = band_top + band * (1 - self.target_share)
        p.drawLine(int(left), int(ty), int(self.width() - self.MARGIN_R), int(ty))
        for i, (base, changed) in enumerate(self.levels):
            x = left + i * slot_w
            for value, colour, dx in ((base, "#9ca3af", 2), (changed, TYPE_COLOURS[self.service], slot_w / 2)):
                if value is None:
                    continue
                h = band * value
                p.fillRect(QRectF(x + dx, band_top + band - h, slot_w / 2 - 3, max(1.0, h)), QColor(colour))
            if base is not None and changed is not None:
                words = f"{base:.0%}→{changed:.0%}"
                if self.fontMetrics().horizontalAdvance(words) < slot_w - 4:
                    p.setPen(text)
                    p.drawText(QRectF(x, band_top - 16, slot_w, 16), Qt.AlignmentFlag.AlignCenter, words)
        p.setPen(text)
        p.drawText(QRectF(0, band_top, left - 4, 16), Qt.AlignmentFlag.AlignRight, "100%")
        p.drawText(QRectF(0, band_top + band - 16, left - 4, 16), Qt.AlignmentFlag.AlignRight, "0%")
        p.end()

    def tooltip_text(self, i: int) -> str:
        assert self.plan is not None
        row = self.plan.rows[i]
        end = row.start + timedelta(minutes=30)
        parts = [f"{row.start:%H:%M}–{end:%H:%M}",
                 self.tr("forecast %1 tickets").replace("%1", f"{row.arrivals:.1f}"),
                 self.tr("counters required %1, staff on shift %2").replace("%1", str(row.total_required))
                 .replace("%2", str(row.on_shift))]
        for st, k in row.required.items():
            parts.append(f"  {labels.service_type(st)}: {k}")
        base, changed = self.levels[i] if i < len(self.levels) else (None, None)
        if base is not None and changed is not None:
            parts.append(self.tr("%1: %2 within target with %3 counters, %4 with %5").replace(
                "%1", labels.service_type(self.service)).replace("%2", f"{base:.0%}")
                .replace("%3", str(row.required.get(self.service, 0))).replace("%4", f"{changed:.0%}")
                .replace("%5", str(max(0, row.required.get(self.service, 0) + self.delta))))
        return "\n".join(parts)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        i = self.slot_at(event.position().x())
        if i is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_text(i), self)


class CoverageView(QWidget):
    """Day picker, the chart and the what-if control; ``loader(day)`` computes the plan (database reads)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loader = None
        self.target_share = 0.8
        self.day_edit = QDateEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_edit.dateChanged.connect(self._day_changed)
        self.service = QComboBox()
        for st in QUEUED_SERVICE_TYPES:
            self.service.addItem(labels.service_type(st), st.value)
        self.service.currentIndexChanged.connect(self._redraw)
        self.delta = QComboBox()
        self.delta.addItem(self.tr("one counter more (+1)"), 1)
        self.delta.addItem(self.tr("one counter fewer (−1)"), -1)
        self.delta.currentIndexChanged.connect(self._redraw)
        self.chart = CoverageChart()
        self.note = QLabel()
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Day")))
        top.addWidget(self.day_edit)
        top.addStretch(1)
        top.addWidget(QLabel(self.tr("What if")))
        top.addWidget(self.service)
        top.addWidget(self.delta)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.note)
        self.plan: CoveragePlan | None = None

    def attach(self, loader, day: date, target_share: float) -> None:
        self.loader, self.target_share = loader, target_share
        self.day_edit.setDate(QDate(day.year, day.month, day.day))
        self.load(day)

    def current_day(self) -> date:
        q = self.day_edit.date()
        return date(q.year(), q.month(), q.day())

    def load(self, day: date | None = None) -> None:
        if self.loader is None:
            return
        self.plan = self.loader(day or self.current_day())
        self._redraw()

    @Slot(QDate)
    def _day_changed(self, _q: QDate) -> None:
        self.load()

    @Slot()
    def _redraw(self) -> None:
        plan = self.plan
        service = ServiceType(self.service.currentData())
        self.chart.set_plan(plan, service, int(self.delta.currentData()), self.target_share)
        if plan is None:
            self.note.setText("")
            return
        short = sum(1 for r in plan.rows if r.shortfall > 0)
        basis = (self.tr("Forecast from %1 days of ticket history.").replace("%1", str(plan.history_days))
                 if plan.source == "history" else
                 self.tr("Not enough ticket history yet: the forecast uses the demo branch's demand profile."))
        self.note.setText(basis + " " + self.tr(
            "Bars: counters required (colour per service type) for %1% called within %2 min; black line: staff on "
            "shift; red: counters required beyond the staff on shift (%3 half-hours). Lower band: %4 with the required counters (grey) and %5 (colour).")
            .replace("%1", f"{self.target_share * 100:.0f}").replace("%2", f"{plan.target_s / 60:g}")
            .replace("%3", str(short)).replace("%4", labels.service_type(service))
            .replace("%5", f"{int(self.delta.currentData()):+d}"))
