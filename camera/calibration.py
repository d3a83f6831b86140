"""Per-camera count calibration for crowded scenes, where detectors undercount (occlusion, small heads).

The user labels a handful of frames with their true counts; the console fits a small linear model from scene
features of each frame to the count, and from then on the camera's count is the model's prediction.

Features (all measured inside the camera's region of interest), chosen because each one grows with the number of
people in a way that does not saturate like detections do:
- ``tracked``: people the pipeline counts (confirmed and coasting tracks);
- ``detected``: raw detections above a low confidence (0.1), which keeps counting partly hidden people;
- ``confidence``: the sum of those detections' confidences;
- ``foreground``: the share of the region that differs from the learned background (OpenCV MOG2), weighted by
  perspective so a distant person weighs as much as a near one;
- ``edges``: the share of edge pixels (Canny), perspective-weighted the same way; crowds are textured.

Perspective: a person's image height grows roughly linearly with the image row (ground plane seen from above at an
angle). ``PerspectiveMap`` fits that line from the detections' box heights and weights each pixel by
(h_ref / h(y))², the inverse of a person's area at that row, so area features count people, not pixels.

The model is ridge regression on standardised features with the penalty chosen by leave-one-out cross-validation
(closed form), which behaves with as few as ~10 labelled frames. Predictions are clipped at 0. Its leave-one-out
error is compared with two baselines on the same frames (the mean count, and the uncalibrated count scaled by one
factor); a fitted model that does not beat the better one is not applied: that rule is kept instead
(``CountModel.kind``), so a calibrated camera never counts worse than the simplest rule.
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

import cv2
import numpy as np

from camera.detections import Detections
from camera.zones import points_in_polygon

FEATURES = ("tracked", "detected", "confidence", "foreground", "edges")

#: Ridge penalties tried by leave-one-out cross-validation (on standardised features).
LAMBDAS = (1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


@dataclass(frozen=True)
class CalibrationFrame:
    """A frame kept for the user to label: its preview, the calibration features and the uncalibrated count."""

    preview: np.ndarray
    preview_scale: float
    features: np.ndarray
    raw_count: int
    captured_at: datetime


@dataclass
class PerspectiveMap:
    """Expected person height in pixels as a linear function of the row of their feet: h(y) = a + b·y."""

    a: float = 0.0
    b: float = 0.0
    samples: int = 0
    _heights: list[tuple[float, float]] = field(default_factory=list, repr=False)

    def observe(self, detections: Detections, min_confidence: float = 0.5) -> None:
        for (x1, y1, x2, y2), c in zip(detections.xyxy, detections.confidence, strict=True):
            if c >= min_confidence and y2 > y1:
                self._heights.append((float(y2), float(y2 - y1)))
        if len(self._heights) > 5000:
            self._heights = self._heights[-5000:]
        self.samples = len(self._heights)
        if self.samples >= 10:
            ys, hs = np.array(self._heights).T
            if np.ptp(ys) > 1:
                b, a = np.polyfit(ys, hs, 1)
                self.a, self.b = float(a), float(b)
            else:
                self.a, self.b = float(np.median(hs)), 0.0

    def weights(self, height: int) -> np.ndarray:
        """Per-row weights (height,) normalising a person's area to that at the image's middle row."""
        if self.samples < 10 or (self.a == 0 and self.b == 0):
            return np.ones(height, dtype=np.float32)
        rows = np.arange(height, dtype=np.float32)
        h = np.maximum(self.a + self.b * rows, 4.0)
        h_ref = max(self.a + self.b * height / 2, 4.0)
        return ((h_ref / h) ** 2).astype(np.float32)


class FeatureExtractor:
    """Computes the calibration features of consecutive frames of one camera (keeps the background model)."""

    def __init__(self, roi: Sequence[tuple[float, float]] | None, size_wh: tuple[int, int]) -> None:
        w, h = size_wh
        self.size_wh = size_wh
        mask = np.zeros((h, w), dtype=np.uint8)
        if roi:
            cv2.fillPoly(mask, [np.asarray(roi, dtype=np.int32)], 255)
        else:
            mask[:] = 255
        self.roi = [tuple(p) for p in roi] if roi else None
        self.mask = mask > 0
        self.perspective = PerspectiveMap()
        self._background = cv2.createBackgroundSubtractorMOG2(history=300, varThreshold=25, detectShadows=False)
        self._small = (max(1, w // 2), max(1, h // 2))

    def _in_roi(self, detections: Detections) -> np.ndarray:
        if self.roi is None or len(detections) == 0:
            return np.ones(len(detections), dtype=bool)
        return points_in_polygon(detections.anchors_xy, self.roi)

    def features(self, image_bgr: np.ndarray, tracked: Detections, detections: Detections) -> np.ndarray:
        """The feature vector (len(FEATURES),) of one frame."""
        self.perspective.observe(detections)
        gray = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
        small = cv2.resize(gray, self._small, interpolation=cv2.INTER_AREA)
        fg = self._background.apply(small)
        fg = cv2.resize(fg, self.size_wh, interpolation=cv2.INTER_NEAREST) > 0
        edges = cv2.Canny(gray, 60, 150) > 0
        row_w = self.perspective.weights(gray.shape[0])[:, None]
        weight = np.where(self.mask, row_w, 0.0)
        total = float(weight.sum()) or 1.0
        low = detections.filter(detections.confidence >= 0.1)
        in_roi = self._in_roi(low)
        return np.array(
            [
                float(self._in_roi(tracked).sum()),
                float(in_roi.sum()),
                float(low.confidence[in_roi].sum()),
                float((weight * fg).sum() / total),
                float((weight * edges).sum() / total),
            ],
            dtype=np.float64,
        )


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
        return cls(**{**data, "coef": tuple(data["coef"]), "mean": tuple(data["mean"]), "scale": tuple(data["scale"]),
                      "tiles": tuple(data.get("tiles", (1, 1)))})


class CalibrationError(ValueError):
    pass


def _ridge(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Ridge fit with intercept on standardised x; returns intercept, coefficients and LOO residuals."""
    n, k = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    penalty = lam * np.eye(k + 1)
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    gram_inv = np.linalg.pinv(design.T @ design + penalty)
    beta = gram_inv @ design.T @ y
    hat_diag = np.einsum("ij,jk,ik->i", design, gram_inv, design)
    residuals = (y - design @ beta) / np.maximum(1 - hat_diag, 1e-6)
    return float(beta[0]), beta[1:], residuals


