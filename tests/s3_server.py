"""A real S3-compatible server for the tests of ``RUCHE_FILE_STORE=s3``: OpenStack
Swift with its S3 API (``s3api``), from Debian's packages (swift-proxy,
swift-object, swift-container, swift-account), as a one-machine cluster in a
temporary directory: one replica, one device, its four servers on free ports.

Swift answers S3 with the same code that serves it in production; what it does
not show is where AWS S3, MinIO or Ceph would answer otherwise (docs/files.md,
"S3-compatible storage").
"""

import getpass
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.live_server import free_port

READY_TIMEOUT_SECONDS = 60.0
ACCESS_KEY_ID = "ruche:tester"  # tempauth's account:user
SECRET_ACCESS_KEY = "not-a-secret"
REGION = "us-east-1"  # s3api's location: what a v4 signature names
STORAGE_SERVERS = ("account", "container", "object")

# The rings (which server holds what) are built with Swift's own code, in the
# interpreter Swift is installed for: one partition power of 4, one replica.
BUILD_RINGS = """
import sys
from swift.common.ring import RingBuilder
swift_dir, ports = sys.argv[1], dict(arg.split("=") for arg in sys.argv[2:])
for kind, port in ports.items():
    builder = RingBuilder(4, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port),
                     "device": "d1", "weight": 1})
    builder.rebalance()
    builder.get_ring().save(f"{swift_dir}/{kind}.ring.gz")
"""

COMMON = """[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
user = {user}
swift_dir = {swift_dir}
devices = {devices}
mount_check = false
log_level = WARNING
"""

STORAGE = """
[pipeline:main]
pipeline = {kind}-server

[app:{kind}-server]
use = egg:swift#{kind}
"""

# s3api in front of tempauth (the keys above); slo for multipart uploads, which
# boto3 makes of any file over 8 MB.
PROXY = f"""
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache s3api tempauth slo
    proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = {REGION}

[filter:tempauth]
use = egg:swift#tempauth
user_ruche_tester = {SECRET_ACCESS_KEY} .admin

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache

[filter:slo]
use = egg:swift#slo
"""


class SwiftS3Server:
    """Swift's four servers in ``workdir``; ``endpoint_url`` speaks S3."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.ports = {kind: free_port() for kind in (*STORAGE_SERVERS, "proxy")}
        self.endpoint_url = f"http://127.0.0.1:{self.ports['proxy']}"
        self.processes: dict[str, subprocess.Popen] = {}

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def start(self) -> None:
        proxy = shutil.which("swift-proxy-server")
        assert proxy, (
            "install Debian's swift-proxy, swift-object, swift-container and "
            "swift-account to run these tests (.ci/run does)"
        )
        devices = self.workdir / "devices"
        (devices / "d1").mkdir(parents=True)
        (self.workdir / "swift.conf").write_text(
            "[swift-hash]\nswift_hash_path_suffix = ruche-tests\n"
            "[storage-policy:0]\nname = only\ndefault = yes\n"
        )
        interpreter = Path(proxy).read_text().splitlines()[0].removeprefix("#!").strip()
        ports = [f"{kind}={self.ports[kind]}" for kind in STORAGE_SERVERS]
        subprocess.run(
            [interpreter, "-c", BUILD_RINGS, str(self.workdir), *ports], check=True, timeout=60
        )
        for kind in (*STORAGE_SERVERS, "proxy"):
            config = self.workdir / f"{kind}-server.conf"
            config.write_text(
                COMMON.format(
                    port=self.ports[kind],
                    user=getpass.getuser(),
                    swift_dir=self.workdir,
                    devices=devices,
                )
                + (PROXY if kind == "proxy" else STORAGE.format(kind=kind))
            )
            with (self.workdir / f"{kind}.log").open("wb") as log:
                self.processes[kind] = subprocess.Popen(
                    [f"swift-{kind}-server", str(config)], stdout=log, stderr=subprocess.STDOUT
                )
        self.wait_ready()

    def wait_ready(self) -> None:
        """Until the proxy answers its health check and a bucket can be made (the
        storage servers behind it listen)."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        last = "no answer"
        while time.monotonic() < deadline:
            for kind, process in self.processes.items():
                if process.poll() is not None:
                    self._fail(f"swift-{kind}-server exited with status {process.returncode}")
            try:
                if httpx.get(f"{self.endpoint_url}/healthcheck", timeout=2).status_code == 200:
                    self.client().create_bucket(Bucket="ready-check")
                    return
            except Exception as error:  # not up yet: connection refused, 503...
                last = repr(error)
            time.sleep(0.2)
        self._fail(f"not ready after {READY_TIMEOUT_SECONDS:.0f} s (last: {last})")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def _fail(self, reason: str):
        self.stop()
        logs = "\n".join(
            f"--- {log.name} ---\n{log.read_text(errors='replace')}"
            for log in sorted(self.workdir.glob("*.log"))
        )
        pytest.fail(f"Swift (S3): {reason}\n{logs}", pytrace=False)
