"""``main.py worker --branch CODE [--camera ID ...]``: a headless camera worker until SIGTERM or Ctrl+C.

Exit codes: 0 after a clean stop (SIGTERM, SIGINT), 2 when it cannot start (the message names the data directory,
database, branch or camera and what is wrong). Only an unreachable server is waited for at start (IT may start
the worker before the database); wrong credentials, a missing database or a newer schema end it at once. Once
running, a lost database never stops it: figures are buffered in the spool file and written when it is back.
No Qt imports (``python -X importtime main.py worker …`` shows none).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from console.cli.common import add_branch

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser(
        "worker", help="count a branch's cameras without a window, into the shared database",
        description="Runs the counting pipeline of every camera the branch assigns to workers (or of the cameras "
        "named) and writes occupancy, zone counts, line crossings and camera states to the database given with "
        "--db (a PostgreSQL server shared with the branch's console). Figures are buffered in a spool file in the "
        "data directory while the database is unreachable and written when it is back. Stops on SIGTERM or Ctrl+C. "
        "No login: the database URL's credentials are the worker's access.")
    add_branch(worker, required=True, help="the branch whose cameras to count")
    worker.add_argument("--camera", action="append", metavar="ID",
                        help="a camera to count (repeat for several; default: every camera assigned to workers)")
    # opens the database itself (it waits for an unreachable server): no start-up, no login
    worker.set_defaults(standalone=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    from camera.model_store import ModelStore
    from console.bootstrap import StartupError, prepare_settings
    from console.cameras.worker import (
        CameraWorkerHost,
        SpoolWriter,
        WorkerError,
        choose_cameras,
        open_with_retry,
        spool_path,
        with_passwords,
    )
    from console.security.secret_store import SecretStore
    from storage import repository
    from storage.database import mask_url, open_database
    from storage.spool import Spool

    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        data_dir, _log_path, settings, url = prepare_settings(args, stderr_level=logging.INFO)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the migration's steps are for the log of a console
    code = args.branch
    spool = Spool(spool_path(data_dir, code))
    if len(spool):
        log.info("%d entries left by the last run in %s are written first", len(spool), spool.path)
    try:
        db = open_with_retry(url, stop)
        if db is None:
            return 0
        try:
            if repository.load_branch(db, code) is None:
                known = ", ".join(b.code for b in repository.list_branches(db) if not b.is_demo) or "none"
                raise WorkerError(f"branch {code!r} is not in the database {db.describe()} (branches: {known})")
            setups = choose_cameras(repository.load_cameras(db, code), args.camera or [], code)
        finally:
            db.close()
    except WorkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        spool.close()
        return 2
    secrets = SecretStore(data_dir, settings.security.secret_store)
    writer = SpoolWriter(spool, lambda: open_database(url), url=url)
    host = CameraWorkerHost(code, with_passwords(setups, code, secrets), ModelStore(data_dir), writer.submit,
                            offline_after_s=settings.cameras.offline_after_s)
    writer.start()
    host.start()
    log.info("worker for branch %s: %d camera(s) (%s), database %s, spool %s", code, len(setups),
             ", ".join(s.camera.camera_id for s in setups), mask_url(url), spool.path)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        host.stop()
        writer.stop()
        left = len(spool)
        spool.close()
        log.info("worker stopped: %d entries written this run%s", writer.stats.written,
                 f", {left} kept in {spool.path} for the next start" if left else "")
    return 0

