"""Shared fixtures: the maps built once per session, one headless Chromium per session, and
one PostgreSQL server with PostGIS per session (tests/pg_server.py).

The browser and database tests never skip: when Chromium, Playwright or PostgreSQL is missing
they fail, saying what to install (CI installs them all).
"""

from __future__ import annotations

import os
import subprocess
import tempfile

import pytest
from browser_util import CHROMIUM_ARGS, LAYERS, MapPage, chromium_path

# The boundary cache (geo/cache.py) of this test session: not the user's
os.environ["GEO_CACHE_DIR"] = tempfile.mkdtemp(prefix="geo-test-cache-")


@pytest.fixture(scope="session")
def built_maps(tmp_path_factory):
    """Every page, built once from ``layers/`` into a temporary folder."""
    from geo.build import build_maps

    out = tmp_path_factory.mktemp("maps")
    build_maps(LAYERS, out)
    return out


@pytest.fixture(scope="session")
def plan():
    """The plan of ``layers/``, read once per session (tests must not change it; a module may
    define its own)."""
    from geo.plan import load_plan

    return load_plan(LAYERS)


@pytest.fixture(scope="session")
def geoms(plan):
    """The page geometry of the session's :func:`plan`, simplified once."""
    from geo.simplify import simplify_plan

    return simplify_plan(plan)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (system Chromium, no downloads)."""
    exe = chromium_path()
    if exe is None:
        pytest.fail("Chromium not found: install it (apt-get install chromium) or set "
                    "CHROMIUM=/path/to/chromium. The browser tests need it and do not skip.", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"the Python package playwright is not installed ({exc}): pip install -e '.[test]'",
                    pytrace=False)
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:
        pw.stop()
        pytest.fail(f"could not launch Chromium at {exe}: {exc}", pytrace=False)
    try:
        yield b
    finally:
        b.close()
        pw.stop()


@pytest.fixture
def open_page(browser):
    """``open_page(path)``: a built page in a fresh context; closed after the test."""
    opened: list[MapPage] = []

    def _open(path, **kw) -> MapPage:
        mp = MapPage.open(browser, path, **kw)
        opened.append(mp)
        return mp

    yield _open
    for mp in opened:
        mp.close()


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server with PostGIS of the tests' own, on 127.0.0.1; removed at the end."""
    from pg_server import ServerError, start_server

    try:
        server = start_server()
    except (ServerError, OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"could not start the PostgreSQL test server: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def pg_url(pg_server, monkeypatch) -> str:
    """The URL of a fresh database with PostGIS, owned by ``planner``; PGPASSWORD holds the password."""
    from pg_server import PASSWORD

    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    for name in ("PGPASSFILE", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"):
        monkeypatch.delenv(name, raising=False)
    return pg_server.url(pg_server.new_database())
