"""Walk-ins who only use the self-service machines: planned for the whole day before it runs.

They take no ticket and meet no counter, so their movement depends on nothing the event loop decides: each one
walks from the door to the machine that frees up first (first come, first served; ties to the lower machine),
queues behind it while it is busy — moving up a place each time the person ahead reaches the machine — uses it,
and walks out. Times are seconds since the simulation start.
"""

from __future__ import annotations

from collections.abc import Sequence

from console.sim.arrivals import MS, WalkInDraw
from console.sim.lobby import FloorPlan, Track, self_service_slot

#: Where walk-ins step from the entrance into the self-service corner, metres.
_AREA_GATE = (14.2, 6.3)
#: Seconds to step up one queue place.
_STEP_UP_S = 0.7


def plan_walk_ins(plan: FloorPlan, walk_ins: Sequence[WalkInDraw]) -> list[Track]:
    """One finished track (with ``end_s`` set) per walk-in, in the order given (entry order)."""
    n_machines = len(plan.self_service_machines)
    free_at = [0.0] * n_machines
    queued: list[list[float]] = [[] for _ in range(n_machines)]  # start-of-use times of people assigned so far
    tracks: list[Track] = []
    for w in walk_ins:
        enter_s = w.enter_ms / MS
        track = Track(enter_s, plan.door)
        gate_s = track.walk(enter_s, (_AREA_GATE,), w.speed_mps)
        machine = min(range(n_machines), key=lambda k: (max(free_at[k], gate_s), k))
        # people assigned to this machine before us who have not reached it yet, at our arrival in the corner
        ahead = sorted(s for s in queued[machine] if s > gate_s)
        start_s = max(free_at[machine], gate_s)
        slot = len(ahead) + (1 if free_at[machine] > gate_s else 0)
        arrive_s = track.walk(gate_s, (self_service_slot(plan, machine, slot),), w.speed_mps)
        for s in ahead:  # each time someone ahead reaches the machine, everyone behind moves up one place
            slot -= 1
            step_at = max(s, arrive_s)
            track.wait(step_at)
            track.walk(step_at, (self_service_slot(plan, machine, slot),), 1.0)
        use_from = max(start_s, track.times[-1])
        track.wait(use_from)
        if slot > 0:
            use_from = track.walk(use_from, (self_service_slot(plan, machine, 0),), w.speed_mps)
        done_s = use_from + w.use_s
        track.wait(done_s)
        track.end_s = track.walk(done_s, (_AREA_GATE, plan.exit), w.speed_mps)
        free_at[machine] = done_s + _STEP_UP_S  # the next user steps up after this one leaves the machine
        queued[machine].append(use_from)
        tracks.append(track)
    return tracks
