"""Counting lines: hand-computed crossings, and the ground-truth totals of the evaluation footage reproduced exactly."""

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
from camera.lines import CountingLine, Crossing


def person(track_id: int, x: float, y: float) -> Detections:
    """A 20 x 40 box whose bottom centre (anchor) is (x, y)."""
    return Detections(np.array([[x - 10, y - 40, x + 10, y]]), np.array([0.9]), np.array([track_id]))


def walk(line: CountingLine, track_id: int, points: list[tuple[float, float]]) -> list[str]:
    return [c.direction for p in points for c in line.update(person(track_id, *p))]


def test_vertical_line_both_ways() -> None:
    # A=(100, 0) → B=(100, 200): cross(B−A, P−A) = 0·(y − 0) − 200·(x − 100) > 0 for x < 100: "in" is left
    line = CountingLine("door", (100, 0), (100, 200))
    assert walk(line, 1, [(130, 50), (110, 50), (90, 55)]) == ["in"]
    assert walk(line, 2, [(60, 150), (140, 150)]) == ["out"]
    assert (line.in_count, line.out_count) == (1, 1)
    # the same walk against the line drawn the other way round swaps in and out
    reverse = CountingLine("door", (100, 200), (100, 0))
    assert walk(reverse, 1, [(130, 50), (90, 55)]) == ["out"]


def test_horizontal_line_both_ways_and_the_crossing_record() -> None:
    # A=(0, 100) → B=(200, 100): cross = 200·(y − 100) > 0 below the line (y down)
    line = CountingLine("counter", (0, 100), (200, 100))
    assert line.update(person(5, 50, 80)) == []
    assert line.update(person(5, 52, 120)) == [Crossing(5, "in")]
    assert line.update(person(5, 52, 90)) == [Crossing(5, "out")]
    assert (line.in_count, line.out_count) == (1, 1)


def test_touching_standing_on_and_passing_through_the_line() -> None:
    line = CountingLine("door", (0, 100), (200, 100))
    assert walk(line, 1, [(40, 90), (40, 100), (40, 90)]) == []  # touches and goes back
    assert walk(line, 2, [(40, 100), (41, 100), (40, 100)]) == []  # stands on the line
    assert walk(line, 3, [(40, 90), (40, 100), (42, 100), (40, 110)]) == ["in"]  # via the line: once, on leaving
    assert walk(line, 4, [(40, 100), (40, 110)]) == []  # first seen on the line: no side to come from
    assert walk(line, 5, [(40, 110), (250, 100), (260, 90)]) == []  # leaves the line beyond B
    assert (line.in_count, line.out_count) == (1, 0)


def test_parallel_motion_and_crossings_beyond_the_segment() -> None:
    line = CountingLine("door", (0, 100), (200, 100))
    assert walk(line, 1, [(10, 90), (100, 90), (190, 95)]) == []  # parallel, on one side
    assert walk(line, 2, [(250, 80), (250, 120)]) == []  # crosses the line's extension beyond B
    assert walk(line, 3, [(-30, 120), (-10, 80)]) == []  # ... and before A
    assert walk(line, 4, [(300, 80), (-100, 120)]) == ["in"]  # a long diagonal step through the segment
    assert walk(line, 5, [(190, 90), (210, 110)]) == ["in"]  # passes through the segment at (200, 100) = B
    assert walk(line, 6, [(190, 90), (230, 110)]) == []  # meets the line at x = 210, beyond B


def test_jitter_across_the_line_counts_every_crossing() -> None:
    line = CountingLine("door", (0, 100), (200, 100))
    assert walk(line, 1, [(20, 99), (20, 101), (21, 99), (20, 101), (20, 102)]) == ["in", "out", "in"]
    assert (line.in_count, line.out_count) == (2, 1)


def test_min_step_suppresses_jitter_but_not_slow_walking() -> None:
    line = CountingLine("door", (0, 100), (200, 100), min_step_px=3)
    assert walk(line, 1, [(20, 99), (20, 101), (21, 99), (20, 101), (20, 99)]) == []  # ±2 px: ignored
    assert walk(line, 2, [(50, 97 + k) for k in range(7)]) == ["in"]  # 1 px steps add up: 97 → 100 → 103
    assert (line.in_count, line.out_count) == (1, 0)


def test_band_ignores_jitter_near_the_line_and_counts_real_crossings() -> None:
    # boxes are 40 px high: a band of 0.15 × 40 = 6 px on either side of the line y = 100
    line = CountingLine("door", (0, 100), (200, 100), band_per_height=0.15)
    assert walk(line, 1, [(20, 90), (20, 99), (20, 104), (21, 98), (20, 105), (20, 95)]) == []  # never beyond 6 px
    assert walk(line, 1, [(20, 103), (20, 107)]) == ["in"]  # from 95 (clearly out) to 107 (clearly in)
    assert walk(line, 1, [(20, 101), (20, 99), (20, 93)]) == ["out"]
    # the segment test uses the step from the last position clearly on the old side: (20, 93) → (260, 110)
    # meets the line at x = 20 + 240 × 7/17 ≈ 119, inside the segment
    assert walk(line, 1, [(140, 97), (260, 110)]) == ["in"]
    # starting inside the band, a track has no side yet: leaving it counts nothing
    assert walk(line, 2, [(50, 102), (50, 120)]) == []
    with pytest.raises(ValueError, match="band_per_height"):
        CountingLine("door", (0, 100), (200, 100), band_per_height=-0.1)


