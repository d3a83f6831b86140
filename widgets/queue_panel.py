"""Queue panel: tickets waiting per service type, longest current wait, estimated wait, service level today."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from console import labels
from console.branch_controller import SERVICE_TARGET, BranchView
from widgets.tables import ensure_rows, make_table, set_cell


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


class QueuePanel(QWidget):
    COL_TYPE, COL_WAITING, COL_LONGEST, COL_ESTIMATE, COL_COUNTERS = range(5)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waiting_value = QLabel("—")
        self.longest_value = QLabel("—")
        self.level_value = QLabel("—")
        for label in (self.waiting_value, self.longest_value, self.level_value):
            label.setObjectName("mediumNumber")
        box = QFrame()
        box.setObjectName("figureBox")
        grid = QGridLayout(box)
        grid.addWidget(QLabel(self.tr("Waiting")), 0, 0)
        grid.addWidget(QLabel(self.tr("Longest wait")), 0, 1)
        target_min = int(SERVICE_TARGET.total_seconds() // 60)
        grid.addWidget(QLabel(self.tr("Called within %1 min today").replace("%1", str(target_min))), 0, 2)
        grid.addWidget(self.waiting_value, 1, 0)
        grid.addWidget(self.longest_value, 1, 1)
        grid.addWidget(self.level_value, 1, 2)
        self.table = make_table(
            [self.tr("Service type"), self.tr("Waiting"), self.tr("Longest wait"), self.tr("Estimated wait"),
             self.tr("Counters working")],
            stretch_column=self.COL_TYPE,
        )
        # service over the last 60 minutes beside today's
        self.period_label = QLabel()
        self.period_label.setObjectName("periodFigures")
        self.period_label.setWordWrap(True)
        # camera meets queue: people the cameras count in the waiting area beside the tickets waiting
        self.camera_label = QLabel()
        self.camera_label.setObjectName("cameraVsQueue")
        self.camera_label.setWordWrap(True)
        self.camera_label.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(box)
        layout.addWidget(self.period_label)
        layout.addWidget(self.camera_label)
        layout.addWidget(self.table)

    def show_periods(self, view: BranchView) -> None:
        wait = labels.minutes
        hour, today = view.last_hour, view.today
        self.period_label.setText(
            self.tr("Last 60 min: %1 called within the target, average wait %2 · today: average wait %3")
            .replace("%1", percent(hour.service_level)).replace("%2", wait(hour.avg_wait_s))
            .replace("%3", wait(today.avg_wait_s)))

    def show_camera_vs_queue(self, view: BranchView) -> None:
        people, gap = view.people_waiting, view.people_without_ticket
        self.camera_label.setVisible(people is not None)
        if people is None or gap is None:
            return
        text = self.tr("Waiting area (camera): %1 people · tickets waiting: %2").replace("%1", str(people)).replace(
            "%2", str(view.waiting_total))
        if gap > 0:
            text += " · " + self.tr("%1 without a ticket (or accompanying)").replace("%1", str(gap))
        elif gap < 0:
            text += " · " + self.tr("%1 ticket holders not in the waiting area").replace("%1", str(-gap))
        else:
            text += " · " + self.tr("they match")
        self.camera_label.setText(text)

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        self.waiting_value.setText(str(view.waiting_total))
        self.longest_value.setText(labels.wait_duration(view.longest_wait_s) if view.waiting_total else "—")
        self.level_value.setText(percent(view.service_level_today))
        self.show_camera_vs_queue(view)
        self.show_periods(view)
        ensure_rows(self.table, len(view.queues))
        for row, q in enumerate(view.queues):
            set_cell(self.table, row, self.COL_TYPE, labels.service_type(q.service_type))
            set_cell(self.table, row, self.COL_WAITING, str(q.waiting), align_right=True)
            set_cell(self.table, row, self.COL_LONGEST, labels.wait_duration(q.longest_wait_s) if q.waiting else "—",
                     align_right=True)
            estimate = labels.minutes(q.estimated_wait_s) if q.estimated_wait_s is not None else self.tr("no counter")
            set_cell(self.table, row, self.COL_ESTIMATE, estimate, align_right=True)
            set_cell(self.table, row, self.COL_COUNTERS, str(q.counters_working), align_right=True)
