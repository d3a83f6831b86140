"""``incident report`` and ``incident list`` as a user runs them: the incident is stored as an alert with its plan's
steps and listed; a drill says so; an unknown type or a note too long is refused with the reason and stores
nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.alerts.test_alert_delivery import robot  # noqa: F401 (the chat robot fixture)
from tests.cli.test_cli import run

pytestmark = pytest.mark.slow  # a simulated day, then a process per command


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("incident-data")
    assert run("simulate", "--date", "2026-12-02", data_dir=data_dir).returncode == 0
    return data_dir


def test_report_and_list(demo_db: Path) -> None:
    done = run("incident", "report", "--type", "medical", "--note", "Elderly man fainted by the ATM", "--branch",
               "DEMO", "--json", data_dir=demo_db)
    assert done.returncode == 0, done.stderr
    incident = json.loads(done.stdout)
    assert incident["type"] == "medical" and not incident["drill"] and incident["closed_at"] is None
    assert incident["steps"][0] == {"step": 1, "text": "Call 120 and say where the branch is", "done_at": None,
                                    "done_by": None}
    drill = run("incident", "report", "--type", "fire", "--drill", "--branch", "DEMO", data_dir=demo_db)
    assert drill.returncode == 0 and drill.stdout.startswith("drill ") and "1. Call 119" in drill.stdout
    listed = json.loads(run("incident", "list", "--branch", "DEMO", "--json", data_dir=demo_db).stdout)
    assert [(i["id"], i["type"], i["drill"]) for i in listed] == [(incident["id"], "medical", False),
                                                                  (incident["id"] + 1, "fire", True)]
    alerts = json.loads(run("alerts", "list", "--branch", "DEMO", "--json", data_dir=demo_db).stdout)
    assert {(a["rule"], a["severity"], a["state"]) for a in alerts} == {("incident.medical", "critical", "raised"),
                                                                         ("drill.fire", "critical", "raised")}


def test_bad_input_names_it_and_stores_nothing(demo_db: Path) -> None:
    before = run("incident", "list", "--branch", "DEMO", "--json", data_dir=demo_db).stdout
    unknown = run("incident", "report", "--type", "earthquake", "--branch", "DEMO", data_dir=demo_db)
    assert unknown.returncode == 2 and "'earthquake' is not an incident type" in unknown.stderr
    long = run("incident", "report", "--type", "other", "--note", "x" * 201, "--branch", "DEMO", data_dir=demo_db)
    assert long.returncode == 1 and "--note: 201 characters" in long.stderr and "Traceback" not in long.stderr
    assert run("incident", "list", "--branch", "DEMO", "--json", data_dir=demo_db).stdout == before


def test_an_incident_goes_at_once_to_the_roles_its_plan_names(demo_db: Path, robot) -> None:  # noqa: F811
    """The security officer's robot gets the robbery (its plan names every role) before the command ends; the
    lobby manager's robot, which nobody answers, is named on stderr, and the incident is stored all the same."""
    from tests.alerts.test_alert_delivery import Robot
    from tests.camera.mjpeg_server import free_port

    settings = demo_db / "settings.toml"
    dead = f"http://127.0.0.1:{free_port()}/lobby"
    settings.write_text(f'[alerts.routes.security_officer]\nwebhook_url = "http://127.0.0.1:{robot.server_port}/sec"\n'
                        f'[alerts.routes.lobby_manager]\nwebhook_url = "{dead}"\n', encoding="utf-8")
    try:
        done = run("incident", "report", "--type", "robbery", "--note", "Man with a knife at counter 2", "--branch",
                   "DEMO", "--json", data_dir=demo_db)
    finally:
        settings.unlink()
    assert done.returncode == 0, done.stderr
    (path, body), = Robot.bodies
    assert path == "/sec" and "incident robbery: Man with a knife at counter 2" in body["text"]["content"]
    delivered = {d["target"]: d["result"] for d in json.loads(done.stdout)["delivered"]}
    assert delivered[f"http://127.0.0.1:{robot.server_port}/sec (security_officer)"] == "sent"
    assert "does not answer" in delivered[f"{dead} (lobby_manager)"]
    assert f"not delivered by webhook to {dead} (lobby_manager)" in done.stderr and "Traceback" not in done.stderr
