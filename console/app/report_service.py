"""The closing-time day report: the queue day report (the ``report`` command's figures), the day's occupancy peaks
and the alert log, written as Excel (.xlsx) and PDF to a folder and optionally e-mailed.

Scheduling: an APScheduler 3.x cron job at ``[alerts] report_time`` in the branch's time zone (empty: 15 minutes
after closing; "off": never), ``coalesce`` and a one-hour ``misfire_grace_time``; at start, a report whose time has
passed today and that is not written yet is written at once (the console was closed at report time). The job runs
on the scheduler's thread: it reads the database, writes the .xlsx and prepares the PDF's HTML, then emits
``sig_render``; the PDF is drawn by a bound slot in the GUI thread (Qt text layout belongs there) and the e-mail is
sent from a short-lived thread, so neither blocks the window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal, Slot

from console.alerts.store import ALERT_COLUMNS, alert_rows
from console.domain.day_report import build_day_report
from console.domain.incidents import is_drill
from console.domain.records import BranchInfo
from console.reports.export import sections
from storage import repository
from storage.database import Database

log = logging.getLogger(__name__)

Section = tuple[str, list[str], list[list[object]]]


def report_times(setting: str, branch: BranchInfo) -> dict[time, tuple[int, ...]]:
    """When the closing report is written: ``[alerts] report_time`` "HH:MM" every day, "off" never, or by default
    15 minutes after each weekday's closing (no report on a weekday the branch is closed). Time → the weekdays
    (Monday = 0) it applies to."""
    if setting.strip().lower() == "off":
        return {}
    if setting.strip():
        h, m = setting.split(":")
        return {time(int(h), int(m)): tuple(range(7))}
    times: dict[time, tuple[int, ...]] = {}
    for weekday in range(7):
        hours = branch.weekday_hours(date(2000, 1, 3) + timedelta(days=weekday))  # 3 January 2000: a Monday
        if hours.closes is None:
            continue
        at = (datetime.combine(date(2000, 1, 3), hours.closes) + timedelta(minutes=15)).time()
        times[at] = (*times.get(at, ()), weekday)
    return times


def report_time(setting: str, branch: BranchInfo, day: date) -> time | None:
    """When ``day``'s closing report is due (None: none that day)."""
    return next((at for at, days in report_times(setting, branch).items() if day.weekday() in days), None)


