"""Camera administration: the list of cameras and the dialog that adds or changes one.

A camera's source may carry a user name and password (``rtsp://user:pass@nvr/...``): the dialogs show it masked and
keep the stored value when the masked text is left as it is. The password is kept in the secret store, not the
database (console/security/camera_passwords.py); when it cannot be stored, a message says why and nothing is changed.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from camera.credentials import mask_credentials
from camera.model_store import HOG_MODEL as HOG
from camera.model_store import ModelStore, ModelStoreError
from camera.sources import SourceError, parse_source
from console.security.secret_store import SecretError
from storage.records import CameraSetup, CameraSpec
from widgets.tables import ensure_rows, make_table, set_cell

CAMERA_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class CameraManager(Protocol):
    """What the camera dialogs use of the running cameras (the shell's ``console.app.camera_manager``): the stored
    setups, the running workers and their latest snapshots, the installed models, saving and removing a camera, and
    the signals ``sig_changed`` (the set of cameras changed) and ``sig_camera`` (a camera's snapshot)."""

    model_store: ModelStore
    setups: dict[str, CameraSetup]
    workers: dict[str, Any]
    latest: dict[str, Any]
    sig_changed: Any
    sig_camera: Any

    def save(self, setup: CameraSetup) -> None: ...

    def remove(self, camera_id: str) -> None: ...


class CameraEditDialog(QDialog):
    """Add a camera (``setup`` None) or change one; ``result_setup`` holds the accepted setup."""

    def __init__(self, manager: CameraManager, setup: CameraSetup | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.original = setup
        self.result_setup: CameraSetup | None = None
        self.setWindowTitle(self.tr("Add camera") if setup is None else self.tr("Camera settings"))
        self.camera_id = QLineEdit(setup.camera.camera_id if setup else "")
        self.camera_id.setReadOnly(setup is not None)
        self.camera_id.setPlaceholderText(self.tr("e.g. CAM1"))
        self.name = QLineEdit(setup.camera.name if setup else "")
        self.source = QLineEdit(mask_credentials(setup.camera.source) if setup else "")
        self.source.setPlaceholderText(self.tr("rtsp://user:password@nvr/stream, http://…, a video file, a folder "
                                               "of frames, or usb:0"))
        self.model = QComboBox()
        self.model.addItem(self.tr("Best installed model"), None)
        try:
            for installed in manager.model_store.list():
                self.model.addItem(f"{installed.name} ({installed.format})", installed.name)
        except ModelStoreError as exc:
            self.model.setToolTip(str(exc))
        self.model.addItem(self.tr("OpenCV HOG (low accuracy)"), HOG)
        if setup is not None and setup.camera.model:
            index = self.model.findData(setup.camera.model)
            self.model.setCurrentIndex(max(0, index))
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 30.0)
        self.fps.setDecimals(1)
        self.fps.setSuffix(self.tr(" frames/s"))
        self.fps.setValue(setup.analysis_fps if setup else 5.0)
        self.analysed_by = QComboBox()
        self.analysed_by.addItem(self.tr("This console"), "console")
        self.analysed_by.addItem(self.tr("A worker PC (main.py worker)"), "worker")
        self.analysed_by.setCurrentIndex(max(0, self.analysed_by.findData(setup.camera.analysed_by if setup else
                                                                          "console")))
        self.analysed_by.setToolTip(self.tr("A camera counted by a headless worker on another PC writes its figures "
                                            "to the shared database; this console shows them without a picture."))
        self.enabled = QCheckBox(self.tr("Enabled"))
        self.enabled.setChecked(setup.camera.enabled if setup else True)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b91c1c")
        form = QFormLayout(self)
        form.addRow(self.tr("Camera id"), self.camera_id)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Source"), self.source)
        form.addRow(self.tr("Detector model"), self.model)
        form.addRow(self.tr("Analysis rate"), self.fps)
        form.addRow(self.tr("Counted by"), self.analysed_by)
        form.addRow("", self.enabled)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _source_text(self) -> str:
        text = self.source.text().strip()
        if self.original is not None and text == mask_credentials(self.original.camera.source):
            return self.original.camera.source
        return text

    def validate(self) -> CameraSetup | None:
        camera_id = self.camera_id.text().strip()
        if not CAMERA_ID.match(camera_id):
            self.error.setText(self.tr("Camera id: 1 to 32 letters, digits, '-' or '_'."))
            return None
        if self.original is None and camera_id in self.manager.setups:
            self.error.setText(self.tr("Camera id %1 is already used.").replace("%1", camera_id))
            return None
        name = self.name.text().strip() or camera_id
        source = self._source_text()
        try:
            spec = parse_source(source)
        except SourceError as exc:
            self.error.setText(self.tr("Source: %1").replace("%1", str(exc)))
            return None
        model = self.model.currentData()
        camera = CameraSpec(camera_id=camera_id, name=name, source=source, kind=spec.kind,
                            enabled=self.enabled.isChecked(), model=model, analysed_by=self.analysed_by.currentData())
        if self.original is None:
            return CameraSetup(camera=camera, analysis_fps=self.fps.value())
        o = self.original
        return CameraSetup(camera=camera, zones=o.zones, lines=o.lines, roi=o.roi, analysis_fps=self.fps.value(),
                           calibration=o.calibration)

    def accept(self) -> None:
        setup = self.validate()
        if setup is None:
            return
        self.result_setup = setup
        super().accept()


class CameraListDialog(QDialog):
    """The branch's cameras with their live status; add, change, draw zones, calibrate or remove."""

    COL_ID, COL_NAME, COL_SOURCE, COL_MODEL, COL_STATUS = range(5)

    def __init__(self, manager: CameraManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.setWindowTitle(self.tr("Cameras"))
        self.resize(820, 360)
        self.table = make_table([self.tr("Id"), self.tr("Name"), self.tr("Source"), self.tr("Model"),
                                 self.tr("Status")], stretch_column=self.COL_SOURCE)
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Settings…"))
        self.zones_button = QPushButton(self.tr("Zones and lines…"))
        self.calibrate_button = QPushButton(self.tr("Calibrate count…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.models_button = QPushButton(self.tr("Models…"))
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.zones_button, self.calibrate_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.models_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.model_hint = QLabel(self.tr("No detector model is installed yet: cameras fall back to OpenCV's HOG "
                                         "detector. Install one with Models…"))
        self.model_hint.setWordWrap(True)
        self.model_hint.setVisible(not manager.model_store.list())
        layout = QVBoxLayout(self)
        layout.addWidget(self.model_hint)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.add_button.clicked.connect(self.add_camera)
        self.edit_button.clicked.connect(self.edit_camera)
        self.zones_button.clicked.connect(self.edit_zones)
        self.calibrate_button.clicked.connect(self.calibrate)
        self.remove_button.clicked.connect(self.remove_camera)
        self.models_button.clicked.connect(self.open_models)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        manager.sig_changed.connect(self.refresh)
        manager.sig_camera.connect(self._camera_status)
        self.refresh()

    @Slot()
    def open_models(self) -> None:
        from widgets.dialogs.models_dialog import ModelsDialog

        store = self.manager.model_store
        ModelsDialog(store.list, store.install, self).exec()
        self.model_hint.setVisible(not store.list())

    def selected_id(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, self.COL_ID) if row >= 0 else None
        return item.text() if item is not None else None

    @Slot()
    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        for b in (self.edit_button, self.zones_button, self.calibrate_button, self.remove_button):
            b.setEnabled(has)

    @Slot()
    def refresh(self) -> None:
        setups = list(self.manager.setups.values())
        ensure_rows(self.table, len(setups))
        for row, s in enumerate(setups):
            set_cell(self.table, row, self.COL_ID, s.camera.camera_id)
            set_cell(self.table, row, self.COL_NAME, s.camera.name)
            set_cell(self.table, row, self.COL_SOURCE, mask_credentials(s.camera.source))
            set_cell(self.table, row, self.COL_MODEL, s.camera.model or self.tr("best installed"))
            set_cell(self.table, row, self.COL_STATUS, self.tr("enabled") if s.camera.enabled else self.tr("disabled"))
        self._update_buttons()

    @Slot(object)
    def _camera_status(self, snap) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, self.COL_ID)
            if item is not None and item.text() == snap.camera_id and snap.status is not None:
                text = f"{snap.status.state} — {snap.status.message}".strip(" —")
                if snap.calibration_stale:
                    text += " — " + self.tr("calibration may be stale (the picture has changed)")
                set_cell(self.table, row, self.COL_STATUS, text)

    def _save(self, setup: CameraSetup) -> None:
        try:
            self.manager.save(setup)
        except SecretError as exc:
            QMessageBox.warning(self, self.tr("Camera not saved"),
                                self.tr("The camera's password could not be stored safely, so nothing was changed: "
                                        "%1").replace("%1", str(exc)))

    @Slot()
    def add_camera(self) -> None:
        dialog = CameraEditDialog(self.manager, None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_setup is not None:
            self._save(dialog.result_setup)

    @Slot()
    def edit_camera(self) -> None:
        camera_id = self.selected_id()
        if camera_id is None:
            return
        dialog = CameraEditDialog(self.manager, self.manager.setups[camera_id], self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_setup is not None:
            self._save(dialog.result_setup)

    @Slot()
    def edit_zones(self) -> None:
        from widgets.dialogs.zone_editor import ZoneEditorDialog

        camera_id = self.selected_id()
        if camera_id is None:
            return
        snap = self.manager.latest.get(camera_id)
        if snap is None or snap.preview is None:
            QMessageBox.information(self, self.tr("Zones and lines"),
                                    self.tr("Camera %1 has not delivered a picture yet; zones are drawn on the "
                                            "live picture.").replace("%1", camera_id))
            return
        setup = self.manager.setups[camera_id]
        dialog = ZoneEditorDialog(snap.preview, snap.preview_scale, setup, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_setup is not None:
            self._save(dialog.result_setup)

    @Slot()
    def calibrate(self) -> None:
        from widgets.dialogs.calibration_dialog import CalibrationDialog

        camera_id = self.selected_id()
        if camera_id is None:
            return
        worker = self.manager.workers.get(camera_id)
        frames = list(worker.calibration_frames) if worker is not None else []
        dialog = CalibrationDialog(self.manager.setups[camera_id], frames, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_setup is not None:
            self._save(dialog.result_setup)

    @Slot()
    def remove_camera(self) -> None:
        camera_id = self.selected_id()
        if camera_id is None:
            return
        answer = QMessageBox.question(self, self.tr("Remove camera"),
                                      self.tr("Remove camera %1 with its zones and lines? Its counts so far stay in "
                                              "the history.").replace("%1", camera_id))
        if answer == QMessageBox.StandardButton.Yes:
            self.manager.remove(camera_id)

