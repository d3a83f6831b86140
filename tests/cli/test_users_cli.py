"""``users`` on the command line: add, list, change role and password, refusals with a message; the password is
taken from standard input, never from the arguments, and never printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import ROOT

SECRET = "Lobby2026secret"


def users(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("BRANCH_CONSOLE_DB", None)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "users", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env=env, cwd=ROOT)


def test_users_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = users("add", "admin", "--role", "administrator", "--name", "Wu Gang", "--password-stdin",
                  data_dir=data, stdin=SECRET + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "user admin added as administrator"
    weak = users("add", "li.wei", "--role", "lobby_manager", "--password-stdin", data_dir=data, stdin="short\n")
    assert weak.returncode != 0 and "password for 'li.wei' refused: a password needs at least 10 characters" \
        in weak.stderr and "Traceback" not in weak.stderr
    assert users("add", "li.wei", "--role", "lobby_manager", "--password-stdin", data_dir=data,
                 stdin="Counter42counter\n").returncode == 0
    assert users("role", "li.wei", "branch_manager", data_dir=data).stdout.strip() == "li.wei is now branch_manager"
    assert users("passwd", "li.wei", "--password-stdin", data_dir=data, stdin="NewPassword99\n").returncode == 0
    listed = users("list", data_dir=data)
    assert listed.stdout.splitlines() == [
        f"{'admin':<20}{'administrator':<18}Wu Gang (active)",
        f"{'li.wei':<20}{'branch_manager':<18}li.wei (active)",
    ]
    unknown = users("role", "nobody", "administrator", data_dir=data)
    assert unknown.returncode != 0 and "unknown user 'nobody'" in unknown.stderr
    for result in (added, listed):
        assert SECRET not in result.stdout + result.stderr
    from console.security.users import UserStore
    from tests.gui.conftest import make_env

    env = make_env(data)  # the console's own start: its audit entries sealed with the data directory's key
    try:
        assert UserStore(env.db).authenticate("li.wei", "NewPassword99").role.value == "branch_manager"
    finally:
        env.close()
    verify = subprocess.run([sys.executable, str(ROOT / "main.py"), "audit", "verify"], capture_output=True,
                            text=True, timeout=120, cwd=ROOT,
                            env={**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data)})
    assert verify.returncode == 0 and verify.stdout.startswith("intact: 5 audit entries")
