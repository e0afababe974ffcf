"""``db``: move layers between files and PostgreSQL/PostGIS (push, pull) and set up change triggers (init)."""

from __future__ import annotations

import click

from ..errors import ValidationFailed

_URL = click.argument("url", metavar="URL")
_LAYERS = click.option("--layers", "layers_dir", default="layers", show_default=True,
                       type=click.Path(exists=True, file_okay=False), help="The layers folder.")
_ONLY = click.option("--layer", "only", multiple=True, metavar="ID",
                     help="Only this layer (its id in layers.toml); repeatable. Default: all.")


@click.group("db")
def db():
    """Layers in PostgreSQL/PostGIS, edited in QGIS by a team.

    URL is postgresql://user@host:port/db. The password never goes in the URL or layers.toml:
    it comes from PGPASSWORD or ~/.pgpass, as for psql.
    """


@db.command("push")
@_URL
@_LAYERS
@_ONLY
@click.option("--schema", default="public", show_default=True, help="The schema the tables go in.")
@click.option("--replace", is_flag=True, help="Overwrite tables that exist already.")
def push_cmd(url, layers_dir, only, schema, replace):
    """Copy file layers into tables (one per layer, named after its id) and point layers.toml at them.

    Validates first and changes nothing when the layers have errors. Creates PostGIS when the user
    may, and the triggers that let `watch` see edits. One transaction: on any failure the database
    and layers.toml stay as they were. The files stay too (git keeps the history).
    """
    from ..db.transfer import push

    try:
        tables = push(url, layers_dir, only or None, schema=schema, replace=replace, echo=click.echo)
    except ValidationFailed as exc:
        for p in exc.problems:
            click.echo(p.line(), err=True)
        click.echo(f"push stopped: {len(exc.problems)} error(s) in {layers_dir}; nothing was changed", err=True)
        return 1
    click.echo(f"pushed {len(tables)} layer{'s' if len(tables) != 1 else ''}; {layers_dir}/layers.toml "
               f"now reads them from {url}")
    return 0


@db.command("pull")
@_URL
@_LAYERS
@_ONLY
def pull_cmd(url, layers_dir, only):
    """Write the layers read from URL back to <id>.geojson files and point layers.toml at them.

    A snapshot to commit to git. One transaction: on any failure every file stays as it was.
    """
    from ..db.transfer import pull

    files = pull(url, layers_dir, only or None, echo=click.echo)
    click.echo(f"pulled {len(files)} layer{'s' if len(files) != 1 else ''}; {layers_dir}/layers.toml "
               "now reads them from files")
    return 0


@db.command("init")
@_URL
@_LAYERS
@_ONLY
def init_cmd(url, layers_dir, only):
    """Create PostGIS (when allowed) and the change triggers on the tables layers.toml reads from URL.

    `db push` does this for the tables it makes; run `db init` for tables made otherwise.
    """
    from ..db.transfer import init

    tables = init(url, layers_dir, only or None, echo=click.echo)
    click.echo(f"{len(tables)} table{'s' if len(tables) != 1 else ''} ready for watch")
    return 0
