"""The closing-time day report: Excel and PDF written by the scheduled job (caught up at start when its time has
passed), with the queue figures, the occupancy peaks checked against the stored samples, and the alert log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from console.app.report_service import ReportService
from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertSeverity, AlertState
from console.settings import AlertSettings
from console.sources.demo_day import DemoDay, DemoRecorder
from storage import repository
from storage.tasks import SaveAlert
from storage.writer import apply_now
from tests.gui.conftest import make_env

pytestmark = pytest.mark.gui

DAY = date(2026, 11, 27)


def test_day_report_written_by_the_job_with_peaks_and_alert_log(qtbot, qapp, isolated_data_dir, tmp_path) -> None:
    env = make_env(isolated_data_dir)
    try:
        demo = DemoDay(DAY, 4)
        recorder = DemoRecorder(lambda task: apply_now(env.db, task))
        recorder.begin_day(demo)
        for step in demo.run_to_end(timedelta(minutes=30)):
            recorder.record(demo, step)
        raised = datetime(2026, 11, 27, 4, 5, tzinfo=UTC)
        apply_now(env.db, SaveAlert("DEMO", AlertRecord(None, "long_wait", AlertSeverity.WARNING, AlertState.RESOLVED,
                                                        "B049", "long_wait B049: 16", raised, value=16.0,
                                                        threshold=15.0, resolved_at=raised + timedelta(minutes=3))))
        branch = repository.load_branch(env.db, "DEMO")
        tz = ZoneInfo(branch.timezone)
        now = datetime.now(tz)
        passed = (now - timedelta(minutes=1)).strftime("%H:%M") if now.hour or now.minute else "00:00"
        service = ReportService(env.db, branch, AlertSettings(report_time=passed), tmp_path / "reports", 10.0)
        files_day = now.date()
        service.start()  # its time today has passed and no report exists: written at once
        try:
            qtbot.waitUntil(lambda: bool(service.written) or bool(service.errors), timeout=30_000)
        finally:
            service.stop()
        assert not service.errors and service.written[0].day == files_day
        assert service.written[0].pdf.read_bytes().startswith(b"%PDF")

        files = service.run(DAY)  # the simulated day itself
        qtbot.waitUntil(lambda: len(service.written) == 2, timeout=30_000)
        assert files is not None and files.pdf.read_bytes().startswith(b"%PDF") and files.pdf.stat().st_size > 2000
        book = load_workbook(files.xlsx)
        assert {"Summary", "Service types", "Counters", "Intervals", "Occupancy peaks", "Alerts"} <= set(book.sheetnames)
        summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
        start = datetime(2026, 11, 27, tzinfo=tz)
        tickets = repository.load_tickets(env.db, "DEMO", start, start + timedelta(days=1))
        assert summary["arrived"] == len(tickets)
        lobby = repository.load_occupancy(env.db, "DEMO", start, start + timedelta(days=1))
        peak = max(p.count for p in lobby)
        peaks = {r[0]: r for r in book["Occupancy peaks"].iter_rows(min_row=2, values_only=True)}
        assert peaks["lobby"][1] == peak
        first_peak = min(p.at for p in lobby if p.count == peak).astimezone(tz).strftime("%H:%M:%S")
        assert peaks["lobby"][2] == first_peak and peaks["lobby"][3] == pytest.approx(peak / 60, abs=1e-4)
        alerts = list(book["Alerts"].iter_rows(min_row=2, values_only=True))
        assert [(a[3], a[4], a[1]) for a in alerts] == [("long_wait", "B049", "2026-11-27 12:05:00")]

        # e-mailed to a local SMTP server, with both files attached
        from aiosmtpd.controller import Controller

        from tests.alerts.test_alert_delivery import Mailbox
        from tests.camera.mjpeg_server import free_port

        box, port = Mailbox(), free_port()
        smtp = Controller(box, hostname="127.0.0.1", port=port)
        smtp.start()
        try:
            mailing = ReportService(env.db, branch, AlertSettings(report_time="off", report_email=True,
                                                                  smtp_host="127.0.0.1", smtp_port=port,
                                                                  email_to=["manager@branch"]),
                                    tmp_path / "mailed", 10.0)
            mailing.run(DAY)
            qtbot.waitUntil(lambda: bool(box.messages) or bool(mailing.errors), timeout=30_000)
        finally:
            smtp.stop()
        assert not mailing.errors
        (message,) = box.messages
        assert "Subject: Day report DEMO 2026-11-27" in message
        assert 'filename="day-report-DEMO-2026-11-27.xlsx"' in message
        assert 'filename="day-report-DEMO-2026-11-27.pdf"' in message
    finally:
        env.close()


def test_the_closing_report_follows_each_weekdays_closing() -> None:
    """By default the report comes 15 minutes after the day's closing, and not on a day the branch is closed."""
    from datetime import time as clock
    from pathlib import Path

    from console.app.report_service import report_time, report_times
    from console.branches.branch_file import read_branch_file

    branch = read_branch_file(Path(__file__).resolve().parents[2] / "resources" / "examples" / "branch.toml")
    info = branch.branch_info()  # 09:00-17:00 on weekdays, 09:30-16:00 on Saturdays, closed on Sundays
    assert report_times("", info) == {clock(17, 15): (0, 1, 2, 3, 4), clock(16, 15): (5,)}
    assert report_time("", info, date(2026, 12, 5)) == clock(16, 15)  # a Saturday
    assert report_time("", info, date(2026, 12, 6)) is None  # a Sunday: closed
    assert report_times("18:30", info) == {clock(18, 30): tuple(range(7))}
    assert report_times("off", info) == {}
