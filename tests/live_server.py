"""A real server for browser tests: daphne in a subprocess on a SQLite file.

The browser tests drive it only as people would, through pages and sockets.
Setting up (a facilitator account, a content pack) goes through manage.py.

With ``DATABASE_URL`` set (the scale-out run), the server gets a PostgreSQL
database of its own, created here and dropped by ``stop()``: never pytest's
test database, which the test process holds in transactions. With
``REDIS_URL`` set, it gets a Redis key prefix of its own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FACILITATOR = ("facilitator", "rehearsal-password-1")


def run_fresh_python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a new Python process of the project, as a management
    command would start: nothing imported beforehand."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "workshop.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ScratchDatabase:
    """A PostgreSQL database made for one live server (or a pair), then dropped."""

    def __init__(self, server_url: str) -> None:
        parts = urllib.parse.urlsplit(server_url)
        self.name = f"live_{uuid.uuid4().hex[:12]}"
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        self._admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            connection.execute(sql)


class LiveServer:
    def __init__(
        self,
        workdir: Path,
        extra_env: dict[str, str] | None = None,
        *,
        peer: LiveServer | None = None,
    ) -> None:
        """``peer``: another server process on the same database and Redis."""
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "SECRET_KEY": "browser-tests-only",
            "SQLITE_PATH": str(workdir / "db.sqlite3"),
            "PUBLIC_BASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "workshop.settings",
            "DJANGO_SUPERUSER_PASSWORD": FACILITATOR[1],
            **(extra_env or {}),
        }
        self.database: ScratchDatabase | None = None
        self.owns_storage = peer is None
        if peer is not None:
            for name in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "REDIS_PREFIX"):
                if name in peer.env:
                    self.env[name] = peer.env[name]
        else:
            if self.env.get("DATABASE_URL"):
                self.database = ScratchDatabase(self.env["DATABASE_URL"])
                self.env["DATABASE_URL"] = self.database.url
            if self.env.get("REDIS_URL"):
                self.env["REDIS_PREFIX"] = f"live-{uuid.uuid4().hex[:12]}"
        self.process: subprocess.Popen | None = None
        self.log = workdir / "server.log"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def prepare(self, *packs: str) -> None:
        self.manage("migrate", "--noinput")
        for pack in packs:
            self.manage("import_pack", pack, "--replace")
        self.manage(
            "createsuperuser", "--noinput", "--username", FACILITATOR[0], "--email", "f@example.org"
        )

    def start(self) -> None:
        with self.log.open("ab") as log:
            self._spawn(log)
        self._wait_until_serving()

    def _spawn(self, log) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--websocket-max-message-size",
                "1048576",
                "workshop.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill_and_restart(self, how: signal.Signals = signal.SIGKILL) -> float:
        """Kill the server and start it again; returns the moment (monotonic)
        its port accepted connections again."""
        assert self.process is not None
        self.process.send_signal(how)
        self.process.wait(timeout=15)
        with self.log.open("ab") as log:
            self._spawn(log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return time.monotonic()
            time.sleep(0.01)
        raise RuntimeError("the server did not start again:\n" + self.log.read_text())

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=1)  # noqa: S310 (loopback)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.drop_storage()

    def drop_storage(self) -> None:
        """Drop the scratch database and Redis keys this server owns."""
        if self.database is not None:
            self.database.drop()
            self.database = None
        prefix = self.env.get("REDIS_PREFIX", "")
        if self.owns_storage and prefix.startswith("live-") and self.env.get("REDIS_URL"):
            import redis

            client = redis.Redis.from_url(self.env["REDIS_URL"])
            try:
                keys = list(client.scan_iter(match=prefix + "*", count=1000))
                if keys:
                    client.delete(*keys)
            finally:
                client.close()
