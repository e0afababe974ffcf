"""Changchun's development plan on interactive, offline, datum-correct maps.

The functions the CLI calls, for notebooks and scripts::

    from geo import load_plan, build_maps, validate_layers
    plan = load_plan("layers")
    build_maps("layers", "maps")
"""

from .build import build_maps
from .datum import gcj02_to_wgs84, wgs84_to_gcj02
from .errors import BuildFailed, DataError, GeoError, ValidationFailed
from .plan import load_plan
from .registry import load_registry
from .validate import validate_layers

__all__ = [
    "build_maps",
    "load_plan",
    "load_registry",
    "validate_layers",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "GeoError",
    "DataError",
    "ValidationFailed",
    "BuildFailed",
]
