"""The state of a branch at one instant, as a source (demo simulator or database) hands it to the window.

A ``BranchSnapshot`` is immutable and crosses from the source's worker thread to the GUI thread; the frame array is
a fresh copy owned by the snapshot. No Qt imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from console.domain.records import (
    AppointmentRecord,
    BranchInfo,
    CameraHealthEvent,
    CounterStatus,
    OccupancyPoint,
    ShiftRecord,
    StaffMember,
    TicketRecord,
    ZoneSpec,
)


@dataclass(frozen=True)
class BranchSnapshot:
    """Everything the panels show, at ``at`` (branch-local, aware).

    ``new_samples`` holds the occupancy samples taken since the previous snapshot (the chart appends them);
    ``day`` changing from one snapshot to the next means a new business day began and day series restart.
    """

    at: datetime
    day: date
    branch: BranchInfo
    simulated: bool
    counters: tuple[CounterStatus, ...]
    tickets: tuple[TicketRecord, ...]
    staff: tuple[StaffMember, ...]
    roster: tuple[ShiftRecord, ...]
    zones: tuple[ZoneSpec, ...]
    lobby_count: int
    zone_counts: Mapping[str, int]
    new_samples: tuple[OccupancyPoint, ...] = ()
    frame: np.ndarray | None = field(default=None, compare=False)
    events_total: int = 0
    cameras_online: int = 0
    cameras_total: int = 0
    speed: float = 1.0
    paused: bool = False
    appointments: tuple[AppointmentRecord, ...] = ()  # appointments with a slot today
    #: each camera's newest stored change of state (real branches: how workers' cameras are doing)
    camera_states: tuple[CameraHealthEvent, ...] = ()
    #: today's (in, out) line crossings per (camera id, line) as stored (real branches; None on the demo)
    line_totals: Mapping[tuple[str, str], tuple[int, int]] | None = None
    #: when the ticketing system's newest event was received (real branches; None: none yet, or the demo)
    last_event_at: datetime | None = None
