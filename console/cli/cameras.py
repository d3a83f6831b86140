"""Camera subcommands of ``main.py``: ``evaluate`` and ``models install|list``. No Qt imports."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.cli.common import CommandError, add_branch, add_json

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    evaluate = sub.add_parser(
        "evaluate", help="measure people counting on a recorded dataset with ground truth",
        description="Run the camera pipeline (detector, tracker, zones, lines) over a dataset folder laid out as "
        "../shared/datasets/README.md describes and print the counting errors. Progress goes to stderr.")
    evaluate.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    evaluate.add_argument("--model", type=Path, metavar="PATH",
                          help="ONNX detector (default: the installed default model, else OpenCV HOG)")
    evaluate.add_argument("--calibrate", metavar="A:B[:S]",
                          help="fit the count calibration on frames A..B-1 (every S-th) and their true counts")
    evaluate.add_argument("--frames", metavar="A:B",
                          help="evaluate frames A..B-1 (default: every frame not used for calibration)")
    evaluate.add_argument("--detect-every", type=int, default=1, metavar="N",
                          help="run the detector on every N-th frame, the tracker predicts between (default 1)")
    evaluate.add_argument("--tiles", metavar="CxR",
                          help="detect on C×R overlapping tiles too (dense scenes), e.g. 2x2 (default: with "
                               "--calibrate, the tiling the calibration chooses among 1x1 and 2x2; else 1x1)")
    add_json(evaluate)
    evaluate.set_defaults(handler=run_evaluate)

    models = sub.add_parser("models", help="install and list person-detector models")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    install = models_sub.add_parser("install", help="check and install an ONNX detector into the data directory")
    install.add_argument("source", metavar="SOURCE", help="a file path or an https:// URL")
    install.add_argument("--name", help="name to install it under (default: from the file name)")
    install.add_argument("--sha256", help="expected SHA-256 of the file; installation fails on a mismatch")
    models_sub.add_parser("list", help="list the installed models")
    models.set_defaults(handler=run_models)

    cameras = sub.add_parser("cameras", help="list cameras, choose which PC counts each, keep their passwords")
    cameras_sub = cameras.add_subparsers(dest="cameras_command", metavar="ACTION", required=True)
    c_list = cameras_sub.add_parser("list", help="the branch's cameras and which PC counts each")
    c_assign = cameras_sub.add_parser("assign", help="count a camera on this console or on a headless worker")
    c_assign.add_argument("camera_id", metavar="ID")
    c_assign.add_argument("to", choices=("console", "worker"))
    c_password = cameras_sub.add_parser(
        "password", help="keep a camera's password in this PC's secret store (a worker PC needs it)",
        description="Camera passwords are never in the shared database: a worker PC needs the passwords of the "
        "cameras it counts in its own secret store. Reads the password from the terminal, or the next line of "
        "standard input with --password-stdin.")
    c_password.add_argument("camera_id", metavar="ID")
    c_password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    for p in (c_list, c_assign, c_password):
        add_branch(p)
    cameras.set_defaults(handler=run_cameras)


def _tiles(text: str | None) -> tuple[int, int]:
    if text is None:
        return (1, 1)
    try:
        cols, rows = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise CommandError(f"--tiles {text!r}: expected CxR, for example 2x2") from None
    if not (1 <= cols <= 6 and 1 <= rows <= 6):
        raise CommandError(f"--tiles {text!r}: columns and rows between 1 and 6")
    return (cols, rows)


#: The detector tilings a calibration chooses among (columns, rows).
CANDIDATE_TILES = ((1, 1), (2, 2))
#: Frames per second ``evaluate`` (one camera, the detector on both cores) must reach for four cameras at 5 frames/s
#: each to share this 2-core machine: 4 × 5 = 20. A tiling slower than this is not chosen, unless none is fast
#: enough. (Measured with benchmarks/throughput.py --cameras 4 --tiles 2x2: 2x2 tiles, about 14 frames/s here, gave
#: four live cameras 3.6-3.8 analysed frames/s each; 1x1 kept 5.)
FPS_BUDGET = 20.0


def choose_configuration(tried):
    """(tiles, result, detector name) of the configuration kept: the lowest cross-validated error on the labelled
    frames among those within ``FPS_BUDGET`` (the fastest when none is); the only one when a single one was run."""
    if len(tried) == 1:
        return tried[0]
    fast = [t for t in tried if t[1].fps >= FPS_BUDGET] or [max(tried, key=lambda t: t[1].fps)]
    return min(fast, key=lambda t: t[1].calibration.mae_after)


def resolve_model(env: Environment, model: Path | None) -> Path | None:
    """The model to use: the one given, else the store's default, else None (HOG fallback)."""
    from camera.model_store import ModelStore, ModelStoreError

    if model is not None:
        if not model.is_file():
            raise CommandError(f"--model {model}: no such file")
        return model
    try:
        installed = ModelStore(env.data_dir).default()
    except ModelStoreError as exc:
        raise CommandError(str(exc)) from None
    return installed.path if installed is not None else None


