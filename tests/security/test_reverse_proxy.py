"""Abuse without a key, against the deployment as shipped (issue #13): the reference server in its own process
behind nginx with deploy/backend/nginx-kiosk-backend.conf. nginx times slow headers (uvicorn does not), caps
bodies before Python sees them, and passes the API and the staff console only; the server alone keeps its
memory bounded under a flood of unfinished bodies."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.server_process import ROOT, backend_process, free_port, resident_kib, wait_for

SHIPPED = ROOT / "deploy" / "backend" / "nginx-kiosk-backend.conf"
NGINX = "/usr/sbin/nginx"
HEADER_TIMEOUT_S = 10  # client_header_timeout in the shipped file


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiosk-backend.example.gov.cn")])
    now = datetime.now(UTC)
    loopback = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .add_extension(loopback, critical=False)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=2)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def local_copy(folder: Path, upstream_port: int, tls_port: int, http_port: int) -> Path:
    """The shipped server blocks with only what a test machine needs changed: ports, certificate paths, and a
    main nginx.conf around them (the packaged one would include it from /etc/nginx/conf.d)."""
    cert, key = self_signed(folder)
    site = SHIPPED.read_text()
    for old, new in (("listen 443 ssl", f"listen 127.0.0.1:{tls_port} ssl"),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("server 127.0.0.1:8700;", f"server 127.0.0.1:{upstream_port};"),
                     ("/etc/kiosk-backend/tls/fullchain.pem", str(cert)),
                     ("/etc/kiosk-backend/tls/privkey.pem", str(key))):
        assert old in site, f"the shipped file no longer has {old!r}: update this test with it"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                             "scgi"))
    main = folder / "nginx.conf"
    main.write_text(f"{user}daemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
                    f"events {{ worker_connections 1024; }}\nhttp {{\n    access_log off;\n{temp}"
                    f"    include {folder / 'site.conf'};\n}}\n")
    return main


@dataclass(frozen=True)
class Proxy:
    url: str
    port: int
    certificate: str
    """The proxy's self-signed certificate, trusted by the test's requests as a kiosk trusts the real one."""


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[Proxy]:
    if not shutil.which(NGINX):
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: scripts/apt/test-backend.txt should have installed nginx-light")
        pytest.skip("no nginx here: apt-get install nginx-light")
    with backend_process(tmp_path / "backend") as (_server, port):
        tls_port, http_port = free_port(), free_port()
        config = local_copy(tmp_path, port, tls_port, http_port)
        nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(config)], stderr=subprocess.PIPE)
        url = f"https://127.0.0.1:{tls_port}"
        try:
            wait_for(url + "/v1/health", nginx, seconds=20, verify=str(tmp_path / "fullchain.pem"))
            yield Proxy(url, tls_port, str(tmp_path / "fullchain.pem"))
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def test_the_shipped_file_is_valid_for_debian_12s_nginx(tmp_path: Path) -> None:
    if not shutil.which(NGINX):
        pytest.skip("no nginx here")
    config = local_copy(tmp_path, 8700, free_port(), free_port())
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_api_and_the_console_pass_and_nothing_else(proxied: Proxy) -> None:
    assert requests.get(proxied.url + "/v1/health", verify=proxied.certificate, timeout=10).json()["status"] == "ok"
    login = requests.get(proxied.url + "/console/login", verify=proxied.certificate, timeout=10)
    assert login.status_code == 200 and "工作人员登录" in login.text
    assert requests.get(proxied.url + "/", verify=proxied.certificate, timeout=10).status_code == 404


def test_a_body_over_the_limit_is_refused_by_the_proxy(proxied: Proxy) -> None:
    response = requests.post(proxied.url + "/v1/applications", data=b"{" + b" " * 300 * 1024 + b"}",
                             verify=proxied.certificate, timeout=10, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_slow_headers_are_cut_off_in_bounded_time(proxied: Proxy) -> None:
    port = proxied.port
    context = ssl.create_default_context(cafile=proxied.certificate)
    connections = []
    for _ in range(20):
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection = context.wrap_socket(raw, server_hostname="127.0.0.1")
        connection.sendall(b"GET /v1/health HTTP/1.1\r\nHost: kiosk-backend\r\n")
        connections.append(connection)
    started = time.monotonic()
    open_ones = list(connections)
    while open_ones and time.monotonic() - started < HEADER_TIMEOUT_S + 5:
        time.sleep(1)
        still = []
        for connection in open_ones:
            try:
                connection.sendall(b"X-Slow: 1\r\n")  # a header line a second, never the blank line
                still.append(connection)
            except OSError:
                pass  # closed by the proxy
        open_ones = still
    took = time.monotonic() - started
    assert not open_ones, f"{len(open_ones)} slow-header connections still open after {took:.0f} s"
    assert took <= HEADER_TIMEOUT_S + 5
    for connection in connections:
        connection.close()


def test_memory_stays_bounded_under_a_flood_of_unfinished_bodies(tmp_path: Path) -> None:
    """The issue's attack: 1,500 unfinished 192 KiB bodies took the server from 118 MB to 405 MB. The server
    alone (no proxy) now holds at most its buffer budget of unauthenticated bytes and answers beyond its
    connection cap at once."""
    with backend_process(tmp_path / "backend") as (server, port):
        before = resident_kib(server.pid)
        peak = before
        connections = []
        head = (f"POST /v1/applications HTTP/1.1\r\nHost: kiosk-backend\r\nContent-Type: application/json\r\n"
                f"Content-Length: {192 * 1024}\r\n\r\n").encode()
        for n in range(1500):
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                connection.sendall(head + b"{" + b" " * (96 * 1024))  # half of each body, never the rest
                connections.append(connection)
            except OSError:
                pass  # refused or reset: also bounded
            if n % 100 == 0:
                peak = max(peak, resident_kib(server.pid))
        for _ in range(10):
            time.sleep(0.3)
            peak = max(peak, resident_kib(server.pid))
        for connection in connections:
            connection.close()
        grown_mib = (peak - before) / 1024
    print(f"resident memory {before / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB under 1,500 unfinished bodies")
    assert grown_mib < 80, f"the server grew by {grown_mib:.0f} MiB under 1,500 unfinished bodies"
