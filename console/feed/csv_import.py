"""A day's ticket log exported by a ticketing system, as CSV, turned into ticket-feed events.

Header (any column order; extra columns are ignored):
``ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,outcome``

- Times are ISO 8601, with or without a UTC offset (without one: the branch's local time); empty when the step did
  not happen.
- ``outcome`` is served, no_show, abandoned, transferred or waiting. served needs finished_at; no_show, abandoned
  and transferred take their time from finished_at (for no_show, called_at when finished_at is empty).
- ``service_type``: a console service type or one of the branch's business names (个人现金 → cash…).
- ``priority``: empty, 0/1, true/false, yes/no, y/n.
- ``rating`` (optional column): the customer's score on the counter's rating device (评价器), 1 to 5, for a served
  ticket; empty when not rated. Stored as a ``rated`` event at finished_at.
- A row is rejected (with its line number and the reason) when: a required field is empty (ticket_id,
  service_type, issued_at, outcome), a value is unknown (service type, outcome, priority), a time does not parse,
  the steps are out of order (called before issued, started before called, finished before started), or a step
  needs a counter (called, started) and counter_id is empty. The other rows are imported.
- Events get ids derived from the row (``csv:<ticket>:<type>:<time>``), so importing the same file again — or an
  overlapping export — changes nothing.
- Every time must lie in the feed's window (settings ``[api] oldest_event_days``, ``future_event_hours``; a booking's
  ``due_at`` up to a year ahead): a time such as ``0001-01-01T09:00`` is a bad cell that rejects its row, never the
  file. Raise ``oldest_event_days`` to import an older history.
- Ticket numbers restart every day: the same ticket_id on two business days is two tickets; twice on one day is
  rejected (the second row).
- Encoding: UTF-8 (with or without a byte-order mark); failing that GB18030 (Chinese Windows exports), failing that
  Windows-1252; ``encoding`` overrides the guess.
- Size: the file is read as a stream, ``BATCH_ROWS`` rows at a time (``read_batches``), each batch stored in its own
  transaction, so memory stays bounded whatever the file's size; a batch stored before a failure stays stored and
  importing the file again adds only the rest.

The day's appointments (``appointments import``) come the same way, with the header
``appointment_id,service_type,due_at,booked_at,checked_in_at,cancelled_at,ticket_id``: ``due_at`` is the slot
start (required), ``booked_at`` when it was booked (empty: at the latest at the slot), ``checked_in_at`` and
``cancelled_at`` empty when it did not happen (not both), ``ticket_id`` the ticket issued at check-in (optional).
No Qt imports.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from console.domain.records import TicketEvent
from console.domain.vocabulary import ServiceType, TicketEventType, service_type_named
from console.feed.events import SCORES, FeedError, FeedWindow, parse_time, service_choices

COLUMNS = ("ticket_id", "service_type", "priority", "issued_at", "called_at", "started_at", "finished_at",
           "counter_id", "staff_id", "outcome")
APPOINTMENT_COLUMNS = ("appointment_id", "service_type", "due_at", "booked_at", "checked_in_at", "cancelled_at",
                       "ticket_id")
OUTCOMES = ("served", "no_show", "abandoned", "transferred", "waiting")
#: Rows parsed and stored together: about 20,000 events, some 10 MB, one transaction.
BATCH_ROWS = 5_000
#: Bytes read at a time when checking the encoding.
_CHUNK_BYTES = 1 << 20
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"", "0", "false", "no", "n", "f"}


class CsvFileError(Exception):
    """The file as a whole cannot be imported (unreadable, not CSV, columns missing); nothing is imported."""


@dataclass(frozen=True)
class RejectedRow:
    line: int  # line number in the file (the header is line 1)
    reason: str


@dataclass
class ParsedLog:
    """Rows parsed from a file (the whole file, or one batch of ``read_batches``). ``groups`` holds each imported
    row's events (one ticket or appointment per row); ``rows`` counts the data rows read, header excluded."""

    groups: list[tuple[TicketEvent, ...]] = field(default_factory=list)
    tickets: int = 0
    rows: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def events(self) -> list[TicketEvent]:
        return [e for group in self.groups for e in group]


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used); see the module notes for the guess."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise CsvFileError(f"cannot be read as {encoding}: {exc}") from None
    for candidate in ("utf-8-sig", "gb18030", "cp1252"):
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise CsvFileError("is not text in UTF-8, GB18030 or Windows-1252")


