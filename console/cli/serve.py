"""``main.py serve [--branch CODE]``: a real branch's headless service — the ticket API, the alert engine with its
deliveries (webhooks, e-mail), the scheduled closing report and the retention purge — without a window, until
SIGTERM or Ctrl+C (exit 0). It logs in like every other command (``--user``, ``--password-stdin``) and logs to
``console.log`` in the data directory (and INFO lines to stderr, for the service manager's journal).

This module declares the command; the service itself runs in the application shell (``console/app/service.py``:
it is built from the same parts as the window), which ``main.py`` starts. No Qt imports here.
"""

from __future__ import annotations

import argparse

from console.cli.common import add_branch


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve", help="run a branch's ticket feed, alerts, deliveries and reports without a window",
        description="Runs what must not stop when the supervisor PC's window is closed: the ticket API (when enabled "
        "in the settings), the alert engine and its deliveries, the closing-time report and the retention purge. A "
        "console window opened on the same branch while the service runs leaves these to it and shows the "
        "service's alerts. Stops cleanly on SIGTERM or Ctrl+C.")
    add_branch(serve, help="the branch to serve (default: the database's only real branch)")
    serve.set_defaults(shell="serve")
