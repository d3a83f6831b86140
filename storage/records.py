"""Plain records only storage and its callers need (the shared ones are in console/domain/records.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain.records import ZoneSpec


@dataclass(frozen=True, slots=True)
class CameraSpec:
    """A camera of a branch. ``source`` is a URL, file path or device index as text."""

    camera_id: str
    name: str
    source: str
    kind: str  # "simulated", "file", "folder", "rtsp", "http", "usb"
    enabled: bool = True
    model: str | None = None
    #: Who analyses the camera: "console" (the branch's console PC, in child processes) or "worker" (a headless
    #: ``main.py worker`` on another PC, writing to the shared database; the console then reads its figures back).
    analysed_by: str = "console"


@dataclass(frozen=True, slots=True)
class LineRecord:
    """A counting line of a camera, image pixels; "in" is the side where cross(B−A, P−A) > 0 (y down)."""

    name: str
    a: tuple[float, float]
    b: tuple[float, float]


@dataclass(frozen=True, slots=True)
class CameraSetup:
    """Everything configured for one camera: where frames come from, how they are analysed, its zones and lines.

    ``source`` may hold credentials: it is shown and logged only through ``camera.credentials.mask_credentials``.
    ``calibration`` is a fitted count model as JSON (``camera.calibration.CountModel.to_json``), or None.
    """

    camera: CameraSpec
    zones: tuple[ZoneSpec, ...] = ()
    lines: tuple[LineRecord, ...] = ()
    roi: tuple[tuple[float, float], ...] | None = None
    analysis_fps: float = 5.0
    calibration: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit entry: who (``user``) did what (``action``, e.g. "counter.pause") to which ``entity`` when (UTC),
    with the values before and after."""

    at: datetime
    user: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    entry_id: int | None = None
