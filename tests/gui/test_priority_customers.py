"""Priority customers live: the Queue panel lists the VIP and priority tickets waiting now with their waits, longest
first, marked past 5 minutes; a default rule raises one warning when one of them waits more than 5 minutes, worded
with the tickets over the line."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from console.app.i18n import Translations
from console.domain.alert_engine import AlertEngine, ChangeKind, default_rules
from console.domain.alert_measures import BranchState, measure_all
from console.domain.records import AlertRecord, TicketRecord
from console.domain.vocabulary import AlertSeverity, AlertState, ServiceType, TicketStatus
from widgets.alert_words import describe
from widgets.panels.queue_panel import QueuePanel

pytestmark = pytest.mark.gui

AT = datetime(2026, 12, 2, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def ticket(number: str, service: ServiceType, waited_min: float, priority: bool = False,
           called: bool = False) -> TicketRecord:
    issued = AT - timedelta(minutes=waited_min)
    return TicketRecord(number, number, service, priority, issued,
                        TicketStatus.CALLED if called else TicketStatus.WAITING,
                        called_at=issued + timedelta(minutes=1) if called else None)


TICKETS = (ticket("V001", ServiceType.VIP, 7.5), ticket("A010", ServiceType.CASH, 6.2, priority=True),
           ticket("B004", ServiceType.NON_CASH, 2.0, priority=True), ticket("A001", ServiceType.CASH, 25.0),
           ticket("V000", ServiceType.VIP, 30.0, called=True))


def test_the_queue_panel_lists_priority_customers_waiting(qapp) -> None:
    Translations().install("en")
    panel = QueuePanel()
    panel.show_priority(SimpleNamespace(snapshot=SimpleNamespace(tickets=TICKETS, at=AT)))
    rows = [[panel.priority.item(r, c).text() for c in range(4)] for r in range(panel.priority.rowCount())]
    assert [r[0] for r in rows] == ["V001", "A010", "B004"]  # waiting priority customers, longest first
    assert rows[0][1:3] == ["VIP / priority", "VIP customer"]
    assert rows[1][2] == "Priority customer (elderly, disabled, …)"
    assert panel.tabs.tabText(panel.tabs.indexOf(panel.priority)) == "Priority (3 waiting) ⚠"
    assert panel.priority.item(0, 3).background().color().name() == "#fef3c7"  # past 5 minutes
    assert panel.priority.item(2, 3).background().color().name() != "#fef3c7"  # 2 minutes: not marked
    panel.deleteLater()


def test_one_warning_when_a_priority_customer_waits_more_than_5_minutes(qapp) -> None:
    engine = AlertEngine(default_rules())
    changes = engine.evaluate(AT, measure_all(BranchState(at=AT, tickets=TICKETS)))
    raised = [c.alert for c in changes if c.kind is ChangeKind.RAISED and c.alert.rule_id == "priority_wait"]
    assert [(a.subject, a.severity, round(a.value, 1)) for a in raised] == [("priority", AlertSeverity.WARNING, 7.5)]
    record = AlertRecord(1, "priority_wait", AlertSeverity.WARNING, AlertState.RAISED, "priority", "", AT,
                         value=raised[0].value, threshold=raised[0].threshold, detail=raised[0].detail)
    Translations().install("en")
    assert describe(record) == ("Priority customers: longest wait 8 min, threshold 5 min — waiting over 5 min: "
                                "V001 7 min, A010 6 min")
    calm = tuple(t for t in TICKETS if t.number == "B004")
    later = engine.evaluate(AT + timedelta(seconds=5), measure_all(BranchState(at=AT + timedelta(seconds=5),
                                                                           tickets=calm)))
    assert [c.kind for c in later if c.alert.rule_id == "priority_wait"] == [ChangeKind.RESOLVED]  # 2 min: fine
