"""Database layers against a real PostgreSQL with PostGIS (tests/pg_server.py; nothing mocked).

``db push`` then a build gives the very pages the files give, with the files gone; ``db pull``
gives the very files back; push and pull are one transaction each; every validation check
applies to rows, naming table and row; passwords come from PGPASSWORD or a .pgpass file and
never from layers.toml; SQL in a table name or a value is only text.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pg_server import PASSWORD

from geo.build import build_maps
from geo.catalogue import load_catalogue
from geo.db.transfer import pull, push
from geo.errors import DataError, ValidationFailed
from geo.pagedata import read_page_data
from geo.validate import validate_report

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
FILE_LAYERS = sorted(p.name for p in LAYERS.glob("*.geojson"))


def count(layer: str) -> int:
    """How many features the real layer file holds."""
    return len(json.loads((LAYERS / f"{layer}.geojson").read_text(encoding="utf-8"))["features"])


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "geo", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=300)


def errors(layers) -> list[str]:
    return [p.line() for p in validate_report(layers).problems if p.level == "error"]


def sql(url: str, statement: str, params=()):
    """Run one statement from a connection of its own (another editor), committed."""
    with psycopg.connect(url) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else None


@pytest.fixture(scope="module")
def files_maps(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("files-maps")
    build_maps(LAYERS, out)
    return out


@pytest.fixture
def layers(tmp_path) -> Path:
    return shutil.copytree(LAYERS, tmp_path / "layers")


@pytest.fixture
def pushed(layers, pg_url) -> Path:
    """The real layers pushed into a fresh database, the GeoJSON files removed."""
    push(pg_url, layers)
    for name in FILE_LAYERS:
        (layers / name).unlink()
    return layers


# ---------------------------------------------------------------------------------------------
# push, build, pull

def test_push_then_build_gives_the_same_pages_as_the_files(pushed, pg_url, files_maps, tmp_path):
    catalogue = load_catalogue(pushed)
    assert [(s.source, s.table) for s in catalogue.layers] == [
        (pg_url, f"public.{s.id}") for s in catalogue.layers]
    assert not list(pushed.glob("*.geojson"))
    out = tmp_path / "maps"
    build_maps(pushed, out)
    pages = sorted(p.name for p in files_maps.iterdir())
    assert len(pages) >= 15 and sorted(p.name for p in out.iterdir()) == pages
    for name in pages:
        assert (out / name).read_bytes() == (files_maps / name).read_bytes(), name


def test_pull_gives_back_the_original_files(pushed, pg_url):
    written = pull(pg_url, pushed)
    assert sorted(p.name for p in written) == FILE_LAYERS
    for name in [*FILE_LAYERS, "layers.toml"]:
        assert (pushed / name).read_bytes() == (LAYERS / name).read_bytes(), name


def test_the_table_is_what_the_issue_asks(pushed, pg_url):
    columns = dict(sql(pg_url, "SELECT column_name, data_type FROM information_schema.columns "
                               "WHERE table_schema = 'public' AND table_name = 'zones'"))
    assert columns["id"] == "text" and columns["roles"] == "jsonb" and columns["derive"] == "jsonb"
    assert columns["name_en"] == "text" and columns["position_error_m"] == "numeric"
    assert sql(pg_url, "SELECT Find_SRID('public', 'zones', 'geom')") == [(4326,)]
    assert sql(pg_url, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                       "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'public.zones'::regclass "
                       "AND i.indisprimary") == [("id",)]
    roles = sql(pg_url, "SELECT roles FROM public.zones WHERE id = 'auto-zone'")[0][0]
    assert roles == [{"role": "auto", "part": "flagship", "source": "seed002-auto"}]


def test_push_is_one_transaction(layers, pg_url):
    sql(pg_url, "CREATE TABLE public.sites (id text)")  # the last layer cannot be made
    before = (layers / "layers.toml").read_bytes()
    with pytest.raises(DataError, match=r"table public\.sites exists already; pass --replace"):
        push(pg_url, layers)
    assert (layers / "layers.toml").read_bytes() == before
    tables = sql(pg_url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                         "AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys'")
    assert tables == [("sites",)]
    assert not list(layers.glob(".*.tmp"))
    push(pg_url, layers, replace=True)
    specs = load_catalogue(layers).layers
    assert len(specs) == len(load_catalogue(LAYERS).layers) and all(s.in_database for s in specs)


def test_pull_is_one_transaction(pushed, pg_url):
    sql(pg_url, "ALTER TABLE public.sites DROP COLUMN geom")
    before = (pushed / "layers.toml").read_bytes()
    with pytest.raises(DataError, match=r"table public\.sites .*no geometry column"):
        pull(pg_url, pushed)
    assert (pushed / "layers.toml").read_bytes() == before
    assert not list(pushed.glob("*.geojson")) and not list(pushed.glob(".*.tmp"))


def test_push_validates_first(layers, pg_url):
    path = layers / "zones.geojson"
    path.write_text(path.read_text(encoding="utf-8").replace('"role": "auto"', '"role": "autos"', 1),
                    encoding="utf-8")
    with pytest.raises(ValidationFailed):
        push(pg_url, layers)
    assert sql(pg_url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                       "AND table_name = 'zones'") == [(0,)]


def test_push_and_pull_one_layer_from_the_cli(layers, pg_url):
    done = run_cli("db", "push", pg_url, "--layers", layers, "--layer", "sites", env={"PGPASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    assert f"sites.geojson -> table public.sites ({count('sites')} features)" in done.stdout
    specs = {s.id: s for s in load_catalogue(layers).layers}
    assert specs["sites"].table == "public.sites" and not specs["zones"].in_database
    (layers / "sites.geojson").unlink()
    done = run_cli("db", "pull", pg_url, "--layers", layers, env={"PGPASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    assert (layers / "sites.geojson").read_bytes() == (LAYERS / "sites.geojson").read_bytes()
    assert (layers / "layers.toml").read_bytes() == (LAYERS / "layers.toml").read_bytes()


def test_db_cli_errors_are_one_line(layers, pg_url):
    with_password = pg_url.replace("planner@", "planner:secret@")
    done = run_cli("db", "push", with_password, "--layers", layers)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "holds a password" in done.stderr
    done = run_cli("db", "push", pg_url, "--layers", layers, "--layer", "nope", env={"PGPASSWORD": PASSWORD})
    assert done.returncode == 1 and done.stderr.startswith("error: no file layer 'nope'")
    done = run_cli("db", "pull", pg_url, "--layers", layers, env={"PGPASSWORD": PASSWORD})
    assert done.returncode == 1 and "no layer reads from" in done.stderr
    assert run_cli("db", "--help").stdout.count("push") >= 1


def test_postgis_is_created_when_allowed(layers, pg_server, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    bare = pg_server.new_database(postgis=False)
    with pytest.raises(DataError, match="PostGIS is not installed in this database and this user may not"):
        push(pg_server.url(bare), layers, ["sites"])
    assert load_catalogue(layers).layers[-1].file == "sites.geojson"
    admin = pg_server.url(bare, user="geo_admin")
    push(admin, layers, ["sites"])
    assert sql(admin, "SELECT count(*) FROM public.sites") == [(count("sites"),)]
    assert sql(admin, "SELECT extname FROM pg_extension WHERE extname = 'postgis'") == [("postgis",)]


# ---------------------------------------------------------------------------------------------
# passwords

def test_the_password_comes_from_a_pgpass_file(pushed, pg_url, tmp_path, monkeypatch):
    monkeypatch.delenv("PGPASSWORD")
    missing = errors(pushed)
    assert missing and all("cannot connect" in line and "PGPASSWORD or ~/.pgpass" in line for line in missing)
    assert missing[0].startswith(f"table public.province at {pg_url}: error: ")
    pgpass = tmp_path / "pgpass"
    host, port, db = re.match(r"postgresql://planner@([^:]+):(\d+)/(\w+)", pg_url).groups()
    pgpass.write_text(f"{host}:{port}:{db}:planner:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert errors(pushed) == []


def test_a_password_in_layers_toml_is_refused(pushed, pg_url):
    path = pushed / "layers.toml"
    path.write_text(path.read_text().replace(pg_url, pg_url.replace("planner@", f"planner:{PASSWORD}@"), 1))
    lines = errors(pushed)
    assert len(lines) == 1 and "source holds a password" in lines[0] and PASSWORD not in lines[0]


# ---------------------------------------------------------------------------------------------
# every check applies to rows

@pytest.mark.parametrize("statement, expected", [
    ("UPDATE public.zones SET geom = ST_GeomFromText('POLYGON((125.3 43.8, 125.5 44.0, 125.5 43.8, "
     "125.3 44.0, 125.3 43.8))', 4326) WHERE id = 'auto-zone'",
     "auto-zone: geometry: error: invalid Polygon: Self-intersection at [125.4, 43.9]"),
    ("UPDATE public.zones SET roles = '[{\"role\": \"autos\", \"part\": \"flagship\", "
     "\"source\": \"seed002-auto\"}]' WHERE id = 'auto-zone'",
     "auto-zone: roles[0].role: error: unknown role 'autos'"),
    ("UPDATE public.sites SET name_en = NULL WHERE id = 'xinmin-street'",
     "xinmin-street: name_en: error: missing name_en"),
    ("UPDATE public.sites SET geom = ST_SetSRID(ST_MakePoint(43.9, 125.3), 4326) WHERE id = 'xinmin-street'",
     "xinmin-street: geometry: error: latitude and longitude look swapped"),
    ("INSERT INTO public.sites (id, name_en, name_zh, geometry_basis, geom) SELECT 'xinmin-street', 'x', 'y', "
     "'official', geom FROM public.sites WHERE false", None),  # nothing inserted: still clean
    ("UPDATE public.sites SET geometry_basis = 'drawn' WHERE id = 'xinmin-street'",
     "xinmin-street: geometry_basis: error: geometry_basis 'drawn' is not official, derived or schematic"),
    ("UPDATE public.areas SET derive = '{\"op\": \"union\", \"from\": [\"220199\"]}' WHERE id = 'belt-west'",
     "belt-west: derive.from: error: derive.from id '220199' not found"),
    ("ALTER TABLE public.sites ALTER COLUMN geom TYPE geometry(Geometry, 3857) USING ST_Transform(geom, 3857)",
     "xinmin-street: geometry: error: geometry in SRID 3857"),
    # refused by the server itself
    ("UPDATE public.sites SET id = 'kuanchengzi-block' WHERE id = 'xinmin-street'", "duplicate key"),
])
def test_a_bad_row_is_named_by_table_and_row(pushed, pg_url, statement, expected):
    if expected == "duplicate key":
        with pytest.raises(psycopg.errors.UniqueViolation):
            sql(pg_url, statement)
        assert errors(pushed) == []
        return
    sql(pg_url, statement)
    lines = errors(pushed)
    if expected is None:
        assert lines == []
        return
    table = re.search(r"public\.\w+", statement).group()
    assert any(line.startswith(f"table {table} at {pg_url}: {expected}") for line in lines), lines


def test_unknown_columns_are_a_warning_and_not_read(pushed, pg_url, tmp_path):
    sql(pg_url, "ALTER TABLE public.sites ADD COLUMN notes text")
    sql(pg_url, "UPDATE public.sites SET notes = 'remember the milk'")
    report = validate_report(pushed)
    lines = [p.line() for p in report.problems]
    assert lines == [f"table public.sites at {pg_url}: notes: warning: column 'notes' is not a property of "
                     "the schema; the maps do not read it "
                     "(hint: did you mean 'roles'? docs/schema.md lists the properties)"]
    assert all("notes" not in f.props for f in report.layers["sites"])


def test_a_missing_table_or_server_is_one_line_each(layers, pg_url, pg_server):
    path = layers / "layers.toml"
    text = path.read_text().replace('file = "sites.geojson"', f'source = "{pg_url}"\ntable = "public.nope"')
    text = text.replace('file = "zones.geojson"', 'source = "postgresql://planner@127.0.0.1:1/none"\n'
                                                  'table = "zones"')
    path.write_text(text)
    lines = [line for line in errors(layers) if line.startswith("table ")]  # then derive.from follow-ons
    assert len(lines) == 2, lines
    assert lines[0].startswith("table zones at postgresql://planner@127.0.0.1:1/none: error: cannot connect:")
    assert lines[1] == (f"table public.nope at {pg_url}: error: no table public.nope in the database "
                        "(hint: python -m geo db push URL copies a file layer into the database)")


# ---------------------------------------------------------------------------------------------
# SQL in names and values is text

def test_sql_in_a_table_name_is_only_a_name(pushed, pg_url):
    path = pushed / "layers.toml"
    hostile = 'public.sites; DROP TABLE public.zones; --'
    path.write_text(path.read_text().replace('table = "public.sites"', f'table = "{hostile}"'))
    lines = [line for line in errors(pushed) if "derive.from" not in line]  # what is derived from sites follows
    assert len(lines) == 1 and f"no table {hostile} in the database" in lines[0]
    assert sql(pg_url, "SELECT count(*) FROM public.zones") == [(count("zones"),)]
    quoted = 'x"; DROP TABLE public.zones; --'
    path.write_text(path.read_text().replace(f'table = "{hostile}"', f"table = '{quoted}'"))
    assert len([line for line in errors(pushed) if "derive.from" not in line]) == 1
    assert sql(pg_url, "SELECT count(*) FROM public.zones") == [(count("zones"),)]


def test_sql_in_a_value_is_only_text(pushed, pg_url, tmp_path):
    hostile = "'); DROP TABLE public.zones; -- <b>x</b>"
    sql(pg_url, "UPDATE public.sites SET name_en = %s WHERE id = 'xinmin-street'", (hostile,))
    report = build_maps(pushed, tmp_path / "maps")
    assert report.written
    assert sql(pg_url, "SELECT count(*) FROM public.zones") == [(count("zones"),)]
    page = (tmp_path / "maps" / "six-cities.html").read_text(encoding="utf-8")
    names = [f["name_en"] for f in read_page_data(page)["features"]]
    assert hostile in names and "<b>x</b>" not in page
    pull(pg_url, pushed)
    assert hostile in (pushed / "sites.geojson").read_text(encoding="utf-8")


def test_a_layer_id_holding_sql_makes_a_quoted_table(layers, pg_url):
    path = layers / "layers.toml"
    hostile = 'x"; DROP TABLE public.spatial_ref_sys; --'
    path.write_text(path.read_text().replace('id = "sites"', f"id = '{hostile}'"))
    push(pg_url, layers, [hostile])
    assert sql(pg_url, "SELECT count(*) FROM public.spatial_ref_sys")[0][0] > 1000
    assert sql(pg_url, f'SELECT count(*) FROM public."{hostile.replace(chr(34), chr(34) * 2)}"') == [(count("sites"),)]
    assert errors(layers) == []


def test_the_readme_and_ci_install_the_same_packages():
    def installs(text):
        line = next(line for line in text.splitlines() if "apt-get install" in line)
        return sorted(w for w in line.split("apt-get install", 1)[1].split("&&")[0].split() if not w.startswith("-"))

    readme, ci = installs((REPO / "README.md").read_text()), installs((REPO / ".ci/run").read_text())
    assert readme == ci and {"postgresql", "postgresql-15-postgis-3", "chromium"} <= set(readme)
