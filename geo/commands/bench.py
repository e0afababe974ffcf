"""``bench``: not written yet."""

import click


@click.command("bench")
def bench():
    """Not written yet."""
    raise click.ClickException("bench is not written yet")
