"""``--basemap``: tiles under a print map, fetched with contextily when there is a network.

The tiles are the first WGS-84 basemap with tiles in ``layers.toml`` (GCJ-02 tiles, such as
Gaode's, would sit about 590 m off the plan's WGS-84 boundaries). With no network the map is
drawn without tiles and the note says so. contextily is an optional dependency
(``pip install -e ".[basemap]"``).
"""

from __future__ import annotations

import html
import re
import warnings
from urllib.parse import urlsplit

__all__ = ["TileDrawer", "tile_drawer"]


class TileDrawer:
    """``drawer(ax) -> attribution or None``; ``drawer.note``: what happened, for the user."""

    def __init__(self, name: str, url: str, attribution: str):
        self.name, self.url, self.attribution = name, url, attribution
        self.note: str | None = None

    def __call__(self, ax):
        try:
            import contextily
        except ImportError:
            self.note = "basemap: contextily is not installed (pip install -e \".[basemap]\"); printed without tiles"
            return None
        from .frame import PRINT_CRS

        url = self.url.replace("{r}", "").replace("{s}", "a")
        try:
            with warnings.catch_warnings():  # rasterio's use of affine warns about its own API
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                contextily.add_basemap(ax, source=url, crs=PRINT_CRS, attribution=False, zorder=0.5,
                                       reset_extent=True)
        except Exception as exc:  # noqa: BLE001 - any failure to fetch: print without tiles, say why
            host = urlsplit(url).hostname or url
            self.note = (f"basemap: no network? could not fetch tiles from {host} ({type(exc).__name__}); "
                         "printed without tiles")
            return None
        self.note = f"basemap: {self.name} tiles"
        return f"{self.name}, {self.attribution}"


def tile_drawer(plan) -> TileDrawer:
    for b in plan.catalogue.basemaps:
        if b.url and b.datum == "wgs84":
            return TileDrawer(b.name, b.url, html.unescape(re.sub(r"<[^>]+>", "", b.attribution)))
    return _NoTiles("basemap: layers.toml lists no WGS-84 basemap with tiles; printed without tiles")


class _NoTiles(TileDrawer):
    def __init__(self, note: str):
        super().__init__("", "", "")
        self.note = note

    def __call__(self, ax):
        return None
