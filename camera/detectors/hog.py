"""OpenCV's HOG people detector: the fallback when no ONNX model is installed (low accuracy, slow)."""

from __future__ import annotations

import cv2
import numpy as np

from camera.detections import Detections
from camera.detectors.base import nms


class HogDetector:
    name = "OpenCV HOG"
    low_accuracy = True
    track_threshold = 0.5  # squashed SVM margin of about 0: HOG's own decision boundary

    def __init__(self, *, scale: float = 1.05, win_stride: tuple[int, int] = (8, 8), hit_threshold: float = 0.0,
                 max_width: int = 640, nms_iou: float = 0.45) -> None:
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self.scale = scale
        self.win_stride = win_stride
        self.hit_threshold = hit_threshold
        self.max_width = max_width
        self.nms_iou = nms_iou

    def detect(self, image_bgr: np.ndarray) -> Detections:
        h, w = image_bgr.shape[:2]
        factor = min(1.0, self.max_width / w)
        small = cv2.resize(image_bgr, (int(w * factor), int(h * factor))) if factor < 1 else image_bgr
        rects, weights = self._hog.detectMultiScale(small, hitThreshold=self.hit_threshold,
                                                     winStride=self.win_stride, scale=self.scale)
        if len(rects) == 0:
            return Detections.empty()
        rects = np.asarray(rects, dtype=np.float32)
        xyxy = np.column_stack([rects[:, 0], rects[:, 1], rects[:, 0] + rects[:, 2], rects[:, 1] + rects[:, 3]])
        # SVM margins (about 0..3) squashed into 0..1 so they read like the ONNX models' confidences
        scores = 1.0 / (1.0 + np.exp(-2.0 * np.asarray(weights, dtype=np.float32).reshape(-1)))
        keep = nms(xyxy, scores, self.nms_iou)
        return Detections(xyxy[keep] / factor, scores[keep])
