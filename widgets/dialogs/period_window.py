"""Periods: the branch manager's view of a day, week, month, quarter or any range — each figure beside the period
before and the same period a year earlier, trends, a weekday × half-hour heat map and the customers' ratings.

The window only asks (``request(kind, first, last)``) and shows what comes back (``show_comparison``,
``show_failure``): the computing happens off the GUI thread (console/app/period_controller.py). Figures and their
definitions are the day report's (console/domain/day_report.py), computed over every ticket of the period.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pyqtgraph as pg
import PySide6  # noqa: F401  (PySide6 before pyqtgraph, so pyqtgraph binds to it)
from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.camera_day import peak_of, visitors_per_day, within
from console.domain.day_report import DayReport
from console.domain.period_report import PERIOD_KINDS, PeriodReport, period_of, previous_period
from console.domain.vocabulary import ServiceType
from widgets import labels
from widgets.tables import ensure_rows, make_table, set_cell

# the trend colours: this period, a year earlier
CURRENT_PEN, YEAR_AGO_PEN = "#2563eb", "#9ca3af"
TYPE_COLOURS = ("#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2")


def _share(report: DayReport, part: int) -> float | None:
    return part / report.arrived if report.arrived else None


def format_value(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "score":
        return f"{value:.2f}"
    if kind == "rate":
        return f"{value:,.0f}"
    return f"{value:.1f}"


class PeriodWindow(QWidget):
    """A window of its own (not modal): the supervisor keeps the console beside it."""

    def __init__(self, request: Callable[[str, date, date], None], today: date,
                 parent: QWidget | None = None, branch_name: str = "") -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.branch_name = branch_name
        self.setWindowTitle(self.tr("Service figures by period"))
        self._request = request
        self.today = today
        self.comparison = None
        self.kind = QComboBox()
        for kind, caption in zip(PERIOD_KINDS, (self.tr("Day"), self.tr("Week"), self.tr("Month"),
                                                self.tr("Quarter"), self.tr("Range")), strict=True):
            self.kind.addItem(caption, kind)
        self.kind.setCurrentIndex(PERIOD_KINDS.index("month"))
        self.first = QDateEdit(QDate(today.year, today.month, today.day))
        self.last = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.to_label = QLabel(self.tr("to"))
        self.earlier = QPushButton("◀")
        self.earlier.setToolTip(self.tr("The period before"))
        self.later = QPushButton("▶")
        self.later.setToolTip(self.tr("The period after"))
        self.show_button = QPushButton(self.tr("Show"))
        self.status = QLabel()
        self.status.setObjectName("periodStatus")
        self.status.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Period:")))
        for w in (self.kind, self.earlier, self.first, self.to_label, self.last, self.later, self.show_button):
            controls.addWidget(w)
        controls.addStretch(1)

        self.figures = make_table([self.tr("Figure"), "", "", self.tr("Change"), "", self.tr("Change")],
                                  stretch_column=0)
        self.trend_metric = QComboBox()
        for key, caption in (("arrived", self.tr("Tickets issued a day (average)")),
                             ("avg_wait", self.tr("Average wait (min)")),
                             ("p90_wait", self.tr("90% waited under (min)")),
                             ("service_level", self.tr("Service level (%)")),
                             ("abandonment", self.tr("Abandonment (%)")),
                             ("peak", self.tr("Peak lobby occupancy (people)")),
                             ("visitors", self.tr("Visitors counted at the entrance, a day")),
                             ("types", self.tr("Tickets issued by service type"))):
            self.trend_metric.addItem(caption, key)
        self.plot = pg.PlotWidget(background="w")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.legend = self.plot.addLegend(offset=(-8, 4), labelTextColor="#1f2937", brush="#ffffffd0")
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setTextPen("#374151")
        trends = QWidget()
        trend_layout = QVBoxLayout(trends)
        trend_row = QHBoxLayout()
        trend_row.addWidget(QLabel(self.tr("Show:")))
        trend_row.addWidget(self.trend_metric)
        trend_row.addStretch(1)
        trend_layout.addLayout(trend_row)
        trend_layout.addWidget(self.plot, 1)
        self.series: dict[str, list[float | None]] = {}  # what the plot shows, by series name (tests read it)

        self.heat_metric = QComboBox()
        self.heat_metric.addItem(self.tr("Tickets issued per day"), "arrived")
        self.heat_metric.addItem(self.tr("Average wait (min)"), "wait")
        self.heat = make_table([])
        self.heat.horizontalHeader().setStretchLastSection(False)
        self.heat.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        heat = QWidget()
        heat_layout = QVBoxLayout(heat)
        heat_row = QHBoxLayout()
        heat_row.addWidget(QLabel(self.tr("Show:")))
        heat_row.addWidget(self.heat_metric)
        self.heat_note = QLabel()
        self.heat_note.setWordWrap(True)
        heat_row.addWidget(self.heat_note, 1)
        heat_layout.addLayout(heat_row)
        heat_layout.addWidget(self.heat, 1)

        ratings = QWidget()
        ratings_layout = QHBoxLayout(ratings)
        rating_headers = [self.tr("Rated"), self.tr("Average (of 5)"), self.tr("Scored 1 or 2")]
        self.counter_ratings = make_table([self.tr("Counter"), *rating_headers], stretch_column=0)
        self.type_ratings = make_table([self.tr("Service type"), *rating_headers], stretch_column=0)
        ratings_layout.addWidget(self.counter_ratings)
        ratings_layout.addWidget(self.type_ratings)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.figures, self.tr("Figures"))
        self.tabs.addTab(trends, self.tr("Trends"))
        self.tabs.addTab(heat, self.tr("Weekday × half-hour"))
        self.tabs.addTab(ratings, self.tr("Ratings"))
        self.work_tab = self._work_tab()
        self.tabs.addTab(self.work_tab, self.tr("Counters and people"))
        self.work_allowed = False
        self.tabs.setTabVisible(self.tabs.indexOf(self.work_tab), False)
        self.tabs.addTab(self._review_tab(), self.tr("Service-quality review"))
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.earlier.clicked.connect(lambda: self.step(-1))
        self.later.clicked.connect(lambda: self.step(1))
        self.show_button.clicked.connect(self.ask)
        self.trend_metric.currentIndexChanged.connect(self._draw_trend)
        self.heat_metric.currentIndexChanged.connect(self._fill_heat)
        self._kind_changed()

    # -- the period ---------------------------------------------------------------------------------------------
    def period(self) -> tuple[str, date, date]:
        kind = self.kind.currentData()
        first = self.first.date().toPython()
        if kind == "range":
            return kind, first, self.last.date().toPython()
        return (kind, *period_of(kind, first))

    def set_period(self, kind: str, first: date, last: date | None = None) -> None:
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(PERIOD_KINDS.index(kind))
        self.kind.blockSignals(False)
        self.first.setDate(QDate(first.year, first.month, first.day))
        last = last or first
        self.last.setDate(QDate(last.year, last.month, last.day))
        self._kind_changed()

    @Slot()
    def _kind_changed(self, *_args) -> None:
        """A range shows its last day; the other periods follow from the day picked."""
        is_range = self.kind.currentData() == "range"
        self.to_label.setVisible(is_range)
        self.last.setVisible(is_range)

    def step(self, direction: int) -> None:
        """The period before (−1) or after (+1), shown at once."""
        kind, first, last = self.period()
        if direction < 0:
            first, last = previous_period(kind, first, last)
        elif kind == "range":
            first, last = last + timedelta(days=1), last + timedelta(days=(last - first).days + 1)
        else:
            first, last = period_of(kind, last + timedelta(days=1))
        self.set_period(kind, first, last)
        self.ask()

    @Slot()
    def ask(self) -> None:
        kind, first, last = self.period()
        if last < first:
            self.status.setText(self.tr("The period ends (%1) before it starts (%2): pick a later end.")
                                .replace("%1", last.isoformat()).replace("%2", first.isoformat()))
            return
        if (last - first).days + 1 > 400:
            self.status.setText(self.tr("The period is %1 days; at most 400 can be shown at once.")
                                .replace("%1", str((last - first).days + 1)))
            return
        self.status.setText(self.tr("Computing %1 to %2…").replace("%1", first.isoformat())
                            .replace("%2", last.isoformat()))
        self.show_button.setEnabled(False)
        self._request(kind, first, last)

    # -- results ------------------------------------------------------------------------------------------------
    @Slot(str)
    def show_failure(self, text: str) -> None:
        self.show_button.setEnabled(True)
        self.status.setText(self.tr("The figures could not be computed: %1").replace("%1", text))

    @Slot(object)
    def show_comparison(self, comparison) -> None:
        self.show_button.setEnabled(True)
        self.comparison = comparison
        self.review_button.setEnabled(self.export_denied is None)
        c = comparison.current
        notes = [self.tr("%1 to %2: %3 days, %4 with tickets; target: called within %5 min.")
                 .replace("%1", c.first.isoformat()).replace("%2", c.last.isoformat())
                 .replace("%3", str(c.day_count)).replace("%4", str(len(c.days)))
                 .replace("%5", f"{c.figures.target_wait_min:g}")]
        if c.purged_days:
            notes.append(self.tr("%1 of these days were purged after the retention period before they were "
                                 "summarised: the figures cover the other days.")
                         .replace("%1", str(len(c.purged_days))))
        self.status.setText(" ".join(notes))
        self._fill_figures()
        self._draw_trend()
        self._fill_heat()
        self._fill_ratings()
        self._fill_work()

    def figure_rows(self) -> list[tuple[str, str, Callable[[PeriodReport], float | None]]]:
        """(caption, kind, value) of each figure the window compares: kind count, minutes, share (0–1), score or
        rate (a day's average)."""
        return [
            (self.tr("Tickets issued"), "count", lambda p: p.figures.arrived),
            (self.tr("Served"), "count", lambda p: p.figures.served),
            (self.tr("Gave up waiting"), "count", lambda p: p.figures.abandoned),
            (self.tr("Abandonment (share of tickets issued)"), "share", lambda p: _share(p.figures,
                                                                                      p.figures.abandoned)),
            (self.tr("No-show"), "count", lambda p: p.figures.no_show),
            (self.tr("Average wait (min)"), "minutes", lambda p: p.figures.avg_wait_min),
            (self.tr("90% waited under (min)"), "minutes", lambda p: p.figures.p90_wait_min),
            (self.tr("Longest wait (min)"), "minutes", lambda p: p.figures.max_wait_min),
            (self.tr("Service level (called within target)"), "share", lambda p: p.figures.service_level),
            (self.tr("Average transaction (min)"), "minutes", lambda p: p.figures.avg_transaction_min),
            (self.tr("Customer rating (of 5)"), "score",
             lambda p: p.figures.ratings.avg_score if p.figures.ratings else None),
            (self.tr("Ratings given"), "count", lambda p: p.figures.ratings.rated if p.figures.ratings else 0),
            (self.tr("Peak lobby occupancy (people)"), "count",
             lambda p: peak_of(within(p.cameras, p.first, p.last))),
            (self.tr("Visitors counted at the entrance, a day"), "rate",
             lambda p: visitors_per_day(within(p.cameras, p.first, p.last))),
        ]

    @staticmethod
    def _figure(value: Callable[[PeriodReport], float | None], report: PeriodReport) -> float | None:
        """A figure of a period; ticket figures only where it had tickets, camera figures where they counted."""
        found = value(report)
        return found if report.days or found not in (0, None) else None

    def _column_title(self, caption: str, report: PeriodReport) -> str:
        span = report.first.isoformat() if report.first == report.last else \
            f"{report.first.isoformat()} – {report.last.isoformat()}"
        return f"{caption}\n{span}"

    def comparison_table(self) -> tuple[list[str], list[list[str]]]:
        """The Figures tab's header and rows, as shown and as the review exports them: each figure of this period,
        the period before with the change, a year earlier with the change."""
        comparison = self.comparison
        reports = (comparison.current, comparison.previous, comparison.year_ago)
        header = [self.tr("Figure"), self._column_title(self.tr("This period"), reports[0]),
                  self._column_title(self.tr("Period before"), reports[1]), self.tr("Change"),
                  self._column_title(self.tr("A year earlier"), reports[2]), self.tr("Change")]
        rows = []
        for caption, kind, value in self.figure_rows():
            now, before, year = (self._figure(value, r) for r in reports)
            rows.append([caption, format_value(kind, now), format_value(kind, before), self.change(kind, now, before),
                         format_value(kind, year), self.change(kind, now, year)])
        return header, rows

    def _fill_figures(self) -> None:
        header, rows = self.comparison_table()
        self.figures.setHorizontalHeaderLabels(header)
        ensure_rows(self.figures, len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                set_cell(self.figures, row, column, text, align_right=column > 0)

    def change(self, kind: str, now: float | None, then: float | None) -> str:
        """The change from ``then`` to ``now``: ▲ up, ▼ down (never "+", which a spreadsheet reads as a formula):
        counts with their percentage, minutes in minutes, shares in percentage points; "—" when either is
        missing. Up is not "better": more tickets are up, and so is a longer wait."""
        if now is None or then is None:
            return "—"
        diff = now - then
        shown = {"count": round(diff), "rate": round(diff), "share": round(diff * 100, 1),
                 "score": round(diff, 2)}.get(kind,
                                                                                                  round(diff, 1))
        if not shown:
            return "≈ 0"  # no "▼ 0.0" for a change that rounds to nothing
        arrow = "▲" if shown > 0 else "▼"
        if kind == "count":
            text = f"{arrow} {abs(int(diff)):,}"
            return f"{text} ({abs(diff) / then * 100:.1f}%)" if then else text
        if kind == "share":
            return self.tr("%1 points").replace("%1", f"{arrow} {abs(diff) * 100:.1f}")
        if kind == "score":
            return f"{arrow} {abs(diff):.2f}"
        if kind == "rate":
            return f"{arrow} {abs(diff):,.0f} ({abs(diff) / then * 100:.1f}%)" if then else f"{arrow} {abs(diff):,.0f}"
        return self.tr("%1 min").replace("%1", f"{arrow} {abs(diff):.1f}")

    # -- trends -------------------------------------------------------------------------------------------------
    @staticmethod
    def _value(key: str, r: DayReport, open_days: int) -> float | None:
        """A group's trend value; tickets a day over its days with tickets, so a week or month cut by the
        period's edge compares with whole ones."""
        if key == "arrived":
            return r.arrived / open_days if open_days else None
        if key == "avg_wait":
            return r.avg_wait_min
        if key == "p90_wait":
            return r.p90_wait_min
        if key == "service_level":
            return None if r.service_level is None else r.service_level * 100
        share = _share(r, r.abandoned)
        return None if share is None else share * 100

    @Slot()
    def _draw_trend(self, *_args) -> None:
        self.plot.clear()
        self.legend.clear()
        self.series = {}
        if self.comparison is None:
            return
        current, year_ago = self.comparison.current, self.comparison.year_ago
        key = self.trend_metric.currentData()
        groups = current.groups
        xs = list(range(len(groups)))
        axis = self.plot.getAxis("bottom")
        every = max(1, len(groups) // 12)
        axis.setTicks([[(i, self._short_label(g.label)) for i in xs[::every] for g in (groups[i],)]])
        if key == "types":
            present = [t for t in ServiceType if any(t.value in g.figures.per_service_type for g in groups)]
            for n, kind in enumerate(present):
                ys = [g.figures.per_service_type[kind.value].arrived if kind.value in g.figures.per_service_type
                      else 0 for g in groups]
                self._curve(labels.service_type(kind), xs, ys, TYPE_COLOURS[n % len(TYPE_COLOURS)])
            self.plot.setLabel("left", self.tr("Tickets"))
            return
        self._curve(self.tr("This period"), xs, self._values(key, current), CURRENT_PEN)
        earlier = self._values(key, year_ago)[:len(xs)]
        if any(v is not None for v in earlier):
            self._curve(self.tr("A year earlier"), xs[:len(earlier)], earlier, YEAR_AGO_PEN, dashed=True)
        self.plot.setLabel("left", self.trend_metric.currentText())

    def _values(self, key: str, report: PeriodReport) -> list[float | None]:
        if key == "peak":
            return [peak_of(within(report.cameras, g.first, g.last)) for g in report.groups]
        if key == "visitors":
            return [visitors_per_day(within(report.cameras, g.first, g.last)) for g in report.groups]
        days = [d.date for d in report.days]
        return [self._value(key, g.figures, sum(1 for d in days if g.first <= d <= g.last)) for g in report.groups]

    def _short_label(self, label: str) -> str:
        """2026-11-03 → 11-03, 2026-W45 → W45, 2026-11 stays."""
        if "-W" in label:
            return label.split("-", 1)[1]
        return label[5:] if len(label) == 10 else label

    def _curve(self, name: str, xs: list[int], ys: list[float | None], colour: str, dashed: bool = False,
               plot: pg.PlotWidget | None = None) -> None:
        """A series as a line with points (gaps where there is no value) on ``plot`` (default: the Trends tab's,
        whose series the tests read from ``series``)."""
        if plot is None:
            plot, self.series[name] = self.plot, ys
        points = [(x, y) for x, y in zip(xs, ys, strict=False) if y is not None]
        pen = pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
        plot.plot([p[0] for p in points], [p[1] for p in points], pen=pen, symbol="o", symbolSize=5,
                  symbolBrush=colour, symbolPen=colour, name=name)

    # -- heat map -----------------------------------------------------------------------------------------------
    @Slot()
    def _fill_heat(self, *_args) -> None:
        if self.comparison is None:
            return
        cells = self.comparison.current.heat
        if not cells:
            self.heat.setRowCount(0)
            self.heat.setColumnCount(0)
            self.heat_note.setText(self.tr("No tickets in this period."))
            return
        wait = self.heat_metric.currentData() == "wait"
        slots = range(min(c.slot for c in cells), max(c.slot for c in cells) + 1)
        self.heat.setColumnCount(len(slots))
        self.heat.setHorizontalHeaderLabels([f"{s // 2:02d}:{30 * (s % 2):02d}" for s in slots])
        self.heat.setRowCount(7)
        self.heat.verticalHeader().setVisible(True)
        self.heat.setVerticalHeaderLabels([self.weekday_name(d) for d in range(7)])
        values = {(c.weekday, c.slot): (c.avg_wait_min if wait else c.arrived_per_day) for c in cells}
        top = max((v for v in values.values() if v is not None), default=0) or 1
        for weekday in range(7):
            for column, slot in enumerate(slots):
                value = values.get((weekday, slot))
                text = "" if value is None else f"{value:.1f}"
                colour = None if value is None else self.heat_colour(value / top)
                set_cell(self.heat, weekday, column, text, background=colour, align_right=True)
        self.heat_note.setText(
            self.tr("Tickets issued in each half-hour, per day on average over the weekday's days with tickets.")
            if not wait else
            self.tr("Average wait of the customers called in each half-hour, over every such day of the period."))

    @staticmethod
    def heat_colour(share: float) -> str:
        """White for nothing to deep orange for the highest value of the map."""
        share = max(0.0, min(1.0, share))
        low, high = QColor("#ffffff"), QColor("#ea580c")
        mix = [round(a + (b - a) * share) for a, b in ((low.red(), high.red()), (low.green(), high.green()),
                                                       (low.blue(), high.blue()))]
        return QColor(*mix).name()

    def weekday_name(self, weekday: int) -> str:
        return (self.tr("Monday"), self.tr("Tuesday"), self.tr("Wednesday"), self.tr("Thursday"),
                self.tr("Friday"), self.tr("Saturday"), self.tr("Sunday"))[weekday]

    # -- ratings ------------------------------------------------------------------------------------------------
    def _fill_ratings(self) -> None:
        ratings = self.comparison.current.figures.ratings
        for table, rows, name in ((self.counter_ratings, ratings.per_counter if ratings else {}, labels.counter_name),
                                  (self.type_ratings, ratings.per_service_type if ratings else {},
                                   lambda v: labels.service_type(ServiceType(v)))):
            ensure_rows(table, len(rows))
            for row, (key, f) in enumerate(rows.items()):
                set_cell(table, row, 0, name(key))
                set_cell(table, row, 1, str(f.rated), align_right=True)
                set_cell(table, row, 2, format_value("score", f.avg_score), align_right=True)
                set_cell(table, row, 3, str(f.low), align_right=True)

    # -- counters and people (branch managers and administrators) ---------------------------------------------
    def _work_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.work_note = QLabel(self.tr(
            "In order of counter and employee number, not of any figure. Each average transaction time stands beside "
            "the branch's average for the same mix of business; idle share is idle time of the time staffed (open, "
            "serving, idle or paused) as the ticketing system reported the counter's states."))
        self.work_note.setWordWrap(True)
        layout.addWidget(self.work_note)
        common = [self.tr("Served"), self.tr("Business mix"), self.tr("Avg transaction (min)"),
                  self.tr("Branch, same mix (min)"), self.tr("Staffed (h)"), self.tr("Idle share"),
                  self.tr("Pauses"), self.tr("Rating (of 5)")]
        self.work_counters = make_table([self.tr("Counter"), *common], stretch_column=2)
        self.work_people = make_table([self.tr("Person"), *common, self.tr("Shifts"), self.tr("Late"),
                                       self.tr("Absent")], stretch_column=2)
        layout.addWidget(QLabel(self.tr("Counters")))
        layout.addWidget(self.work_counters, 1)
        layout.addWidget(QLabel(self.tr("People")))
        layout.addWidget(self.work_people, 2)
        return tab

    def set_work_allowed(self, allowed: bool) -> None:
        """Show the counters and people tab (branch managers and administrators); hidden and emptied otherwise."""
        self.work_allowed = allowed
        self.tabs.setTabVisible(self.tabs.indexOf(self.work_tab), allowed)
        if not allowed:
            self.work_counters.setRowCount(0)
            self.work_people.setRowCount(0)

    def mix_text(self, mix: dict[str, int]) -> str:
        """"Cash 62% · Non-cash 38%": the served tickets' service types, largest first."""
        total = sum(mix.values())
        if not total:
            return "—"
        parts = sorted(mix.items(), key=lambda kv: -kv[1])
        return " · ".join(f"{labels.service_type(ServiceType(k))} {n / total * 100:.0f}%" for k, n in parts)

    def _work_cells(self, table, row: int, name: str, w) -> None:
        set_cell(table, row, 0, name)
        set_cell(table, row, 1, f"{w.served:,}", align_right=True)
        set_cell(table, row, 2, self.mix_text(w.mix))
        set_cell(table, row, 3, format_value("minutes", w.avg_transaction_min), align_right=True)
        set_cell(table, row, 4, format_value("minutes", w.branch_avg_for_mix_min), align_right=True)
        set_cell(table, row, 5, "—" if w.staffed_min is None else f"{w.staffed_min / 60:.1f}", align_right=True)
        set_cell(table, row, 6, format_value("share", w.idle_share), align_right=True)
        set_cell(table, row, 7, "—" if w.staffed_min is None else
                 self.tr("%1 (%2 min)").replace("%1", str(w.pauses)).replace("%2", f"{w.paused_min:.0f}"),
                 align_right=True)
        rating = "—" if w.rating is None else self.tr("%1 (%2 rated)").replace(
            "%1", f"{w.rating.avg_score:.2f}").replace("%2", str(w.rating.rated))
        set_cell(table, row, 8, rating, align_right=True)

    def _fill_work(self) -> None:
        work = getattr(self.comparison, "work", None)
        if work is None or not self.work_allowed:
            self.work_counters.setRowCount(0)
            self.work_people.setRowCount(0)
            return
        ensure_rows(self.work_counters, len(work.counters))
        for row, w in enumerate(work.counters):
            self._work_cells(self.work_counters, row, labels.counter_name(w.key), w)
        ensure_rows(self.work_people, len(work.people))
        for row, w in enumerate(work.people):
            name = work.names.get(w.key)
            self._work_cells(self.work_people, row, f"{name} ({w.key})" if name else w.key, w)
            set_cell(self.work_people, row, 9, str(w.shifts), align_right=True)
            set_cell(self.work_people, row, 10, str(w.late), align_right=True)
            set_cell(self.work_people, row, 11, str(w.absent), align_right=True)
        if not work.counter_states_reported:
            self.work_note.setText(self.work_note.text().split("\n")[0] + "\n" + self.tr(
                "The ticketing system reported no counter states in this period: time staffed, idle share and pauses "
                "cannot be measured."))

    # -- the service-quality review ----------------------------------------------------------------------------
    def _review_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        about = QLabel(self.tr(
            "A document for head office, as Excel (.xlsx) or PDF: the period's figures beside the period before and a "
            "year earlier, the trend, the customers' ratings, alerts by rule, incidents and drills, and the comments "
            "below. Each person's figures are not part of it."))
        about.setWordWrap(True)
        layout.addWidget(about)
        layout.addWidget(QLabel(self.tr("Branch manager's comments:")))
        self.comments = QPlainTextEdit()
        self.comments.setPlaceholderText(self.tr("What went well, what will change next quarter, what the branch "
                                                 "needs from head office…"))
        layout.addWidget(self.comments, 1)
        row = QHBoxLayout()
        self.review_button = QPushButton(self.tr("Export the review…"))
        self.review_button.setEnabled(False)
        self.review_button.clicked.connect(self.choose_review_file)
        self.export_denied: str | None = None
        row.addWidget(self.review_button)
        self.review_status = QLabel()
        self.review_status.setWordWrap(True)
        row.addWidget(self.review_status, 1)
        layout.addLayout(row)
        return tab

    def set_export_denied(self, why: str | None) -> None:
        """The review's export disabled, with ``why`` as its tooltip, for a role that may not export."""
        self.export_denied = why
        self.review_button.setEnabled(why is None and self.comparison is not None)
        self.review_button.setToolTip(why or "")

    @Slot()
    def choose_review_file(self) -> None:
        if self.comparison is None:
            return
        c = self.comparison.current
        suggested = f"service-review-{c.first.isoformat()}-{c.last.isoformat()}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the review"), suggested,
                                              self.tr("Excel workbook (*.xlsx);;PDF document (*.pdf)"))
        if path:
            self.export_review(Path(path))

    def export_review(self, path: Path) -> bool:
        """Write the review to ``path`` (.xlsx or .pdf); a failure is explained in a dialog, nothing half-written."""
        from console.reports.export import ExportError, write_sections_xlsx

        suffix = path.suffix.lower()
        try:
            if suffix not in (".xlsx", ".pdf"):
                raise ExportError(self.tr("%1: choose a .xlsx or .pdf file name").replace("%1", str(path)))
            found = self.review_sections()
            if suffix == ".xlsx":
                trend = found[2][0]
                write_sections_xlsx(path, found, {trend: (trend, (2, 5))})
            else:
                from widgets.pdf_document import render_pdf

                render_pdf(self.review_html(found), path, self.trend_images())
        except (ExportError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Export the review"),
                                self.tr("The review was not written: %1").replace("%1", str(exc)))
            return False
        self.review_status.setText(self.tr("Written to %1").replace("%1", str(path)))
        return True

    def review_sections(self) -> list[tuple[str, list[str], list[list[object]]]]:
        """The review's sections in the interface language: (title, header, rows)."""
        comparison = self.comparison
        c = comparison.current
        about = [
            [self.tr("Branch"), self.branch_name],
            [self.tr("Period"), f"{c.first.isoformat()} – {c.last.isoformat()}"],
            [self.tr("Days with tickets"), f"{len(c.days)} / {c.day_count}"],
            [self.tr("Service standard"), self.tr("called within %1 min").replace(
                "%1", f"{c.figures.target_wait_min:g}")],
            [self.tr("Prepared on"), self.today.isoformat()],
        ]
        header, figures = self.comparison_table()
        steps = {"day": self.tr("Day"), "week": self.tr("Week"), "month": self.tr("Month")}[c.group_by]
        values = {key: self._values(key, c) for key in ("arrived", "avg_wait", "p90_wait", "service_level",
                                                        "abandonment", "peak", "visitors")}
        trend = [[g.label, *(None if values[key][n] is None else round(values[key][n], 1) for key in values)]
                 for n, g in enumerate(c.groups)]
        ratings = c.figures.ratings
        rating_rows = []
        if ratings is not None:
            rating_rows += [[self.tr("All"), ratings.rated, format_value("score", ratings.avg_score), ratings.low]]
            rating_rows += [[labels.counter_name(k), f.rated, format_value("score", f.avg_score), f.low]
                            for k, f in ratings.per_counter.items()]
            rating_rows += [[labels.service_type(ServiceType(k)), f.rated, format_value("score", f.avg_score), f.low]
                            for k, f in ratings.per_service_type.items()]
        from console.domain.vocabulary import AlertSeverity

        alerts = [[labels.rule_name(r.rule), labels.alert_severity(AlertSeverity(r.severity)), r.raised,
                   r.acknowledged, format_value("minutes", r.median_ack_min), r.escalated]
                  for r in comparison.alerts]
        incidents = [[self.tr("Drills") if i.drill else self.tr("Incidents"), i.reported, i.closed,
                      format_value("minutes", i.median_response_min), format_value("minutes", i.median_close_min)]
                     for i in comparison.incidents]
        comments = self.comments.toPlainText().strip()
        return [
            (self.tr("Review"), [self.tr("Item"), self.tr("Value")], about),
            (self.tr("Service figures"), header, figures),
            (self.tr("Trend by %1").replace("%1", steps.lower()),
             [steps, self.tr("Tickets issued a day (average)"), self.tr("Average wait (min)"),
              self.tr("90% waited under (min)"), self.tr("Service level (%)"), self.tr("Abandonment (%)"),
              self.tr("Peak lobby occupancy (people)"), self.tr("Visitors counted at the entrance, a day")], trend),
            (self.tr("Customer ratings"), [self.tr("Counter or service type"), self.tr("Rated"),
                                          self.tr("Average (of 5)"), self.tr("Scored 1 or 2")], rating_rows),
            (self.tr("Alerts by rule"), [self.tr("Rule"), self.tr("Level"), self.tr("Raised"),
                                        self.tr("Acknowledged"), self.tr("Median minutes to acknowledge"),
                                        self.tr("Escalated")], alerts),
            (self.tr("Incidents and drills"), [self.tr("Kind"), self.tr("Reported"), self.tr("Closed"),
                                              self.tr("Median minutes to first response"),
                                              self.tr("Median minutes to close")], incidents),
            (self.tr("Comments"), [self.tr("Branch manager's comments")],
             [[line] for line in comments.splitlines()] or [[self.tr("(none)")]]),
        ]

    def trend_images(self) -> dict[str, QImage]:
        """The tickets-a-day and the service-level trends as page-wide pictures for the PDF, drawn on a chart of
        their own (never on screen), this period solid and a year earlier dashed."""
        from PySide6.QtWidgets import QApplication

        current, year_ago = self.comparison.current, self.comparison.year_ago
        images = {}
        for key in ("arrived", "service_level"):
            chart = pg.PlotWidget(background="w")
            chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            chart.resize(1000, 360)
            chart.showGrid(x=True, y=True, alpha=0.25)
            chart.addLegend(offset=(-8, 4), labelTextColor="#1f2937", brush="#ffffffd0")
            xs = list(range(len(current.groups)))
            chart.getAxis("bottom").setTicks([[(i, self._short_label(current.groups[i].label)) for i in xs]])
            for side in ("left", "bottom"):
                chart.getAxis(side).setTextPen("#374151")
            series = [(self.tr("This period"), self._values(key, current), CURRENT_PEN, False)]
            if year_ago.days:
                series.append((self.tr("A year earlier"), self._values(key, year_ago)[:len(xs)], YEAR_AGO_PEN, True))
            for name, ys, colour, dashed in series:
                self._curve(name, xs, ys, colour, dashed, plot=chart)
            chart.show()
            QApplication.processEvents()
            images[f"trend-{key}.png"] = chart.grab().toImage()
            chart.close()
            chart.deleteLater()
        return images

    def review_html(self, found) -> str:
        """The review for the PDF: its sections as tables, the two trend charts above the trend's table (this
        period solid, a year earlier dashed)."""
        from console.reports.export import sections_html

        c = self.comparison.current
        title = self.tr("Service-quality review")
        if self.branch_name:
            title += f" — {self.branch_name}"
        captions = {"arrived": self.tr("Tickets issued a day (average)"),
                    "service_level": self.tr("Service level (%)")}
        charts = "".join(f'<p><b>{html.escape(caption)}</b><br><img src="trend-{key}.png" width="640"></p>'
                         for key, caption in captions.items())
        return sections_html(title, f"{c.first.isoformat()} – {c.last.isoformat()}", found, {found[2][0]: charts})
