"""The role registry: forgiving lookup, precise failure."""

import shutil
from pathlib import Path

import pytest

from geo.errors import DataError
from geo.registry import load_registry

LAYERS = Path(__file__).resolve().parents[1] / "layers"


def test_lookup_forgives_case_punctuation_and_names():
    reg = load_registry(LAYERS)
    assert reg.role("AUTO").id == "auto"
    assert reg.role("dual carbon").id == "dual-carbon"
    assert reg.role("Sci-Tech Innovation City").id == "sci-tech"
    assert reg.role("现代农业城").id == "agriculture"


def test_unknown_role_names_valid_ids_and_closest():
    reg = load_registry(LAYERS)
    with pytest.raises(DataError) as e:
        reg.role("agricultre")
    msg = str(e.value)
    assert "'agricultre'" in msg and "did you mean 'agriculture'" in msg and "culture" in msg


def test_registry_errors_name_file_and_role(tmp_path):
    shutil.copytree(LAYERS, tmp_path / "layers")
    roles = tmp_path / "layers" / "roles.toml"
    text = roles.read_text(encoding="utf-8").replace('colour = "#d55e00"', 'colour = "red"')
    roles.write_text(text.replace('source = "seed002-culture"', 'source = "seed002-cultur"'), encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_registry(tmp_path / "layers")
    msg = str(e.value)
    assert "roles.toml" in msg and "(auto)" in msg and "'red'" in msg
    assert "did you mean 'seed002-culture'" in msg
