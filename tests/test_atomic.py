"""Killing a build midway leaves every previously built page byte-identical.

The maps are built once from the real layers ("old"), and once from a copy where a district is
renamed ("new", a change every page shows, since the districts are context on every page). Then
``python -m geo build`` of the renamed layers runs over a copy of the old maps and is killed
with SIGKILL at several points: as soon as its first temporary file appears, after its first
and third progress lines, and (in a wrapper that kills itself) halfway through writing a page.
Afterwards every page must be exactly the old one or exactly the new one, never partial or
empty, and the new ones must be the pages the build had reached (a prefix of its order).

folium names each map element with a random id (``map_<32 hex digits>``), so two builds of the
same layers differ in that id alone; pages are compared with it blanked out.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import geo.build
from geo.build import build_maps
from geo.errors import BuildFailed
from geo.maps import page_specs
from geo.plan import load_plan

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and /proc/self/fd")

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
RANDOM_ID = re.compile(rb"_[0-9a-f]{32}\b")


def norm(page: bytes) -> bytes:
    return RANDOM_ID.sub(b"_ID", page)


def pages_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.html"))}


def rename_district(layers: Path, adcode: str = "220102", name: str = "Nanguan District (renamed)") -> None:
    path = layers / "counties.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    (feature,) = [f for f in doc["features"] if f["properties"]["id"] == adcode]
    feature["properties"]["name_en"] = name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    """(edited layers, old build folder, old pages, new pages, page order of the build)."""
    root = tmp_path_factory.mktemp("atomic")
    edited = root / "layers"
    shutil.copytree(LAYERS, edited)
    rename_district(edited)
    build_maps(LAYERS, root / "old")
    build_maps(edited, root / "new")
    old, new = pages_of(root / "old"), pages_of(root / "new")
    order = [p.file for p in page_specs(load_plan(edited))]
    assert set(old) == set(new) == {*order, "index.html"}
    for page in order:
        assert norm(old[page]) != norm(new[page]), f"{page}: the edit must change every page"
    return edited, root / "old", old, new, order


def fresh_copy(old_dir: Path, dest: Path) -> Path:
    shutil.copytree(old_dir, dest)
    return dest


def states(out: Path, old: dict, new: dict) -> dict[str, str]:
    """Each page's state: "old" or "new"; fails on anything else."""
    got = pages_of(out)
    assert set(got) == set(old), f"html files changed: {sorted(set(got) ^ set(old))}"
    out_states = {}
    for name, data in got.items():
        if data == old[name]:
            out_states[name] = "old"
        elif norm(data) == norm(new[name]):
            out_states[name] = "new"
        else:
            pytest.fail(f"{name} is neither the old page nor the new one ({len(data)} bytes: partial?)")
    return out_states


def assert_prefix_rewritten(out: Path, old: dict, new: dict, order: list[str], at_least: int,
                            at_most: int | None = None) -> int:
    st = states(out, old, new)
    done = [st[p] for p in order]
    n = done.count("new")
    assert done == ["new"] * n + ["old"] * (len(order) - n), f"pages rewritten out of order: {done}"
    assert n >= at_least, f"{n} pages new, the build had reported {at_least}"
    if at_most is not None:
        assert n <= at_most
    assert st["index.html"] == "old" or n == len(order)
    for leftover in out.iterdir():  # a killed build may leave its temporary file, never an .html
        if leftover.suffix != ".html":
            assert re.fullmatch(r"\..+\.html\..+\.tmp", leftover.name), leftover.name
    return n


def snapshot(out: Path) -> dict:
    entries = {}
    for entry in os.scandir(out):
        try:
            st = entry.stat()
        except FileNotFoundError:  # a temporary file renamed away meanwhile
            continue
        entries[entry.name] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return entries


def run_and_kill(edited: Path, out: Path, after_pages: int) -> list[str]:
    """Start the build; once it has reported ``after_pages`` pages, SIGKILL it at the first sign
    of the next write (any file in ``out`` appearing or changing), so it dies mid-write."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "build", "--layers", str(edited), "--out", str(out)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    seen, progress, before = [], 0, None
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                while True:
                    line = lines.get_nowait()
                    seen.append(line)
                    progress += bool(re.match(r"\[\d+/\d+\] ", line))
            except queue.Empty:
                pass
            if progress >= after_pages:
                if before is None:
                    before = snapshot(out)
                elif snapshot(out) != before or progress > after_pages:  # the next page is being written
                    proc.send_signal(signal.SIGKILL)
                    break
            time.sleep(0.0002)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        reader.join(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, f"the build was not killed (exit {proc.returncode}): {seen}"
    return seen


@pytest.mark.parametrize("after_pages", [0, 1, 3])
def test_sigkill_midway_leaves_every_page_whole(maps, tmp_path, after_pages):
    edited, old_dir, old, new, order = maps
    out = fresh_copy(old_dir, tmp_path / "maps")
    run_and_kill(edited, out, after_pages)
    assert_prefix_rewritten(out, old, new, order, at_least=after_pages, at_most=after_pages + 1)


# A wrapper that kills the build from inside, halfway through writing page K+1: the
# temporary file holds half a page when the process dies.
KILL_MID_WRITE = r"""
import os, signal, sys

