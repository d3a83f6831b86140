"""Build the standalone console bundle (and, on Windows, its setup file).

    python installer/build.py [--dist DIR] [--work DIR] [--setup] [--iscc PATH]

Needs the build extra (``pip install -e .[build]``: PyInstaller) in the Python that runs it; on Windows ``--setup``
also needs Inno Setup 6 (``ISCC.exe``, found on PATH, in the default install folder or given with ``--iscc``).

Steps: the version is read from pyproject.toml (the one place it is written); on Windows the application icon is
rendered from resources/icons/console.svg with Qt into an .ico in the work folder; PyInstaller builds
``DIST/branch-lobby-console/`` from installer/console.spec; on Linux the desktop entry, the icon and the install
and uninstall scripts are copied next to the executables, so that folder is what IT ships; on Windows ``--setup``
compiles installer/windows/branch-lobby-console.iss into ``DIST/branch-lobby-console-VERSION-setup.exe``.
Prints the bundle's folder, size and build time. Exit 0, or 1 with the reason on stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "branch-lobby-console"
SPEC = ROOT / "installer" / "console.spec"
LINUX_FILES = ROOT / "installer" / "linux"
ISS = ROOT / "installer" / "windows" / f"{NAME}.iss"


class BuildError(Exception):
    """The build cannot go on; the message says what is missing or what failed."""


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def render_icon(work: Path) -> Path:
    """The SVG icon as a 256-pixel .ico for the Windows executables and setup, drawn by Qt without a display
    (Linux desktops take the SVG itself: install.sh installs it)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # image plug-ins need an application
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ROOT / "resources" / "icons" / "console.svg")).render(painter)
    painter.end()
    app.processEvents()
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"{NAME}.ico"
    if not image.save(str(path)):
        raise BuildError(f"could not write the icon {path}")
    return path


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def find_iscc(given: str | None) -> Path:
    candidates = [given] if given else [shutil.which("ISCC"), shutil.which("iscc"),
                                        r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
                                        r"C:\Program Files\Inno Setup 6\ISCC.exe"]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    raise BuildError("Inno Setup 6 (ISCC.exe) was not found: install it from https://jrsoftware.org/isinfo.php or "
                     "give its path with --iscc")


def build(dist: Path, work: Path, setup: bool = False, iscc: str | None = None) -> Path:
    if importlib.util.find_spec("PyInstaller") is None:
        raise BuildError("PyInstaller is not installed in this Python: pip install -e .[build]")
    if setup and sys.platform != "win32":
        raise BuildError("--setup builds the Windows setup file and needs Windows with Inno Setup 6")
    compiler = find_iscc(iscc) if setup else None  # before the build: a missing Inno Setup is said at once
    version = project_version()
    started = time.perf_counter()
    icon = render_icon(work) if sys.platform == "win32" else None
    env = {**os.environ, "BRANCH_CONSOLE_ICON": str(icon or "")}
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--distpath", str(dist), "--workpath", str(work),
               "--noconfirm", "--log-level", "WARN"]
    result = subprocess.run(command, env=env, cwd=ROOT)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed (exit {result.returncode}); its messages are above")
    bundle = dist / NAME
    if sys.platform.startswith("linux"):
        for name in ("install.sh", "uninstall.sh", f"{NAME}.desktop"):
            shutil.copy2(LINUX_FILES / name, bundle / name)
        shutil.copy2(ROOT / "resources" / "icons" / "console.svg", bundle / f"{NAME}.svg")
    seconds = time.perf_counter() - started
    print(f"bundle: {bundle}")
    print(f"version: {version}")
    print(f"size: {folder_size(bundle) / 1e6:.1f} MB in {sum(1 for _ in bundle.rglob('*'))} files")
    print(f"build time: {seconds:.0f} s")
    if compiler is not None:
        result = subprocess.run([str(compiler), f"/DAppVersion={version}", f"/DBundleDir={bundle}",
                                 f"/DOutputDir={dist}", f"/DIconFile={icon}", str(ISS)], cwd=ROOT)
        if result.returncode != 0:
            raise BuildError(f"Inno Setup failed (exit {result.returncode}); its messages are above")
        print(f"setup: {dist / f'{NAME}-{version}-setup.exe'}")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder (default build/)")
    parser.add_argument("--setup", action="store_true", help="Windows: also compile the Inno Setup installer")
    parser.add_argument("--iscc", help="path of ISCC.exe (default: PATH, then the usual install folders)")
    args = parser.parse_args(argv)
    try:
        build(args.dist.resolve(), args.work.resolve(), args.setup, args.iscc)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
