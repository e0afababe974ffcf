"""An export stopped half-way leaves every file whole: the old one or the new one.

Two exports of two pages and the data: "old" from the real layers, "new" from a copy where a
district is renamed (which changes every file). Then the new export runs over a copy of the old
files and its whole process group is killed with SIGKILL at several points: as soon as its first
temporary file appears, after its first progress line, and once the GeoPackage's temporary file
appears. Every file must then be byte for byte the old one or the new one (exports of the same
layers on the same date are byte-identical). A Ctrl-C (KeyboardInterrupt) in the middle of a
page or of the GeoPackage leaves no temporary file behind either.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
OFFLINE = REPO / "tests" / "offline.py"
PAGES = ("auto", "consumption")
ARGS = [a for p in PAGES for a in ("--page", p)] + ["--jobs", "1"]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1767225600", "PYTHONUNBUFFERED": "1"}


def files_of(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def rename_district(layers: Path) -> None:
    path = layers / "counties.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for f in doc["features"]:
        if f["properties"]["id"] == "220104":  # Chaoyang: on both pages, and in the data
            f["properties"]["name_en"] = "Chaoyang District (renamed)"
            f["properties"]["name_zh"] = "朝阳区（改）"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def export(layers: Path, out: Path) -> None:
    proc = subprocess.run([sys.executable, str(OFFLINE), "export", "--layers", str(layers), "--out", str(out), *ARGS],
                          capture_output=True, text=True, env=ENV, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-atomic")
    edited = root / "layers"
    shutil.copytree(LAYERS, edited)
    rename_district(edited)
    export(LAYERS, root / "old")
    export(edited, root / "new")
    old, new = files_of(root / "old"), files_of(root / "new")
    assert set(old) == set(new) and len(old) == 3 * len(PAGES) + 2
    for name in old:
        assert old[name] != new[name], f"{name}: the edit must change every file"
    return edited, root / "old", old, new


def temporary(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*") if p.is_file()]


def run_and_kill(edited: Path, out: Path, when) -> str:
    """Start the export; SIGKILL its process group as soon as ``when(out, stdout_so_far)``."""
    proc = subprocess.Popen([sys.executable, str(OFFLINE), "export", "--layers", str(edited), "--out", str(out), *ARGS],
                            cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + 300
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            seen = "".join(lines)
            if when(out, seen):
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.0005)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
        reader.join(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, f"the export finished before it was killed: {lines}"
    return "".join(lines)


KILL_POINTS = {
    "first temporary file": lambda out, seen: bool(temporary(out)),
    "after the first page": lambda out, seen: "[1/" in seen,
    "while writing the GeoPackage": lambda out, seen: any(p.name.endswith(".tmp.gpkg") for p in temporary(out)),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_leaves_every_file_old_or_new(versions, tmp_path, point):
    edited, old_dir, old, new = versions
    out = tmp_path / "maps"
    shutil.copytree(old_dir, out)
    run_and_kill(edited, out, KILL_POINTS[point])
    got = files_of(out)
    assert set(got) == set(old), sorted(set(got) ^ set(old))
    state = {}
    for name, data in got.items():
        if data == old[name]:
            state[name] = "old"
        elif data == new[name]:
            state[name] = "new"
        else:
            pytest.fail(f"{point}: {name} is neither the old file nor the new one ({len(data)} bytes: partial?)")
    if point == "after the first page":
        assert any(state[f"print/{PAGES[0]}.{ext}"] == "new" for ext in ("pdf", "svg", "png")), state
    for leftover in temporary(out):  # a SIGKILL can leave a temporary file, hidden, never a final one
        assert leftover.name.startswith(".") and (leftover.name.endswith(".tmp") or
                                                  leftover.name.endswith(".tmp.gpkg")), leftover


def test_ctrl_c_in_a_page_or_the_geopackage_leaves_no_temporary_file(versions, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    import geo.export.gpkg as gpkg
    from geo.export import export_maps

    edited, old_dir, old, _new = versions
    out = tmp_path / "maps"
    shutil.copytree(old_dir, out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    real_savefig, calls = Figure.savefig, []

    def savefig(self, fname, *args, **kwargs):
        calls.append(kwargs.get("format"))
        if len(calls) == 2:  # the SVG of the first page, after its PDF was written
            fname.write(b"<svg half")
            raise KeyboardInterrupt
        return real_savefig(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    with pytest.raises(KeyboardInterrupt):
        export_maps(edited, out, pages=list(PAGES), jobs=1)
    assert not temporary(out), temporary(out)
    got = files_of(out)
    assert got[f"print/{PAGES[0]}.pdf"] != old[f"print/{PAGES[0]}.pdf"], "the first PDF was written"
    assert got[f"print/{PAGES[0]}.svg"] == old[f"print/{PAGES[0]}.svg"], "the interrupted SVG is the old one"

    monkeypatch.setattr(Figure, "savefig", real_savefig)
    real_write, layers_written = gpkg.pyogrio_write, []

    def write(frame, path, **kwargs):
        layers_written.append(kwargs.get("layer"))
        if len(layers_written) == 3:
            raise KeyboardInterrupt
        return real_write(frame, path, **kwargs)

    monkeypatch.setattr(gpkg, "pyogrio_write", write)
    with pytest.raises(KeyboardInterrupt):
        export_maps(edited, out, pages=[PAGES[0]], formats="png", jobs=1)
    assert not temporary(out), temporary(out)
    assert files_of(out)["data/changchun-plan.gpkg"] == old["data/changchun-plan.gpkg"]
