"""Fixtures of the secret tests: a real in-memory keyring backend (tests/security/keyrings.py)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from tests.security.keyrings import MemoryKeyring


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A usable keyring for the test, the suite's (failing) one put back afterwards."""
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)
