"""Starts the window: QApplication, translations, style, the application context and the main window.

``--quit-after`` and ``--screenshot`` exist for documentation, support and tests: the PNG is a grab of the main
window taken just before quitting.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QMessageLogContext, QObject, QTimer, QtMsgType, Slot, qInstallMessageHandler
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from console.app import RESOURCES
from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations, resolve_language
from console.app.main_window import MainWindow
from console.bootstrap import Environment
from console.security.access import Operator
from storage import repository

log = logging.getLogger(__name__)


#: Window size for --screenshot, in pixels: large enough for every panel to show its data.
SCREENSHOT_SIZE = (1600, 1000)


def headless() -> bool:
    """True when no one can see a dialog (offscreen or minimal Qt platform): never block on a modal box then."""
    return os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal")


def choose_platform(screenshot_only: bool) -> str | None:
    """Pick the offscreen Qt platform when there is no display but only a screenshot is wanted.

    Returns a message when the window cannot be shown at all (Linux without X11 or Wayland), instead of letting Qt
    abort with a message about missing xcb libraries.
    """
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    if screenshot_only:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return None
    return ("no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); start the console "
            "from the desktop session, or use --quit-after with --screenshot PATH to render it without a display")


#: Qt messages that say nothing useful to a user of the console (the offscreen platform used for screenshots).
_QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints",)

_qt_log = logging.getLogger("qt")


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own messages go to the console's log, not to the terminal."""
    if any(message.startswith(quiet) for quiet in _QUIET_QT_MESSAGES):
        return
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(kind, logging.ERROR)
    _qt_log.log(level, "%s", message)


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Branch Lobby Console")
    app.setOrganizationName("branch-lobby-console")
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "console.svg")))
    style = RESOURCES / "styles" / "console.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    font = app.font()
    font.setFamilies([font.family(), "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC"])
    app.setFont(QFont(font))
    return app


class FirstPaint(QObject):
    """Prints "first paint" on stderr when the main window is first painted, for start-up time measurements
    (benchmarks/startup_time.py sets BRANCH_CONSOLE_REPORT_FIRST_PAINT=1); removes itself afterwards."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            print("first paint", file=sys.stderr, flush=True)
            watched.removeEventFilter(self)
        return False


class ConsoleApp(QObject):
    """Owns the window and rebuilds it when the language changes; the context keeps running meanwhile."""

    def __init__(self, env: Environment, context: AppContext, translations: Translations) -> None:
        super().__init__()
        self.env = env
        self.context = context
        self.translations = translations
        self.window: MainWindow | None = None

    def show_window(self) -> MainWindow:
        old = self.window
        window = MainWindow(self.context)
        window.sig_language_requested.connect(self.switch_language)
        window.sig_open_branch.connect(self.open_branch)
        if old is not None:
            old.save_layout()
            window.restoreGeometry(old.saveGeometry())
            window.restoreState(old.saveState(1), 1)
            old.hide()
            old.deleteLater()
        self.window = window
        if os.environ.get("BRANCH_CONSOLE_REPORT_FIRST_PAINT") == "1" and old is None:
            self._first_paint = FirstPaint(window)
            window.installEventFilter(self._first_paint)
        window.show()
        return window

    @Slot(str)
    def switch_language(self, setting: str) -> None:
        self.translations.install(resolve_language(setting))
        self.show_window()

    @Slot(str, object)
    def open_branch(self, code: str, operator: Operator) -> None:
        """Run the console on branch ``code`` as ``operator`` from now on (after the set-up wizard, or a change of
        the branch's set-up): the running parts stop, the branch's start, the window is rebuilt on them."""
        old = self.context
        options = replace(old.options, force_demo=False, branch=code)
        old.stop()
        context = AppContext(self.env, options)
        context.operator = operator
        self.context = context
        context.start()
        self.show_window()
        old.deleteLater()

    @Slot()
    def finish(self, screenshot: Path | None) -> None:
        if screenshot is not None and self.window is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not self.window.grab().save(str(screenshot), "PNG"):
                log.error("could not write the screenshot to %s", screenshot)
                print(f"error: could not write the screenshot to {screenshot}", file=sys.stderr)
                self._exit_code = 1
        if self.window is not None:
            self.window.close()
        QApplication.instance().quit()

    _exit_code = 0


def run_region(env: Environment, args: argparse.Namespace) -> int:
    """The regional view (console/app/region_window.py) as the application's window."""
    from console.app.region_window import RegionWindow
    from console.security.access import demo_operator, login_required

    app = QApplication.instance()
    operator = demo_operator()
    if login_required(env.db):
        from console.app.login import LoginCancelled, login_at_start

        try:
            operator = login_at_start(env.db, "region", args.user, args.login_password_stdin,
                                      can_show_dialogs=not headless())
        except LoginCancelled as exc:
            print(f"error: {exc}", file=sys.stderr)
            env.close()
            return 3
    window = RegionWindow(env, operator)
    exit_code = 0

    def finish() -> None:
        nonlocal exit_code
        if args.screenshot is not None:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(args.screenshot), "PNG"):
                print(f"error: could not write the screenshot to {args.screenshot}", file=sys.stderr)
                exit_code = 1
        window.close()
        app.quit()

    try:
        window.start()
        window.show()
        if args.quit_after is not None:
            QTimer.singleShot(int(args.quit_after * 1000), finish)
        code = app.exec()
    finally:
        window.stop()
        env.close()
    return code or exit_code


