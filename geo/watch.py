"""Watch the layers folder and rebuild the maps a change affects; optionally serve them.

:class:`Watcher` does the work and can be driven from a notebook: ``Watcher(...).rebuild()``
builds everything, ``.rebuild(["layers/sites.geojson"])`` rebuilds what that file affects,
``.run()`` (or :func:`watch`) watches the folder until Ctrl-C or ``stop_event``. Which pages a
change affects is :func:`affected_pages`:

* ``layers.toml``, ``roles.toml``, ``sources.toml``: every page (titles, styles, roles, quotes);
* a context layer, or a layer with official polygons (simplified as one coverage with their
  neighbours): every page;
* any other layer: the pages showing one of its features, before or after the change, or a
  feature derived from one of them (a belt made of districts, a corridor through zones);
* a file no catalogue entry names: no page;
* rows of a database layer (``NOTIFY`` from the triggers ``db push`` or ``db init`` install):
  the pages showing those features, before or after the change, or one derived from them (or
  every page, as for files, when they are context or official polygons).

A build validates first and writes nothing when the layers have errors, so a bad edit (or a
bad row committed from SQL or QGIS) keeps the last good maps; the changes are remembered and
built with the next good edit. A database connection that drops is retried with a growing
pause and reported; on reconnecting, its tables count as changed.

With ``serve`` the output folder is served on 127.0.0.1 only. Served HTML pages (never the
files on disk) get a small script that polls ``/__geo_version`` every second and reloads the
page when the number changes; it goes up after each build that wrote pages.
"""

from __future__ import annotations

import datetime
import errno
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import build_maps, checked_plan
from .errors import BuildFailed, GeoError, ValidationFailed
from .maps import page_specs
from .plan import Plan

__all__ = ["CONFIG_FILES", "VERSION_PATH", "Rebuild", "Watcher", "affected_pages", "inject_reload",
           "serve_maps", "watch"]

