from __future__ import annotations

from pathlib import Path

import pytest

from console.settings import Settings, SettingsError, load_settings, save_settings


def test_defaults_and_round_trip(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()
    s = Settings().with_language("zh_CN")
    save_settings(tmp_path, s)
    assert load_settings(tmp_path) == s
    assert "schema_version = 1" in (tmp_path / "settings.toml").read_text()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[ui]\nlanguag = 'en'\n", "unknown key 'ui.languag'"),
        ("[uix]\n", "unknown section or key 'uix'"),
        ("[ui]\nlanguage = 'fr'\n", "unknown language 'fr'"),
        ("[demo]\nspeed = 'fast'\n", "'demo.speed' must be a float"),
        ("[demo]\nspeed = 0\n", "speed must be above 0"),
        ("[cameras]\noffline_after_s = 1\n", "offline_after_s must be between 2 and 3600 seconds"),
        ("[api]\nenabled = true\ntoken = 'short'\n", "api.token must be at least 16 characters"),
        ("[api]\nport = 70000\n", "api.port must be between 1 and 65535"),
        ("[staffing]\ntarget_share = 1.5\n", "staffing.target_share must be between 0.05 and 0.99"),
        ("[staffing]\nmax_duty_h = -2\n", "staffing.max_duty_h must be between 1 and 24 hours, got -2"),
        ("[staffing]\nadvice = 'yes'\n", "'staffing.advice' must be a bool"),
        ("schema_version = 9\n", "newer console"),
        ("[ui\n", "not valid TOML"),
    ],
)
def test_bad_files_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "settings.toml").write_text(text)
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path)
    assert needle in str(err.value)
    assert str(tmp_path / "settings.toml") in str(err.value)



def test_staffing_settings_give_the_roster_rules(tmp_path: Path) -> None:
    from datetime import timedelta

    (tmp_path / "settings.toml").write_text("[staffing]\nmax_duty_h = 9\nmin_rest_h = 12.5\ntarget_wait_min = 15\n")
    settings = load_settings(tmp_path)
    rules = settings.staffing.roster_rules()
    assert rules.max_duty == timedelta(hours=9) and rules.min_rest == timedelta(hours=12, minutes=30)
    assert rules.split_gap == timedelta(hours=3) and settings.staffing.target_wait_min == 15.0
