"""The alert rules editor: the branch's rules in a table; add, change, remove, snooze, back to the defaults; every
rule checked by ``check_rule`` in its dialog (the dialog stays open and says what is wrong), and the whole set
stored at once (audited) by the ``AlertService``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta

from PySide6.QtCore import QCoreApplication, QTime, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain.alert_engine import (
    BELOW_KINDS,
    SCOPES,
    SEVERITY_ORDER,
    Direction,
    Level,
    RuleError,
    RuleKind,
    RuleSpec,
    ScopeKind,
    check_rule,
    default_rules,
)
from widgets import labels
from widgets.tables import make_table

# per kind of subject, (the subject a measurement names, the words shown) a rule can be limited to
Scopes = Mapping[ScopeKind, Sequence[tuple[str, str]]]

def unit_words(kind: RuleKind) -> str:
    """The unit of a rule kind's figure, as users read it ("" for counts of counters or tickets)."""
    return {RuleKind.CROWDING: "%", RuleKind.LONG_WAIT: QCoreApplication.translate("AlertWords", "min"),
            RuleKind.QUEUE: "", RuleKind.SERVICE_LEVEL: "%",
            RuleKind.IDLE_COUNTER: QCoreApplication.translate("AlertWords", "min"), RuleKind.STAFFING: "",
            RuleKind.CAMERA_OFFLINE: QCoreApplication.translate("AlertWords", "s"),
            RuleKind.NOT_LOGGED_IN: QCoreApplication.translate("AlertWords", "min"),
            RuleKind.PRIORITY_WAIT: QCoreApplication.translate("AlertWords", "min"),
            RuleKind.LOW_RATING: QCoreApplication.translate("AlertWords", "points of 5")}[kind]


def with_unit(value: float, unit: str) -> str:
    """"15 min", "80%": a space before a word, none before a sign."""
    return f"{value:g}{unit}" if unit in ("", "%") else f"{value:g} {unit}"


