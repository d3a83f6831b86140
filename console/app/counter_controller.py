"""GUI-thread handling of the counter board's actions: choose, confirm, request, explain a refusal.

The board asks for an action on a counter; this controller asks the manager for what the action needs (a staff
member, service types, a confirmation before closing a counter that customers are waiting for), hands the
request to the ``CounterDesk`` (check, store with its audit entry, forward) and shows a refusal or a storage
failure in a message box that names the counter, the person or the service type concerned.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from console.app.branch_controller import BranchController
from console.domain.counter_actions import Problem, Refusal, check_command
from console.domain.queue_metrics import is_waiting
from console.domain.records import CounterCommand
from console.domain.vocabulary import CounterAction, CounterState
from console.staffing.counter_desk import CounterDesk, RequestResult
from widgets import labels
from widgets.dialogs.counter_dialogs import ServiceTypesDialog, StaffPickerDialog
from widgets.panels.counter_board import CounterBoard


class CounterController(QObject):
    """Connects a ``CounterBoard`` to a ``CounterDesk``; dialogs are parented to ``window``. No Python references
    back to the window or the board (the window owns this object), so no reference cycle holds Qt wrappers."""

    def __init__(self, board: CounterBoard, desk: CounterDesk | None, controller: BranchController,
                 window: QWidget) -> None:
        super().__init__(window)  # owned by the window; dialogs are parented to self.parent()
        self.desk = desk
        self.controller = controller
        self.last_result: RequestResult | None = None
        board.sig_action.connect(self.on_action)
        if desk is None:
            board.actions_enabled = False

    # --- wording --------------------------------------------------------------------------------------------

    def explain(self, refusal: Refusal) -> str:
        """A refusal in words, naming the counter and the person or service type concerned."""
        view = self.controller.latest
        names = {s.staff_id: s.name for s in view.snapshot.staff} if view is not None else {}
        counter = labels.counter_name(refusal.counter_id)
        person = f"{names.get(refusal.staff_id, refusal.staff_id)} ({refusal.staff_id})" if refusal.staff_id else ""
        state = labels.counter_state(refusal.state).lower() if refusal.state is not None else ""
        service = labels.service_type(refusal.service_type) if refusal.service_type is not None else ""
        text = {
            Problem.UNKNOWN_COUNTER: self.tr("%1 is not one of this branch's counters."),
            Problem.ALREADY: self.tr("%1 is already %3."),
            Problem.OFFLINE: self.tr("%1 is offline: its terminal does not answer. Close it, or wait until it is "
                                     "back."),
            Problem.NEEDS_STAFF: self.tr("%1 is closed: choose who will work there."),
            Problem.UNKNOWN_STAFF: self.tr("%2 is not in the staff directory."),
            Problem.ON_LEAVE: self.tr("%2 is on leave today and cannot take %1."),
            Problem.NOT_SKILLED: self.tr("%2 cannot handle %4, which %1 takes."),
            Problem.BUSY_ELSEWHERE: self.tr("%2 is working at %5. Pause or close %5 first."),
            Problem.NO_SERVICE_TYPES: self.tr("%1 must take at least one service type."),
        }[refusal.problem]
        if refusal.problem is Problem.ALREADY and refusal.staff_id:
            text = self.tr("%2 is already at %1.")
        other = labels.counter_name(refusal.other_counter) if refusal.other_counter else ""
        return (text.replace("%1", counter).replace("%2", person).replace("%3", state).replace("%4", service)
                .replace("%5", other))

    # --- actions --------------------------------------------------------------------------------------------

    @Slot(str, object)
    def on_action(self, counter_id: str, action: CounterAction) -> None:
        view = self.controller.latest
        if view is None or self.desk is None:
            return
        snap = view.snapshot
        counter = next((c for c in snap.counters if c.counter_id == counter_id), None)
        if counter is None:
            return
        staff_id = None
        service_types = ()
        needs_person = action is CounterAction.ASSIGN_STAFF or (
            action is CounterAction.OPEN and (counter.state is CounterState.CLOSED or counter.staff_id is None))
        if needs_person:
            def check(sid: str) -> Refusal | None:
                probe = CounterCommand(counter_id, action, snap.at, self.desk.user, staff_id=sid)
                return check_command(probe, snap.counters, snap.staff, snap.roster)

            dialog = StaffPickerDialog(counter, view.presence, check, self.explain, self.parent())
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.selected() is None:
                return
            staff_id = dialog.selected()
        elif action is CounterAction.SET_SERVICE_TYPES:
            dialog = ServiceTypesDialog(counter, self.parent())
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            service_types = dialog.selected()
        elif action is CounterAction.CLOSE and not self._confirm_close(view, counter):
            return
        self.submit(counter_id, action, staff_id=staff_id, service_types=service_types)

    def submit(self, counter_id: str, action: CounterAction, *, staff_id: str | None = None,
               service_types=()) -> RequestResult | None:
        """Request without dialogs (the board's dialogs call this; so do tests). Shows a refusal or failure."""
        view = self.controller.latest
        if view is None or self.desk is None:
            return None
        result = self.desk.request(view.snapshot, counter_id, action, staff_id=staff_id, service_types=service_types)
        self.last_result = result
        if result.refusal is not None:
            QMessageBox.warning(self.parent(), labels.counter_action(action), self.explain(result.refusal))
        elif result.error is not None:
            QMessageBox.critical(self.parent(), labels.counter_action(action),
                                 self.tr("The request for %1 was not stored, nothing was changed: %2")
                                 .replace("%1", labels.counter_name(counter_id)).replace("%2", result.error))
        elif result.command is not None:
            self.controller.add_request(result.command)
        return result

    def _confirm_close(self, view, counter) -> bool:
        """Closing a counter that is the last one for a service type with customers waiting deserves a question."""
        snap = view.snapshot
        others = [c for c in snap.counters if c.counter_id != counter.counter_id
                  and c.state in (CounterState.OPEN, CounterState.SERVING, CounterState.IDLE)]
        stranded = [t for t in counter.service_types if not any(t in c.service_types for c in others)]
        waiting = sum(1 for t in snap.tickets if t.service_type in stranded and is_waiting(t, snap.at))
        if not waiting:
            return True
        answer = QMessageBox.question(
            self.parent(), labels.counter_action(CounterAction.CLOSE),
            self.tr("%1 is the last open counter for %2, and %3 customers are waiting for it. Close it anyway?")
            .replace("%1", labels.counter_name(counter.counter_id, counter.name))
            .replace("%2", " · ".join(labels.service_type(t) for t in stranded)).replace("%3", str(waiting)))
        return answer == QMessageBox.StandardButton.Yes
