"""Branch Lobby Console (网点厅堂监控台): the application.

``console/domain/`` holds the Qt-free records and rules; the feature packages (``alerts``, ``cameras``, ``cli``,
``feed``, ``reports``, ``security``, ``sources``, ``staffing``, ``sim``) the Qt-free application; ``console/app/``
the Qt shell. The layers are checked by the import-linter contracts in pyproject.toml (docs/developer-guide.md).
"""

from __future__ import annotations

from pathlib import Path


def _version() -> str:
    """The version in pyproject.toml (the one place it is written); the installed metadata when bundled."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        import tomllib

        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, KeyError, ValueError):
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("branch-lobby-console")
        except PackageNotFoundError:
            return "unknown"


__version__ = _version()