def sniff_encoding(path: Path, encoding: str | None = None) -> str:
    """The encoding ``path`` reads in (see the module notes), checked by decoding the whole file a megabyte at a
    time, so a large file is never held in memory; ``CsvFileError`` when none fits."""
    candidates = (encoding,) if encoding else ("utf-8-sig", "gb18030", "cp1252")
    last = ""
    for candidate in candidates:
        try:
            decoder = codecs.getincrementaldecoder(candidate)()
        except LookupError:
            raise CsvFileError(f"cannot be read as {candidate}: unknown encoding") from None
        try:
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK_BYTES):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            last = str(exc)
            continue
        except OSError as exc:
            raise CsvFileError(f"cannot be read ({exc.strerror or exc})") from None
        return candidate
    if encoding:
        raise CsvFileError(f"cannot be read as {encoding}: {last}")
    raise CsvFileError("is not text in UTF-8, GB18030 or Windows-1252")


@dataclass(frozen=True)
class _Window:
    """The feed's window with its limits taken once for a batch of rows (a batch is read in well under a second)."""

    window: FeedWindow
    limits: tuple[datetime, datetime, datetime]

    def check(self, at: datetime, name: str, *, booking: bool = False) -> None:
        self.window.check(at, name, booking=booking, limits=self.limits)


def _time(row: dict[str, str], name: str, local: tzinfo, window: FeedWindow | _Window | None = None,
          booking: bool = False) -> datetime | None:
    value = (row.get(name) or "").strip()
    if not value:
        return None
    try:
        at = parse_time(value, name, local)
        if window is not None:
            window.check(at, name, booking=booking)
        return at
    except FeedError as exc:
        raise ValueError(f"{name}: {exc.problem}") from None