#: Files every page depends on.
CONFIG_FILES = ("layers.toml", "roles.toml", "sources.toml")
#: Where a served page asks for the build number.
VERSION_PATH = "/__geo_version"
_SHP_SIDECARS = (".dbf", ".shx", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")
_GPKG_SIDECARS = ("-wal", "-shm", "-journal")
_LAYER_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")


# ---------------------------------------------------------------------------------------------
# which pages a change affects

def _layer_path(path: Path) -> Path:
    """The layer file a changed file belongs to: a Shapefile's .dbf is its .shp's, a GeoPackage's -wal its own."""
    name = path.name
    for s in _GPKG_SIDECARS:
        if name.lower().endswith(".gpkg" + s):
            return path.with_name(name[: -len(s)])
    if name.lower().endswith(".shp.xml"):
        return path.with_name(name[: -len(".xml")])
    if path.suffix.lower() in _SHP_SIDECARS:
        return path.with_suffix(".shp")
    return path


def _resolve(root: Path, p) -> Path:
    p = Path(p)
    return (p if p.is_absolute() else root / p).resolve()


def _specs_for(plan: Plan, path) -> list:
    """The catalogue entries of ``plan`` whose file is ``path`` (or has it as a sidecar)."""
    root = Path(plan.catalogue.root)
    target = _layer_path(_resolve(root, path))
    out = []
    for spec in plan.catalogue.layers:
        if spec.in_database:  # its changes come as rows, not files
            continue
        own = _resolve(root, spec.file)
        if own == target or (own.suffix.lower() == ".shp" and target.suffix.lower() == ".shp"
                             and own.with_suffix("") == target.with_suffix("")):
            out.append(spec)
    return out


def _context_ids(plan: Plan, page) -> set[str]:
    # as geo.render.page_data decides it
    return set(page.context_layers) if page.context_layers else \
        {s.id for s in plan.catalogue.layers if s.context}


def _pages_showing(plan: Plan, spec, only_ids: set | None = None) -> set[str] | None:
    """Pages of ``plan`` that show a feature of layer ``spec`` (``only_ids``: one of these) or one
    derived from it; None: all."""
    pages = page_specs(plan)
    if spec.context or any(spec.id in _context_ids(plan, p) for p in pages):
        return None
    feats = plan.layer_features(spec.id)
    if only_ids is not None:
        feats = [f for f in feats if f.id in only_ids]
    if any(f.basis == "official" and f.geometry.geom_type in ("Polygon", "MultiPolygon") for f in feats):
        return None  # simplified as one coverage with every other official polygon
    ids = {f.id for f in feats}
    grew = True
    while grew:  # features derived from these, transitively
        grew = False
        for f in plan.features:
            members = {str(m) for m in (f.props.get("derive") or {}).get("from", [])}
            if f.id not in ids and members & ids:
                ids.add(f.id)
                grew = True
    involved = [f for f in plan.features if f.id in ids]
    out = set()
    for page in pages:
        context = _context_ids(plan, page)
        if any(f.layer.id in context or any(f.has_role(r) for r in page.roles) for f in involved):
            out.add(page.file)
    return out


def affected_pages(plan: Plan, changed_paths: Iterable, previous: Plan | None = None,
                   rows: Iterable = ()) -> set[str]:
    """The page files (of ``plan``'s pages) to rebuild after ``changed_paths`` changed, and the
    database ``rows`` (:class:`geo.db.notify.Change`: source, table, id or None for any row).

    ``plan`` is the plan after the change, ``previous`` the one the pages were built from (so
    that a feature that left a page is taken off it too). Paths may be absolute or relative to
    the layers folder. Files no catalogue entry names affect no page; when in doubt, every page.
    """
    every = {p.file for p in page_specs(plan)}
    root = Path(plan.catalogue.root).resolve()
    hit: set[str] = set()
    for raw in changed_paths:
        path = _resolve(root, raw)
        if path.parent == root and path.name in CONFIG_FILES:
            return every
        for p in (plan, previous):
            if p is None:
                continue
            for spec in _specs_for(p, raw):
                pages = _pages_showing(p, spec)
                if pages is None:
                    return every
                hit |= pages
    for change in rows:
        for p in (plan, previous):
            for spec in (p.catalogue.layers if p is not None else ()):
                if spec.in_database and change.matches(spec.source, spec.table):
                    pages = _pages_showing(p, spec, None if change.id is None else {change.id})
                    if pages is None:
                        return every
                    hit |= pages
    return hit & every


# ---------------------------------------------------------------------------------------------
# serving the maps with live reload

_RELOAD = ('<script data-geo-watch="reload">(function(){{var v={version};setInterval(function(){{'
           'fetch("' + VERSION_PATH + '",{{cache:"no-store"}}).then(function(r){{return r.text()}})'
           '.then(function(t){{if(t.trim()!==v)location.reload()}}).catch(function(){{}})}},1000)}})();'
           '</script>')


def inject_reload(page: bytes, version: int) -> bytes:
    """``page`` with the reload script added before its last ``</body>`` (or ``</html>``, or at the end)."""
    script = _RELOAD.format(version=json.dumps(str(version))).encode()
    low = page.lower()
    at = low.rfind(b"</body>")
    if at < 0:
        at = low.rfind(b"</html>")
    return page + script if at < 0 else page[:at] + script + page[at:]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that went away
            super().handle_error(request, client_address)


def _handler(root: Path, version: Callable[[], int]):
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format, *args):  # quiet: the watch prints what matters
            pass

        def _send(self, body: bytes, ctype: str, head: bool):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _serve(self, head: bool):
            path = urllib.parse.urlsplit(self.path).path
            if path == VERSION_PATH:
                return self._send(str(version()).encode(), "text/plain; charset=utf-8", head)
            fs = self.translate_path(self.path)
            if os.path.isdir(fs) and path.endswith("/"):
                fs = os.path.join(fs, "index.html")
            if fs.lower().endswith((".html", ".htm")) and os.path.isfile(fs):
                try:
                    page = Path(fs).read_bytes()
                except OSError:
                    self.send_error(404, "File not found")
                    return None
                return self._send(inject_reload(page, version()), "text/html; charset=utf-8", head)
            return super().do_HEAD() if head else super().do_GET()

        def do_GET(self):
            self._serve(head=False)

        def do_HEAD(self):
            self._serve(head=True)

    return Handler


