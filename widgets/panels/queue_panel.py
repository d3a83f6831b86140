"""Queue panel: tickets waiting per service type, longest current wait, estimated wait, service level today."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from console.domain.appointments import AppointmentStatus
from console.domain.queue_metrics import priority_waiting
from console.domain.vocabulary import ServiceType
from console.sources.live_view import BranchView
from widgets import labels
from widgets.tables import ensure_rows, make_table, set_cell


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


#: Background of an appointment row by status: late and missing stand out.
APPOINTMENT_COLOURS = {AppointmentStatus.LATE: "#fed7aa", AppointmentStatus.MISSING: "#fecaca",
                       AppointmentStatus.DUE: "#bfdbfe"}


class QueuePanel(QWidget):
    COL_TYPE, COL_WAITING, COL_LONGEST, COL_ESTIMATE, COL_COUNTERS = range(5)
    A_SLOT, A_ID, A_TYPE, A_STATUS, A_TICKET = range(5)
    P_TICKET, P_TYPE, P_WHO, P_WAIT = range(4)
    #: a priority customer waiting longer than this many minutes is marked (the default priority-wait rule's line)
    PRIORITY_MARK_MIN = 5.0

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
        self.level_title = QLabel(self._level_title(10.0))
        grid.addWidget(self.level_title, 0, 2)
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
        # appointments (预约): today's counts and those to act on now
        self.appointment_label = QLabel()
        self.appointment_label.setObjectName("appointmentSummary")
        self.appointment_label.setWordWrap(True)
        self.appointments = make_table(
            [self.tr("Slot"), self.tr("Appointment"), self.tr("Service type"), self.tr("Status"), self.tr("Ticket")],
            stretch_column=self.A_STATUS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(box)
        layout.addWidget(self.period_label)
        layout.addWidget(self.camera_label)
        appointment_page = QWidget()
        page = QVBoxLayout(appointment_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.appointment_label)
        page.addWidget(self.appointments)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("queueTabs")
        self.tabs.addTab(self.table, self.tr("Service types"))
        self.tabs.addTab(appointment_page, self.tr("Appointments"))
        # priority customers (VIP, elderly, disabled) waiting now, longest first: they are called first
        self.priority = make_table([self.tr("Ticket"), self.tr("Service type"), self.tr("Customer"),
                                    self.tr("Waiting")], stretch_column=self.P_WHO)
        self.tabs.addTab(self.priority, self.tr("Priority"))
        layout.addWidget(self.tabs)

    def show_appointments(self, view: BranchView) -> None:
        counts = view.appointment_counts
        self.tabs.setTabVisible(1, counts is not None)
        if counts is None:
            return
        attention = counts.due + counts.late
        self.tabs.setTabText(1, self.tr("Appointments (%1 due or late)").replace("%1", str(attention)) if attention
                             else self.tr("Appointments"))
        self.appointment_label.setText(
            self.tr("Appointments today: %1 booked · %2 checked in (%3 early, %4 on time, %5 late) · %6 due now · "
                    "%7 late · %8 missing")
            .replace("%1", str(counts.booked)).replace("%2", str(counts.checked_in)).replace("%3", str(counts.early))
            .replace("%4", str(counts.on_time)).replace("%5", str(counts.checked_in_late))
            .replace("%6", str(counts.due)).replace("%7", str(counts.late)).replace("%8", str(counts.missing)))
        at = view.snapshot.at
        ensure_rows(self.appointments, len(view.appointments_now))
        for row, item in enumerate(view.appointments_now):
            a, ticket = item.appointment, item.ticket
            status = labels.appointment_status(item.status)
            if ticket is not None and ticket.called_at is None:
                status += " · " + self.tr("waiting %1").replace("%1", labels.wait_duration(
                    (at - (a.checked_in_at or ticket.issued_at)).total_seconds()))
            colour = APPOINTMENT_COLOURS.get(item.status)
            set_cell(self.appointments, row, self.A_SLOT, a.due_at.astimezone(at.tzinfo).strftime("%H:%M"))
            set_cell(self.appointments, row, self.A_ID, a.appointment_id)
            set_cell(self.appointments, row, self.A_TYPE, labels.service_type(a.service_type))
            set_cell(self.appointments, row, self.A_STATUS, status, background=colour)
            set_cell(self.appointments, row, self.A_TICKET, ticket.number if ticket is not None else "—")

    def show_priority(self, view: BranchView) -> None:
        """The priority customers waiting now with their waits; the tab says how many, and how many past the line."""
        waiting = priority_waiting(view.snapshot.tickets, view.snapshot.at)
        late = sum(1 for _, s in waiting if s >= self.PRIORITY_MARK_MIN * 60)
        title = self.tr("Priority (%1 waiting)").replace("%1", str(len(waiting))) if waiting else self.tr("Priority")
        if late:
            title += " ⚠"
        self.tabs.setTabText(self.tabs.indexOf(self.priority), title)
        ensure_rows(self.priority, len(waiting))
        for row, (ticket, seconds) in enumerate(waiting):
            who = self.tr("VIP customer") if ticket.service_type is ServiceType.VIP and not ticket.priority \
                else self.tr("Priority customer (elderly, disabled, …)")
            colour = "#fef3c7" if seconds >= self.PRIORITY_MARK_MIN * 60 else None
            set_cell(self.priority, row, self.P_TICKET, ticket.number)
            set_cell(self.priority, row, self.P_TYPE, labels.service_type(ticket.service_type))
            set_cell(self.priority, row, self.P_WHO, who)
            set_cell(self.priority, row, self.P_WAIT, labels.wait_duration(seconds), align_right=True,
                     background=colour)

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

    def _level_title(self, target_min: float) -> str:
        return self.tr("Called within %1 min today").replace("%1", f"{target_min:g}")

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        self.level_title.setText(self._level_title(view.service_target_min))
        self.waiting_value.setText(str(view.waiting_total))
        self.longest_value.setText(labels.wait_duration(view.longest_wait_s) if view.waiting_total else "—")
        self.level_value.setText(percent(view.service_level_today))
        self.show_camera_vs_queue(view)
        self.show_periods(view)
        self.show_appointments(view)
        self.show_priority(view)
        ensure_rows(self.table, len(view.queues))
        for row, q in enumerate(view.queues):
            set_cell(self.table, row, self.COL_TYPE, labels.service_type(q.service_type))
            set_cell(self.table, row, self.COL_WAITING, str(q.waiting), align_right=True)
            set_cell(self.table, row, self.COL_LONGEST, labels.wait_duration(q.longest_wait_s) if q.waiting else "—",
                     align_right=True)
            estimate = labels.minutes(q.estimated_wait_s) if q.estimated_wait_s is not None else self.tr("no counter")
            set_cell(self.table, row, self.COL_ESTIMATE, estimate, align_right=True)
            set_cell(self.table, row, self.COL_COUNTERS, str(q.counters_working), align_right=True)
