"""Typed console settings stored as TOML in the data directory (``settings.toml``).

Decisions:
- The file is small and hand-editable; unknown sections or keys are rejected with a message naming the key and
  the file, so a typo never silently does nothing.
- ``schema_version`` is 1. Rule for bumping it: a key is renamed, removed or changes meaning; adding a key with a
  default does not bump it. ``_migrate`` upgrades older files in memory and they are rewritten on the next save.
- Window layout is not here: it lives in QSettings next to it (``layout.ini``), as Qt saves it.
No Qt imports: the CLI reads the same settings.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

SCHEMA_VERSION = 1
SETTINGS_FILE = "settings.toml"

#: Interface languages shipped; "system" follows the operating system's locale (Chinese → zh_CN, else en).
LANGUAGES = ("system", "zh_CN", "en")


class SettingsError(Exception):
    """A settings file or value that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class UiSettings:
    language: str = "system"


@dataclass(frozen=True)
class DemoSettings:
    seed: int = 1
    speed: float = 1.0


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""  # empty: the SQLite file console.db in the data directory


@dataclass(frozen=True)
class CameraSettings:
    offline_after_s: float = 10.0  # a camera with no frame for this many seconds is shown and recorded as offline


@dataclass(frozen=True)
class ApiSettings:
    """The ticket feed's HTTP API (console/feed/http_api.py): off until it is enabled and has a token.

    The token is not here: it lives in the secret store (console/security/secret_store.py; ``main.py api token rotate`` makes
    one). A ``token`` written in the file by hand is moved there at the next start (see ``PLAIN_SECRETS``).
    """

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8731
    #: the times an event may carry (console/feed/events.py ``FeedWindow``): at most this many days old…
    oldest_event_days: int = 400
    #: …and at most this many hours ahead of the console's clock (a booking's ``due_at``: up to a year ahead)
    future_event_hours: float = 24.0


@dataclass(frozen=True)
class StaffingSettings:
    """The branch's service standard and roster rules (console/domain/roster_rules.py, console/domain/advice.py).

    ``target_wait_min`` and ``target_share``: the service standard, "``target_share`` of customers called within
    ``target_wait_min`` minutes", used for counters required, coverage and live advice. Roster rules in hours.
    ``advice`` switches the live staffing advice on the Counters panel on or off.
    """

    target_wait_min: float = 10.0
    target_share: float = 0.8
    max_duty_h: float = 10.0
    min_rest_h: float = 11.0
    split_gap_h: float = 3.0
    advice: bool = True

    def roster_rules(self):
        from datetime import timedelta

        from console.domain.roster_rules import RosterRules

        return RosterRules(max_duty=timedelta(hours=self.max_duty_h), min_rest=timedelta(hours=self.min_rest_h),
                           split_gap=timedelta(hours=self.split_gap_h))


@dataclass(frozen=True)
class AlertSettings:
    """How alerts reach people (rules themselves are per branch in the database, edited in the rules editor).

    ``plan_warning`` / ``plan_critical``: the branch's emergency-plan steps (应急预案) shown as a checklist with a
    crowding alert of that severity (empty: the built-in steps). ``webhook_url`` with ``webhook_format`` "wecom",
    "dingtalk" or "generic" posts alerts to a chat robot; ``smtp_*`` and ``email_to`` send them by e-mail;
    ``retries`` extra attempts, ``retry_after_s`` apart, doubling. ``report_time`` "HH:MM" (empty: 15 minutes after
    closing; "off": none) writes the day report to ``report_dir`` (empty: "reports" in the data directory), e-mailed
    when ``report_email``. ``routes``: per role (``[alerts.routes.lobby_manager]`` …), the rule kinds and lowest level
    that reach them, sound and tray on this PC while they are logged in, their own chat robot and e-mail addresses
    (console/domain/alert_routing.py; roles not named keep their defaults). ``sound`` and ``tray`` switch this PC's
    sound and tray messages off for everyone.
    """

    sound: bool = True
    tray: bool = True
    plan_warning: list = field(default_factory=list)
    plan_critical: list = field(default_factory=list)
    webhook_url: str = ""
    webhook_format: str = "generic"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_from: str = ""  # smtp_password: in the secret store, like [api] token (see PLAIN_SECRETS)
    email_to: list = field(default_factory=list)
    retries: int = 3
    retry_after_s: float = 10.0
    report_time: str = ""
    report_dir: str = ""
    report_email: bool = False
    routes: dict = field(default_factory=dict)

    def route_table(self):
        """The routes in force (``console.domain.alert_routing.Routes``); the settings were validated on load."""
        from console.domain.alert_routing import routes_from_dict

        return routes_from_dict(self.routes, "alerts.routes")


