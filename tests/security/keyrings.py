"""Real ``keyring`` backends for the tests (subclasses of the library's own ``KeyringBackend``, installed with
``keyring.set_keyring``): one that keeps passwords in a dict, and the same one failing on demand as a locked or
vanished desktop keyring does."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Passwords in a dict; ``failure`` set: every call raises it (the keyring locked or gone at run time)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}
        self.failure: Exception | None = None

    def _check(self) -> None:
        if self.failure is not None:
            raise self.failure

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if self.values.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


LOCKED = KeyringLocked("the collection is locked")
