"""A throwaway PostgreSQL for the tests: one cluster per test session, one database per test.

The cluster is started on first use (``cluster()``) in a fresh temporary folder, listening on
127.0.0.1 on a free port with trust authentication, and removed when the test process exits.
``initdb`` refuses to run as root, so as root (CI) the server runs as the ``postgres`` user
through ``runuser``. Without PostgreSQL binaries (or psycopg) the PostgreSQL variants skip,
except under ``CI=true``, where they fail: CI must test both engines.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ENGINES = ("sqlite", "postgresql")
_STATE: dict[str, Cluster | str] = {}  # "cluster" -> the running one, or "error" -> why not


@dataclass(frozen=True, slots=True)
class Cluster:
    folder: Path
    port: int
    bin: Path
    run_as: tuple[str, ...]  # ("runuser", "-u", "postgres", "--") as root, else ()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(sql.encode())

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
             "immediate", "-w", "stop"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def find_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start() -> Cluster:
    bin_folder = find_bin()
    if bin_folder is None:
        raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
    import psycopg  # noqa: F401  (fail early: the store needs it too)

    run_as: tuple[str, ...] = ()
    folder = Path(tempfile.mkdtemp(prefix="claimwatch-pg-"))
    if os.geteuid() == 0:
        run_as = ("runuser", "-u", "postgres", "--")
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, _free_port(), bin_folder, run_as)
    data = folder / "data"
    _run(cluster, "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync",
         "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    _run(cluster, "pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
         "start")  # fmt: skip
    return cluster


def _run(cluster: Cluster, program: str, *args: str) -> None:
    command = [*cluster.run_as, str(cluster.bin / program), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        log = cluster.folder / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}{tail}")


def cluster() -> Cluster:
    """The session's cluster, started on first use; skips (fails under CI) when impossible."""
    if "cluster" not in _STATE and "error" not in _STATE:
        try:
            started = _start()
        except (ImportError, RuntimeError, OSError, subprocess.SubprocessError) as exc:
            _STATE["error"] = str(exc)
        else:
            _STATE["cluster"] = started
            atexit.register(started.stop)
    running = _STATE.get("cluster")
    if isinstance(running, Cluster):
        return running
    reason = f"no PostgreSQL for the tests: {_STATE['error']}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def database() -> Iterator[str]:
    """A fresh database on the session's cluster for one test; dropped afterwards."""
    server = cluster()
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@contextmanager
def state_location(engine: str, tmp_path: Path) -> Iterator[Path | str]:
    """What ``open_store`` takes, for ``engine`` in ENGINES: a SQLite file or a database URL."""
    if engine == "sqlite":
        yield tmp_path / "state.db"
    else:
        with database() as url:
            yield url


def query(location: Path | str, sql: str) -> list[tuple[object, ...]]:
    """Rows of one read straight from the database, by either engine's own driver."""
    if isinstance(location, Path):
        with closing(sqlite3.connect(location)) as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(location, autocommit=True) as connection:
        return connection.execute(sql.encode()).fetchall()