def report_sections(db: Database, branch: BranchInfo, day: date, target_min: float = 10.0) -> list[Section]:
    """Every section of the closing report of ``day``."""
    tz = ZoneInfo(branch.timezone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = start + timedelta(days=1)
    tickets = repository.load_tickets(db, branch.code, start, end)
    appointments = repository.load_appointments(db, branch.code, start, end)
    report = build_day_report(tickets, day, tz, target_min, appointments, min(end, datetime.now(tz)))
    out: list[Section] = list(sections(report))
    peaks = []
    lobby = repository.load_occupancy(db, branch.code, start, end)
    by_time: dict[datetime, int] = {}
    for p in lobby:
        by_time[p.at] = by_time.get(p.at, 0) + p.count
    if by_time:
        at, peak = max(by_time.items(), key=lambda kv: (kv[1], -kv[0].timestamp()))
        capacity = branch.lobby_capacity
        peaks.append(["lobby", peak, at.astimezone(tz).strftime("%H:%M:%S"),
                      round(peak / capacity, 4) if capacity else ""])
    for z in repository.load_zones(db, branch.code):
        points = repository.load_occupancy(db, branch.code, start, end, zone=z.name)
        if points:
            p = max(points, key=lambda p: (p.count, -p.at.timestamp()))
            peaks.append([z.name, p.count, p.at.astimezone(tz).strftime("%H:%M:%S"),
                          round(p.count / z.capacity, 4) if z.capacity else ""])
    out.append(("Occupancy peaks", ["where", "people", "at", "share_of_capacity"], peaks))
    # drills are listed with the incidents (marked, with their response times), never among the real alerts
    alerts = [a for a in repository.load_alerts(db, branch.code, start, end) if not is_drill(a.rule)]
    out.append(("Alerts", list(ALERT_COLUMNS), alert_rows(alerts, tz)))
    out.append(("Incidents and drills", list(INCIDENT_COLUMNS),
                incident_rows(repository.load_incidents(db, branch.code, start, end), tz)))
    out.append(audit_anchor_section(db))
    return out


def audit_anchor_section(db: Database) -> Section:
    """The audit trail's head when the report was made — entries in the chain and the newest one's hash — so each
    day's report, kept outside the PC, is an anchor an auditor compares ``main.py audit verify`` against: a later
    trail must contain this entry with this hash (console/security/audit_seal.py)."""
    from console.security.audit_seal import head_of

    count, head = head_of(db)
    return ("Audit trail", ["figure", "value"], [["entries", count], ["head_hash", head],
                                                  ["taken_at_utc", datetime.now(UTC).isoformat(timespec="seconds")]])


#: the day report's incident section: what, when, drill or not, and the response times in minutes from the report
INCIDENT_COLUMNS = ("reported_at", "type", "drill", "reported_by", "note", "acknowledged_after_min",
                    "steps_done", "step_minutes", "closed_after_min", "closed_by", "summary")


def incident_rows(incidents, tz: ZoneInfo) -> list[list[object]]:
    """One row per incident (drills marked): minutes from the report to its acknowledgement, to each step ("1: 0.5;
    2: 1.0; 3: —") and to its closing."""
    rows: list[list[object]] = []
    for i in incidents:
        ack, steps, closed = i.response_minutes()
        rows.append([i.raised_at.astimezone(tz).strftime("%H:%M:%S"), i.kind.value, "yes" if i.drill else "",
                     i.raised_by, i.note, "" if ack is None else ack,
                     f"{sum(1 for s in steps if s is not None)}/{len(steps)}",
                     "; ".join(f"{n + 1}: {'—' if m is None else m}" for n, m in enumerate(steps)),
                     "" if closed is None else closed, i.closed_by or "", i.summary])
    return rows


def write_xlsx(path: Path, found: Sequence[Section]) -> None:
    """The sections as one sheet each, written atomically; every cell through ``safe_cell``, since alert subjects,
    notes and names come from outside the console (a text a spreadsheet would run as a formula is written as text)."""
    from console.reports.export import write_sections_xlsx

    write_sections_xlsx(path, found)


def to_html(branch: BranchInfo, day: date, found: Sequence[Section]) -> str:
    from console.reports.export import sections_html

    return sections_html(f"{branch.name} ({branch.code}) — {day.isoformat()}", "", found)


def render_pdf(document_html: str, path: Path) -> None:
    """Draw the HTML into a PDF (GUI thread). Written beside the target, then renamed."""
    from widgets.pdf_document import render_pdf as draw

    draw(document_html, path)


@dataclass(frozen=True)
class ReportFiles:
    day: date
    xlsx: Path
    pdf: Path
    html: str


class ReportService(QObject):
    """Owns the cron job; lives in the GUI thread."""

    sig_render = Signal(object)  # ReportFiles, emitted from the scheduler's thread
    sig_written = Signal(object)  # ReportFiles, in the GUI thread once both files exist

    def __init__(self, db: Database, branch: BranchInfo, settings, folder: Path, target_min: float,
                 parent: QObject | None = None, password=None) -> None:
        """``password``: reads the SMTP password from the secret store (console.alerts.delivery.smtp_password)."""
        super().__init__(parent)
        self.db, self.branch, self.settings, self.folder, self.target_min = db, branch, settings, folder, target_min
        self.password = password
        self.tz = ZoneInfo(branch.timezone)
        self.times = report_times(settings.report_time, branch)
        self.scheduler = None
        self.written: list[ReportFiles] = []
        self.errors: list[str] = []
        self.sig_render.connect(self._render)

    def paths(self, day: date) -> tuple[Path, Path]:
        stem = f"day-report-{self.branch.code}-{day.isoformat()}"
        return self.folder / f"{stem}.xlsx", self.folder / f"{stem}.pdf"

    def start(self) -> None:
        if not self.times:
            return
        from apscheduler.schedulers.background import BackgroundScheduler

        self.scheduler = BackgroundScheduler(daemon=True, timezone=self.tz,
                                             job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": 3600})
        for n, (at, weekdays) in enumerate(self.times.items()):
            self.scheduler.add_job(self.run, "cron", hour=at.hour, minute=at.minute,
                                   day_of_week=",".join(str(d) for d in weekdays), id=f"day-report-{n}")
        now = datetime.now(self.tz)
        due = report_time(self.settings.report_time, self.branch, now.date())
        if due is not None and now.time() >= due and not self.paths(now.date())[0].exists():
            self.scheduler.add_job(self.run, id="day-report-catch-up")  # missed while the console was closed
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None

    def run(self, day: date | None = None) -> ReportFiles | None:
        """The job (scheduler thread): sections, .xlsx, HTML; then the GUI thread draws the PDF."""
        day = day or datetime.now(self.tz).date()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            found = report_sections(self.db, self.branch, day, self.target_min)
            xlsx, pdf = self.paths(day)
            write_xlsx(xlsx, found)
        except Exception as exc:  # reported, never raised into the scheduler
            self.errors.append(str(exc))
            log.error("day report of %s not written: %s", day, exc)
            return None
        files = ReportFiles(day, xlsx, pdf, to_html(self.branch, day, found))
        self.sig_render.emit(files)
        return files

    @Slot(object)
    def _render(self, files: ReportFiles) -> None:
        try:
            render_pdf(files.html, files.pdf)
        except Exception as exc:
            self.errors.append(str(exc))
            log.error("day report PDF not written: %s", exc)
            return
        self.written.append(files)
        log.info("day report written: %s, %s", files.xlsx, files.pdf)
        self.sig_written.emit(files)
        if self.settings.report_email and self.settings.email_to and self.settings.smtp_host:
            threading.Thread(target=self._mail, args=(files,), name="report-mail", daemon=True).start()

    def _mail(self, files: ReportFiles) -> None:
        from email.message import EmailMessage

        from console.alerts.delivery import DeliveryError, smtp_send

        message = EmailMessage()
        message["Subject"] = f"Day report {self.branch.code} {files.day.isoformat()}"
        message.set_content(f"The day report of {self.branch.name} for {files.day.isoformat()} is attached.")
        for path, kind in ((files.xlsx, ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
                           (files.pdf, ("application", "pdf"))):
            message.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=path.name)
        try:
            smtp_send(self.settings, message, self.password)
        except DeliveryError as exc:
            self.errors.append(f"e-mail: {exc}")
            log.error("day report e-mail not sent: %s", exc)
