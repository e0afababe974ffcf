"""Layer tables: their layout, and reading their rows as features.

A layer table holds one row per feature: ``id`` (text, the primary key), one column per
property (``roles``, ``derive`` and ``aliases`` as ``jsonb``, the numbers as ``numeric`` so that ``500``
stays a whole number and ``110.0`` a decimal), the geometry (``geom``, SRID 4326) and
``feature_order``, the order the features are drawn and written in (new rows from QGIS get the
next number by themselves).

A build reads only the columns it needs, the schema's properties, in one query per table;
``db pull`` reads them all. The geometry comes as WKB, so its coordinates are the very numbers
that were stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import DataError
from .connect import table_name

__all__ = ["GEOMETRY", "ORDER", "TableRows", "canonical", "column_types", "read_rows", "table_features"]

GEOMETRY = "geom"
ORDER = "feature_order"
# jsonb keeps object keys in its own order: give the schema's objects their written order back
_KEY_ORDER = {"roles": ("role", "part", "source", "since", "until"), "derive": ("op", "from")}


@dataclass
class TableRows:
    """What :func:`read_rows` read: each row as (properties, WKB or None, SRID), and the columns."""

    columns: dict[str, str]  # every column of the table -> its type name
    geometry: str  # the geometry column
    rows: list[tuple[dict, bytes | None, int | None]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # columns not read (not schema properties)


def _ordered(obj: dict, keys: tuple) -> dict:
    return {**{k: obj[k] for k in keys if k in obj}, **{k: v for k, v in obj.items() if k not in keys}}


def canonical(name: str, value):
    """A value as read from the database, as the same value reads from a GeoJSON file."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return float(value)
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    if name == "roles" and isinstance(value, list):
        return [_ordered(v, _KEY_ORDER["roles"]) if isinstance(v, dict) else v for v in value]
    if name == "derive" and isinstance(value, dict):
        return _ordered(value, _KEY_ORDER["derive"])
    return value


def column_types(conn, tables) -> dict[str, dict[str, str] | None]:
    """Each table's columns and their type names, in table order (None: no such table), in one
    catalogue query for them all."""
    quoted = [table_name(t).as_string(conn) for t in tables]
    rows = conn.execute(
        "SELECT t.i, a.attname, ty.typname FROM unnest(%s::text[]) WITH ORDINALITY AS t(name, i) "
        "JOIN pg_attribute a ON a.attrelid = to_regclass(t.name) JOIN pg_type ty ON ty.oid = a.atttypid "
        "WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY t.i, a.attnum", (quoted,)).fetchall()
    out: dict = {t: None for t in tables}
    for i, name, kind in rows:
        out[tables[i - 1]] = {**(out[tables[i - 1]] or {}), name: kind}
    return out


def read_rows(conn, table: str, wanted=None, columns: dict | None = None) -> TableRows:
    """Read a layer table in one query: ``id``, the columns named in ``wanted`` (None: all),
    the geometry as WKB and its SRID, in ``feature_order``. ``columns``: the table's, when
    :func:`column_types` has read them already. DataError when the table is missing or has no
    id or geometry column."""
    from psycopg import sql

    columns = columns or column_types(conn, [table])[table]
    if columns is None:
        raise DataError(f"no table {table} in the database")
    if "id" not in columns:
        raise DataError(f"table {table} has no id column")
    geoms = [c for c, t in columns.items() if t == "geometry"]
    if not geoms:
        raise DataError(f"table {table} has no geometry column (PostGIS geometry, SRID 4326)")
    geometry = GEOMETRY if GEOMETRY in geoms else geoms[0]
    props = [c for c in columns if c not in (geometry, ORDER) and columns[c] != "geometry"]
    read = [c for c in props if wanted is None or c == "id" or c in wanted]
    out = TableRows(columns, geometry, skipped=[c for c in props if c not in read])
    g = sql.Identifier(geometry)
    order = sql.SQL("{} NULLS LAST, id").format(sql.Identifier(ORDER)) if ORDER in columns else sql.SQL("id")
    query = sql.SQL("SELECT {cols}, ST_AsBinary({g}), ST_SRID({g}) FROM {t} ORDER BY {order}").format(
        cols=sql.SQL(", ").join(map(sql.Identifier, read)), g=g, t=table_name(table), order=order)
    with conn.cursor(binary=True) as cur:
        cur.execute(query)
        for row in cur:
            values = {c: canonical(c, v) for c, v in zip(read, row) if v is not None}
            out.rows.append((values, row[-2], row[-1]))
    return out


def table_features(conn, spec, wanted=None) -> list:
    """The features of database layer ``spec`` (its schema properties only, unless ``wanted``
    says otherwise), as :class:`geo.layerio.Feature` objects with shapely geometries."""
    import shapely

    from ..layerio import SCHEMA_NAMES, Feature

    data = read_rows(conn, spec.table, SCHEMA_NAMES if wanted is None else wanted)
    out = []
    for i, (props, wkb, srid) in enumerate(data.rows):
        if wkb is not None and srid != 4326:
            raise DataError(f"row {props.get('id', i + 1)}: geometry in SRID {srid}, not 4326 (WGS-84)")
        try:
            geom = None if wkb is None else shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as exc:
            raise DataError(f"row {props.get('id', i + 1)}: unreadable geometry: {exc}") from None
        out.append(Feature(props, geom, spec.id, i))
    return out
