"""Cameras → Models…: installing a detector from a file in the window (the bundle ships none), off the GUI thread;
a file that is not a detector is refused with the reason and nothing is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from camera.model_store import ModelStore
from console.app.i18n import Translations
from widgets.dialogs.models_dialog import ModelsDialog

pytestmark = pytest.mark.gui


def test_install_a_model_from_a_file(qtbot, qapp, tmp_path: Path, shared: Path) -> None:
    Translations().install("en")
    store = ModelStore(tmp_path / "data")
    dialog = ModelsDialog(store.list, store.install, None)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0 and dialog.note.text().startswith("No detector model is installed")
    bad = tmp_path / "notes.onnx"
    bad.write_text("not a model", encoding="utf-8")
    dialog.choose_file(str(bad))
    assert not dialog.install_button.isEnabled()  # the check runs on its own thread
    qtbot.waitUntil(lambda: dialog.install_button.isEnabled(), timeout=30_000)
    assert dialog.message.text().startswith(f"Not installed: {bad} was not installed") and store.list() == []
    dialog.choose_file(str(shared / "models" / "yolox-nano" / "yolox_nano.onnx"))
    qtbot.waitUntil(lambda: dialog.install_button.isEnabled(), timeout=60_000)
    assert dialog.message.text() == "yolox_nano installed; cameras use it from their next start."
    assert [m.name for m in store.list()] == ["yolox_nano"] and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 4).text() == store.list()[0].sha256
