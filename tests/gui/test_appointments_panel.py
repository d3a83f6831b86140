"""The queue panel's appointment figures and the report panel's priority line on the demo branch, recomputed here
from the simulator's own appointments and tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.app.main_window import MainWindow
from tests.gui.test_main_window import pause, run_for
from widgets.tables import cell_text

pytestmark = pytest.mark.gui


def test_appointments_on_the_queue_panel(qtbot, demo_context) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    run_for(qtbot, demo_context, sim_minutes=10)
    pause(qtbot, demo_context)
    sim = demo_context.runner.day.sim
    now = sim.now
    appointments = sim.appointments()
    tickets = {t.ticket_id: t for t in sim.tickets()}

    cancelled = [a for a in appointments if a.cancelled_at is not None and a.cancelled_at <= now]
    live = [a for a in appointments if a not in cancelled]
    checked = [a for a in live if a.checked_in_at is not None and a.checked_in_at <= now]
    early = [a for a in checked if (a.due_at - a.checked_in_at) > timedelta(minutes=15)]
    late_in = [a for a in checked if (a.checked_in_at - a.due_at) > timedelta(minutes=10)]
    absent = [a for a in live if a not in checked]
    due = [a for a in absent if a.due_at - timedelta(minutes=30) <= now <= a.due_at + timedelta(minutes=10)]
    late = [a for a in absent if a.due_at + timedelta(minutes=10) < now <= a.due_at + timedelta(minutes=30)]
    missing = [a for a in absent if now > a.due_at + timedelta(minutes=30)]
    expected = (f"Appointments today: {len(live)} booked · {len(checked)} checked in ({len(early)} early, "
                f"{len(checked) - len(early) - len(late_in)} on time, {len(late_in)} late) · {len(due)} due now · "
                f"{len(late)} late · {len(missing)} missing")
    panel = window.queue
    assert panel.appointment_label.text() == expected
    assert len(checked) > 0 and len(due) + len(late) > 0  # the lunch peak has appointments in play

    waiting_checked = [a for a in checked if tickets[a.ticket_id].called_at is None]
    recent_missing = [a for a in missing if now - a.due_at <= timedelta(minutes=60)]
    shown = sorted(due + late + waiting_checked + recent_missing, key=lambda a: (a.due_at, a.appointment_id))
    rows = [cell_text(panel.appointments, r, panel.A_ID) for r in range(panel.appointments.rowCount())]
    assert rows == [a.appointment_id for a in shown]
    for r, a in enumerate(shown):
        assert cell_text(panel.appointments, r, panel.A_SLOT) == a.due_at.strftime("%H:%M")
        ticket = tickets.get(a.ticket_id) if a.ticket_id else None
        assert cell_text(panel.appointments, r, panel.A_TICKET) == (ticket.number if ticket else "—")

    # the report panel's priority line: average wait of today's priority tickets, recomputed
    priority = [t for t in tickets.values() if t.priority and t.called_at is not None]
    avg = sum((t.called_at - t.issued_at).total_seconds() / 60 for t in priority) / len(priority)
    text = window.reports.priority_label.text()
    assert text.startswith(f"Priority tickets: {sum(1 for t in tickets.values() if t.priority)}, average wait "
                           f"{avg:.1f} min")
