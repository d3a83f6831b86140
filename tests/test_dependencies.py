"""The OpenCV wheel must be the headless build: the full build ships Qt plugins that break PySide6's."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_only_headless_opencv_is_required_and_installed() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps]
    assert "opencv-python-headless" in names
    assert not [n for n in names if n.startswith("opencv") and n != "opencv-python-headless"], names
    installed = {(d.metadata["Name"] or "").lower().replace("_", "-") for d in metadata.distributions()}
    assert not {"opencv-python", "opencv-contrib-python"} & installed, "a non-headless OpenCV wheel is installed"
