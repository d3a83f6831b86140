"""Hiding camera credentials in anything shown or logged.

Every UI string and log line that names a camera source goes through :func:`mask_credentials`. It errs on the side
of hiding too much: a password written unencoded with ``/`` or ``@`` in it is still hidden, at the price of hiding
part of the host in such odd URLs.
"""

from __future__ import annotations

import re

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
