"""Secrets — the ticket API token, the SMTP password, camera passwords — kept out of settings.toml and the database.

Where they are kept ([security] secret_store in settings.toml):
- ``"keyring"``: the operating system's keyring through the ``keyring`` package (Windows Credential Manager, the
  macOS Keychain, the Secret Service of a Linux desktop), under the service name ``branch-lobby-console:<data
  directory>`` so two consoles with different data directories on one account never share or overwrite secrets.
- ``"file"``: ``secrets.enc`` in the data directory, encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from
  ``cryptography``) under the key in ``secrets.key`` next to it, created readable by the owner only (mode 0600; on
  Windows the data directory's own permissions apply).
- ``"auto"`` (the default): the keyring when a usable one exists, else the file.

What the encrypted file protects against, honestly: a copy of the database, of settings.toml or of a support
bundle that leaves the PC without ``secrets.key`` (a database dump, a mailed settings file, a backup of the
database alone), and casual reading over the shoulder. It does **not** protect against someone who can read the
console user's files (malware or another administrator on the PC, a backup of the whole data directory): the key
lies beside the data because the console must start unattended. The OS keyring is better where it exists: it is
tied to the user's login.

Failures: an unusable or failing keyring gives a ``SecretError`` whose message names the keyring and the reason —
never a secret value — and is logged. Under ``"auto"`` the file takes over (``notice`` says so, for the status
line); reads look in both places, so a secret written to the file while the keyring was away is still found.
Nothing already stored is deleted because something failed: an unreadable ``secrets.enc`` is never overwritten.
No Qt imports: the command line uses the same store.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from console.settings import SECRET_STORES

log = logging.getLogger(__name__)

MODES = SECRET_STORES  # "auto", "keyring", "file"
SERVICE_PREFIX = "branch-lobby-console"
KEY_FILE = "secrets.key"
DATA_FILE = "secrets.enc"

#: Names of the secrets the console keeps (camera passwords: ``camera_secret_name``).
API_TOKEN = "api.token"
SMTP_PASSWORD = "alerts.smtp_password"


class SecretError(Exception):
    """A secret cannot be read, stored or deleted; the message names the store and the reason, never the value."""


def camera_secret_name(branch_code: str, camera_id: str) -> str:
    """The secret of one camera: branch and camera id, so the same camera id in two branches never collides."""
    return f"camera.{branch_code}.{camera_id}"


def mask_secret(value: str | None) -> str:
    """The first four characters and "…" for a value long enough that four characters reveal little (tokens are
    43 characters); only "…" for a short one. "" when there is no value."""
    if not value:
        return ""
    return value[:4] + "…" if len(value) >= 16 else "…"


def service_name(data_dir: Path) -> str:
    return f"{SERVICE_PREFIX}:{Path(data_dir).resolve()}"


def _scrub(text: str, value: str | None) -> str:
    """An exception's text without the value, in case a backend quotes what it was given."""
    return text.replace(value, "***") if value else text


