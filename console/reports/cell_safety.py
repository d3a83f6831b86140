"""Cells that a spreadsheet program would run as a formula, made plain text before any CSV or Excel export writes them.

Ticket ids, counter ids, staff names, notes and user names reach the console from imported files and the ticket
API. Excel and WPS take a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a leading tab or
carriage return can hide such a start), so an exported ``=HYPERLINK("http://…","…")`` would run on the
supervisor's PC when the file is opened. Every export writer therefore passes each cell through ``safe_cell``.

Decision: a string starting with one of those characters is written with a single quote ``'`` in front, the rest
unchanged — the OWASP recommendation for CSV injection: the spreadsheet shows the text and evaluates nothing, and a
reader of the file still sees the whole original value after the quote. Only strings change: numbers (negative
ones too) stay numbers, so sums and formats in the spreadsheet keep working; empty cells and None stay empty.

In .xlsx files written with openpyxl, a string starting with ``=`` would be stored as a formula; once it starts
with ``'`` openpyxl stores it as a plain string cell (data type "s"), so no formula reaches the sheet.

The console also reads some of its own exports back (the staff directory and the roster files); their readers pass
each text cell through ``plain_cell``, which takes that one quote away again, so a file the console wrote reads back
the same. No Qt imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

#: The first characters that make a spreadsheet program read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Put in front of a cell that starts with one of ``FORMULA_STARTS``: the spreadsheet shows the cell as text.
TEXT_PREFIX = "'"

Cell = TypeVar("Cell")


def safe_cell(value: Cell) -> Cell | str:
    """``value`` as an export writes it: a string starting with ``= + - @``, a tab or a carriage return gets a
    leading ``'`` (shown as text, never evaluated); anything else (numbers, dates, None, "") is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_PREFIX + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    """Every cell of ``row`` through ``safe_cell``, as a list (what ``csv.writer`` and openpyxl's ``append`` take)."""
    return [safe_cell(v) for v in row]


def plain_cell(text: str) -> str:
    """``text`` as a file reader takes it: the inverse of ``safe_cell`` for the console's own exports. A text that
    starts with ``'`` followed by one of ``FORMULA_STARTS`` loses that one ``'`` (``'-7`` reads as ``-7``,
    ``'=cmd`` as ``=cmd``), so a file the console wrote reads back the same; anything else is returned unchanged.

    Decision: only a quote in front of a formula start is taken away, because only there can ``safe_cell`` have
    put it. A quote before an ordinary character (``'abc``) is the user's own and stays. Readers call this on the
    raw cell, before any other clean-up such as stripping spaces, since ``safe_cell`` worked on the raw value too.
    (A value of its own starting with ``'`` and a formula start, ``'=x``, is written unchanged by ``safe_cell`` and
    so reads back as ``=x``: the two cannot be told apart in the file.)"""
    if text.startswith(TEXT_PREFIX) and text[len(TEXT_PREFIX):].startswith(FORMULA_STARTS):
        return text[len(TEXT_PREFIX):]
    return text
