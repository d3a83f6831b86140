"""``main.py evaluate``: run the live camera pipeline over a recorded dataset and compare with its ground truth.

Dataset layout (see ../shared/datasets/README.md): ``video.*`` or ``frames/``; ``counts.csv`` (frame,count);
optional ``roi.json`` ({"polygon": [[x, y], ...]}: only people whose anchor is inside count); optional
``truth.json`` with ``lines`` ({name: {points: [A, B], in, out}}) and ``zones`` ({name: {polygon, file}}).

Frames are processed in order through the same ``CameraPipeline`` a live camera uses. With ``--calibrate A:B[:S]``
the count model is fitted on frames A..B-1 (every S-th) and their true counts, and the evaluation uses the
calibrated count on ``--frames`` (default: every frame not used for calibration). No Qt imports.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from camera.calibration import CalibrationError, CountModel, rmse
from camera.calibration import calibrate as fit_calibration
from camera.detectors.base import Detector
from camera.pipeline import CameraPipeline, LineSpec, PipelineConfig
from camera.sources import SourceError, open_source
from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind

VIDEO_SUFFIXES = (".avi", ".mp4", ".mkv", ".mov", ".mjpg", ".mjpeg")


class DatasetError(Exception):
    """A dataset folder that cannot be evaluated; the message names the folder or file and the problem."""


@dataclass(frozen=True)
class RangeSpec:
    start: int
    stop: int
    step: int = 1

    def frames(self) -> range:
        return range(self.start, self.stop, self.step)


def parse_range(text: str, what: str, allow_step: bool) -> RangeSpec:
    """Parse "A:B" or "A:B:S" (frames A..B-1, every S-th)."""
    parts = text.split(":")
    try:
        if len(parts) == 2 or (allow_step and len(parts) == 3):
            values = [int(p) for p in parts]
        else:
            raise ValueError
    except ValueError:
        form = "A:B[:S]" if allow_step else "A:B"
        raise DatasetError(f"{what} {text!r}: expected {form} with whole numbers") from None
    start, stop = values[0], values[1]
    step = values[2] if len(values) == 3 else 1
    if start < 0 or stop <= start or step < 1:
        raise DatasetError(f"{what} {text!r}: need 0 <= A < B and S >= 1")
    return RangeSpec(start, stop, step)


@dataclass(frozen=True)
class Dataset:
    path: Path
    source: str  # a video file or a folder of frames
    counts: dict[int, int]
    roi: tuple[tuple[float, float], ...] | None
    lines: dict[str, tuple[tuple[float, float], tuple[float, float], int, int]]  # A, B, in, out
    zones: dict[str, tuple[tuple[tuple[float, float], ...], dict[int, int]]]  # polygon, counts per frame


def _read_counts(path: Path) -> dict[int, int]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or "frame" not in reader.fieldnames or "count" not in reader.fieldnames:
                raise DatasetError(f"{path}: expected the header 'frame,count', got {reader.fieldnames}")
            counts = {}
            for line, row in enumerate(reader, start=2):
                try:
                    counts[int(row["frame"])] = int(float(row["count"]))
                except (TypeError, ValueError):
                    raise DatasetError(f"{path} line {line}: frame and count must be numbers") from None
            return counts
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _points(value: object, where: str) -> tuple[tuple[float, float], ...]:
    try:
        points = tuple((float(x), float(y)) for x, y in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise DatasetError(f"{where}: expected a list of [x, y] points") from None
    return points


def load_dataset(folder: Path) -> Dataset:
    if not folder.is_dir():
        raise DatasetError(f"dataset folder {folder} does not exist or is not a folder")
    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES and p.stem == "video")
    frames_dir = folder / "frames"
    if videos:
        source = str(videos[0])
    elif frames_dir.is_dir():
        source = str(frames_dir)
    else:
        raise DatasetError(f"dataset folder {folder} has neither video.* nor frames/")
    counts_path = folder / "counts.csv"
    if not counts_path.exists():
        raise DatasetError(f"dataset folder {folder} has no counts.csv (the ground-truth count per frame)")
    counts = _read_counts(counts_path)
    roi = None
    roi_path = folder / "roi.json"
    if roi_path.exists():
        try:
            roi = _points(json.loads(roi_path.read_text(encoding="utf-8"))["polygon"], str(roi_path))
        except (json.JSONDecodeError, KeyError) as exc:
            raise DatasetError(f"{roi_path}: expected {{\"polygon\": [[x, y], ...]}} ({exc})") from None
        if len(roi) < 3:
            raise DatasetError(f"{roi_path}: the polygon needs at least 3 points, got {len(roi)}")
    lines: dict = {}
    zones: dict = {}
    truth_path = folder / "truth.json"
    if truth_path.exists():
        try:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{truth_path}: not valid JSON ({exc})") from None
        for name, spec in (truth.get("lines") or {}).items():
            a, b = _points(spec.get("points"), f"{truth_path} line {name}")[:2]
            lines[name] = (a, b, int(spec.get("in", 0)), int(spec.get("out", 0)))
        for name, spec in (truth.get("zones") or {}).items():
            polygon = _points(spec.get("polygon"), f"{truth_path} zone {name}")
            if len(polygon) < 3:
                raise DatasetError(f"{truth_path}: zone {name} needs at least 3 points, got {len(polygon)}")
            zone_file = folder / spec.get("file", f"zone_{name}.csv")
            zones[name] = (polygon, _read_counts(zone_file) if zone_file.exists() else {})
    return Dataset(path=folder, source=source, counts=counts, roi=roi, lines=lines, zones=zones)


@dataclass
class EvaluationResult:
    frames: int
    count_mae: float
    count_rmse: float
    fps: float
    zones: dict[str, float] = field(default_factory=dict)
    lines: dict[str, dict[str, int]] = field(default_factory=dict)
    calibration: CountModel | None = None
    mean_true: float = 0.0
    mean_predicted: float = 0.0
    #: with a calibration: each baseline fitted on the calibration frames, its MAE on the evaluated frames
    baseline_test_mae: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "frames": self.frames,
            "count_mae": self.count_mae,
            "count_rmse": self.count_rmse,
            "fps": self.fps,
            "zones": self.zones,
            "lines": self.lines,
        }
        if self.calibration is not None:
            data["calibration"] = {"frames": self.calibration.frames, "mae_before": self.calibration.mae_before,
                                   "mae_after_cv": self.calibration.mae_after,
                                   "validation": self.calibration.validation,
                                   "baseline_mae": self.calibration.baseline_mae,
                                   "baseline": self.calibration.baseline,
                                   "kind": self.calibration.kind, "fit_mae_cv": self.calibration.fit_mae}
            data["baseline_mae"] = self.calibration.baseline_mae
            data["baseline_test_mae"] = self.baseline_test_mae
        return data


Progress = Callable[[int, int], None]


def stderr_progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr (never stdout, which may carry JSON)."""
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} frames")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def evaluate(
    dataset: Dataset,
    detector: Detector,
    *,
    frames: RangeSpec | None = None,
    calibrate: RangeSpec | None = None,
    config: PipelineConfig | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Run the pipeline over the dataset and score it (see the module docstring)."""
    known = sorted(dataset.counts)
    if not known:
        raise DatasetError(f"{dataset.path / 'counts.csv'} has no rows")
    calib_frames = [f for f in calibrate.frames() if f in dataset.counts] if calibrate else []
    if calibrate is not None and len(calib_frames) < 4:
        raise DatasetError(f"--calibrate {calibrate.start}:{calibrate.stop}:{calibrate.step} selects "
                           f"{len(calib_frames)} frames with counts; at least 4 are needed")
    if frames is not None:
        eval_frames = [f for f in frames.frames() if f in dataset.counts]
    else:
        used = set(calib_frames)
        eval_frames = [f for f in known if f not in used]
    if not eval_frames:
        raise DatasetError("no frames to evaluate: check --frames against the frames in counts.csv")
    wanted = set(eval_frames) | set(calib_frames)
    first, last = min(wanted), max(wanted)

    base = config or PipelineConfig()
    zones = tuple(ZoneSpec(name=n, kind=ZoneKind.WAITING, polygon=p) for n, (p, _) in dataset.zones.items())
    lines = tuple(LineSpec(name=n, a=a, b=b) for n, (a, b, _, _) in dataset.lines.items())
    config = PipelineConfig(**{**base.__dict__, "zones": zones, "lines": lines, "roi": dataset.roi})
    try:
        source = open_source(dataset.source)
    except SourceError as exc:
        raise DatasetError(str(exc)) from None
    pipeline = CameraPipeline(detector, config, collect_features=calibrate is not None)
    raw: dict[int, float] = {}
    features: dict[int, np.ndarray] = {}
    scenes: dict[int, np.ndarray] = {}
    scene_scale = 1.0
    zone_pred: dict[str, dict[int, int]] = {n: {} for n in dataset.zones}
    total = last - first + 1
    started = time.perf_counter()
    processed = 0
    try:
        while True:
            frame = source.read()
            if frame is None or frame.index > last:
                break
            if frame.index < first:
                continue
            result = pipeline.process(frame)
            processed += 1
            if frame.index in wanted:
                raw[frame.index] = float(result.count)
                if result.features is not None and result.scene is not None:
                    features[frame.index] = result.features
                    scenes[frame.index] = result.scene
                    scene_scale = result.scene_scale
                for name in zone_pred:
                    zone_pred[name][frame.index] = result.zone_counts.get(name, 0)
            if progress is not None and (processed % 10 == 0 or frame.index == last):
                progress(processed, total)
    finally:
        source.close()
    elapsed = time.perf_counter() - started
    missing = [f for f in eval_frames if f not in raw]
    if missing:
        raise DatasetError(f"{dataset.source}: {len(missing)} frames listed in counts.csv are not in the footage "
                           f"(first: {missing[0]})")

    model = None
    predicted = np.array([raw[f] for f in eval_frames])
    if calibrate is not None:
        try:
            # the background from the labelled frames, as a live camera has only the frames it kept to label
            model = fit_calibration(np.array([features[f] for f in calib_frames]), [scenes[f] for f in calib_frames],
                              np.array([dataset.counts[f] for f in calib_frames]), roi=dataset.roi,
                              scene_scale=scene_scale, tiles=getattr(detector, "tiles", (1, 1)))
        except CalibrationError as exc:
            raise DatasetError(str(exc)) from None
        predicted = model.predict(np.array([model.feature_row(features[f], scenes[f]) for f in eval_frames]))
    truth = np.array([dataset.counts[f] for f in eval_frames], dtype=float)
    errors = predicted - truth
    baseline_test = {}
    if model is not None:  # the two rules a model must beat, fitted on the calibration frames, on the test frames
        calib_raw = np.array([features[f][0] for f in calib_frames])
        calib_truth = np.array([dataset.counts[f] for f in calib_frames], dtype=float)
        factor = float(calib_raw @ calib_truth) / max(float(calib_raw @ calib_raw), 1e-12)
        eval_raw = np.array([features[f][0] for f in eval_frames])
        baseline_test = {"mean": float(np.mean(np.abs(truth - calib_truth.mean()))),
                         "scaled": float(np.mean(np.abs(truth - factor * eval_raw)))}
    zone_mae = {}
    for name, (_, zone_truth) in dataset.zones.items():
        pairs = [(zone_pred[name][f], zone_truth[f]) for f in eval_frames if f in zone_truth]
        if pairs:
            zone_mae[name] = float(np.mean([abs(p - t) for p, t in pairs]))
    line_totals = {name: {"in": pipeline.line_totals[name][0], "out": pipeline.line_totals[name][1],
                          "in_truth": t_in, "out_truth": t_out}
                   for name, (_, _, t_in, t_out) in dataset.lines.items()}
    return EvaluationResult(
        frames=len(eval_frames),
        count_mae=float(np.mean(np.abs(errors))),
        count_rmse=rmse(errors),
        fps=processed / elapsed if elapsed > 0 else math.inf,
        zones=zone_mae,
        lines=line_totals,
        calibration=model,
        mean_true=float(truth.mean()),
        mean_predicted=float(predicted.mean()),
        baseline_test_mae=baseline_test,
    )
