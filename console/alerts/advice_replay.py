"""What the console would have proposed at an instant, from the stored data (``main.py advice --at``): the branch's
counters as the ticket feed's events left them by then, the day's tickets as known then, the staff directory and the
day's roster, through the same ``advise`` as the live advice (console/domain/advice.py). No Qt.

It lives beside the alerts' replay of a stored day (console/alerts/replay.py), whose reading of the day it shares.
Replayed instants have no pending counter requests (the window's are not stored as such) and no dismissed
proposals: the replay shows what the arithmetic proposes, which is what the window shows before anyone acts.
"""

from __future__ import annotations

from datetime import datetime

from console.alerts.replay import DayData
from console.domain.advice import AdviceResult, AdviceSettings, advise
from console.domain.records import BranchInfo
from console.staffing.calendar_cn import hours_on
from storage import repository
from storage.database import Database


def advice_at(db: Database, branch: BranchInfo, at: datetime, target_min: float = 10.0,
              target_share: float = 0.8) -> AdviceResult:
    """The loads per service type and the proposals at ``at`` (an aware instant)."""
    data = DayData(db, branch, at, target_min, target_share)
    t = data.at
    hours = hours_on(branch, t.date())
    tz = t.tzinfo
    settings = AdviceSettings(target_s=target_min * 60, target_share=target_share,
                              opens_at=datetime.combine(t.date(), hours.opens, tzinfo=tz) if hours.opens else None,
                              closes_at=datetime.combine(t.date(), hours.closes, tzinfo=tz) if hours.closes else None)
    staff = tuple(repository.load_staff(db, branch.code))
    tickets = tuple(x for x in data.tickets if x.issued_at <= t)
    loads, advice = advise(t, data.counters_at(t, data.events), tickets, staff, tuple(data.roster),
                           data.fallback, settings)
    return AdviceResult(t, tuple(loads), tuple(advice), settings.target_s, target_share,
                        {p.staff_id: p.name for p in staff})
