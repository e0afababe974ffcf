"""A real PostgreSQL server with PostGIS for the tests: started in a temporary folder on
127.0.0.1 at a free port, stopped and removed afterwards.

It uses Debian's ``postgresql`` and ``postgresql-15-postgis-3`` packages (``initdb`` and
``pg_ctl`` from ``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root, so
when the tests run as root (as CI does) the server runs as the ``postgres`` system user the
package creates, in a folder handed to it. Nothing is mocked; when the server cannot start,
:class:`ServerError` says why and the tests that need it fail with that reason.

The server has a superuser ``geo_admin`` and an ordinary user ``planner``, both with the password
:data:`PASSWORD` over TCP (scram-sha-256), and a template database with PostGIS from which each
test gets a fresh database of its own (:meth:`PgServer.new_database`).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PASSWORD = "planner-secret"
ADMIN, USER, TEMPLATE = "geo_admin", "planner", "geo_template"


class ServerError(RuntimeError):
    """The test server could not be set up; the message says why and what to install."""


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not found:
        raise ServerError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): "
                          "apt-get install postgresql postgresql-15-postgis-3")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temporary folder; :meth:`start`, :meth:`stop`, :meth:`remove`."""

    _numbers = itertools.count(1)

    def __init__(self):
        self.bindir = _bindir()
        root = os.geteuid() == 0
        # as root, in /tmp: the postgres user must reach the folder (not so under /root, say)
        self.root = Path(tempfile.mkdtemp(prefix="geo-pg-", dir="/tmp" if root else None))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.running = False
        self._as_user: list[str] = []
        if root:
            try:
                pg = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerError("running as root, and there is no 'postgres' user to run PostgreSQL "
                                  "as (the postgresql package creates it)") from None
            os.chown(self.root, pg.pw_uid, pg.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
            if subprocess.run([*self._as_user, "test", "-w", str(self.root)]).returncode:
                self.remove()
                raise ServerError(f"the postgres user cannot write to {self.root}")

    # -- running programs as the server's user -------------------------------------------------

    def _run(self, *args: str, input: str | None = None, timeout: float = 120) -> str:
        cmd = [*self._as_user, *args]
        done = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        if done.returncode:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ServerError(f"{' '.join(args[:2])} failed ({done.returncode}): "
                              f"{done.stderr.strip() or done.stdout.strip()}\n{log}")
        return done.stdout

    def init(self) -> PgServer:
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as_user:
            shutil.chown(pwfile, "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", ADMIN, "--pwfile", str(pwfile),
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        pwfile.unlink()
        return self

    def start(self, port: int | None = None) -> PgServer:
        """Start the server (on ``port``, or the one it had, or a free one); wait until it answers."""
        for attempt in range(3):
            self.port = port or self.port or _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                          "-o", options, "-w", "-t", "60", "start")
                break
            except ServerError:
                if attempt == 2 or port:
                    raise
                self.port = 0  # the free port was taken meanwhile: another one
        self.running = True
        return self

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far: the postmaster, its live backends and those it
        has reaped (from /proc; to time what a query costs the server)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # a process that ended meanwhile
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == postmaster:
                total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
            elif ppid == postmaster:
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    # -- SQL -------------------------------------------------------------------------------------

    def psql(self, sql: str, db: str = "postgres") -> str:
        """Run SQL as the superuser over the server's socket (no password: local trust)."""
        return self._run(str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.root),
                         "-p", str(self.port), "-U", ADMIN, "-d", db, "-At", "-c", sql)

    def setup(self) -> PgServer:
        """The user ``planner`` and a template database with PostGIS."""
        self.psql(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        self.psql(f"CREATE DATABASE {TEMPLATE} OWNER {USER}")
        self.psql("CREATE EXTENSION postgis", db=TEMPLATE)
        return self

    def new_database(self, postgis: bool = True) -> str:
        """A fresh database owned by ``planner`` (with PostGIS unless told otherwise); its name."""
        name = f"t{os.getpid()}_{next(self._numbers)}"
        template = TEMPLATE if postgis else "template0"
        self.psql(f"CREATE DATABASE {name} OWNER {USER} TEMPLATE {template}")
        return name

    def url(self, db: str, user: str = USER) -> str:
        """The database's URL as layers.toml holds it: no password."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"


def start_server() -> PgServer:
    """A new, running server with the test users and template; raises ServerError saying why not."""
    server = PgServer()
    try:
        server.init().start().setup()
    except BaseException:
        server.remove()
        raise
    return server


def wait_until(predicate, timeout: float, step: float = 0.02):
    """Call ``predicate`` until it returns something true or ``timeout`` seconds pass; its last value."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)