class _Keyring:
    """The ``keyring`` package's backend; every failure becomes a SecretError naming the backend."""

    def __init__(self, service: str, backend: Any = None) -> None:
        self.service = service
        self.ring: Any = None
        self.problem: str | None = None
        self.label = "OS keyring"
        try:
            if backend is None:
                import keyring

                backend = keyring.get_keyring()
            from keyring.backends import fail, null
        except Exception as exc:  # not installed, or a broken plug-in: the keyring is unavailable, no more
            self.problem = f"the OS keyring cannot be loaded ({type(exc).__name__}: {exc})"
            return
        backend_name = getattr(backend, "name", type(backend).__name__)
        self.label = f"OS keyring ({backend_name})"
        if isinstance(backend, (fail.Keyring, null.Keyring)) or getattr(backend, "backends", None) == []:
            self.problem = f"no usable OS keyring was found (the keyring package offers only {backend_name!r})"
            return
        self.ring = backend

    def _call(self, verb: str, name: str, value: str | None, call: Callable[[], Any]) -> Any:
        if self.ring is None:
            raise SecretError(f"cannot {verb} secret {name!r}: {self.problem}")
        try:
            return call()
        except Exception as exc:  # keyring.errors.* and whatever a backend's D-Bus or COM layer raises
            reason = _scrub(f"{type(exc).__name__}: {exc}".rstrip(": "), value)
            raise SecretError(f"the {self.label} could not {verb} secret {name!r}: {reason}") from None

    def get(self, name: str) -> str | None:
        return self._call("read", name, None, lambda: self.ring.get_password(self.service, name))

    def set(self, name: str, value: str) -> None:
        self._call("store", name, value, lambda: self.ring.set_password(self.service, name, value))

    def delete(self, name: str) -> None:
        from keyring.errors import PasswordDeleteError

        def remove() -> None:
            try:
                self.ring.delete_password(self.service, name)
            except PasswordDeleteError:  # not there: nothing to delete
                pass

        self._call("delete", name, None, remove)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise read-modify-write of ``secrets.enc`` between processes (the command line rotating the token while
    the window saves a camera), so neither write loses the other's secret. ``flock`` where it exists (Linux, macOS);
    elsewhere the OS keyring is the usual store and the in-process lock has to do."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield  # a read-only data directory: writing fails later with a clear message
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class _EncryptedFile:
    """``secrets.enc``: one Fernet token holding a JSON object name → value, rewritten atomically."""

    def __init__(self, data_dir: Path) -> None:
        self.key_path = Path(data_dir) / KEY_FILE
        self.path = Path(data_dir) / DATA_FILE
        self.lock_path = Path(data_dir) / (DATA_FILE + ".lock")
        self.label = f"encrypted file {self.path}"

    def _fernet(self, create: bool):
        from cryptography.fernet import Fernet

        if self.key_path.exists():
            try:
                return Fernet(self.key_path.read_bytes().strip())
            except (OSError, ValueError) as exc:
                raise SecretError(f"the key file {self.key_path} cannot be used ({type(exc).__name__}); the "
                                  f"secrets in {self.path} cannot be read") from None
        if self.path.exists():
            raise SecretError(f"{self.path} exists but its key {self.key_path} is missing: the secrets in it cannot "
                              f"be read (restore {KEY_FILE} from where {DATA_FILE} came from, or set the secrets "
                              "again)")
        if not create:
            return None
        key = Fernet.generate_key()
        try:
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
        except OSError as exc:
            raise SecretError(f"the key file {self.key_path} cannot be created: {exc.strerror or exc}") from None
        return Fernet(key)

    def read_all(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        from cryptography.fernet import InvalidToken

        fernet = self._fernet(create=False)
        try:
            values = json.loads(fernet.decrypt(self.path.read_bytes()).decode("utf-8"))
        except InvalidToken:
            raise SecretError(f"{self.path} cannot be decrypted with {self.key_path} (a different key, or the file "
                              "is damaged); it is left as it is") from None
        except (OSError, ValueError) as exc:
            raise SecretError(f"{self.path} cannot be read ({type(exc).__name__})") from None
        if not isinstance(values, dict):
            raise SecretError(f"{self.path} does not hold a table of secrets; it is left as it is")
        return {str(k): str(v) for k, v in values.items()}

    def _write_all(self, values: dict[str, str]) -> None:
        fernet = self._fernet(create=True)
        data = fernet.encrypt(json.dumps(values, sort_keys=True).encode("utf-8"))
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.path)
        except OSError as exc:
            raise SecretError(f"{self.path} cannot be written: {exc.strerror or exc}") from None

    def get(self, name: str) -> str | None:
        return self.read_all().get(name)

    def set(self, name: str, value: str) -> None:
        with _file_lock(self.lock_path):
            values = self.read_all()  # an unreadable file raises here and is never overwritten
            values[name] = value
            self._write_all(values)

    def delete(self, name: str) -> None:
        with _file_lock(self.lock_path):
            values = self.read_all()
            if values.pop(name, None) is not None:
                self._write_all(values)


