"""Hearing about a branch's changes on a shared PostgreSQL database (``storage/notify.py`` sends them): a thread
that ``LISTEN``s on its own connection and calls ``on_change`` when a transaction wrote the branch's data, so the
window of a console reading that branch follows workers and other PCs at once rather than at its next poll.

The connection is a plain psycopg one (LISTEN needs a connection of its own in autocommit mode, outside
SQLAlchemy's pool). A lost connection is retried every ``RETRY_S`` seconds, quietly after the first message; in
the meantime the reader's polling goes on, so nothing is missed, only later. No Qt imports.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import make_url

from storage.notify import CHANNEL

log = logging.getLogger(__name__)

RETRY_S = 5.0
WAIT_S = 1.0  # how long one wait for notices lasts, so stop() is heard within about a second


class BranchListener:
    def __init__(self, url: str, branch_code: str | None, on_change: Callable[[], None]) -> None:
        """``branch_code`` None: a change of any branch (the regional view)."""
        u = make_url(url)
        self._conninfo = {"host": u.host or "localhost", "port": u.port or 5432, "dbname": u.database or "",
                          "user": u.username or "", "password": u.password or ""}
        self._where = u.render_as_string(hide_password=True)
        self._code = branch_code
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()  # set while listening (tests and the status line)
        self.heard = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="db-listen", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        import psycopg

        told = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(**self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    log.info("listening for changes of branch %s on %s", self._code or "(any)", self._where)
                    told = False
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=WAIT_S):
                            if self._code is None or notice.payload == self._code:
                                self.heard += 1
                                self._on_change()
            except Exception as exc:  # server gone, restarted, refused: poll meanwhile and try again
                self.connected.clear()
                if not told:
                    log.warning("change notices from %s lost (%s); reading every poll period until they are back",
                                self._where, type(exc).__name__)
                    told = True
                self._stop.wait(RETRY_S)
        self.connected.clear()


class NoticedPoller:
    """A thread that calls ``step`` every ``period_s`` seconds, sooner when ``poke``d or, on PostgreSQL, when a
    change notice of ``branch_code`` (None: of any branch) arrives — but at most every ``min_gap_s`` seconds, so a
    stream of notices does not take the CPU from the writers. ``step`` catches its own errors. The branch window's
    reader (console/sources/database.py) and the regional view's (console/app/region_window.py) run on it."""

    def __init__(self, db, branch_code: str | None, step: Callable[[], None], *, name: str, period_s: float,
                 min_gap_s: float) -> None:
        self._db = db
        self._code = branch_code
        self._step = step
        self._name = name
        self._period_s = period_s
        self._min_gap_s = min_gap_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.listener: BranchListener | None = None

    def start(self) -> None:
        if self._db.engine.dialect.name == "postgresql":
            self.listener = BranchListener(self._db.url, self._code, self.poke)
            self.listener.start()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=False)
        self._thread.start()

    def poke(self) -> None:
        """Read again now rather than at the next period. Thread-safe."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.listener is not None:
            self.listener.stop()
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._step()
            if self._stop.wait(self._min_gap_s):
                break
            self._wake.wait(max(0.0, self._period_s - self._min_gap_s))
            self._wake.clear()
