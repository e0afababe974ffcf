"""``watch``: which pages a change affects, a scripted editing session, live reload, the CLI.

The scripted session runs :class:`geo.watch.Watcher` in a thread over a copy of the layers and
edits the copy the way an editor saves (a temporary file renamed over the original): a good
edit, a bad one (an unknown role), then a fix, waiting for each rebuild through ``on_build``.

folium names each map element with a random id, so pages are compared with it blanked out.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from layers_util import light_layers

from geo.build import build_maps
from geo.errors import GeoError
from geo.pagedata import read_page_data
from geo.plan import Plan, load_plan
from geo.validate import validate_layers
from geo.watch import VERSION_PATH, Rebuild, Watcher, affected_pages, inject_reload, serve_maps

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
RANDOM_ID = re.compile(rb"_[0-9a-f]{32}\b")
TIMEOUT = 60  # seconds to wait for one rebuild; they take two or three

ROLE_PAGES = {"six-cities.html", "auto.html", "agriculture.html", "dual-carbon.html", "sci-tech.html",
              "consumption.html", "culture.html"}
ALL_PAGES = ROLE_PAGES | {"economic-circle.html", "six-pairs.html", "three-plates.html", "four-plates.html",
                          "metropolitan-area.html", "two-bases.html", "timeline.html"}
# the sites' roles, Hunchun on a channel of the six pairs, Beihu in the innovation centre's plate
SITES_PAGES = {"six-cities.html", "auto.html", "sci-tech.html", "consumption.html", "culture.html",
               "six-pairs.html", "four-plates.html", "timeline.html"}


def norm(page: bytes) -> bytes:
    return RANDOM_ID.sub(b"_ID", page)


def pages_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.html"))}


def names_in(page: bytes) -> set[str]:
    """The English names of the features a page's data holds (the data is packed)."""
    return {f["name_en"] for f in read_page_data(page.decode("utf-8"))["features"]}


