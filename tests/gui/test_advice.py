"""Live staffing advice in the window: the scheduled job evaluates on the branch clock, the panel states need against
supply, an accepted proposal becomes audited counter requests that the simulator carries out, a dismissed one
stays hidden."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel

from console.app.main_window import MainWindow
from console.domain.advice import WORKING
from console.domain.vocabulary import QUEUED_SERVICE_TYPES
from storage import repository
from tests.gui.test_main_window import pause, run_for

pytestmark = pytest.mark.gui


def fresh_result(context):
    """Evaluate now from the latest view the service received (the paused demo does not move the clock)."""
    service = context.advice
    return service.evaluate(service._inputs)


def first_advice(qtbot, context, window):
    """Play the lunch peak two simulated minutes at a time until the advice has a proposal; the demo is left paused
    and the panel showing that result."""
    service = context.advice
    for _ in range(8):
        run_for(qtbot, context, sim_minutes=2)
        pause(qtbot, context)
        qtbot.waitUntil(lambda: service._inputs.at == context.controller.latest.snapshot.at, timeout=5_000)
        result = fresh_result(context)
        qtbot.waitUntil(lambda: window.advice.result is result, timeout=5_000)
        if result.advice:
            return result.advice[0]
        context.runner.resume()
    raise AssertionError("no staffing advice during the lunch peak")


def test_the_job_evaluates_once_a_branch_minute_and_the_panel_shows_need_against_supply(qtbot, demo_context) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    service = demo_context.advice
    qtbot.waitUntil(lambda: service.latest is not None, timeout=30_000)  # the APScheduler job ran by itself
    run_for(qtbot, demo_context, sim_minutes=3)
    pause(qtbot, demo_context)
    qtbot.waitUntil(lambda: service._inputs is not None and service._inputs.at == demo_context.controller.latest
                    .snapshot.at, timeout=5_000)
    service.run_due()  # evaluates unless the job already did in this branch minute
    assert service.run_due() is None  # same branch minute: not evaluated again

    result = fresh_result(demo_context)
    qtbot.waitUntil(lambda: window.advice.result is result, timeout=5_000)  # delivered to the GUI thread
    snap = demo_context.controller.latest.snapshot
    for load in result.loads:  # supply counted independently: working counters with the type first
        working = sum(1 for c in snap.counters if c.state in WORKING and c.staff_id and c.service_types[0] is
                      load.service_type)
        assert load.working == working
        arrived = sum(1 for t in snap.tickets if t.service_type is load.service_type
                      and snap.at - timedelta(minutes=30) < t.issued_at <= snap.at)
        assert load.arrivals_per_hour == pytest.approx(arrived * 2)
    text = window.advice.summary.text()
    for load in result.loads:
        assert f"{load.working} of {load.required}" in text
    assert {ld.service_type for ld in result.loads} <= set(QUEUED_SERVICE_TYPES)


def test_accepting_advice_requests_audited_changes_that_the_simulator_carries_out(qtbot, demo_context) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    found = first_advice(qtbot, demo_context, window)
    card = window.advice.cards[0]
    assert card[0] == found and card[1].text() == window.advice.headline(found)
    assert window.advice.person(found.staff_id) in card[1].text() or found.staff_id is None

    card[2].click()  # Accept
    assert window.advice_actions.accepted == [found]
    audit = repository.load_audit(demo_context.env.db)
    assert [a.action for a in audit] == [f"counter.{c.action.value}" for c in found.commands]
    assert all(a.entity_id == f"DEMO/{found.counter_id}" for a in audit)
    assert all(c.key != found.key for c, *_ in window.advice.cards)  # taken off the list
    demo_context.runner.resume()

    def carried_out() -> bool:
        counter = next(c for c in demo_context.controller.latest.snapshot.counters if c.counter_id == found.counter_id)
        last = found.commands[-1]
        if last.action.value == "close":
            return counter.state.value == "closed"
        if last.action.value == "set_service_types":
            return counter.service_types == last.service_types
        return counter.state in WORKING and (last.staff_id is None or counter.staff_id == last.staff_id)

    qtbot.waitUntil(carried_out, timeout=30_000)


def test_dismissed_advice_stays_hidden_for_a_while(qtbot, demo_context) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    shown = first_advice(qtbot, demo_context, window)
    qtbot.waitUntil(lambda: bool(window.advice.cards), timeout=5_000)
    window.advice.cards[0][3].click()  # Dismiss
    qtbot.waitUntil(lambda: all(a.key != shown.key for a, *_ in window.advice.cards), timeout=5_000)
    again = fresh_result(demo_context)
    assert all(a.key != shown.key for a in again.advice)
    assert repository.load_audit(demo_context.env.db) == []  # nothing was requested


def test_each_proposal_says_what_it_costs_and_gains_with_the_arithmetic(qapp) -> None:
    """The card under each proposal: the expected wait after it (customers waiting × minutes each ÷ the counters
    then working, the proposals before it for the queue counted) and what it costs."""
    from console.app.i18n import Translations
    from console.domain.advice import AdviceResult, advise
    from console.domain.records import StaffMember
    from console.domain.vocabulary import CounterState, ServiceType, StaffRole
    from tests.domain.test_advice import AT, FALLBACK, SETTINGS, STAFF, counter, tickets, work
    from widgets.panels.advice_panel import AdvicePanel

    Translations().install("en")
    cash, non_cash = ServiceType.CASH, ServiceType.NON_CASH
    staff = (*STAFF, StaffMember("E7", "Sun", StaffRole.TELLER, (ServiceType.VIP, non_cash)))
    counters = (counter("1", CounterState.IDLE, "E1", since_min=12),
                counter("5", CounterState.SERVING, "E5", types=(non_cash,)),
                counter("6", CounterState.CLOSED, types=(non_cash,)))
    ts = tickets(cash, arrived=2, cycle_s=240) + tickets(non_cash, arrived=16, cycle_s=330, waiting=9)
    loads, advice = advise(AT, counters, ts, staff, (work("E1"), work("E5"), work("E6")), FALLBACK, SETTINGS)
    panel = AdvicePanel()
    panel.show_result(AdviceResult(AT, tuple(loads), tuple(advice), 600, 0.8, {p.staff_id: p.name for p in staff}))
    minutes = advice[0].load.counter_time_s / 60
    first, second = panel.trade(advice[0], (9 * minutes * 60 / 2, 2)), panel.trade(advice[1], (9 * minutes * 60 / 3, 3))
    assert first == (f"Expected wait after: {9 * minutes / 2:.0f} min (9 waiting × {minutes:.1f} min ÷ 2 counters). "
                     "Costs nothing now: nobody waits for its own queues, which keep their precedence.")
    assert second.endswith("Wu leaves other work (on shift, not at a counter).") and "÷ 3 counters" in second
    shown = [w.text() for w in panel.findChildren(QLabel) if w.objectName() == "adviceTrade"]
    assert shown[:2] == [first, second]


def test_the_replay_proposes_what_the_window_showed(qtbot, demo_context) -> None:
    """``advice --at`` on what the window stored agrees with the window's own proposals at that instant (the same
    actions, counters, people and service types, and the same need per service type)."""
    from console.alerts.advice_replay import advice_at

    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    found = first_advice(qtbot, demo_context, window)
    shown = window.advice.result
    assert found in shown.advice
    demo_context.writer.flush(timeout_s=10.0)  # everything the window saw is stored
    db = demo_context.env.db
    branch = repository.load_branch(db, demo_context.branch_code)
    staffing = demo_context.env.settings.staffing
    replayed = advice_at(db, branch, shown.at, staffing.target_wait_min, staffing.target_share)

    def proposals(result) -> list[tuple]:
        return [(a.kind, a.counter_id, a.staff_id, a.commands[0].service_types) for a in result.advice]

    assert proposals(replayed) == proposals(shown)
    assert [(ld.service_type, ld.waiting, ld.working, ld.required) for ld in replayed.loads] == \
        [(ld.service_type, ld.waiting, ld.working, ld.required) for ld in shown.loads]
