"""Alert sounds differ by severity: the WAV files written for each have the pattern's length and pitch."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import pytest

from console.app.alert_sound import PATTERNS, RATE, tone_file
from console.domain.vocabulary import AlertSeverity


@pytest.mark.parametrize("severity", list(AlertSeverity))
def test_each_severity_has_its_own_tone(tmp_path: Path, severity: AlertSeverity) -> None:
    path = tone_file(severity, tmp_path)
    freq, tone_s, gap_s, repeats = PATTERNS[severity]
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)
        samples = struct.unpack(f"<{w.getnframes()}h", w.readframes(w.getnframes()))
    assert len(samples) == repeats * (int(tone_s * RATE) + int(gap_s * RATE))
    first = samples[: int(tone_s * RATE)]
    crossings = sum(1 for a, b in zip(first, first[1:]) if (a < 0) != (b < 0))
    assert crossings / 2 / tone_s == pytest.approx(freq, rel=0.03)  # the pitch of the pattern


def test_the_patterns_are_told_apart() -> None:
    lengths = {s: p[3] * (p[1] + p[2]) for s, p in PATTERNS.items()}
    assert lengths[AlertSeverity.INFO] < lengths[AlertSeverity.WARNING] < lengths[AlertSeverity.CRITICAL]
    assert len({p[0] for p in PATTERNS.values()}) == 3
