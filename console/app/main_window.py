"""The main window: lays out the panels as dockable panes, the status bar and the menus; nothing else.

Panels get ``BranchView``s from the controller through bound slots. The dock layout is saved in
``layout.ini`` in the data directory (QSettings, INI format) when the window closes and restored at start;
``LAYOUT_VERSION`` changes whenever the set of panels changes, which makes Qt ignore an old saved state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from console.app import DOCS
from console.app.advice_controller import AdviceController
from console.app.context import AppContext
from console.app.counter_controller import CounterController
from console.domain.lockout import IdleLock
from console.domain.permissions import Permission
from console.security.access import Operator
from console.sources.live_view import BranchView
from widgets import labels
from widgets.dialogs.settings_dialog import SettingsDialog
from widgets.dialogs.user_guide_dialog import UserGuideDialog, guide_path
from widgets.panels.advice_panel import AdvicePanel
from widgets.panels.alert_list import AlertBanner, AlertList
from widgets.panels.counter_board import CounterBoard
from widgets.panels.lobby_panel import LobbyPanel
from widgets.panels.queue_panel import QueuePanel
from widgets.panels.report_panel import ReportPanel
from widgets.panels.roster_view import StaffPanel

LAYOUT_VERSION = 3
SPEEDS = (1.0, 10.0, 60.0, 300.0, 600.0)


def roster_desk(context: AppContext, branch):
    """The Staff panel's access to the roster, directory and attendance of ``branch``."""
    from console.security.access import console_user
    from console.staffing.roster_desk import RosterDesk

    writer = context.writer
    writer.flush(timeout_s=5.0)  # the demo's directory and roster are stored before the editor reads them
    user = context.desk.user if context.desk is not None else console_user()
    return RosterDesk(context.env.db, branch, partial(_store_and_wait, writer), user,
                      context.env.settings.staffing.roster_rules())


def _store_and_wait(writer, task) -> None:
    writer.submit_and_wait(task, timeout_s=10.0)


def coverage_plan_for(context: AppContext, desk, day):
    from console.staffing.demand import coverage_plan

    staffing = context.env.settings.staffing
    return coverage_plan(context.env.db, desk.branch, day, staffing.target_wait_min, staffing.target_share)


def branch_clock(controller):
    """The branch's clock: the latest view's instant (the simulated clock on the demo branch)."""
    return controller.latest.snapshot.at


def wall_clock() -> datetime:
    return datetime.now(UTC)


#: Input that keeps the console from locking itself.
INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                          QEvent.Type.Wheel, QEvent.Type.TouchBegin})

#: Panels only roles with VIEW_QUEUE see (a security officer sees a note saying so instead).
QUEUE_PANELS = ("counters", "queue", "staff", "reports")



def incident_changed(alert_controller, context) -> None:
    """An incident was reported, ticked or closed: the Alerts panel reads the database again, and the alert service
    evaluates soon so the banner shows it (a plain function: no reference from the window to itself)."""
    alert_controller.reload(alert_controller.list.tz)
    if context.alerts is not None:
        context.alerts._run_soon()

