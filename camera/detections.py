"""Person detections and tracks of one frame, as struct-of-arrays (numpy), validated on construction.

Coordinates are pixels of the analysed frame, ``xyxy`` = (x1, y1, x2, y2) with y pointing down. The point a person
stands on — used for zones and counting lines — is the bottom centre of the box (``anchors_xy``), the convention of
the evaluation footage in ../shared/datasets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Detections:
    """N boxes with confidences in [0, 1]; ``track_ids`` is -1 until a tracker assigns ids."""

    xyxy: np.ndarray  # float32 (N, 4)
    confidence: np.ndarray  # float32 (N,)
    track_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # int64 (N,) or empty

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        conf = np.asarray(self.confidence, dtype=np.float32).reshape(-1)
        if len(conf) != len(xyxy):
            raise ValueError(f"{len(xyxy)} boxes but {len(conf)} confidences")
        ids = np.asarray(self.track_ids, dtype=np.int64).reshape(-1)
        if len(ids) == 0:
            ids = np.full(len(xyxy), -1, dtype=np.int64)
        elif len(ids) != len(xyxy):
            raise ValueError(f"{len(xyxy)} boxes but {len(ids)} track ids")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "track_ids", ids)

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.xyxy)

    @property
    def anchors_xy(self) -> np.ndarray:
        """Bottom centre of each box (N, 2): where the person stands."""
        x = (self.xyxy[:, 0] + self.xyxy[:, 2]) / 2
        return np.stack([x, self.xyxy[:, 3]], axis=1)

    def filter(self, mask: np.ndarray) -> Detections:
        return Detections(self.xyxy[mask], self.confidence[mask], self.track_ids[mask])

    def scaled(self, factor_x: float, factor_y: float) -> Detections:
        """Boxes multiplied by (factor_x, factor_y): maps a downscaled frame's boxes back to full size."""
        scale = np.array([factor_x, factor_y, factor_x, factor_y], dtype=np.float32)
        return Detections(self.xyxy * scale, self.confidence, self.track_ids)
