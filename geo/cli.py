"""The command line: ``python -m geo <command>`` (also installed as ``changchun-maps``).

A thin click group; each command lives in ``geo/commands/<name>.py`` and calls library
functions a notebook can call too. Library errors (GeoError) become one line on stderr and
exit code 1; usage errors exit 2 (click's convention).
"""

from __future__ import annotations

import sys

import click

from .commands.bench import bench
from .commands.build import build
from .commands.db import db
from .commands.export import export
from .commands.import_boundaries import import_boundaries_cmd
from .commands.import_layer import import_layer
from .commands.validate import validate
from .commands.watch import watch
from .errors import GeoError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="changchun-maps")
def cli():
    """Changchun's spatial layout on interactive maps: layers, roles, maps."""


for command in (build, export, validate, import_boundaries_cmd, import_layer, watch, db, bench):
    cli.add_command(command)


def main(argv=None) -> int:
    try:
        return cli.main(args=argv, prog_name="python -m geo", standalone_mode=False) or 0
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except GeoError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
