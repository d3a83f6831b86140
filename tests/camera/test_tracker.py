"""The tracker keeps ids through motion and short misses, never reuses ids, and is deterministic."""

from __future__ import annotations

import numpy as np

from camera.detections import Detections
from camera.tracker import ByteTracker, iou_matrix


def box(x: float, y: float, conf: float = 0.9) -> tuple[list[float], float]:
    return [x, y, x + 30, y + 80], conf


def dets(*items: tuple[list[float], float]) -> Detections:
    if not items:
        return Detections.empty()
    return Detections(np.array([i[0] for i in items]), np.array([i[1] for i in items]))


def test_constant_motion_keeps_one_id_and_coasts_over_misses() -> None:
    tracker = ByteTracker(min_hits=2, max_missed_s=1.0, report_missed_s=0.5)
    ids = set()
    for frame in range(30):
        t = frame / 10
        if frame in (12, 13):  # missed twice
            out = tracker.update(dets(), t)
            assert len(out) == 1  # still reported while coasting
        else:
            out = tracker.update(dets(box(100 + 5 * frame, 200)), t)
        ids |= {int(i) for i in out.track_ids}
    assert ids == {1}


def test_two_people_crossing_keep_their_ids() -> None:
    tracker = ByteTracker(min_hits=1)
    seen: dict[int, list[float]] = {}
    for frame in range(20):
        a = box(100 + 10 * frame, 200)
        b = box(290 - 10 * frame, 260)  # passes below person a
        out = tracker.update(dets(a, b), frame / 10)
        for tid, xyxy in zip(out.track_ids, out.xyxy, strict=True):
            seen.setdefault(int(tid), []).append(float(xyxy[1]))
    assert len(seen) == 2
    assert all(max(ys) - min(ys) < 20 for ys in seen.values())  # no swap between the two rows


def test_low_confidence_detection_keeps_a_track() -> None:
    tracker = ByteTracker(min_hits=1, report_missed_s=0.0)
    for frame in range(5):
        tracker.update(dets(box(100, 100)), frame / 10)
    out = tracker.update(dets(box(101, 100, conf=0.2)), 0.5)  # partly hidden: weak detection
    assert list(out.track_ids) == [1]
    assert len(tracker.update(dets(box(500, 500, conf=0.2)), 0.6)) == 0  # weak detections never start tracks


def test_ids_are_not_reused_and_runs_are_deterministic() -> None:
    def run() -> list[list[int]]:
        tracker = ByteTracker(min_hits=1, max_missed_s=0.2)
        result = []
        for frame in range(12):
            items = [box(100, 100)] if frame < 4 or frame > 8 else []
            result.append([int(i) for i in tracker.update(dets(*items), frame / 10).track_ids])
        return result

    first = run()
    assert first[0] == [1] and first[-1] == [2]  # the person came back after the track ended: a new id
    assert run() == first


def test_iou_matrix() -> None:
    a = np.array([[0, 0, 10, 10]], float)
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]], float)
    assert np.allclose(iou_matrix(a, b), [[1.0, 50 / 150, 0.0]])
