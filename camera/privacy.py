"""Head blurring and the one function that writes a camera image to disk (alert snapshots).

Privacy rule: the console writes no picture of a person unless alert snapshots are switched on, and then only a
copy in which the head of every detected person is blurred (``write_blurred_jpeg`` blurs inside; there is no
function here that writes a frame as it is).

Head region: the top ``HEAD_SHARE`` (25 %) of a person box, widened by ``HEAD_WIDEN`` (15 %) of the box width on
each side and raised by ``HEAD_RAISE`` (5 %) of its height — a standing person's head is about 1/7 of the box
height, so this covers head and neck even when the detector's box is a little low, narrow or off-centre, and when
the person bends or turns. Clipped to the frame.

Blurring: the region is averaged down to a grid of ``GRID_CELLS`` (4) cells across (cells square, at least 1 pixel)
and scaled back up with linear interpolation, then smoothed with a Gaussian of a cell's size. Why not only a
Gaussian: a Gaussian of a known size can be partly undone (deconvolution), and a small one leaves a face readable
at the 640-pixel snapshot size; averaging into four cells across the head destroys the information itself — what is
left of a face is about 4×5 colours, which no one and no model can turn back into the face. The final smoothing
removes the blocks' edges, so the mosaic does not draw attention. Pixels outside every head region are unchanged.
No Qt here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from camera.detections import Detections

HEAD_SHARE = 0.25
HEAD_WIDEN = 0.15
HEAD_RAISE = 0.05
GRID_CELLS = 4
JPEG_QUALITY = 85


def head_regions(xyxy: np.ndarray, frame_wh: tuple[int, int]) -> np.ndarray:
    """Integer head boxes (N, 4) ``x1, y1, x2, y2`` (end exclusive) for person boxes ``xyxy`` in frame pixels,
    clipped to a frame ``frame_wh`` = (width, height); empty boxes (outside the frame) have x2 <= x1 or y2 <= y1."""
    boxes = np.asarray(xyxy, dtype=np.float64).reshape(-1, 4)
    w, h = frame_wh
    bw = np.maximum(boxes[:, 2] - boxes[:, 0], 0.0)
    bh = np.maximum(boxes[:, 3] - boxes[:, 1], 0.0)
    x1 = np.floor(boxes[:, 0] - HEAD_WIDEN * bw)
    x2 = np.ceil(boxes[:, 2] + HEAD_WIDEN * bw)
    y1 = np.floor(boxes[:, 1] - HEAD_RAISE * bh)
    y2 = np.ceil(boxes[:, 1] + HEAD_SHARE * bh)
    out = np.stack([np.clip(x1, 0, w), np.clip(y1, 0, h), np.clip(x2, 0, w), np.clip(y2, 0, h)], axis=1)
    return out.astype(np.int64)


def _obscure(region: np.ndarray) -> np.ndarray:
    """The region averaged to ``GRID_CELLS`` cells across, scaled back up and smoothed (see the module notes)."""
    h, w = region.shape[:2]
    cell = max(1, -(-w // GRID_CELLS))  # ceiling division: at most GRID_CELLS cells across
    small = cv2.resize(region, (max(1, -(-w // cell)), max(1, -(-h // cell))), interpolation=cv2.INTER_AREA)
    up = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    k = cell | 1  # odd kernel of about a cell
    return cv2.GaussianBlur(up, (k, k), 0) if k > 1 else up


def blur_heads(frame: np.ndarray, people: Detections | np.ndarray) -> np.ndarray:
    """A copy of the BGR ``frame`` with the head region of every person box blurred beyond recognition.

    ``people``: ``Detections`` or an (N, 4) array of ``xyxy`` boxes, in the pixels of ``frame``. The input frame is
    never changed."""
    xyxy = people.xyxy if isinstance(people, Detections) else np.asarray(people, dtype=np.float32).reshape(-1, 4)
    out = np.array(frame, copy=True)
    h, w = out.shape[:2]
    for x1, y1, x2, y2 in head_regions(xyxy, (w, h)):
        if x2 > x1 and y2 > y1:
            out[y1:y2, x1:x2] = _obscure(out[y1:y2, x1:x2])
    return out


def write_blurred_jpeg(path: Path, frame: np.ndarray, people: Detections | np.ndarray) -> Path:
    """Blur the heads of ``people`` in a copy of ``frame`` and write only that copy as a JPEG at ``path``.

    Atomic: encoded in memory, written to a temporary file in the same folder and renamed, so a crash never leaves
    half a picture. Raises ``OSError`` (folder not writable, disk full) or ``ValueError`` (not an image)."""
    blurred = blur_heads(frame, people)
    ok, data = cv2.imencode(".jpg", blurred, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError(f"{path}: the image could not be encoded as JPEG")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
