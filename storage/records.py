"""Plain records only storage and its callers need (the shared ones are in console/domain/records.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CameraSpec:
    """A camera of a branch. ``source`` is a URL, file path or device index as text."""

    camera_id: str
    name: str
    source: str
    kind: str  # "simulated", "file", "folder", "rtsp", "http", "usb"
    enabled: bool = True
    model: str | None = None
