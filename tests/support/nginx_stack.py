"""Sapling the way operators run it: gunicorn with deploy/gunicorn.conf.py behind nginx
with deploy/nginx/sapling.conf, on loopback ports, with a self-signed certificate.

The deploy files are used as they are: only ports, paths and the server name are
rewritten, and each rewrite must find its text, so the test cannot drift away from
the file operators install.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from urllib3 import HTTPConnectionPool

from scripts.loopback import free_port, stop

PROJECT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT / "deploy"
SERVER_NAME = "localhost"  # resolves to loopback; the certificate is made for it
MEDIA_NAME = f"media.{SERVER_NAME}"  # the optional media host (MEDIA_PUBLIC_URL)


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


@dataclass(frozen=True)
class Ports:
    http: int = field(default_factory=free_port)
    https: int = field(default_factory=free_port)
    internal: int = field(default_factory=free_port)
    app: int = field(default_factory=free_port)
    signin: int = field(default_factory=free_port)  # the sign-in pool
    second_app: int = field(default_factory=free_port)  # a second app host, when there is one


def self_signed_certificate(folder: Path) -> Path:
    """A certificate for ``localhost`` (as fullchain.pem and privkey.pem); returns the cert."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME), x509.DNSName(MEDIA_NAME)]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = folder / "fullchain.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path


def render_site(
    ports: Ports,
    certs: Path,
    media_root: Path,
    *,
    bucket_endpoint: str | None = None,
    second_app: bool = False,
) -> str:
    """deploy/nginx/sapling.conf with this machine's ports and paths: the S3 endpoint of
    ``bucket_endpoint``, and the upstream's commented-out second server as a second host."""
    text = (DEPLOY / "nginx" / "sapling.conf").read_text()
    rewrites = []
    if bucket_endpoint:
        rewrites.append(("127.0.0.1:8333", urlsplit(bucket_endpoint).netloc))
    if second_app:
        rewrites.append(
            ("    # server 10.0.0.12:8000 ", f"    server 127.0.0.1:{ports.second_app} ")
        )
    rewrites += [
        ("    listen [::]:80 default_server;\n", ""),
        ("    listen [::]:443 ssl http2 default_server;\n", ""),
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80 default_server;", f"listen 127.0.0.1:{ports.http} default_server;"),
        (
            "listen 443 ssl http2 default_server;",
            f"listen 127.0.0.1:{ports.https} ssl http2 default_server;",
        ),
        ("listen 80;", f"listen 127.0.0.1:{ports.http};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports.https} ssl http2;"),
        ("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{ports.internal};"),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{ports.app} "),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{ports.signin} "),
        ("http://127.0.0.1:8001/metrics", f"http://127.0.0.1:{ports.signin}/metrics"),
        ("/etc/ssl/sapling/", f"{certs}/"),
        ("/srv/sapling/app/static/", f"{PROJECT}/app/static/"),
        ("/var/lib/sapling/media/", f"{media_root}/"),
        ("/etc/nginx/sapling_proxy.conf", str(DEPLOY / "nginx" / "sapling_proxy.conf")),
        ("sapling.example.org", SERVER_NAME),
    ]
    for old, new in rewrites:
        if old not in text:
            raise AssertionError(
                f"deploy/nginx/sapling.conf no longer contains {old!r}: "
                "update the rewrites in tests/support/nginx_stack.py"
            )
        text = text.replace(old, new)
    return text


