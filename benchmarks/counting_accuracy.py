"""People-counting accuracy on the evaluation footage, through the same pipeline as a live camera.

    .venv/bin/python benchmarks/counting_accuracy.py [--model PATH] [--shared ../shared] [--quick]

Prints, per dataset: frames, frame-count MAE and RMSE, zone MAE, line totals against the truth, and analysed
frames per second (decoding included). The mall rows are calibrated as the targets ask: fitted on frames 0-399 (all
of them, then every 20th) and evaluated on 400-799, with the configuration a calibration chooses and stores (the
detector untiled, scene features against the static background; ``main.py evaluate`` picks it) and, for comparison,
without it: the uncalibrated count, and the detector on 2x2 tiles (counts as well, but too slow for four cameras at
5 frames/s on two cores). Each calibrated row also gives the two baselines on the evaluated frames. Targets:
pets09-s2l1 MAE ≤ 0.5 and line totals within 10%; TUD MAE ≤ 1.0; mall MAE ≤ 2.5 (400 labelled frames) and ≤ 3.5
(20 labelled frames).

--quick evaluates the first frames of each dataset only (pets09-s2l1 0-119, tud-stadtmitte 0-59, tud-campus
0-39; mall fitted on frames 0-23, all of them, then every 6th, and evaluated on 24-35): a smoke run whose line
totals cover part of the footage and so fall short of the truth, which is for the whole of it.
Without the footage or the model the script says what is missing and exits with status 77.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from camera.detectors import load_detector  # noqa: E402
from console.cameras.evaluation import RangeSpec, evaluate, load_dataset  # noqa: E402

#: (dataset, calibration frames, evaluated frames, detector tiles, MAE target, what the row is)
RUNS = [
    ("pets09-s2l1", None, None, (1, 1), 0.5, ""),
    ("tud-stadtmitte", None, None, (1, 1), 1.0, ""),
    ("tud-campus", None, None, (1, 1), 1.0, ""),
    ("mall-train", RangeSpec(0, 400, 1), RangeSpec(400, 800), (1, 1), 2.5, "chosen"),
    ("mall-train", RangeSpec(0, 400, 20), RangeSpec(400, 800), (1, 1), 3.5, "chosen"),
    ("mall-train", None, RangeSpec(400, 800), (1, 1), 2.5, "uncalibrated"),
    ("mall-train", RangeSpec(0, 400, 1), RangeSpec(400, 800), (2, 2), 2.5, "too slow"),
    ("mall-train", RangeSpec(0, 400, 20), RangeSpec(400, 800), (2, 2), 3.5, "too slow"),
]
#: --quick: the same kinds of runs on the first frames only.
QUICK_RUNS = [
    ("pets09-s2l1", None, RangeSpec(0, 120), (1, 1), 0.5, ""),
    ("tud-stadtmitte", None, RangeSpec(0, 60), (1, 1), 1.0, ""),
    ("tud-campus", None, RangeSpec(0, 40), (1, 1), 1.0, ""),
    ("mall-train", RangeSpec(0, 24, 1), RangeSpec(24, 36), (1, 1), 2.5, "chosen"),
    ("mall-train", RangeSpec(0, 24, 6), RangeSpec(24, 36), (1, 1), 3.5, "chosen"),
    ("mall-train", None, RangeSpec(24, 36), (1, 1), 2.5, "uncalibrated"),
]
#: Exit status when the footage or the model is missing (the run is skipped, not failed).
MISSING = 77


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--model", type=Path, help="ONNX model (default: the shared YOLOX-Nano)")
    parser.add_argument("--quick", action="store_true", help="the first frames of each dataset only")
    args = parser.parse_args()
    model = args.model or args.shared / "models" / "yolox-nano" / "yolox_nano.onnx"
    runs = QUICK_RUNS if args.quick else RUNS
    needed = [model, *dict.fromkeys(args.shared / "datasets" / name for name, *_ in runs)]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        print(f"skipped: footage or model not found: {', '.join(missing)} (see ../shared/datasets/README.md and "
              "../shared/models/README.md)", file=sys.stderr)
        return MISSING
    print(f"model {model.name}" + (" (--quick: the first frames of each dataset)" if args.quick else ""))
    print(f"{'dataset':<16}{'calibration':<14}{'tiles':<6}{'row':<14}{'frames':>7}{'MAE':>7}{'RMSE':>7}{'target':>8}  "
          f"{'fps':>6}  lines / zones / calibration")
    for name, calibrate, frames, tiles, target, row in runs:
        dataset = load_dataset(args.shared / "datasets" / name)
        detector = load_detector(model, tiles=tiles)
        result = evaluate(dataset, detector, frames=frames, calibrate=calibrate)
        calib = "—" if calibrate is None else f"{calibrate.start}:{calibrate.stop}:{calibrate.step}"
        extras = [f"{n} in {t['in']}/{t['in_truth']} out {t['out']}/{t['out_truth']}" for n, t in result.lines.items()]
        extras += [f"zone {n} MAE {m:.2f}" for n, m in result.zones.items()]
        if result.calibration is not None:
            c = result.calibration
            extras.append(f"kept {c.kind} (cross-validated: fitted {c.fit_mae:.2f}, baseline {c.baseline} "
                          f"{c.baseline_mae:.2f}, uncalibrated {c.mae_before:.2f})")
            extras.append("baselines on these frames: " + ", ".join(
                f"{name} {mae:.2f}" for name, mae in result.baseline_test_mae.items()))
        verdict = "ok" if result.count_mae <= target else "MISSED"
        print(f"{name:<16}{calib:<14}{f'{tiles[0]}x{tiles[1]}':<6}{row:<14}{result.frames:>7}{result.count_mae:>7.2f}"
              f"{result.count_rmse:>7.2f}"
              f"{target:>6.1f} {verdict:<6}{result.fps:>6.1f}  {'; '.join(extras)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
