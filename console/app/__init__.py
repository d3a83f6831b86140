"""The Qt application shell: the composition roots of the branch window (``context.py``) and the regional view
(``region_context.py``), their windows, the GUI-thread controllers and the Qt services (alert evaluation, advice,
the closing report, cameras). The only part of console/ that imports Qt."""

from pathlib import Path

#: The folder of icons, style sheets and translations (beside ``console/`` in a checkout and in the bundle).
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
#: The guides (``docs/``): Help → User guide shows the user guide in the interface language.
DOCS = Path(__file__).resolve().parents[2] / "docs"
