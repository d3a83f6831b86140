"""Count calibration: the ridge model against known linear relations, and the perspective map."""

from __future__ import annotations

import numpy as np
import pytest

from camera.calibration import CalibrationError, CountModel, PerspectiveMap, fit_count_model
from camera.detections import Detections


def test_recovers_a_linear_relation() -> None:
    rng = np.random.default_rng(3)
    features = rng.uniform(0, 20, size=(30, 5))
    truth = 2.0 + 1.5 * features[:, 0] + 0.5 * features[:, 3]
    model = fit_count_model(features, truth)
    assert model.mae_after < 0.2
    assert model.mae_before == pytest.approx(np.mean(np.abs(features[:, 0] - truth)))
    fresh = rng.uniform(0, 20, size=(10, 5))
    expected = 2.0 + 1.5 * fresh[:, 0] + 0.5 * fresh[:, 3]
    assert np.max(np.abs(model.predict(fresh) - expected)) < 0.5
    again = CountModel.from_json(model.to_json())
    assert np.allclose(again.predict(fresh), model.predict(fresh))


def test_undercounting_detector_is_corrected() -> None:
    rng = np.random.default_rng(5)
    truth = rng.integers(10, 50, size=20).astype(float)
    detected = np.round(truth * 0.55 + rng.normal(0, 1, size=20))  # a detector that misses almost half
    features = np.column_stack([detected, detected, detected * 0.7, truth * 0.01 + rng.normal(0, 0.01, 20),
                                rng.uniform(0, 1, 20)])
    model = fit_count_model(features, truth)
    assert model.mae_before > 8 and model.mae_after < 3
    assert (model.predict(np.zeros((1, 5))) >= 0).all()  # never a negative count


def test_too_few_frames() -> None:
    with pytest.raises(CalibrationError, match="at least 4"):
        fit_count_model(np.ones((3, 5)), np.ones(3))


def test_perspective_map_weights_far_rows_more() -> None:
    persp = PerspectiveMap()
    rows = np.arange(100, 500, 20, dtype=np.float32)
    heights = 20 + 0.25 * rows  # people look taller lower in the picture
    boxes = np.stack([np.full_like(rows, 10), rows - heights, np.full_like(rows, 30), rows], axis=1)
    persp.observe(Detections(boxes, np.full(len(rows), 0.9)))
    assert persp.b == pytest.approx(0.25, abs=1e-3) and persp.a == pytest.approx(20, abs=0.1)
    w = persp.weights(480)
    assert w[100] > w[240] > w[400]
    assert w[240] == pytest.approx(1.0, abs=0.02)
