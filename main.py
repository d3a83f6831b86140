"""Branch Lobby Console (网点厅堂监控台) — the entry point.

    python main.py [--db URL] [--data-dir DIR] [--lang L] [--demo] [--region] [--branch CODE] [--speed N]
                   [--quit-after SECONDS] [--screenshot PATH]          start the console window
    python main.py [global options] COMMAND ...                        a command without a window
    python main.py [global options] serve [--branch CODE]              a branch's feed and alerts, no window
    python main.py --help                                              every option and command

The command line is built and dispatched by ``console/cli/commands.py`` (one module per command in
``console/cli/``); the window by ``console/app/application.py``. Qt is imported only when the window starts, so
the commands run on machines without a display. On a real branch (not the demo) the window and every command
except ``staffing`` and ``evaluate`` need a login: ``--user NAME`` and the password on the terminal or, with
``--password-stdin``, on the first line of standard input.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from console import __version__

__all__ = ["__version__", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    from console.cli.commands import build_parser, check_options, run_command

    parser = build_parser()
    args = parser.parse_args(argv)
    check_options(parser, args)
    if getattr(args, "shell", None) == "serve":  # the headless service: parts of the application shell
        from console.app.service import serve

        return serve(args)
    if args.command == "report" and str(getattr(args, "export", None) or "").lower().endswith(".pdf"):
        from console.app.report_pdf import pdf_writer  # a PDF takes Qt, which the command line has not

        args.pdf_writer = pdf_writer()
    if args.command is not None:
        return run_command(args)

    from console.bootstrap import StartupError, prepare

    try:
        env = prepare(args)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        from console.app.application import show_startup_error

        show_startup_error(str(exc))
        return 2
    from console.app.application import run_gui

    return run_gui(env, args)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # cameras run in child processes; needed by a frozen (bundled) console
    sys.exit(main())
