"""``export``: print maps (PDF, SVG, PNG) of every map page, and the plan as GIS data."""

from __future__ import annotations

import click

from ..errors import ValidationFailed


@click.command("export")
@click.option("--layers", "layers_dir", default="layers", show_default=True,
              type=click.Path(exists=True, file_okay=False), help="The layers folder.")
@click.option("--out", "out_dir", default="maps", show_default=True, type=click.Path(file_okay=False),
              help="Where print/ and data/ go.")
@click.option("--page", "pages", multiple=True, metavar="NAME",
              help="Export this page only (e.g. six-cities); repeatable. Default: every map page.")
@click.option("--paper", default="A4", show_default=True, metavar="A4|A3", help="The sheet.")
@click.option("--orientation", default="landscape", show_default=True, metavar="landscape|portrait")
@click.option("--lang", default="both", show_default=True, metavar="en|zh|both",
              help="The language of labels, legend and notes.")
@click.option("--format", "formats", default="pdf,svg,png", show_default=True, metavar="LIST",
              help="Comma-separated: pdf, svg, png (PNG at 300 dpi).")
@click.option("--basemap", is_flag=True,
              help="Draw map tiles under the plan (needs a network and contextily: pip install -e \".[basemap]\").")
@click.option("--no-data", is_flag=True, help="Skip the GeoPackage and roles.csv.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Pages drawn at once (default: the cores, at most 2).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
def export(layers_dir, out_dir, pages, paper, orientation, lang, formats, basemap, no_data, jobs, quiet):
    """Write print maps and GIS data into maps/: print/<page>.pdf, .svg and .png for every map
    page (vector PDF and SVG with the fonts embedded, PNG at 300 dpi), data/changchun-plan.gpkg
    (every layer, the role assignments, a QGIS style per layer) and data/roles.csv.

    Validates the layers first and writes nothing when they have errors; every file is written
    atomically. Needs no network (--basemap only adds tiles when there is one).
    """
    from ..export import ChoiceError, export_maps  # matplotlib loads only when an export runs

    try:
        report = export_maps(layers_dir, out_dir, pages=list(pages) or None, paper=paper, orientation=orientation,
                             lang=lang, formats=formats, basemap=basemap, data=not no_data, jobs=jobs,
                             echo=None if quiet else click.echo)
    except ChoiceError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except ValidationFailed as exc:
        for p in exc.problems:
            click.echo(p.line(), err=True)
        click.echo(f"export stopped: {len(exc.problems)} error(s) in {layers_dir}; nothing was written", err=True)
        return 1
    for w in report.warnings:
        click.echo(w, err=True)
    for note in report.notes:
        click.echo(note, err=True)
    n = len(report.written)
    click.echo(f"exported {n} file{'s' if n != 1 else ''} into {out_dir}/ in {report.seconds:.1f} s")
    return 0
