"""The command line against a PostgreSQL server (``--db postgresql+psycopg://…``): a simulated day stored there
gives the same report, forecast and alert replay as the same day stored in a SQLite file (whose figures
tests/cli/test_cli.py checks with plain SQL), and `db info` names the server without its password."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cli.test_cli import run
from tests.pg import fresh_database


def test_the_same_day_on_postgresql_and_sqlite_gives_the_same_figures(tmp_path: Path) -> None:
    sqlite_dir = tmp_path / "sqlite"
    with fresh_database() as url:
        pg = ["--db", url]
        targets = (([], sqlite_dir), (pg, tmp_path / "pg"))
        with ThreadPoolExecutor(2) as pool:  # the two databases are filled side by side, one process each
            for stored in pool.map(lambda t: run(*t[0], "simulate", "--date", "2026-11-27", "--seed", "5",
                                                 data_dir=t[1]), targets):
                assert stored.returncode == 0, stored.stderr

        def figures(target) -> tuple:
            extra, data = target
            report = run(*extra, "report", "--date", "2026-11-27", "--json", data_dir=data)
            forecast = run(*extra, "forecast", "--date", "2026-11-30", "--json", data_dir=data)
            alerts = run(*extra, "alerts", "check", "--at", "2026-11-27T11:30", "--json", data_dir=data)
            for result in (report, forecast, alerts):
                assert result.returncode == 0, result.stderr
            return json.loads(report.stdout), json.loads(forecast.stdout), json.loads(alerts.stdout)

        with ThreadPoolExecutor(2) as pool:
            outputs = list(pool.map(figures, targets))
        assert outputs[0] == outputs[1]
        assert outputs[0][0]["arrived"] > 100
        info = run(*pg, "db", "info", data_dir=tmp_path / "pg")
        assert info.returncode == 0 and "postgresql+psycopg://console_test:***@" in info.stdout
        assert "console_test:console_test@" not in info.stdout + info.stderr
