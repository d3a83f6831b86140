"""Counting lines and zones: hand-computed cases and the ground truth of the evaluation footage."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from camera.detections import Detections
from camera.lines import CountingLine
from camera.zone_state import ZoneOccupancy
from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind


def person(track_id: int, x: float, y: float) -> Detections:
    """A 20x40 box whose bottom centre is (x, y)."""
    return Detections(np.array([[x - 10, y - 40, x + 10, y]]), np.array([0.9]), np.array([track_id]))


def walk(line: CountingLine, track_id: int, points: list[tuple[float, float]]) -> list[str]:
    return [c.direction for p in points for c in line.update(person(track_id, *p))]


def test_line_directions_follow_the_dataset_convention() -> None:
    # horizontal line pointing right: "in" is below it (cross(B-A, P-A) > 0 with y down)
    line = CountingLine("door", (0, 100), (200, 100))
    assert walk(line, 1, [(50, 80), (50, 120)]) == ["in"]
    assert walk(line, 2, [(60, 130), (60, 90)]) == ["out"]
    assert walk(line, 3, [(300, 80), (300, 120)]) == []  # beside the segment, not through it
    assert walk(line, 4, [(40, 90), (40, 100), (40, 100), (40, 110)]) == ["in"]  # via a point on the line: once
    assert walk(line, 5, [(20, 90), (20, 110), (20, 90), (20, 110)]) == ["in", "out", "in"]
    assert walk(line, 6, [(10, 50), (150, 60)]) == []  # parallel
    assert (line.in_count, line.out_count) == (4, 2)
    with pytest.raises(ValueError, match="'flat'"):
        CountingLine("flat", (5, 5), (5, 5))


def test_zone_inertia_and_dwell() -> None:
    zone = ZoneSpec("wait", ZoneKind.WAITING, ((0, 0), (100, 0), (100, 100), (0, 100)))
    occ = ZoneOccupancy([zone], enter_frames=3, leave_frames=2)
    inside, outside = person(7, 50, 50), person(7, 150, 50)
    assert [occ.update(d, t)["wait"] for t, d in enumerate([inside, inside, inside, inside])] == [0, 0, 1, 1]
    assert occ.dwell_s("wait") == {7: 3.0}  # since the first frame of the entering streak, t=0
    assert occ.update(outside, 4)["wait"] == 1  # one frame outside: still counted
    assert occ.update(Detections.empty(), 5)["wait"] == 0  # second frame away: gone
    assert occ.dwell_summary("wait") == (0, 0.0, 0.0)
    with pytest.raises(ValueError, match="'bad'"):
        ZoneOccupancy([ZoneSpec("bad", ZoneKind.WAITING, ((0, 0), (1, 1)))])


def gt_frames(folder: Path) -> dict[int, Detections]:
    rows = defaultdict(list)
    with (folder / "tracks.csv").open() as f:
        for r in csv.DictReader(f):
            x, y, w, h = (float(r[k]) for k in "xywh")
            rows[int(r["frame"])].append((x, y, x + w, y + h, int(r["track_id"])))
    return {f: Detections(np.array([r[:4] for r in rs]), np.ones(len(rs)), np.array([r[4] for r in rs]))
            for f, rs in rows.items()}


@pytest.mark.parametrize("name", ["pets09-s2l1", "tud-stadtmitte", "tud-campus"])
def test_ground_truth_tracks_reproduce_the_line_totals(shared: Path, name: str) -> None:
    folder = shared / "datasets" / name
    truth = json.loads((folder / "truth.json").read_text())
    lines = [CountingLine(n, *spec["points"]) for n, spec in truth["lines"].items()]
    frames = gt_frames(folder)
    for f in sorted(frames):
        for line in lines:
            line.update(frames[f])
    for line in lines:
        spec = truth["lines"][line.name]
        assert (line.in_count, line.out_count) == (spec["in"], spec["out"]), line.name


def test_ground_truth_tracks_reproduce_the_zone_counts(shared: Path) -> None:
    folder = shared / "datasets" / "pets09-s2l1"
    truth = json.loads((folder / "truth.json").read_text())
    polygon = tuple(tuple(p) for p in truth["zones"]["plaza"]["polygon"])
    occ = ZoneOccupancy([ZoneSpec("plaza", ZoneKind.WAITING, polygon)], enter_frames=1, leave_frames=1)
    with (folder / "zone_plaza.csv").open() as f:
        expected = {int(r["frame"]): int(r["count"]) for r in csv.DictReader(f)}
    frames = gt_frames(folder)
    for f in range(max(expected) + 1):
        assert occ.update(frames.get(f, Detections.empty()), f / 7)["plaza"] == expected.get(f, 0), f
