"""Camera throughput: one stream as fast as it goes, and several cameras live in the window.

    .venv/bin/python benchmarks/throughput.py [--frames 300] [--cameras 4,8] [--seconds 30] [--shared ../shared]
                                              [--tiles CxR] [--calibrated] [--quick]

Part 1 — one 768x576 stream (pets09-s2l1) decoded, detected, tracked and counted as fast as possible, for each
shared ONNX model and OpenCV HOG in the same run; prints frames/s and the ratio to HOG (target ≥ 30 frames/s); then
``evaluate``'s speed against decoding and YOLOX-Nano alone on the same frames (target ≥ 0.8x).
Part 2 — N cameras (each count in --cameras) replaying the same file at its own rate, analysed at 5 frames/s each
by the console's camera processes while the main window runs offscreen with the demo queue at real time; a 10 ms heartbeat timer in the GUI thread measures the longest
stall of the event loop (target ≤ 50 ms) and each camera's analysed rate (target: 5/s kept). --calibrated gives the
cameras a calibration (scene features measured on every frame), --tiles one with that detector tiling.

--quick: 30 frames per model (10 for HOG), then 2 calibrated cameras for 3 s after a 2 s warm-up. Without the
footage or the models the script says what is missing and exits with status 77.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from camera.detectors import load_detector  # noqa: E402
from camera.pipeline import CameraPipeline, PipelineConfig  # noqa: E402
from camera.sources import open_source  # noqa: E402

MODELS = {"YOLOX-Nano": "yolox-nano/yolox_nano.onnx", "PicoDet-S": "picodet-s-320/picodet_s_320_coco.onnx",
          "FastestDet": "fastestdet/FastestDet.onnx"}
#: Exit status when the footage or a model is missing (the run is skipped, not failed).
MISSING = 77


def one_stream(video: Path, model: Path | None, frames: int) -> float:
    pipeline = CameraPipeline(load_detector(model), PipelineConfig())
    source = open_source(str(video))
    started = time.perf_counter()
    n = 0
    while n < frames and (frame := source.read()) is not None:
        pipeline.process(frame)
        n += 1
    source.close()
    return n / (time.perf_counter() - started)


def bare_stream(video: Path, model: Path, frames: int) -> float:
    """Frames/s of decoding and the detector alone: the floor ``evaluate`` is measured against."""
    detector = load_detector(model)
    source = open_source(str(video))
    started = time.perf_counter()
    n = 0
    while n < frames and (frame := source.read()) is not None:
        detector.detect(frame.image)
        n += 1
    source.close()
    return n / (time.perf_counter() - started)


def evaluate_speed(shared: Path, model: Path, frames: int) -> float:
    """Frames/s ``main.py evaluate`` reports on the first ``frames`` of pets09-s2l1 (decoding included)."""
    from console.cameras.evaluation import RangeSpec, evaluate, load_dataset

    dataset = load_dataset(shared / "datasets" / "pets09-s2l1")
    return evaluate(dataset, load_detector(model), frames=RangeSpec(0, frames)).fps


def camera_calibration(video: Path, tiles: tuple[int, int], calibrated: bool) -> str | None:
    """A stored calibration for the live cameras: fitted (``camera.calibration.calibrate``) on 12 frames of the
    footage with made-up counts — the counts do not matter for throughput, the work does: a calibrated camera
    measures the scene features on every frame and runs the detector with the calibration's tiling. None for
    uncalibrated, untiled cameras."""
    if tiles == (1, 1) and not calibrated:
        return None
    import numpy as np

    from camera.calibration import calibrate
    from camera.scene_features import scene_gray

    source = open_source(str(video))
    scenes = []
    try:
        while len(scenes) < 12 and (frame := source.read()) is not None:
            if frame.index % 20 == 0:
                scenes.append(scene_gray(frame.image))
    finally:
        source.close()
    truth = np.arange(len(scenes), dtype=float) % 7 + 3
    detection = np.column_stack([truth - 1, truth, truth * 0.6])
    return calibrate(detection, [g for g, _ in scenes], truth, roi=None, scene_scale=scenes[0][1],
                     tiles=tiles).to_json()


def live_cameras(shared: Path, cameras: int, seconds: float, demo_speed: float = 1.0, warmup_s: float = 5.0,
                 tiles: tuple[int, int] = (1, 1), calibrated: bool = False) -> None:
    import argparse as _argparse
    import tempfile

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from camera.model_store import ModelStore
    from console.app.context import AppContext, SourceOptions
    from console.app.main_window import MainWindow
    from console.bootstrap import prepare
    from storage.records import CameraSetup, CameraSpec

    app = QApplication.instance() or QApplication([])
    data = Path(tempfile.mkdtemp(prefix="bench-"))
    env = prepare(_argparse.Namespace(data_dir=data, db=None, lang="en", log_level="WARNING"))
    ModelStore(data).install(str(shared / "models" / MODELS["YOLOX-Nano"]))
    context = AppContext(env, SourceOptions(force_demo=True, speed=demo_speed))
    context.start()
    window = MainWindow(context)
    window.show()
    video = shared / "datasets" / "pets09-s2l1" / "video.avi"
    calibration = camera_calibration(video, tiles, calibrated)
    for i in range(cameras):
        context.cameras.save(CameraSetup(camera=CameraSpec(f"C{i + 1}", f"Camera {i + 1}", str(video), "file"),
                                         analysis_fps=5.0, calibration=calibration))
    stalls: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        stalls.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(10)
    warmup_until = time.perf_counter() + warmup_s
    while time.perf_counter() < warmup_until:
        app.processEvents()
        time.sleep(0.002)
    stalls.clear()
    counts = {cid: w.frames_analysed for cid, w in context.cameras.workers.items()}
    started = time.perf_counter()
    last[0] = started
    while time.perf_counter() - started < seconds:
        app.processEvents()
        time.sleep(0.002)
    elapsed = time.perf_counter() - started
    timer.stop()
    rates = {cid: (w.frames_analysed - counts[cid]) / elapsed for cid, w in context.cameras.workers.items()}
    worst = max(stalls) * 1000 if stalls else float("nan")
    p99 = sorted(stalls)[int(len(stalls) * 0.99)] * 1000 if stalls else float("nan")
    kind = "calibrated" if calibration else "uncalibrated"
    print(f"{cameras} {kind} cameras ({tiles[0]}x{tiles[1]} tiles) at 5 analysed frames/s for {elapsed:.0f} s: analysed "
          "rate per camera "
          + ", ".join(f"{cid} {r:.2f}/s" for cid, r in rates.items()))
    print(f"  GUI heartbeat (10 ms timer): longest gap {worst:.0f} ms, 99th percentile {p99:.0f} ms, "
          f"median {statistics.median(stalls) * 1000:.0f} ms")
    window.close()
    context.stop()
    env.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--frames", type=int, default=None, help="frames per model (default 300; --quick 30)")
    parser.add_argument("--cameras", default=None, help="camera counts to run, comma-separated (default 4,8; "
                                                        "--quick 2)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds each camera count runs (default 30; "
                                                                    "--quick 3)")
    parser.add_argument("--tiles", default="1x1", metavar="CxR",
                        help="the live cameras' detector tiling, as a calibration stores it (default 1x1)")
    parser.add_argument("--calibrated", action="store_true",
                        help="the live cameras count calibrated (scene features on every frame)")
    parser.add_argument("--quick", action="store_true", help="a short run: 30 frames, 2 cameras for 3 s")
    args = parser.parse_args()
    try:
        cols, rows = (int(v) for v in args.tiles.lower().split("x"))
    except ValueError:
        parser.error(f"--tiles {args.tiles!r}: expected CxR, for example 2x2")
    frames = args.frames if args.frames is not None else (30 if args.quick else 300)
    cameras = args.cameras if args.cameras is not None else ("2" if args.quick else "4,8")
    seconds = args.seconds if args.seconds is not None else (3.0 if args.quick else 30.0)
    video = args.shared / "datasets" / "pets09-s2l1" / "video.avi"
    missing = [str(p) for p in (video, *(args.shared / "models" / rel for rel in MODELS.values())) if not p.is_file()]
    if missing:
        print(f"skipped: footage or model not found: {', '.join(missing)} (see ../shared/datasets/README.md and "
              "../shared/models/README.md)", file=sys.stderr)
        return MISSING
    hog = one_stream(video, None, min(frames, 10 if args.quick else 60))
    print(f"one 768x576 stream, end to end (decode + detect + track + count), {frames} frames:")
    print(f"  {'OpenCV HOG':<12}{hog:7.1f} frames/s  (1.0x)")
    for name, rel in MODELS.items():
        fps = one_stream(video, args.shared / "models" / rel, frames)
        print(f"  {name:<12}{fps:7.1f} frames/s  ({fps / hog:.1f}x HOG)")
    yolox = args.shared / "models" / MODELS["YOLOX-Nano"]
    repeats = 1 if args.quick else 3  # medians of repeated runs: the machine is shared
    bare = [bare_stream(video, yolox, frames) for _ in range(repeats)]
    full = [evaluate_speed(args.shared, yolox, frames) for _ in range(repeats)]
    print(f"evaluate on pets09-s2l1 with YOLOX-Nano: median {statistics.median(full):.1f} frames/s against "
          f"{statistics.median(bare):.1f} for decoding and detection alone: "
          f"{statistics.median(full) / statistics.median(bare):.2f}x (target ≥ 0.8x)")
    for count in (int(c) for c in cameras.split(",")):
        live_cameras(args.shared, count, seconds, warmup_s=2.0 if args.quick else 5.0, tiles=(cols, rows),
                     calibrated=args.calibrated or args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
