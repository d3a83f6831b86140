"""The [privacy] settings: defaults (no images, a year of raw data), round trip, and bad values named."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from console.alerts.snapshots import snapshot_folder, start_alert_snapshots
from console.settings import PrivacySettings, Settings, SettingsError, load_settings, save_settings


def test_defaults_store_no_images_and_keep_a_year(tmp_path: Path) -> None:
    privacy = load_settings(tmp_path).privacy
    assert privacy == PrivacySettings(snapshots=False, snapshot_dir="", retention_days=365)
    assert snapshot_folder(privacy, tmp_path) == tmp_path / "snapshots"
    # snapshots off: no snapshot taker at all, so nothing can be written
    assert start_alert_snapshots(privacy, tmp_path, object(), lambda task: None) is None
    assert not (tmp_path / "snapshots").exists()


def test_round_trip_keeps_the_other_sections(tmp_path: Path) -> None:
    settings = replace(Settings().with_language("en"),
                       privacy=PrivacySettings(snapshots=True, snapshot_dir=str(tmp_path / "pics"), retention_days=0))
    save_settings(tmp_path, settings)
    assert "[privacy]" in (tmp_path / "settings.toml").read_text()
    loaded = load_settings(tmp_path)
    assert loaded == settings
    assert snapshot_folder(loaded.privacy, tmp_path) == tmp_path / "pics"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[privacy]\nretention_days = 3\n", "privacy.retention_days must be 0 (keep forever) or between 7 and 3650"),
        ("[privacy]\nretention_days = 4000\n", "got 4000"),
        ("[privacy]\nretention_days = -1\n", "privacy.retention_days"),
        ("[privacy]\nretention_days = 30.5\n", "'privacy.retention_days' must be a int"),
        ("[privacy]\nsnapshots = 'yes'\n", "'privacy.snapshots' must be a bool"),
        ("[privacy]\nsnapshot_folder = 'x'\n", "unknown key 'privacy.snapshot_folder'"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "settings.toml").write_text(text)
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path)
    assert needle in str(err.value) and str(tmp_path / "settings.toml") in str(err.value)


@pytest.mark.parametrize("days", [0, 7, 365, 3650])
def test_retention_bounds(tmp_path: Path, days: int) -> None:
    (tmp_path / "settings.toml").write_text(f"[privacy]\nretention_days = {days}\n")
    assert load_settings(tmp_path).privacy.retention_days == days
