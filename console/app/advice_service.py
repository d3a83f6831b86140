"""The scheduled staffing advice: an APScheduler job evaluates ``console/domain/advice.py`` once a branch minute and
signals the result to the GUI thread; the manager accepts (the requests go through the ``CounterDesk``: checked,
stored with their audit entries, carried out) or dismisses.

Threads: ``AdviceService`` lives in the GUI thread. Every branch view it receives (a bound slot) it keeps as plain
inputs. An APScheduler 3.x ``BackgroundScheduler`` job runs every ``POLL_S`` seconds of wall time on the
scheduler's thread; when the branch clock has entered a new minute since its last evaluation (so once a minute on a
live branch, once a simulated minute in a fast demo as far as ``POLL_S`` allows) it computes the advice from those
inputs — never touching a widget — and emits ``sig_advice``; the signal belongs to a GUI-thread object, so its
connected bound slots run in the GUI thread. ``coalesce`` and ``max_instances=1`` keep a slow evaluation from
piling up runs; ``misfire_grace_time`` lets a late run still happen.

Dismissed advice (by its key: kind, service type, counter, person) stays hidden for ``DISMISS_FOR`` of branch time.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QObject, Signal, Slot

from console.domain.advice import Advice, AdviceInputs, AdviceResult, AdviceSettings, advise
from console.staffing.calendar_cn import hours_on
from console.staffing.demand import fallback_counter_time_s

log = logging.getLogger(__name__)

POLL_S = 2.0
DISMISS_FOR = timedelta(minutes=15)


class AdviceService(QObject):
    """Owns the scheduler and the dismissed set; create and use in the GUI thread."""

    sig_advice = Signal(object)  # AdviceResult, emitted from the scheduler's thread

    def __init__(self, target_wait_min: float, target_share: float, enabled: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = AdviceSettings(target_s=target_wait_min * 60, target_share=target_share)
        self.enabled = enabled
        self.fallback = fallback_counter_time_s()
        self._inputs: AdviceInputs | None = None  # replaced whole by the GUI thread, read by the job
        self._lock = threading.Lock()
        self._dismissed: dict[str, datetime] = {}  # key → hidden until (branch time)
        self._last_minute: datetime | None = None
        self.latest: AdviceResult | None = None
        self.evaluations = 0
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        if not self.enabled or self._scheduler is not None:
            return
        self._scheduler = BackgroundScheduler(daemon=True, job_defaults={"coalesce": True, "max_instances": 1,
                                                                         "misfire_grace_time": 30})
        self._scheduler.add_job(self.run_due, "interval", seconds=POLL_S, id="staffing-advice")
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    # --- GUI thread -----------------------------------------------------------------------------------------

    @Slot(object)
    def show_view(self, view) -> None:
        """Keep the latest branch instant as plain inputs (a BranchView from the controller)."""
        snap = view.snapshot
        tz = snap.at.tzinfo
        hours = hours_on(snap.branch, snap.day)  # None on a day the branch is closed
        self._inputs = AdviceInputs(
            at=snap.at, counters=snap.counters, tickets=snap.tickets, staff=snap.staff, roster=snap.roster,
            pending=tuple(view.pending),
            opens_at=datetime.combine(snap.day, hours.opens, tzinfo=tz) if hours.opens else None,
            closes_at=datetime.combine(snap.day, hours.closes, tzinfo=tz) if hours.closes else None)

    def dismiss(self, advice: Advice) -> None:
        """Hide this proposal for ``DISMISS_FOR`` of branch time, and drop it from the latest result now."""
        with self._lock:
            self._dismissed[advice.key] = advice.commands[0].at + DISMISS_FOR
        if self.latest is not None:
            self.latest = _without(self.latest, advice.key)
            self.sig_advice.emit(self.latest)

    def taken(self, advice: Advice) -> None:
        """An accepted proposal leaves the list at once (the next evaluation sees the counter pending)."""
        if self.latest is not None:
            self.latest = _without(self.latest, advice.key)
            self.sig_advice.emit(self.latest)

    # --- scheduler thread -----------------------------------------------------------------------------------

    def run_due(self) -> AdviceResult | None:
        """The job: evaluate when the branch clock is in a new minute. Returns the result (tests call it)."""
        inputs = self._inputs
        if inputs is None:
            return None
        minute = inputs.at.replace(second=0, microsecond=0)
        if self._last_minute is not None and minute == self._last_minute:
            return None
        self._last_minute = minute
        return self.evaluate(inputs)

    def evaluate(self, inputs: AdviceInputs) -> AdviceResult | None:
        settings = AdviceSettings(target_s=self.settings.target_s, target_share=self.settings.target_share,
                                  opens_at=inputs.opens_at, closes_at=inputs.closes_at)
        try:
            loads, advice = advise(inputs.at, inputs.counters, inputs.tickets, inputs.staff, inputs.roster,
                                   self.fallback, settings, pending=inputs.pending)
        except Exception:  # a bug here must not stop the job or the console
            log.exception("staffing advice failed at %s", inputs.at)
            return None
        with self._lock:
            self._dismissed = {k: until for k, until in self._dismissed.items() if until > inputs.at}
            hidden = set(self._dismissed)
        result = AdviceResult(inputs.at, tuple(loads), tuple(a for a in advice if a.key not in hidden),
                              settings.target_s, settings.target_share,
                              {p.staff_id: p.name for p in inputs.staff})
        self.evaluations += 1
        self.latest = result
        self.sig_advice.emit(result)
        return result


def _without(result: AdviceResult, key: str) -> AdviceResult:
    return AdviceResult(result.at, result.loads, tuple(a for a in result.advice if a.key != key), result.target_s,
                        result.target_share, result.names)
