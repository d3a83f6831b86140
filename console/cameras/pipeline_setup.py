"""A stored camera setup turned into its counting pipeline's settings and its analysis process; shared by the
console's camera manager and the headless worker. No Qt imports."""

from __future__ import annotations

from camera.calibration import load_calibration
from camera.model_store import DetectorRecipe
from camera.pipeline import LineSpec, PipelineConfig
from camera.process import CameraProcess
from storage.records import CameraSetup


def pipeline_config(setup: CameraSetup) -> PipelineConfig:
    """Zones, counting lines and the region of interest, as stored (image pixels)."""
    return PipelineConfig(
        zones=setup.zones,
        lines=tuple(LineSpec(name=ln.name, a=ln.a, b=ln.b) for ln in setup.lines),
        roi=setup.roi,
    )


def camera_process(setup: CameraSetup, data_dir: str, cameras: int, *, publish, on_sample, on_health, on_crossings,
                   offline_after_s: float, **options) -> CameraProcess:
    """A camera's analysis process (camera.process.CameraProcess) for ``setup``, with the detector from the models in
    ``data_dir``. onnxruntime threads: two for a single camera, one each when ``cameras`` share the cores.
    ``options``: further CameraProcess settings (the worker's sample period and snapshot rate)."""
    calibration = load_calibration(setup.calibration)
    tiles = calibration.tiles if calibration is not None else (1, 1)  # features as the calibration measured them
    return CameraProcess(
        setup.camera.camera_id, setup.camera.name, setup.camera.source,
        DetectorRecipe(data_dir, setup.camera.model, threads=2 if cameras <= 1 else 1, tiles=tiles),
        pipeline_config(setup), publish=publish, on_sample=on_sample, on_health=on_health, on_crossings=on_crossings,
        analysis_fps=setup.analysis_fps, offline_after_s=offline_after_s, calibration=calibration, **options)
