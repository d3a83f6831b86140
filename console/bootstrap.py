"""Start-up shared by the window and the command line: data directory, settings, logging, database.

Each step fails with a ``StartupError`` whose message names the input (directory, file, URL) and what is wrong;
nothing is written to a database that could not be opened and migrated completely.
No Qt imports here.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from console.security.secret_store import SecretStore
from console.settings import Settings, SettingsError, load_settings, save_settings, validate_language
from storage.audit import AuditSeal
from storage.database import Database, DatabaseError, default_data_dir, open_database, resolve_database_url

log = logging.getLogger(__name__)

LOG_FILE = "console.log"
#: Loggers (and their children) whose INFO lines are routine, written as DEBUG lines (``RoutineLines``).
ROUTINE_LOGGERS = ("apscheduler",)


class StartupError(Exception):
    """The console cannot start with the given input; the message says which input and why."""


@dataclass
class Environment:
    """Everything start-up resolved: where data lives, the settings, the open database and the secret store
    (``secrets``: by default the one the settings choose; ``secret_problem``: why a secret could not be moved or
    kept where the settings say, for the status line; the file standing in for a missing keyring under "auto" is
    not a problem: ``secrets.notice`` says so)."""

    data_dir: Path
    settings: Settings
    db: Database
    log_path: Path | None
    secrets: SecretStore = field(default=None)  # type: ignore[assignment]  # set in __post_init__
    secret_problem: str | None = None
    #: the audit key and anchor file that chain this run's audit entries (None: entries stay unsealed)
    audit_seal: AuditSeal | None = None

    def __post_init__(self) -> None:
        if self.secrets is None:
            self.secrets = SecretStore(self.data_dir, self.settings.security.secret_store)

    def close(self) -> None:
        self.db.close()


def prepare_data_dir(path: Path) -> Path:
    """Create ``path`` if needed and prove it is writable by writing and removing a file in it."""
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise StartupError(f"data directory {path} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise StartupError(f"data directory {path} is not writable: {exc.strerror or exc}") from None
    return path.resolve()


class RoutineLines(logging.Filter):
    """A filter of one of the console's log handlers that writes the INFO lines of ``ROUTINE_LOGGERS`` as DEBUG
    lines: shown with ``--log-level DEBUG``, left out at INFO and above.

    Why: APScheduler logs every run of every job at INFO — "Running job …" and "Job … executed successfully" from
    ``apscheduler.executors.<executor>``, and every job added or removed and every scheduler started or shut down
    from ``apscheduler.scheduler``. The alert engine's job runs every 5 s and again on every new branch view (several
    times a second in the window), so at INFO these lines were nearly all of ``console.log``: the demo window wrote
    about 2.3 KB a second, 196 MB a day (benchmarks/log_volume.py), and pushed every warning out of the 5 × 5 MB of
    rotated files in about three hours.

    Decision: demote, not silence. Setting the ``apscheduler`` loggers to WARNING would also hide the routine lines
    from someone who asked for ``--log-level DEBUG`` to see when the jobs run; a filter keeps them there, marked
    DEBUG. Only INFO is demoted: APScheduler's warnings ("Run time of job … was missed by …", "… maximum number of
    running instances reached …") and errors ('Job "…" raised an exception' with its traceback) keep their level,
    whatever the handler's level. The filter sits on the console's handlers (not on the loggers: a logger's filter
    sees only the records of that very logger, and every executor has a logger of its own) and changes the record's
    level in place, so the console's other handler, which sees the record after it, takes it as DEBUG too.
    """

    def __init__(self, handler: logging.Handler, loggers: tuple[str, ...] = ROUTINE_LOGGERS) -> None:
        super().__init__()
        self.handler = handler
        self.loggers = loggers

    def routine(self, record: logging.LogRecord) -> bool:
        """Whether ``record`` is an INFO line of one of ``loggers`` or of a logger below one of them."""
        return record.levelno == logging.INFO and any(
            record.name == name or record.name.startswith(name + ".") for name in self.loggers)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.routine(record):
            record.levelno = logging.DEBUG
            record.levelname = logging.getLevelName(logging.DEBUG)
        # the handler compared its level before this filter ran; compare again with the level the record has now
        return record.levelno >= self.handler.level


def setup_logging(data_dir: Path, level: str, stderr_level: int = logging.WARNING) -> Path:
    """Log to ``console.log`` in the data directory (rotated at 5 MB, 5 files kept) and warnings to stderr (a
    headless worker shows its INFO lines there too: it has no window). The scheduler's routine lines are DEBUG lines
    (``RoutineLines``): at the default INFO a console writes a few KB a day — its start and stop (2–7 KB), the daily
    retention purge and closing report, and every warning and error — against the 25 MB the rotation keeps."""
    path = data_dir / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_branch_console", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    file_handler.setLevel(level)
    file_handler.addFilter(RoutineLines(file_handler))
    file_handler._branch_console = True  # type: ignore[attr-defined]
    err_handler = logging.StreamHandler()
    err_handler.setLevel(stderr_level)
    err_handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    err_handler.addFilter(RoutineLines(err_handler))
    err_handler._branch_console = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    root.addHandler(err_handler)
    root.setLevel(min(logging.getLevelName(level), stderr_level))
    return path


def prepare_settings(args: argparse.Namespace, stderr_level: int = logging.WARNING) -> tuple[Path, Path, Settings, str]:
    """The data directory, log file, settings (with a language override saved) and database URL of one run."""
    data_dir = prepare_data_dir(args.data_dir if args.data_dir is not None else default_data_dir())
    log_path = setup_logging(data_dir, getattr(args, "log_level", "INFO"), stderr_level)
    try:
        settings = load_settings(data_dir)
        if getattr(args, "lang", None) is not None:
            validate_language(args.lang, "--lang")
            if args.lang != settings.ui.language:
                settings = settings.with_language(args.lang)
                save_settings(data_dir, settings)
    except SettingsError as exc:
        raise StartupError(str(exc)) from None
    except OSError as exc:
        raise StartupError(f"settings in {data_dir} cannot be written: {exc}") from None

    # Precedence: --db, then the environment variable BRANCH_CONSOLE_DB, then settings, then the default file.
    cli_url = args.db or (None if os.environ.get("BRANCH_CONSOLE_DB") else settings.database.url or None)
    try:
        return data_dir, log_path, settings, resolve_database_url(cli_url, data_dir)
    except DatabaseError as exc:
        raise StartupError(str(exc)) from None


def prepare(args: argparse.Namespace) -> Environment:
    """Resolve the data directory, settings, language override and database for one run of the console."""
    data_dir, log_path, settings, url = prepare_settings(args)
    try:
        db = open_database(url)
    except DatabaseError as exc:
        raise StartupError(str(exc)) from None
    if db.migration is not None and db.migration.backup_path is not None:
        log.info("database backed up to %s before migrating", db.migration.backup_path)
    log.info("console started: data %s, database %s, pid %s", data_dir, db.describe(), os.getpid())
    from console.security.audit_seal import seal_database
    from console.security.secret_migration import move_plain_secrets
    from console.security.secret_store import SecretError

    secrets = SecretStore(data_dir, settings.security.secret_store)
    problem = move_plain_secrets(data_dir, secrets, db)
    audit_seal = None
    try:
        audit_seal = seal_database(db, data_dir, secrets)
    except SecretError as exc:  # the console still starts (as for other secrets) and says so; entries stay unsealed
        log.error("the audit key cannot be read or kept in the secret store: %s; audit entries written now are not "
                  "sealed (audit verify names them)", exc)
        problem = "; ".join(filter(None, [problem, f"audit entries are not sealed: {exc}"]))
    return Environment(data_dir=data_dir, settings=settings, db=db, log_path=log_path, secrets=secrets,
                       secret_problem=problem or (secrets.notice if secrets.mode == "keyring" else None),
                       audit_seal=audit_seal)
