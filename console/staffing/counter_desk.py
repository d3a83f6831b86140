"""The branch manager's counter actions end to end: check, store with the audit entry, hand to the branch.

``CounterDesk.request`` runs in the GUI thread (the board's buttons) or in a CLI process. It checks the request
against the latest snapshot (``console/domain/counter_actions.py``), stores it and its audit entry in one
transaction through the database writer, and hands it to the branch: on the demo branch the simulator carries it
out (it plays the ticketing system); on a real branch the ticketing system reads it from
``GET /api/v1/counter-commands`` and its terminals report the result through the feed. Until then the board shows
the request as pending. No Qt here.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from console.domain.counter_actions import Refusal, check_command
from console.domain.records import CounterCommand, CounterStatus
from console.domain.vocabulary import CounterAction, CounterState, ServiceType
from console.security.access import console_user
from console.sources.snapshot import BranchSnapshot
from storage.tasks import SaveCounterCommand
from storage.writer import WriteFailed

log = logging.getLogger(__name__)


def counter_values(counter: CounterStatus) -> dict[str, object]:
    """The audited values of a counter: state, staff member and service types."""
    return {"state": counter.state.value, "staff_id": counter.staff_id,
            "service_types": [t.value for t in counter.service_types]}


def requested_values(counter: CounterStatus, command: CounterCommand) -> dict[str, object]:
    """The counter's values as the request asks for them (the "after" of the audit entry)."""
    after = counter_values(counter)
    action = command.action
    if action is CounterAction.OPEN:
        after["state"] = CounterState.IDLE.value
        after["staff_id"] = command.staff_id or counter.staff_id
    elif action is CounterAction.PAUSE:
        after["state"] = CounterState.PAUSED.value
    elif action is CounterAction.CLOSE:
        after["state"], after["staff_id"] = CounterState.CLOSED.value, None
    elif action is CounterAction.ASSIGN_STAFF:
        after["staff_id"] = command.staff_id
        if counter.state is CounterState.CLOSED:
            after["state"] = CounterState.IDLE.value
    else:
        after["service_types"] = [t.value for t in command.service_types]
    return after


@dataclass(frozen=True)
class RequestResult:
    command: CounterCommand | None  # the stored request, None when refused or not stored
    refusal: Refusal | None = None
    error: str | None = None  # the database could not store it (nothing was changed)


class CounterDesk:
    """Checks, stores and forwards counter requests for one branch."""

    def __init__(self, branch_code: str, submit_and_wait: Callable[[object], object],
                 carry_out: Callable[[CounterCommand], None] | None, user: str | None = None) -> None:
        self._code = branch_code
        self._store = submit_and_wait
        self._carry_out = carry_out
        self.user = user or console_user()

    def request(self, snapshot: BranchSnapshot, counter_id: str, action: CounterAction, *,
                staff_id: str | None = None, service_types: Sequence[ServiceType] = (),
                user: str | None = None) -> RequestResult:
        """Check and store one request made at the snapshot's instant; the stored command or why not. ``user``:
        who asks, when not the console's logged-in user (a request through the HTTP API)."""
        command = CounterCommand(counter_id=counter_id, action=action, at=snapshot.at, requested_by=user or self.user,
                                 staff_id=staff_id, service_types=tuple(service_types))
        refusal = check_command(command, snapshot.counters, snapshot.staff, snapshot.roster)
        if refusal is not None:
            return RequestResult(None, refusal)
        counter = next(c for c in snapshot.counters if c.counter_id == counter_id)
        task = SaveCounterCommand(self._code, command, counter_values(counter), requested_values(counter, command),
                                  audit_at=datetime.now(UTC))
        try:
            self._store(task)
        except WriteFailed as exc:
            log.error("counter %s: %s not stored: %s", counter_id, action.value, exc)
            return RequestResult(None, error=str(exc))
        stored = dataclasses.replace(command, command_id=task.command_id)
        log.info("counter %s: %s requested by %s", counter_id, action.value, command.requested_by)
        if self._carry_out is not None:
            self._carry_out(stored)
        return RequestResult(stored)
