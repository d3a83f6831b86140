"""Driving modal dialogs in GUI tests: act on the dialog once it is shown, from a timer, never leaving it open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def answer_dialog(kind: type, act: Callable[[object], None], seen: dict) -> None:
    """Call ``act(dialog)`` on the first visible top-level widget of ``kind`` (polled every 30 ms); an exception is
    recorded as ``seen["error"]`` and the dialog rejected (offscreen, ``activeModalWidget`` is None, hence the
    search among the top-level widgets)."""
    def poll() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(30, poll)
            return
        try:
            act(dialogs[0])
        except Exception as exc:
            seen["error"] = repr(exc)
            dialogs[0].reject()

    QTimer.singleShot(0, poll)
