"""Installed detector models: ``models/`` in the data directory with a registry ``models.json``.

``install`` accepts a local path or an https:// URL (plain http and other schemes are refused: a model is code the
console runs). The file must load in onnxruntime and be a supported detector layout; its SHA-256 is recorded (and
checked against an expected value when given); it is copied in atomically. Nothing is downloaded at run time: only
this explicit install step fetches a file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from camera.detectors.base import Detector, DetectorError
from camera.detectors.onnx import ModelFormat, model_info

REGISTRY = "models.json"
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024
NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ModelStoreError(Exception):
    """An install or lookup that cannot be done; the message names the source, file or model."""


@dataclass(frozen=True)
class InstalledModel:
    name: str
    file: str
    format: str
    input_wh: tuple[int, int]
    sha256: str
    installed_at: str
    source: str
    folder: str = ""

    @property
    def path(self) -> Path:
        return Path(self.folder) / self.file


class ModelStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "models"
        self.registry = self.folder / REGISTRY

    def _load(self) -> list[InstalledModel]:
        if not self.registry.exists():
            return []
        try:
            rows = json.loads(self.registry.read_text(encoding="utf-8"))
            return [InstalledModel(**{**r, "input_wh": tuple(r["input_wh"]), "folder": str(self.folder)}) for r in rows]
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ModelStoreError(f"model registry {self.registry} is damaged ({exc}); reinstall the models") from None

    def _save(self, models: list[InstalledModel]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        rows = [{k: v for k, v in asdict(m).items() if k != "folder"} for m in models]
        tmp = self.registry.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(rows, indent=2), encoding="utf-8")
        os.replace(tmp, self.registry)

    def list(self) -> list[InstalledModel]:
        return self._load()

    def get(self, name: str) -> InstalledModel:
        models = self._load()
        for m in models:
            if m.name == name:
                return m
        known = ", ".join(m.name for m in models) or "none installed"
        raise ModelStoreError(f"no installed model named {name!r} (installed: {known})")

    def default(self) -> InstalledModel | None:
        """The YOLOX model when installed (the best default on this kind of footage), else the first one."""
        models = [m for m in self._load() if m.path.is_file()]
        for m in models:
            if m.format == ModelFormat.YOLOX.value:
                return m
        return models[0] if models else None

    def remove(self, name: str) -> None:
        model = self.get(name)
        models = [m for m in self._load() if m.name != name]
        self._save(models)
        if not any(m.file == model.file for m in models):
            model.path.unlink(missing_ok=True)

    def _fetch(self, source: str, into: Path) -> Path:
        if source.lower().startswith("https://"):
            target = into / "download.onnx"
            try:
                with urllib.request.urlopen(source, timeout=60) as response, target.open("wb") as out:  # noqa: S310
                    total = 0
                    while block := response.read(1 << 20):
                        total += len(block)
                        if total > MAX_DOWNLOAD_BYTES:
                            raise ModelStoreError(f"{source}: larger than {MAX_DOWNLOAD_BYTES // 2**20} MB, refused")
                        out.write(block)
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                raise ModelStoreError(f"{source} cannot be downloaded: {getattr(exc, 'reason', exc)}") from None
            return target
        if "://" in source:
            raise ModelStoreError(f"{source}: only local files and https:// URLs can be installed")
        path = Path(source).expanduser()
        if not path.is_file():
            raise ModelStoreError(f"{source}: no such file")
        return path

    def install(self, source: str, name: str | None = None, expected_sha256: str | None = None) -> InstalledModel:
        with tempfile.TemporaryDirectory() as tmp:
            path = self._fetch(source, Path(tmp))
            try:
                info = model_info(path)
            except DetectorError as exc:
                raise ModelStoreError(f"{source} was not installed: {exc}") from None
            if expected_sha256 is not None and info.sha256 != expected_sha256.lower().strip():
                raise ModelStoreError(f"{source} was not installed: its SHA-256 is {info.sha256}, "
                                      f"expected {expected_sha256}")
            stem = Path(source.rstrip("/").split("/")[-1]).stem or info.format.value
            name = name or stem
            if not NAME.match(name):
                raise ModelStoreError(f"model name {name!r}: use 1 to 64 letters, digits, '.', '-' or '_'")
            models = self._load()
            for m in models:
                if m.sha256 == info.sha256 and m.path.is_file():
                    return m  # the same file is already installed
            file = f"{name}-{info.sha256[:12]}.onnx"
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / (file + ".part")
            shutil.copyfile(path, partial)
            os.replace(partial, self.folder / file)
        model = InstalledModel(name=name, file=file, format=info.format.value, input_wh=info.input_wh,
                               sha256=info.sha256, installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
                               source=source, folder=str(self.folder))
        self._save([m for m in models if m.name != name] + [model])
        return model


#: A camera's model setting that asks for OpenCV's HOG people detector explicitly.
HOG_MODEL = "hog"


@dataclass(frozen=True)
class DetectorRecipe:
    """How to build a camera's detector: picklable, so a camera's analysis process can build it itself.

    ``model_name`` is an installed model's name, None for the data directory's default model, or ``HOG_MODEL``.
    A model that is missing or cannot be used falls back to the HOG detector (the camera then shows the
    low-accuracy badge) with a warning in the log. ``threads``: onnxruntime intra-op threads; ``tiles``: the
    detector also runs on this many overlapping tiles (dense scenes; the calibration stores the choice).
    """

    data_dir: str
    model_name: str | None = None
    threads: int = 1
    tiles: tuple[int, int] = (1, 1)  # the detector's tiling (columns, rows): the camera's calibration chooses it

    def __call__(self) -> Detector:
        import logging

        from camera.detectors import load_detector

        if self.model_name == HOG_MODEL:
            return load_detector(None)
        installed = None
        try:
            store = ModelStore(Path(self.data_dir))
            installed = store.get(self.model_name) if self.model_name else store.default()
        except ModelStoreError as exc:
            logging.getLogger(__name__).warning("%s; falling back to the HOG detector", exc)
        if installed is None:
            return load_detector(None)
        return load_detector(installed.path, threads=self.threads, tiles=self.tiles)
