"""``staffing``: the counters a service target needs (Erlang C, or Erlang A when customers give up), from the
figures given on the command line; reads no branch data, so it needs no login. No Qt."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING, TextIO

from console.cli.common import CommandError, add_json, share

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    staffing = sub.add_parser(
        "staffing", help="counters needed for a service target (Erlang C, or Erlang A with patience)",
        description="The fewest counters that serve the target share of customers within the target wait, and at "
        "that number the service level, the probability of waiting, the mean wait and the counters' occupancy. "
        "With --patience-minutes customers give up (Erlang A) and the share who do is printed too. With "
        "--counters the figures for that number of counters instead.")
    staffing.add_argument("--arrivals-per-hour", type=float, required=True, metavar="X")
    staffing.add_argument("--aht-minutes", type=float, required=True, metavar="Y", help="average handling time")
    staffing.add_argument("--target-wait-minutes", type=float, required=True, metavar="T")
    staffing.add_argument("--target-share", type=float, required=True, metavar="P",
                          help="a fraction: 0.8 for 80%% of customers within T minutes")
    staffing.add_argument("--patience-minutes", type=float, metavar="M",
                          help="mean patience before a customer gives up (Erlang A)")
    staffing.add_argument("--counters", type=int, metavar="N", help="figures for N counters instead of the fewest")
    add_json(staffing)
    staffing.set_defaults(handler=run_staffing)


def run_staffing(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    """``staffing``: Erlang C / Erlang A figures (console/domain/staffing.py); bad values raise CommandError."""
    from console.domain.staffing import StaffingError, counters_required, erlang_a, erlang_c

    for name, value in (("--arrivals-per-hour", args.arrivals_per_hour), ("--aht-minutes", args.aht_minutes),
                        ("--target-wait-minutes", args.target_wait_minutes)):
        if not math.isfinite(value) or value < 0:
            raise CommandError(f"{name} must be a number ≥ 0, got {value:g}")
    if args.aht_minutes == 0:
        raise CommandError("--aht-minutes must be above 0")
    if not 0 < args.target_share < 1:
        raise CommandError(f"--target-share must be a fraction between 0 and 1 (0.8 for 80%), got "
                           f"{args.target_share:g}")
    if args.patience_minutes is not None and not (math.isfinite(args.patience_minutes) and args.patience_minutes > 0):
        raise CommandError(f"--patience-minutes must be above 0, got {args.patience_minutes:g}")
    if args.counters is not None and args.counters < 1:
        raise CommandError(f"--counters must be at least 1, got {args.counters}")
    lam, aht, target = args.arrivals_per_hour / 3600, args.aht_minutes * 60, args.target_wait_minutes * 60
    patience = args.patience_minutes * 60 if args.patience_minutes is not None else None
    load = lam * aht
    model = "erlang_c" if patience is None else "erlang_a"
    try:
        if args.counters is not None:
            if patience is None:
                if load >= args.counters:
                    raise CommandError(f"--counters {args.counters} cannot carry a load of {load:.2f} Erlangs "
                                       f"({args.arrivals_per_hour:g} arrivals/h × {args.aht_minutes:g} min): with "
                                       "load ≥ counters the queue grows without bound (add --patience-minutes to "
                                       "model customers who give up)")
                figures = erlang_c(lam, aht, args.counters, target)
            else:
                figures = erlang_a(lam, aht, args.counters, target, patience)
        else:
            answer = counters_required(lam, aht, target, args.target_share, patience)
            figures = answer.figures
    except StaffingError as exc:
        raise CommandError(str(exc)) from None
    data = {"counters_required": figures.counters, "service_level": figures.service_level,
            "prob_wait": figures.prob_wait, "occupancy": figures.occupancy, "avg_wait_min": figures.avg_wait_s / 60,
            "model": model, "load_erlangs": load}
    if patience is not None:
        data["abandon_share"] = figures.abandon_share
    if args.json:
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    head = (f"with {figures.counters} counters" if args.counters is not None
            else f"counters required: {figures.counters}")
    out.write(f"{head}   (load {load:.2f} Erlangs, {'Erlang A' if patience else 'Erlang C'})\n")
    out.write(f"  service level (within {args.target_wait_minutes:g} min): {share(figures.service_level)}   "
              f"target {share(args.target_share)}\n")
    out.write(f"  probability of waiting: {share(figures.prob_wait)}   mean wait: {figures.avg_wait_s / 60:.2f} min   "
              f"occupancy: {share(figures.occupancy)}\n")
    if patience is not None:
        out.write(f"  customers who give up: {share(figures.abandon_share)}\n")
    return 0
