"""The main window: lays out the panels as dockable panes, the status bar and the menus; nothing else.

Panels get ``BranchView``s from the controller through bound slots. The dock layout is saved in
``layout.ini`` in the data directory (QSettings, INI format) when the window closes and restored at start;
``LAYOUT_VERSION`` changes whenever the set of panels changes, which makes Qt ignore an old saved state.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QToolBar, QVBoxLayout, QWidget

from console.advice_actions import AdviceActions
from console.branch_controller import BranchView
from console.context import AppContext
from console.counter_controller import CounterActions
from console.settings_dialog import SettingsDialog
from widgets.advice_panel import AdvicePanel
from widgets.alert_list import AlertBanner, AlertList
from widgets.counter_board import CounterBoard
from widgets.lobby_panel import LobbyPanel
from widgets.queue_panel import QueuePanel
from widgets.report_panel import ReportPanel
from widgets.roster_view import StaffPanel

LAYOUT_VERSION = 3
SPEEDS = (1.0, 10.0, 60.0, 300.0, 600.0)


def roster_desk(context: AppContext, branch):
    """The Staff panel's access to the roster, directory and attendance of ``branch``."""
    from console.counter_desk import console_user
    from console.roster_desk import RosterDesk

    writer = context.writer
    writer.flush(timeout_s=5.0)  # the demo's directory and roster are stored before the editor reads them
    user = context.desk.user if context.desk is not None else console_user()
    return RosterDesk(context.env.db, branch, partial(_store_and_wait, writer), user,
                      context.env.settings.staffing.roster_rules())


def _store_and_wait(writer, task) -> None:
    writer.submit_and_wait(task, timeout_s=10.0)


def coverage_plan_for(context: AppContext, desk, day):
    from console.demand import coverage_plan

    staffing = context.env.settings.staffing
    return coverage_plan(context.env.db, desk.branch, day, staffing.target_wait_min, staffing.target_share)


def branch_clock(controller):
    """The branch's clock: the latest view's instant (the simulated clock on the demo branch)."""
    return controller.latest.snapshot.at


