from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from console.domain.records import BranchInfo, CounterStatus, StaffMember
from console.domain.vocabulary import CounterState, ServiceType, StaffRole
from storage.audit import AuditSeal, seal
from storage.database import Database, open_database
from storage.tasks import SaveBranchSetup
from storage.writer import apply_now

TZ = ZoneInfo("Asia/Shanghai")
#: The audit key the storage tests seal their databases with (the console's comes from its secret store).
AUDIT_KEY = b"storage tests' audit key, 32 b."
BRANCH = BranchInfo(code="B1", name="Test branch", timezone="Asia/Shanghai", opens=time(9), closes=time(17),
                    lobby_capacity=40)


def at(hh: int, mm: int = 0, ss: int = 0, day: int = 27) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=TZ)


COUNTERS = (
    CounterStatus("1", "Counter 1", (ServiceType.CASH,), CounterState.CLOSED, at(8)),
    CounterStatus("2", "Counter 2", (ServiceType.CASH, ServiceType.NON_CASH), CounterState.CLOSED, at(8)),
    CounterStatus("10", "Counter 10", (ServiceType.VIP,), CounterState.CLOSED, at(8)),
)
STAFF = (
    StaffMember("E1", "李伟", StaffRole.TELLER, (ServiceType.CASH,)),
    StaffMember("E2", "王芳", StaffRole.SENIOR_TELLER, (ServiceType.CASH, ServiceType.NON_CASH)),
)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    seal(database.engine, AuditSeal(AUDIT_KEY))
    apply_now(database, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
    yield database
    database.close()
