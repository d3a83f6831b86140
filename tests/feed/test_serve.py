"""``main.py serve`` as an IT department runs it: a process on a real branch set up from the example branch file,
fed through its ticket API (the branch's business names accepted), a second service refused, then SIGTERM: exit 0,
the lease released, the stop in console.log."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from console.branches.branch_file import read_branch_file
from console.branches.branch_setup import apply_plan
from console.domain.permissions import Role
from console.feed.token import rotate_token
from console.security.users import UserStore
from storage import repository
from tests.cli.test_cli import ROOT
from tests.gui.conftest import make_env

pytestmark = pytest.mark.slow  # two service processes

PASSWORD = "Service2026admin"


def start_service(data: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data)}
    env.pop("BRANCH_CONSOLE_DB", None)
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--user", "admin", "--password-stdin",
                                "serve"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=ROOT)
    assert process.stdin is not None
    process.stdin.write(PASSWORD + "\n")
    process.stdin.close()
    return process


class Stderr:
    """A process's stderr read to its end in a thread (a full pipe would block the process), line by line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        with process.stderr:
            for line in process.stderr:
                with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()

    def wait_for(self, pattern: str, timeout_s: float = 60) -> re.Match:
        def found() -> re.Match | None:
            return next((m for line in self.lines if (m := re.search(pattern, line))), None)

        with self._changed:
            self._changed.wait_for(lambda: found() is not None or not self._thread.is_alive(), timeout_s)
        match = found()
        assert match is not None, "".join(self.lines)
        return match

    def text(self) -> str:
        self._thread.join(30)
        return "".join(self.lines)


def post(url: str, token: str, body: object) -> tuple[int, dict]:
    request = urllib.request.Request(url + "/api/v1/events", data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_serve_runs_the_feed_refuses_a_second_service_and_stops_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with socket.socket() as probe:  # a free port on loopback for the service's ticket API
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the events below carry fixed dates (December 2026): a window of ten years keeps them accepted in later years
    (data / "settings.toml").write_text(f"[api]\nenabled = true\nport = {port}\noldest_event_days = 3660\n",
                                        encoding="utf-8")
    env = make_env(data)
    try:
        apply_plan(env.db, read_branch_file(ROOT / "resources" / "examples" / "branch.toml"), "setup")
        UserStore(env.db).add("admin", "Admin", Role.ADMINISTRATOR, PASSWORD, "setup")
        token = rotate_token(env.secrets, env.db, "setup").token
    finally:
        env.close()

    service = start_service(data)
    output = Stderr(service)
    try:
        url = output.wait_for(r"ticket API (http://127\.0\.0\.1:\d+)").group(1)
        status, answer = post(url, token, [
            {"event_id": "e1", "type": "issued", "at": "2026-12-02T10:00:00+08:00", "ticket_id": "A001",
             "service_type": "个人现金"},
            {"event_id": "e2", "type": "issued", "at": "2026-12-02T10:01:00+08:00", "ticket_id": "B001",
             "service_type": "non_cash"}])
        assert (status, answer) == (200, {"stored": 2, "duplicates": 0})
        status, answer = post(url, token, {"event_id": "e3", "type": "issued", "at": "2026-12-02T10:02:00+08:00",
                                           "ticket_id": "C001", "service_type": "外汇"})
        assert status == 422 and answer["field"] == "service_type" and "'外汇'" in answer["error"]

        second = start_service(data)
        second_output = Stderr(second)
        assert second.wait(timeout=60) == 2
        assert "the service of branch SH01 already runs" in second_output.text(), second_output.text()

        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=30) == 0
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
        output.text()
    env = make_env(data)
    try:
        from datetime import UTC, datetime

        assert repository.live_service(env.db, "SH01", datetime.now(UTC)) is None  # the lease was released
        tickets = {t.ticket_id: t.service_type.value for t in repository.load_tickets(
            env.db, "SH01", datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC))}
        assert tickets == {"A001": "cash", "B001": "non_cash"}
    finally:
        env.close()
    log_text = (data / "console.log").read_text(encoding="utf-8")
    assert "service of branch SH01: SIGTERM received, stopping" in log_text
    assert "service of branch SH01 stopped" in log_text
    assert "Traceback" not in log_text
