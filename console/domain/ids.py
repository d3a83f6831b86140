"""Ordering of identifiers people read: counters "1", "2", …, "10" in numeric order."""

from __future__ import annotations


def natural_key(text: str) -> tuple[int, str]:
    """Sort "2" before "10"; non-numeric ids come after the numeric ones, in text order."""
    return (int(text), "") if text.isdigit() else (10**9, text)
