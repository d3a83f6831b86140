"""The Audit trail window: entries from the console's own actions, filtered, verified (intact, then broken after
an entry is edited in the database file), exported."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from console.app.i18n import Translations
from console.domain.permissions import Role
from console.domain.records import BranchInfo, StaffMember
from console.domain.vocabulary import ServiceType, StaffRole
from console.security.audit_seal import verify_trail
from console.security.users import UserStore
from storage import repository
from storage.tasks import SaveBranchSetup, SaveStaffMember
from storage.writer import apply_now
from tests.gui.conftest import make_env
from widgets.dialogs.audit_dialog import AuditDialog

pytestmark = pytest.mark.gui
TZ = ZoneInfo("Asia/Shanghai")


def test_audit_dialog_filters_verifies_and_exports(qtbot, qapp, isolated_data_dir, tmp_path) -> None:
    Translations().install("en")
    env = make_env(isolated_data_dir)
    try:
        apply_now(env.db, SaveBranchSetup(branch=BranchInfo("SH01", "Shanghai", "Asia/Shanghai", time(9), time(17),
                                                            60)))
        at = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
        for i in range(3):
            apply_now(env.db, SaveStaffMember("SH01", StaffMember(f"E{i}", f"员工{i}", StaffRole.TELLER,
                                                                  (ServiceType.CASH,)), "li.wei", at))
        UserStore(env.db, lambda: at).add("admin", "Wu Gang", Role.ADMINISTRATOR, "Lobby2026secret", by="setup")
        dialog = AuditDialog(partial(repository.load_audit_chain, env.db), TZ,
                             verify_trail=partial(verify_trail, env.db, env.audit_seal))
        qtbot.addWidget(dialog)
        assert dialog.table.rowCount() == 4
        assert dialog.table.item(0, 3).text() == "user.add"  # newest first
        assert dialog.table.item(3, 1).text() == "2026-11-29 10:00:00"  # branch time
        dialog.action.setCurrentIndex(dialog.action.findData("staff.add"))
        assert dialog.table.rowCount() == 3
        dialog.search.setText("员工1")
        assert dialog.table.rowCount() == 1 and dialog.table.item(0, 4).text() == "SH01/E1"
        assert dialog.check() and "Intact: all 4 entries" in dialog.status.text()
        assert "the anchor outside the database agrees" in dialog.status.text()
        out = tmp_path / "audit.csv"
        assert dialog.export(str(out))
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == "id,at,user,action,entity_id,before,after" and len(lines) == 2

        con = sqlite3.connect(isolated_data_dir / "console.db")
        con.execute("update audit_entry set after = ? where id = 2", ('{"name": "x"}',))
        con.commit()
        con.close()
        assert not dialog.check()
        assert "Broken at entry 2: its content or hash was changed after it was written" in dialog.status.text()
    finally:
        env.close()
