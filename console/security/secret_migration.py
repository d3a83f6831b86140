"""At every start: secrets still written in plain text are moved into the secret store (console/security/secret_store.py).

- settings.toml: ``[api] token`` and ``[alerts] smtp_password`` (older files, or typed in by hand — a documented way
  to set them) are stored and the file is rewritten without them.
- the database: camera sources with a password in them (console/security/camera_passwords.py).

Idempotent: what was moved is no longer there to move. A secret that cannot be stored (the keyring the settings
insist on is unavailable) stays where it is, and the reason is logged and returned for the status line: nothing is
lost. Values are never logged. No Qt imports.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

import tomli_w

from console.security.camera_passwords import move_plain_camera_passwords
from console.security.secret_store import SecretError, SecretStore
from console.settings import PLAIN_SECRETS, SETTINGS_FILE, pop_plain_secrets
from storage.database import Database

log = logging.getLogger(__name__)


def move_plain_settings_secrets(data_dir: Path, store: SecretStore) -> list[str]:
    """Move the plain secrets of settings.toml into ``store``; the names moved. SecretError: none was removed from
    the file (those stored before the failure are stored twice until the next start, which is harmless)."""
    path = Path(data_dir) / SETTINGS_FILE
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # load_settings has already said what is wrong with the file
    present = [f"[{section}] {key}" for section, key in PLAIN_SECRETS
               if isinstance(data.get(section), dict) and key in data[section]]
    if not present:
        return []
    found = pop_plain_secrets(data, path)
    for name, value in found.items():
        store.set(name, value)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    log.info("%s moved from %s into the %s", " and ".join(present), path, store.describe())
    return list(found)


def move_plain_secrets(data_dir: Path, store: SecretStore, db: Database) -> str | None:
    """Both moves; None when all is well, else a message for the status line (already logged)."""
    problems = []
    try:
        move_plain_settings_secrets(data_dir, store)
    except SecretError as exc:
        problems.append(f"secrets in {Path(data_dir) / SETTINGS_FILE} stay there in plain text for now: {exc}")
        log.error("%s", problems[-1])
    except OSError as exc:
        problems.append(f"{Path(data_dir) / SETTINGS_FILE} could not be rewritten without its secrets: "
                        f"{exc.strerror or exc}")
        log.error("%s", problems[-1])
    try:
        move_plain_camera_passwords(db, store)
    except Exception as exc:  # a database problem: the console still starts, the cameras keep their sources
        problems.append(f"camera passwords could not be moved out of the database: {type(exc).__name__}: {exc}")
        log.error("%s", problems[-1])
    return "; ".join(problems) or None
