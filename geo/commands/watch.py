"""``watch``: not written yet."""

import click


@click.command("watch")
def watch():
    """Not written yet."""
    raise click.ClickException("watch is not written yet")
