"""The low-rating rule: a counter's average customer rating of the day, judged once five tickets were rated, raises
a warning at or below 3.5 of 5 (the default rule) and names the counter, how many were rated and how many scored
low; ratings of services not finished by the instant do not count."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.alert_engine import AlertEngine, RuleKind, default_rules
from console.domain.alert_measures import MIN_RATED, BranchState, low_ratings, measure_all
from console.domain.records import TicketRecord
from console.domain.vocabulary import AlertSeverity, ServiceType, TicketStatus

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 2, 15, 0, tzinfo=TZ)


def served(n: int, counter: str, rating: int | None, finished_ago_min: float = 30) -> TicketRecord:
    finished = AT - timedelta(minutes=finished_ago_min)
    return TicketRecord(f"{counter}-{n}", f"A{n:03d}", ServiceType.CASH, False, finished - timedelta(minutes=20),
                        TicketStatus.SERVED, finished - timedelta(minutes=10), finished - timedelta(minutes=9),
                        finished, counter_id=counter, staff_id="E1", rating=rating)


def test_a_counter_rated_low_is_named_once_enough_were_rated() -> None:
    scores = {"1": [5, 4, 2, 1, 3, 2], "2": [5, 5, 4, 4, 5], "3": [1, 1, 1, 1]}  # 3: four ratings, not judged yet
    tickets = [served(i, c, s) for c, ss in scores.items() for i, s in enumerate(ss)]
    tickets += [served(90, "1", None), served(91, "2", 1, finished_ago_min=-5)]  # unrated; finished after the instant
    got = {m.subject: (m.value, m.detail) for m in low_ratings(BranchState(at=AT, tickets=tuple(tickets)))}
    assert got == {"1": (sum(scores["1"]) / 6, "6 rated, 3 scored 1 or 2"), "2": (23 / 5, "5 rated, 0 scored 1 or 2")}
    assert len(scores["3"]) < MIN_RATED
    rule = next(r for r in default_rules() if r.kind is RuleKind.LOW_RATING)
    changes = AlertEngine([rule]).evaluate(AT, measure_all(BranchState(at=AT, tickets=tuple(tickets))))
    assert [(c.alert.subject, c.alert.severity) for c in changes] == [("1", AlertSeverity.WARNING)]  # 2.83 ≤ 3.5