def fit_count_model(features: np.ndarray, counts: np.ndarray, tiles: tuple[int, int] = (1, 1)) -> CountModel:
    """Fit the count model to labelled frames (features (n, k), true counts (n,), measured with the detector tiled
    ``tiles``); needs at least 4 frames."""
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
    best: tuple[float, float, np.ndarray, float, np.ndarray] | None = None
    for lam in LAMBDAS:
        intercept, coef, loo = _ridge(x, counts, lam)
        mae = float(np.mean(np.abs(loo)))
        if best is None or mae < best[3] - 1e-12:
            best = (lam, intercept, coef, mae, loo)
    assert best is not None
    lam, intercept, coef, loo_mae, residuals = best
    before = float(np.mean(np.abs(features[:, 0] - counts)))
    rules = baseline_residuals(features[:, 0], counts)
    baselines = {name: float(np.mean(np.abs(r))) for name, r in rules.items()}
    baseline = min(baselines, key=lambda name: baselines[name])
    kind, mae_after = "ridge", loo_mae
    if loo_mae >= baselines[baseline]:  # the rule counts better: it is what the camera uses
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
        fit_mae=loo_mae,
        tiles=(int(tiles[0]), int(tiles[1])),
        band=float(np.quantile(np.abs(residuals), 0.8)),
    )


def baseline_residuals(raw: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Leave-one-out residuals (true − predicted) of the two rules a fitted model must beat, on labelled frames
    (``raw``: the uncalibrated count of each frame, ``counts``: the true ones): ``mean`` predicts every frame as the
    mean of the other frames' counts; ``scaled`` predicts the raw count times the factor k = Σ raw·count / Σ raw²
    fitted on the other frames. Closed forms: each frame's prediction leaves that frame out, like the model's."""
    raw = np.asarray(raw, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    n = len(counts)
    mean_loo = (counts.sum() - counts) / (n - 1)
    cross, square = float(raw @ counts), float(raw @ raw)
    rest = square - raw * raw
    factor = np.where(rest > 1e-12, (cross - raw * counts) / np.where(rest > 1e-12, rest, 1.0), 0.0)
    return {"mean": counts - mean_loo, "scaled": counts - np.maximum(factor * raw, 0.0)}


def baseline_errors(raw: np.ndarray, counts: np.ndarray) -> dict[str, float]:
    """The leave-one-out MAE of each baseline rule (``baseline_residuals``)."""
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
