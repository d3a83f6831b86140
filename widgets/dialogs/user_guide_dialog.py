"""Help → User guide: the user guide (``docs/user-guide.md``, or ``docs/user-guide.zh_CN.md`` in Chinese) shown in
the window, so it reads the same on a PC without a Markdown viewer and in the standalone bundle (which carries the
``docs`` folder). Qt renders the Markdown; links to the other guides open them in the same browser, web links in
the system's browser."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget


def guide_path(docs: Path, language: str) -> Path:
    """The user guide in ``language`` (``zh_CN`` or ``en``); English when that language has none."""
    localised = docs / f"user-guide.{language}.md"
    return localised if language != "en" and localised.is_file() else docs / "user-guide.md"


def heading_anchor(text: str) -> str:
    """The anchor a Markdown link uses for a heading, as GitHub makes it: lower case, punctuation dropped (letters of
    any script, digits, ``-`` and ``_`` kept), spaces made hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def name_headings(document: QTextDocument) -> int:
    """Give every heading of ``document`` its anchor (Qt's Markdown reader names none), so the guide's contents and
    cross-references jump to their section. Returns the number of headings named."""
    named = 0
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0 and block.text().strip():
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
            anchor = QTextCharFormat()
            anchor.setAnchor(True)
            anchor.setAnchorNames([heading_anchor(block.text())])
            cursor.mergeCharFormat(anchor)
            named += 1
        block = block.next()
    return named


class UserGuideDialog(QDialog):
    """Shows the guide at ``path``; says so when the file is missing (a damaged installation)."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userGuideDialog")
        self.setWindowTitle(self.tr("User guide"))
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.sourceChanged.connect(self._loaded)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        if path.is_file():
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
            self.missing.hide()
        else:
            self.browser.hide()
            self.missing.setText(self.tr("The user guide was not found at %1. Reinstall the console, or read it in "
                                         "the docs folder of the source.").replace("%1", str(path)))
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.missing)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1000, 800)

    @Slot(QUrl)
    def _loaded(self, _url: QUrl) -> None:
        name_headings(self.browser.document())
