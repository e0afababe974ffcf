"""The notebook API: ``examples/plan-in-a-notebook.ipynb`` runs from top to bottom in a real
kernel (nbclient + ipykernel) with the network refused, and a ``geo.folium_map(...)`` with a
layer of one's own, saved, opens in headless Chromium with the network refused: the six role
overlays in its layer control, the added marker drawn from inlined images."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_util import AssetRefs

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "examples" / "plan-in-a-notebook.ipynb"


def test_the_example_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's own paths, without its warning
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as exc:
        pytest.fail(f"nbclient/nbformat missing ({exc}): pip install -e '.[test]'", pytrace=False)
    # the notebook reads ../layers and writes ../maps: give it a folder of its own
    work = tmp_path / "examples"
    work.mkdir()
    (tmp_path / "layers").symlink_to(REPO / "layers")
    # the kernel imports this checkout's geo, with the network refused (tests/offline.py)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO / "tests"), str(REPO)]))
    monkeypatch.setenv("PYTHONSTARTUP", "")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import offline  # the network refused"))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "feature-role rows; EPSG:4326" in text
    assert "Nong'an County" in text and "农安县" in text
    assert "network refused" not in text
    saved = tmp_path / "maps" / "notebook-six-cities.html"
    assert saved.stat().st_size > 100_000
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert html and "geo-data" in html[-1]["data"]["text/html"], "the map shows in the notebook"


@pytest.mark.browser
def test_a_saved_folium_map_opens_offline_with_the_six_overlays(tmp_path, open_page):
    import folium

    import geo

    m = geo.folium_map("six-cities", REPO / "layers")
    assert isinstance(m, folium.Map)
    folium.Marker([43.9064, 125.3245], tooltip="Changchun Railway Station 长春站").add_to(m)
    folium.GeoJson({"type": "Feature", "properties": {},
                    "geometry": {"type": "LineString", "coordinates": [[125.2, 43.8], [125.5, 44.0]]}},
                   name="mine").add_to(m)
    path = tmp_path / "mine.html"
    m.save(path)
    mp = open_page(path)
    six = [r.id for r in geo.load_registry(REPO / "layers").group("six-cities")]
    assert len(six) == 6
    labels = mp.page.locator(".leaflet-control-layers-overlays span.geo-ov")
    assert sorted(labels.nth(i).get_attribute("data-role") for i in range(labels.count())) == sorted(six)
    counts = mp.role_counts(six)
    assert all(counts[r] > 0 for r in six), counts
    mp.page.wait_for_function("() => [...document.querySelectorAll('img.leaflet-marker-icon')]"
                              ".some((i) => i.complete && i.naturalWidth > 0)", timeout=10_000)
    assert mp.page.locator(".geo-legend").count() == 1
    # the added line lies over the page's overlays, where the pointer reaches it; the overlays
    # stay reachable beside it
    top = mp.evaluate("""() => {
      const m = GEO.map, box = m.getContainer().getBoundingClientRect();
      const at = (ll) => { const p = m.latLngToContainerPoint(ll);
                           return document.elementFromPoint(box.left + p.x, box.top + p.y); };
      const line = at([43.8 + 0.5 * 0.2, 125.2 + 0.5 * 0.3]), beside = at([43.8 + 0.5 * 0.2, 125.2 + 0.5 * 0.3 + 0.05]);
      return {line: line.getAttribute("class"), pane: line.closest(".leaflet-pane").className,
              beside: beside.getAttribute("class")};
    }""")
    assert "geo-shape" not in top["line"] and "leaflet-interactive" in top["line"], top
    assert "geo-shape" in top["beside"], top
    mp.assert_clean()
    refs = AssetRefs()
    refs.feed(path.read_text(encoding="utf-8"))
    assert not refs.refs, f"the saved page loads files: {refs.refs}"
