"""Setting up a real branch from the window: the set-up wizard from the demo (**Set up your branch…**) and the same
pages on the branch as it is (**File → Branch settings…**), and what their Finish stores.

Finish, in this order: the branch, its counters, the staff directory and the maximum wait in one database
transaction with their audit entries (``console/branches/branch_setup.py``; a refusal — a counter in use — is shown
in the wizard, which stays open with everything typed); then the settings the wizard sets (target wait, the ticket
API on or off; audited like a Settings save); then the first administrator through the same first-user flow as the
login at start. Then the console runs on the branch (``MainWindow.sig_open_branch``): logged in as that
administrator after a first set-up, as the same user after a change. On a database that already has console users
(another branch set up before), the user logs in after the set-up, as at any start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from weakref import WeakMethod

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

from console.app.context import AppContext
from console.branches.branch_setup import BranchSetupError, max_wait_of, store_setup, stored_plan
from console.domain.permissions import Permission, Role
from console.security.access import Operator, authenticator, console_user, create_first_user
from console.settings import SettingsError, save_settings
from storage import repository
from widgets.dialogs.branch_wizard import BranchWizard, FeedInfo, WizardResult

log = logging.getLogger(__name__)

#: The maximum wait a new branch starts with, in minutes (the long-wait rule's critical level by default).
DEFAULT_MAX_WAIT_MIN = 30.0


def feed_address(context: AppContext) -> tuple[str, str]:
    """The ticket API's address and token, for the ticketing system; a token is made when there is none yet."""
    from console.feed.token import TokenError, current_token, rotate_token

    api = context.env.settings.api
    url = f"http://{api.host}:{api.port}/api/v1/events"
    try:
        return url, current_token(context.env.secrets)
    except TokenError:
        return url, rotate_token(context.env.secrets, context.env.db, context.operator.username).token


def weakly(method: Callable[..., None]) -> Callable[..., None]:
    """``method`` of a Qt object, called through a weak reference: the wizard holding it keeps no Python reference
    cycle with the flow that holds the wizard (cycles through Qt wrappers, collected at a random moment, have
    crashed PySide)."""
    ref = WeakMethod(method)

    def call(*args: object) -> None:
        bound = ref()
        if bound is not None:
            bound(*args)

    return call


class BranchSetupFlow(QObject):
    """Owned by the main window; ``set_up`` and ``edit`` are its menu entries' slots."""

    def __init__(self, context: AppContext, window: QWidget) -> None:
        super().__init__(window)  # the window is reached as the Qt parent: no Python reference cycle with it
        self.context = context
        self.wizard: BranchWizard | None = None  # the open wizard (tests drive it)

    @property
    def window(self) -> QWidget:
        return self.parent()  # type: ignore[return-value]

    @Slot()
    def set_up(self) -> None:
        """The wizard for a new branch (from the demo)."""
        from console.security.users import UserStore

        self._open(None, needs_admin=not UserStore(self.context.env.db).has_users())

    @Slot()
    def edit(self) -> None:
        """The wizard on the running branch's set-up (branch managers and administrators)."""
        code = self.context.branch_code
        if code is None or self.context.runner is not None or not self.context.operator.may(Permission.CONFIGURE_BRANCH):
            return
        self._open(code, needs_admin=False)

    def _open(self, code: str | None, needs_admin: bool) -> None:
        context = self.context
        db = context.env.db
        existing = stored_plan(db, code) if code is not None else None
        staff = repository.load_staff(db, code) if code is not None else []
        open_cameras = None
        if existing is not None and context.cameras is not None and context.operator.may(Permission.MANAGE_CAMERAS):
            open_cameras = weakly(self._open_cameras)
        last_event = partial(repository.last_event_received, db, code) if code is not None else None
        feed = FeedInfo(url_and_token=partial(feed_address, context), last_event_at=last_event)
        max_wait = (max_wait_of(db, code) if code is not None else None) or DEFAULT_MAX_WAIT_MIN
        self.wizard = BranchWizard(existing=existing, staff=staff, needs_admin=needs_admin, feed=feed,
                                   open_cameras=open_cameras,
                                   target_wait_min=context.env.settings.staffing.target_wait_min,
                                   max_wait_min=max_wait, finish=weakly(self.store),
                                   use_api=context.env.settings.api.enabled or existing is None, parent=self.window)
        self.wizard.setModal(True)
        self.wizard.finished.connect(self._closed)
        self.wizard.show()

    @Slot()
    def _closed(self) -> None:
        if self.wizard is not None:
            self.wizard.deleteLater()
            self.wizard = None

    def _open_cameras(self) -> None:
        from widgets.dialogs.camera_dialogs import CameraListDialog

        if self.context.cameras is not None:
            CameraListDialog(self.context.cameras, self.wizard or self.window).exec()

    def store(self, result: WizardResult) -> None:
        """The wizard's Finish; ValueError (shown by the wizard, which stays open) when it cannot be stored."""
        context = self.context
        env = context.env
        first = context.runner is not None  # a new branch, set up from the demo
        user = context.operator.username if not context.operator.demo else console_user()
        try:
            lines = store_setup(env.db, result.plan, result.staff, result.max_wait_min, user)
        except BranchSetupError as exc:
            raise ValueError(str(exc)) from None
        old = env.settings
        new = replace(old, staffing=replace(old.staffing, target_wait_min=result.target_wait_min),
                      api=replace(old.api, enabled=result.use_api))
        if new != old:
            from widgets.dialogs.settings_dialog import audit_settings

            try:
                save_settings(env.data_dir, new)
            except (OSError, SettingsError) as exc:
                raise ValueError(f"the branch is stored, but the settings could not be saved: {exc}") from None
            audit_settings(env.db, old, new, user)
            env.settings = new
        operator = context.operator
        if result.admin is not None:
            from console.security.users import UserError

            username, name, password = result.admin
            try:
                operator = create_first_user(env.db, user, username, name, Role.ADMINISTRATOR, password)
            except UserError as exc:
                raise ValueError(f"the branch is stored, but the administrator {username!r} could not be added: "
                                 f"{exc}") from None
        elif first:
            operator = self._login(result.plan.code)
            if operator is None:
                return
        log.info("branch %s %s by %s: %s", result.plan.code, "set up" if first else "changed", user,
                 "; ".join(lines) or "no changes")
        if first or lines or new != old:  # once the wizard has closed: the window it belongs to is rebuilt
            QTimer.singleShot(0, partial(self.window.sig_open_branch.emit, result.plan.code, operator))

    def _login(self, code: str) -> Operator | None:
        """Someone logs in to the branch just set up (the database had console users already)."""
        from PySide6.QtCore import QCoreApplication

        from widgets.dialogs.login_dialog import LoginDialog

        dialog = LoginDialog(authenticator(self.context.env.db),
                             QCoreApplication.translate("login", "Branch Lobby Console — log in"), code,
                             parent=self.window)
        if dialog.exec() != LoginDialog.DialogCode.Accepted:
            return None
        return dialog.operator