def run_evaluate(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from camera.detectors import load_detector
    from camera.detectors.base import DetectorError
    from camera.pipeline import PipelineConfig
    from console.cameras.evaluation import DatasetError, evaluate, load_dataset, parse_range, stderr_progress

    if args.detect_every < 1:
        raise CommandError(f"--detect-every must be at least 1, got {args.detect_every}")
    try:
        dataset = load_dataset(args.dataset)
        frames = parse_range(args.frames, "--frames", allow_step=False) if args.frames else None
        calibrate = parse_range(args.calibrate, "--calibrate", allow_step=True) if args.calibrate else None
    except DatasetError as exc:
        raise CommandError(str(exc)) from None
    model = resolve_model(env, args.model)
    # the tiling a calibration would store: given, or (calibrating an ONNX detector) each of CANDIDATE_TILES tried
    # and the one with the lower cross-validated error on the labelled frames kept, among those fast enough for
    # FPS_BUDGET; without a calibration, a live camera's detector runs untiled
    candidates = [_tiles(args.tiles)] if args.tiles or calibrate is None or model is None else list(CANDIDATE_TILES)
    if model is None:
        print("warning: no detector model installed, using OpenCV's HOG people detector (low accuracy); "
              "install one with 'main.py models install PATH'", file=sys.stderr)
    tried = []
    for tiles in candidates:
        try:
            detector = load_detector(model, tiles=tiles) if model is not None else load_detector(None)
            tried.append((tiles, evaluate(dataset, detector, frames=frames, calibrate=calibrate,
                                          config=PipelineConfig(detect_every=args.detect_every),
                                          progress=stderr_progress), detector.name))
        except DetectorError as exc:
            raise CommandError(str(exc)) from None
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
    tiles, result, name = choose_configuration(tried)
    if args.json:
        data = result.to_json()
        data["tiles"] = f"{tiles[0]}x{tiles[1]}"
        data["configurations"] = [{"tiles": f"{t[0]}x{t[1]}", "fps": found.fps,
                                   "mae_cv": found.calibration.mae_after if found.calibration else None}
                                  for t, found, _ in tried]
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    out.write(f"dataset {dataset.path} — detector {name}, {result.frames} frames evaluated\n")
    if len(tried) > 1:
        for option, found, _ in tried:
            out.write(f"  tiles {option[0]}x{option[1]}: cross-validated MAE {found.calibration.mae_after:.2f} on the "
                      f"labelled frames, {found.fps:.1f} frames/s\n")
        out.write(f"  kept tiles {tiles[0]}x{tiles[1]}: the calibration stores it, and a live camera runs it\n")
    if result.calibration is not None:
        c = result.calibration
        kept = ("" if c.beats_baseline
                else f"; the fitted model ({c.fit_mae:.2f}) does not beat it: the baseline is used")
        out.write(f"  calibration on {c.frames} frames: MAE {c.mae_before:.2f} before, "
                  f"{c.mae_after:.2f} after (cross-validated); baseline ({c.baseline}) {c.baseline_mae:.2f}{kept}\n")
    out.write(f"  frame count: MAE {result.count_mae:.2f}  RMSE {result.count_rmse:.2f}  "
              f"(mean true {result.mean_true:.2f}, mean counted {result.mean_predicted:.2f})\n")
    for name, mae in result.zones.items():
        out.write(f"  zone {name}: MAE {mae:.2f}\n")
    for name, t in result.lines.items():
        out.write(f"  line {name}: in {t['in']} (truth {t['in_truth']}), out {t['out']} (truth {t['out_truth']})\n")
    out.write(f"  speed: {result.fps:.1f} frames/s analysed, decoding included\n")
    return 0


def run_models(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from camera.detectors.base import DetectorError
    from camera.model_store import ModelStore, ModelStoreError

    store = ModelStore(env.data_dir)
    try:
        if args.models_command == "install":
            model = store.install(args.source, name=args.name, expected_sha256=args.sha256)
            out.write(f"installed {model.name}: {model.format}, input {model.input_wh[0]}x{model.input_wh[1]}, "
                      f"sha256 {model.sha256}\n  {model.path}\n")
            return 0
        models = store.list()
        default = store.default()
        if not models:
            out.write("no detector model installed; cameras use OpenCV's HOG people detector (low accuracy)\n")
            return 0
        for m in models:
            mark = "*" if default is not None and m.name == default.name else " "
            out.write(f"{mark} {m.name:<24} {m.format:<11} {m.input_wh[0]}x{m.input_wh[1]}  sha256 {m.sha256[:16]}…  "
                      f"installed {m.installed_at}\n")
        return 0
    except (ModelStoreError, DetectorError) as exc:
        raise CommandError(str(exc)) from None


def run_cameras(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    """``cameras list|assign|password``: which PC counts each camera, and a camera's password in this PC's secret
    store (a worker PC needs the passwords of the cameras it counts: they are never in the shared database)."""
    from dataclasses import replace

    from console.cli.common import pick_branch
    from console.security.camera_passwords import stored_setup
    from console.security.secret_store import SecretError
    from storage import repository
    from storage.tasks import SaveCamera
    from storage.writer import apply_now

    code = pick_branch(env, args.branch)
    setups = {s.camera.camera_id: s for s in repository.load_cameras(env.db, code)}
    if args.cameras_command == "list":
        for s in setups.values():
            c = s.camera
            out.write(f"{c.camera_id:<12}{c.name:<24}{'enabled' if c.enabled else 'disabled':<10}"
                      f"counted by {c.analysed_by:<8}{c.kind}\n")
        return 0
    setup = setups.get(args.camera_id)
    if setup is None:
        raise CommandError(f"camera {args.camera_id!r}: branch {code} has no such camera "
                           f"(cameras: {', '.join(setups) or 'none'})")
    if args.cameras_command == "assign":
        if setup.camera.analysed_by == args.to:
            out.write(f"camera {args.camera_id} is already counted by {args.to}\n")
            return 0
        changed = replace(setup, camera=replace(setup.camera, analysed_by=args.to))
        apply_now(env.db, SaveCamera(code, changed, args.operator.username))
        out.write(f"camera {args.camera_id} of branch {code} is now counted by {args.to}"
                  + (" (start 'main.py worker --branch " + code + "' on the worker PC; restart the console)\n"
                     if args.to == "worker" else " (restart the console to start it there)\n"))
        return 0
    # password: the source's placeholder is filled from this PC's secret store
    from camera.credentials import PLACEHOLDER, merge_credentials

    if PLACEHOLDER not in setup.camera.source:
        raise CommandError(f"camera {args.camera_id}'s source has no password to set")
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(
        f"Password of camera {args.camera_id}: ")
    whole = merge_credentials(setup.camera.source, [password] * setup.camera.source.count(PLACEHOLDER))
    try:
        stored_setup(env.secrets, code, replace(setup, camera=replace(setup.camera, source=whole)))
    except SecretError as exc:
        raise CommandError(str(exc)) from None
    out.write(f"password of camera {args.camera_id} kept in {env.secrets.describe()}\n")
    return 0
