"""What every frame source shares: how long a stream may take, how much bad data it may send, and the error a
source raises (its message names the source with credentials masked). Kept apart from ``camera/sources.py`` so the
MJPEG reader (``camera/mjpeg.py``) and the sources that open it need not import each other."""

from __future__ import annotations

import numpy as np

from camera.credentials import mask_credentials

#: Seconds allowed to connect to a stream (TCP, HTTP headers, RTSP handshake).
OPEN_TIMEOUT_S = 10.0
#: Seconds a read from a stream may wait for data before the stream counts as failed (and is reopened). Below the
#: capture worker's 5 s stop timeout, so a read blocked inside OpenCV still ends before stop() gives up waiting.
READ_TIMEOUT_S = 4.0
#: An MJPEG stream sending this many undecodable parts in a row is treated as failed.
MAX_CORRUPT_IN_A_ROW = 50
#: An MJPEG part larger than this (bytes) means we lost the boundary: the stream is treated as failed.
MAX_PART_BYTES = 32 * 1024 * 1024


class SourceError(Exception):
    """A source that cannot be opened or read; the message names it (credentials masked) and the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(mask_credentials(message))


def size_of(image: np.ndarray) -> tuple[int, int]:
    """An image's (width, height) in pixels."""
    return int(image.shape[1]), int(image.shape[0])
