"""Fixtures of the camera tests: the evaluation footage, and a secret planted in camera URLs to prove it never leaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

#: A password planted in camera URLs; no message, log line or stored row may contain it.
SECRET = "Pl4nted-Secret"


@pytest.fixture(scope="module")
def datasets() -> Path:
    if not (SHARED / "datasets").is_dir():
        pytest.skip(f"{SHARED / 'datasets'} (evaluation footage) is not next to the repository")
    return SHARED / "datasets"
