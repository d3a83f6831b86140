"""Settings → API: the ticket feed's token shown masked, and its rotation (console/feed/token.py).

The new token is shown once, in a dialog with a Copy button, to be entered into the ticketing system; after that
only its first four characters are ever shown. A feed running in this console takes it at once (the secret store
tells it). ``rotate_button`` is an attribute so the window can disable it for roles that may not rotate.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.feed.token import masked_token, rotate_token
from console.security.secret_store import SecretError, SecretStore
from storage.database import Database


class NewTokenDialog(QDialog):
    """Shows a freshly rotated token once, selectable and with a Copy button."""

    def __init__(self, token: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New API token"))
        self.token = QLineEdit(token)
        self.token.setReadOnly(True)
        self.token.setMinimumWidth(420)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.token, 1)
        row.addWidget(self.copy_button)
        note = QLabel(self.tr("Enter this token into the ticketing system now: it is shown only this once. The old "
                              "token is refused from now on."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(row)
        layout.addWidget(buttons)

    @Slot()
    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.token.text())


class ApiTokenGroup(QGroupBox):
    """The "API" group of the settings dialog. ``user`` names who rotates, for the audit trail."""

    def __init__(self, store: SecretStore, db: Database, user: Callable[[], str] | str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("API"))
        self.store, self.db, self._user = store, db, user
        self.token_label = QLabel()
        self.where_label = QLabel(self.tr("Kept in: %1").replace("%1", store.describe()))
        self.where_label.setWordWrap(True)
        self.rotate_button = QPushButton(self.tr("Rotate token…"))
        self.rotate_button.clicked.connect(self.rotate)
        form = QFormLayout(self)
        form.addRow(self.tr("Ticket feed token"), self.token_label)
        form.addRow(self.where_label)
        if store.notice:
            notice = QLabel(store.notice)
            notice.setWordWrap(True)
            form.addRow(notice)
        form.addRow(self.rotate_button)
        self.refresh()

    def refresh(self) -> None:
        try:
            masked = masked_token(self.store)
        except SecretError as exc:
            self.token_label.setText(self.tr("cannot be read: %1").replace("%1", str(exc)))
            return
        self.token_label.setText(masked or self.tr("none yet"))

    @Slot()
    def rotate(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("Rotate API token"),
            self.tr("Make a new API token? The ticketing system must then be given the new token: the old one is "
                    "refused at once."))
        if answer != QMessageBox.StandardButton.Yes:
            return
        user = self._user() if callable(self._user) else self._user
        try:
            rotation = rotate_token(self.store, self.db, user)
        except SecretError as exc:
            QMessageBox.warning(self, self.tr("Token not rotated"),
                                self.tr("The new token could not be stored, so the old one stays valid: %1")
                                .replace("%1", str(exc)))
            return
        self.refresh()
        NewTokenDialog(rotation.token, self).exec()
        if rotation.audit_error is not None:
            QMessageBox.warning(self, self.tr("Rotation not audited"), rotation.audit_error)
