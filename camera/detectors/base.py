"""What every person detector offers the pipeline."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from camera.detections import Detections


class DetectorError(Exception):
    """A model file or detector that cannot be used; the message names the file and the problem."""


class Detector(Protocol):
    name: str
    low_accuracy: bool  # True for the HOG fallback: the console shows a badge
    track_threshold: float  # confidence from which a detection starts or confirms a track on its own

    def detect(self, image_bgr: np.ndarray) -> Detections:
        """People in a BGR uint8 frame, boxes in that frame's pixels."""
        ...


def nms(xyxy: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by non-maximum suppression (OpenCV's), best first."""
    if len(xyxy) == 0:
        return np.zeros(0, dtype=np.int64)
    boxes = np.column_stack([xyxy[:, 0], xyxy[:, 1], xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]])
    import cv2

    keep = cv2.dnn.NMSBoxes(boxes.tolist(), scores.astype(float).tolist(), 0.0, iou)
    return np.asarray(keep, dtype=np.int64).reshape(-1)
