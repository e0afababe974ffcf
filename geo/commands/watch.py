"""``watch``: rebuild the maps a change to the layers affects, optionally serving them with live reload."""

from __future__ import annotations

import click


@click.command("watch")
@click.option("--layers", "layers_dir", default="layers", show_default=True,
              type=click.Path(exists=True, file_okay=False), help="The layers folder to watch.")
@click.option("--out", "out_dir", default="maps", show_default=True,
              type=click.Path(file_okay=False), help="Where the maps go.")
@click.option("--debounce", default=300, show_default=True, type=click.IntRange(min=0), metavar="MS",
              help="Rebuild once the folder has been quiet this many milliseconds.")
@click.option("--serve", is_flag=True,
              help="Also serve the maps on 127.0.0.1; open pages reload after each rebuild.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="The port for --serve (0: any free port).")
@click.option("--cdn", is_flag=True, help="Link Leaflet from a CDN instead of inlining it.")
@click.option("--once-after-changes", "max_changes", type=click.IntRange(min=1), default=None, metavar="N",
              help="Stop after N rebuilds (for tests and scripts); exit 1 if the last one failed.")
def watch(layers_dir, out_dir, debounce, serve, port, cdn, max_changes):
    """Build the maps, then watch the layers folder and rebuild what each change affects.

    A change to layers.toml, roles.toml, sources.toml or a context layer rebuilds every page;
    a change to another layer rebuilds the pages that show its features. Database layers are
    watched too: rows committed to their tables (from QGIS or SQL) rebuild the pages showing
    those rows; a dropped connection is retried. When the layers have errors it prints every
    problem and keeps the last good maps. Ctrl-C stops it.
    """
    from ..watch import Watcher  # folium and pandas load only when it runs

    watcher = Watcher(layers_dir, out_dir, cdn=cdn, echo=click.echo)
    try:
        return watcher.run(debounce=debounce, serve=serve, port=port, max_changes=max_changes)
    except KeyboardInterrupt:  # a second Ctrl-C while shutting down
        click.echo("stopped")
        return 0