def main_config(workdir: Path, site: Path) -> str:
    """The top-level nginx.conf a distribution ships, cut down and pointed at ``workdir``."""
    temp = workdir / "temp"
    user = "user root;\n" if os.geteuid() == 0 else ""  # to read the test's private tmp files
    return f"""{user}worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {workdir}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, **kwargs: object) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited early:\n{log.read_text()[-4000:]}")
        try:
            with requests.Session() as client:
                client.trust_env = False
                client.get(url, timeout=2, **kwargs)  # type: ignore[arg-type]
            return
        except requests.RequestException:  # not listening yet, or still starting up
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in 60 s:\n{log.read_text()[-4000:]}")


class Stack:
    """The two gunicorn pools (pages, and sign-in) and nginx as subprocesses; stopped
    (gracefully) on exit."""

    def __init__(
        self,
        nginx: str,
        workdir: Path,
        app_env: Mapping[str, str],
        *,
        second_app_env: Mapping[str, str] | None = None,
    ) -> None:
        """``second_app_env``: what differs on a second app host (its MEDIA_ROOT, say); it
        joins the page pool's upstream beside the first."""
        self.nginx = nginx
        self.workdir = workdir
        self.ports = Ports()
        self.media_root = Path(app_env["MEDIA_ROOT"])
        self.app_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SAPLING_", "TEST_"))},
            "SAPLING_ENV": "production",
            "GUNICORN_BIND": f"127.0.0.1:{self.ports.app}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "2",
            "GUNICORN_SIGNIN_BIND": f"127.0.0.1:{self.ports.signin}",
            "GUNICORN_SIGNIN_WORKERS": "1",
            "GUNICORN_SIGNIN_THREADS": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
            **app_env,
        }
        self.second_app_env = second_app_env
        self.app_log = workdir / "gunicorn.log"
        self.second_app_log = workdir / "gunicorn-second.log"
        self.signin_log = workdir / "gunicorn-signin.log"
        self.certificate = self_signed_certificate(workdir / "certs")
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def https(self) -> str:
        return f"https://{SERVER_NAME}:{self.ports.https}"

    @property
    def http(self) -> str:
        return f"http://{SERVER_NAME}:{self.ports.http}"

    @property
    def internal(self) -> str:
        return f"http://127.0.0.1:{self.ports.internal}"

    def __enter__(self) -> Stack:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        (self.workdir / "temp").mkdir(parents=True, exist_ok=True)
        site = self.workdir / "sapling.conf"
        site.write_text(
            render_site(
                self.ports,
                self.workdir / "certs",
                self.media_root,
                bucket_endpoint=self.app_env.get("MEDIA_S3_ENDPOINT"),
                second_app=self.second_app_env is not None,
            )
        )
        conf = self.workdir / "nginx.conf"
        conf.write_text(main_config(self.workdir, site))
        checked = subprocess.run(
            [self.nginx, "-t", "-q", "-c", str(conf)], capture_output=True, text=True, check=False
        )
        if checked.returncode:
            raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")

        pools = [
            ("deploy/gunicorn.conf.py", self.app_log, self.ports.app, {}),
            (
                "deploy/gunicorn-signin.conf.py",
                self.signin_log,
                self.ports.signin,
                {"PROMETHEUS_MULTIPROC_DIR": str(self.workdir / "metrics-signin")},
            ),
        ]
        if self.second_app_env is not None:
            second = {
                "GUNICORN_BIND": f"127.0.0.1:{self.ports.second_app}",
                "PROMETHEUS_MULTIPROC_DIR": str(self.workdir / "metrics-second"),
                **self.second_app_env,
            }
            pools.append(
                ("deploy/gunicorn.conf.py", self.second_app_log, self.ports.second_app, second)
            )
        for config, log_path, port, env in pools:
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", config, "wsgi:app"],
                    cwd=PROJECT,
                    env={**self.app_env, **env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            self.processes.append(process)
            _wait_for(f"http://127.0.0.1:{port}/healthz", process, log_path)
        nginx_log = self.workdir / "error.log"
        self.processes.append(
            subprocess.Popen(
                [self.nginx, "-c", str(conf), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        )
        _wait_for(
            f"{self.https}/healthz", self.processes[-1], nginx_log, verify=str(self.certificate)
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for process in reversed(self.processes):  # nginx first; SIGQUIT is its graceful stop
            stop(process, signal.SIGQUIT if process.args[0] == self.nginx else signal.SIGTERM)

    @property
    def media(self) -> str:
        return f"https://{MEDIA_NAME}:{self.ports.https}"

    def session(self, source: str | None = None) -> requests.Session:
        """A browser-like client that trusts the stack's certificate.

        It sends what a browser sends and nothing more: no Referer or Host of its own.
        ``source`` is the loopback address (127/8) it connects from.
        """
        client = requests.Session()
        client.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise win over `verify`
        client.verify = str(self.certificate)
        adapter = LoopbackNames(source)
        client.mount("https://", adapter)
        client.mount("http://", adapter)
        return client

    def app_log_text(self) -> str:
        """Both pools' logs: the page pool's, then the sign-in pool's."""
        return self.page_log_text() + self.signin_log_text()

    def page_log_text(self) -> str:
        return self.app_log.read_text(errors="replace")

    def signin_log_text(self) -> str:
        return self.signin_log.read_text(errors="replace")


class LoopbackNames(HTTPAdapter):
    """The test's DNS: ``localhost`` and every name under it is 127.0.0.1, as browsers resolve
    ``*.localhost`` (and as ``curl --resolve`` would). Only the address lookup happens here:
    the name in the URL still goes out as TLS SNI and, with its port, as the Host header,
    exactly as a browser sends them.
    """

    def __init__(self, source: str | None = None) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        if self.source:
            kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)

    def get_connection_with_tls_context(
        self,
        request: PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: Any = None,
    ) -> HTTPConnectionPool:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        name = str(host_params["host"])
        if name == SERVER_NAME or name.endswith(f".{SERVER_NAME}"):
            host_params["host"] = "127.0.0.1"
            if host_params["scheme"] == "https":
                pool_kwargs["server_hostname"] = name
                pool_kwargs["assert_hostname"] = name if verify is not False else False
        pool: HTTPConnectionPool = self.poolmanager.connection_from_host(
            **host_params, pool_kwargs=pool_kwargs
        )
        return pool

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        # What the URL says, as a browser derives it (no port for the scheme's default).
        request.headers.setdefault("Host", urlsplit(request.url or "").netloc)