@dataclass
class Serving:
    """A running server: its address and how to stop it."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()


def serve_maps(out_dir: Path | str, port: int = 8000, version: Callable[[], int] = lambda: 0) -> Serving:
    """Serve ``out_dir`` on 127.0.0.1:``port`` (0: any free port) in a thread; ``.stop()`` ends it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = _Server(("127.0.0.1", port), _handler(out_dir.resolve(), version))
    except OSError as exc:
        why = "it is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise GeoError(f"cannot serve on 127.0.0.1:{port}: {why}; pass another --port") from None
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="geo-watch-http", daemon=True)
    thread.start()
    return Serving(server, thread)


# ---------------------------------------------------------------------------------------------
# the watcher

@dataclass
class Rebuild:
    """What one build of the watch did."""

    changed: list[str]  # changed files, relative to the layers folder ([] for the first build)
    pages: list[str] | None  # the pages it set out to rebuild; None: every page
    ok: bool = True
    written: list[str] = field(default_factory=list)  # file names, index.html included
    problems: list[str] = field(default_factory=list)  # validation errors or the build failure
    stale: list[str] = field(default_factory=list)  # pages left out of date by a failed build
    seconds: float = 0.0
    version: int = 0  # the build number after it


class Watcher:
    """Rebuild the maps in ``out_dir`` from ``layers_dir`` as the layers change.

    ``echo`` gets every line of output; ``on_build`` gets each :class:`Rebuild`.
    """

    def __init__(self, layers_dir: Path | str = "layers", out_dir: Path | str = "maps", *, cdn: bool = False,
                 echo: Callable[[str], object] = print, on_build: Callable[[Rebuild], object] | None = None):
        self.layers_dir = Path(layers_dir)
        self.out_dir = Path(out_dir)
        self.cdn = cdn
        self.echo = echo
        self.on_build = on_build
        self.version = 0  # goes up after each build that wrote pages
        self.url: str | None = None
        self.history: list[Rebuild] = []
        self._built_from: Plan | None = None  # the plan the pages were last built from
        self._pending: set[Path] = set()  # changes not built yet (the layers had errors)
        self._pending_rows: set = set()  # database changes not built yet
        self._stale: set[str] = set()  # pages a failed build left out of date

    # -- one build ------------------------------------------------------------------------------

    def _name(self, path: Path) -> str:
        try:
            return Path(os.path.relpath(path, self.layers_dir)).as_posix()
        except ValueError:
            return str(path)

    def rebuild(self, changed: Iterable = (), rows: Iterable = ()) -> Rebuild:
        """Build what ``changed`` (paths) and ``rows`` (database changes, see :func:`affected_pages`)
        affect; with nothing changed, build every page."""
        changed, rows = [Path(p) for p in changed], list(rows)
        names = sorted({self._name(p) + ("" if p.exists() else " (deleted)") for p in changed}
                       | {f"{c.table} row {c.id}" if c.id is not None else f"table {c.table}" for c in rows})
        t0 = time.perf_counter()
        if names:
            self.echo(f"[{datetime.datetime.now():%H:%M:%S}] changed: {', '.join(names)}")
        self._pending.update(changed)
        self._pending_rows.update(rows)
        result = Rebuild(names, None, version=self.version)
        last = [time.perf_counter()]

        def progress(line: str) -> None:
            now = time.perf_counter()
            self.echo(f"  {line} {now - last[0]:.1f} s")
            last[0] = now

        try:
            plan, warnings = checked_plan(self.layers_dir)  # what it checked is what it draws
            only = None
            if names and self._built_from is not None:
                every = {p.file for p in page_specs(plan)}
                only = affected_pages(plan, self._pending, self._built_from, self._pending_rows) | \
                    (self._stale & every)
                if not only:
                    self.echo(f"  no map shows {', '.join(names)}; nothing to rebuild")
                    self._pending.clear()
                    self._pending_rows.clear()
                    return self._done(Rebuild(names, [], seconds=time.perf_counter() - t0, version=self.version))
            result.pages = todo = sorted(only) if only is not None else None
            if todo is None:
                self.echo("  building every page" if names or self.history
                          else f"building the maps in {self.out_dir}/")
            else:
                self.echo(f"  rebuilding {len(todo)} page{'s' if len(todo) != 1 else ''}: {', '.join(todo)}")
            report = build_maps(self.layers_dir, self.out_dir, cdn=self.cdn, only=only, echo=progress,
                                plan=plan, warnings=warnings)
        except ValidationFailed as exc:
            result.ok = False
            result.problems = [p.line() for p in exc.problems]
            for line in result.problems:
                self.echo(f"  {line}")
            self.echo(f"  {len(result.problems)} error(s) in {self.layers_dir}/: nothing rebuilt, "
                      f"kept the last good maps in {self.out_dir}/")
            return self._done(result, t0)
        except BuildFailed as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                if exc.stale:
                    self.echo(f"  interrupted; not rebuilt (previous versions kept): {', '.join(exc.stale)}")
                raise KeyboardInterrupt from exc
            result.ok = False
            result.problems = [str(exc)]
            result.stale = list(exc.stale)
            self.echo(f"  build failed: {exc}")
            if exc.stale:
                self.echo(f"  stale (previous versions kept, rebuilt with the next change): {', '.join(exc.stale)}")
            self._stale = set(exc.stale)
            self._pending.clear()
            self._pending_rows.clear()
            self._built_from = plan
            self.version += 1  # some pages did change
            return self._done(result, t0)
        except Exception as exc:  # noqa: BLE001 - a watch keeps running whatever one build does
            result.ok = False
            result.problems = [f"{type(exc).__name__}: {exc}" if not isinstance(exc, GeoError) else str(exc)]
            for line in result.problems:
                self.echo(f"  {line}")
            self.echo(f"  build failed; kept the last good maps in {self.out_dir}/")
            return self._done(result, t0)
        for w in report.warnings:
            self.echo(f"  {w}")
        result.written = [Path(p).name for p in report.written]
        self._stale -= set(result.written)
        self._pending.clear()
        self._pending_rows.clear()
        self._built_from = plan
        self.version += 1
        pages = len(result.written) - 1
        verb = "built" if self.version == 1 else "rebuilt"
        self.echo(f"  {verb} {pages} page{'s' if pages != 1 else ''} and the index in {report.seconds:.1f} s"
                  f" (build {self.version})")
        return self._done(result, t0)

    def _done(self, result: Rebuild, t0: float | None = None) -> Rebuild:
        if t0 is not None:
            result.seconds = time.perf_counter() - t0
        result.version = self.version
        self.history.append(result)
        if self.on_build:
            self.on_build(result)
        return result

    # -- the watch loop -------------------------------------------------------------------------

    def _filter(self):
        import watchfiles

        default = watchfiles.DefaultFilter()
        out = self.out_dir.resolve()

        def keep(change, path: str) -> bool:
            p = Path(path)
            if p.name.startswith(".") or p.name.endswith(".tmp") or not default(change, path):
                return False
            return out != p.resolve() and out not in p.resolve().parents

        return keep

    def run(self, *, debounce: int = 300, serve: bool = False, port: int = 8000, stop_event=None,
            max_changes: int | None = None) -> int:
        """Build everything, then rebuild on every change until Ctrl-C, ``stop_event`` or
        ``max_changes`` rebuilds; returns 0, or 1 when ``max_changes`` ended on a failed build.

        ``debounce``: milliseconds the folder must stay quiet before a rebuild.
        """
        import watchfiles

        if not self.layers_dir.is_dir():
            raise GeoError(f"{self.layers_dir}: layers folder not found")
        stop_event = stop_event if stop_event is not None else threading.Event()
        changes = watchfiles.watch(self.layers_dir, watch_filter=self._filter(), debounce=max(1600, 4 * debounce),
                                   step=max(debounce, 1), stop_event=stop_event, rust_timeout=100,
                                   yield_on_timeout=True, raise_interrupt=True)
        server = listener = None
        try:
            early = next(changes, None)  # the watcher is armed once this returns
            if early is None:  # stopped already
                return 0
            if serve:
                server = serve_maps(self.out_dir, port, lambda: self.version)
                self.url = server.url
                self.echo(f"serving {self.out_dir}/ at {self.url} (pages reload after each rebuild)")
            self.echo(f"watching {self.layers_dir}/ (Ctrl-C to stop)")
            listener = self._listener()  # listening before the first build: no commit slips between
            self.rebuild()
            done = 0
            for batch in changes:  # a batch at least every 100 ms (rust_timeout), often empty: time to poll
                paths = _worth_a_look(batch)
                rows = listener.poll() if listener is not None else []
                if not paths and not rows:
                    continue
                result = self.rebuild(paths, rows)
                if any(p.name == "layers.toml" for p in paths):
                    listener = self._listener(listener)
                done += 1
                if max_changes is not None and done >= max_changes:
                    return 0 if result.ok else 1
            return 0
        except KeyboardInterrupt:
            self.echo("stopped")
            return 0
        finally:
            changes.close()
            if listener is not None:
                listener.close()
            if server is not None:
                server.stop()

    def _listener(self, listener=None):
        """A :class:`geo.db.notify.Listener` on the databases layers.toml reads (updated, when
        given one); None while no layer comes from a database."""
        from .catalogue import load_catalogue

        try:
            catalogue = load_catalogue(self.layers_dir)
        except Exception:  # noqa: BLE001 - the build says what is wrong with it; keep listening as before
            return listener
        sources: dict[str, list[str]] = {}
        for spec in catalogue.layers:
            if spec.in_database:
                sources.setdefault(spec.source, []).append(spec.table)
        if listener is not None:
            listener.update(sources)
            return listener
        if not sources:
            return None
        from .db.notify import Listener

        return Listener(sources, echo=lambda line: self.echo(f"[{datetime.datetime.now():%H:%M:%S}] {line}"))


def _worth_a_look(batch) -> list[Path]:
    """The changed paths of a watchfiles batch, less files that came and went (an editor's temporaries)."""
    out = set()
    for _, raw in batch:
        p = Path(raw)
        if p.exists() or p.name in CONFIG_FILES or _layer_path(p).suffix.lower() in _LAYER_SUFFIXES:
            out.add(p)
    return sorted(out)


def watch(layers_dir: Path | str = "layers", out_dir: Path | str = "maps", *, debounce: int = 300,
          serve: bool = False, port: int = 8000, cdn: bool = False, stop_event=None,
          max_changes: int | None = None, echo: Callable[[str], object] = print,
          on_build: Callable[[Rebuild], object] | None = None) -> int:
    """Watch ``layers_dir`` and keep ``out_dir`` built (see :class:`Watcher` and :meth:`Watcher.run`)."""
    watcher = Watcher(layers_dir, out_dir, cdn=cdn, echo=echo, on_build=on_build)
    return watcher.run(debounce=debounce, serve=serve, port=port, stop_event=stop_event, max_changes=max_changes)
