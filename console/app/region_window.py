"""The regional view: every branch of a shared database on one screen, and any branch's panels opened from it.

``main.py --region`` opens it (and so does a plain start on a database holding more than one real branch without
``--branch``). Its parts — the reader of every branch's figures and the contexts of the branch windows — belong to
``RegionContext`` (``console/app/region_context.py``); the reader signals plain ``BranchSummary`` rows to the
window in the GUI thread.

Opening a branch (double click, Enter, or File → Open branch) starts a *viewer* context for it
(``SourceOptions(viewer=True)``: it reads what the branch's own console and its workers store, and runs no
cameras, ticket feed, alert evaluation, report or purge of its own) and shows the branch's usual window,
read-only unless the user's role may act from the regional view (``Permission.ACT_FROM_REGION``: the
administrator). Each branch window has its own context, stopped when the window closes; the user logged in here is
the user of every branch window.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from console.app.region_context import RegionContext
from console.bootstrap import Environment
from console.security.access import Operator
from widgets.panels.region_table import RegionTable

log = logging.getLogger(__name__)


class RegionWindow(QMainWindow):
    def __init__(self, env: Environment, operator: Operator, translations=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.translations = translations
        self.context = RegionContext(env, operator, self)
        self.branch_windows: dict[str, object] = {}  # code → MainWindow (its context is stopped when it closes)
        self.setObjectName("regionWindow")
        self.setWindowTitle(self.tr("Branch Lobby Console — Region"))
        self.table = RegionTable(self)
        self.table.sig_open.connect(self.open_branch)
        from console.domain.permissions import Permission
        from widgets import labels

        self.queue_visible = operator.may(Permission.VIEW_QUEUE)
        self.table.set_queue_hidden(labels.denied(operator.role, Permission.VIEW_QUEUE))
        self.setCentralWidget(self.table)
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        user = QLabel(" " + self.tr("%1 (%2)").replace("%1", operator.display_name)
                      .replace("%2", self._role_text()) + " ")
        self.statusBar().addPermanentWidget(user)
        self._build_menus()
        self.summaries: list = []
        self.context.feed.sig_read.connect(self.show_summaries)
        self.context.feed.sig_failed.connect(self.show_failure)
        self.resize(1100, 560)

    @property
    def operator(self) -> Operator:
        """Who is logged in to the regional view (and so to every branch window opened from it)."""
        return self.context.operator

    @operator.setter
    def operator(self, operator: Operator) -> None:
        self.context.operator = operator

    def _role_text(self) -> str:
        from widgets import labels

        return labels.user_role(self.operator.role) if self.operator.role is not None else self.tr("demo")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        open_action = QAction(self.tr("&Open branch"), self)
        open_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_O))
        open_action.triggered.connect(self.open_selected)
        file_menu.addAction(open_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

    def start(self) -> None:
        self.status_label.setText(self.tr("Reading the branches…"))
        self.context.start()

    @Slot(object, object)
    def show_summaries(self, summaries: list, at: datetime) -> None:
        self.summaries = summaries
        self.table.show_summaries(summaries, at)
        alerts = sum(s.alerts for s in summaries)
        text = self.tr("%1 branches · %2 people in lobbies · %3 waiting · %4 open alerts · updated %5 · %6") \
            if self.queue_visible else self.tr("%1 branches · %2 people in lobbies · %4 open alerts · updated %5 · %6")
        self.status_label.setText(
            text.replace("%1", str(len(summaries))).replace("%2", str(sum(s.occupancy or 0 for s in summaries)))
            .replace("%3", str(sum(s.waiting for s in summaries))).replace("%4", str(alerts))
            .replace("%5", at.astimezone().strftime("%H:%M:%S"))
            .replace("%6", self.tr("Database: %1").replace("%1", self.env.db.describe())))

    @Slot(str)
    def show_failure(self, text: str) -> None:
        self.status_label.setText(self.tr("The database cannot be read (%1); the figures shown may be old. "
                                          "Trying again…").replace("%1", text))

    @Slot()
    def open_selected(self) -> None:
        code = self.table.selected_code()
        if code is None:
            QMessageBox.information(self, self.windowTitle(), self.tr("Choose a branch in the list first."))
            return
        self.open_branch(code)

    @Slot(str)
    def open_branch(self, code: str) -> None:
        """Show ``code``'s panels in a window of its own (raised when already open)."""
        from console.app.main_window import MainWindow

        window = self.branch_windows.get(code)
        if window is not None:
            window.show()
            window.raise_()
            window.activateWindow()
            return
        try:
            context = self.context.open_branch(code)
        except Exception as exc:  # the branch vanished or the database went away meanwhile
            log.exception("opening branch %s from the regional view failed", code)
            QMessageBox.warning(self, self.windowTitle(), self.tr("Branch %1 cannot be opened: %2")
                                .replace("%1", code).replace("%2", str(exc)))
            return
        window = MainWindow(context)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda _obj=None, c=code: self._branch_closed(c))
        self.branch_windows[code] = window
        window.show()

    def _branch_closed(self, code: str) -> None:
        self.branch_windows.pop(code, None)
        self.context.close_branch(code)

    def stop(self) -> None:
        """Close every branch window, stop their contexts and the reader (idempotent)."""
        for code in list(self.branch_windows):
            window = self.branch_windows.pop(code)
            window.close()
            self._branch_closed(code)
        self.context.stop()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.stop()
        super().closeEvent(event)
