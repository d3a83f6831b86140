"""Logging in: the login dialog, the user form (a new user, the first start's administrator, a new password) and
the idle-lock screen.

The widgets get plain callables (``authenticate(username, password)`` returning the operator, ``create(username,
name, password)``) that raise ``console.security.users.UserError``; they word its ``reason`` in the interface language and
never show or keep a password after a try (the field is cleared).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

Authenticate = Callable[[str, str], object]


def refusal_text(exc: Exception) -> str:
    """A refused login or user change in words (``UserError.reason``). A refused login ("login") has one text
    whatever the cause — unknown user, wrong password, locked or disabled user — so the window does not tell which
    user names exist (``UserStore.authenticate``); "unknown" is for managing users, where the names are listed."""
    reason = getattr(exc, "reason", "")

    texts = {
        "login": QCoreApplication.translate(
            "login", "User name or password is wrong, or the user is locked or disabled; after 5 wrong passwords a "
            "user is locked for 5 minutes."),
        "unknown": QCoreApplication.translate("login", "Unknown user name."),
        "weak": QCoreApplication.translate("login", "A password needs at least 10 characters, with letters and digits."),
        "exists": QCoreApplication.translate("login", "A user with this name exists already."),
        "name": QCoreApplication.translate("login", "A user name is 2–64 letters, digits, '.', '_' or '-'."),
        "last_admin": QCoreApplication.translate(
            "login", "This is the only administrator; make another user administrator first."),
    }
    return texts.get(reason, str(exc))


class LoginForm(QWidget):
    """User name, password and the reason of the last refusal; ``sig_submit`` on Enter or the button."""

    sig_submit = Signal()

    def __init__(self, button_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.username = QLineEdit()
        self.username.setObjectName("loginUser")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.button = QPushButton(button_text)
        self.button.setDefault(True)
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self.button.clicked.connect(self.sig_submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.sig_submit)

    def start(self, username: str = "") -> None:
        self.username.setText(username)
        self.password.clear()
        self.message.clear()
        (self.password if username else self.username).setFocus()

    def attempt(self, authenticate: Authenticate) -> object | None:
        """The operator when the password is right; else None with the reason shown. The password is cleared."""
        name, password = self.username.text().strip(), self.password.text()
        self.password.clear()
        if not name:
            self.message.setText(self.tr("Enter your user name."))
            return None
        try:
            return authenticate(name, password)
        except Exception as exc:  # UserError: its reason in words
            self.message.setText(refusal_text(exc))
            self.password.setFocus()
            return None


class LoginDialog(QDialog):
    """Log in at start or switch user at a shift change; ``operator`` once accepted."""

    def __init__(self, authenticate: Authenticate, title: str, branch: str, parent: QWidget | None = None,
                 username: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.authenticate = authenticate
        self.operator = None
        heading = QLabel(self.tr("Branch %1: log in with your console user.").replace("%1", branch))
        heading.setWordWrap(True)
        self.form = LoginForm(self.tr("Log in"))
        self.form.sig_submit.connect(self._submit)
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.form)
        layout.addWidget(cancel)
        self.form.start(username)
        self.setMinimumWidth(380)

    @Slot()
    def _submit(self) -> None:
        operator = self.form.attempt(self.authenticate)
        if operator is not None:
            self.operator = operator
            self.accept()


class UserFormDialog(QDialog):
    """A user's name, full name, role and password twice: a new user (``create(username, name, role, password)``
    is called on OK and its refusal shown here, the dialog staying open), the first administrator (``role`` fixed),
    or a new password for ``username`` (no ``create``: the password is in ``chosen_password`` once accepted)."""

    def __init__(self, parent: QWidget | None, title: str, *, username: str | None = None, intro: str = "",
                 role=None, create: Callable[[str, str, object, str], object] | None = None) -> None:
        from console.domain.permissions import Role
        from widgets import labels

        super().__init__(parent)
        self.setWindowTitle(title)
        self.create = create
        self.operator = None  # what ``create`` returned
        self.chosen_password = ""
        self.username = QLineEdit(username or "")
        self.username.setReadOnly(create is None)
        self.name = QLineEdit()
        self.role = QComboBox()
        for r in Role:
            self.role.addItem(labels.user_role(r), r.value)
        if role is not None:
            self.role.setCurrentIndex(self.role.findData(role.value))
        self.password = QLineEdit()
        self.again = QLineEdit()
        for field in (self.password, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        if intro:
            text = QLabel(intro)
            text.setWordWrap(True)
            layout.addWidget(text)
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        if create is not None:
            form.addRow(self.tr("Full name"), self.name)
            if role is None:
                form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Password again"), self.again)
        layout.addLayout(form)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()
        self.setMinimumWidth(420)

    @Slot()
    def _submit(self) -> None:
        from console.domain.permissions import Role

        password, again = self.password.text(), self.again.text()
        self.password.clear()
        self.again.clear()
        if password != again:
            self.message.setText(self.tr("The two passwords differ."))
            return
        if self.create is not None:
            try:
                self.operator = self.create(self.username.text().strip(), self.name.text().strip(),
                                            Role(self.role.currentData()), password)
            except Exception as exc:  # UserError
                self.message.setText(refusal_text(exc))
                return
        self.chosen_password = password
        self.accept()


def first_admin_dialog(create: Callable[[str, str, object, str], object], branch: str,
                       parent: QWidget | None = None) -> UserFormDialog:
    """A real branch's first start: the administrator's user name and password (there is no default one)."""
    from console.domain.permissions import Role

    dialog = UserFormDialog(parent, QCoreApplication.translate("login", "Set up the administrator"), username="admin",
                            role=Role.ADMINISTRATOR, create=create,
                            intro=QCoreApplication.translate(
                                "login", "Branch %1 has no console user yet. Choose the administrator's user name "
                                "and password: the administrator adds the other users and their roles.")
                            .replace("%1", branch))
    dialog.password.setFocus()
    return dialog


class LockOverlay(QFrame):
    """Covers the whole window while the console is locked: nothing of the branch shows until someone logs in
    (the user on duty, or another user, which switches user)."""

    sig_unlocked = Signal(object)  # the operator who logged in

    def __init__(self, authenticate: Authenticate, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.authenticate = authenticate
        self.title = QLabel(self.tr("Console locked"))
        self.title.setObjectName("lockTitle")
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.form = LoginForm(self.tr("Unlock"))
        self.form.sig_submit.connect(self._submit)
        box = QFrame()
        box.setObjectName("lockBox")
        box.setFixedWidth(420)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.who)
        inner.addWidget(QLabel(self.tr("Log in as yourself to unlock; another user name switches user.")))
        inner.addWidget(self.form)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(box)
        column.addStretch(2)
        outer.addLayout(column)
        outer.addStretch(1)
        self.hide()

    def lock(self, username: str, who: str) -> None:
        self.who.setText(who)
        self.setGeometry(self.parentWidget().rect())
        self.form.start(username)
        self.show()
        self.raise_()
        self.form.password.setFocus()

    @Slot()
    def _submit(self) -> None:
        operator = self.form.attempt(self.authenticate)
        if operator is not None:
            self.hide()
            self.sig_unlocked.emit(operator)
