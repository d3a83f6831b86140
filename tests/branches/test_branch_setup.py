"""What the set-up wizard stores (``store_setup``): the branch, the staff directory as the wizard leaves it and the
maximum wait, in one transaction; a person the roster names stays, and then nothing at all is changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.branches.branch_file import read_branch_file
from console.branches.branch_setup import BranchSetupError, max_wait_of, store_setup
from console.domain.records import ShiftRecord, StaffMember
from console.domain.vocabulary import ServiceType, StaffRole
from storage import repository
from storage.database import open_database
from storage.tasks import SaveRoster
from storage.writer import apply_now

ROOT = Path(__file__).resolve().parents[2]
PLAN = read_branch_file(ROOT / "resources" / "examples" / "branch.toml")
LI = StaffMember("E1", "李伟", StaffRole.TELLER, (ServiceType.CASH,))
WANG = StaffMember("E2", "王芳", StaffRole.VIP_MANAGER, (ServiceType.VIP, ServiceType.CASH))


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    yield database
    database.close()


def test_the_wizard_stores_staff_and_the_maximum_wait_and_nothing_twice(db) -> None:
    lines = store_setup(db, PLAN, [LI, WANG], 40, "setup")
    assert lines[0].startswith("branch SH01 created") and lines[-3:] == [
        "staff E1 added: 李伟", "staff E2 added: 王芳", "maximum wait: 40 min"]
    assert max_wait_of(db, "SH01") == 40 and repository.load_staff(db, "SH01") == [LI, WANG]
    assert store_setup(db, PLAN, [LI, WANG], 40, "setup") == []  # the same again: nothing written
    audits = len(repository.load_audit_chain(db))

    renamed = StaffMember("E1", "李伟强", StaffRole.SENIOR_TELLER, (ServiceType.CASH, ServiceType.NON_CASH))
    assert store_setup(db, PLAN, [renamed], 40, "manager") == ["staff E1 changed: 李伟强", "staff E2 removed: 王芳"]
    assert repository.load_staff(db, "SH01") == [renamed]
    actions = [e["action"] for e in repository.load_audit_chain(db)[audits:]]
    assert actions == ["staff.edit", "staff.remove"]


def test_a_person_the_roster_names_stays_and_nothing_changes(db) -> None:
    store_setup(db, PLAN, [LI, WANG], 30, "setup")
    start = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    apply_now(db, SaveRoster("SH01", start.date(), (ShiftRecord("E2", start, start + timedelta(hours=8)),)))
    with pytest.raises(BranchSetupError, match="E2 has 1 roster records and stays in the directory; nothing was"):
        store_setup(db, PLAN, [LI], 20, "manager")
    assert repository.load_staff(db, "SH01") == [LI, WANG] and max_wait_of(db, "SH01") == 30
