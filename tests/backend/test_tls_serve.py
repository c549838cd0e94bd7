"""`kiosk-backend serve --tls-cert --tls-key` (what kiosk-backend.service runs) answers over HTTPS only."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "server.crt", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_over_tls(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = {**os.environ, "KIOSK_BACKEND_HOME": str(tmp_path / "home")}
    server = subprocess.Popen([sys.executable, "-m", "backend.server.cli", "serve", "--port", str(port), "--quiet",
                               "--tls-cert", str(cert), "--tls-key", str(key)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(f"https://localhost:{port}/v1/openapi.json", verify=str(cert), timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"no HTTPS answer: {server.stderr.read() if server.poll() is not None else ''}")
                time.sleep(0.3)
        assert answer.status_code == 200 and answer.json()["openapi"].startswith("3.")
        with pytest.raises((requests.ConnectionError, requests.Timeout)):
            requests.get(f"http://localhost:{port}/v1/openapi.json", timeout=2)  # no plain HTTP on that port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
            pytest.fail("the server did not stop on SIGTERM within 30 s")
    lonely = subprocess.run([sys.executable, "-m", "backend.server.cli", "serve", "--tls-cert", str(cert)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert lonely.returncode == 2 and "--tls-cert and --tls-key go together" in lonely.stderr