WEBHOOK_FORMATS = ("generic", "wecom", "dingtalk")


def validate_alerts(alerts: AlertSettings, where: str) -> AlertSettings:
    if alerts.webhook_format not in WEBHOOK_FORMATS:
        raise SettingsError(f"{where}.webhook_format must be one of {', '.join(WEBHOOK_FORMATS)}, "
                            f"got {alerts.webhook_format!r}")
    if alerts.webhook_url and not alerts.webhook_url.startswith(("http://", "https://")):
        raise SettingsError(f"{where}.webhook_url must start with http:// or https://")
    if not 1 <= alerts.smtp_port <= 65535:
        raise SettingsError(f"{where}.smtp_port must be between 1 and 65535, got {alerts.smtp_port}")
    if not 0 <= alerts.retries <= 10:
        raise SettingsError(f"{where}.retries must be between 0 and 10, got {alerts.retries}")
    if not 0 < alerts.retry_after_s <= 3600:
        raise SettingsError(f"{where}.retry_after_s must be above 0 and at most 3600, got {alerts.retry_after_s:g}")
    for key in ("plan_warning", "plan_critical", "email_to"):
        if not all(isinstance(x, str) for x in getattr(alerts, key)):
            raise SettingsError(f"{where}.{key} must be a list of strings")
    if alerts.email_to and not alerts.smtp_host:
        raise SettingsError(f"{where}.email_to is set but smtp_host is empty")
    from console.domain.alert_routing import RouteError, routes_from_dict

    try:
        routes = routes_from_dict(alerts.routes, f"{where}.routes")
    except RouteError as exc:
        raise SettingsError(str(exc)) from None
    if not alerts.smtp_host and any(routes[r].email_to for r in routes.by_role):
        raise SettingsError(f"{where}.routes: e-mail addresses are set but smtp_host is empty")
    if alerts.report_time and alerts.report_time.strip().lower() != "off":
        parts = alerts.report_time.split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
            raise SettingsError(f"{where}.report_time must be HH:MM or off, got {alerts.report_time!r}")
    return alerts


@dataclass(frozen=True)
class PrivacySettings:
    """What the console keeps of people (README "Privacy"; console/alerts/snapshots.py, storage/retention.py).

    ``snapshots``: save a still of each camera that sees the subject of a crowding or camera alert, with every
    detected person's head blurred before the file is written (off: no image is ever written). ``snapshot_dir``:
    where (empty: "snapshots" in the data directory). ``retention_days``: raw samples, tickets, feed events and
    snapshots older than this many days are purged (aggregated statistics are kept); 0 keeps them forever.
    Otherwise between ``RETENTION_MIN_DAYS`` (7: the live views, the forecast's backtest and a week's look back
    need at least the last week of raw data) and ``RETENTION_MAX_DAYS`` (3650, ten years).
    """

    snapshots: bool = False
    snapshot_dir: str = ""
    retention_days: int = 365


RETENTION_MIN_DAYS = 7
RETENTION_MAX_DAYS = 3650


def validate_privacy(privacy: PrivacySettings, where: str) -> PrivacySettings:
    days = privacy.retention_days
    if days != 0 and not RETENTION_MIN_DAYS <= days <= RETENTION_MAX_DAYS:
        raise SettingsError(f"{where}.retention_days must be 0 (keep forever) or between {RETENTION_MIN_DAYS} and "
                            f"{RETENTION_MAX_DAYS} days, got {days}")
    if "\x00" in privacy.snapshot_dir:
        raise SettingsError(f"{where}.snapshot_dir must not contain a NUL character")
    return privacy


