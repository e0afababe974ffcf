"""``build``: validate the layers and write every map into maps/."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import BuildFailed, ValidationFailed


@click.command("build")
@click.option("--layers", "layers_dir", default="layers", show_default=True,
              type=click.Path(exists=True, file_okay=False), help="The layers folder.")
@click.option("--out", "out_dir", default="maps", show_default=True,
              type=click.Path(file_okay=False), help="Where the maps go.")
@click.option("--cdn", is_flag=True,
              help="Link Leaflet from a CDN instead of inlining it (lighter pages that need the network).")
@click.option("--only", multiple=True, metavar="PAGE", help="Rebuild only this page (e.g. auto.html); repeatable.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
def build(layers_dir, out_dir, cdn, only, quiet):
    """Validate the layers, then write every map and the index into maps/.

    Writes nothing when validation finds errors; pages are written atomically, so the last
    good maps survive a bad edit or an interrupted build.
    """
    from ..build import build_maps  # folium and pandas load only when a build runs

    try:
        report = build_maps(layers_dir, out_dir, cdn=cdn, only=set(only) or None,
                            echo=None if quiet else click.echo)
    except ValidationFailed as exc:
        for p in exc.problems:
            click.echo(p.line(), err=True)
        click.echo(f"build stopped: {len(exc.problems)} error(s) in {layers_dir}; nothing was written, "
                   f"the maps in {out_dir}/ are the last good ones", err=True)
        stale = sorted(p.name for p in Path(out_dir).glob("*.html"))
        if stale:
            click.echo(f"stale (they do not show your latest edits): {', '.join(stale)}", err=True)
        return 1
    except BuildFailed as exc:
        click.echo(f"build failed: {exc}", err=True)
        if exc.stale:
            click.echo(f"stale (not rebuilt, previous versions kept): {', '.join(exc.stale)}", err=True)
        return 1
    for w in report.warnings:
        click.echo(w, err=True)
    click.echo(f"built {len(report.written)} pages in {out_dir}/ in {report.seconds:.1f} s")
    return 0
