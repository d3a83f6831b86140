"""A stored camera setup turned into what its counting pipeline runs with; shared by the console's camera manager
and the headless worker. No Qt imports."""

from __future__ import annotations

from camera.pipeline import LineSpec, PipelineConfig
from storage.records import CameraSetup


def pipeline_config(setup: CameraSetup) -> PipelineConfig:
    """Zones, counting lines and the region of interest, as stored (image pixels)."""
    return PipelineConfig(
        zones=setup.zones,
        lines=tuple(LineSpec(name=ln.name, a=ln.a, b=ln.b) for ln in setup.lines),
        roi=setup.roi,
    )
