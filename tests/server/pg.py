"""Start a throw-away PostgreSQL cluster for the server tests (and for trying the server by hand).

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the unprivileged
``postgres`` (or ``nobody``) account and initdb/pg_ctl run through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).parent
    raise PostgresUnavailable("PostgreSQL is not installed (no pg_ctl); scripts/test installs it with apt-get")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    bindir: Path
    root: Path
    port: int
    user: str | None  # the account the server runs as when we are root

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "agent_console") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        try:
            self._run(self.bindir / "initdb", "-D", self.datadir, "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--no-sync", "-A", "trust")
        except subprocess.CalledProcessError as exc:
            raise PostgresUnavailable(f"initdb failed: {exc.stderr.strip()}") from exc
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        try:
            self._run(self.bindir / "pg_ctl", "-D", self.datadir, "-o", options, "-l", self.root / "server.log",
                      "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as exc:
            log = (self.root / "server.log").read_text(errors="replace") if (self.root / "server.log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {exc.stderr.strip()} {log[-2000:]}") from exc

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self._run(self.bindir / "pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> PostgresCluster:
    bindir = find_bindir()
    user = None
    root = Path(tempfile.mkdtemp(prefix="agent-console-pg-"))
    if os.geteuid() == 0:
        for candidate in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(candidate)
            except KeyError:
                continue
            user = candidate
            os.chown(root, entry.pw_uid, entry.pw_gid)
            break
        else:
            raise PostgresUnavailable("running as root and there is no unprivileged account to run PostgreSQL")
    os.chmod(root, 0o700)
    cluster = PostgresCluster(bindir, root, free_port(), user)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster


if __name__ == "__main__":  # start one by hand: python tests/server/pg.py
    c = start_cluster()
    print(c.create_database("agent_console"), c.root, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        c.stop()
