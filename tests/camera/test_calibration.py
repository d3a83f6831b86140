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


def test_baselines_are_each_frame_predicted_without_it() -> None:
    """The two baselines' leave-one-out errors, against a plain loop that refits each rule without the frame."""
    from camera.calibration import baseline_errors

    rng = np.random.default_rng(3)
    raw = rng.integers(5, 30, 15).astype(float)
    truth = np.round(raw * 1.6 + rng.normal(0, 2, 15))
    mean_errors, scaled_errors = [], []
    for i in range(len(truth)):
        others = np.arange(len(truth)) != i
        mean_errors.append(abs(truth[i] - truth[others].mean()))
        k = np.sum(raw[others] * truth[others]) / np.sum(raw[others] ** 2)
        scaled_errors.append(abs(truth[i] - k * raw[i]))
    found = baseline_errors(raw, truth)
    assert found["mean"] == pytest.approx(np.mean(mean_errors))
    assert found["scaled"] == pytest.approx(np.mean(scaled_errors))


def test_a_model_that_does_not_beat_its_baseline_is_not_applied() -> None:
    """A detector that sees exactly half of the people: doubling its count is exact, and a model fitted on it and
    on noise cannot beat that, so the rule is kept instead; with a count that is not a scale of the truth the
    fitted model is."""
    rng = np.random.default_rng(5)
    truth = rng.integers(20, 40, 12).astype(float)
    features = np.column_stack([truth / 2, rng.normal(size=(12, 4))])
    model = fit_count_model(features, truth)
    assert (model.baseline, model.baseline_mae) == ("scaled", pytest.approx(0.0, abs=1e-9))
    assert not model.beats_baseline and model.kind == "scaled" and model.fit_mae > 0
    assert model.predict(features) == pytest.approx(truth)  # the rule: twice the detector's count
    assert model.mae_after == model.baseline_mae
    offset = np.column_stack([truth - 15, rng.normal(size=(12, 4))])  # misses 15 people whatever the crowd
    good = fit_count_model(offset, truth)
    assert good.beats_baseline and good.mae_after < 0.5 < good.baseline_mae
    assert CountModel.from_json(good.to_json()) == good
    old = CountModel.from_json('{"intercept": 1, "coef": [1], "mean": [0], "scale": [1], "ridge_lambda": 1, '
                               '"frames": 5, "mae_before": 2, "mae_after": 1}')
    assert old.baseline_mae is None and old.beats_baseline  # a model stored before baselines stays in use


def test_the_tiling_a_calibration_was_measured_with_is_the_one_a_live_camera_runs(tmp_path) -> None:
    """The calibration stores the detector's tiling; the camera's analysis process is built with it, and a model
    stored without one runs untiled."""
    from console.cameras.pipeline_setup import camera_process
    from storage.records import CameraSetup, CameraSpec

    rng = np.random.default_rng(7)
    truth = rng.integers(10, 40, 10).astype(float)
    model = fit_count_model(np.column_stack([truth - 5, rng.normal(size=(10, 4))]), truth, tiles=(2, 2))
    assert CountModel.from_json(model.to_json()).tiles == (2, 2)

    def recipe_of(calibration: str | None):
        setup = CameraSetup(camera=CameraSpec("C1", "Lobby", "video.avi", "file"), calibration=calibration)
        process = camera_process(setup, str(tmp_path), 1, publish=lambda s: None, on_sample=None, on_health=None,
                                 on_crossings=None, offline_after_s=10)
        return process._args["detector_factory"]

    assert recipe_of(model.to_json()).tiles == (2, 2)
    assert recipe_of(None).tiles == (1, 1)
    old = '{"intercept": 1, "coef": [1], "mean": [0], "scale": [1], "ridge_lambda": 1, "frames": 5, ' \
          '"mae_before": 2, "mae_after": 1}'
    assert recipe_of(old).tiles == (1, 1)


def test_evaluate_keeps_the_better_tiling_within_the_frame_rate_budget() -> None:
    from types import SimpleNamespace

    from console.cli.cameras import FPS_BUDGET, choose_configuration

    def result(mae: float, fps: float):
        return SimpleNamespace(fps=fps, calibration=SimpleNamespace(mae_after=mae))

    plain, tiled = ((1, 1), result(3.0, 40.0), "plain"), ((2, 2), result(2.5, FPS_BUDGET + 1), "tiled")
    assert choose_configuration([plain, tiled])[2] == "tiled"  # better and fast enough
    slow = ((2, 2), result(2.0, FPS_BUDGET - 1), "slow")
    assert choose_configuration([plain, slow])[2] == "plain"  # better but too slow for four cameras
    assert choose_configuration([((2, 2), result(2.0, 3.0), "a"), ((3, 3), result(1.0, 2.0), "b")])[2] == "a"
    assert choose_configuration([plain])[2] == "plain"


def test_a_scene_that_drifts_from_the_calibration_frames_is_flagged() -> None:
    """Frames like the labelled ones keep the calibration trusted; a changed scene (here the foreground and edge
    shares of a darkened lobby) makes it stale once the window's median is out of range, not at one odd frame."""
    from camera.calibration import DriftWatch

    rng = np.random.default_rng(11)
    truth = rng.integers(10, 40, 30).astype(float)
    features = np.column_stack([truth * 0.6, truth * 0.7, truth * 0.5, 0.01 * truth + rng.normal(0, 0.01, 30),
                                0.2 + rng.normal(0, 0.01, 30)])
    model = fit_count_model(features, truth)
    watch = DriftWatch(model, window=40, minimum=20)
    for row in features[:25]:
        watch.observe(row)
    assert not watch.stale and model.drift(features[0]) < 4
    dark = features[0].copy()
    dark[4] = 0.02  # the edges vanish: lights off, or the camera turned to a wall
    watch.observe(dark)
    assert not watch.stale  # one frame is not a changed scene
    for _ in range(40):
        watch.observe(dark)
    assert watch.stale and model.drift(dark) > 4
