"""The standalone bundle, built for real: PyInstaller from installer/console.spec into a temporary folder, then the
bundled executable run as IT would: --version, the demo window offscreen with a screenshot, commands that need the
migrations, the holiday calendar and the secret store, and the Linux install and uninstall scripts."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.installer import early_build

ROOT = Path(__file__).resolve().parents[2]
NAME = "branch-lobby-console"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="the Linux bundle (Windows builds run on Windows)")]


@pytest.fixture(scope="module")
def bundle() -> Path:
    """The bundle, built by installer/build.py: started at collection beside the other tests (early_build.py)."""
    build = early_build.start()  # already running unless this module was selected late
    code, stdout, stderr = build.wait()
    assert code == 0, stdout + stderr[-4000:]
    folder = build.folder / "dist" / NAME
    assert f"bundle: {folder}" in stdout
    print(stdout)  # size and build time, for the record (pytest -s)
    return folder


def run(exe: Path, *args: str, data_dir: Path, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BRANCH_CONSOLE_DATA_DIR": str(data_dir)}
    env.pop("BRANCH_CONSOLE_DB", None)
    if home is not None:
        env["HOME"] = str(home)
        env.pop("XDG_DATA_HOME", None)
        env.pop("BRANCH_CONSOLE_DATA_DIR", None)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300, env=env, cwd=exe.parent)


def test_the_bundle_runs_the_console_and_its_commands(bundle: Path, tmp_path: Path) -> None:
    exe = bundle / NAME
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    shown = run(exe, "--version", data_dir=tmp_path / "data")
    assert shown.returncode == 0 and shown.stdout.strip() == f"{NAME} {version}"
    # no detector model inside: they are installed afterwards
    assert not [p for p in bundle.rglob("*.onnx")]
    # the guides Help → User guide shows, where console/app finds them (beside console/ in the bundle's folder)
    for guide in ("user-guide.md", "user-guide.zh_CN.md", "admin-guide.md"):
        assert (bundle / "_internal" / "docs" / guide).is_file(), guide
    shot = tmp_path / "shot.png"
    window = run(exe, "--demo", "--quit-after", "5", "--screenshot", str(shot), data_dir=tmp_path / "data")
    assert window.returncode == 0, window.stderr
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[0] == 1000 and image.shape[1] >= 1600  # the window's screenshot size
    assert float(np.std(image)) > 20  # panels, tables and the lobby picture, not an empty frame
    # the database was created by the bundled migrations; translations, the holiday calendar and the secret store
    info = run(exe, "db", "info", data_dir=tmp_path / "data")
    assert info.returncode == 0 and "schema revision" in info.stdout.lower(), info.stdout + info.stderr
    forecast = run(exe, "forecast", "--date", "2026-10-01", data_dir=tmp_path / "data")  # National Day
    assert forecast.returncode == 0, forecast.stderr
    token = run(exe, "api", "token", "show", data_dir=tmp_path / "data")
    assert token.returncode == 0, token.stderr
    zh = run(exe, "--demo", "--lang", "zh_CN", "--quit-after", "3", data_dir=tmp_path / "data")
    assert zh.returncode == 0, zh.stderr


def user_env(home: Path) -> dict[str, str]:
    """A user whose data lives in the default place under ``home``."""
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": ""}
    env.pop("BRANCH_CONSOLE_DATA_DIR", None)
    return env


def test_the_linux_install_scripts(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    installed = subprocess.run(["bash", str(bundle / "install.sh")], capture_output=True, text=True, timeout=600,
                               env=user_env(home))
    assert installed.returncode == 0, installed.stderr
    prefix = home / ".local" / "opt" / NAME
    desktop = (home / ".local" / "share" / "applications" / f"{NAME}.desktop").read_text(encoding="utf-8")
    assert f"Exec={prefix / NAME}\n" in desktop and "Name[zh_CN]=网点厅堂监控台" in desktop
    assert (home / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{NAME}.svg").is_file()
    for command in (NAME, f"{NAME}-cli"):
        linked = run(home / ".local" / "bin" / command, "--version", data_dir=tmp_path, home=home)
        assert linked.returncode == 0 and linked.stdout.startswith(NAME), linked.stderr
    data = home / ".local" / "share" / NAME
    data.mkdir(parents=True, exist_ok=True)
    (data / "console.db").write_bytes(b"the branch's data")
    removed = subprocess.run(["bash", str(prefix / "uninstall.sh")], capture_output=True, text=True, timeout=120,
                             env=user_env(home))
    assert removed.returncode == 0 and "your data stays in" in removed.stdout
    assert not prefix.exists() and not (home / ".local" / "bin" / NAME).exists()
    assert (data / "console.db").read_bytes() == b"the branch's data"
    subprocess.run(["bash", str(bundle / "install.sh")], check=True, capture_output=True, timeout=600,
                   env=user_env(home))
    purged = subprocess.run(["bash", str(prefix / "uninstall.sh"), "--purge-data"], capture_output=True, text=True,
                            timeout=120, env=user_env(home))
    assert purged.returncode == 0 and not data.exists() and not prefix.exists()
