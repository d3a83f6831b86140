"""What ``evaluate`` measures is what a live camera does: a calibration fitted by ``evaluate`` on real footage,
stored and loaded as a camera loads it, gives a live pipeline fed the same frames the very counts evaluate scored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from camera.calibration import load_calibration
from camera.detectors import load_detector
from camera.pipeline import CameraPipeline, PipelineConfig
from camera.sources import open_source
from console.cameras.evaluation import RangeSpec, evaluate, load_dataset
from tests.conftest import SHARED

MODEL = SHARED / "models" / "yolox-nano" / "yolox_nano.onnx"


@pytest.mark.slow  # about 4 s: 60 frames through the detector twice
def test_a_live_camera_counts_what_evaluate_measured(datasets: Path) -> None:
    if not MODEL.is_file():
        pytest.skip(f"{MODEL} is not next to the repository")
    dataset = load_dataset(datasets / "mall-train")
    result = evaluate(dataset, load_detector(MODEL, tiles=(1, 1)), frames=RangeSpec(40, 60),
                      calibrate=RangeSpec(0, 40, 4), config=PipelineConfig())
    stored = load_calibration(result.calibration.to_json())
    assert stored is not None and stored.background and stored.roi == tuple(map(tuple, dataset.roi))
    live = CameraPipeline(load_detector(MODEL, tiles=stored.tiles), PipelineConfig(roi=dataset.roi),
                          calibration=stored)
    source = open_source(dataset.source)
    counts = {}
    try:
        while (frame := source.read()) is not None and frame.index < 60:
            counts[frame.index] = live.process(frame).count  # calibrated on every frame, as a live camera counts
    finally:
        source.close()
    errors = [counts[f] - dataset.counts[f] for f in range(40, 60)]
    assert float(np.mean(np.abs(errors))) == pytest.approx(result.count_mae, abs=1e-9)
    assert result.count_mae < result.baseline_test_mae["mean"]  # and the calibration counts better than the mean
