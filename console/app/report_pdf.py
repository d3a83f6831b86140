"""PDF files for ``main.py report --export FILE.pdf``: the command line has no Qt, so main.py hands the command this
writer from the application shell. Qt draws the HTML with its text layout on the offscreen platform, so it needs
no display."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def pdf_writer() -> Callable[[str, Path], None]:
    """A function drawing an HTML document into a PDF file (A4, written beside the target, then renamed)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["main.py"])

    def write(document_html: str, path: Path) -> None:
        from widgets.pdf_document import render_pdf

        render_pdf(document_html, path)

    write.app = app  # type: ignore[attr-defined]  # Qt's application lives as long as the writer
    return write
