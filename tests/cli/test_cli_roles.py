"""The command line on a real branch: every guarded subcommand for every role against the permission matrix (the
same login and check ``main.py`` runs before a command), then end to end in real processes: refusals with exit 3
and a message naming the user, the role and who may; a wrong password and an unknown user answered alike (no user
name can be probed), lockout; the first administrator; the demo needs no login; imports are audited under the
logged-in user."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from console.cli.commands import build_parser
from console.cli.login import GUARDS, LoginError, guard_for, operator_for
from console.domain.permissions import Role, allowed
from console.domain.records import BranchInfo
from console.security.access import AccessDenied
from console.security.users import LOGIN_REFUSED, UserStore
from storage.tasks import SaveBranchSetup
from storage.writer import apply_now
from tests.cli.test_cli import ROOT
from tests.gui.conftest import make_env

PASSWORD = "Counter2026pass"

#: One command line per guarded (command, action).
COMMANDS: dict[tuple[str, str | None], list[str]] = {
    ("branch", "apply"): ["branch", "apply", "b.toml"],
    ("branch", None): ["branch", "list"],
    ("report", None): ["report", "--date", "2026-11-27"],
    ("simulate", None): ["simulate", "--date", "2026-11-27"],
    ("tickets", "import"): ["tickets", "import", "t.csv"],
    ("appointments", "import"): ["appointments", "import", "a.csv"],
    ("models", "install"): ["models", "install", "m.onnx"],
    ("models", "list"): ["models", "list"],
    ("cameras", "list"): ["cameras", "list"],
    ("cameras", "assign"): ["cameras", "assign", "CAM1", "worker"],
    ("cameras", "password"): ["cameras", "password", "CAM1"],
    ("roster", "import"): ["roster", "import", "r.csv"],
    ("roster", "copy-week"): ["roster", "copy-week", "--from", "2026-11-23"],
    ("roster", "export"): ["roster", "export", "r.csv", "--from", "2026-11-23"],
    ("attendance", None): ["attendance", "--month", "2026-11"],
    ("forecast", None): ["forecast", "--date", "2026-11-27"],
    ("alerts", None): ["alerts", "list"],
    ("advice", None): ["advice", "--at", "2026-11-27T12:00"],
    ("incident", "report"): ["incident", "report", "--type", "other"],
    ("incident", None): ["incident", "list"],
    ("users", None): ["users", "list"],
    ("audit", "key-export"): ["audit", "key-export"],
    ("audit", "key-import"): ["audit", "key-import"],
    ("audit", None): ["audit", "verify"],
    ("db", None): ["db", "info"],
    ("serve", None): ["serve"],
    ("api", None): ["api", "token", "show"],
}


def real_branch(data_dir: Path, users: bool = True) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = make_env(data_dir)
    try:
        apply_now(env.db, SaveBranchSetup(branch=BranchInfo("SH01", "Shanghai", "Asia/Shanghai", time(9), time(17),
                                                            60)))
        if users:
            for role in Role:
                UserStore(env.db).add(role.value.replace("_", "."), role.value, role, PASSWORD, "setup")
    finally:
        env.close()


def cli(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("BRANCH_CONSOLE_DB", None)
    env.pop("BRANCH_CONSOLE_USER", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env=env, cwd=ROOT)


def test_every_guarded_command_for_every_role(tmp_path: Path, monkeypatch) -> None:
    assert set(COMMANDS) == set(GUARDS), "a guarded command without a case here"
    data = tmp_path / "data"
    real_branch(data)
    env = make_env(data)
    parser = build_parser()
    try:
        for key, argv in COMMANDS.items():
            if key[0] == "api" and "api" not in parser._subparsers._group_actions[0].choices:
                continue
            permission, _ = GUARDS[key]
            for role in Role:
                user = role.value.replace("_", ".")
                args = parser.parse_args(["--user", user, "--password-stdin", *argv])
                assert guard_for(args) == GUARDS[key]
                monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
                if allowed(role, permission):
                    assert operator_for(env, args).role is role, (argv, role)
                else:
                    with pytest.raises(AccessDenied) as refused:
                        operator_for(env, args)
                    assert f"{user} ({role.value.replace('_', ' ')}) may not" in str(refused.value)
        # commands that read no branch data need no login; a user may change their own password
        assert guard_for(parser.parse_args(["staffing", "--arrivals-per-hour", "10", "--aht-minutes", "5",
                                            "--target-wait-minutes", "10", "--target-share", "0.8"])) is None
        args = parser.parse_args(["--user", "lobby.manager", "--password-stdin", "users", "passwd", "lobby.manager",
                                  "--password-stdin"])
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        assert operator_for(env, args).role is Role.LOBBY_MANAGER
        args = parser.parse_args(["--user", "lobby.manager", "--password-stdin", "users", "passwd", "administrator",
                                  "--password-stdin"])
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        with pytest.raises(AccessDenied):
            operator_for(env, args)
        # no user given, and no terminal to ask a password on
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        with pytest.raises(LoginError, match="log in with --user NAME"):
            operator_for(env, parser.parse_args(["alerts", "list"]))
    finally:
        env.close()


def test_logins_and_refusals_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    real_branch(data)
    login = ["--user", "security.officer", "--password-stdin"]
    refused = cli(*login, "roster", "export", str(tmp_path / "r.csv"), "--from", "2026-11-23", data_dir=data,
                  stdin=PASSWORD + "\n")
    assert refused.returncode == 3 and "Traceback" not in refused.stderr
    assert "security.officer (security officer) may not export the roster: export reports is for: lobby manager, " \
           "branch manager, administrator" in refused.stderr
    assert not (tmp_path / "r.csv").exists()
    ok = cli(*login, "alerts", "list", data_dir=data, stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr
    nobody = cli("alerts", "list", data_dir=data)
    assert nobody.returncode == 3 and "log in with --user NAME" in nobody.stderr
    # an unknown user and a wrong password: the same stderr and exit code, whatever try it is (no tries left)
    unknown = cli("--user", "ghost", "--password-stdin", "alerts", "list", data_dir=data, stdin="Wrong1234567\n")
    assert (unknown.returncode, unknown.stdout, unknown.stderr) == (3, "", f"error: {LOGIN_REFUSED}\n")
    for _ in range(5):
        wrong = cli(*login, "alerts", "list", data_dir=data, stdin="Wrong1234567\n")
        assert (wrong.returncode, wrong.stdout, wrong.stderr) == (unknown.returncode, unknown.stdout, unknown.stderr)
    # the fifth locked the user: the right password is refused alike for five minutes
    locked = cli(*login, "alerts", "list", data_dir=data, stdin=PASSWORD + "\n")
    assert (locked.returncode, locked.stderr) == (3, unknown.stderr)
    # the administrator reads the real cause in console.log; nobody reads the password there
    log = (data / "console.log").read_text(encoding="utf-8")
    assert "login refused for 'ghost': no such user" in log
    assert "login refused for 'security.officer': a wrong password; the user is now locked for 5 min" in log
    assert "login refused for 'security.officer': the user is locked until" in log
    assert "Wrong1234567" not in log and PASSWORD not in log
    # an import is audited under the logged-in user
    csv = tmp_path / "t.csv"
    csv.write_text("ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,"
                   "outcome\nT1,cash,0,2026-11-27T09:05:00,2026-11-27T09:07:00,2026-11-27T09:07:30,"
                   "2026-11-27T09:12:00,1,E1,served\n", encoding="utf-8")
    imported = cli("--user", "branch.manager", "--password-stdin", "tickets", "import", str(csv), data_dir=data,
                   stdin=PASSWORD + "\n")
    assert imported.returncode == 0, imported.stderr
    exported = cli("--user", "administrator", "--password-stdin", "audit", "export", "--format", "csv",
                   data_dir=data, stdin=PASSWORD + "\n")
    assert exported.returncode == 0, exported.stderr
    assert any(",branch.manager,tickets.import,import,SH01/t.csv," in line for line in exported.stdout.splitlines())


def test_a_fresh_real_branch_and_the_demo(tmp_path: Path) -> None:
    data = tmp_path / "data"
    real_branch(data, users=False)
    refused = cli("alerts", "list", data_dir=data)
    assert refused.returncode == 3 and "has no console user yet" in refused.stderr
    first = cli("users", "add", "admin", "--role", "administrator", "--password-stdin", data_dir=data,
                stdin=PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    second = cli("users", "add", "other", "--role", "administrator", "--password-stdin", data_dir=data,
                 stdin=PASSWORD + "\n")
    assert second.returncode == 3 and "log in with --user NAME" in second.stderr
    demo = tmp_path / "demo"
    assert cli("users", "list", data_dir=demo).returncode == 0  # no real branch: no login
