"""``import-layer``: bring a GeoPackage, Shapefile or GeoJSON into layers/ as WGS-84 GeoJSON.

The work is :func:`geo.importer.import_layer_file`, which a notebook can call too.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import GeoError

#: --source-datum choices (geo.datum.DATUMS; listed here so that --help loads no numpy)
DATUM_CHOICES = ("wgs84", "gcj02", "bd09")

__all__ = ["import_layer"]


def _name(value: str) -> str:
    from ..importer import check_name

    try:
        return check_name(value)
    except GeoError as exc:
        raise click.BadParameter(str(exc), param_hint="'--as'") from None


@click.command("import-layer")
@click.argument("src", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "name", required=True, metavar="NAME.geojson",
              callback=lambda ctx, param, value: _name(value),
              help="The file name to write in the layers folder.")
@click.option("--layers", "layers_dir", default="layers", show_default=True,
              type=click.Path(exists=True, file_okay=False), help="The layers folder.")
@click.option("--source-datum", type=click.Choice(DATUM_CHOICES), default="wgs84", show_default=True,
              help="The datum of the source's coordinates: gcj02 (Amap/Gaode, Tencent) or bd09 (Baidu) "
                   "for coordinates pasted from a Chinese map service.")
@click.option("--force", is_flag=True, help="Replace an existing layer file.")
def import_layer(src, name, layers_dir, source_datum, force):
    """Import SRC (GeoPackage, Shapefile or GeoJSON) into the layers folder as WGS-84 GeoJSON.

    The source is reprojected from its declared CRS (it must declare one). When layers.toml
    lists NAME, the new file is validated; otherwise the [[layer]] entry to add is printed.
    """
    from ..importer import import_layer_file

    try:
        result = import_layer_file(src, name, layers_dir, source_datum=source_datum, force=force)
    except GeoError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    click.echo(f"wrote {result.path}: {result.features} feature{'s' if result.features != 1 else ''} in WGS-84")
    for note in result.notes:
        click.echo(f"  {note}")
    if not result.listed:
        click.echo(f"\n{result.path.name} is not listed in {Path(layers_dir) / 'layers.toml'}, so no map shows it "
                   "yet. Add this entry there (edit the titles and the style):\n")
        click.echo(result.entry)
        return 0
    for p in result.problems:
        click.echo(p.line(), err=p.level == "error")
    if result.errors:
        click.echo(f"{result.path} was written, but it has {result.errors} error(s); fix them before building",
                   err=True)
        return 1
    click.echo(f"{result.path} is listed in layers.toml and passes validation"
               + (f" ({len(result.problems)} warning(s))" if result.problems else ""))
    return 0
