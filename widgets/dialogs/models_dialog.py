"""Cameras → Models…: the person-detector models installed in the data directory, and installing one from a file.

The standalone bundle ships no model (licences and size: see ``../shared/models``); an administrator picks the
``.onnx`` file here — or runs ``models install FILE`` — and the cameras use it from their next start. Installing
reads and checks the whole model (``camera.model_store``), which takes a few seconds: it runs on a thread of its
own and the dialog says when it is done; a file that is not a usable detector is refused with the reason and
nothing is installed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from widgets.tables import ensure_rows, make_table, set_cell


class _Done(QObject):
    """Carries an install's outcome from its thread to the dialog (queued to the GUI thread)."""

    sig_done = Signal(object, str)  # the installed model or None, the error message or ""


class ModelsDialog(QDialog):
    def __init__(self, list_models: Callable[[], list], install: Callable[[str], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Detector models"))
        self.list_models, self.install = list_models, install
        self.table = make_table([self.tr("Name"), self.tr("Format"), self.tr("Input"), self.tr("Installed"),
                                 self.tr("SHA-256")], stretch_column=4)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("modelsMessage")
        self.message.setWordWrap(True)
        self.install_button = QPushButton(self.tr("Install from file…"))
        self.install_button.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.install_button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(760, 320)
        self._done = _Done(self)
        self._done.sig_done.connect(self._installed)
        self.thread: threading.Thread | None = None
        self.reload()

    def reload(self) -> None:
        models = self.list_models()
        ensure_rows(self.table, len(models))
        for i, m in enumerate(models):
            set_cell(self.table, i, 0, m.name)
            set_cell(self.table, i, 1, m.format)
            set_cell(self.table, i, 2, f"{m.input_wh[0]}×{m.input_wh[1]}")
            set_cell(self.table, i, 3, m.installed_at.replace("T", " "))
            set_cell(self.table, i, 4, m.sha256)
        self.note.setText(self.tr("Cameras use the best installed model unless their settings name one.") if models
                          else self.tr("No detector model is installed: cameras count people with OpenCV's HOG "
                                       "detector, which misses many people. Install an ONNX person detector (YOLOX, "
                                       "YOLOv8 or NanoDet) from a file."))

    @Slot()
    def choose_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Install a detector model"), "",
                                                  self.tr("ONNX models (*.onnx)"))
            if not path:
                return
        self.install_button.setEnabled(False)
        self.message.setText(self.tr("Checking and installing %1…").replace("%1", path))
        done, install = self._done, self.install

        def work() -> None:
            try:
                done.sig_done.emit(install(path), "")
            except Exception as exc:  # ModelStoreError: the reason, nothing installed
                done.sig_done.emit(None, str(exc))

        self.thread = threading.Thread(target=work, name="model-install", daemon=True)
        self.thread.start()

    @Slot(object, str)
    def _installed(self, model, error: str) -> None:
        self.install_button.setEnabled(True)
        if model is None:
            self.message.setText(self.tr("Not installed: %1").replace("%1", error))
            return
        self.message.setText(self.tr("%1 installed; cameras use it from their next start.").replace("%1", model.name))
        self.reload()