def _identifier(row: dict[str, str], name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise ValueError(f"{name} is empty")
    if len(value) > 64:
        raise ValueError(f"{name} is longer than 64 characters ({len(value)})")
    return value


def _service(row: dict[str, str], names: Mapping[str, ServiceType] | None) -> ServiceType:
    service_text = (row.get("service_type") or "").strip()
    if not service_text:
        raise ValueError("service_type is empty")
    found = service_type_named(service_text, names)
    if found is None:
        raise ValueError(f"service_type {service_text!r} is unknown; expected one of {service_choices(names)}")
    return found


def _appointment_events(row: dict[str, str], local: tzinfo, names: Mapping[str, ServiceType] | None = None,
                        window: FeedWindow | _Window | None = None) -> list[TicketEvent]:
    """The events of one appointment row; ValueError says what is wrong with it."""
    appointment = _identifier(row, "appointment_id")
    service = _service(row, names)
    due = _time(row, "due_at", local, window, booking=True)
    if due is None:
        raise ValueError("due_at is empty")
    booked = _time(row, "booked_at", local, window) or due
    checked = _time(row, "checked_in_at", local, window)
    cancelled = _time(row, "cancelled_at", local, window, booking=True)
    if booked > due:
        raise ValueError(f"booked_at {booked.isoformat()} is after due_at {due.isoformat()}")
    if checked is not None and cancelled is not None:
        raise ValueError("both checked_in_at and cancelled_at are set")
    ticket = (row.get("ticket_id") or "").strip() or None
    if ticket is not None and checked is None:
        raise ValueError("ticket_id is set but checked_in_at is empty")

    def event(kind: TicketEventType, at: datetime, **extra: object) -> TicketEvent:
        return TicketEvent(event_id=f"csv-appointment:{appointment}:{kind.value}:{at.isoformat()}", type=kind, at=at,
                           appointment_id=appointment, **extra)  # type: ignore[arg-type]

    events = [event(TicketEventType.APPOINTMENT_BOOKED, booked, service_type=service, due_at=due)]
    if checked is not None:
        events.append(event(TicketEventType.CHECKED_IN, checked, ticket_id=ticket))
    if cancelled is not None:
        events.append(event(TicketEventType.APPOINTMENT_CANCELLED, cancelled))
    return events


def _score(row: dict[str, str], outcome: str) -> int | None:
    """The optional ``rating`` column: the customer's score, 1 to 5, of a served ticket; empty: not rated."""
    text = (row.get("rating") or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not SCORES[0] <= int(text) <= SCORES[1]:
        raise ValueError(f"rating {text[:20]!r} is not a whole number from {SCORES[0]} to {SCORES[1]}")
    if outcome != "served":
        raise ValueError(f"rating {text} but outcome {outcome}: a customer rates a finished service (served)")
    return int(text)


def _row_events(row: dict[str, str], local: tzinfo, names: Mapping[str, ServiceType] | None = None,
                window: FeedWindow | _Window | None = None) -> list[TicketEvent]:
    """The events of one row; ValueError says what is wrong with it."""
    ticket = _identifier(row, "ticket_id")
    service = _service(row, names)
    priority_text = (row.get("priority") or "").strip().lower()
    if priority_text not in _TRUE | _FALSE:
        raise ValueError(f"priority {row.get('priority')!r} is not true/false, yes/no or 1/0")
    outcome = (row.get("outcome") or "").strip().lower()
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome {row.get('outcome')!r} is unknown; expected one of {', '.join(OUTCOMES)}")
    issued = _time(row, "issued_at", local, window)
    if issued is None:
        raise ValueError("issued_at is empty")
    called = _time(row, "called_at", local, window)
    started = _time(row, "started_at", local, window)
    finished = _time(row, "finished_at", local, window)
    counter = (row.get("counter_id") or "").strip() or None
    staff = (row.get("staff_id") or "").strip() or None
    if called is not None and called < issued:
        raise ValueError(f"called_at {called.isoformat()} is before issued_at {issued.isoformat()}")
    if started is not None:
        if called is None:
            raise ValueError("started_at is set but called_at is empty")
        if started < called:
            raise ValueError(f"started_at {started.isoformat()} is before called_at {called.isoformat()}")
    last = started or called or issued
    if finished is not None and finished < last:
        raise ValueError(f"finished_at {finished.isoformat()} is before the ticket's previous step "
                         f"({last.isoformat()})")
    if (called is not None or started is not None) and counter is None:
        raise ValueError("counter_id is empty but the ticket was called")
    if outcome == "served" and (finished is None or started is None):
        raise ValueError("outcome served needs started_at and finished_at")
    if outcome == "waiting" and (called is not None or finished is not None):
        raise ValueError("outcome waiting but the ticket was called or finished")
    if outcome in ("abandoned", "transferred") and finished is None:
        raise ValueError(f"outcome {outcome} needs finished_at (when it happened)")
    if outcome == "no_show" and finished is None and called is None:
        raise ValueError("outcome no_show needs called_at or finished_at")
    score = _score(row, outcome)

    def event(kind: TicketEventType, at: datetime, **extra: object) -> TicketEvent:
        return TicketEvent(event_id=f"csv:{ticket}:{kind.value}:{at.isoformat()}", type=kind, at=at,
                           ticket_id=ticket, **extra)  # type: ignore[arg-type]

    events = [event(TicketEventType.ISSUED, issued, service_type=service, priority=priority_text in _TRUE,
                    number=ticket[:32])]
    if called is not None:
        events.append(event(TicketEventType.CALLED, called, counter_id=counter, staff_id=staff))
    if started is not None:
        events.append(event(TicketEventType.STARTED, started, counter_id=counter, staff_id=staff))
    if outcome == "served":
        events.append(event(TicketEventType.FINISHED, finished, counter_id=counter, staff_id=staff))
    elif outcome == "no_show":
        events.append(event(TicketEventType.NO_SHOW, finished or called, counter_id=counter))
    elif outcome == "abandoned":
        events.append(event(TicketEventType.ABANDONED, finished))
    elif outcome == "transferred":
        events.append(event(TicketEventType.TRANSFERRED, finished, service_type=service, counter_id=counter))
    if score is not None:
        events.append(event(TicketEventType.RATED, finished, counter_id=counter, staff_id=staff, score=score))
    return events


def _rows(lines: Iterable[str], local: tzinfo, appointments: bool, names: Mapping[str, ServiceType] | None,
          window: FeedWindow | None, batch_rows: int) -> Iterator[ParsedLog]:
    """Parse the lines of a file into batches of at most ``batch_rows`` rows (see ``parse_log``)."""
    columns = APPOINTMENT_COLUMNS if appointments else COLUMNS
    key = "appointment_id" if appointments else "ticket_id"
    row_events = _appointment_events if appointments else _row_events
    reader = csv.DictReader(lines)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise CsvFileError(f"is not valid CSV near line {reader.line_num}: {exc}") from None
    if not header:
        raise CsvFileError("is empty (expected the header " + ",".join(columns) + ")")
    missing = [c for c in columns if c not in header]
    if missing:
        raise CsvFileError(f"has no column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                           f"(header found: {','.join(header)})")
    reader.fieldnames = header
    batch = ParsedLog()
    # the line each imported ticket (per business day) or appointment came from, by the hash of (name, day): a
    # repeated one is rejected. About 100 bytes a row, the only memory that grows with the file.
    seen: dict[int, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not batch.rows:  # the window's limits, once a batch
                bounded = None if window is None else _Window(window, window.limits())
            batch.rows += 1
            if None in row:  # more cells than the header has
                batch.rejected.append(RejectedRow(line, f"{len(header) + len(row[None])} cells but the header has "
                                                        f"{len(header)}"))
            else:
                try:
                    events = row_events(row, local, names, bounded)
                    day = None if appointments else events[0].at.astimezone(local).date()
                except ValueError as exc:
                    batch.rejected.append(RejectedRow(line, str(exc)))
                except OverflowError:
                    batch.rejected.append(RejectedRow(line, "a time is outside the years a calendar can hold"))
                else:
                    first = events[0]
                    name = (first.appointment_id if appointments else first.ticket_id) or ""
                    identity = hash((name, day))
                    if identity in seen:
                        where = "" if day is None else f" on {day.isoformat()}"
                        batch.rejected.append(RejectedRow(line, f"{key} {name!r}{where} already on line "
                                                                f"{seen[identity]}"))
                    else:
                        seen[identity] = line
                        batch.groups.append(tuple(events))
                        batch.tickets += 1
            if batch.rows >= batch_rows:
                yield batch
                batch = ParsedLog()
    except csv.Error as exc:  # named by the line being read when it broke (line_num counts the lines before it)
        raise CsvFileError(f"is not valid CSV near line {reader.line_num + 1}: {exc}") from None
    if batch.rows or batch.rejected:
        yield batch


def parse_log(text: str, local: tzinfo, appointments: bool = False,
              names: Mapping[str, ServiceType] | None = None, window: FeedWindow | None = None) -> ParsedLog:
    """Every row of a ticket log (or, with ``appointments``, an appointment list) held in ``text``; rows that fail
    are listed in ``rejected`` with their line and reason. ``tickets`` counts the tickets (appointments) imported.
    ``service_type`` may be a console service type or one of the branch's business names (``names``); ``window``:
    the times accepted (None: any)."""
    return _whole(_rows(io.StringIO(text, newline=""), local, appointments, names, window, batch_rows=_ALL))


def read_batches(path: Path, local: tzinfo, encoding: str | None = None, appointments: bool = False,
                 names: Mapping[str, ServiceType] | None = None, window: FeedWindow | None = None,
                 batch_rows: int = BATCH_ROWS) -> Iterator[ParsedLog]:
    """The file's rows in batches of ``batch_rows``, read as a stream (memory bounded by the batch, whatever the
    file's size); each batch's ``encoding`` is the one used. ``CsvFileError`` (before the first batch, or when the
    CSV breaks further on) when the file as a whole is unusable."""
    used = sniff_encoding(path, encoding)
    try:
        with path.open("r", encoding=used, newline="") as f:
            for batch in _rows(f, local, appointments, names, window, batch_rows):
                batch.encoding = used
                yield batch
    except OSError as exc:
        raise CsvFileError(f"cannot be read ({exc.strerror or exc})") from None


def read_log(path: Path, local: tzinfo, encoding: str | None = None, appointments: bool = False,
             names: Mapping[str, ServiceType] | None = None, window: FeedWindow | None = None) -> ParsedLog:
    """The whole file at once (a small file; ``read_batches`` streams a large one)."""
    return _whole(read_batches(path, local, encoding, appointments, names, window, batch_rows=_ALL))


#: A batch size no file reaches: one batch for the whole file.
_ALL = 1 << 62


def _whole(batches: Iterable[ParsedLog]) -> ParsedLog:
    """The batches as one."""
    result = ParsedLog()
    for batch in batches:
        result.groups += batch.groups
        result.rejected += batch.rejected
        result.rows += batch.rows
        result.tickets += batch.tickets
        result.encoding = batch.encoding
    return result
