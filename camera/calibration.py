"""Per-camera count calibration for crowded scenes, where detectors undercount (occlusion, small heads).

The user labels a handful of frames with their true counts; the console fits a small linear model from features
of each frame to the count, and from then on the camera's count is the model's prediction.

Features (all measured inside the camera's region of interest), chosen because each one grows with the number of
people in a way that does not saturate like detections do:
- ``tracked``: people the pipeline counts (confirmed and coasting tracks) — the uncalibrated count;
- ``detected``: raw detections above a low confidence (0.1), which keeps counting partly hidden people;
- ``confidence``: the sum of those detections' confidences;
- the scene features of ``camera.scene_features``: foreground against a static background (the median of the
  frames kept while calibrating, stored with the model) and edges, in four horizontal bands.

The model is ridge regression on standardised features, its penalty chosen by cross-validation: five contiguous
blocks of the labelled frames in the order they were taken (each block predicted by the model fitted on the others;
leave-one-out below 10 frames). Blocks, not leave-one-out, because neighbouring frames of a video are nearly the
same picture: leave-one-out then rewards a model that remembers its neighbours, and chose penalties 100 times too
weak on the shared mall footage (test MAE 2.74 against 2.12). Predictions are clipped at 0. The model's
cross-validated error is compared with two baselines validated the same way (the mean count, and the uncalibrated
count scaled by one factor); a fitted model that does not beat the better one is not applied: that rule is kept
instead (``CountModel.kind``), so a calibrated camera never counts worse than the simplest rule.
"""

from __future__ import annotations

import json
import logging
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import cached_property, lru_cache

import numpy as np

from camera.detections import Detections
from camera.scene_features import (
    SCENE_FEATURES,
    SceneGeometry,
    decode_background,
    encode_background,
    median_background,
)
from camera.zones import points_in_polygon

log = logging.getLogger(__name__)

DETECTION_FEATURES = ("tracked", "detected", "confidence")
FEATURES = DETECTION_FEATURES + SCENE_FEATURES

