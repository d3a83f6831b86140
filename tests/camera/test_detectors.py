"""Detectors on real footage with the shared models; the model store; bad model files."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.detectors import HogDetector, load_detector
from camera.detectors.base import DetectorError
from camera.detectors.onnx import ModelFormat, OnnxDetector, model_info
from camera.model_store import ModelStore, ModelStoreError

MODELS = {
    ModelFormat.YOLOX: "yolox-nano/yolox_nano.onnx",
    ModelFormat.PICODET: "picodet-s-320/picodet_s_320_coco.onnx",
    ModelFormat.FASTESTDET: "fastestdet/FastestDet.onnx",
}


def pets_frames(shared: Path, n: int = 8, step: int = 90) -> list[tuple[np.ndarray, int]]:
    folder = shared / "datasets" / "pets09-s2l1"
    with (folder / "counts.csv").open() as f:
        counts = {int(r["frame"]): int(r["count"]) for r in csv.DictReader(f)}
    cap = cv2.VideoCapture(str(folder / "video.avi"))
    out, i = [], 0
    while len(out) < n:
        ok, image = cap.read()
        assert ok
        if i % step == 0:
            out.append((image, counts[i]))
        i += 1
    cap.release()
    return out


@pytest.mark.parametrize("fmt", list(MODELS))
def test_each_format_is_recognised_and_finds_the_people(shared: Path, fmt: ModelFormat) -> None:
    path = shared / "models" / MODELS[fmt]
    assert model_info(path).format is fmt
    detector = OnnxDetector(path)
    errors = []
    for image, truth in pets_frames(shared):
        found = detector.detect(image)
        confident = found.filter(found.confidence >= detector.track_threshold)
        errors.append(abs(len(confident) - truth))
        h, w = image.shape[:2]
        assert (found.xyxy[:, [0, 2]] >= 0).all() and (found.xyxy[:, [0, 2]] <= w).all()
        assert (found.xyxy[:, [1, 3]] <= h).all()
    assert np.mean(errors) <= 1.5, errors


def test_tiling_finds_at_least_as_many_people_in_a_crowd(shared: Path) -> None:
    image = cv2.imread(str(shared / "datasets" / "mall-train" / "frames" / "000100.jpg"))
    path = shared / "models" / MODELS[ModelFormat.YOLOX]
    whole = OnnxDetector(path).detect(image)
    tiled = OnnxDetector(path, tiles=(2, 2)).detect(image)
    assert (tiled.confidence >= 0.3).sum() >= (whole.confidence >= 0.3).sum()


def test_hog_fallback(shared: Path) -> None:
    detector = load_detector(None)
    assert isinstance(detector, HogDetector) and detector.low_accuracy
    image, _ = pets_frames(shared, n=1)[0]
    assert len(detector.detect(image)) >= 1


def test_bad_model_files_are_named(tmp_path: Path, shared: Path) -> None:
    not_onnx = tmp_path / "notes.onnx"
    not_onnx.write_text("hello")
    with pytest.raises(DetectorError, match="notes.onnx"):
        OnnxDetector(not_onnx)
    truncated = tmp_path / "cut.onnx"
    truncated.write_bytes((shared / "models" / MODELS[ModelFormat.YOLOX]).read_bytes()[:100_000])
    with pytest.raises(DetectorError, match="cut.onnx"):
        OnnxDetector(truncated)
    with pytest.raises(DetectorError, match="does not exist"):
        OnnxDetector(tmp_path / "missing.onnx")


def test_model_store(tmp_path: Path, shared: Path) -> None:
    store = ModelStore(tmp_path)
    assert store.list() == [] and store.default() is None
    source = shared / "models" / MODELS[ModelFormat.PICODET]
    pico = store.install(str(source), name="pico")
    assert pico.path.is_file() and pico.format == "picodet" and pico.input_wh == (320, 320)
    assert pico.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert store.install(str(source)) == pico  # the same file again: nothing new
    yolox = store.install(str(shared / "models" / MODELS[ModelFormat.YOLOX]), name="yolox")
    assert store.default() == yolox and store.get("pico") == pico
    assert [m.name for m in store.list()] == ["pico", "yolox"]
    with pytest.raises(ModelStoreError, match="expected 00"):
        store.install(str(shared / "models" / MODELS[ModelFormat.FASTESTDET]), expected_sha256="00" * 32)
    junk = tmp_path / "junk.onnx"
    junk.write_text("not a model")
    with pytest.raises(ModelStoreError, match="junk.onnx"):
        store.install(str(junk))
    with pytest.raises(ModelStoreError, match="only local files and https"):
        store.install("http://example.invalid/model.onnx")
    assert len(store.list()) == 2 and len(list(store.folder.glob("*.onnx"))) == 2  # nothing half-installed
    store.remove("pico")
    assert not pico.path.exists() and [m.name for m in store.list()] == ["yolox"]
    with pytest.raises(ModelStoreError, match="'pico'"):
        store.get("pico")
    store.registry.write_text("{broken")
    with pytest.raises(ModelStoreError, match="models.json"):
        store.list()
