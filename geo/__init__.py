"""Changchun's development plan on interactive, offline, datum-correct maps.

The functions the CLI calls, for notebooks and scripts::

    from geo import load_plan, build_maps, validate_layers
    plan = load_plan("layers")
    build_maps("layers", "maps")
    export_maps("layers", "maps")          # print maps, GeoPackage, roles.csv
    m = folium_map("six-cities")           # a page as a folium.Map: add layers, save()
    df = plan_frame()                      # one row per feature and role (GeoDataFrame)

Names are imported on first use, so the command line starts quickly.
"""

from importlib import import_module

__all__ = [
    "BuildFailed",
    "DataError",
    "GeoError",
    "ValidationFailed",
    "build_maps",
    "export_maps",
    "folium_map",
    "gcj02_to_wgs84",
    "load_plan",
    "load_registry",
    "plan_frame",
    "read_page_data",
    "validate_layers",
    "wgs84_to_gcj02",
]

_WHERE = {
    "build_maps": "build", "export_maps": "export", "folium_map": "notebook", "plan_frame": "export",
    "load_plan": "plan", "load_registry": "registry", "read_page_data": "pagedata",
    "validate_layers": "validate", "wgs84_to_gcj02": "datum", "gcj02_to_wgs84": "datum",
    "GeoError": "errors", "DataError": "errors", "ValidationFailed": "errors", "BuildFailed": "errors",
}


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
