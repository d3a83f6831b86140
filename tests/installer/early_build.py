"""The bundle's PyInstaller build started as soon as the suite knows it will need it (at collection), so that its two
minutes or so of work run beside the other tests on the second core instead of after them; the ``bundle`` fixture
of test_bundle.py then waits for it. Without a selected bundle test nothing is started."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1800


@dataclass
class Build:
    folder: Path  # holds dist/, work/ and the build's output
    process: subprocess.Popen

    def wait(self) -> tuple[int, str, str]:
        """(exit code, stdout, stderr) of the build, once it has ended."""
        try:
            code = self.process.wait(timeout=BUILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return (code, (self.folder / "stdout.txt").read_text(encoding="utf-8", errors="replace"),
                (self.folder / "stderr.txt").read_text(encoding="utf-8", errors="replace"))


_build: Build | None = None


def start() -> Build:
    """Start the build (once) into a temporary folder of its own."""
    global _build
    if _build is None:
        folder = Path(tempfile.mkdtemp(prefix="bundle-build-"))
        with (folder / "stdout.txt").open("w") as out, (folder / "stderr.txt").open("w") as err:
            process = subprocess.Popen([sys.executable, str(ROOT / "installer" / "build.py"), "--dist",
                                        str(folder / "dist"), "--work", str(folder / "work")],
                                       stdout=out, stderr=err, text=True, cwd=ROOT)
        _build = Build(folder, process)
    return _build


def clean_up() -> None:
    """At the end of the session: stop a build still running and remove its folder."""
    global _build
    if _build is not None:
        if _build.process.poll() is None:
            _build.process.kill()
            _build.process.wait()
        shutil.rmtree(_build.folder, ignore_errors=True)
        _build = None
