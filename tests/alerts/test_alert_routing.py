"""Who gets which alert: the routes of the three roles, as the settings file states them, and what each means for
the console's sound and tray and for the chat robots and e-mail lists (console/domain/alert_routing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.alerts.delivery import Target, targets_of
from console.domain.alert_engine import RuleKind
from console.domain.alert_routing import (
    DEFAULT_ROUTES,
    ROUTED_ROLES,
    RouteError,
    Routes,
    route_from_dict,
    routes_from_dict,
    routes_to_dict,
    valid_email,
)
from console.domain.vocabulary import AlertSeverity
from console.settings import AlertSettings, SettingsError, load_settings, save_settings

W, C, I = AlertSeverity.WARNING, AlertSeverity.CRITICAL, AlertSeverity.INFO


def test_the_default_routes_send_each_role_what_it_acts_on() -> None:
    routes = Routes()
    assert routes.roles_for("camera_offline", W) == ("security_officer",)
    assert routes.roles_for("crowding", C) == ROUTED_ROLES
    assert routes.roles_for("crowding", I) == ("lobby_manager",)  # the others from "warning" up
    assert routes.roles_for("idle_counter", W) == ("lobby_manager",)
    assert routes.roles_for("staffing", W) == ("lobby_manager", "branch_manager")
    # every rule kind reaches someone
    assert all(routes.roles_for(k.value, C) for k in RuleKind)


def test_the_console_signals_only_what_belongs_to_the_role_logged_in() -> None:
    routes = Routes()
    assert routes.signals_here("security_officer", "long_wait", C) == (False, False)
    assert routes.signals_here("security_officer", "crowding", W) == (True, True)
    assert routes.signals_here("security_officer", "crowding", I) == (False, False)  # below the lowest level
    assert routes.signals_here(None, "long_wait", I) == (True, True)  # the demo branch: everything
    assert routes.signals_here("administrator", "long_wait", I) == (True, True)
    # an incident: the roles its plan names
    assert routes.signals_here("branch_manager", None, C, ("security_officer",)) == (False, False)
    assert routes.signals_here("security_officer", None, C, ("security_officer",)) == (True, True)
    quiet = Routes({**DEFAULT_ROUTES, "security_officer": route_from_dict(
        "security_officer", {"sound": False}, "routes.security_officer")})
    assert quiet.signals_here("security_officer", "crowding", C) == (False, True)


def test_routes_read_from_the_settings_keep_defaults_for_what_is_not_said() -> None:
    routes = routes_from_dict({"security_officer": {"kinds": ["crowding"], "lowest": "critical",
                                                    "email_to": ["guard@branch.example"]}}, "alerts.routes")
    security = routes["security_officer"]
    assert security.kinds == {"crowding"} and security.lowest is C and security.email_to == ("guard@branch.example",)
    assert security.sound and security.tray  # not said: the defaults
    assert routes["lobby_manager"] == DEFAULT_ROUTES["lobby_manager"]
    assert routes_from_dict(routes_to_dict(routes), "x") == routes


@pytest.mark.parametrize(("table", "message"), [
    ({"guard": {}}, "alerts.routes.guard: unknown role 'guard'"),
    ({"security_officer": {"kinds": ["crowded"]}}, "alerts.routes.security_officer.kinds: unknown rule kind 'crowded'"),
    ({"security_officer": {"lowest": "high"}}, "alerts.routes.security_officer.lowest must be one of info"),
    ({"branch_manager": {"webhook_url": "ftp://x"}}, "alerts.routes.branch_manager.webhook_url must start with http"),
    ({"branch_manager": {"webhook_format": "slack"}}, "alerts.routes.branch_manager.webhook_format must be one of"),
    ({"branch_manager": {"email_to": ["boss"]}}, "alerts.routes.branch_manager.email_to: 'boss' is not an e-mail"),
    ({"branch_manager": {"sound": "yes"}}, "alerts.routes.branch_manager.sound must be true or false"),
    ({"branch_manager": {"colour": "red"}}, "alerts.routes.branch_manager.colour: unknown key"),
    ({"branch_manager": "all"}, "alerts.routes.branch_manager must be a table"),
])
def test_a_bad_route_is_refused_naming_the_key(table: dict, message: str) -> None:
    with pytest.raises(RouteError) as refused:
        routes_from_dict(table, "alerts.routes")
    assert str(refused.value).startswith(message)


def test_routes_in_settings_toml_round_trip_and_bad_ones_name_the_file(tmp_path: Path) -> None:
    from dataclasses import replace

    from console.settings import Settings

    routes = {"branch_manager": {"kinds": ["staffing"], "webhook_url": "https://robot.example/hook",
                                 "webhook_format": "dingtalk"}}
    settings = replace(Settings(), alerts=AlertSettings(routes=routes))
    save_settings(tmp_path, settings)
    loaded = load_settings(tmp_path)
    assert loaded.alerts.route_table()["branch_manager"].webhook_format == "dingtalk"
    (tmp_path / "settings.toml").write_text('[alerts.routes.branch_manager]\nemail_to = ["boss@bank.example"]\n',
                                            encoding="utf-8")
    with pytest.raises(SettingsError, match="e-mail addresses are set but smtp_host is empty"):
        load_settings(tmp_path)
    (tmp_path / "settings.toml").write_text('[alerts.routes.cashier]\nkinds = []\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings.toml: alerts.routes.cashier: unknown role 'cashier'"):
        load_settings(tmp_path)


def test_targets_are_the_branch_wide_ones_and_each_role_s_once_per_address() -> None:
    shared = "https://robot.example/hook?key=k"
    alerts = AlertSettings(webhook_url="https://all.example/hook", smtp_host="smtp.example", email_to=["all@b.example"],
                           routes={"security_officer": {"webhook_url": shared},
                                   "lobby_manager": {"webhook_url": shared, "email_to": ["lobby@b.example"]}})
    routes = alerts.route_table()
    targets = targets_of(alerts, routes, ("lobby_manager", "security_officer"))
    assert targets == [Target("webhook", "https://all.example/hook"), Target("email", emails=("all@b.example",)),
                       Target("webhook", shared, "wecom", roles=("lobby_manager", "security_officer")),
                       Target("email", emails=("lobby@b.example",), roles=("lobby_manager",))]
    assert targets[2].shown() == "https://robot.example/hook?… (lobby_manager, security_officer)"
    # without an e-mail server no e-mail target exists
    assert [t.channel for t in targets_of(AlertSettings(routes={"lobby_manager": {"webhook_url": shared}}), routes,
                                          ("lobby_manager",))] == ["webhook"]


@pytest.mark.parametrize(("text", "ok"), [("a@b.cn", True), ("lobby.manager@branch.example.com", True),
                                          ("a@b", False), ("@b.cn", False), ("a b@c.cn", False), ("a@b@c.cn", False),
                                          ("", False)])
def test_e_mail_addresses(text: str, ok: bool) -> None:
    assert valid_email(text) is ok
