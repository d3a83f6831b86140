"""Guards against a Qt binding release that corrupts reference counts (PySide6 6.12.0 dropped a reference to None
on every call returning nothing, so a console running for hours aborted with "none_dealloc")."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QTableWidgetItem


def test_void_calls_keep_reference_counts(qapp) -> None:
    label = QLabel()
    item = QTableWidgetItem()
    before_none, before_true = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(1000):
        label.setText(str(i))
        item.setText(str(i))
        label.setVisible(True)
    assert abs(sys.getrefcount(None) - before_none) < 50
    assert abs(sys.getrefcount(True) - before_true) < 50
