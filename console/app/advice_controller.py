"""GUI-thread handling of the staffing advice: an accepted proposal becomes counter requests (checked, stored with
their audit entries and carried out by ``CounterController.submit``, exactly as if the manager had used the board);
a dismissed one is hidden for a while by the ``AdviceService``."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from console.app.advice_service import AdviceService
from console.app.counter_controller import CounterController
from console.domain.advice import Advice
from widgets.panels.advice_panel import AdvicePanel


class AdviceController(QObject):
    """Connects an ``AdvicePanel`` to the ``AdviceService`` and the counter actions; owned by the window."""

    def __init__(self, panel: AdvicePanel, service: AdviceService, counter_actions: CounterController,
                 window: QObject) -> None:
        super().__init__(window)
        self.service = service
        self.counter_actions = counter_actions
        self.accepted: list[Advice] = []
        panel.sig_accept.connect(self.accept)
        panel.sig_dismiss.connect(self.dismiss)
        service.sig_advice.connect(panel.show_result)
        if counter_actions.desk is None:
            panel.actions_enabled = False
        if service.latest is not None:
            panel.show_result(service.latest)

    @Slot(object)
    def accept(self, advice: Advice) -> bool:
        """Request each of the proposal's commands in order; stop at the first refused or not stored (the message
        box of ``CounterController`` says why). True when all were stored."""
        for command in advice.commands:
            result = self.counter_actions.submit(command.counter_id, command.action, staff_id=command.staff_id,
                                                 service_types=command.service_types)
            if result is None or result.command is None:
                return False
        self.accepted.append(advice)
        self.service.taken(advice)
        return True

    @Slot(object)
    def dismiss(self, advice: Advice) -> None:
        self.service.dismiss(advice)
