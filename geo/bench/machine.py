"""The machine a run is on."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
from pathlib import Path

from .common import CHROMIUM

# ---------------------------------------------------------------------------------------------
# the machine

def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def chromium_version(executable: str = CHROMIUM) -> str:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return "not found"
    m = re.search(r"Chromium [\d.]+", out)
    return m.group(0) if m else (out.strip().splitlines() or ["unknown"])[0]


def machine_info() -> dict:
    """CPU model, cores, RAM, OS, Python, Chromium and the date."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    osr = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release"), re.MULTILINE)
    try:
        from importlib.metadata import version
        pw = version("playwright")
    except Exception:  # noqa: BLE001 - only for the report
        pw = "not installed"
    import folium
    import shapely

    return {
        "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu.group(1).strip() if cpu else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "os": f"{osr.group(1) if osr else platform.system()} (kernel {platform.release()})",
        "python": platform.python_version(),
        "chromium": chromium_version(),
        "playwright": pw,
        "folium": folium.__version__,
        "shapely": shapely.__version__,
    }
