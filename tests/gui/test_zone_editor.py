"""The zone editor turns mouse clicks on the picture into zones and lines in full-frame pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind
from storage.records import CameraSetup, CameraSpec, LineRecord
from widgets.dialogs.zone_editor import ZoneEditorDialog

pytestmark = pytest.mark.gui

SETUP = CameraSetup(camera=CameraSpec("C1", "Lobby", "file.avi", "file"), analysis_fps=4.0, calibration="{}")


def widget_point(canvas, x: float, y: float) -> QPoint:
    """Where a full-frame pixel lands on the canvas, computed here from the drawn image rectangle."""
    rect = canvas.image_rect()
    k = rect.width() / canvas.image.width() * canvas.preview_scale
    return QPoint(round(rect.x() + x * k), round(rect.y() + y * k))


def make(qtbot, setup=SETUP, scale: float = 0.5) -> ZoneEditorDialog:
    preview = np.full((288, 384, 3), 90, np.uint8)  # a 768x576 camera shown at half size
    dialog = ZoneEditorDialog(preview, scale, setup)
    qtbot.addWidget(dialog)
    dialog.resize(1000, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_draw_a_zone_and_a_line(qtbot) -> None:
    dialog = make(qtbot)
    canvas = dialog.canvas
    qtbot.mouseClick(dialog.new_zone, Qt.MouseButton.LeftButton)
    corners = [(100, 100), (600, 100), (600, 500), (100, 500)]
    for x, y in corners:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=widget_point(canvas, x, y))
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    dialog.name.setText("seats")
    dialog.name.textEdited.emit("seats")
    dialog.zone_kind.setCurrentIndex(dialog.zone_kind.findData(ZoneKind.WAITING.value))
    dialog.capacity.setValue(30)
    qtbot.mouseClick(dialog.new_line, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=widget_point(canvas, 420, 120))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=widget_point(canvas, 420, 560))
    dialog.accept()
    result = dialog.result_setup
    assert result is not None
    [zone] = result.zones
    assert zone.name == "seats" and zone.kind is ZoneKind.WAITING and zone.capacity == 30
    tolerance = 1 / (canvas.image_rect().width() / canvas.image.width() * canvas.preview_scale) + 0.1
    for (x, y), (ex, ey) in zip(zone.polygon, corners, strict=True):
        assert abs(x - ex) <= tolerance and abs(y - ey) <= tolerance
    [line] = result.lines
    assert line.name == "line1" and abs(line.a[0] - 420) <= tolerance and abs(line.b[1] - 560) <= tolerance
    assert result.analysis_fps == 4.0 and result.calibration == "{}"  # the rest of the setup is kept


def test_incomplete_zone_and_duplicate_names_are_refused(qtbot) -> None:
    existing = CameraSetup(camera=SETUP.camera, zones=(ZoneSpec("a", ZoneKind.ENTRANCE, ((0, 0), (10, 0), (0, 10))),),
                           lines=(LineRecord("door", (0, 0), (5, 5)),))
    dialog = make(qtbot, existing)
    assert dialog.list.count() == 2
    qtbot.mouseClick(dialog.new_zone, Qt.MouseButton.LeftButton)
    for x, y in [(100, 100), (200, 100)]:
        qtbot.mouseClick(dialog.canvas, Qt.MouseButton.LeftButton, pos=widget_point(dialog.canvas, x, y))
    dialog.accept()
    assert dialog.result_setup is None and "three points" in dialog.error.text()
    dialog.delete_selected()
    dialog.list.setCurrentRow(1)
    dialog.name.setText("a")
    dialog.name.textEdited.emit("a")
    dialog.accept()
    assert dialog.result_setup is None and "used twice" in dialog.error.text()
