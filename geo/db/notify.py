"""Change notices: triggers that ``NOTIFY`` when a layer table changes, and the watcher's side.

Each layer table gets two triggers calling ``geo_layer_changed()``: one per changed row (its
``id``, before and after), one for ``TRUNCATE``. The notices go out on channel ``geo_layers``
when the transaction commits, so a watch sees edits as they are saved, never half of a save.

:class:`Listener` keeps one ``LISTEN`` connection per database. When a connection drops it says
so, retries with a growing pause, and on reconnecting reports every table of that database as
changed: edits committed while it was away are picked up.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import DataError
from .connect import connect, table_name

__all__ = ["CHANNEL", "Change", "Listener", "install_triggers", "missing_triggers"]

CHANNEL = "geo_layers"
TRIGGER = "geo_layer_changed"
_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $geo$
DECLARE
  t json := json_build_object('schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME);
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('{channel}', t::text);
    RETURN NULL;
  END IF;
  -- ids too long for a notice (8000 bytes) stand for the whole table (a null id)
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('{channel}', (t::jsonb || jsonb_build_object('id',
      CASE WHEN length(to_jsonb(OLD) ->> 'id') <= 1000 THEN to_jsonb(OLD) ->> 'id' END))::text);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('{channel}', (t::jsonb || jsonb_build_object('id',
      CASE WHEN length(to_jsonb(NEW) ->> 'id') <= 1000 THEN to_jsonb(NEW) ->> 'id' END))::text);
  END IF;
  RETURN NULL;
END
$geo$
"""


def _function(table: str):
    from psycopg import sql

    schema, dot, _ = table.partition(".")
    return sql.Identifier(schema, TRIGGER) if dot and schema else sql.Identifier(TRIGGER)


def install_triggers(conn, table: str) -> None:
    """Create (or replace) the notifying function in the table's schema and the table's triggers."""
    from psycopg import sql

    function = _function(table)
    conn.execute(sql.SQL(_FUNCTION.replace("{channel}", CHANNEL)).format(function=function))
    t = table_name(table)
    for name, when in ((TRIGGER, "INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW"),
                       (TRIGGER + "_truncate", "TRUNCATE ON {t} FOR EACH STATEMENT")):
        conn.execute(sql.SQL("DROP TRIGGER IF EXISTS {n} ON {t}").format(n=sql.Identifier(name), t=t))
        conn.execute(sql.SQL("CREATE TRIGGER {n} AFTER " + when + " EXECUTE FUNCTION {f}()").format(
            n=sql.Identifier(name), t=t, f=function))


def missing_triggers(conn, tables) -> list[str]:
    """The tables (that exist) without the change trigger: edits to them reach no watch."""
    out = []
    for table in tables:
        quoted = table_name(table).as_string(conn)
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL, EXISTS (SELECT 1 FROM pg_trigger "
                           "WHERE tgrelid = to_regclass(%s) AND tgname = %s)", (quoted, quoted, TRIGGER)).fetchone()
        if row[0] and not row[1]:
            out.append(table)
    return out


@dataclass(frozen=True)
class Change:
    """A notice: a row of ``table`` in database ``source`` changed (``id`` None: any row may have)."""

    source: str
    table: str
    id: str | None = None

    def matches(self, source: str, table: str) -> bool:
        """Whether this is a change to ``table`` (as layers.toml writes it: schema.name, or name) there."""
        schema, dot, name = table.partition(".")
        here_schema, _, here_name = self.table.partition(".")
        return source == self.source and (here_schema, here_name) == ((schema, name) if dot else
                                                                      (here_schema, table))


class Listener:
    """``LISTEN`` on every database the layers come from; :meth:`poll` returns what changed.

    ``sources``: database URL -> the tables read from it. ``echo`` gets a line when a connection
    is lost, retried or back. Never raises for a server that is down.
    """

    def __init__(self, sources: dict[str, list[str]], echo: Callable[[str], object] = print,
                 max_pause: float = 8.0):
        self.echo = echo
        self.max_pause = max_pause
        self.sources: dict[str, list[str]] = {}
        self._conns: dict = {}
        self._retry: dict[str, tuple[float, float]] = {}  # url -> (when to try again, pause after)
        self.update(sources)

    def update(self, sources: dict[str, list[str]]) -> None:
        """Follow a new set of databases and tables (layers.toml changed)."""
        for url in set(self._conns) - set(sources):
            self._close(url)
        for url in set(self._retry) - set(sources):
            del self._retry[url]
        fresh = [url for url in sources if url not in self.sources]
        self.sources = {url: list(tables) for url, tables in sources.items()}
        for url in fresh:
            self._open(url, first=True)

    def _close(self, url: str) -> None:
        conn = self._conns.pop(url, None)
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass

    def _open(self, url: str, first: bool = False) -> bool:
        from psycopg import sql

        try:
            conn = connect(url, autocommit=True)
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
            bare = missing_triggers(conn, self.sources[url])
        except Exception as exc:  # noqa: BLE001 - DataError, or the server going away again
            self._lost(url, exc, "cannot listen to" if first else "still cannot reach")
            return False
        self._conns[url] = conn
        was_down = url in self._retry
        self._retry.pop(url, None)
        if was_down:
            self.echo(f"reconnected to {url}; rebuilding in case edits were saved meanwhile")
        else:
            self.echo(f"listening for changes to {', '.join(self.sources[url])} at {url}")
        if bare:
            self.echo(f"  no change trigger on {', '.join(bare)}: edits to it are not seen until "
                      f"python -m geo db init {url}")
        return True

    def _lost(self, url: str, exc: Exception, what: str) -> None:
        self._close(url)
        reason = str(exc).removeprefix(f"{url}: ") if isinstance(exc, DataError) else \
            " ".join(str(exc).split()) or type(exc).__name__
        pause = self._retry.get(url, (0.0, min(0.5, self.max_pause)))[1]
        self._retry[url] = (time.monotonic() + pause, min(pause * 2, self.max_pause))
        self.echo(f"{what} {url}: {reason}; retrying in {pause:g} s")

    def poll(self) -> list[Change]:
        """The changes notified since the last call (without waiting); after a reconnection,
        every table of that database."""
        out: list[Change] = []
        for url in list(self.sources):
            conn = self._conns.get(url)
            if conn is None:
                when, _ = self._retry.get(url, (0.0, 0.0))
                if time.monotonic() >= when and self._open(url):
                    out += [Change(url, t) for t in self.sources[url]]
                continue
            try:
                for notice in conn.notifies(timeout=0):
                    out.append(_change(url, notice.payload))
            except Exception as exc:  # noqa: BLE001 - psycopg.OperationalError: the server went away
                self._lost(url, exc, "lost the connection to")
        return out

    @property
    def connected(self) -> list[str]:
        return sorted(self._conns)

    def close(self) -> None:
        for url in list(self._conns):
            self._close(url)


def _change(url: str, payload: str) -> Change:
    try:
        data = json.loads(payload)
        return Change(url, f"{data['schema']}.{data['table']}", data.get("id"))
    except (ValueError, KeyError, TypeError):
        return Change(url, str(payload))
