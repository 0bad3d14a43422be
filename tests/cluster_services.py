"""Real services for the cluster tests: PostgreSQL 15, Redis and dagster-celery workers.

    with Postgres() as pg, Redis(tmp) as redis:      # the machine's PostgreSQL 15 cluster, a private redis-server
        env = {**pg.env(), **redis.env()}            # DAGSTER_PG_*, PSYNTH_CELERY_BROKER/BACKEND
        worker = CeleryWorker("gpu", "gpu", env, logfile)
        worker.start(); worker.wait_ready(); ...; worker.kill()   # SIGKILL of the whole worker

PostgreSQL: `.ci/run` (through scripts/bootstrap) installs it where it is missing; here the
Debian cluster 15/main is started with `pg_ctlcluster` when it is down (and stopped again after, unless
another test session's database is still on it),
and a fresh database and role are made for the session. Anything missing is a test failure with
the command that fixes it, never a skip.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.s3_server import free_ports

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SETUP_HINT = "run scripts/bootstrap as root (it installs postgresql-15 and redis-server with apt-get)"


class ServiceError(RuntimeError):
    """A service the cluster tests need cannot start; the message says how to fix it."""


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 60), **kw)


def _as_postgres(sql: str, db: str = "postgres") -> None:
    done = _run(["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", db, "-c", sql])
    if done.returncode:
        raise ServiceError(f"psql failed ({sql[:60]}...): {done.stderr.strip()}")


class Postgres:
    """The machine's PostgreSQL 15 (cluster `main`), a fresh database for this session."""

    def __init__(self, version: str = "15", cluster: str = "main"):
        self.version, self.cluster = version, cluster
        self.started_here = False
        token = secrets.token_hex(4)
        self.db, self.user, self.password = f"psynth_test_{token}", f"psynth_test_{token}", secrets.token_hex(12)
        self.port = 5432

    def _status(self) -> tuple[bool, int]:
        if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
            raise ServiceError(f"PostgreSQL is not installed (no pg_ctlcluster): {SETUP_HINT}")
        done = _run(["pg_lsclusters", "--no-header"])
        for line in done.stdout.splitlines():
            fields = line.split()
            if fields[:2] == [self.version, self.cluster]:
                return fields[3] == "online", int(fields[2])
        raise ServiceError(f"no PostgreSQL {self.version} cluster `{self.cluster}` (pg_lsclusters: "
                           f"{done.stdout.strip() or 'none'}): {SETUP_HINT}")

    def __enter__(self) -> "Postgres":
        if os.geteuid() != 0:
            raise ServiceError("the cluster tests start PostgreSQL with pg_ctlcluster and need root (as CI runs)")
        online, self.port = self._status()
        if not online:
            done = _run(["pg_ctlcluster", self.version, self.cluster, "start"])
            if done.returncode and self._status()[0]:
                # another test session started it between our look and our start: use it, leave it running
                return self._create_database()
            if done.returncode:
                raise ServiceError(f"pg_ctlcluster {self.version} {self.cluster} start failed: "
                                   f"{(done.stderr or done.stdout).strip()}")
            self.started_here = True
        return self._create_database()

    def _create_database(self) -> "Postgres":
        _as_postgres(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        _as_postgres(f"CREATE DATABASE {self.db} OWNER {self.user}")
        return self

    def __exit__(self, *exc) -> None:
        try:
            _as_postgres(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
            _as_postgres(f"DROP ROLE IF EXISTS {self.user}")
        finally:
            # a session that found the cluster down stops it again, unless another session's database
            # is still there: two sessions that started side by side shared it, and the first to
            # finish stopped it under the other (its tests failed with "connection refused"); a
            # database a killed session left behind keeps it running too, which is harmless
            if self.started_here and not self._other_sessions():
                _run(["pg_ctlcluster", self.version, self.cluster, "stop"])

    def _other_sessions(self) -> bool:
        done = _run(["runuser", "-u", "postgres", "--", "psql", "-tAq", "-d", "postgres", "-c",
                     "SELECT count(*) FROM pg_database WHERE datname LIKE 'psynth_test_%'"])
        return done.returncode != 0 or done.stdout.strip() not in ("", "0")

    def env(self) -> dict[str, str]:
        return {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(self.port), "DAGSTER_PG_USER": self.user,
                "DAGSTER_PG_PASSWORD": self.password, "DAGSTER_PG_DB": self.db}


class Redis:
    """A private `redis-server` on a free loopback port, no persistence."""

    def __init__(self, base: Path):
        self.base = base
        self.port = free_ports(1)[0]
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Redis":
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceError(f"redis-server is not installed: {SETUP_HINT}")
        self.base.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.base)], stdout=open(self.base / "redis.log", "wb"), stderr=subprocess.STDOUT)
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    log = (self.base / "redis.log").read_text(errors="replace")[-500:]
                    self.__exit__()
                    raise ServiceError(f"redis-server did not start on port {self.port}: {log}") from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def env(self) -> dict[str, str]:
        return {"PSYNTH_CELERY_BROKER": f"redis://127.0.0.1:{self.port}/0",
                "PSYNTH_CELERY_BACKEND": f"redis://127.0.0.1:{self.port}/1"}


class CeleryWorker:
    """`dagster-celery worker start -A dagster_project.celery_app -q QUEUE`, one task at a time,
    in its own process group (so `kill()` is a SIGKILL of the worker and everything under it)."""

    def __init__(self, name: str, queue: str, env: dict[str, str], logfile: Path):
        self.name, self.queue, self.env, self.logfile = name, queue, env, logfile
        self.proc: subprocess.Popen | None = None

    def start(self) -> "CeleryWorker":
        cmd = [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_project.celery_app",
               "-y", str(REPO / "deploy" / "celery" / "celery.yaml"), "-q", self.queue, "-n", self.name,
               "--", "--concurrency=1", f"--logfile={self.logfile}", "--without-gossip", "--without-mingle"]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, start_new_session=True,
                                     stdout=open(f"{self.logfile}.out", "ab"), stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.logfile.exists() and " ready." in self.logfile.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.3)
        out = Path(f"{self.logfile}.out")
        tail = (out.read_text(errors="replace") if out.exists() else "")[-1500:]
        raise ServiceError(f"celery worker {self.name} (-q {self.queue}) did not become ready: {tail}")

    def kill(self) -> None:
        """SIGKILL of the worker's whole process group (the worker, its pool, the render worker)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def steps(self) -> list[tuple[str, str]]:
        """(run id, step key) of every step this worker started, from its own log."""
        out = []
        if self.logfile.exists():
            for line in self.logfile.read_text(errors="replace").splitlines():
                if "psynth-step " in line:
                    fields = dict(f.split("=", 1) for f in line.split("psynth-step ", 1)[1].split() if "=" in f)
                    out.extend((fields["run"], step) for step in fields["steps"].split(","))
        return out