def show_startup_error(message: str) -> None:
    """A start-up problem as a dialog where someone can see it (stderr already has it)."""
    if headless():
        return
    make_application()
    QMessageBox.critical(None, "Branch Lobby Console", message)


def run_gui(env: Environment, args: argparse.Namespace) -> int:
    problem = choose_platform(screenshot_only=args.screenshot is not None and args.quit_after is not None)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        env.close()
        return 2
    qInstallMessageHandler(_qt_message)
    app = make_application()
    translations = Translations()
    translations.install(resolve_language(env.settings.ui.language))
    options = SourceOptions(
        force_demo=bool(args.demo) or args.window_scenario is not None,  # a scenario is a demo day
        branch=args.window_branch,
        speed=args.speed if args.speed is not None else env.settings.demo.speed,
        seed=args.seed if args.seed is not None else env.settings.demo.seed,
        sim_date=args.sim_date,
        sim_start=args.sim_start,
        scenario=args.window_scenario,
    )
    context = AppContext(env, options)
    real = [b.code for b in repository.list_branches(env.db) if not b.is_demo]
    if args.window_branch is not None and args.window_branch not in real:
        print(f"error: --branch {args.window_branch}: no such branch in the database {env.db.describe()} "
              f"(branches: {', '.join(real) or 'none'})", file=sys.stderr)
        env.close()
        return 2
    if args.region or (not args.demo and args.window_branch is None and len(real) > 1):
        return run_region(env, args)
    branch = context.branch_to_open()
    if branch is not None:
        from console.app.login import LoginCancelled, login_at_start

        try:
            context.operator = login_at_start(env.db, branch, args.user, args.login_password_stdin,
                                              can_show_dialogs=not headless())
        except LoginCancelled as exc:
            print(f"error: {exc}", file=sys.stderr)
            env.close()
            return 3
    console = ConsoleApp(env, context, translations)
    try:
        context.start()
        window = console.show_window()
        if args.screenshot is not None:
            window.resize(SCREENSHOT_SIZE[0], SCREENSHOT_SIZE[1])  # the same picture whatever layout.ini remembers
        if args.quit_after is not None:
            QTimer.singleShot(int(args.quit_after * 1000), lambda: console.finish(args.screenshot))
        code = app.exec()
    finally:
        context = console.context  # the branch set up meanwhile, if any
        context.stop()
        env.close()
    if context.runner is not None and context.runner.error:
        print(f"error: the demo simulation stopped: {context.runner.error}", file=sys.stderr)
        return 1
    return code or console._exit_code
