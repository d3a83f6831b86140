"""The secret store (console/security/secret_store.py): the encrypted file, a real keyring backend, a keyring that is unavailable
or fails at run time — clear messages naming the keyring, no secret in any message or log, nothing stored lost."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

import pytest
from keyring.backends import fail

from console.security.secret_store import (
    DATA_FILE,
    KEY_FILE,
    SecretError,
    SecretStore,
    camera_secret_name,
    mask_secret,
    service_name,
)
from tests.security.keyrings import LOCKED, MemoryKeyring

SECRET = "Pl4nted-secret-7f3a9c-value"


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_file_round_trip_encrypted_at_rest(tmp_path: Path) -> None:
    store = SecretStore(tmp_path, "file")
    assert store.get("api.token") is None and not (tmp_path / DATA_FILE).exists()  # reading creates nothing
    store.set("api.token", SECRET)
    store.set(camera_secret_name("BJ01", "CAM1"), '["p@ss/w:rd"]')
    again = SecretStore(tmp_path, "file")  # another run of the console
    assert again.get("api.token") == SECRET and again.get("camera.BJ01.CAM1") == '["p@ss/w:rd"]'
    assert SECRET.encode() not in all_bytes(tmp_path) and b"p@ss/w:rd" not in all_bytes(tmp_path)
    assert store.describe() == f"encrypted file {tmp_path / DATA_FILE}"
    if sys.platform != "win32":
        for name in (KEY_FILE, DATA_FILE):
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
    again.delete("api.token")
    again.delete("api.token")  # nothing stored: nothing to do
    assert store.get("api.token") is None and store.get("camera.BJ01.CAM1") == '["p@ss/w:rd"]'
    with pytest.raises(SecretError, match="cannot be empty"):
        store.set("api.token", "")


def test_unreadable_file_is_never_overwritten(tmp_path: Path) -> None:
    store = SecretStore(tmp_path, "file")
    store.set("api.token", SECRET)
    before = (tmp_path / DATA_FILE).read_bytes()
    key = (tmp_path / KEY_FILE).read_bytes()
    (tmp_path / KEY_FILE).unlink()
    with pytest.raises(SecretError) as err:
        store.set("alerts.smtp_password", "other-secret-value")
    assert f"{tmp_path / KEY_FILE} is missing" in str(err.value) and SECRET not in str(err.value)
    assert (tmp_path / DATA_FILE).read_bytes() == before and not (tmp_path / KEY_FILE).exists()
    from cryptography.fernet import Fernet

    (tmp_path / KEY_FILE).write_bytes(Fernet.generate_key())  # a different key
    with pytest.raises(SecretError, match="cannot be decrypted"):
        store.get("api.token")
    with pytest.raises(SecretError):
        store.delete("api.token")
    assert (tmp_path / DATA_FILE).read_bytes() == before
    (tmp_path / KEY_FILE).write_bytes(key)  # the right key back: everything is still there
    assert store.get("api.token") == SECRET


def test_keyring_backend(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    store, other = SecretStore(first, "auto"), SecretStore(second, "keyring")
    assert store.uses_keyring and store.notice is None
    assert store.describe() == "OS keyring (keyrings MemoryKeyring)"
    store.set("api.token", SECRET)
    other.set("api.token", "second-data-dir-token-value")
    assert memory_keyring.values[(service_name(first), "api.token")] == SECRET  # in the keyring itself
    assert service_name(first) != service_name(second) and str(first.resolve()) in service_name(first)
    assert store.get("api.token") == SECRET and other.get("api.token") == "second-data-dir-token-value"
    assert not (first / DATA_FILE).exists() and not (first / KEY_FILE).exists()  # nothing on disk
    store.delete("api.token")
    assert store.get("api.token") is None and other.get("api.token") == "second-data-dir-token-value"


def test_unavailable_keyring_falls_back_under_auto(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # the suite runs with keyring's "fail" backend (tests/conftest.py): no usable keyring, as on a server
    store = SecretStore(tmp_path, "auto")
    assert not store.uses_keyring
    assert store.notice is not None and "no usable OS keyring" in store.notice and "fail Keyring" in store.notice
    assert f"encrypted file {tmp_path / DATA_FILE}" in store.notice
    store.set("api.token", SECRET)
    assert store.get("api.token") == SECRET and (tmp_path / DATA_FILE).exists()
    assert SECRET not in caplog.text


def test_keyring_required_but_unavailable(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = SecretStore(tmp_path, "keyring", keyring_backend=fail.Keyring())
    assert "no usable OS keyring" in (store.notice or "")
    with pytest.raises(SecretError) as err:
        store.set("api.token", SECRET)
    message = str(err.value)
    assert "cannot store secret 'api.token'" in message and "no usable OS keyring" in message
    assert "fail Keyring" in message and SECRET not in message
    with pytest.raises(SecretError):
        store.get("api.token")
    assert not (tmp_path / DATA_FILE).exists()  # never quietly somewhere else
    assert SECRET not in caplog.text and "no usable OS keyring" in caplog.text


def test_keyring_failing_at_run_time(memory_keyring: MemoryKeyring, tmp_path: Path,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = SecretStore(tmp_path, "auto")
    store.set("camera.BJ01.CAM1", '["cam-pass-value"]')
    memory_keyring.failure = LOCKED
    store.set("api.token", SECRET)  # the keyring is locked: the encrypted file takes over
    assert "could not store secret 'api.token': KeyringLocked: the collection is locked" in (store.notice or "")
    assert "OS keyring (keyrings MemoryKeyring)" in store.notice and "using the encrypted file" in store.notice
    assert store.get("api.token") == SECRET
    assert any(r.levelno == logging.WARNING and "KeyringLocked" in r.getMessage() for r in caplog.records)
    memory_keyring.failure = None  # back: both are found, and what the keyring had was never touched
    assert store.get("api.token") == SECRET and store.get("camera.BJ01.CAM1") == '["cam-pass-value"]'
    assert memory_keyring.values[(service_name(tmp_path), "camera.BJ01.CAM1")] == '["cam-pass-value"]'
    store.set("api.token", "newer-token-value-0123456")  # the keyring has it again: the file's copy goes
    assert SecretStore(tmp_path, "file").get("api.token") is None
    assert SECRET not in caplog.text and "cam-pass-value" not in caplog.text


def test_keyring_mode_fails_loudly_and_loses_nothing(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    store = SecretStore(tmp_path, "keyring")
    store.set("api.token", SECRET)
    memory_keyring.failure = RuntimeError(f"D-Bus said no to {SECRET}")  # a backend quoting what it was given
    with pytest.raises(SecretError) as err:
        store.set("api.token", SECRET)
    assert "OS keyring (keyrings MemoryKeyring) could not store secret 'api.token'" in str(err.value)
    assert SECRET not in str(err.value) and "***" in str(err.value)
    with pytest.raises(SecretError):
        store.delete("api.token")
    memory_keyring.failure = None
    assert store.get("api.token") == SECRET and not (tmp_path / DATA_FILE).exists()


def test_watchers_hear_of_a_new_value(tmp_path: Path) -> None:
    store = SecretStore(tmp_path, "file")
    heard: list[str] = []
    unwatch = store.watch("api.token", heard.append)
    store.set("api.token", "first-value-0123456789")
    store.set("alerts.smtp_password", "not-watched")
    unwatch()
    store.set("api.token", "second-value-0123456789")
    assert heard == ["first-value-0123456789"]


def test_masking_and_modes(tmp_path: Path) -> None:
    assert mask_secret("AbCdEfGhIjKlMnOpQrSt") == "AbCd…" and mask_secret("short") == "…" and mask_secret(None) == ""
    with pytest.raises(SecretError, match="unknown secret store 'vault'"):
        SecretStore(tmp_path, "vault")
