"""Suite-wide set-up: headless Qt, an isolated data directory per test, and no threads or timers left behind."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists
# never the developer's own OS keyring: secrets go to each test's encrypted file (tests/security installs their own
# keyring backends where they test the keyring); also inherited by the command-line runs of the tests
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the bundle's build now when a bundle test is selected: it runs beside the other tests. Under
    pytest-xdist every worker collects every test, so there the worker that runs the bundle test starts the build
    when it gets there, beside the other worker's tests."""
    import os
    import sys

    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if sys.platform.startswith("linux") and any(i.nodeid.startswith("tests/installer/test_bundle.py") for i in items):
        from tests.installer import early_build

        early_build.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.installer import early_build

    early_build.clean_up()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory and no database override from the caller's environment."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BRANCH_CONSOLE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("BRANCH_CONSOLE_DB", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return data_dir


@pytest.fixture(autouse=True)
def no_leftover_threads_or_timers() -> Iterator[None]:
    """Fail a test that leaves Python threads running or Qt timers active (shutdown bugs show up early)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    extra: list[threading.Thread] = []
    while time.monotonic() < deadline:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra:
            break
        time.sleep(0.05)
    assert not extra, f"threads left running: {[t.name for t in extra]}"
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
    except ImportError:  # pragma: no cover
        return
    app = QApplication.instance()
    if app is None:
        return
    timers = [t for t in app.findChildren(QTimer) if t.isActive()]
    for widget in app.topLevelWidgets():
        if widget.isVisible():
            timers += [t for t in widget.findChildren(QTimer) if t.isActive()]
    assert not timers, f"Qt timers left active: {[t.objectName() or repr(t) for t in timers]}"


#: A modal dialog open this long in a test waits for a click nobody will make (seconds).
MODAL_STUCK_S = 20.0


@pytest.fixture(autouse=True)
def no_stuck_modal_dialog(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close a modal dialog a Qt test left waiting for a click and fail the test naming the dialog and its text,
    instead of hanging the suite in the dialog's event loop (a refusal or failure box the test did not expect)."""
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qapp")  # the timer needs the application
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    stuck: list[str] = []
    seen: dict[int, float] = {}

    def check() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            seen.clear()
            return
        since = seen.setdefault(id(modal), time.monotonic())
        if time.monotonic() - since < MODAL_STUCK_S:
            return
        text = modal.text() if isinstance(modal, QMessageBox) else ""
        stuck.append(f"{type(modal).__name__} {modal.windowTitle()!r} {text!r}")
        seen.pop(id(modal), None)
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()

    watchdog = QTimer()
    watchdog.setObjectName("stuck modal watchdog")
    watchdog.timeout.connect(check)
    watchdog.start(500)
    try:
        yield
    finally:
        watchdog.stop()
        watchdog.deleteLater()
    assert not stuck, f"modal dialogs left waiting for a click: {stuck}"


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared (datasets and models); tests that need it are skipped with a reason when it is absent."""
    if not (SHARED / "datasets").is_dir():
        pytest.skip(f"{SHARED} with datasets/ and models/ is not next to the repository")
    return SHARED


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend the console supports: a SQLite file, and a database of its own on the
    test PostgreSQL server (tests/pg.py: skipped without one, except under CI)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'console.db'}"
        return
    from tests.pg import fresh_database

    with fresh_database() as url:
        yield url
