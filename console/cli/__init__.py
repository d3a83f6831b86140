"""The command line: every subcommand of main.py, without Qt (English output on stdout, problems on stderr with a
non-zero exit)."""