def test_absent_track_keeps_its_position_until_forgotten() -> None:
    line = CountingLine("door", (0, 100), (200, 100), forget_after_updates=3)
    assert walk(line, 1, [(50, 90)]) == []
    line.update(Detections.empty())  # missed twice, reappears on the other side: one crossing
    line.update(Detections.empty())
    assert walk(line, 1, [(50, 110)]) == ["in"]
    for _ in range(3):  # absent for 3 updates: forgotten, so the next sighting starts afresh
        line.update(Detections.empty())
    assert 1 not in line.tracked_ids
    assert walk(line, 1, [(50, 90)]) == []
    walk(line, 2, [(60, 90)])
    line.forget([2])  # the tracker says only 2 is alive
    assert line.tracked_ids == {2}
    assert walk(line, 1, [(50, 110)]) == []


def test_several_tracks_in_one_update_and_untracked_boxes() -> None:
    line = CountingLine("door", (0, 100), (200, 100))
    both = Detections(np.array([[0, 50, 20, 90], [100, 70, 120, 110], [5, 5, 15, 15]]), np.ones(3),
                      np.array([1, 2, -1]))
    line.update(both)
    swapped = Detections(np.array([[0, 80, 20, 120], [100, 40, 120, 80], [5, 95, 15, 105]]), np.ones(3),
                         np.array([1, 2, -1]))
    assert line.update(swapped) == [Crossing(1, "in"), Crossing(2, "out")]
    line.reset()
    assert (line.in_count, line.out_count, line.tracked_ids) == (0, 0, frozenset())


def test_invalid_lines_are_named() -> None:
    with pytest.raises(ValueError, match="'flat'"):
        CountingLine("flat", (5, 5), (5, 5))
    with pytest.raises(ValueError, match="'odd'"):
        CountingLine("odd", (5, 5, 5), (6, 6))
    with pytest.raises(ValueError, match="'neg'"):
        CountingLine("neg", (0, 0), (1, 1), min_step_px=-1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), min_size=2, max_size=30))
def test_net_count_is_the_change_of_side(steps: list[tuple[int, int]]) -> None:
    """With a segment longer than any path, in − out is fixed by where the path starts and ends: +1 if it goes from
    the out side to the in side, −1 the other way, 0 otherwise. Points at half-pixels never sit on the line."""
    line = CountingLine("long", (-1000, 0.0), (1000, 0.0))  # "in" below (y > 0)
    points = [(x + 0.5, y + 0.5) for x, y in steps]
    walk(line, 1, points)
    start_in, end_in = points[0][1] > 0, points[-1][1] > 0
    assert line.in_count - line.out_count == int(end_in) - int(start_in)
    assert line.in_count + line.out_count == sum((a[1] > 0) != (b[1] > 0) for a, b in zip(points, points[1:]))


def gt_frames(folder: Path) -> dict[int, Detections]:
    """Ground-truth boxes of tracks.csv per frame, with their annotated ids."""
    rows: dict[int, list[tuple[float, float, float, float, int]]] = defaultdict(list)
    with (folder / "tracks.csv").open() as f:
        for r in csv.DictReader(f):
            x, y, w, h = (float(r[k]) for k in "xywh")
            rows[int(r["frame"])].append((x, y, x + w, y + h, int(r["track_id"])))
    return {fr: Detections(np.array([r[:4] for r in rs]), np.ones(len(rs)), np.array([r[4] for r in rs]))
            for fr, rs in rows.items()}


@pytest.mark.parametrize("dataset", ["pets09-s2l1", "tud-stadtmitte", "tud-campus"])
def test_ground_truth_tracks_reproduce_truth_json(shared: Path, dataset: str) -> None:
    folder = shared / "datasets" / dataset
    truth = json.loads((folder / "truth.json").read_text())
    lines = [CountingLine(name, *spec["points"]) for name, spec in truth["lines"].items()]
    frames = gt_frames(folder)
    for fr in range(max(frames) + 1):
        for line in lines:
            line.update(frames.get(fr, Detections.empty()))
    for line in lines:
        spec = truth["lines"][line.name]
        assert (line.in_count, line.out_count) == (spec["in"], spec["out"]), line.name
    assert {line.name for line in lines} >= ({"walkway", "path"} if dataset == "pets09-s2l1" else {"mid"})