class RuleDialog(QDialog):
    """One rule: name, what it watches and for which subject, levels, times, hours, weekdays."""

    def __init__(self, rule: RuleSpec | None, scopes: Scopes, taken: set[str],
                 parent: QWidget | None = None) -> None:
        """``scopes``: per kind of subject, (the subject, its words) a rule can be limited to (``SCOPES``)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Alert rule"))
        rule = rule or RuleSpec("", RuleKind.CROWDING, (Level(SEVERITY_ORDER[1], 80, 75),))
        self.taken = taken
        self.name = QLineEdit(rule.rule_id)
        self.kind = QComboBox()
        for kind in RuleKind:
            self.kind.addItem(labels.rule_name(kind.value), kind.value)
        self.kind.setCurrentIndex(self.kind.findData(rule.kind.value))
        self.scopes = scopes
        self.scope = QComboBox()  # the subjects of the kind chosen (_kind_changed), never free text
        self._initial_scope: str | None = rule.scope  # the rule's, until the first list of subjects is made
        self.levels: dict = {}
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Raise at")), 0, 1)
        grid.addWidget(QLabel(self.tr("Clear at")), 0, 2)
        for row, severity in enumerate(SEVERITY_ORDER, start=1):
            on = QCheckBox(labels.alert_severity(severity))
            raise_box, clear_box = QDoubleSpinBox(), QDoubleSpinBox()
            for box in (raise_box, clear_box):
                box.setRange(-1_000_000, 1_000_000)
                box.setDecimals(1)
            current = next((lv for lv in rule.levels if lv.severity is severity), None)
            on.setChecked(current is not None)
            if current is not None:
                raise_box.setValue(current.raise_at)
                clear_box.setValue(current.clear_at)
            grid.addWidget(on, row, 0)
            grid.addWidget(raise_box, row, 1)
            grid.addWidget(clear_box, row, 2)
            self.levels[severity] = (on, raise_box, clear_box)

        def seconds(value: float) -> QDoubleSpinBox:
            box = QDoubleSpinBox()
            box.setRange(-1_000_000, 1_000_000)
            box.setDecimals(0)
            box.setSuffix(" s")
            box.setValue(value)
            return box

        self.sustain = seconds(rule.sustain_s)
        self.clear_sustain = seconds(rule.clear_sustain_s)
        self.cooldown = seconds(rule.cooldown_s)
        self.escalate = seconds(rule.escalate_after_s or 0)
        self.escalate.setToolTip(self.tr("0: never"))
        self.active_from = QTimeEdit(QTime(rule.active_from.hour, rule.active_from.minute))
        self.active_to = QTimeEdit(QTime(rule.active_to.hour, rule.active_to.minute))
        for edit in (self.active_from, self.active_to):
            edit.setDisplayFormat("HH:mm")
        days = QHBoxLayout()
        self.weekdays = []
        for i, name in enumerate((self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"), self.tr("Fri"),
                                  self.tr("Sat"), self.tr("Sun"))):
            box = QCheckBox(name)
            box.setChecked(i in rule.weekdays)
            self.weekdays.append(box)
            days.addWidget(box)
        self.enabled = QCheckBox(self.tr("Enabled"))
        self.enabled.setChecked(rule.enabled)
        self.unit = QLabel()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b91c1c")
        form = QFormLayout(self)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Watches"), self.kind)
        form.addRow(self.tr("Only for"), self.scope)
        form.addRow(self.unit)
        form.addRow(grid)
        form.addRow(self.tr("Sustain before raising"), self.sustain)
        form.addRow(self.tr("Sustain before clearing"), self.clear_sustain)
        form.addRow(self.tr("Cooldown after clearing"), self.cooldown)
        form.addRow(self.tr("Escalate if not acknowledged after"), self.escalate)
        hours = QHBoxLayout()
        hours.addWidget(self.active_from)
        hours.addWidget(QLabel("–"))
        hours.addWidget(self.active_to)
        form.addRow(self.tr("Active hours"), hours)
        form.addRow(self.tr("Weekdays"), days)
        form.addRow(self.enabled)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._rule: RuleSpec | None = None
        self._snoozed = rule.snoozed_until

    @Slot()
    def _kind_changed(self) -> None:
        kind = RuleKind(self.kind.currentData())
        first = self._initial_scope is not None
        wanted = self._initial_scope if first else self.scope.currentData()
        self._initial_scope = None
        self.scope.clear()
        scope_kind = SCOPES[kind]
        self.scope.addItem(self.tr("all") if scope_kind is not None else self.tr("the whole branch"), "")
        for value, words in self.scopes.get(scope_kind, []) if scope_kind is not None else []:
            self.scope.addItem(words, value)
        if first and wanted and self.scope.findData(wanted) < 0 and scope_kind is not None:
            self.scope.addItem(wanted, wanted)  # stored for a subject not seen now (a zone or camera removed)
        self.scope.setCurrentIndex(max(0, self.scope.findData(wanted)))
        self.scope.setEnabled(scope_kind is not None)
        self.scope.setToolTip({
            None: self.tr("This figure is measured for the whole branch only"),
            ScopeKind.PLACE: self.tr("All: the lobby and every zone with a capacity"),
            ScopeKind.SERVICE_TYPE: self.tr("All: every service type's queue"),
            ScopeKind.COUNTER: self.tr("All: every counter"),
            ScopeKind.CAMERA: self.tr("All: every camera"),
            ScopeKind.STAFF: self.tr("All: everyone on the roster"),
        }[scope_kind])
        below = kind in BELOW_KINDS
        unit = unit_words(kind)
        text = self.tr("Thresholds in %1; the alert is raised when the figure is %2 the raise threshold and clears "
                       "when it is %3 the clear threshold.").replace("%1", unit or self.tr("counters or tickets"))
        text = text.replace("%2", self.tr("at or below") if below else self.tr("at or above"))
        self.unit.setText(text.replace("%3", self.tr("above") if below else self.tr("below")))
        self.unit.setWordWrap(True)

    def build(self) -> RuleSpec:
        kind = RuleKind(self.kind.currentData())
        levels = tuple(Level(sev, raise_box.value(), clear_box.value())
                       for sev, (on, raise_box, clear_box) in self.levels.items() if on.isChecked())
        a, b = self.active_from.time(), self.active_to.time()
        return RuleSpec(
            rule_id=self.name.text().strip(), kind=kind, levels=levels, scope=self.scope.currentData() or "",
            direction=Direction.BELOW if kind in BELOW_KINDS else Direction.ABOVE,
            sustain_s=self.sustain.value(), clear_sustain_s=self.clear_sustain.value(), cooldown_s=self.cooldown.value(),
            active_from=time(a.hour(), a.minute()), active_to=time(b.hour(), b.minute(), 59),
            weekdays=frozenset(i for i, box in enumerate(self.weekdays) if box.isChecked()),
            escalate_after_s=self.escalate.value() or None,  # 0: never; a negative time is refused by check_rule
            enabled=self.enabled.isChecked(), snoozed_until=self._snoozed)

    def accept(self) -> None:
        try:
            rule = check_rule(self.build())
        except RuleError as exc:
            self.error.setText(str(exc))
            return
        if rule.rule_id in self.taken:
            self.error.setText(self.tr("A rule named %1 exists already.").replace("%1", rule.rule_id))
            return
        self._rule = rule
        super().accept()

    def rule(self) -> RuleSpec | None:
        return self._rule


class AlertRulesDialog(QDialog):
    """``save(rules) -> str | None`` stores the set (None when stored, else why not); ``now()`` the branch clock
    (for snoozing)."""

    def __init__(self, rules: Sequence[RuleSpec], scopes: Scopes, save: Callable[[list[RuleSpec]], str | None],
                 now: Callable[[], datetime], parent: QWidget | None = None, read_only: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Alert rules"))
        self.rules = list(rules)
        self.scopes = scopes
        self.save_rules, self.now = save, now
        self.table = make_table([self.tr("Name"), self.tr("Watches"), self.tr("Only for"), self.tr("Levels"),
                                 self.tr("Sustain / clear / cooldown"), self.tr("Hours"), self.tr("State")],
                                stretch_column=3)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.doubleClicked.connect(self.edit)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("add", self.tr("Add…"), self.add), ("edit", self.tr("Change…"), self.edit),
                                ("remove", self.tr("Remove"), self.remove),
                                ("snooze", self.tr("Snooze 30 min"), self.snooze),
                                ("defaults", self.tr("Defaults"), self.defaults)):
            b = QPushButton(text)
            b.clicked.connect(slot)
            b.setEnabled(not read_only)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Save).setEnabled(not read_only)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(box)
        self.resize(900, 420)
        self.refresh()

    def refresh(self) -> None:
        self.table.setRowCount(len(self.rules))
        now = self.now()
        for r, rule in enumerate(self.rules):
            unit = unit_words(rule.kind)
            levels = ", ".join(f"{labels.alert_severity(lv.severity)} {with_unit(lv.raise_at, unit)} / "
                               f"{with_unit(lv.clear_at, unit)}" for lv in rule.levels)
            state = self.tr("On") if rule.enabled else self.tr("Off")
            if rule.snoozed_until is not None and rule.snoozed_until > now:
                state = self.tr("Snoozed until %1").replace("%1", rule.snoozed_until.strftime("%H:%M"))
            seconds = QCoreApplication.translate("AlertWords", "s")
            # a default rule is named by its kind's id: shown in the user's words
            name = labels.rule_name(rule.rule_id) if rule.rule_id in {k.value for k in RuleKind} else rule.rule_id
            cells = (name, labels.rule_name(rule.kind.value), self.scope_words(rule), levels,
                     f"{rule.sustain_s:g} / {rule.clear_sustain_s:g} / {rule.cooldown_s:g} {seconds}",
                     f"{rule.active_from:%H:%M}–{rule.active_to:%H:%M}", state)
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def scope_words(self, rule: RuleSpec) -> str:
        """What the rule is limited to, by name ("all" when it is not)."""
        if not rule.scope:
            return self.tr("all")
        scope_kind = SCOPES[rule.kind]
        options = dict(self.scopes.get(scope_kind, [])) if scope_kind is not None else {}
        return options.get(rule.scope, rule.scope)

    def selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    @Slot()
    def add(self) -> None:
        dialog = RuleDialog(None, self.scopes, {r.rule_id for r in self.rules}, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.rule() is not None:
            self.rules.append(dialog.rule())
            self.refresh()

    @Slot()
    def edit(self) -> None:
        i = self.selected()
        if i is None or not self.buttons["edit"].isEnabled():
            return
        dialog = RuleDialog(self.rules[i], self.scopes, {r.rule_id for k, r in enumerate(self.rules) if k != i}, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.rule() is not None:
            self.rules[i] = dialog.rule()
            self.refresh()

    @Slot()
    def remove(self) -> None:
        i = self.selected()
        if i is not None:
            del self.rules[i]
            self.refresh()

    @Slot()
    def snooze(self) -> None:
        i = self.selected()
        if i is not None:
            self.rules[i] = replace(self.rules[i], snoozed_until=self.now() + timedelta(minutes=30))
            self.refresh()

    @Slot()
    def defaults(self) -> None:
        self.rules = default_rules()
        self.refresh()

    def accept(self) -> None:
        problem = self.save_rules(self.rules)
        if problem is not None:
            QMessageBox.warning(self, self.tr("Alert rules"), self.tr("Not saved: %1").replace("%1", problem))
            return
        super().accept()
