"""``api token show|rotate``: the ticket feed's bearer token from the command line (console/api_token.py).

``show`` prints only the first four characters, so the output can go into a support ticket; ``rotate`` prints the
new token once on stdout — the one place it is ever shown in full on the command line — and nothing about it on
stderr or in the log. English output; no Qt.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from console.api_token import masked_token, rotate_token
from console.bootstrap import Environment
from console.cli import CommandError
from console.counter_desk import console_user
from console.secrets import SecretError


def run_api(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    store = env.secrets
    operator = getattr(args, "operator", None)
    by = getattr(operator, "username", None) or console_user()
    try:
        if args.token_command == "show":
            masked = masked_token(store)
            if not masked:
                out.write(f"no API token yet (secret store: {store.describe()}); make one with "
                          "'main.py api token rotate'\n")
                return 0
            enabled = "enabled" if env.settings.api.enabled else "disabled ([api] enabled = false)"
            out.write(f"API token: {masked}   kept in the {store.describe()}; the ticket feed is {enabled}\n")
            return 0
        rotation = rotate_token(store, env.db, by)
    except SecretError as exc:
        raise CommandError(f"{exc}; the API token was not changed") from None
    out.write(f"{rotation.token}\n")
    out.flush()
    print(f"new API token made and kept in the {store.describe()}; it is printed above once: enter it into the "
          "ticketing system now (the old one is refused from now on; a console window already running takes the "
          "new one when it restarts)", file=sys.stderr)
    if rotation.audit_error is not None:
        print(f"warning: {rotation.audit_error}", file=sys.stderr)
    return 0
