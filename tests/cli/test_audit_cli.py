"""The audit trail's keyed hash chain end to end: entries written by the console's own tasks are chained with the
audit key of the data directory's secret store; ``audit verify`` says intact; editing an entry in the database file,
deleting one (the newest too), inserting one or rewriting the whole chain with the product's own hash function
makes it name the entry; a trail chained before the key existed is re-keyed at the next start; export as CSV/JSON."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from console.domain.audit_chain import GENESIS, canonical, entry_hash, legacy_hash
from console.domain.records import BranchInfo, StaffMember
from console.domain.vocabulary import ServiceType, StaffRole
from console.security.audit_seal import seal_database
from console.security.secret_store import SecretStore
from storage.database import open_database
from storage.tasks import SaveBranchSetup, SaveStaffMember
from storage.writer import DatabaseWriter, apply_now
from tests.cli.test_cli import run

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def write_entries(data_dir: Path, n: int, sealed: bool = True) -> None:
    """n + 1 audit entries, sealed as the console seals them (the data directory's audit key and anchor); without
    ``sealed``, chained with plain SHA-256 as the console did before the audit key existed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(f"sqlite:///{data_dir / 'console.db'}")
    if sealed:
        seal_database(db, data_dir, SecretStore(data_dir))
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
    if not sealed:  # the chain as the console wrote it before: plain SHA-256, anyone can recompute it
        rechain(data_dir, legacy_hash)


def rechain(data_dir: Path, digest, start: int = 1) -> None:
    """Recompute the hashes of the entries from the ``start``-th on, in chain order, with ``digest(previous,
    entry)``, as a forger with write access to the database file does."""
    con = sqlite3.connect(data_dir / "console.db")
    columns = ("id", "at", "user", "action", "entity", "entity_id", "before", "after")
    rows = con.execute(f"select {', '.join(columns)}, hash from audit_entry order by id").fetchall()
    previous = GENESIS if start == 1 else rows[start - 2][-1]
    for n, (*row, _) in enumerate(rows, start=1):
        if n < start:
            continue
        entry = dict(zip(columns, row, strict=True))
        entry["at"] = datetime.fromisoformat(entry["at"]).replace(tzinfo=UTC)
        entry["before"], entry["after"] = (json.loads(v) if v else None for v in (entry["before"], entry["after"]))
        digest_now = digest(previous, entry)
        con.execute("update audit_entry set prev_hash = ?, hash = ?, chain_seq = ? where id = ?",
                    (previous, digest_now, n, entry["id"]))
        previous = digest_now
    con.commit()
    con.close()


def test_verify_export_and_tampering(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_entries(data, 6)
    ok = run("audit", "verify", data_dir=data)
    assert ok.returncode == 0 and ok.stdout.startswith("intact: 7 audit entries, every link checked with the audit "
                                                       "key; the anchor outside the database agrees")
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
    assert edited.returncode == 1 and "broken at audit entry 4: its content or hash was changed" in edited.stderr
    con.execute("update audit_entry set user = 'li.wei' where id = 4")
    con.commit()
    assert run("audit", "verify", data_dir=data).returncode == 0  # put back exactly: intact again
    con.execute("delete from audit_entry where id = 5")
    con.commit()
    con.close()
    deleted = run("audit", "verify", data_dir=data)
    assert deleted.returncode == 1 and "broken at audit entry 6: entries before it were deleted" in deleted.stderr
    assert "Traceback" not in deleted.stderr
    bad = run("audit", "export", "--since", "yesterday", data_dir=data)
    assert bad.returncode != 0 and "--since 'yesterday' is not an ISO 8601 time" in bad.stderr


def verify_says(data: Path) -> str:
    result = run("audit", "verify", data_dir=data)
    assert "Traceback" not in result.stderr
    return result.stdout if result.returncode == 0 else result.stderr


def test_a_forger_with_the_database_file_alone_is_named(tmp_path: Path) -> None:
    """Edit entry 4 and recompute the whole chain with the product's own (public) hash function, or with a key of
    one's own; delete the newest entry; insert one without a hash or with a forged one: each is named."""
    data = tmp_path / "data"
    write_entries(data, 6)
    assert verify_says(data).startswith("intact: 7")
    pristine = (data / "console.db").read_bytes()

    def fresh() -> sqlite3.Connection:
        (data / "console.db").write_bytes(pristine)
        for extra in ("console.db-wal", "console.db-shm"):
            (data / extra).unlink(missing_ok=True)
        return sqlite3.connect(data / "console.db")

    con = fresh()
    con.execute("update audit_entry set user = 'someone.else' where id = 4")
    con.commit()
    con.close()
    rechain(data, legacy_hash)
    assert "broken at audit entry 1: its content or hash was changed" in verify_says(data)
    assert "7 of the 7 entries from this one on fail the key check" in verify_says(data)
    con = fresh()
    con.execute("update audit_entry set user = 'someone.else' where id = 4")
    con.commit()
    con.close()
    rechain(data, legacy_hash, start=4)  # the edited entry and every later one recomputed
    assert "broken at audit entry 4: its content or hash was changed" in verify_says(data)
    assert "4 of the 4 entries from this one on fail the key check" in verify_says(data)
    fresh().close()
    rechain(data, lambda previous, entry: entry_hash(b"a key of the forger's own" * 2, previous, entry))
    assert "broken at audit entry 1: its content or hash was changed" in verify_says(data)

    con = fresh()
    con.execute("delete from audit_entry where id = (select max(id) from audit_entry)")
    con.commit()
    con.close()
    assert "broken at audit entry 6: the newest entries were deleted" in verify_says(data)
    assert "anchor outside the database names entry 7" in verify_says(data)

    con = fresh()
    con.execute("insert into audit_entry (at, user, action, entity, entity_id) "
                "values ('2026-11-29 05:00:00.000000', 'wang', 'staff.change', 'staff', 'SH01/E9')")
    con.commit()
    con.close()
    assert "broken at audit entry 8: it was written into the database without the audit key" in verify_says(data)

    con = fresh()
    newest = con.execute("select hash from audit_entry where chain_seq = 7").fetchone()[0]
    forged = {"id": 8, "at": datetime(2026, 11, 29, 5, tzinfo=UTC), "user": "wang", "action": "staff.change",
              "entity": "staff", "entity_id": "SH01/E9", "before": None, "after": None}
    assert canonical(forged)
    con.execute("insert into audit_entry (id, at, user, action, entity, entity_id, prev_hash, hash, chain_seq) "
                "values (8, '2026-11-29 05:00:00.000000', 'wang', 'staff.change', 'staff', 'SH01/E9', ?, ?, 8)",
                (newest, legacy_hash(newest, forged)))
    con.commit()
    con.close()
    assert "broken at audit entry 8: its content or hash was changed" in verify_says(data)


def test_a_trail_chained_before_the_key_is_rekeyed_at_the_next_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_entries(data, 3, sealed=False)
    said = verify_says(data)  # this start re-keys the old chain (and records that it did)
    assert said.startswith("intact: 5 audit entries"), said
    exported = json.loads(run("audit", "export", "--format", "json", data_dir=data).stdout)
    assert exported[-1]["action"] == "audit.rekeyed" and exported[-1]["after"] == {"entries": 4,
                                                                                   "legacy_chain": "intact"}
    con = sqlite3.connect(data / "console.db")
    con.execute("update audit_entry set user = 'someone.else' where id = 2")
    con.commit()
    con.close()
    rechain(data, legacy_hash)  # the old public hash no longer passes, nor triggers a second re-keying
    assert "broken at audit entry 1" in verify_says(data)
