"""The ticket API's bearer token: read, shown masked, rotated. Shared by ``main.py api token`` and Settings → API.

Rotation makes a new random token (``secrets.token_urlsafe(32)``: 256 bits, 43 URL-safe characters), stores it in
the secret store (console/security/secret_store.py) and writes an audit entry "api.token_rotate" that holds no token at all.
A console running in the same process switches at once (``SecretStore.watch`` → ``TicketApi.set_token``); one
running in another process (the window, when the command line rotates) keeps the old token until it restarts.
The new token is shown once, to be entered into the ticketing system; afterwards only its first four characters.
No Qt imports.
"""

from __future__ import annotations

import logging
import secrets as random_tokens
from dataclasses import dataclass
from datetime import UTC, datetime

from console.security.secret_store import API_TOKEN, SecretError, SecretStore, mask_secret
from console.settings import SettingsError, validate_api_token
from storage.database import Database
from storage.tasks import RecordAudit
from storage.writer import apply_now

log = logging.getLogger(__name__)

ROTATE_ACTION = "api.token_rotate"


class TokenError(Exception):
    """No usable token; the message says what to do and never contains a token."""


def current_token(store: SecretStore) -> str:
    """The stored token; TokenError when it is missing, unreadable or too short to be safe."""
    try:
        token = store.get(API_TOKEN)
    except SecretError as exc:
        raise TokenError(f"the ticket feed's token cannot be read: {exc}") from None
    if not token:
        raise TokenError("the ticket feed is enabled but has no token yet: make one with 'python main.py api token "
                         "rotate' or in Settings → API")
    try:
        return validate_api_token(token, "the ticket feed's token")
    except SettingsError as exc:
        raise TokenError(f"{exc}: make a new one with 'python main.py api token rotate'") from None


def masked_token(store: SecretStore) -> str:
    """The token as shown: its first four characters and "…", or "" when none is stored (SecretError: unreadable)."""
    return mask_secret(store.get(API_TOKEN))


@dataclass(frozen=True)
class Rotation:
    """A rotated token: ``token`` is to be shown once; ``audit_error`` says why the audit entry is missing."""

    token: str
    audit_error: str | None = None

    def __repr__(self) -> str:  # a Rotation printed or logged by mistake must not show the token
        return f"Rotation(token={mask_secret(self.token)!r}, audit_error={self.audit_error!r})"


def rotate_token(store: SecretStore, db: Database, by: str) -> Rotation:
    """Store a new token and audit it. SecretError: it could not be stored, and the old token stays valid.

    The audit comes after the store: a token that exists must be shown even when the database is unavailable, or
    the ticketing system could never be given it (the failure is returned and logged instead).
    """
    token = random_tokens.token_urlsafe(32)
    store.set(API_TOKEN, token)
    log.info("the ticket API token was rotated by %s; it is kept in the %s", by, store.describe())
    try:
        apply_now(db, RecordAudit(by, ROTATE_ACTION, "api", "token", None, {"secret_store": store.describe()},
                                  datetime.now(UTC)))
    except Exception as exc:
        log.error("the API token rotation could not be audited: %s", exc)
        return Rotation(token, f"the rotation could not be written to the audit trail: {type(exc).__name__}")
    return Rotation(token)
