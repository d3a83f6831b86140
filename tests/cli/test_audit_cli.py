"""The audit trail's hash chain end to end: entries written by the console's own tasks are chained; ``audit verify``
says intact; editing an entry in the database file, or deleting one, makes it name the entry; export as CSV/JSON."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from console.domain.records import BranchInfo, StaffMember
from console.domain.vocabulary import ServiceType, StaffRole
from storage.database import open_database
from storage.tasks import SaveBranchSetup, SaveStaffMember
from storage.writer import DatabaseWriter, apply_now
from tests.cli.test_cli import run

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def write_entries(data_dir: Path, n: int) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(f"sqlite:///{data_dir / 'console.db'}")
    # a demo-only database: no login (logins and roles on the command line: tests/cli/test_cli_roles.py)
    apply_now(db, SaveBranchSetup(branch=BranchInfo("SH01", "Shanghai", "Asia/Shanghai", time(9), time(17), 60,
                                                    is_demo=True)))
    writer = DatabaseWriter(db)
    writer.start()
    try:
        for i in range(n):  # through the writer thread, as the window writes them, several per commit
            writer.submit(SaveStaffMember("SH01", StaffMember(f"E{i}", f"员工{i}", StaffRole.TELLER,
                                                              (ServiceType.CASH,)), "li.wei", T0 + timedelta(minutes=i)))
        assert writer.flush(10)
    finally:
        writer.stop()
    apply_now(db, SaveStaffMember("SH01", StaffMember("E0", "改名", StaffRole.TELLER, (ServiceType.CASH,)), "wang",
                                  T0 + timedelta(hours=1)))
    db.close()


def test_verify_export_and_tampering(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_entries(data, 6)
    ok = run("audit", "verify", data_dir=data)
    assert ok.returncode == 0 and ok.stdout.strip() == "intact: 7 audit entries, every link checked"
    exported = run("audit", "export", "--format", "json", "--since", "2026-11-29T02:03:00", data_dir=data)
    rows = json.loads(exported.stdout)
    assert [r["entity_id"] for r in rows] == ["SH01/E3", "SH01/E4", "SH01/E5", "SH01/E0"]
    assert rows[-1]["before"]["name"] == "员工0" and rows[-1]["after"]["name"] == "改名" and len(rows[0]["hash"]) == 64
    csv_out = run("audit", "export", data_dir=data)
    assert csv_out.stdout.splitlines()[0] == "id,at,user,action,entity,entity_id,before,after,hash"

    con = sqlite3.connect(data / "console.db")
    con.execute("update audit_entry set user = 'someone.else' where id = 4")
    con.commit()
    edited = run("audit", "verify", data_dir=data)
    assert edited.returncode == 1 and "broken at audit entry 4: its content was changed" in edited.stderr
    con.execute("update audit_entry set user = 'li.wei' where id = 4")
    con.commit()
    assert run("audit", "verify", data_dir=data).returncode == 0  # put back exactly: intact again
    con.execute("delete from audit_entry where id = 5")
    con.commit()
    con.close()
    deleted = run("audit", "verify", data_dir=data)
    assert deleted.returncode == 1 and "broken at audit entry 6: the entry before it was deleted" in deleted.stderr
    assert "Traceback" not in deleted.stderr
    bad = run("audit", "export", "--since", "yesterday", data_dir=data)
    assert bad.returncode != 0 and "--since 'yesterday' is not an ISO 8601 time" in bad.stderr
