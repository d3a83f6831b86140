"""The audit trail in the window: who changed what and when, with the values before and after, filterable by action
and text; **Verify** checks the hash chain (as ``main.py audit verify``) and names the first broken entry;
**Export…** writes the entries shown as CSV or Excel."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.audit_chain import BrokenLink
from widgets.tables import make_table

COLUMNS = ("id", "at", "user", "action", "entity_id", "before", "after")


class AuditDialog(QDialog):
    """``load()`` returns the entries (dicts with the hashed fields, ``prev_hash`` and ``hash``) in id order."""

    def __init__(self, load: Callable[[], Sequence[dict]], tz: tzinfo | None, parent: QWidget | None = None,
                 verify_trail: Callable[[], BrokenLink | None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit trail"))
        self.load, self.tz = load, tz
        #: checks the keyed chain and the anchor (console/security/audit_seal.py); None: no audit key in use
        self.verify_trail = verify_trail
        self.entries: list[dict] = []
        self.shown: list[dict] = []
        self.action = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search user, counter, person…"))
        self.action.currentIndexChanged.connect(self.refilter)
        self.search.textChanged.connect(self.refilter)
        self.table = make_table([self.tr("No."), self.tr("Time"), self.tr("User"), self.tr("Action"),
                                 self.tr("What"), self.tr("Before"), self.tr("After")], stretch_column=6)
        self.status = QLabel()
        self.status.setWordWrap(True)
        verify_button = QPushButton(self.tr("Verify"))
        export_button = QPushButton(self.tr("Export…"))
        verify_button.clicked.connect(self.check)
        export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        top.addWidget(self.action)
        top.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(verify_button)
        buttons.addWidget(export_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(1000, 560)
        self.reload()

    def reload(self) -> None:
        self.entries = list(self.load())
        current = self.action.currentData()
        self.action.blockSignals(True)
        self.action.clear()
        self.action.addItem(self.tr("All actions"), "")
        for action in sorted({e["action"] for e in self.entries}):
            self.action.addItem(action, action)
        self.action.setCurrentIndex(max(0, self.action.findData(current or "")))
        self.action.blockSignals(False)
        self.refilter()

    def row(self, e: dict) -> list[str]:
        def js(value) -> str:
            return "" if value is None else json.dumps(value, ensure_ascii=False)

        return [str(e["id"]), e["at"].astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S"), e["user"], e["action"],
                e["entity_id"], js(e["before"]), js(e["after"])]

    @Slot()
    def refilter(self) -> None:
        action = self.action.currentData()
        needle = self.search.text().strip().lower()
        self.shown = [e for e in reversed(self.entries) if (not action or e["action"] == action)
                      and (not needle or needle in " ".join(self.row(e)).lower())]
        self.table.setRowCount(len(self.shown))
        for r, e in enumerate(self.shown):
            for c, text in enumerate(self.row(e)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.status.setText(self.tr("%1 of %2 entries shown, newest first.").replace("%1", str(len(self.shown)))
                            .replace("%2", str(len(self.entries))))

    @Slot()
    def check(self) -> bool:
        """Verify the chain; the result in the status line (and True when intact)."""
        self.reload()
        if self.verify_trail is None:
            self.status.setText(self.tr("The trail cannot be checked here: no audit key is in use."))
            self.status.setStyleSheet("color: #b91c1c")
            return False
        broken = self.verify_trail()
        if broken is None:
            self.status.setText(self.tr("Intact: all %1 entries and their links check out with the audit key, and "
                                        "the anchor outside the database agrees.")
                                .replace("%1", str(len(self.entries))))
            self.status.setStyleSheet("")
            return True
        reason = {
            "edited": self.tr("its content or hash was changed after it was written, or it was inserted with a "
                              "forged hash"),
            "missing before": self.tr("entries before it were deleted or the order changed"),
            "not sealed": self.tr("it was written into the database without the audit key"),
            "truncated": self.tr("the newest entries after it were deleted (the anchor names a later entry)"),
        }.get(broken.reason, broken.reason)
        self.status.setText(self.tr("Broken at entry %1: %2.").replace("%1", str(broken.entry_id))
                            .replace("%2", reason))
        self.status.setStyleSheet("color: #b91c1c")
        return False

    @Slot()
    def export(self, path: str | None = None) -> bool:
        from console.reports.export import ExportError, write_table

        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export audit trail"), "audit.csv",
                                                  self.tr("CSV (*.csv);;Excel (*.xlsx)"))
            if not path:
                return False
        try:
            write_table(Path(path), "Audit", COLUMNS, [self.row(e) for e in self.shown])
        except ExportError as exc:
            QMessageBox.warning(self, self.tr("Export audit trail"), str(exc))
            return False
        return True
