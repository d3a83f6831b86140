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