class MainWindow(QMainWindow):
    sig_language_requested = Signal(str)
    #: open the console on a branch (code) as an operator: after the set-up wizard or a change of the branch's set-up
    sig_open_branch = Signal(str, object)

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
        self.period_window = None
        self.period_controller = None
        self.reports.periods_button.clicked.connect(self.open_periods)
        self.docks: dict[str, QDockWidget] = {}
        self.stacks: dict[str, QStackedWidget] = {}
        self.notes: dict[str, QLabel] = {}
        for key, widget in (("counters", counters_pane), ("queue", self.queue), ("staff", self.staff),
                            ("reports", self.reports)):
            stack = QStackedWidget()
            stack.addWidget(widget)
            note = QLabel()
            note.setObjectName("deniedNote")
            note.setWordWrap(True)
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            stack.addWidget(note)
            self.stacks[key], self.notes[key] = stack, note
        for key, title, widget in (
            ("lobby", self.tr("Lobby"), self.lobby),
            ("counters", self.tr("Counters"), self.stacks["counters"]),
            ("queue", self.tr("Queue"), self.stacks["queue"]),
            ("staff", self.tr("Staff"), self.stacks["staff"]),
            ("alerts", self.tr("Alerts"), self.alerts),
            ("reports", self.tr("Reports"), self.stacks["reports"]),
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
        self.user_label = QLabel()
        self.user_label.setObjectName("userBadge")
        bar = self.statusBar()
        bar.addWidget(self.user_label)
        bar.addWidget(self.mode_label)
        bar.addWidget(self.clock_label)
        bar.addPermanentWidget(self.camera_label)
        bar.addPermanentWidget(self.feed_label)
        bar.addPermanentWidget(self.db_label)
        # where secrets are kept when it is not the OS keyring, and any problem with them: a short badge, the whole
        # message (also in console.log) as its tooltip
        self.secret_label = QLabel()
        secrets = context.env.secrets
        problem = context.env.secret_problem or (secrets.notice if secrets.mode == "keyring" else None)
        if problem:
            self.secret_label.setText("⚠ " + self.tr("Secrets: a problem"))
            self.secret_label.setToolTip(problem)
        elif secrets.notice:
            self.secret_label.setText(self.tr("Secrets: encrypted file"))
            self.secret_label.setToolTip(context.env.secrets.notice)
        bar.addPermanentWidget(self.secret_label)
        from console.app.branch_setup_flow import BranchSetupFlow

        self.setup_flow = BranchSetupFlow(context, self)
        self.setup_button: QPushButton | None = None
        if context.runner is not None:  # a newcomer on the demo sees at once how to set up a real branch
            self.setup_button = QPushButton(self.tr("Set up your branch…"))
            self.setup_button.setObjectName("setupBranchButton")
            self.setup_button.clicked.connect(self.setup_flow.set_up)
            bar.insertWidget(0, self.setup_button)
        self._build_menus()

        self.setWindowTitle(self.tr("Branch Lobby Console"))
        self.resize(1600, 1000)
        self._restore_layout()

        if context.cameras is not None:
            self.lobby.attach_cameras(context.cameras)
        controller = context.controller
        self.counter_actions = CounterController(self.counters, context.desk, controller, self)
        self.advice_actions = AdviceController(self.advice, context.advice, self.counter_actions, self)
        from console.app.alert_controller import AlertController, ack_denial

        self.alert_controller = AlertController(context.alerts, self.alerts, self.banner, context, self)
        self.alert_controller.lobby_level = self.lobby.set_crowding_level
        from console.app.incident_controller import IncidentController

        self.incidents = IncidentController(context, self, after_change=partial(incident_changed,
                                                                                self.alert_controller, context))
        self.alert_controller.incidents = self.incidents
        self.incidents.seen = self.alert_controller.incidents_seen
        # always in sight, whatever panel is shown: reporting an incident must never be a search
        incident_bar = QToolBar(self.tr("Incidents"))
        incident_bar.setObjectName("incidentBar")
        incident_bar.setMovable(False)
        self.report_incident_action = QAction(self.tr("⚠ Report incident (F9)"), self)
        self.report_incident_action.setObjectName("reportIncidentAction")
        self.report_incident_action.setShortcut(QKeySequence("F9"))
        self.report_incident_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.report_incident_action.setToolTip(self.tr("A medical emergency, a suspicious person, a dispute, a "
                                                       "robbery, a fire, a system outage, a device fault: raise it "
                                                       "and follow its emergency plan"))
        self.report_incident_action.triggered.connect(self.incidents.report)
        incident_bar.addAction(self.report_incident_action)
        incident_bar.widgetForAction(self.report_incident_action).setObjectName("reportIncidentButton")
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, incident_bar)
        self.incident_bar = incident_bar
        # plain functions over the context (never bound methods of the window: no reference cycles through Qt
        # wrappers, whose collection by the garbage collector at a random moment has crashed PySide before)
        self.staff.desk_factory = partial(roster_desk, context)
        self.staff.coverage_loader = partial(coverage_plan_for, context)
        self.staff.clock = partial(branch_clock, controller)
        self.staff.target_share = context.env.settings.staffing.target_share
        self.alerts.ack_denied = partial(ack_denial, context)
        self.banner.ack_denied = partial(ack_denial, context)
        from console.security.access import authenticator
        from widgets.dialogs.login_dialog import LockOverlay

        self.lock_overlay = LockOverlay(authenticator(context.env.db), self)
        self.lock_overlay.sig_unlocked.connect(self.unlocked)
        self.locked = False
        self._hidden_docks: list[QDockWidget] = []
        self.clock = wall_clock  # the idle lock's clock (tests put a fake one here)
        self.idle: IdleLock | None = None
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(1000)
        self.idle_timer.timeout.connect(self.check_idle)
        self.configure_idle_lock(context.env.settings.security.idle_lock_min)
        self.apply_permissions()
        controller.sig_view.connect(self.show_view)  # first: it remembers the counters' names the panels show
        for panel in (self.lobby, self.counters, self.queue, self.staff, self.reports):
            controller.sig_view.connect(panel.show_view)
        if controller.latest is not None:
            self.show_view(controller.latest)
            for panel in (self.lobby, self.counters, self.queue, self.staff, self.reports):
                panel.show_view(controller.latest)

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
        self.configure_idle_lock(0)  # a closed window no longer watches the application's input
        super().closeEvent(event)

    # --- menus ---------------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.setToolTipsVisible(True)  # a disabled entry's tooltip says which role may use it
        if self.context.runner is not None:  # the demo: set up the real branch
            self.branch_action = QAction(self.tr("Set &up your branch…"), self)
            self.branch_action.setToolTip(self.tr("Set up your own branch: hours, counters, staff, the ticket "
                                                  "feed and the administrator; the console then opens on it"))
            self.branch_action.triggered.connect(self.setup_flow.set_up)
        else:
            self.branch_action = QAction(self.tr("&Branch settings…"), self)
            self.branch_action.triggered.connect(self.setup_flow.edit)
        file_menu.addAction(self.branch_action)
        settings_action = QAction(self.tr("&Settings…"), self)
        settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(settings_action)
        self.plans_action = QAction(self.tr("&Emergency plans…"), self)
        self.plans_action.setToolTip(self.tr("What to do for each kind of incident and for a crowded lobby, and whom "
                                             "to call"))
        self.plans_action.triggered.connect(self.edit_plans)
        file_menu.addAction(self.plans_action)
        self.cameras_action = QAction(self.tr("&Cameras…"), self)
        self.cameras_action.triggered.connect(self.open_cameras)
        file_menu.addAction(self.cameras_action)
        self.audit_action = QAction(self.tr("&Audit trail…"), self)
        self.audit_action.triggered.connect(self.open_audit)
        file_menu.addAction(self.audit_action)
        self.users_action = QAction(self.tr("&Users…"), self)
        self.users_action.triggered.connect(self.open_users)
        file_menu.addAction(self.users_action)
        file_menu.addSeparator()
        self.switch_action = QAction(self.tr("S&witch user…"), self)
        self.switch_action.triggered.connect(self.switch_user)
        file_menu.addAction(self.switch_action)
        self.lock_action = QAction(self.tr("&Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        file_menu.addAction(self.lock_action)
        login = not self.context.operator.demo
        self.switch_action.setEnabled(login)
        self.lock_action.setEnabled(login)
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
        guide = QAction(self.tr("&User guide"), self)
        guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        guide.triggered.connect(self._user_guide)
        help_menu.addAction(guide)
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
        dialog = SettingsDialog(self.context.env, self, user=self.context.operator.username,
                                role=self.context.operator.role)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.configure_idle_lock(self.context.env.settings.security.idle_lock_min)
        if dialog.delivery_changed:
            self.apply_delivery(self.context.env.settings.alerts)
        if dialog.language_changed:
            self.sig_language_requested.emit(dialog.chosen_language)

    def apply_delivery(self, alerts) -> None:
        """New delivery settings take effect at once: sound and tray here, and the running notifier's targets (a
        console started without any chat robot or e-mail starts its notifier now)."""
        self.alert_controller.settings = alerts
        self.alert_controller.routes = alerts.route_table()
        self.context.update_delivery(alerts)

    @Slot()
    def edit_plans(self) -> None:
        self.incidents.edit_plans()

    @Slot()
    def open_cameras(self) -> None:
        from widgets.dialogs.camera_dialogs import CameraListDialog

        if self.context.cameras is not None and self.context.operator.may(Permission.MANAGE_CAMERAS):
            CameraListDialog(self.context.cameras, self).exec()

    # --- users, permissions and the idle lock ---------------------------------------------------------------

    def guarded_actions(self) -> list[tuple[QAction, Permission, bool]]:
        """Menu entries, the permission each needs, and whether they make sense here at all."""
        return [(self.branch_action, Permission.CONFIGURE_BRANCH, not self.context.viewer),
                (self.cameras_action, Permission.MANAGE_CAMERAS, self.context.cameras is not None),
                (self.audit_action, Permission.VIEW_AUDIT, True),
                (self.users_action, Permission.MANAGE_USERS, not self.context.operator.demo)]

    def apply_permissions(self) -> None:
        """Enable what the logged-in user's role may use; everything else is disabled with a tooltip saying why
        (the one check: ``console.domain.permissions.allowed``, through ``labels.denied``)."""
        operator = self.context.operator
        denied = partial(labels.denied, operator.role, read_only=operator.read_only)
        hidden = denied(Permission.VIEW_QUEUE)
        for key in QUEUE_PANELS:
            self.notes[key].setText(hidden or "")
            self.stacks[key].setCurrentIndex(0 if hidden is None else 1)
        change = denied(Permission.CHANGE_COUNTERS)
        if self.context.desk is None:
            change = change or self.tr("Counter requests are not available for this branch.")
        self.counters.set_actions_denied(change)
        self.advice.actions_enabled, self.advice.why_disabled = change is None, change
        if self.context.advice.latest is not None:
            self.advice.show_result(self.context.advice.latest)
        self.alert_controller.user = operator.username
        self.alerts._selection_changed()
        self.banner.refresh()
        export = denied(Permission.EXPORT_REPORTS)
        self.alerts.set_export_denied(export)
        self.reports.set_export_denied(export)
        if self.period_window is not None:  # another user: their role decides what the Periods window shows
            if hidden is not None:
                self.period_window.close()
            self.period_controller.with_work = operator.may(Permission.VIEW_STAFF_FIGURES)
            self.period_window.set_work_allowed(self.period_controller.with_work)
            self.period_window.set_export_denied(export)
        self.staff.set_access(denied(Permission.EDIT_ROSTER), denied(Permission.CHECK_IN_STAFF), operator.username)
        for action, permission, possible in self.guarded_actions():
            why = denied(permission)
            action.setEnabled(possible and why is None)
            action.setToolTip(why or "")
        if operator.demo:
            self.user_label.setText(" " + self.tr("Demo branch — no login") + " ")
        else:
            self.user_label.setText(" " + self.tr("%1 (%2)").replace("%1", operator.display_name)
                                    .replace("%2", labels.user_role(operator.role)) + " ")

    def set_operator(self, operator: Operator) -> None:
        """Another user took over (switch user, or someone else unlocked): rights and names follow at once (a
        branch opened from the regional view stays read-only for them too)."""
        if self.context.viewer:
            operator = replace(operator, read_only=True)
        self.context.set_operator(operator)
        self.apply_permissions()

    @Slot()
    def switch_user(self) -> None:
        from console.security.access import authenticator
        from widgets.dialogs.login_dialog import LoginDialog

        latest = self.context.controller.latest
        branch = latest.snapshot.branch.name if latest is not None else (self.context.branch_code or "")
        dialog = LoginDialog(authenticator(self.context.env.db), self.tr("Switch user"), branch, self)
        if dialog.exec() == LoginDialog.DialogCode.Accepted and dialog.operator is not None:
            self.set_operator(dialog.operator)
            if self.idle is not None:
                self.idle.touch(self.clock())

    def configure_idle_lock(self, minutes: int) -> None:
        """Lock after ``minutes`` without input (0: never; never on the demo branch, which has no login)."""
        if minutes <= 0 or self.context.operator.demo:
            if self.idle is not None:
                QApplication.instance().removeEventFilter(self)
            self.idle = None
            self.idle_timer.stop()
            return
        if self.idle is None:
            QApplication.instance().installEventFilter(self)
        self.idle = IdleLock(timedelta(minutes=minutes), self.clock())
        self.idle_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if self.idle is not None and not self.locked and event.type() in INPUT_EVENTS:
            self.idle.touch(self.clock())
        return False

    @Slot()
    def check_idle(self) -> None:
        if self.idle is not None and not self.locked and self.idle.should_lock(self.clock()):
            self.lock()

    @Slot()
    def lock(self) -> None:
        """Cover the window (and hide floating panels) until someone logs in; the branch keeps being watched,
        recorded and alerted on meanwhile."""
        operator = self.context.operator
        if operator.demo or self.locked:
            return
        self.locked = True
        self.menuBar().setEnabled(False)
        for action in self.findChildren(QAction):
            if not action.shortcut().isEmpty() and action is not self.lock_action:
                action.setProperty("enabled_before_lock", action.isEnabled())
                action.setEnabled(False)
        self._hidden_docks = [d for d in self.docks.values() if d.isFloating() and d.isVisible()]
        for dock in self._hidden_docks:
            dock.hide()
        since = self.clock().astimezone().strftime("%H:%M")
        self.lock_overlay.lock(operator.username, self.tr("%1 (%2), locked at %3")
                               .replace("%1", operator.display_name).replace("%2", labels.user_role(operator.role))
                               .replace("%3", since))

    @Slot(object)
    def unlocked(self, operator: Operator) -> None:
        self.locked = False
        self.menuBar().setEnabled(True)
        for action in self.findChildren(QAction):
            before = action.property("enabled_before_lock")
            if before is not None:
                action.setEnabled(bool(before))
                action.setProperty("enabled_before_lock", None)
        for dock in self._hidden_docks:
            dock.show()
        self._hidden_docks = []
        if operator.username != self.context.operator.username or operator.role != self.context.operator.role:
            self.set_operator(operator)
        if self.idle is not None:
            self.idle.touch(self.clock())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.lock_overlay.isVisible():
            self.lock_overlay.setGeometry(self.rect())

    @Slot()
    def open_users(self) -> None:
        from console.security.users import UserStore
        from widgets.dialogs.users_dialog import UsersDialog

        if self.context.operator.may(Permission.MANAGE_USERS):
            UsersDialog(UserStore(self.context.env.db), self.context.operator.username, self).exec()

    @Slot()
    def open_periods(self) -> None:
        """The branch manager's period view (widgets/dialogs/period_window.py), one window kept while the console
        runs; its figures are computed off the GUI thread (console/app/period_controller.py)."""
        from zoneinfo import ZoneInfo

        from console.app.period_controller import PeriodController
        from storage import repository
        from widgets.dialogs.period_window import PeriodWindow

        if not self.context.operator.may(Permission.VIEW_QUEUE) or self.context.branch_code is None:
            return
        if self.period_window is None:
            env = self.context.env
            branch = repository.load_branch(env.db, self.context.branch_code)
            zone = ZoneInfo(branch.timezone)

            def now() -> datetime:  # the branch's clock: the demo's own, else the PC's
                latest = self.context.controller.latest
                return latest.snapshot.at if latest is not None else datetime.now(zone)

            self.period_controller = PeriodController(env.db, branch.code, zone, env.settings.staffing.target_wait_min,
                                                      self.context.writer.submit, now, self)
            self.period_controller.with_work = self.context.operator.may(Permission.VIEW_STAFF_FIGURES)
            window = PeriodWindow(self.period_controller.request, self.period_controller.today(), self,
                                  branch_name=f"{branch.name} ({branch.code})")
            self.period_controller.sig_ready.connect(window.show_comparison)
            self.period_controller.sig_failed.connect(window.show_failure)
            self.period_window = window
            window.set_work_allowed(self.period_controller.with_work)
            window.set_export_denied(labels.denied(self.context.operator.role, Permission.EXPORT_REPORTS,
                                                   read_only=self.context.operator.read_only))
            window.resize(1500, 860)
            window.ask()
        self.period_window.show()
        self.period_window.raise_()
        self.period_window.activateWindow()

    @Slot()
    def open_audit(self) -> None:
        from storage import repository
        from widgets.dialogs.audit_dialog import AuditDialog

        if not self.context.operator.may(Permission.VIEW_AUDIT):
            return
        latest = self.context.controller.latest
        tz = latest.snapshot.at.tzinfo if latest is not None else None
        env = self.context.env
        check = None
        if env.audit_seal is not None:
            from console.security.audit_seal import verify_trail

            check = partial(verify_trail, env.db, env.audit_seal)
        AuditDialog(partial(repository.load_audit_chain, env.db), tz, self, check).exec()

    def user_guide_dialog(self) -> UserGuideDialog:
        """The user guide in the interface language."""
        language = "zh_CN" if QLocale().name().startswith("zh") else "en"  # the default locale follows the language
        return UserGuideDialog(guide_path(DOCS, language), self)

    @Slot()
    def _user_guide(self) -> None:
        self.user_guide_dialog().exec()

    @Slot()
    def _about(self) -> None:
        from console import __version__

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
        labels.remember_counter_names(snap.counters)
        labels.remember_staff_names(snap.staff)
        title = self.tr("Branch Lobby Console") + " — " + snap.branch.name
        if snap.simulated:
            title += " [" + self.tr("Simulated") + "]"
            self.mode_label.setText(" " + self.tr("Simulated") + " ")
            self.mode_label.setProperty("mode", "simulated")
        elif self.context.viewer:
            may_act = self.context.operator.may(Permission.ACT_FROM_REGION)
            title += " [" + (self.tr("From the regional view") if may_act else self.tr("Read-only")) + "]"
            self.mode_label.setText(" " + (self.tr("Live, from the regional view") if may_act else
                                           self.tr("Live, read-only")) + " ")
            self.mode_label.setProperty("mode", "live")
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
        if self.context.service_holder is not None:
            feed = self.tr("ticket system through the service")
            self.feed_label.setToolTip(self.tr("The branch's service (%1) runs the ticket feed, the alerts with "
                                               "their deliveries and the closing report; this window shows them.")
                                       .replace("%1", self.context.service_holder))
        if snap.simulated:
            self.feed_label.setText(self.tr("Queue feed: %1, %2 events").replace("%1", feed)
                                    .replace("%2", str(snap.events_total)))
        elif snap.last_event_at is None:
            self.feed_label.setText(self.tr("Queue feed: %1, waiting for the first event").replace("%1", feed))
        else:
            self.feed_label.setText(self.tr("Queue feed: %1, last event received at %2").replace("%1", feed)
                                    .replace("%2", snap.last_event_at.astimezone(snap.at.tzinfo).strftime("%H:%M:%S")))