class MainWindow(QMainWindow):
    sig_language_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("MainWindow")
        self.setDockNestingEnabled(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)

        self.lobby = LobbyPanel()
        self.counters = CounterBoard()
        self.advice = AdvicePanel()
        self.advice.setVisible(context.advice.enabled)
        counters_pane = QWidget()
        pane_layout = QVBoxLayout(counters_pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.addWidget(self.counters, 1)
        pane_layout.addWidget(self.advice)
        self.queue = QueuePanel()
        self.staff = StaffPanel()
        self.alerts = AlertList()
        self.banner = AlertBanner()
        banner_bar = QToolBar(self.tr("Alerts"))
        banner_bar.setObjectName("alertBannerBar")
        banner_bar.setMovable(False)
        banner_bar.addWidget(self.banner)
        banner_bar.setVisible(False)
        self.banner.sig_visible.connect(banner_bar.setVisible)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner_bar)
        self.banner_bar = banner_bar
        self.reports = ReportPanel()
        self.docks: dict[str, QDockWidget] = {}
        for key, title, widget in (
            ("lobby", self.tr("Lobby"), self.lobby),
            ("counters", self.tr("Counters"), counters_pane),
            ("queue", self.tr("Queue"), self.queue),
            ("staff", self.tr("Staff"), self.staff),
            ("alerts", self.tr("Alerts"), self.alerts),
            ("reports", self.tr("Reports"), self.reports),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable)
            self.docks[key] = dock
        self._default_layout()

        self.mode_label = QLabel()
        self.mode_label.setObjectName("modeBadge")
        self.clock_label = QLabel()
        self.db_label = QLabel()
        self.camera_label = QLabel()
        self.feed_label = QLabel()
        bar = self.statusBar()
        bar.addWidget(self.mode_label)
        bar.addWidget(self.clock_label)
        bar.addPermanentWidget(self.camera_label)
        bar.addPermanentWidget(self.feed_label)
        bar.addPermanentWidget(self.db_label)
        self._build_menus()

        self.setWindowTitle(self.tr("Branch Lobby Console"))
        self.resize(1600, 1000)
        self._restore_layout()

        if context.cameras is not None:
            self.lobby.attach_cameras(context.cameras)
        controller = context.controller
        self.counter_actions = CounterActions(self.counters, context.desk, controller, self)
        self.advice_actions = AdviceActions(self.advice, context.advice, self.counter_actions, self)
        from console.alert_controller import AlertController

        self.alert_controller = AlertController(context.alerts, self.alerts, self.banner, context, self)
        # plain functions over the context (never bound methods of the window: no reference cycles through Qt
        # wrappers, whose collection by the garbage collector at a random moment has crashed PySide before)
        self.staff.desk_factory = partial(roster_desk, context)
        self.staff.coverage_loader = partial(coverage_plan_for, context)
        self.staff.clock = partial(branch_clock, controller)
        self.staff.target_share = context.env.settings.staffing.target_share
        for panel in (self.lobby, self.counters, self.queue, self.staff, self.reports):
            controller.sig_view.connect(panel.show_view)
        controller.sig_view.connect(self.show_view)
        if controller.latest is not None:
            for panel in (self.lobby, self.counters, self.queue, self.staff, self.reports):
                panel.show_view(controller.latest)
            self.show_view(controller.latest)

    # --- layout --------------------------------------------------------------------------------------------

    def _default_layout(self) -> None:
        d = self.docks
        for dock in d.values():
            dock.setFloating(False)
            dock.show()
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, d["lobby"])
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d["counters"])
        self.splitDockWidget(d["lobby"], d["staff"], Qt.Orientation.Vertical)
        self.splitDockWidget(d["counters"], d["queue"], Qt.Orientation.Vertical)
        self.splitDockWidget(d["queue"], d["reports"], Qt.Orientation.Vertical)
        self.splitDockWidget(d["staff"], d["alerts"], Qt.Orientation.Horizontal)
        self.resizeDocks([d["lobby"], d["counters"]], [780, 800], Qt.Orientation.Horizontal)
        self.resizeDocks([d["lobby"], d["staff"]], [600, 330], Qt.Orientation.Vertical)
        self.resizeDocks([d["staff"], d["alerts"]], [430, 350], Qt.Orientation.Horizontal)
        self.resizeDocks([d["counters"], d["queue"], d["reports"]], [400, 240, 290], Qt.Orientation.Vertical)

    def _layout_settings(self) -> QSettings:
        path = Path(self.context.env.data_dir) / "layout.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        settings = self._layout_settings()
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        settings = self._layout_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.save_layout()
        super().closeEvent(event)

    # --- menus ---------------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        settings_action = QAction(self.tr("&Settings…"), self)
        settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(settings_action)
        cameras_action = QAction(self.tr("&Cameras…"), self)
        cameras_action.triggered.connect(self.open_cameras)
        cameras_action.setEnabled(self.context.cameras is not None)
        file_menu.addAction(cameras_action)
        audit_action = QAction(self.tr("&Audit trail…"), self)
        audit_action.triggered.connect(self.open_audit)
        file_menu.addAction(audit_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        reset = QAction(self.tr("&Reset layout"), self)
        reset.triggered.connect(self._default_layout)
        view_menu.addAction(reset)

        runner = self.context.runner
        if runner is not None:
            demo_menu = self.menuBar().addMenu(self.tr("&Demo"))
            self.pause_action = QAction(self.tr("&Pause simulation"), self)
            self.pause_action.setCheckable(True)
            self.pause_action.setChecked(runner.paused)
            self.pause_action.toggled.connect(self._toggle_pause)
            demo_menu.addAction(self.pause_action)
            speed_menu = demo_menu.addMenu(self.tr("&Speed"))
            group = QActionGroup(self)
            for speed in SPEEDS:
                action = QAction(self.tr("%1× real time").replace("%1", f"{speed:g}"), self)
                action.setCheckable(True)
                action.setChecked(abs(speed - runner.speed) < 1e-9)
                action.setData(speed)
                group.addAction(action)
                speed_menu.addAction(action)
            group.triggered.connect(self._speed_chosen)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    @Slot(bool)
    def _toggle_pause(self, paused: bool) -> None:
        runner = self.context.runner
        if runner is None:
            return
        if paused:
            runner.pause(wait_s=0)
        else:
            runner.resume()

    @Slot(QAction)
    def _speed_chosen(self, action: QAction) -> None:
        if self.context.runner is not None:
            self.context.runner.set_speed(float(action.data()))

    @Slot()
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.context.env, self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted and dialog.language_changed:
            self.sig_language_requested.emit(dialog.chosen_language)

    @Slot()
    def open_cameras(self) -> None:
        from console.camera_dialogs import CameraListDialog

        if self.context.cameras is not None:
            CameraListDialog(self.context.cameras, self).exec()

    @Slot()
    def open_audit(self) -> None:
        from storage import repository
        from widgets.audit_dialog import AuditDialog

        latest = self.context.controller.latest
        tz = latest.snapshot.at.tzinfo if latest is not None else None
        AuditDialog(partial(repository.load_audit_chain, self.context.env.db), tz, self).exec()

    @Slot()
    def _about(self) -> None:
        from main import __version__

        QMessageBox.about(
            self,
            self.tr("About"),
            self.tr("Branch Lobby Console %1\n\nLobby occupancy, counters, queue, staff and alerts for a bank branch.")
            .replace("%1", __version__),
        )

    # --- live state ----------------------------------------------------------------------------------------

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        snap = view.snapshot
        title = self.tr("Branch Lobby Console") + " — " + snap.branch.name
        if snap.simulated:
            title += " [" + self.tr("Simulated") + "]"
            self.mode_label.setText(" " + self.tr("Simulated") + " ")
            self.mode_label.setProperty("mode", "simulated")
        else:
            self.mode_label.setText(" " + self.tr("Live") + " ")
            self.mode_label.setProperty("mode", "live")
        self.mode_label.style().unpolish(self.mode_label)
        self.mode_label.style().polish(self.mode_label)
        if self.windowTitle() != title:
            self.setWindowTitle(title)
        clock = snap.at.strftime("%Y-%m-%d %H:%M:%S")
        if snap.simulated:
            state = self.tr("paused") if snap.paused else self.tr("%1× real time").replace("%1", f"{snap.speed:g}")
            clock += f"  ({state})"
        self.clock_label.setText(clock)
        db_text = self.tr("Database: %1").replace("%1", self.context.env.db.describe())
        writer = self.context.writer
        problems = writer.failed + writer.dropped
        if problems:
            db_text += " — " + self.tr("%1 writes failed").replace("%1", str(problems))
            self.db_label.setToolTip(writer.last_error or "")
        self.db_label.setText(db_text)
        online, total = snap.cameras_online, snap.cameras_total
        manager = self.context.cameras
        if manager is not None and manager.has_cameras:
            total = sum(1 for s in manager.setups.values() if s.camera.enabled)
            online = sum(1 for c in manager.latest.values() if c.status is not None and c.status.state == "online")
        self.camera_label.setText(self.tr("Cameras: %1 of %2 online").replace("%1", str(online))
                                  .replace("%2", str(total)))
        feed = self.tr("simulator") if snap.simulated else self.tr("ticket system")
        self.feed_label.setText(self.tr("Queue feed: %1, %2 events").replace("%1", feed)
                                .replace("%2", str(snap.events_total)))
