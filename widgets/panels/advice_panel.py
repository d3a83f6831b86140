"""Staffing advice under the counter board: need against supply per service type, each proposal in words with the
arithmetic behind it, and Accept / Dismiss buttons (what they do is decided in ``console/app/advice_controller.py``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from console.domain.advice import Advice, AdviceKind, AdviceResult, TypeLoad, backlog_after
from widgets import labels


class AdvicePanel(QWidget):
    """Shows an ``AdviceResult``; ``sig_accept(Advice)`` and ``sig_dismiss(Advice)`` carry the manager's answer."""

    sig_accept = Signal(object)
    sig_dismiss = Signal(object)

    MAX_SHOWN = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setObjectName("adviceSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        # the proposals scroll when the panel is short: each keeps its full height, never squeezed into overlap
        holder = QWidget()
        self.rows = QVBoxLayout(holder)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(2)
        outer = QVBoxLayout()
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(holder)
        outer.addStretch(1)
        box = QWidget()
        box.setLayout(outer)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("adviceScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(box)
        self.scroll.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)  # one proposal whole, its buttons beside
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll, 1)
        self.result: AdviceResult | None = None
        self.cards: list[tuple[Advice, QLabel, QPushButton, QPushButton]] = []
        self.actions_enabled = True  # False for a user whose role may not change counters
        self.why_disabled: str | None = None  # the Accept buttons' tooltip then
        self.summary.setText(self.tr("Staffing advice: waiting for the first evaluation…"))

    # --- wording --------------------------------------------------------------------------------------------

    def person(self, staff_id: str | None) -> str:
        if staff_id is None or self.result is None:
            return "—"
        return self.result.names.get(staff_id, staff_id)

    def headline(self, a: Advice) -> str:
        counter = labels.counter_name(a.counter_id)
        service = labels.service_type(a.service_type)
        person = self.person(a.staff_id)
        until = a.break_until.strftime("%H:%M") if a.break_until else "?"
        text = {
            AdviceKind.OPEN: self.tr("Open %1 for %2: %3 is on shift and can take it."),
            AdviceKind.OPEN_FROM_BREAK: self.tr("Open %1 for %2: %3 (on break until %4) can take it."),
            AdviceKind.RECALL: self.tr("Recall %3 from the break (until %4) to reopen %1 for %2."),
            AdviceKind.SWITCH_TYPES: self.tr("Switch %1 to call %2 first (%3 can handle it); its own queue has a "
                                             "counter to spare."),
            AdviceKind.CLOSE_IDLE: self.tr("Close %1: idle since %4 and %2 has a counter to spare; %3 is free for "
                                           "other work."),
            AdviceKind.TAKE_QUEUE: self.tr("Let %1 take %2 too: idle since %4 with nobody waiting for its own "
                                           "queues, and %3 can handle %2. Its own customers still come first; "
                                           "nobody moves."),
        }[a.kind]
        if a.kind in (AdviceKind.CLOSE_IDLE, AdviceKind.TAKE_QUEUE):
            until = a.idle_since.strftime("%H:%M") if a.idle_since else "?"
        return text.replace("%1", counter).replace("%2", service).replace("%3", person).replace("%4", until)

    def reason(self, load: TypeLoad) -> str:
        """The arithmetic: measured arrivals and counter time → counters needed for the target; counters working."""
        assert self.result is not None
        minutes = load.counter_time_s / 60
        basis = self.tr("measured") if load.measured_handling else self.tr("assumed, too few served yet")
        text = self.tr("%1: %2 tickets/hour in the last 30 min, %3 min per customer (%4), %5 waiting → %6 "
                       "counters for %7% called within %8 min; %9 working.")
        text = (text.replace("%1", labels.service_type(load.service_type))
                .replace("%2", f"{load.arrivals_per_hour:.0f}").replace("%3", f"{minutes:.1f}").replace("%4", basis)
                .replace("%5", str(load.waiting)).replace("%6", str(load.required))
                .replace("%7", f"{self.result.target_share * 100:.0f}")
                .replace("%8", f"{self.result.target_s / 60:g}").replace("%9", str(load.working)))
        if load.service_level is not None and load.service_level_required is not None and load.working < load.required:
            text += " " + self.tr("Expected share within target: %1 now, %2 with the advice.") \
                .replace("%1", f"{load.service_level:.0%}").replace("%2", f"{load.service_level_required:.0%}")
        return text

    def short_reason(self, load: TypeLoad) -> str:
        """One line: needed against working, and the measured demand (the full arithmetic is the tooltip)."""
        return (self.tr("%1: %2 needed, %3 working (%4/h, %5 min each, %6 waiting)")
                .replace("%1", labels.service_type(load.service_type)).replace("%2", str(load.required))
                .replace("%3", str(load.working)).replace("%4", f"{load.arrivals_per_hour:.0f}")
                .replace("%5", f"{load.counter_time_s / 60:.1f}").replace("%6", str(load.waiting)))

    def trade(self, a: Advice, after: tuple[float, int]) -> str:
        """What the proposal costs (who moves, what it slows) and what it should gain, with the arithmetic."""
        ld = a.load
        person = self.person(a.staff_id)
        cost = {
            AdviceKind.TAKE_QUEUE: self.tr("Costs nothing now: nobody waits for its own queues, which keep their "
                                           "precedence."),
            AdviceKind.SWITCH_TYPES: self.tr("%1 keeps one counter fewer calling it first: it has one to spare.")
            .replace("%1", labels.service_type(a.commands[0].service_types[1])
                     if len(a.commands[0].service_types) > 1 else "—"),
            AdviceKind.OPEN: self.tr("%1 leaves other work (on shift, not at a counter).").replace("%1", person),
            AdviceKind.RECALL: self.tr("%1's break is cut short.").replace("%1", person),
            AdviceKind.OPEN_FROM_BREAK: self.tr("%1's break is cut short.").replace("%1", person),
            AdviceKind.CLOSE_IDLE: self.tr("%1 is free for other work.").replace("%1", person),
        }[a.kind]
        if a.kind is AdviceKind.CLOSE_IDLE or ld.waiting == 0:
            return cost
        wait_after_s, counters = after
        gain = self.tr("Expected wait after: %1 min (%2 waiting × %3 min ÷ %4 counters).") \
            .replace("%1", f"{wait_after_s / 60:.0f}").replace("%2", str(ld.waiting)) \
            .replace("%3", f"{ld.counter_time_s / 60:.1f}").replace("%4", str(counters))
        return f"{gain} {cost}"

    def summary_text(self, result: AdviceResult) -> str:
        parts = []
        for ld in result.loads:
            part = self.tr("%1 %2 of %3").replace("%1", labels.service_type(ld.service_type)) \
                .replace("%2", str(ld.working)).replace("%3", str(ld.required))
            if ld.beyond_counters and ld.shortfall > 0:
                part += (self.tr(" (only one counter takes it)") if ld.able == 1
                         else self.tr(" (only %1 counters take it)").replace("%1", str(ld.able)))
            parts.append(part)
        head = self.tr("Counters working of needed at %1:").replace("%1", result.at.strftime("%H:%M"))
        text = f"{head} {' · '.join(parts)}"
        if not result.advice:
            tail = self.tr("no action needed.")
            if any(ld.shortfall > 0 for ld in result.loads):
                tail = self.tr("short, and no closed counter can be opened with someone free on shift who can "
                               "take it.")
            text = f"{text} — {tail}"
        beyond = [ld for ld in result.loads if ld.beyond_counters and ld.waiting > 0]
        if beyond:
            names = self.tr(", ", "list separator").join(labels.service_type(ld.service_type) for ld in beyond)
            text += "\n" + self.tr("More than the counters can take: divert — guide %1 customers to the "
                                   "self-service machines or smart counters for what they can do there, and call "
                                   "the longest waits first.").replace("%1", names)
        return text

    # --- view -----------------------------------------------------------------------------------------------

    @Slot(object)
    def show_result(self, result: AdviceResult) -> None:
        self.result = result
        self.summary.setText(self.summary_text(result))
        while self.rows.count():
            item = self.rows.takeAt(0)
            if (w := item.widget()) is not None:
                w.deleteLater()
        self.cards = []
        afters = backlog_after(result.advice)
        for a, after in zip(result.advice[: self.MAX_SHOWN], afters, strict=False):
            card = QFrame()
            card.setObjectName("adviceCard")
            card.setFrameShape(QFrame.Shape.StyledPanel)
            line = QHBoxLayout(card)
            line.setContentsMargins(6, 2, 6, 2)
            words = QVBoxLayout()
            words.setSpacing(0)
            text = QLabel(self.headline(a))
            text.setObjectName("adviceHeadline")
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            why = QLabel(self.short_reason(a.load))
            why.setToolTip(self.reason(a.load))
            text.setToolTip(self.reason(a.load))
            why.setObjectName("adviceReason")
            why.setWordWrap(False)
            why.setTextFormat(Qt.TextFormat.PlainText)
            trade = QLabel(self.trade(a, after))
            trade.setObjectName("adviceTrade")
            trade.setWordWrap(True)
            trade.setTextFormat(Qt.TextFormat.PlainText)
            words.addWidget(text)
            words.addWidget(trade)
            words.addWidget(why)
            accept = QPushButton(self.tr("Accept"))
            dismiss = QPushButton(self.tr("Dismiss"))
            accept.setEnabled(self.actions_enabled)
            if not self.actions_enabled:
                accept.setToolTip(self.why_disabled or self.tr("Your role may not change counters."))
            accept.setProperty("advice_key", a.key)
            dismiss.setProperty("advice_key", a.key)
            accept.clicked.connect(self._accept_clicked)
            dismiss.clicked.connect(self._dismiss_clicked)
            line.addLayout(words, 1)
            line.addWidget(accept)
            line.addWidget(dismiss)
            self.rows.addWidget(card)
            self.cards.append((a, text, accept, dismiss))
        if len(result.advice) > self.MAX_SHOWN:
            extra = len(result.advice) - self.MAX_SHOWN
            more = QLabel(self.tr("One more proposal after these.") if extra == 1
                          else self.tr("%1 more proposals after these.").replace("%1", str(extra)))
            self.rows.addWidget(more)

    def _find(self) -> Advice | None:
        key = self.sender().property("advice_key") if self.sender() is not None else None
        return next((a for a, *_ in self.cards if a.key == key), None)

    @Slot()
    def _accept_clicked(self) -> None:
        if (a := self._find()) is not None:
            self.sig_accept.emit(a)

    @Slot()
    def _dismiss_clicked(self) -> None:
        if (a := self._find()) is not None:
            self.sig_dismiss.emit(a)
