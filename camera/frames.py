"""A captured frame as it travels from a source to the analysis worker."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Frame:
    """``index`` counts frames read from the source (0-based, dropped frames included); ``t_s`` is the frame's time
    in seconds — media time for files and folders (index / fps), monotonic clock time for live streams."""

    index: int
    t_s: float
    image: np.ndarray  # BGR uint8 (H, W, 3), owned by the frame
