"""Count calibration: the ridge model against known linear relations, its cross-validation and baselines, and the
scene features a live camera measures as the calibration did."""

from __future__ import annotations

import numpy as np
import pytest

from camera.calibration import CalibrationError, CountModel, calibrate, fit_count_model, load_calibration


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


@pytest.mark.parametrize(("n", "blocks"), [(8, [[i] for i in range(8)]),
                                            (15, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11], [12, 13, 14]])])
def test_baselines_are_each_block_predicted_without_it(n: int, blocks: list[list[int]]) -> None:
    """The two baselines' cross-validated errors, against a plain loop that refits each rule without the frames of
    a block: five contiguous blocks from 10 frames, one frame each below."""
    from camera.calibration import baseline_errors

    rng = np.random.default_rng(3)
    raw = rng.integers(5, 30, n).astype(float)
    truth = np.round(raw * 1.6 + rng.normal(0, 2, n))
    mean_errors, scaled_errors = [], []
    for block in blocks:
        others = np.ones(n, dtype=bool)
        others[block] = False
        for i in block:
            mean_errors.append(abs(truth[i] - truth[others].mean()))
            k = np.sum(raw[others] * truth[others]) / np.sum(raw[others] ** 2)
            scaled_errors.append(abs(truth[i] - k * raw[i]))
    found = baseline_errors(raw, truth)
    assert found["mean"] == pytest.approx(np.mean(mean_errors))
    assert found["scaled"] == pytest.approx(np.mean(scaled_errors))


def test_the_model_error_is_that_of_blocks_predicted_by_a_model_fitted_without_them() -> None:
    """``mae_after`` of a fitted model, against ridge refitted by hand (numpy's least squares on the penalised
    system) on four blocks and predicting the fifth, at the penalty the fit chose."""
    rng = np.random.default_rng(8)
    features = rng.uniform(0, 20, size=(20, 4))
    truth = 3.0 + features @ np.array([1.0, 0.5, 0.0, 0.2]) + rng.normal(0, 1.0, 20)
    model = fit_count_model(features, truth)
    assert model.validation == "blocks" and model.kind == "ridge"
    x = (features - features.mean(axis=0)) / features.std(axis=0)
    errors = []
    for block in np.array_split(np.arange(20), 5):
        rest = np.setdiff1d(np.arange(20), block)
        design = np.hstack([np.ones((len(rest), 1)), x[rest]])
        penalty = np.sqrt(model.ridge_lambda) * np.eye(5)[1:]  # no penalty on the intercept
        beta = np.linalg.lstsq(np.vstack([design, penalty]), np.concatenate([truth[rest], np.zeros(4)]), rcond=None)[0]
        errors.extend(np.abs(truth[block] - np.maximum(beta[0] + x[block] @ beta[1:], 0)))
    assert model.mae_after == pytest.approx(np.mean(errors))
    assert model.band == pytest.approx(np.quantile(errors, 0.8))


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
    old = ('{"intercept": 1, "coef": [1], "mean": [0], "scale": [1], "ridge_lambda": 1, "frames": 5, '
           '"mae_before": 2, "mae_after": 1}')
    assert CountModel.from_json(old).baseline_mae is None
    # stored before the scene background: its features are no longer measured, so the camera counts uncalibrated
    assert load_calibration(old) is None and load_calibration(None) is None


def test_the_tiling_a_calibration_was_measured_with_is_the_one_a_live_camera_runs(tmp_path) -> None:
    """The calibration stores the detector's tiling; the camera's analysis process is built with it, and a model
    stored without one runs untiled."""
    from console.cameras.pipeline_setup import camera_process
    from storage.records import CameraSetup, CameraSpec

    scenes, truth = crowd_scenes(10, seed=7)
    model = calibrate(np.column_stack([truth - 5, truth - 4, truth * 0.5]), scenes, truth, roi=None, scene_scale=1.0,
                      tiles=(2, 2))
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


def crowd_scenes(n: int, seed: int, size: tuple[int, int] = (160, 120)) -> tuple[list[np.ndarray], np.ndarray]:
    """Grey pictures of a textured floor with 5–40 dark "people" (8×16 px) at random places, and their counts."""
    rng = np.random.default_rng(seed)
    w, h = size
    floor = (120 + rng.normal(0, 4, (h, w))).clip(0, 255).astype(np.uint8)
    scenes, counts = [], []
    for _ in range(n):
        picture = floor.copy()
        people = int(rng.integers(5, 41))
        for _ in range(people):
            x, y = int(rng.integers(0, w - 8)), int(rng.integers(0, h - 16))
            picture[y:y + 16, x:x + 8] = rng.integers(20, 60)
        scenes.append(picture)
        counts.append(people)
    return scenes, np.array(counts, dtype=float)


def test_scene_features_grow_with_the_people_in_a_band_and_ignore_what_is_outside_the_region() -> None:
    from camera.scene_features import BANDS, SCENE_FEATURES, SceneGeometry, median_background

    floor = np.full((120, 160), 120, np.uint8)
    roi = [(0, 0), (159, 0), (159, 119), (0, 119)]
    geometry = SceneGeometry.build((160, 120), 1.0, roi)
    assert geometry.bands == ((0, 30), (30, 60), (60, 90), (90, 120))  # the region's rows 0–119, in 4
    empty = geometry.features(floor, floor)
    assert len(empty) == len(SCENE_FEATURES) == BANDS * 5 + 1 and not empty.any()
    shares = []
    for people in (2, 6):
        picture = floor.copy()
        for i in range(people):  # 8×16 dark people in the third band only (rows 66–82)
            picture[66:82, 10 + 20 * i:18 + 20 * i] = 30
        found = dict(zip(SCENE_FEATURES, geometry.features(picture, floor), strict=True))
        assert found["band1_fg30"] == found["band2_fg30"] == found["band4_fg30"] == 0
        assert found["blobs"] == people
        shares.append(found["band3_fg30"])
    assert shares[1] > 2.5 * shares[0] > 0
    half = SceneGeometry.build((160, 120), 0.5, [(0, 0), (318, 0), (318, 118), (0, 118)])  # the roi in frame pixels
    assert half.mask[:59, :159].all() and not half.mask[61:].any()
    assert np.array_equal(median_background([floor, floor + 5, floor + 9]), floor + 5)


def test_a_live_camera_measures_the_features_the_calibration_was_fitted_on() -> None:
    """The stored model (its background PNG, region and scale) gives back, for a labelled picture, the very row it
    was fitted on, and counts synthetic crowds within a couple of people."""
    scenes, truth = crowd_scenes(40, seed=4)
    detection = np.column_stack([truth * 0.5, truth * 0.6, truth * 0.3])
    roi = [(0.0, 0.0), (319.0, 0.0), (319.0, 239.0), (0.0, 239.0)]
    model = calibrate(detection[:30], scenes[:30], truth[:30], roi=roi, scene_scale=0.5, background_from=scenes)
    stored = load_calibration(model.to_json())
    assert stored is not None and stored.roi == tuple(roi) and stored.scene_scale == 0.5
    assert stored.validation == "blocks" and stored.beats_baseline is not None
    rows = np.array([stored.feature_row(d, s) for d, s in zip(detection[30:], scenes[30:], strict=True)])
    assert np.mean(np.abs(stored.predict(rows) - truth[30:])) < 2.5
    with pytest.raises(CalibrationError, match="differ in size"):
        calibrate(detection[:5], scenes[:5], truth[:5], roi=None, scene_scale=1.0,
                  background_from=[np.zeros((10, 10), np.uint8)])
