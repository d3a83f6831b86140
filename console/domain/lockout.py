"""Login lockout and the idle lock, as plain state over a clock passed in (tests use a fake one).

- ``MAX_FAILURES`` (5) failed passwords in a row lock that user for ``LOCK_FOR`` (5 minutes) from the last one; a
  correct password during the lock is refused too (the lock is the point), and a success after it clears the count.
- The console locks itself after ``idle_after`` without input; unlocking needs the password of the user on duty or
  a switch of user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=5)


def after_failure(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """(failures to keep, locked until) after one more failed password: the fifth locks and resets the count."""
    failures += 1
    if failures >= MAX_FAILURES:
        return 0, now + LOCK_FOR
    return failures, None


@dataclass
class Lockout:
    failures: dict[str, list[datetime]] = field(default_factory=dict)
    locked_until: dict[str, datetime] = field(default_factory=dict)

    def locked(self, user: str, now: datetime) -> datetime | None:
        """Until when ``user`` is locked at ``now`` (None when not)."""
        until = self.locked_until.get(user)
        return until if until is not None and now < until else None

    def failed(self, user: str, now: datetime) -> datetime | None:
        """Record a failed attempt; the lock's end when this one locks the user."""
        if self.locked(user, now):
            return self.locked_until[user]
        attempts = self.failures.setdefault(user, [])
        _, until = after_failure(len(attempts), now)
        attempts.append(now)
        if until is not None:
            self.locked_until[user] = until
            attempts.clear()
        return until

    def succeeded(self, user: str) -> None:
        self.failures.pop(user, None)
        self.locked_until.pop(user, None)


@dataclass
class IdleLock:
    idle_after: timedelta
    last_input: datetime

    def touch(self, now: datetime) -> None:
        self.last_input = now

    def should_lock(self, now: datetime) -> bool:
        return now - self.last_input >= self.idle_after
