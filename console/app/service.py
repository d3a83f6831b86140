"""The headless service of a real branch (``main.py serve``): the parts of a console that must not stop when the
supervisor PC's window is closed — the ticket API, the alert engine and its deliveries, the closing-time report
and the retention purge — in a Qt event loop without a window, until SIGTERM or Ctrl+C.

Decisions:
- Built from the window's composition root (``AppContext`` with ``SourceOptions(service=True)``): the same parts,
  the same settings, the same stop order; cameras are not opened here (the window or the headless workers count
  them; their states are read from the database) and no staffing advice is computed (nobody looks at it).
- One service per branch: it takes the branch's lease in the database (``service_lease``) and renews it every
  ``RENEW_S`` seconds; a second service refuses to start while the lease is fresh, and a window opened meanwhile
  follows the service's alerts instead of raising, delivering and reporting its own. A lease left by a service
  that died is stale after 30 s.
- Exit codes as for every command: 0 after a clean stop, 2 when it cannot start (the message names the input),
  3 when the login or the role is refused.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
from datetime import UTC, datetime

log = logging.getLogger(__name__)

#: How often the service renews its lease, in seconds (stale after ``storage.tasks.LEASE_STALE_AFTER``).
RENEW_S = 10


def serve(args: argparse.Namespace) -> int:
    """Run the branch's service until SIGTERM or SIGINT; the exit code."""
    from console.bootstrap import StartupError, prepare
    from console.cli.common import CommandError, pick_branch
    from console.cli.login import LoginError, operator_for
    from console.security.access import AccessDenied
    from storage import repository

    try:
        env = prepare(args)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        try:
            code = pick_branch(env, args.branch)
        except CommandError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        branch = repository.load_branch(env.db, code)
        if branch is None or branch.is_demo:
            print(f"error: the database {env.db.describe()} holds no real branch to serve (the demo runs on its own "
                  "simulator): set one up with the console's set-up wizard or 'branch apply FILE.toml'",
                  file=sys.stderr)
            return 2
        try:
            operator = operator_for(env, args)
        except (LoginError, AccessDenied) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
        # after the login (a refused login's cause stays in console.log, not on the caller's terminal): the service
        # manager's journal shows what the service does
        for handler in logging.getLogger().handlers:
            if getattr(handler, "_branch_console", False) and isinstance(handler, logging.StreamHandler) \
                    and not isinstance(handler, logging.FileHandler):
                handler.setLevel(logging.INFO)  # the scheduler's routine lines stay out (bootstrap.RoutineLines)
        try:
            return _run(env, code, operator)
        except Exception as exc:  # a bug: one line for the user, the traceback in the log
            log.exception("the service of branch %s failed", code)
            print(f"error: the service failed: {type(exc).__name__}: {exc} (details in {env.log_path})",
                  file=sys.stderr)
            return 1
    finally:
        env.close()


def _run(env, code: str, operator) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window; the closing report's PDF needs fonts
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from console.app.context import AppContext, SourceOptions
    from storage.tasks import LeaseTaken, RenewServiceLease, TakeServiceLease
    from storage.writer import apply_now

    holder = f"{socket.gethostname()} pid {os.getpid()}"
    try:
        apply_now(env.db, TakeServiceLease(code, holder, datetime.now(UTC)))
    except LeaseTaken as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    context = AppContext(env, SourceOptions(branch=code, service=True))
    context.operator = operator
    stopping: list[int] = []

    def on_signal(signum: int, _frame) -> None:
        if not stopping:
            log.info("service of branch %s: %s received, stopping", code, signal.Signals(signum).name)
        stopping.append(signum)
        app.quit()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    wake = QTimer()  # Python runs signal handlers only when it gets control: give it control a few times a second
    wake.timeout.connect(lambda: None)
    wake.start(200)
    renew = QTimer()
    renew.timeout.connect(lambda: context.writer.submit(RenewServiceLease(code, holder, datetime.now(UTC))))
    try:
        context.start()
        renew.start(RENEW_S * 1000)
        api = context.ticket_api
        log.info("service of branch %s started (%s): ticket API %s, alerts and deliveries on, logged in as %s",
                 code, holder, api.url if api is not None else f"off ({context.api_error or 'not enabled'})",
                 operator.username)
        if not stopping:
            app.exec()
    finally:
        renew.stop()
        wake.stop()
        context.stop()
        apply_now(env.db, RenewServiceLease(code, holder, datetime.now(UTC), release=True))
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("service of branch %s stopped", code)
    return 0
