"""``main.py evaluate`` and ``main.py models`` as a user runs them, on real footage and the shared models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run

pytestmark = pytest.mark.slow  # each test runs the detector over real footage in a process of its own


def test_models_install_list_and_evaluate(shared: Path, tmp_path: Path) -> None:
    data = tmp_path / "d"
    installed = run("models", "install", str(shared / "models" / "yolox-nano" / "yolox_nano.onnx"), "--name", "yolox",
                    data_dir=data)
    assert installed.returncode == 0, installed.stderr
    assert "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14" in installed.stdout
    listed = run("models", "list", data_dir=data)
    assert "yolox" in listed.stdout and listed.stdout.startswith("*")
    result = run("evaluate", str(shared / "datasets" / "pets09-s2l1"), "--frames", "0:60", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # stdout is only the JSON; progress went to stderr
    assert set(report) >= {"frames", "count_mae", "count_rmse", "fps", "zones", "lines"}
    assert report["frames"] == 60 and report["count_mae"] < 2.0 and report["fps"] > 0
    assert set(report["lines"]) == {"walkway", "path"} and set(report["zones"]) == {"plaza"}
    assert set(report["lines"]["walkway"]) == {"in", "out", "in_truth", "out_truth"}
    assert "frames" in result.stderr  # the progress bar


def test_evaluate_with_calibration(shared: Path, tmp_path: Path) -> None:
    model = shared / "models" / "yolox-nano" / "yolox_nano.onnx"
    result = run("evaluate", str(shared / "datasets" / "mall-train"), "--model", str(model), "--calibrate", "0:40:4",
                 "--frames", "40:60", "--json", data_dir=tmp_path / "d")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["frames"] == 20 and report["calibration"]["frames"] == 10
    # no --tiles: both tilings tried, the kept one is the calibration's (what a live camera then runs)
    assert [c["tiles"] for c in report["configurations"]] == ["1x1", "2x2"] and report["tiles"] in ("1x1", "2x2")
    kept = next(c for c in report["configurations"] if c["tiles"] == report["tiles"])
    assert kept["mae_cv"] == report["calibration"]["mae_after_cv"]
    calibration = report["calibration"]
    assert report["baseline_mae"] == calibration["baseline_mae"] and calibration["baseline"] in ("mean", "scaled")
    if calibration["kind"] == "ridge":  # the model kept is the better one on the labelled frames
        assert calibration["mae_after_cv"] == calibration["fit_mae_cv"] < calibration["baseline_mae"]
    else:
        assert calibration["mae_after_cv"] == calibration["baseline_mae"] <= calibration["fit_mae_cv"]
    # the mean-count baseline on the evaluated frames, recomputed from the annotations
    rows = [line.split(",") for line in (shared / "datasets" / "mall-train" / "counts.csv").read_text().split()[1:]]
    counts = {int(frame): float(count) for frame, count in rows}
    mean = sum(counts[f] for f in range(0, 40, 4)) / 10
    expected = sum(abs(counts[f] - mean) for f in range(40, 60)) / 20
    assert abs(report["baseline_test_mae"]["mean"] - expected) < 1e-9


def test_evaluate_bad_input(shared: Path, tmp_path: Path) -> None:
    no_counts = tmp_path / "ds"
    no_counts.mkdir()
    (no_counts / "frames").mkdir()
    cases = [
        (("evaluate", str(no_counts)), "counts.csv"),
        (("evaluate", str(tmp_path / "nowhere")), "does not exist"),
        (("evaluate", str(shared / "datasets" / "tud-campus"), "--frames", "10:5"), "--frames"),
        (("evaluate", str(shared / "datasets" / "tud-campus"), "--calibrate", "0:2"), "at least 4"),
        (("evaluate", str(shared / "datasets" / "tud-campus"), "--model", str(tmp_path / "x.onnx")), "x.onnx"),
        (("models", "install", str(tmp_path / "nothing.onnx")), "nothing.onnx"),
    ]
    for args, needle in cases:
        result = run(*args, data_dir=tmp_path / "d")
        assert result.returncode != 0, args
        assert needle in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