@dataclass(frozen=True)
class SecuritySettings:
    """Logins on a real branch (console/app/login.py). ``idle_lock_min``: the window locks itself after this many
    minutes without keyboard, mouse or touch input (0: never; at most 240); unlocking needs a password.

    ``secret_store``: where the API token, the SMTP password and camera passwords are kept (console/security/secret_store.py):
    "keyring" (the OS keyring), "file" (encrypted in the data directory) or "auto" (the keyring when one is usable,
    else the file).
    """

    idle_lock_min: int = 10
    secret_store: str = "auto"


def validate_security(security: SecuritySettings, where: str) -> SecuritySettings:
    if not 0 <= security.idle_lock_min <= 240:
        raise SettingsError(f"{where}.idle_lock_min must be between 0 (never) and 240 minutes, got "
                            f"{security.idle_lock_min}")
    if security.secret_store not in SECRET_STORES:
        raise SettingsError(f"{where}.secret_store must be one of {', '.join(SECRET_STORES)}, got "
                            f"{security.secret_store!r}")
    return security


@dataclass(frozen=True)
class Settings:
    ui: UiSettings = field(default_factory=UiSettings)
    demo: DemoSettings = field(default_factory=DemoSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    cameras: CameraSettings = field(default_factory=CameraSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    staffing: StaffingSettings = field(default_factory=StaffingSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)

    def with_language(self, language: str) -> Settings:
        validate_language(language, "ui.language")
        return replace(self, ui=replace(self.ui, language=language))


_SECTIONS: dict[str, type] = {"ui": UiSettings, "demo": DemoSettings, "database": DatabaseSettings,
                              "cameras": CameraSettings, "api": ApiSettings, "staffing": StaffingSettings,
                              "alerts": AlertSettings, "privacy": PrivacySettings, "security": SecuritySettings}


def validate_language(value: str, where: str) -> str:
    if value not in LANGUAGES:
        raise SettingsError(f"{where}: unknown language {value!r}; choose one of {', '.join(LANGUAGES)}")
    return value


def validate_speed(value: float, where: str) -> float:
    if not (0 < value <= 3600):
        raise SettingsError(f"{where}: speed must be above 0 and at most 3600 (times real time), got {value}")
    return value


def validate_offline_after(value: float, where: str) -> float:
    if not (2 <= value <= 3600):
        raise SettingsError(f"{where}: offline_after_s must be between 2 and 3600 seconds, got {value}")
    return value


def validate_api(api: ApiSettings, where: str) -> ApiSettings:
    if not 1 <= api.port <= 65535:
        raise SettingsError(f"{where}.port must be between 1 and 65535, got {api.port}")
    if not 1 <= api.oldest_event_days <= 3660:
        raise SettingsError(f"{where}.oldest_event_days must be between 1 and 3660 days, got {api.oldest_event_days}")
    if not 0.1 <= api.future_event_hours <= 720:
        raise SettingsError(f"{where}.future_event_hours must be between 0.1 and 720 hours, got "
                            f"{api.future_event_hours}")
    return api


def validate_api_token(token: str, where: str) -> str:
    """A usable ticket API token; the message tells the length, never the token."""
    if len(token) < 16:
        raise SettingsError(f"{where} must be at least 16 characters when the API is enabled (got {len(token)})")
    return token


#: Secrets that older settings files (or a hand edit) hold in plain text: (section, key) → secret store name.
#: ``load_settings`` checks and skips them; ``console.security.secret_migration`` moves them into the secret store and
#: rewrites the file without them; ``save_settings`` never writes them, except to keep one not moved yet.
PLAIN_SECRETS: dict[tuple[str, str], str] = {("api", "token"): "api.token",
                                            ("alerts", "smtp_password"): "alerts.smtp_password"}
#: Where secrets are kept (``console/security/secret_store.py``).
SECRET_STORES = ("auto", "keyring", "file")


def pop_plain_secrets(data: dict[str, Any], path: Path) -> dict[str, str]:
    """Take the plain-text secrets out of a settings file's table: secret store name → value (empty ones are
    dropped). A value that is not text is refused with the file and key named."""
    found: dict[str, str] = {}
    for (section, key), name in PLAIN_SECRETS.items():
        table = data.get(section)
        if isinstance(table, dict) and key in table:
            value = table.pop(key)
            if not isinstance(value, str):
                raise SettingsError(f"{path}: '{section}.{key}' must be a str, got {type(value).__name__}")
            if value:
                found[name] = value
    return found


#: Allowed ranges of the staffing settings: key → (lowest, highest, unit for the message).
STAFFING_RANGES: dict[str, tuple[float, float, str]] = {
    "target_wait_min": (1.0, 120.0, "minutes"),
    "target_share": (0.05, 0.99, "(a fraction, e.g. 0.8)"),
    "max_duty_h": (1.0, 24.0, "hours"),
    "min_rest_h": (0.0, 24.0, "hours"),
    "split_gap_h": (0.0, 12.0, "hours"),
}


def validate_staffing(staffing: StaffingSettings, where: str) -> StaffingSettings:
    for key, (low, high, unit) in STAFFING_RANGES.items():
        value = getattr(staffing, key)
        if not low <= value <= high:
            raise SettingsError(f"{where}.{key} must be between {low:g} and {high:g} {unit}, got {value:g}")
    return staffing


def _migrate(data: dict[str, Any], path: Path) -> dict[str, Any]:
    version = data.pop("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version < 1:
        raise SettingsError(f"{path}: schema_version must be a positive whole number, got {version!r}")
    if version > SCHEMA_VERSION:
        raise SettingsError(
            f"{path}: schema_version {version} was written by a newer console (this one reads up to {SCHEMA_VERSION})"
        )
    return data


def _section(name: str, cls: type, raw: object, path: Path) -> Any:
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: [{name}] must be a table")
    defaults = cls()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not hasattr(defaults, key):
            known = ", ".join(asdict(defaults))
            raise SettingsError(f"{path}: unknown key '{name}.{key}' (known keys in [{name}]: {known})")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise SettingsError(
                f"{path}: '{name}.{key}' must be a {expected.__name__}, got {type(value).__name__} {value!r}"
            )
        values[key] = value
    return cls(**values)


def load_settings(data_dir: Path) -> Settings:
    """Read ``settings.toml`` from ``data_dir``; a missing file gives the defaults."""
    path = data_dir / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    data = _migrate(data, path)
    plain = pop_plain_secrets(data, path)  # not kept in Settings: console.security.secret_migration moves them
    sections: dict[str, Any] = {}
    for name, raw in data.items():
        cls = _SECTIONS.get(name)
        if cls is None:
            raise SettingsError(f"{path}: unknown section or key '{name}' (known: {', '.join(_SECTIONS)})")
        sections[name] = _section(name, cls, raw, path)
    settings = Settings(**sections)
    validate_language(settings.ui.language, f"{path}: ui.language")
    validate_speed(settings.demo.speed, f"{path}: demo.speed")
    validate_offline_after(settings.cameras.offline_after_s, f"{path}: cameras.offline_after_s")
    validate_api(settings.api, f"{path}: api")
    if settings.api.enabled and "api.token" in plain:
        validate_api_token(plain["api.token"], f"{path}: api.token")
    validate_staffing(settings.staffing, f"{path}: staffing")
    validate_alerts(settings.alerts, f"{path}: alerts")
    validate_privacy(settings.privacy, f"{path}: privacy")
    validate_security(settings.security, f"{path}: security")
    return settings


def save_settings(data_dir: Path, settings: Settings) -> Path:
    """Write the settings atomically (temporary file, then rename), so a crash never leaves half a file.

    Secrets are never written; a plain one still in the file (its move into the secret store failed) is kept as
    it is, so saving other settings never loses it.
    """
    path = data_dir / SETTINGS_FILE
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, **asdict(settings)}
    for (section, key), value in _unmoved_plain_secrets(path).items():
        data[section][key] = value
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _unmoved_plain_secrets(path: Path) -> dict[tuple[str, str], str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    found = {}
    for section, key in PLAIN_SECRETS:
        value = data.get(section, {}).get(key) if isinstance(data.get(section), dict) else None
        if isinstance(value, str) and value:
            found[(section, key)] = value
    return found


def settings_changes(old: Settings, new: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """The keys that differ ("section.key") with their old and new values, for the audit trail."""
    before, after = {}, {}
    a, b = asdict(old), asdict(new)
    for section, values in b.items():
        for key, value in values.items():
            if a.get(section, {}).get(key) != value:
                before[f"{section}.{key}"], after[f"{section}.{key}"] = a.get(section, {}).get(key), value
    return before, after