K = int(sys.argv[1])
real_fdopen = os.fdopen
opened = 0

def fdopen(fd, *args, **kwargs):
    global opened
    fh = real_fdopen(fd, *args, **kwargs)
    name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
    if name.startswith(".") and ".html." in name and name.endswith(".tmp"):
        opened += 1
        if opened == K + 1:
            def write(text, _write=fh.write):
                _write(text[: len(text) // 2])
                fh.flush()
                os.fsync(fh.fileno())
                os.kill(os.getpid(), signal.SIGKILL)
            fh.write = write
    return fh

os.fdopen = fdopen
from geo.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("pages_done", [0, 3])
def test_sigkill_halfway_through_a_page_keeps_the_old_page(maps, tmp_path, pages_done):
    edited, old_dir, old, new, order = maps
    out = fresh_copy(old_dir, tmp_path / "maps")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", KILL_MID_WRITE, str(pages_done), "build", "--layers", str(edited),
                           "--out", str(out)], check=False, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    n = assert_prefix_rewritten(out, old, new, order, at_least=pages_done, at_most=pages_done)
    assert n == pages_done
    (tmp,) = out.glob(f".{order[pages_done]}.*.tmp")  # the half-written page, under its temporary name
    assert 0 < tmp.stat().st_size < len(new[order[pages_done]])


def test_invalid_layers_write_nothing(maps, tmp_path):
    _, old_dir, old, _, _ = maps
    bad = tmp_path / "layers"
    shutil.copytree(LAYERS, bad)
    zones = bad / "zones.geojson"
    zones.write_text(zones.read_text(encoding="utf-8").replace('"role": "auto"', '"role": "atuo"', 1),
                     encoding="utf-8")
    out = fresh_copy(old_dir, tmp_path / "maps")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "geo", "build", "--layers", str(bad), "--out", str(out)],
                          check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "atuo" in proc.stderr and "nothing was written" in proc.stderr
    assert pages_of(out) == old
    assert sorted(p.name for p in out.iterdir()) == sorted(old)  # not even a temporary file


@pytest.mark.parametrize("step", ["data", "deflate", "write"])
@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_build_failed_lists_the_stale_pages(maps, tmp_path, monkeypatch, failure, step):
    """The third page fails while its data is made, while it is deflated (in the build's worker
    thread, while the fourth is being made) or while it is written: the two before it are written,
    it and every page after it are untouched and listed as stale."""
    edited, old_dir, old, new, order = maps
    out = fresh_copy(old_dir, tmp_path / "maps")
    # geo.build holds its own references to raw_data, finish_page and atomic_write
    name, page_of = {"data": ("raw_data", lambda a: a[1].file), "deflate": ("finish_page", lambda a: a[0].file),
                     "write": ("atomic_write", lambda a: Path(a[0]).name)}[step]
    real, calls = getattr(geo.build, name), []

    def failing(*args, **kwargs):
        calls.append(page_of(args))
        if len(calls) == 3:
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(geo.build, name, failing)
    with pytest.raises(BuildFailed) as info:
        build_maps(edited, out)
    assert calls[2] == order[2]
    assert info.value.stale == order[2:]
    assert order[2] in str(info.value)
    got = pages_of(out)
    for page in order[:2]:
        assert norm(got[page]) == norm(new[page]), f"{page} should have been rewritten"
    for page in [*order[2:], "index.html"]:
        assert got[page] == old[page], f"{page} should be untouched"
    assert sorted(p.name for p in out.iterdir()) == sorted(old)


def test_a_page_that_fails_to_write_stops_the_pages_deflated_after_it(maps, tmp_path, monkeypatch):
    """The third page is slow to deflate, so the pages after it are made and deflated meanwhile;
    then it fails to be written: none of them is written after it."""
    edited, old_dir, old, new, order = maps
    out = fresh_copy(old_dir, tmp_path / "maps")
    real_finish, real_write, made = geo.build.finish_page, geo.build.atomic_write, []

    def finish_page(page, *args):
        if page.file == order[2]:
            time.sleep(0.5)
        return real_finish(page, *args)

    def atomic_write(path, text):
        if Path(path).name == order[2]:
            made.extend(p for p in order[3:] if p in calls)
            raise OSError("disk full")
        return real_write(path, text)

    real_data, calls = geo.build.raw_data, []

    def raw_data(*args, **kwargs):
        calls.append(args[1].file)
        return real_data(*args, **kwargs)

    monkeypatch.setattr(geo.build, "finish_page", finish_page)
    monkeypatch.setattr(geo.build, "atomic_write", atomic_write)
    monkeypatch.setattr(geo.build, "raw_data", raw_data)
    with pytest.raises(BuildFailed) as info:
        build_maps(edited, out)
    assert made, "the pages after the slow one were made before it failed"
    assert info.value.stale == order[2:] and "disk full" in str(info.value)
    got = pages_of(out)
    for page in order[:2]:
        assert norm(got[page]) == norm(new[page]), f"{page} should have been rewritten"
    for page in [*order[2:], "index.html"]:
        assert got[page] == old[page], f"{page} should be untouched"
