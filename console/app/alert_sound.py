"""Alert sounds that differ by severity: info one short high tone, warning two medium tones, critical four long
low tones. PySide6-Essentials has no multimedia module, so the tones are written once as WAV files (standard
library ``wave``) and played by the platform: ``winsound`` on Windows, ``paplay`` or ``aplay`` on Linux, in the
background; where none is available, the desktop's beep. Never blocks and never raises."""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from console.domain.vocabulary import AlertSeverity

log = logging.getLogger(__name__)

#: (frequency Hz, tone seconds, gap seconds, repeats) per severity
PATTERNS = {
    AlertSeverity.INFO: (1320.0, 0.12, 0.0, 1),
    AlertSeverity.WARNING: (880.0, 0.18, 0.12, 2),
    AlertSeverity.CRITICAL: (520.0, 0.35, 0.15, 4),
}
RATE = 16_000


def tone_file(severity: AlertSeverity, folder: Path | None = None) -> Path:
    """The WAV file of a severity's pattern (written on first use)."""
    folder = folder or Path(tempfile.gettempdir()) / "branch-console-sounds"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"alert-{severity.value}.wav"
    if path.exists():
        return path
    freq, tone_s, gap_s, repeats = PATTERNS[severity]
    frames = bytearray()
    for _ in range(repeats):
        n = int(tone_s * RATE)
        for i in range(n):
            fade = min(1.0, i / 200, (n - i) / 200)
            frames += struct.pack("<h", int(12_000 * fade * math.sin(2 * math.pi * freq * i / RATE)))
        frames += b"\x00\x00" * int(gap_s * RATE)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    tmp.replace(path)
    return path


def play(severity: AlertSeverity) -> str:
    """Play the severity's sound; returns how ("winsound", "paplay", "aplay", "beep" or "none")."""
    try:
        path = tone_file(severity)
        if sys.platform == "win32":
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
            return "winsound"
        for player in ("paplay", "aplay"):
            exe = shutil.which(player)
            if exe:
                subprocess.Popen([exe, "-q", str(path)] if player == "aplay" else [exe, str(path)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                return player
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None:
            QApplication.beep()
            return "beep"
    except Exception as exc:  # a sound must never break the alert
        log.warning("alert sound not played: %s", exc)
    return "none"
