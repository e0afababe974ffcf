"""``validate``: check the layers, print every problem on its own line, exit 1 when any is an error."""

from __future__ import annotations

import click

from ..validate import MAX_BYTES, validate_report


@click.command("validate")
@click.option("--layers", "layers_dir", default="layers", show_default=True,
              type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="The folder holding layers.toml, roles.toml, sources.toml and the layer files.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_BYTES, show_default=True,
              help="The largest layer file accepted, in bytes.")
def validate(layers_dir: str, strict: bool, max_bytes: int) -> int:
    """Check the catalogue, the role registry and every layer file.

    Prints one line per problem (file: feature: property: level: message (hint: ...)) and a
    summary. Exit code 0 when there are no errors (warnings alone pass unless --strict),
    1 when there are.
    """
    report = validate_report(layers_dir, strict=strict, max_bytes=max_bytes)
    for problem in report.problems:
        click.echo(problem.line())
    click.echo(report.summary())
    return 1 if report.errors else 0
