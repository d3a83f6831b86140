"""File → Users… (administrators): the console's users, adding one, changing a role or a password, disabling and
enabling. Every change goes through ``console.security.users.UserStore`` (its checks, its audit entry); a refusal is shown
under the table and nothing changes."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Role
from widgets import labels
from widgets.dialogs.login_dialog import UserFormDialog, refusal_text
from widgets.tables import ensure_rows, make_table, set_cell


class UsersDialog(QDialog):
    def __init__(self, store, by: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Users"))
        self.store, self.by = store, by
        self.table = make_table([self.tr("User name"), self.tr("Name"), self.tr("Role"), self.tr("State")],
                                stretch_column=1)
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(labels.user_role(role), role.value)
        self.message = QLabel()
        self.message.setObjectName("usersMessage")
        self.message.setWordWrap(True)
        add = QPushButton(self.tr("Add…"))
        self.set_role = QPushButton(self.tr("Set role"))
        self.password = QPushButton(self.tr("Set password…"))
        self.toggle = QPushButton(self.tr("Disable"))
        add.clicked.connect(self.add_user)
        self.set_role.clicked.connect(self.change_role)
        self.password.clicked.connect(self.change_password)
        self.toggle.clicked.connect(self.toggle_active)
        self.table.itemSelectionChanged.connect(self._selected)
        row = QHBoxLayout()
        for w in (add, self.role, self.set_role, self.password, self.toggle):
            row.addWidget(w)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(720, 420)
        self.users = []
        self.reload()

    def reload(self) -> None:
        self.users = self.store.users()
        ensure_rows(self.table, len(self.users))
        for i, u in enumerate(self.users):
            set_cell(self.table, i, 0, u.username)
            set_cell(self.table, i, 1, u.display_name)
            set_cell(self.table, i, 2, labels.user_role(u.role))
            state = self.tr("active") if u.active else self.tr("disabled")
            if u.locked_until is not None:
                state += " · " + self.tr("locked")
            set_cell(self.table, i, 3, state)
        self._selected()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows and rows[0].row() < len(self.users) else None

    @Slot()
    def _selected(self) -> None:
        user = self.selected()
        for b in (self.set_role, self.password, self.toggle):
            b.setEnabled(user is not None)
        if user is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(user.role.value)))
            self.toggle.setText(self.tr("Disable") if user.active else self.tr("Enable"))

    def _do(self, change, done: str) -> bool:
        try:
            change()
        except Exception as exc:  # UserError: shown, nothing changed
            self.message.setText(refusal_text(exc))
            return False
        self.message.setText(done)
        self.reload()
        return True

    @Slot()
    def add_user(self) -> None:
        """The form stays open with the reason until the store takes the new user (or Cancel)."""
        form = UserFormDialog(self, self.tr("Add user"),
                              create=lambda name, full, role, pw: self.store.add(name, full, role, pw, self.by))
        if form.exec() == QDialog.DialogCode.Accepted:
            self.message.setText(self.tr("%1 added.").replace("%1", form.username.text().strip()))
            self.reload()

    @Slot()
    def change_role(self) -> None:
        if (user := self.selected()) is not None:
            role = Role(self.role.currentData())
            self._do(lambda: self.store.set_role(user.username, role, self.by),
                     self.tr("%1 is now %2.").replace("%1", user.username).replace("%2", labels.user_role(role)))

    @Slot()
    def change_password(self) -> None:
        if (user := self.selected()) is None:
            return
        form = UserFormDialog(self, self.tr("Set password"), username=user.username)
        if form.exec() == QDialog.DialogCode.Accepted:
            self._do(lambda: self.store.set_password(user.username, form.chosen_password, self.by),
                     self.tr("Password of %1 changed.").replace("%1", user.username))

    @Slot()
    def toggle_active(self) -> None:
        if (user := self.selected()) is not None:
            self._do(lambda: self.store.set_active(user.username, not user.active, self.by),
                     (self.tr("%1 disabled.") if user.active else self.tr("%1 enabled.")).replace("%1", user.username))
