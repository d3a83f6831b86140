"""How well the tracker keeps identities and the counting lines count, on ground-truth boxes made imperfect.

    .venv/bin/python benchmarks/tracking.py [--dataset pets09-s2l1] [--drop-rate 0.2] [--jitter 0.03] ... [--quick]

Feeds the annotated boxes of ../shared/datasets/<dataset>/tracks.csv, frame by frame at the video's fps, through
``ByteTracker`` and the counting lines of truth.json. Without scenario options it runs a few scenarios (clean boxes;
20 % of detections dropped; every 3rd dropped plus jitter; weak detections; detector on every 2nd frame). Per
scenario: predicted vs true in/out per line; id switches — for each ground-truth person, the number of times the
tracker id matched to them (IoU ≥ 0.5, Hungarian per frame) changes over their life, skipping frames where none
is matched (the MOT way, approximately); tracker ids per person; the fraction of ground-truth boxes matched;
tracker milliseconds per frame. Random choices (drops, jitter, weak confidences) are seeded.

--quick runs the first two scenarios only (clean boxes; 20 % dropped). Without the dataset's ground truth the script
says what is missing and exits with status 77.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from camera.detections import Detections  # noqa: E402
from camera.lines import CountingLine  # noqa: E402
from camera.tracker import ByteTracker, match_by_iou  # noqa: E402

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
FPS = {"pets09-s2l1": 7.0, "tud-stadtmitte": 25.0, "tud-campus": 25.0}
#: Exit status when the dataset is missing (the run is skipped, not failed).
MISSING = 77


@dataclass(frozen=True)
class Scenario:
    name: str
    drop_rate: float = 0.0  # probability a detection is missing
    drop_every: int = 0  # each person's detection missing on every k-th frame (staggered by id); 0 = none
    jitter: float = 0.0  # std of noise on each box coordinate, as a fraction of the box height
    weak_rate: float = 0.0  # probability a detection gets confidence 0.3 (second association stage only)
    detect_every: int = 1  # detector on every n-th frame, tracker.predict in between
    seed: int = 0


DEFAULT_SCENARIOS = (
    Scenario("clean"),
    Scenario("drop 20%", drop_rate=0.2),
    Scenario("drop every 3rd + jitter 3%", drop_every=3, jitter=0.03),
    Scenario("weak 30% + jitter 3%", weak_rate=0.3, jitter=0.03),
    Scenario("detect every 2nd, drop 10%", detect_every=2, drop_rate=0.1),
)


@dataclass(frozen=True)
class Result:
    lines: dict[str, tuple[tuple[int, int], tuple[int, int]]]  # name → ((in, out) predicted, (in, out) true)
    id_switches: int
    ids_per_person: float
    people: int
    coverage: float
    ms_per_frame: float
    frames: int


def load_ground_truth(folder: Path) -> tuple[int, dict[int, np.ndarray], dict[int, np.ndarray]]:
    """(frame count, frame → xyxy (N, 4), frame → GT ids (N,)) from tracks.csv."""
    boxes: dict[int, list[list[float]]] = defaultdict(list)
    ids: dict[int, list[int]] = defaultdict(list)
    with (folder / "tracks.csv").open() as f:
        for row in csv.DictReader(f):
            x, y, w, h = (float(row[k]) for k in "xywh")
            boxes[int(row["frame"])].append([x, y, x + w, y + h])
            ids[int(row["frame"])].append(int(row["track_id"]))
    n = max(boxes) + 1
    return (n, {f: np.array(b, dtype=np.float64) for f, b in boxes.items()},
            {f: np.array(i, dtype=np.int64) for f, i in ids.items()})


def run(dataset: str, scenario: Scenario, *, min_step_px: float = 0.0, **tracker_kwargs: float) -> Result:
    folder = DATASETS / dataset
    truth = json.loads((folder / "truth.json").read_text())
    fps = FPS.get(dataset, 25.0)
    n_frames, gt_boxes, gt_ids = load_ground_truth(folder)
    rng = np.random.default_rng(scenario.seed)
    tracker = ByteTracker(**tracker_kwargs)  # type: ignore[arg-type]
    lines = [CountingLine(name, *spec["points"], min_step_px=min_step_px) for name, spec in truth["lines"].items()]
    assigned: dict[int, list[int]] = defaultdict(list)  # GT id → tracker id matched, per frame it is matched
    matched_boxes = total_boxes = 0
    tracker_s = 0.0
    for frame in range(n_frames):
        t_s = frame / fps
        boxes = gt_boxes.get(frame, np.zeros((0, 4)))
        ids = gt_ids.get(frame, np.zeros(0, dtype=np.int64))
        if frame % scenario.detect_every == 0:
            keep = np.ones(len(boxes), dtype=bool)
            if scenario.drop_rate > 0:
                keep &= rng.random(len(boxes)) >= scenario.drop_rate
            if scenario.drop_every > 0:
                keep &= (frame + ids) % scenario.drop_every != 0
            det = boxes.copy()
            if scenario.jitter > 0:
                det += rng.normal(size=det.shape) * scenario.jitter * (det[:, 3:4] - det[:, 1:2])
            conf = np.where(rng.random(len(det)) < scenario.weak_rate, 0.3, 0.9)
            detections = Detections(det[keep], conf[keep])
            t0 = time.perf_counter()
            tracks = tracker.update(detections, t_s)
        else:
            t0 = time.perf_counter()
            tracks = tracker.predict(t_s)
        tracker_s += time.perf_counter() - t0
        for line in lines:
            line.update(tracks)
        pairs, _, _ = match_by_iou(boxes, tracks.xyxy, 0.5)
        for gi, ti in pairs:
            assigned[int(ids[gi])].append(int(tracks.track_ids[ti]))
        matched_boxes += len(pairs)
        total_boxes += len(boxes)
    people = sorted({int(i) for arr in gt_ids.values() for i in arr})
    switches = sum(sum(1 for a, b in zip(seq, seq[1:]) if a != b) for seq in assigned.values())
    ids_per_person = [max(len(set(assigned.get(g, []))), 1) for g in people]
    return Result(
        lines={ln.name: ((ln.in_count, ln.out_count), (truth["lines"][ln.name]["in"], truth["lines"][ln.name]["out"]))
               for ln in lines},
        id_switches=switches,
        ids_per_person=float(np.mean(ids_per_person)),
        people=len(people),
        coverage=matched_boxes / max(total_boxes, 1),
        ms_per_frame=1000 * tracker_s / n_frames,
        frames=n_frames,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dataset", default="pets09-s2l1", help="folder in ../shared/datasets")
    parser.add_argument("--drop-rate", type=float, default=0.0, help="probability a detection is missing")
    parser.add_argument("--drop-every", type=int, default=0, help="each person missed every k-th frame (0: none)")
    parser.add_argument("--jitter", type=float, default=0.0, help="box noise std as a fraction of box height")
    parser.add_argument("--weak-rate", type=float, default=0.0, help="fraction of detections with confidence 0.3")
    parser.add_argument("--detect-every", type=int, default=1, help="detector on every n-th frame")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-step-px", type=float, default=0.0, help="CountingLine min_step_px")
    parser.add_argument("--min-hits", type=int, default=2)
    parser.add_argument("--max-missed-s", type=float, default=1.0)
    parser.add_argument("--match-iou", type=float, default=0.3)
    parser.add_argument("--quick", action="store_true", help="a short run: the first two default scenarios")
    args = parser.parse_args(argv)
    missing = [str(p) for p in (DATASETS / args.dataset / n for n in ("tracks.csv", "truth.json")) if not p.is_file()]
    if missing:
        print(f"skipped: dataset not found: {', '.join(missing)} (see ../shared/datasets/README.md)",
              file=sys.stderr)
        return MISSING
    if args.detect_every < 1 or args.drop_every < 0:
        print("error: --detect-every must be ≥ 1 and --drop-every ≥ 0", file=sys.stderr)
        return 2
    custom = Scenario("custom", args.drop_rate, args.drop_every, args.jitter, args.weak_rate, args.detect_every)
    if custom == Scenario("custom"):
        scenarios = DEFAULT_SCENARIOS[:2] if args.quick else DEFAULT_SCENARIOS
    else:
        scenarios = (custom,)
    kwargs = {"min_hits": args.min_hits, "max_missed_s": args.max_missed_s, "match_iou": args.match_iou}
    print(f"{args.dataset}: ByteTracker({', '.join(f'{k}={v}' for k, v in kwargs.items())}), "
          f"CountingLine(min_step_px={args.min_step_px}), seed {args.seed}")
    for scenario in scenarios:
        r = run(args.dataset, replace(scenario, seed=args.seed), min_step_px=args.min_step_px, **kwargs)
        line_text = "  ".join(f"{name} in {p[0]}/{t[0]} out {p[1]}/{t[1]}" for name, (p, t) in r.lines.items())
        print(f"- {scenario.name:28s} {line_text}  (predicted/true)")
        print(f"  {'':28s} id switches {r.id_switches}, tracker ids per person {r.ids_per_person:.2f} "
              f"({r.people} people), GT boxes matched {r.coverage:.1%}, tracker {r.ms_per_frame:.2f} ms/frame "
              f"over {r.frames} frames")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
