"""Zone occupancy with inertia and dwell: hand-computed cases, the memoryless count, and the ground truth."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camera.detections import Detections
from camera.zone_state import ZoneOccupancy
from camera.zones import count_in_zones
from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind

WAIT = ZoneSpec("wait", ZoneKind.WAITING, ((0, 0), (100, 0), (100, 100), (0, 100)))
TELLER = ZoneSpec("teller", ZoneKind.WAITING, ((50, 0), (150, 0), (150, 100), (50, 100)))  # overlaps WAIT
STREET = ZoneSpec("street", ZoneKind.WAITING, ((200, 0), (300, 0), (300, 100), (200, 100)), in_lobby=False)


def people(*items: tuple[int, float, float]) -> Detections:
    """20 x 40 boxes whose bottom centres are (x, y), with track ids."""
    if not items:
        return Detections.empty()
    return Detections(np.array([[x - 10, y - 40, x + 10, y] for _, x, y in items]), np.ones(len(items)),
                      np.array([tid for tid, _, _ in items]))


IN, OUT = (50, 50), (500, 50)


def test_enter_and_leave_inertia() -> None:
    occ = ZoneOccupancy([WAIT], enter_frames=3, leave_frames=2)
    script = [IN, IN, IN, IN, OUT, IN, OUT, None, IN, IN]  # None: the track is absent
    counts = [occ.update(people((7, *p)) if p else people(), float(t))["wait"] for t, p in enumerate(script)]
    # enters on its 3rd inside update; one frame outside is bridged; outside then absent = 2 updates: leaves;
    # back inside for only 2 updates: not yet counted again
    assert counts == [0, 0, 1, 1, 1, 1, 1, 0, 0, 0]
    assert occ.update(people((7, *IN)), 10.0)["wait"] == 1


def test_an_interrupted_entering_streak_starts_again() -> None:
    occ = ZoneOccupancy([WAIT], enter_frames=2, leave_frames=1)
    counts = [occ.update(people((1, *p)), float(t))["wait"] for t, p in enumerate([IN, OUT, IN, IN])]
    assert counts == [0, 0, 0, 1]
    assert occ.dwell_s("wait") == {1: 1.0}  # entry = first update of the streak that counted, t=2; now t=3


def test_dwell_counts_the_inertia_frames_and_the_leave_grace() -> None:
    occ = ZoneOccupancy([WAIT], enter_frames=3, leave_frames=2)
    times = [10.0, 10.5, 11.25, 12.0]  # uneven frame times
    for t in times:
        occ.update(people((4, *IN)), t)
    assert occ.dwell_s("wait") == {4: 2.0}  # since t=10.0, the first of the 3 entering updates
    occ.update(people((4, *OUT)), 13.0)  # one frame outside: still counted, dwell keeps growing
    assert occ.dwell_s("wait") == {4: 3.0}
    occ.update(people((4, *IN)), 14.0)
    assert occ.dwell_s("wait") == {4: 4.0}
    occ.update(people(), 15.0)
    occ.update(people(), 16.0)
    assert occ.dwell_s("wait") == {}
    for t in (17.0, 18.0, 19.0):  # a new stay starts from zero
        occ.update(people((4, *IN)), t)
    assert occ.dwell_s("wait") == {4: 2.0}


def test_dwell_summary_of_several_people() -> None:
    occ = ZoneOccupancy([WAIT], enter_frames=1, leave_frames=1)
    occ.update(people((1, 10, 10)), 0.0)
    occ.update(people((1, 10, 10), (2, 20, 20)), 30.0)
    occ.update(people((1, 10, 10), (2, 20, 20), (3, 30, 30)), 90.0)
    assert occ.dwell_s("wait") == {1: 90.0, 2: 60.0, 3: 0.0}
    assert occ.dwell_summary("wait") == (3, 50.0, 90.0)
    occ.update(people(), 100.0)
    assert occ.dwell_summary("wait") == (0, 0.0, 0.0)
    with pytest.raises(KeyError, match="'nowhere'"):
        occ.dwell_s("nowhere")


def test_lobby_count_is_a_union_of_lobby_zones() -> None:
    occ = ZoneOccupancy([WAIT, TELLER, STREET], enter_frames=1, leave_frames=1)
    counts = occ.update(people((1, 75, 50), (2, 25, 50), (3, 120, 50), (4, 250, 50)), 0.0)
    assert counts == {"wait": 2, "teller": 2, "street": 1}
    assert occ.lobby_count() == 3  # 1 stands in both lobby zones; 4 is on the street
    assert occ.members("teller") == {1, 3}


def test_untracked_boxes_are_ignored_and_reset_clears() -> None:
    occ = ZoneOccupancy([WAIT], enter_frames=1, leave_frames=1)
    assert occ.update(people((-1, *IN), (3, *IN)), 0.0) == {"wait": 1}
    occ.reset()
    assert occ.counts() == {"wait": 0}


def test_invalid_zones_and_settings() -> None:
    with pytest.raises(ValueError, match="'bad'"):
        ZoneOccupancy([ZoneSpec("bad", ZoneKind.WAITING, ((0, 0), (1, 1)))])
    with pytest.raises(ValueError, match="'wait'.*twice"):
        ZoneOccupancy([WAIT, WAIT])
    with pytest.raises(ValueError, match="at least 1"):
        ZoneOccupancy([WAIT], enter_frames=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(-20, 170), st.integers(-20, 120)), max_size=6), min_size=1,
                max_size=8))
def test_inertia_one_equals_the_memoryless_count(frames: list[list[tuple[int, int]]]) -> None:
    zones = [WAIT, TELLER, STREET]
    occ = ZoneOccupancy(zones, enter_frames=1, leave_frames=1)
    for t, points in enumerate(frames):
        tracks = people(*((i, x, y) for i, (x, y) in enumerate(points)))
        assert occ.update(tracks, float(t)) == count_in_zones(tracks.anchors_xy, zones)


def test_plaza_counts_match_the_ground_truth(shared: Path) -> None:
    folder = shared / "datasets" / "pets09-s2l1"
    truth = json.loads((folder / "truth.json").read_text())
    plaza = ZoneSpec("plaza", ZoneKind.WAITING, tuple(tuple(p) for p in truth["zones"]["plaza"]["polygon"]))
    rows: dict[int, list[tuple[float, float, float, float, int]]] = defaultdict(list)
    with (folder / "tracks.csv").open() as f:
        for r in csv.DictReader(f):
            x, y, w, h = (float(r[k]) for k in "xywh")
            rows[int(r["frame"])].append((x, y, x + w, y + h, int(r["track_id"])))
    with (folder / "zone_plaza.csv").open() as f:
        expected = {int(r["frame"]): int(r["count"]) for r in csv.DictReader(f)}
    occ = ZoneOccupancy([plaza], enter_frames=1, leave_frames=1)
    assert len(expected) == 795
    for fr in range(max(expected) + 1):
        rs = rows.get(fr, [])
        tracks = Detections(np.array([r[:4] for r in rs]).reshape(-1, 4), np.ones(len(rs)),
                            np.array([r[4] for r in rs], dtype=np.int64))
        assert occ.update(tracks, fr / 7)["plaza"] == expected.get(fr, 0), fr
