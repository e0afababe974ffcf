"""Constants the benchmark modules share."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The six-cities roles, in registry order (synthetic features take these, round robin).
SIX_ROLES = ("auto", "agriculture", "dual-carbon", "sci-tech", "consumption", "culture")
#: Where synthetic features go: the Changchun box (lon 124.5-127, lat 43.3-45.5).
BOX = (124.5, 43.3, 127.0, 45.5)
#: A page is "usable" while it draws within this many seconds ...
LOAD_LIMIT_S = 3.0
#: ... and switches a role overlay off or on within this many.
TOGGLE_LIMIT_S = 1.0
OVERVIEW = "six-cities.html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-sandbox"]
#: Every host name fails to resolve, inside the browser: tile requests fail at once, with no
#: network and no round trip to this process. The CDN files are answered by routes first.
NO_NETWORK = "--host-resolver-rules=MAP * ~NOTFOUND"
