"""HTML drawn into an A4 PDF with Qt's text layout (GUI thread): the closing day report and the quarterly review.
Written beside the target and renamed, so a failed write never leaves half a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QPageSize, QPdfWriter, QTextDocument


def render_pdf(document_html: str, path: Path, images: dict[str, QImage] | None = None) -> None:
    """``images``: name → picture, for ``<img src="name">`` in the HTML. OSError when the file cannot be written."""
    tmp = path.with_suffix(".pdf.tmp")
    writer = QPdfWriter(str(tmp))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(150)
    doc = QTextDocument()
    for name, image in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setHtml(document_html)
    doc.print_(writer)
    del writer  # closes the file
    if not tmp.exists() or tmp.stat().st_size == 0:
        raise OSError(f"{path}: the PDF could not be written")
    tmp.replace(path)
