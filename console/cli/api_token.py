"""``api token show|rotate``: the ticket feed's bearer token from the command line (console/feed/token.py).

``show`` prints only the first four characters, so the output can go into a support ticket; ``rotate`` prints the
new token once on stdout — the one place it is ever shown in full on the command line — and nothing about it on
stderr or in the log. English output; no Qt.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from console.cli.common import CommandError

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    api = sub.add_parser("api", help="the ticket feed's API token: show it masked, or rotate it")
    api_sub = api.add_subparsers(dest="api_command", metavar="WHAT", required=True)
    token = api_sub.add_parser("token", help="show or rotate the bearer token the ticketing system sends")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    token_sub.add_parser("show", help="print the token masked (its first 4 characters) and where it is kept")
    token_sub.add_parser(
        "rotate", help="make a new random token and print it once",
        description="Makes a new random token, keeps it in the secret store (never in settings.toml) and prints it "
        "once on stdout, to be entered into the ticketing system; the old token is refused from then on (a "
        "console window already running takes the new token when it restarts). The rotation is audited, without "
        "the token.")
    api.set_defaults(handler=run_api)


def run_api(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.feed.token import masked_token, rotate_token
    from console.security.access import console_user
    from console.security.secret_store import SecretError

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
