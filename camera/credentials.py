"""Hiding camera credentials in anything shown or logged."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@\s:]*)(?::(?P<password>[^/@\s]*))?@")
_SECRET_PARAMS = re.compile(r"(?P<key>[?&;](?:password|passwd|pwd|pass|token|key|auth)=)(?P<value>[^&;#\s]*)",
                            re.IGNORECASE)


def mask_credentials(text: str) -> str:
    """``rtsp://admin:secret@nvr/x`` → ``rtsp://***:***@nvr/x``; secret query parameters → ``***``."""
    masked = _USERINFO.sub(lambda m: f"{m['scheme']}***{':***' if m['password'] is not None else ''}@", text)
    return _SECRET_PARAMS.sub(lambda m: f"{m['key']}***", masked)