#: Ridge penalties tried by cross-validation (on standardised features).
LAMBDAS = (1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
#: contiguous cross-validation blocks, and the fewest labelled frames they are used from (leave-one-out below)
FOLDS, FOLDS_FROM = 5, 10


@dataclass(frozen=True)
class CalibrationFrame:
    """A frame kept for the user to label: its preview, the detection features (``DETECTION_FEATURES``), the grey
    working picture the scene features are measured on (``camera.scene_features.scene_gray``) and the uncalibrated
    count."""

    preview: np.ndarray
    preview_scale: float
    features: np.ndarray
    raw_count: int
    captured_at: datetime
    scene: np.ndarray | None = None
    scene_scale: float = 1.0


def detection_features(tracked: Detections, detections: Detections,
                       roi: Sequence[tuple[float, float]] | None) -> np.ndarray:
    """The ``DETECTION_FEATURES`` of one frame: the people counted in it (``tracked``) and the detector's raw output,
    inside ``roi`` (frame pixels; None for the whole frame)."""
    def inside(found: Detections) -> np.ndarray:
        if roi is None or len(found) == 0:
            return np.ones(len(found), dtype=bool)
        return points_in_polygon(found.anchors_xy, roi)

    low = detections.filter(detections.confidence >= 0.1)
    in_roi = inside(low)
    return np.array([float(inside(tracked).sum()), float(in_roi.sum()), float(low.confidence[in_roi].sum())],
                    dtype=np.float64)


@dataclass(frozen=True)
class CountModel:
    """count ≈ intercept + Σ coef_i · (feature_i − mean_i) / scale_i, clipped at 0."""

    intercept: float
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    ridge_lambda: float
    frames: int
    mae_before: float  # frame-count MAE of the uncalibrated count on the labelled frames
    mae_after: float  # leave-one-out MAE of the model on the labelled frames
    #: leave-one-out MAE of the better of two baselines — the labelled frames' mean count, and the uncalibrated
    #: count times one factor — and which one it was ("mean" or "scaled"); None in a model stored before they were
    baseline_mae: float | None = None
    baseline: str = ""
    #: what predicts: "ridge" (the fitted model), or the baseline rule that counted better ("mean", "scaled")
    kind: str = "ridge"
    #: leave-one-out MAE of the fitted ridge model (``mae_after`` is that of the model kept)
    fit_mae: float | None = None
    #: the detector's tiling (columns, rows) the features were measured with: a live camera with this calibration
    #: runs its detector the same way, so what ``evaluate`` measured is what the camera does
    tiles: tuple[int, int] = (1, 1)
    #: the error band shown with the count ("32 ± 2"): 80 % of the labelled frames, each predicted by the model
    #: kept fitted without it, were within this many people (None in a model stored before bands were)
    band: float | None = None
    #: the static background the scene features are measured against (``camera.scene_features``, PNG in base64),
    #: the region of interest they were measured in (frame pixels) and the working picture's scale; a model without
    #: a background was stored by an earlier version, whose features a live camera no longer measures
    background: str = ""
    roi: tuple[tuple[float, float], ...] | None = None
    scene_scale: float = 1.0
    #: how ``mae_after`` was cross-validated: "blocks" (five contiguous blocks) or "leave-one-out"
    validation: str = "leave-one-out"

    @cached_property
    def _scene(self) -> tuple[SceneGeometry, np.ndarray]:
        background = decode_background(self.background)
        h, w = background.shape
        return SceneGeometry.build((w, h), self.scene_scale, self.roi), background

    def feature_row(self, detection: np.ndarray, scene: np.ndarray) -> np.ndarray:
        """All ``FEATURES`` of one frame: its detection features and those of its grey working picture."""
        geometry, background = self._scene
        return np.concatenate([np.asarray(detection, dtype=np.float64), geometry.features(scene, background)])

    def drift(self, features: np.ndarray) -> float:
        """How far one frame's features lie outside the labelled frames': the largest |z| of a feature against the
        calibration frames' mean and spread (a frame like them scores about 1; lighting changed or the camera moved
        scores far more, in the foreground and edge shares above all)."""
        z = (np.asarray(features, dtype=np.float64) - np.array(self.mean)) / np.array(self.scale)
        return float(np.max(np.abs(z)))

    def band_people(self) -> int:
        """The band as whole people, at least 1 (a count is never exact in a crowd)."""
        return max(1, math.ceil((self.band if self.band is not None else self.mae_after) - 1e-9))

    @property
    def beats_baseline(self) -> bool:
        """The fitted model predicts the labelled frames better than the better baseline; when it does not, the
        baseline rule is kept instead (``kind``), so a camera never counts worse than the simplest rule."""
        return self.kind == "ridge"

    def predict(self, features: np.ndarray) -> np.ndarray:
        x = (np.atleast_2d(features) - np.array(self.mean)) / np.array(self.scale)
        return np.maximum(self.intercept + x @ np.array(self.coef), 0.0)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CountModel:
        data = json.loads(text)
        roi = data.get("roi")
        return cls(**{**data, "coef": tuple(data["coef"]), "mean": tuple(data["mean"]), "scale": tuple(data["scale"]),
                      "tiles": tuple(data.get("tiles", (1, 1))),
                      "roi": tuple(tuple(p) for p in roi) if roi else None})


@lru_cache(maxsize=64)
def load_calibration(text: str | None) -> CountModel | None:
    """The stored calibration a camera applies: None without one, and None (logged) for one stored by an earlier
    version without a scene background — its features are no longer measured, so the camera counts uncalibrated
    until it is calibrated again (the console then says its count may be low in crowds). Parsed once per stored
    text (models are immutable): the window asks with every camera snapshot, 5 a second per camera."""
    if not text:
        return None
    model = CountModel.from_json(text)
    if not model.background:
        log.warning("a camera's calibration was stored by an earlier version and is not applied: calibrate it again")
        return None
    return model


class CalibrationError(ValueError):
    pass


def _folds(n: int) -> list[np.ndarray]:
    """Cross-validation blocks of ``n`` frames in the order taken: ``FOLDS`` contiguous ones from ``FOLDS_FROM``
    frames, one frame each below."""
    if n < FOLDS_FROM:
        return [np.array([i]) for i in range(n)]
    return [block for block in np.array_split(np.arange(n), FOLDS) if len(block)]


def _ridge(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Ridge fit with intercept on standardised x: (intercept, coefficients...)."""
    design = np.hstack([np.ones((len(x), 1)), x])
    penalty = lam * np.eye(design.shape[1])
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    return np.linalg.pinv(design.T @ design + penalty) @ design.T @ y


def _ridge_residuals(x: np.ndarray, y: np.ndarray, lam: float, folds: list[np.ndarray]) -> np.ndarray:
    """Cross-validated residuals (true − predicted, predictions clipped at 0 as the camera clips them)."""
    residuals = np.empty(len(y))
    for block in folds:
        rest = np.setdiff1d(np.arange(len(y)), block)
        beta = _ridge(x[rest], y[rest], lam)
        residuals[block] = y[block] - np.maximum(beta[0] + x[block] @ beta[1:], 0.0)
    return residuals


def fit_count_model(features: np.ndarray, counts: np.ndarray, tiles: tuple[int, int] = (1, 1)) -> CountModel:
    """Fit the count model to labelled frames in the order they were taken (features (n, k) whose first column is
    the uncalibrated count, true counts (n,), measured with the detector tiled ``tiles``); needs at least 4 frames."""
    features = np.asarray(features, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    if features.ndim != 2 or len(features) != len(counts):
        raise CalibrationError(f"{len(counts)} counts for {len(features)} frames")
    if len(counts) < 4:
        raise CalibrationError(f"calibration needs at least 4 labelled frames, got {len(counts)}")
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = (features - mean) / scale
    folds = _folds(len(counts))
    best: tuple[float, float, np.ndarray] | None = None
    for lam in LAMBDAS:
        found = _ridge_residuals(x, counts, lam, folds)
        mae = float(np.mean(np.abs(found)))
        if best is None or mae < best[1] - 1e-12:
            best = (lam, mae, found)
    assert best is not None
    lam, cv_mae, residuals = best
    beta = _ridge(x, counts, lam)
    intercept, coef = float(beta[0]), beta[1:]
    before = float(np.mean(np.abs(features[:, 0] - counts)))
    rules = baseline_residuals(features[:, 0], counts)
    baselines = {name: float(np.mean(np.abs(r))) for name, r in rules.items()}
    baseline = min(baselines, key=lambda name: baselines[name])
    kind, mae_after = "ridge", cv_mae
    if cv_mae >= baselines[baseline]:  # the rule counts better: it is what the camera uses
        kind, mae_after, residuals = baseline, baselines[baseline], rules[baseline]
        coef = np.zeros(len(scale))
        if baseline == "mean":
            intercept = float(counts.mean())
        else:  # count = k · raw, written on the standardised raw count
            k = float(features[:, 0] @ counts) / max(float(features[:, 0] @ features[:, 0]), 1e-12)
            intercept, coef[0] = k * float(mean[0]), k * float(scale[0])
    return CountModel(
        intercept=intercept,
        coef=tuple(float(c) for c in coef),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        ridge_lambda=lam,
        frames=len(counts),
        mae_before=before,
        mae_after=mae_after,
        baseline_mae=baselines[baseline],
        baseline=baseline,
        kind=kind,
        fit_mae=cv_mae,
        tiles=(int(tiles[0]), int(tiles[1])),
        band=float(np.quantile(np.abs(residuals), 0.8)),
        validation="blocks" if len(folds) < len(counts) else "leave-one-out",
    )


def calibrate(detection: np.ndarray, scenes: Sequence[np.ndarray], counts: np.ndarray, *,
              roi: Sequence[tuple[float, float]] | None, scene_scale: float, tiles: tuple[int, int] = (1, 1),
              background_from: Sequence[np.ndarray] | None = None) -> CountModel:
    """The count model of labelled frames in the order taken: their detection features (n, 3), grey working
    pictures and true counts. The static background is the median of ``background_from`` (every frame kept while
    calibrating, labelled or not; the labelled ones when None); the model stores it with the region of interest
    (frame pixels) and the pictures' scale, so a live camera measures the same features."""
    if len(scenes) != len(counts):
        raise CalibrationError(f"{len(counts)} counts for {len(scenes)} frames")
    pictures = list(background_from) if background_from else list(scenes)
    if any(p.shape != scenes[0].shape for p in [*pictures, *scenes]):
        raise CalibrationError("the calibration frames differ in size: the camera's picture size changed")
    background = median_background(pictures)
    h, w = background.shape
    geometry = SceneGeometry.build((w, h), scene_scale, roi)
    scene = np.array([geometry.features(picture, background) for picture in scenes])
    model = fit_count_model(np.hstack([np.asarray(detection, dtype=np.float64).reshape(len(counts), -1), scene]),
                            counts, tiles=tiles)
    return replace(model, background=encode_background(background),
                   roi=tuple((float(x), float(y)) for x, y in roi) if roi else None, scene_scale=float(scene_scale))


def baseline_residuals(raw: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Cross-validated residuals (true − predicted) of the two rules a fitted model must beat, on labelled frames
    in the order taken (``raw``: the uncalibrated count of each frame, ``counts``: the true ones), with the model's
    blocks: ``mean`` predicts a block's frames as the mean count of the other blocks; ``scaled`` predicts the raw
    count times the factor k = Σ raw·count / Σ raw² fitted on the other blocks."""
    raw = np.asarray(raw, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    mean, scaled = np.empty(len(counts)), np.empty(len(counts))
    for block in _folds(len(counts)):
        rest = np.setdiff1d(np.arange(len(counts)), block)
        square = float(raw[rest] @ raw[rest])
        factor = float(raw[rest] @ counts[rest]) / square if square > 1e-12 else 0.0
        mean[block] = counts[block] - counts[rest].mean()
        scaled[block] = counts[block] - np.maximum(factor * raw[block], 0.0)
    return {"mean": mean, "scaled": scaled}


def baseline_errors(raw: np.ndarray, counts: np.ndarray) -> dict[str, float]:
    """The cross-validated MAE of each baseline rule (``baseline_residuals``)."""
    return {name: float(np.mean(np.abs(r))) for name, r in baseline_residuals(raw, counts).items()}


def rmse(errors: np.ndarray) -> float:
    return math.sqrt(float(np.mean(np.square(errors)))) if len(errors) else float("nan")


def combined_band(models: Sequence[CountModel]) -> int:
    """The error band of a sum of cameras' counts (the lobby figure), in whole people: the cameras' errors taken as
    independent, so their bands add in quadrature; 0 for no calibrated camera."""
    if not models:
        return 0
    return max(1, math.ceil(math.sqrt(sum(m.band_people() ** 2 for m in models)) - 1e-9))


class DriftWatch:
    """Says when a camera's live pictures have drifted from its calibration's: the median of the last ``window``
    frames' drift (``CountModel.drift``) above ``limit``. The median over a window of frames, not one frame: a
    passing crowd or a door opening is not a changed scene. Decision: limit 4 spreads (the labelled frames span the
    day's quiet and busy moments, so live frames of the same scene stay within about 3)."""

    def __init__(self, model: CountModel, window: int = 120, limit: float = 4.0, minimum: int = 30) -> None:
        self.model, self.limit, self.minimum = model, limit, minimum
        self._recent: deque[float] = deque(maxlen=window)

    def observe(self, features: np.ndarray) -> None:
        self._recent.append(self.model.drift(features))

    @property
    def stale(self) -> bool:
        return len(self._recent) >= self.minimum and float(np.median(self._recent)) > self.limit
