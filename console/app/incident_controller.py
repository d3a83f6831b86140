"""What the Report incident button (toolbar, F9) and an incident's dialog do: the permission check, the write tasks
through the database writer, and showing the incident again after each change. An incident opened from the Alerts
panel or the banner comes here too (``console/app/alert_controller.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLocale, QObject, Slot
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from console.alerts.incidents import (
    CROWDING_PLANS,
    PlanError,
    branch_plans,
    crowding_plan,
    crowding_plan_dict,
    plan_roles,
    plan_to_dict,
    report_task,
    reported_record,
)
from console.domain.incidents import EmergencyPlan, IncidentType
from console.domain.permissions import Permission
from console.domain.vocabulary import AlertSeverity
from storage import repository
from storage.tasks import CloseIncident, SaveEmergencyPlans, TickIncidentStep
from storage.writer import WriteFailed
from widgets import labels
from widgets.dialogs.emergency_plans_dialog import EmergencyPlansDialog, contacts_of, plan_texts
from widgets.dialogs.incident_dialogs import IncidentDialog, ReportIncidentDialog


class IncidentController(QObject):
    """``after_change()`` is called once an incident was reported, ticked or closed (the alert list reloads)."""

    def __init__(self, context, parent: QWidget | None = None, after_change=None) -> None:
        super().__init__(parent)
        self.context = context
        self.after_change = after_change
        #: the ids of incidents the alert controller has shown (an incident reported here is not announced here)
        self.seen: set[int] | None = None

    @property
    def user(self) -> str:
        desk = self.context.desk
        return desk.user if desk is not None and desk.user else "console"

    def _language(self) -> str:
        """The window's language ("zh_CN", "en_US"): the defaults of a plan are written in it."""
        return QLocale().name()

    def _tz(self) -> ZoneInfo:
        branch = repository.load_branch(self.context.env.db, self.context.branch_code)
        return ZoneInfo(branch.timezone) if branch is not None else ZoneInfo("UTC")

    def may_act(self) -> str | None:
        """Why the logged-in user may not report or work on incidents (None: they may)."""
        if self.context.viewer:
            return self.tr("Incidents of a branch opened from the regional view are handled at the branch's own "
                           "console.")
        operator = self.context.operator
        return labels.denied(operator.role, Permission.REPORT_INCIDENTS, operator.read_only)

    def _store(self, task) -> str | None:
        try:
            self.context.writer.submit_and_wait(task)
        except WriteFailed as exc:
            return str(exc)
        if self.after_change is not None:
            self.after_change()
        return None

    @Slot()
    def report(self) -> int | None:
        """Ask what happened, store it, and open its plan; the stored incident's number (None: nothing stored)."""
        why = self.may_act()
        if why is not None:
            QMessageBox.warning(self.parent(), self.tr("Report incident"), why)
            return None
        dialog = ReportIncidentDialog(self.parent())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        task = report_task(self.context.env.db, self.context.branch_code, dialog.kind(), self.user, dialog.note(),
                           datetime.now(UTC), drill=dialog.drill(), language=self._language())
        problem = self._store(task)
        if problem is not None:
            QMessageBox.warning(self.parent(), self.tr("Report incident"),
                                self.tr("Not stored: %1").replace("%1", problem))
            return None
        self.announce(task)
        self.open(task.alert_id)
        return task.alert_id

    def announce(self, task) -> None:
        """Send an incident reported here at once to the branch-wide chat robot and e-mail list and to the roles its
        plan names (the notifier's thread; failures show on the Alerts panel like any alert's). This PC does not
        sound for it: the person who reported it is here."""
        if self.seen is not None:
            self.seen.add(task.alert_id)
        notifier = self.context.notifier
        if notifier is not None:
            kind = IncidentType(task.kind)
            notifier.submit_incident(reported_record(task), plan_roles(self.context.env.db,
                                                                       self.context.branch_code, kind))

    def plans_dialog(self) -> EmergencyPlansDialog:
        """File → Emergency plans…: the branch's plans (its own, else the defaults), read-only for a role that may
        not edit them; saving stores them all, audited."""
        from console.app.alert_controller import default_plan

        db, code = self.context.env.db, self.context.branch_code
        plans = branch_plans(db, code, self._language())
        settings = self.context.env.settings.alerts
        crowding = {}
        for kind, critical, legacy in (("crowding_warning", False, settings.plan_warning),
                                       ("crowding_critical", True, settings.plan_critical)):
            crowding[kind] = crowding_plan(db, code, critical) or list(legacy) or default_plan(
                AlertSeverity.CRITICAL if critical else AlertSeverity.WARNING, self._language())
        operator = self.context.operator
        may = operator.may(Permission.EDIT_PLANS) and not self.context.viewer
        user = self.user
        notify = {kind.value: list(plan.notify_roles) for kind, plan in plans.items()}

        def save(texts) -> str | None:
            try:
                stored = []
                for kind, (steps, contacts) in texts.items():
                    if kind in CROWDING_PLANS:
                        stored.append(crowding_plan_dict(kind == "crowding_critical", steps))
                    else:
                        plan = plans[IncidentType(kind)]
                        stored.append(plan_to_dict(EmergencyPlan(plan.kind, tuple(steps), contacts_of(contacts),
                                                                 tuple(notify.get(kind, plan.notify_roles)))))
            except PlanError as exc:
                return str(exc)
            return self._store(SaveEmergencyPlans(code, tuple(stored), user, datetime.now(UTC)))

        return EmergencyPlansDialog(plan_texts(plans, crowding), save, self.parent(), read_only=not may,
                                    notify=notify)

    @Slot()
    def edit_plans(self) -> None:
        dialog = self.plans_dialog()
        dialog.exec()
        dialog.deleteLater()

    def dialog_for(self, alert_id: int) -> IncidentDialog | None:
        """The dialog of a stored incident (None: no such incident)."""
        db = self.context.env.db
        incident = repository.load_incident(db, alert_id)
        if incident is None:
            return None
        plan = branch_plans(db, self.context.branch_code, self._language())[incident.kind]
        user = self.user

        def tick(position: int, done: bool) -> str | None:
            return self._store(TickIncidentStep(alert_id, position, done, user, datetime.now(UTC)))

        def close(summary: str) -> str | None:
            return self._store(CloseIncident(alert_id, user, summary, datetime.now(UTC)))

        return IncidentDialog(incident, plan.contacts, self._tz(), tick=tick, close=close,
                              reload=lambda: repository.load_incident(db, alert_id),
                              export=partial(self.export_record, alert_id),
                              can_act=self.may_act() is None, parent=self.parent())

    def record_html(self, alert_id: int) -> str | None:
        """The one-page incident record in the window's language (None: no such incident): the branch, what, when,
        by whom, drill or not, the note, each step with when and by whom it was done, the numbers to call, the
        closing and its summary, and the response times in minutes."""
        import html

        db = self.context.env.db
        incident = repository.load_incident(db, alert_id)
        branch = repository.load_branch(db, self.context.branch_code)
        if incident is None or branch is None:
            return None
        tz = ZoneInfo(branch.timezone)
        plan = branch_plans(db, branch.code, self._language())[incident.kind]
        e = html.escape

        def when(at) -> str:
            return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if at is not None else "—"

        ack, step_minutes, closed = incident.response_minutes()
        title = self.tr("Drill record") if incident.drill else self.tr("Incident record")
        rows = [(self.tr("What"), labels.incident_type(incident.kind)),
                (self.tr("Reported"), f"{when(incident.raised_at)} · {incident.raised_by}"),
                (self.tr("Note"), incident.note or "—"),
                (self.tr("Acknowledged"), when(incident.acknowledged_at)),
                (self.tr("Numbers to call"), ", ".join(c.number if c.name == c.number else f"{c.name} {c.number}"
                                                       for c in plan.contacts) or "—"),
                (self.tr("Closed"), f"{when(incident.closed_at)} · {incident.closed_by or '—'}"),
                (self.tr("Summary"), incident.summary or "—"),
                (self.tr("Response (minutes after the report)"),
                 self.tr("acknowledged %1 · closed %2").replace("%1", "—" if ack is None else f"{ack:g}")
                 .replace("%2", "—" if closed is None else f"{closed:g}"))]
        parts = [f"<h2>{e(title)} — {e(branch.name)} ({e(branch.code)})</h2>", '<table cellpadding="3">']
        parts += [f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows]
        parts.append("</table>")
        parts.append(f"<h3>{e(self.tr('Emergency plan'))}</h3>")
        parts.append('<table border="1" cellspacing="0" cellpadding="3"><tr>' + "".join(
            f"<th>{e(h)}</th>" for h in (self.tr("Step"), self.tr("Done"), self.tr("By"), self.tr("Minutes"))) + "</tr>")
        for step, minutes in zip(incident.steps, step_minutes, strict=True):
            parts.append(f"<tr><td>{step.position + 1}. {e(step.text)}</td><td>{e(when(step.done_at))}</td>"
                         f"<td>{e(step.done_by or '—')}</td><td>{'—' if minutes is None else f'{minutes:g}'}</td></tr>")
        parts.append("</table>")
        return "\n".join(parts)

    def export_record(self, alert_id: int, path: Path) -> str | None:
        """Write the incident's one-page record as a PDF at ``path`` (None when written, else why not)."""
        from console.app.report_service import render_pdf

        document = self.record_html(alert_id)
        if document is None:
            return self.tr("no incident %1").replace("%1", str(alert_id))
        try:
            render_pdf(document, path)
        except OSError as exc:
            return str(exc)
        return None

    def open(self, alert_id: int) -> None:
        dialog = self.dialog_for(alert_id)
        if dialog is not None:
            dialog.exec()
            dialog.deleteLater()
