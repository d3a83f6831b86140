"""The Reports panel shows the day's customer ratings — how many, the average, how many scored 1 or 2, and each
counter's average — computed here independently from the tickets."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.app.i18n import Translations
from console.domain.day_report import build_day_report
from console.domain.records import TicketRecord
from console.domain.vocabulary import ServiceType, TicketStatus
from widgets.panels.report_panel import ReportPanel

pytestmark = pytest.mark.gui
TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)


def test_ratings_line(qtbot, qapp) -> None:
    Translations().install("en")
    scores = {"1": [2, 1, 3], "2": [5, 4]}
    tickets = [TicketRecord(f"{c}{i}", f"A{i}", ServiceType.CASH, False, DAY + timedelta(minutes=i),
                            TicketStatus.SERVED, DAY + timedelta(minutes=i + 2), DAY + timedelta(minutes=i + 3),
                            DAY + timedelta(minutes=i + 9), counter_id=c, rating=s)
               for c, ss in scores.items() for i, s in enumerate(ss)]
    panel = ReportPanel()
    qtbot.addWidget(panel)
    panel.show_priority(build_day_report(tickets, DAY.date(), TZ))
    everything = [s for ss in scores.values() for s in ss]
    expected = (f"Customer ratings: {len(everything)} rated, average {sum(everything) / len(everything):.1f} of 5, "
                f"{sum(s <= 2 for s in everything)} scored 1 or 2 · by counter: Counter 1 2.0 (3), Counter 2 4.5 (2)")
    assert expected in panel.priority_label.text()
