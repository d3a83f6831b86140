"""``forecast --date D``: the day's expected tickets per half-hour and service type, and how past forecasts did.
No Qt imports."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from console.cli.common import add_branch, add_json, iso_date
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    forecast = sub.add_parser(
        "forecast", help="tickets expected per half-hour and service type on a day, from the stored history",
        description="The mean of the last similar days (same weekday; weekends, public holidays and make-up "
        "working weekends apart; paydays apart, scaled by the branch's own payday factor), or the demo branch's "
        "profile when the history holds fewer than two similar days. Also prints how well such forecasts did "
        "on the last 14 days with tickets.")
    forecast.add_argument("--date", type=iso_date, required=True, metavar="YYYY-MM-DD")
    add_branch(forecast)
    forecast.add_argument("--coverage", action="store_true",
                          help="also the counters required per half-hour (the service standard of the settings, "
                          "Erlang C per service type) against the staff on shift in the stored roster")
    add_json(forecast)
    forecast.set_defaults(handler=run_forecast)


def run_forecast(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.cli.common import pick_branch
    from console.staffing.demand import day_coverage, outlook
    from storage import repository

    branch = repository.load_branch(env.db, pick_branch(env, args.branch))
    assert branch is not None
    o = outlook(env.db, branch, args.date)
    f = o.forecast
    types = [t for t in ServiceType if any(k[0] is t for k in f.counts)] or list(QUEUED_SERVICE_TYPES)
    start = datetime.combine(args.date, branch.opens)
    intervals = [{"start": (start + timedelta(minutes=30 * i)).strftime("%H:%M"),
                  **{t.value: round(f.counts.get((t, i), 0.0), 2) for t in types},
                  "total": round(sum(f.counts.get((t, i), 0.0) for t in types), 2)} for i in range(o.slots)]
    b = o.backtest
    data = {
        "date": args.date.isoformat(), "branch": branch.code, "source": f.source,
        "reference_days": [d.isoformat() for d in f.reference_days], "payday_factor": round(f.factor, 3),
        "total": round(sum(i["total"] for i in intervals), 1), "intervals": intervals,
        "history_days": o.history_days,
        "backtest": None if b is None else {
            "days": len(b.days), "mae_per_interval": round(b.mae, 3), "mean_per_interval": round(b.actual_mean, 3),
            "mae_by_interval": [round(v, 3) for v in b.mae_per_interval]},
    }
    rows = day_coverage(env.db, branch, args.date, f) if args.coverage else []
    counters = len(repository.load_counters(env.db, branch.code))
    if rows:
        data["counters"] = counters
        data["coverage"] = [{"start": r.start.strftime("%H:%M"), "arrivals": round(r.arrivals, 2),
                             "required": {t.value: n for t, n in r.required.items()},
                             "total_required": r.total_required, "on_shift": r.on_shift, "shortfall": r.shortfall}
                            for r in rows]
    if args.json:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    w = out.write
    w(f"Forecast {args.date.isoformat()} - {branch.name} ({branch.code}): {data['total']:.0f} tickets\n")
    if f.source == "fallback":
        w(f"  from the demo branch's profile: only {o.history_days} days of history, too few days like this one\n")
    else:
        w(f"  from {len(f.reference_days)} similar days: {', '.join(data['reference_days'])}"
          f"{f'; payday factor {f.factor:.2f}' if f.factor != 1.0 else ''}\n")
    w("  " + "interval".ljust(10) + "".join(t.value.rjust(11) for t in types) + "total".rjust(9) + "\n")
    for i in intervals:
        w("  " + i["start"].ljust(10) + "".join(f"{i[t.value]:>11.1f}" for t in types) + f"{i['total']:>9.1f}\n")
    if rows:
        w("  counters required (Erlang C per service type, 80% called within 10 min) against staff on shift; "
          f"the branch has {counters} counters:\n")
        for r in rows:
            per = ", ".join(f"{t.value} {n}" for t, n in r.required.items())
            flag = f"   short by {r.shortfall}" if r.shortfall else ""
            if r.total_required > counters:
                flag += f"   beyond the {counters} counters: divert"
            w(f"    {r.start:%H:%M}  required {r.total_required:>2} ({per})  on shift {r.on_shift:>2}{flag}\n")
    if b is not None:
        w(f"  past forecasts on the last {len(b.days)} days: mean absolute error {b.mae:.2f} tickets per "
          f"half-hour (the half-hours held {b.actual_mean:.2f} on average)\n")
    return 0