def save(path: Path, text: str) -> None:
    """Save like an editor: write a hidden temporary file, rename it over the original."""
    tmp = path.with_name(f".{path.name}.edit.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def edit_feature(layers: Path, file: str, fid: str, **props) -> None:
    path = layers / file
    doc = json.loads(path.read_text(encoding="utf-8"))
    (feature,) = [f for f in doc["features"] if f["properties"]["id"] == fid]
    feature["properties"].update(props)
    save(path, json.dumps(doc, ensure_ascii=False))


def copy_layers(dest: Path) -> Path:
    shutil.copytree(LAYERS, dest)
    return dest


@pytest.fixture(scope="module")
def light(tmp_path_factory) -> Path:
    """The real layers with their boundaries simplified (as coverages) to about 1 km: still valid,
    and each build takes a tenth of a second instead of two. What is tested is the watching."""
    layers = light_layers(tmp_path_factory.mktemp("light") / "layers")
    assert not [p for p in validate_layers(layers) if p.level == "error"]
    return layers


@pytest.fixture
def layers(light, tmp_path) -> Path:
    """A fresh copy of the light layers to edit."""
    return shutil.copytree(light, tmp_path / "layers")


# ---------------------------------------------------------------------------------------------
# affected_pages

@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(LAYERS)


@pytest.mark.parametrize("changed, expected", [
    (["roles.toml"], ALL_PAGES),
    (["sources.toml"], ALL_PAGES),
    (["layers.toml"], ALL_PAGES),
    (["counties.geojson"], ALL_PAGES),  # context layers are on every page
    (["province.geojson"], ALL_PAGES),
    (["sites.geojson"], SITES_PAGES),
    (["areas.geojson"], {"six-cities.html", "agriculture.html", "consumption.html", "timeline.html"}),
    # and the corridors drawn through zones, the plates grown from them, the base they are in
    (["zones.geojson"], ROLE_PAGES | {"four-plates.html", "two-bases.html", "timeline.html"}),
    (["corridors.geojson"], {"six-cities.html", "auto.html", "sci-tech.html", "economic-circle.html",
                             "six-pairs.html", "timeline.html"}),
    (["notes.geojson"], set()),  # no catalogue entry: no map shows it
    (["admin-units.toml"], set()),  # read by import-boundaries, not by the build
    (["README.md"], set()),
    (["sites.geojson", "corridors.geojson"], SITES_PAGES | {"economic-circle.html"}),
    (["plates.geojson"], {"three-plates.html", "four-plates.html", "metropolitan-area.html", "two-bases.html",
                          "timeline.html"}),
])
def test_affected_pages(plan, changed, expected):
    assert affected_pages(plan, changed) == expected


def test_affected_pages_takes_absolute_paths(plan):
    assert affected_pages(plan, [LAYERS / "sites.geojson"]) == SITES_PAGES
    assert affected_pages(plan, [str((LAYERS / "roles.toml").resolve())]) == ALL_PAGES
    assert affected_pages(plan, [LAYERS / "sub" / "roles.toml"]) == set()


def test_affected_pages_includes_the_pages_a_feature_left(plan, layers):
    path = layers / "sites.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    (gensci,) = [f for f in doc["features"] if f["properties"]["id"] == "gensci-park"]
    assert [r["role"] for r in gensci["properties"]["roles"]] == ["sci-tech"]
    gensci["properties"]["roles"] = [{"role": "agriculture", "part": "site", "source": "seed002-agriculture"}]
    path.write_text(json.dumps(doc), encoding="utf-8")
    after = load_plan(layers)
    pages = affected_pages(after, ["sites.geojson"], previous=plan)
    assert {"sci-tech.html", "agriculture.html"} <= pages  # the page it left and the page it joined
    assert "sci-tech.html" in affected_pages(plan, ["sites.geojson"])
    assert "agriculture.html" not in affected_pages(plan, ["sites.geojson"])


def test_affected_pages_follows_derived_features(layers):
    path = layers / "corridors.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    (ray,) = [f for f in doc["features"] if f["properties"]["id"] == "ray-jilin"]
    ray["properties"]["derive"]["from"] = ["gensci-park", "220200"]  # a ray (economic circle) through a site
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert affected_pages(load_plan(layers), ["sites.geojson"]) == SITES_PAGES | {"economic-circle.html"}


def test_affected_pages_maps_shapefile_sidecars_to_their_layer(plan):
    spec = next(s for s in plan.catalogue.layers if s.id == "sites")
    shp = dataclasses.replace(spec, file="sites.shp")
    layers = tuple(shp if s is spec else s for s in plan.catalogue.layers)
    catalogue = dataclasses.replace(plan.catalogue, layers=layers)
    features = [dataclasses.replace(f, layer=shp) if f.layer is spec else f for f in plan.features]
    fake = Plan(catalogue, plan.registry, features)
    for sidecar in ("sites.shp", "sites.dbf", "sites.prj", "sites.cpg", "sites.shp.xml"):
        assert affected_pages(fake, [sidecar]) == SITES_PAGES, sidecar
    assert affected_pages(fake, ["sites.geojson"]) == set()


def test_inject_reload_only_adds_the_script():
    page = b"<html><body><p>map</p></body>\n<script>x()</script>\n</html>"
    out = inject_reload(page, 7)
    assert out.startswith(b"<html><body><p>map</p>") and out.endswith(b"</body>\n<script>x()</script>\n</html>")
    assert VERSION_PATH.encode() in out and b'var v="7"' in out
    assert re.sub(rb'<script data-geo-watch="reload">.*?</script>', b"", out) == page
    assert inject_reload(b"no markup", 1).startswith(b"no markup<script")


# ---------------------------------------------------------------------------------------------
# a scripted watch session

class Session:
    """A Watcher running in a thread; ``next()`` waits for its next build."""

    def __init__(self, layers: Path, out: Path, *, serve: bool = False):
        self.lines: list[str] = []
        self.results: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.watcher = Watcher(layers, out, echo=self.lines.append, on_build=self.results.put)
        self.returned = None
        self.thread = threading.Thread(target=self._run, args=(serve,), name="watch-session")
        self.thread.start()

    def _run(self, serve):
        try:
            self.returned = self.watcher.run(debounce=100, serve=serve, port=0, stop_event=self.stop)
        except BaseException as exc:  # noqa: BLE001 - handed to the test through next()
            self.results.put(exc)

    def next(self) -> Rebuild:
        try:
            got = self.results.get(timeout=TIMEOUT)
        except queue.Empty:
            pytest.fail("no rebuild within the timeout; output:\n" + "\n".join(self.lines))
        if isinstance(got, BaseException):
            raise got
        return got

    def quiet(self, seconds: float = 0.5) -> None:
        """Assert that no other build follows."""
        time.sleep(seconds)
        assert self.results.empty(), f"unexpected extra build: {self.results.get()}"

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the watcher did not stop"
        assert self.returned == 0


@pytest.fixture
def session_factory():
    sessions = []

    def start(layers, out, **kwargs):
        sessions.append(Session(layers, out, **kwargs))
        return sessions[-1]

    yield start
    for s in sessions:
        s.close()


def test_scripted_session_good_bad_good(layers, tmp_path, session_factory):
    out = tmp_path / "maps"
    s = session_factory(layers, out)
    first = s.next()
    assert first.ok and first.pages is None and first.changed == []
    assert set(first.written) == ALL_PAGES | {"index.html"}
    before = pages_of(out)

    # 1. good: edit a site -> only the pages showing sites are rebuilt
    edit_feature(layers, "sites.geojson", "gensci-park", name_en="GenSci Park (edited)")
    r = s.next()
    assert r.ok, r.problems
    assert r.changed == ["sites.geojson"]
    assert set(r.pages) == SITES_PAGES
    assert set(r.written) == SITES_PAGES | {"index.html"}
    after = pages_of(out)
    for page in ALL_PAGES - SITES_PAGES:
        assert after[page] == before[page], f"{page} was rewritten but shows nothing of sites.geojson"
    assert "GenSci Park (edited)" in names_in(after["sci-tech.html"])
    n = len(SITES_PAGES)
    assert any(f"rebuilding {n} pages: {', '.join(sorted(SITES_PAGES))}" in line for line in s.lines)
    assert any(re.search(rf"rebuilt {n} pages and the index in \d+\.\d s", line) for line in s.lines)
    good = pages_of(out)

    # 2. bad: an unknown role -> every problem printed, nothing written
    zones = layers / "zones.geojson"
    save(zones, zones.read_text(encoding="utf-8").replace('"role": "auto"', '"role": "atuo"', 1))
    r = s.next()
    assert not r.ok
    assert any("zones.geojson: auto-zone: roles" in p and "atuo" in p for p in r.problems), r.problems
    assert any("atuo" in line for line in s.lines)
    assert any("kept the last good maps" in line for line in s.lines)
    assert pages_of(out) == good
    assert sorted(p.name for p in out.iterdir()) == sorted(good)  # not even a temporary file

    # still bad: a valid edit elsewhere is held back, not half-applied
    edit_feature(layers, "counties.geojson", "220102", name_en="Nanguan District (renamed)")
    r = s.next()
    assert not r.ok and r.changed == ["counties.geojson"]
    assert pages_of(out) == good

    # 3. good again: the fix builds every change made since the last good build
    save(zones, zones.read_text(encoding="utf-8").replace('"role": "atuo"', '"role": "auto"', 1))
    r = s.next()
    assert r.ok, r.problems
    assert r.pages == sorted(ALL_PAGES)  # counties.geojson (held back) is on every page
    s.quiet()
    fresh = tmp_path / "fresh"
    build_maps(layers, fresh)
    got, expected = pages_of(out), pages_of(fresh)
    assert set(got) == set(expected)
    for page in expected:
        assert norm(got[page]) == norm(expected[page]), f"{page} differs from a fresh build of the final layers"
    assert s.watcher.version == 3  # the first build and two good rebuilds


def get(url: str) -> tuple[int, bytes, dict]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.read(), dict(resp.headers)


def test_serve_injects_reload_and_counts_builds(layers, tmp_path, session_factory):
    out = tmp_path / "maps"
    s = session_factory(layers, out, serve=True)
    assert s.next().ok
    url = s.watcher.url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
    assert any(f"at {url}" in line for line in s.lines)

    status, body, headers = get(url + "auto.html")
    disk = (out / "auto.html").read_bytes()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert VERSION_PATH.encode() in body and b"location.reload()" in body
    assert VERSION_PATH.encode() not in disk  # only the served page has the script
    assert re.sub(rb'<script data-geo-watch="reload">.*?</script>', b"", body) == disk
    assert VERSION_PATH.encode() in get(url)[1]  # the index, through the folder's URL
    assert get(url + VERSION_PATH.lstrip("/"))[1] == b"1"
    with pytest.raises(urllib.error.HTTPError) as err:
        get(url + "no-such-page.html")
    assert err.value.code == 404
    err.value.close()

    edit_feature(layers, "sites.geojson", "gensci-park", name_en="GenSci Park (edited)")
    assert s.next().ok
    assert get(url + VERSION_PATH.lstrip("/"))[1] == b"2"
    assert "GenSci Park (edited)" in names_in(get(url + "sci-tech.html")[1])

    zones = layers / "zones.geojson"
    save(zones, zones.read_text(encoding="utf-8").replace('"role": "auto"', '"role": "atuo"', 1))
    assert not s.next().ok
    assert get(url + VERSION_PATH.lstrip("/"))[1] == b"2"  # a failed build reloads nothing

    save(layers / "scratch.geojson", '{"type": "FeatureCollection", "features": []}')
    r = s.next()
    assert r.changed == ["scratch.geojson"]  # unlisted, but the zones error is still pending
    assert not r.ok


def test_serve_on_a_busy_port_is_a_clear_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(GeoError, match=rf"127\.0\.0\.1:{port}: it is in use; pass another --port"):
            serve_maps(tmp_path, port)


def test_unlisted_file_rebuilds_nothing(layers, tmp_path):
    """Watcher.rebuild without the watch loop, as a notebook would call it."""
    out = tmp_path / "maps"
    lines: list[str] = []
    w = Watcher(layers, out, echo=lines.append)
    assert w.rebuild().ok and w.version == 1
    before = pages_of(out)
    (layers / "notes.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    r = w.rebuild([layers / "notes.geojson"])
    assert r.ok and r.pages == [] and r.written == [] and w.version == 1
    assert any("no map shows notes.geojson" in line for line in lines)
    assert pages_of(out) == before


# ---------------------------------------------------------------------------------------------
# the command line

class Proc:
    """``python -m geo watch ...`` with its output read line by line."""

    def __init__(self, *args):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.p = subprocess.Popen([sys.executable, "-m", "geo", "watch", *map(str, args)], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.q: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=lambda: [self.q.put(line) for line in self.p.stdout], daemon=True)
        self.reader.start()

    def wait_for(self, pattern: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.q.get(timeout=0.2)
            except queue.Empty:
                if self.p.poll() is not None and self.q.empty():
                    break
                continue
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        pytest.fail(f"no line matching {pattern!r}; output:\n{''.join(self.lines)}")

    def finish(self) -> tuple[int, str, str]:
        try:
            code = self.p.wait(timeout=TIMEOUT)
        finally:
            self.p.kill()
            self.p.wait()
            self.reader.join(timeout=10)
            err = self.p.stderr.read()
            self.p.stdout.close()
            self.p.stderr.close()
        while not self.q.empty():
            self.lines.append(self.q.get())
        return code, "".join(self.lines), err


def test_cli_once_after_changes(layers, tmp_path):
    out = tmp_path / "maps"
    proc = Proc("--layers", layers, "--out", out, "--debounce", "100", "--once-after-changes", "1")
    proc.wait_for(rf" built {len(ALL_PAGES)} pages and the index")
    edit_feature(layers, "sites.geojson", "gensci-park", name_en="GenSci Park (edited)")
    code, stdout, err = proc.finish()
    assert code == 0, stdout + err
    assert re.search(r"\] changed: sites\.geojson\n", stdout)
    assert f"rebuilding {len(SITES_PAGES)} pages: {', '.join(sorted(SITES_PAGES))}" in stdout
    assert re.search(rf"\[\d/{len(SITES_PAGES)}\] .*six-cities\.html \(\d+ KiB\) \d+\.\d s", stdout)
    assert "Traceback" not in err


def test_cli_ctrl_c_mid_build_exits_cleanly(tmp_path):
    layers, out = copy_layers(tmp_path / "layers"), tmp_path / "maps"  # the real ones: a build to interrupt
    proc = Proc("--layers", layers, "--out", out)
    proc.wait_for(rf"\[1/{len(ALL_PAGES)}\] ")
    proc.p.send_signal(signal.SIGINT)
    code, stdout, err = proc.finish()
    assert code == 0, stdout + err
    assert "Traceback" not in err and "Traceback" not in stdout
    assert "stopped" in stdout
    for page in out.glob("*.html"):  # the pages written so far are whole
        assert page.read_bytes().rstrip().endswith(b"</html>"), page.name
