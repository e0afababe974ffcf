"""One module per command of the CLI (see geo/cli.py)."""
