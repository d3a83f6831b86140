"""Hiding camera credentials in anything shown or logged, and taking them out of what is stored.

Every UI string and log line that names a camera source goes through :func:`mask_credentials`. It errs on the side
of hiding too much: a password written unencoded with ``/`` or ``@`` in it is still hidden, at the price of hiding
part of the host in such odd URLs.

:func:`split_credentials` and :func:`merge_credentials` are the one place where a source is cut into what the
database keeps (the URL with ``{password}`` where each password was) and the passwords (which go to the secret
store, console/security/secret_store.py); merging puts them back, in memory only, for capture. The cut is textual and exact:
merge(split(x)) == x, whatever odd characters the password holds. The console does the split and merge
(console/security/camera_passwords.py); this module stays free of any store so capture code can use it anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MASK = "***"

# scheme://user[:password]@ — the password runs to the last "@" of the URL, so "p@ss" or "a/b" stay hidden.
_USERINFO = re.compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^\s/?#@:]*)(?::(?P<password>[^\s]*))?@"
)
_SECRET_PARAMS = re.compile(
    r"(?P<key>[?&;](?:password|passwd|pwd|pass|passphrase|secret|token|access_token|auth|key|api_key|apikey"
    r"|user|username|usr|login)=)(?P<value>[^&;#\s]*?)(?=[&;#\s]|:\s|:?$)",
    re.IGNORECASE,
)


def _mask_userinfo(match: re.Match[str]) -> str:
    return f"{match['scheme']}{MASK}{':' + MASK if match['password'] is not None else ''}@"


def mask_credentials(text: str) -> str:
    """``rtsp://admin:secret@nvr/x`` → ``rtsp://***:***@nvr/x``; ``?user=a&pwd=b`` → ``?user=***&pwd=***``.

    Works on any text (an error message, a log line) and on every URL in it.
    """
    masked = _USERINFO.sub(_mask_userinfo, text)
    return _SECRET_PARAMS.sub(lambda m: f"{m['key']}{MASK}", masked)


#: What the database keeps in place of each password of a camera source.
PLACEHOLDER = "{password}"

# the query parameters whose values are secrets (user names are not: they stay in the stored source)
_SECRET_VALUES = re.compile(
    r"[?&;](?:password|passwd|pwd|pass|passphrase|secret|token|access_token|auth|key|api_key|apikey)="
    r"(?P<value>[^&;#\s]*?)(?=[&;#\s]|:\s|:?$)",
    re.IGNORECASE,
)


def split_credentials(source: str) -> tuple[str, list[str]]:
    """``rtsp://admin:Pa55@nvr/x`` → (``rtsp://admin:{password}@nvr/x``, ["Pa55"]); also ``?pwd=…``, ``&token=…``.

    Passwords already replaced by the placeholder are left as they are (splitting twice changes nothing).
    """
    spans: list[tuple[int, int]] = []
    for match in _USERINFO.finditer(source):
        if match["password"]:
            spans.append(match.span("password"))
    for match in _SECRET_VALUES.finditer(source):
        if match["value"]:
            spans.append(match.span("value"))
    spans = sorted(s for s in spans if source[s[0]:s[1]] != PLACEHOLDER)
    parts, passwords, at = [], [], 0
    for start, end in spans:
        if start < at:  # overlapping matches in an odd URL: the first one already covers it
            continue
        parts += [source[at:start], PLACEHOLDER]
        passwords.append(source[start:end])
        at = end
    parts.append(source[at:])
    return "".join(parts), passwords


def merge_credentials(stored: str, passwords: Sequence[str]) -> str:
    """The stored source with its placeholders replaced, left to right, by ``passwords`` (missing ones stay)."""
    pieces = stored.split(PLACEHOLDER)
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        out += [passwords[index] if index < len(passwords) else PLACEHOLDER, piece]
    return "".join(out)