class SecretStore:
    """``get``/``set``/``delete`` secrets by name (thread-safe); ``watch`` calls back after a secret is set.

    ``keyring_backend``: a ``keyring.backend.KeyringBackend`` to use instead of the one ``keyring`` picks (tests).
    """

    def __init__(self, data_dir: Path, mode: str = "auto", *, keyring_backend: Any = None) -> None:
        if mode not in MODES:
            raise SecretError(f"unknown secret store {mode!r}; choose one of {', '.join(MODES)}")
        self.mode = mode
        self._lock = threading.RLock()
        self._watchers: dict[str, list[Callable[[str], None]]] = {}
        self._file = _EncryptedFile(Path(data_dir))
        self._keyring = _Keyring(service_name(Path(data_dir)), keyring_backend) if mode != "file" else None
        #: Why secrets are not where the settings ask, for the log and the status line (None: all is well).
        self.notice: str | None = None
        if self._keyring is not None and self._keyring.problem is not None:
            if mode == "keyring":
                self.notice = f"{self._keyring.problem}; secrets cannot be read or stored until it is available"
                log.warning("secret store: %s", self.notice)
            else:
                self.notice = f"{self._keyring.problem}: secrets are kept in the {self._file.label}"
                log.info("secret store: %s", self.notice)

    @property
    def uses_keyring(self) -> bool:
        return self._keyring is not None and self._keyring.ring is not None

    def describe(self) -> str:
        """Where secrets go now: "OS keyring (…)" or "encrypted file …"."""
        if self.mode == "file" or (self.mode == "auto" and not self.uses_keyring):
            return self._file.label
        assert self._keyring is not None
        return self._keyring.label

    def _keyring_failed(self, error: SecretError) -> None:
        """Under "auto": log the keyring's failure once per distinct message and go on with the file."""
        message = f"{error}; using the {self._file.label} instead"
        if message != self.notice:
            log.warning("secret store: %s", message)
        self.notice = message

    def get(self, name: str) -> str | None:
        """The secret, or None when none is stored under ``name``."""
        with self._lock:
            if self._keyring is not None:
                try:
                    value = self._keyring.get(name)
                except SecretError as exc:
                    if self.mode == "keyring":
                        log.warning("secret store: %s", exc)
                        raise
                    if self.uses_keyring:
                        self._keyring_failed(exc)
                    value = None
                if value is not None or self.mode == "keyring":
                    return value
            return self._file.get(name)

    def set(self, name: str, value: str) -> None:
        """Store ``value`` (replacing an older one); SecretError when it cannot be stored anywhere allowed."""
        if not value:
            raise SecretError(f"secret {name!r} cannot be empty")
        with self._lock:
            stored = False
            if self._keyring is not None and (self.mode == "keyring" or self.uses_keyring):
                try:
                    self._keyring.set(name, value)
                    stored = True
                except SecretError as exc:
                    if self.mode == "keyring":
                        log.warning("secret store: %s", exc)
                        raise
                    self._keyring_failed(exc)
            if stored:
                self._forget_file_copy(name)
            else:
                self._file.set(name, value)
            watchers = list(self._watchers.get(name, ()))
        for callback in watchers:
            try:
                callback(value)
            except Exception:
                log.exception("secret store: a listener of %r failed", name)

    def _forget_file_copy(self, name: str) -> None:
        """The keyring holds it now: an older copy in the file (from a keyring outage) would only go stale."""
        try:
            if self._file.path.exists():
                self._file.delete(name)
        except SecretError as exc:
            log.warning("secret store: an older copy of %r stays in the file: %s", name, exc)

    def delete(self, name: str) -> None:
        """Remove the secret wherever it is (nothing stored: nothing to do)."""
        with self._lock:
            errors: list[str] = []
            if self._keyring is not None and (self.mode == "keyring" or self.uses_keyring):
                try:
                    self._keyring.delete(name)
                except SecretError as exc:
                    errors.append(str(exc))
            try:
                if self._file.path.exists():
                    self._file.delete(name)
            except SecretError as exc:
                errors.append(str(exc))
            if errors:
                log.warning("secret store: %s", "; ".join(errors))
                raise SecretError("; ".join(errors))

    def watch(self, name: str, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(new value)`` after each ``set(name, …)`` in this process; returns the unsubscribe."""
        with self._lock:
            self._watchers.setdefault(name, []).append(callback)

        def unwatch() -> None:
            with self._lock:
                found = self._watchers.get(name, [])
                if callback in found:
                    found.remove(callback)

        return unwatch
