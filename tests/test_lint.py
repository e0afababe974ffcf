"""The code follows the rules in pyproject.toml ([tool.ruff]); nobody has to remember them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    files = sorted(str(p) for p in (ROOT / "geo").rglob("*.py")) + sorted(str(p) for p in (ROOT / "tests").glob("*.py"))
    assert len(files) > 20
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *files], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
