"""Every visible string in the code is translated to zh_CN, and the shipped .qm is built from the .ts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "console_zh_CN.ts"
QM = ROOT / "resources" / "translations" / "console_zh_CN.qm"
BIN = Path(sys.executable).parent


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    tree = ET.parse(path)
    out = {}
    for context in tree.iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            out[(name, message.findtext("source"))] = message.find("translation")
    return out


def test_ts_covers_every_string_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    subprocess.run([str(BIN / "pyside6-lupdate"), "-extensions", "py", "-locations", "none", "main.py", "console", "widgets",
                    "-ts", str(fresh), "-no-obsolete"], cwd=ROOT, check=True, capture_output=True)
    found = messages(fresh)
    shipped = messages(TS)
    assert set(found) == set(shipped), (
        f"new in code: {sorted(set(found) - set(shipped))}; stale in .ts: {sorted(set(shipped) - set(found))}"
    )
    for key, translation in shipped.items():
        assert translation.get("type") is None and translation.text, f"untranslated: {key}"
        for placeholder in re.findall(r"%\d", key[1]):
            assert placeholder in translation.text, f"{key}: translation lacks {placeholder}"


def test_qm_is_compiled_from_ts(tmp_path: Path) -> None:
    out = tmp_path / "out.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == QM.read_bytes(), "run pyside6-lrelease (see docs/developer-guide.md) and commit the .qm"
