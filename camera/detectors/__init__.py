"""Person detectors: ONNX models (YOLOX, PicoDet, FastestDet) or OpenCV's HOG when no model is installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from camera.detectors.base import Detector, DetectorError
from camera.detectors.hog import HogDetector
from camera.detectors.onnx import OnnxDetector


def load_detector(model_path: Path | None, **options: Any) -> Detector:
    """An ONNX detector for ``model_path``, or the HOG fallback when it is None (options go to the detector)."""
    if model_path is None:
        return HogDetector()
    return OnnxDetector(Path(model_path), **options)


__all__ = ["Detector", "DetectorError", "HogDetector", "OnnxDetector", "load_detector"]
