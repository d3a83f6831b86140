"""Reports panel: today's figures so far, per service type and per counter (same numbers as ``main.py report``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.vocabulary import ServiceType
from console.reports.export import ExportError, export_report
from console.sources.live_view import BranchView
from widgets import labels
from widgets.tables import ensure_rows, make_table, set_cell


def fmt_min(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


class ReportPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        box = QFrame()
        box.setObjectName("figureBox")
        grid = QGridLayout(box)
        self.values: dict[str, QLabel] = {}
        figures = [
            ("arrived", self.tr("Arrived")),
            ("served", self.tr("Served")),
            ("no_show", self.tr("No-show")),
            ("abandoned", self.tr("Abandoned")),
            ("avg_wait", self.tr("Avg wait (min)")),
            ("p90_wait", self.tr("90% waited under (min)")),
            ("max_wait", self.tr("Max wait (min)")),
            ("service_level", self.tr("Service level")),
            ("avg_txn", self.tr("Avg transaction (min)")),
            ("max_txn", self.tr("Max transaction (min)")),
        ]
        for i, (key, caption) in enumerate(figures):
            value = QLabel("—")
            value.setObjectName("mediumNumber")
            self.values[key] = value
            grid.addWidget(QLabel(caption), (i // 5) * 2, i % 5)
            grid.addWidget(value, (i // 5) * 2 + 1, i % 5)
        self.types = make_table([self.tr("Service type"), self.tr("Arrived"), self.tr("Served"), self.tr("Avg wait (min)")],
                                stretch_column=0)
        self.counters = make_table([self.tr("Counter"), self.tr("Served"), self.tr("Avg transaction (min)"),
                                    self.tr("Busy (min)")], stretch_column=0)
        tables = QHBoxLayout()
        tables.addWidget(self.types)
        tables.addWidget(self.counters)
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setToolTip(self.tr("Write this report to a CSV or Excel file"))
        self.export_button.clicked.connect(self.choose_export)
        self.export_button.setEnabled(False)
        self.export_denied: str | None = None  # why this user may not export (None: allowed)
        self._report = None
        self.periods_button = QPushButton(self.tr("Periods…"))
        self.periods_button.setToolTip(self.tr("Weeks, months, quarters or any range beside the period before and a "
                                               "year earlier, with trends and a weekday × half-hour map"))
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.periods_button)
        heading.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(heading)
        layout.addWidget(box)
        # priority and appointment customers apart: are they really served first?
        self.priority_label = QLabel()
        self.priority_label.setObjectName("priorityFigures")
        self.priority_label.setWordWrap(True)
        layout.addWidget(self.priority_label)
        layout.addLayout(tables)

    @Slot()
    def choose_export(self) -> None:
        if self._report is None:
            return
        suggested = f"report-{self._report.date.isoformat()}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export report"), suggested,
                                              self.tr("Excel workbook (*.xlsx);;CSV file (*.csv)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Write the report shown now to ``path`` (.csv or .xlsx); a failure is explained in a dialog."""
        if self._report is None:
            return False
        try:
            export_report(self._report, path)
        except ExportError as exc:
            QMessageBox.warning(self, self.tr("Export report"),
                                self.tr("The report was not written: %1").replace("%1", str(exc)))
            return False
        return True

    def show_priority(self, r) -> None:
        def share(v: float | None) -> str:
            return "—" if v is None else f"{v * 100:.0f}%"

        lines = []
        if r.priority is not None and r.ordinary is not None:
            lines.append(self.tr("Priority tickets: %1, average wait %2 min (longest %3), %4 within target · "
                                 "ordinary: average wait %5 min")
                         .replace("%1", str(r.priority.arrived)).replace("%2", fmt_min(r.priority.avg_wait_min))
                         .replace("%3", fmt_min(r.priority.max_wait_min))
                         .replace("%4", share(r.priority.service_level))
                         .replace("%5", fmt_min(r.ordinary.avg_wait_min)))
        a = r.appointments
        if a is not None and (a.booked or a.cancelled):
            lines.append(self.tr("Appointments: %1 booked, %2 checked in (%3 on time), %4 missing · wait after "
                                 "check-in %5 min on average · %6 called within 5 min of their slot")
                         .replace("%1", str(a.booked)).replace("%2", str(a.checked_in))
                         .replace("%3", str(a.on_time)).replace("%4", str(a.missing))
                         .replace("%5", fmt_min(a.avg_wait_after_check_in_min))
                         .replace("%6", share(a.called_on_time_share)))
        g = getattr(r, "ratings", None)
        if g is not None and g.rated:
            counters = ", ".join(f"{labels.counter_name(c)} {f.avg_score:.1f} ({f.rated})"
                                 for c, f in g.per_counter.items() if f.avg_score is not None)
            lines.append(self.tr("Customer ratings: %1 rated, average %2 of 5, %3 scored 1 or 2 · by counter: %4")
                         .replace("%1", str(g.rated)).replace("%2", f"{g.avg_score:.1f}")
                         .replace("%3", str(g.low)).replace("%4", counters or "—"))
        self.priority_label.setText("\n".join(lines))

    @Slot(object)
    def set_export_denied(self, why: str | None) -> None:
        """Export disabled, with ``why`` as its tooltip, for a role that may not export (None: allowed)."""
        self.export_denied = why
        self.export_button.setEnabled(self._report is not None and why is None)
        self.export_button.setToolTip(why or self.tr("Write this report to a CSV or Excel file"))

    def show_view(self, view: BranchView) -> None:
        r = view.report
        self._report = r
        self.export_button.setEnabled(r is not None and self.export_denied is None)
        if r is None:
            return
        self.title.setText(self.tr("Today so far (%1), target: called within %2 min")
                           .replace("%1", r.date.isoformat()).replace("%2", f"{r.target_wait_min:g}"))
        level = "—" if r.service_level is None else f"{r.service_level * 100:.1f}%"
        for key, text in (
            ("arrived", str(r.arrived)), ("served", str(r.served)), ("no_show", str(r.no_show)),
            ("abandoned", str(r.abandoned)), ("avg_wait", fmt_min(r.avg_wait_min)),
            ("p90_wait", fmt_min(r.p90_wait_min)), ("max_wait", fmt_min(r.max_wait_min)), ("service_level", level),
            ("avg_txn", fmt_min(r.avg_transaction_min)), ("max_txn", fmt_min(r.max_transaction_min)),
        ):
            self.values[key].setText(text)
        self.show_priority(r)
        ensure_rows(self.types, len(r.per_service_type))
        for row, (name, t) in enumerate(r.per_service_type.items()):
            set_cell(self.types, row, 0, labels.service_type(ServiceType(name)))
            set_cell(self.types, row, 1, str(t.arrived), align_right=True)
            set_cell(self.types, row, 2, str(t.served), align_right=True)
            set_cell(self.types, row, 3, fmt_min(t.avg_wait_min), align_right=True)
        ensure_rows(self.counters, len(r.per_counter))
        for row, (cid, c) in enumerate(r.per_counter.items()):
            set_cell(self.counters, row, 0, labels.counter_name(cid))
            set_cell(self.counters, row, 1, str(c.served), align_right=True)
            set_cell(self.counters, row, 2, fmt_min(c.avg_transaction_min), align_right=True)
            set_cell(self.counters, row, 3, f"{c.busy_min:.0f}", align_right=True)
