"""Counter actions from the board on the demo branch: the request is checked, stored with its audit entry, shown as
pending, carried out by the simulator and then shown as done; refusals name what is wrong."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from console.app.main_window import MainWindow
from console.domain.vocabulary import CounterAction, CounterState
from storage import repository
from tests.gui.test_main_window import pause, run_for
from widgets.dialogs.counter_dialogs import StaffPickerDialog
from widgets.tables import cell_text

pytestmark = pytest.mark.gui


def state_text(window: MainWindow, counter_id: str) -> str:
    board = window.counters
    row = next(i for i, c in enumerate(board.counters) if c.counter_id == counter_id)
    return cell_text(board.table, row, board.COL_STATE)


def counter(context, counter_id: str):
    return next(c for c in context.controller.latest.snapshot.counters if c.counter_id == counter_id)


def test_pause_from_the_board_is_audited_pending_then_carried_out(qtbot, demo_context, monkeypatch) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    run_for(qtbot, demo_context, sim_minutes=2)
    pause(qtbot, demo_context)
    busy = next(c for c in demo_context.controller.latest.snapshot.counters if c.state is CounterState.SERVING)
    board = window.counters
    board.select_counter(busy.counter_id)
    assert board.buttons[CounterAction.PAUSE].isEnabled() and not board.buttons[CounterAction.OPEN].isEnabled()
    board.buttons[CounterAction.PAUSE].click()  # no dialog for a pause

    result = window.counter_actions.last_result
    assert result is not None and result.command is not None and result.refusal is None
    assert "after this customer" in state_text(window, busy.counter_id)
    audit = repository.load_audit(demo_context.env.db)
    assert [(a.action, a.entity_id) for a in audit] == [("counter.pause", f"DEMO/{busy.counter_id}")]
    assert audit[0].before["state"] == "serving" and audit[0].after["state"] == "paused"
    assert audit[0].user == demo_context.desk.user
    assert [c.action for c in repository.load_counter_commands(demo_context.env.db, "DEMO")] == [CounterAction.PAUSE]

    demo_context.runner.resume()
    qtbot.waitUntil(lambda: counter(demo_context, busy.counter_id).state is CounterState.PAUSED, timeout=30_000)
    qtbot.waitUntil(lambda: state_text(window, busy.counter_id) == "Paused", timeout=5_000)
    assert busy.counter_id not in demo_context.controller.latest.pending
    demo_context.writer.flush()
    stored = next(c for c in repository.load_counters(demo_context.env.db, "DEMO") if c.counter_id == busy.counter_id)
    assert stored.state is CounterState.PAUSED  # the simulator's events went through the feed into storage

    # a refusal names the person and where they work
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: shown.append(text))
    snap = demo_context.controller.latest.snapshot
    working = next(c for c in snap.counters if c.staff_id and c.state in (CounterState.SERVING, CounterState.IDLE,
                                                                            CounterState.OPEN))
    closed = next(c for c in snap.counters if c.state is CounterState.CLOSED)
    result = window.counter_actions.submit(closed.counter_id, CounterAction.OPEN, staff_id=working.staff_id)
    assert result.command is None and shown
    name = next(s.name for s in snap.staff if s.staff_id == working.staff_id)
    assert name in shown[0] and f"Counter {working.counter_id}" in shown[0]
    assert len(repository.load_audit(demo_context.env.db)) == 1  # nothing stored for a refused request


def test_open_a_closed_counter_with_the_staff_picker(qtbot, demo_context) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    run_for(qtbot, demo_context, sim_minutes=1)
    pause(qtbot, demo_context)
    snap = demo_context.controller.latest.snapshot
    closed = next(c for c in snap.counters if c.state is CounterState.CLOSED)
    working = {c.staff_id for c in snap.counters if c.staff_id and c.state is not CounterState.PAUSED}
    seen: dict[str, object] = {}

    def pick() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, StaffPickerDialog) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(50, pick)  # not shown yet
            return
        dialog = dialogs[0]
        try:
            choose(dialog)
        except Exception as exc:  # never leave the modal dialog open
            seen["error"] = repr(exc)
            dialog.reject()

    def choose(dialog: StaffPickerDialog) -> None:
        enabled = {sid for row, sid in enumerate(dialog.staff_ids) if dialog.table.item(row, 0).flags() & Qt.ItemFlag.ItemIsEnabled}
        seen["enabled"] = enabled
        seen["tooltip"] = next(dialog.table.item(row, 0).toolTip() for row, sid in enumerate(dialog.staff_ids)
                               if sid in working)
        row = dialog.staff_ids.index("E1010")  # the branch manager: every skill, not at a counter
        assert "E1010" in enabled, dialog.table.item(row, 0).toolTip()  # else the request would be refused
        dialog.table.selectRow(row)
        dialog.accept()

    QTimer.singleShot(0, pick)
    window.counters.select_counter(closed.counter_id)
    window.counters.buttons[CounterAction.OPEN].click()
    assert "error" not in seen, seen
    assert seen["enabled"] and not (seen["enabled"] & working)  # people working elsewhere are greyed out
    assert "Pause or close" in seen["tooltip"]
    result = window.counter_actions.last_result
    assert result.command is not None and result.command.staff_id == "E1010"
    qtbot.waitUntil(lambda: counter(demo_context, closed.counter_id).staff_id == "E1010", timeout=10_000)
    assert counter(demo_context, closed.counter_id).state is not CounterState.CLOSED
    assert repository.load_audit(demo_context.env.db)[-1].after["staff_id"] == "E1010"
