"""``import-layer``: not written yet."""

import click


@click.command("import-layer")
def import_layer():
    """Not written yet."""
    raise click.ClickException("import-layer is not written yet")
