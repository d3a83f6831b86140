"""A running console on the demo branch for GUI tests: real database file, real writer and simulator threads."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from console.app.application import make_application
from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations
from console.bootstrap import Environment, prepare


def make_env(data_dir: Path, lang: str = "en", db: str | None = None) -> Environment:
    """The console's environment for ``data_dir``; ``db``: a database URL instead of the SQLite file there."""
    args = argparse.Namespace(data_dir=data_dir, db=db, lang=lang, log_level="INFO")
    return prepare(args)


@pytest.fixture
def demo_context(qapp, isolated_data_dir: Path) -> Iterator[AppContext]:
    """Demo at 600× from 11:10 (the lunch peak) on a Friday, seed 4 (a long wait around 11:21); stopped (threads joined) after the test."""
    make_application()
    Translations().install("en")
    env = make_env(isolated_data_dir)
    context = AppContext(
        env,
        SourceOptions(force_demo=True, speed=600.0, seed=4, sim_date=date(2026, 11, 27), sim_start=time(11, 10)),
    )
    context.start()
    try:
        yield context
    finally:
        context.stop()
        env.close()
