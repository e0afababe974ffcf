"""Database URLs and connections.

A database layer names its server as ``postgresql://user@host:port/db``. The password never
goes in ``layers.toml``: libpq takes it from ``PGPASSWORD`` or ``~/.pgpass`` (``PGPASSFILE``),
exactly as psql does, so :func:`url_problem` refuses a URL that holds one.
"""

from __future__ import annotations

import re

from ..errors import DataError

__all__ = ["Connections", "connect", "same_database", "table_name", "url_problem"]

SCHEMES = ("postgresql://", "postgres://")
PASSWORD_HINT = ("put the password in PGPASSWORD or ~/.pgpass (host:port:db:user:password, "
                 "chmod 600), as for psql")


def _parts(url: str) -> dict:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return conninfo_to_dict(url)
    except Exception as exc:  # psycopg.ProgrammingError and kin: the URL does not parse
        raise DataError(f"{url}: not a database URL: {str(exc).strip().splitlines()[0]}") from None


def url_problem(url) -> str:
    """What is wrong with a layer's ``source`` URL, or ""."""
    if not isinstance(url, str) or not url.startswith(SCHEMES):
        return f'source {url!r} must be a URL such as "postgresql://planner@localhost:5432/plan"'[:200]
    try:
        parts = _parts(url)
    except DataError as exc:
        return str(exc)
    if "password" in parts:
        return f"source holds a password; remove it from layers.toml and {PASSWORD_HINT}"
    if not parts.get("dbname"):
        return f"source {url!r} names no database (…/dbname at the end)"
    return ""


def same_database(a: str, b: str) -> bool:
    """Whether two URLs name the same database as the same user (so ``db pull URL`` finds its layers)."""
    def key(url):
        p = _parts(url)
        return (p.get("host", ""), p.get("port", "5432"), p.get("dbname", ""), p.get("user", ""))
    return key(a) == key(b)


def table_name(table: str):
    """A ``schema.name`` (or ``name``) as a safely quoted SQL identifier, whatever it holds."""
    from psycopg import sql

    schema, dot, name = table.partition(".")
    return sql.Identifier(schema, name) if dot and schema and name else sql.Identifier(table)


def _reason(exc: Exception) -> str:
    text = " ".join(line.strip() for line in str(exc).strip().splitlines() if line.strip())
    return re.sub(r"^connection failed: ", "", text) or type(exc).__name__


def connect(url: str, *, autocommit: bool = False, timeout: int = 5):
    """A psycopg connection to ``url``; DataError naming the URL and the reason when it fails."""
    import psycopg

    problem = url_problem(url)
    if problem:
        raise DataError(f"{url}: {problem}")
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=timeout,
                               application_name="changchun-maps", keepalives=1, keepalives_idle=10,
                               keepalives_interval=5, keepalives_count=3)
    except psycopg.Error as exc:
        reason = _reason(exc)
        hint = f" ({PASSWORD_HINT})" if "password" in reason.lower() else ""
        raise DataError(f"{url}: cannot connect: {reason}{hint}") from None


class Connections:
    """One read-only connection per database for one read of the layers (``with Connections() as c``):
    every table of a database is read in the same snapshot, so the tables agree with each other."""

    def __init__(self):
        self._open: dict[str, object] = {}

    def get(self, url: str):
        """The connection to ``url``; DataError (the same one each time) when it cannot be made."""
        import psycopg

        got = self._open.get(url)
        if got is None:
            try:
                got = connect(url)
                got.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot for all tables
                got.read_only = True
            except DataError as exc:
                got = exc
            self._open[url] = got
        if isinstance(got, DataError):
            raise got
        return got

    def close(self) -> None:
        for conn in self._open.values():
            if not isinstance(conn, DataError):
                conn.close()
        self._open.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
