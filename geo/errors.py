"""The errors this package raises: one base class, a few specific kinds.

The CLI turns each into a one-line message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

__all__ = ["BuildFailed", "DataError", "GeoError", "ValidationFailed"]


class GeoError(Exception):
    """Base class of every error this package raises on purpose."""


class DataError(GeoError):
    """A layer, registry or source file cannot be read or does not make sense."""


class ValidationFailed(GeoError):
    """Validation found errors; ``problems`` holds every one of them."""

    def __init__(self, problems):
        self.problems = list(problems)
        n = sum(1 for p in self.problems if p.level == "error")
        super().__init__(f"{n} problem(s) found in layers")


class BuildFailed(GeoError):
    """A build stopped before writing every page; ``stale`` lists the pages left as they were."""

    def __init__(self, message: str, stale=()):
        self.stale = list(stale)
        super().__init__(message)
