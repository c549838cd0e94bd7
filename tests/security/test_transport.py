"""Abuse without a key and the network attacker (issue #13): slow or oversized bodies are cut off in bounded
time before any signature is checked, and the kiosk refuses plain http to anything but this machine."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.server.state import ServerSettings, build_state
from kiosk.composition.embedded_backend import LocalServer
from kiosk.core.catalog import Catalog
from kiosk.core.problems import ConfigError
from kiosk.core.settings import Backend
from kiosk.storage.config import load_config
from tests.conftest import CONFIG_DIR

BODY_TIMEOUT_S = 2.0


@pytest.fixture
def strict_server(database_url: str, tmp_path: Path, test_catalog: Catalog) -> Iterator[LocalServer]:
    settings = ServerSettings(database_url=database_url, key_dir=tmp_path / "keys", body_timeout_s=BODY_TIMEOUT_S)
    server = LocalServer(build_state(settings, test_catalog))
    server.start()
    yield server
    server.stop()


def head(length: int) -> bytes:
    return (f"POST /v1/applications HTTP/1.1\r\nHost: kiosk-backend\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def answer_within(connection: socket.socket, seconds: float) -> bytes:
    connection.settimeout(seconds)
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the connection was still open after {seconds} s")
    return received


def test_slow_bodies_are_cut_off_in_bounded_time(strict_server: LocalServer) -> None:
    connections = []
    for _ in range(40):  # unfinished 192 KiB bodies, a kilobyte sent of each
        connection = socket.create_connection(("127.0.0.1", strict_server.port), timeout=5)
        connection.sendall(head(192 * 1024) + b"{" + b" " * 1023)
        connections.append(connection)
    started = time.monotonic()
    answers = [answer_within(c, BODY_TIMEOUT_S + 5) for c in connections]
    assert time.monotonic() - started < BODY_TIMEOUT_S + 5
    assert all(a.startswith(b"HTTP/1.1 408") for a in answers), answers[0][:80]
    for connection in connections:
        connection.close()


def test_a_body_declared_too_large_is_refused_before_it_is_read(strict_server: LocalServer) -> None:
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=5) as connection:
        connection.sendall(head(50 * 1024 * 1024))
        assert answer_within(connection, 3).startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize("url", ["http://10.20.30.40:8700", "http://backend.example.gov.cn"])
def test_the_kiosk_refuses_plain_http_to_another_machine(tmp_path: Path, url: str) -> None:
    text = (CONFIG_DIR / "kiosk.toml").read_text(encoding="utf-8")
    assert 'url = "local"' in text
    changed = text.replace('url = "local"', f'url = "{url}"', 1)
    (tmp_path / "kiosk.toml").write_text(changed, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path / "kiosk.toml")
    assert "https://" in str(refused.value.problems)


def test_the_kiosk_accepts_https_and_loopback_http() -> None:
    for url in ("https://backend.example.gov.cn", "http://127.0.0.1:8700", "http://[::1]:8700", "local"):
        assert Backend(url=url).url == url


def test_slow_headers_are_cut_off_by_the_server_itself(tmp_path: Path) -> None:
    """Without nginx in front, with two workers as the service runs: 20 clients sending a header line a second,
    never the blank line, are each closed within the header timeout, while a client whose headers take a few
    seconds is still answered. The workers log each closing as a JSON line with its fields."""
    from backend.server.slow_clients import HEADER_TIMEOUT_S
    from tests.support.server_process import backend_process

    log = tmp_path / "server.log"
    with backend_process(tmp_path / "backend", "--workers", "2", log=log) as (server, port):
        slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(20)]
        patient = socket.create_connection(("127.0.0.1", port), timeout=5)
        for connection in [*slow, patient]:
            connection.sendall(b"GET /v1/health HTTP/1.1\r\nHost: kiosk-backend\r\n")
        started = time.monotonic()
        open_ones = list(slow)
        while open_ones and time.monotonic() - started < HEADER_TIMEOUT_S + 5:
            time.sleep(1)
            still = []
            for connection in open_ones:
                try:
                    connection.sendall(b"X-Slow: 1\r\n")
                    still.append(connection)
                except OSError:
                    pass  # closed by the server
            open_ones = still
            if time.monotonic() - started > 3 and patient.fileno() != -1:
                patient.sendall(b"Connection: close\r\n\r\n")  # its headers complete after about 3 s
                assert b" 200 " in answer_within(patient, 10).split(b"\r\n", 1)[0]
                patient.close()
        closed_after = time.monotonic() - started
        for connection in slow:
            connection.close()
        assert not open_ones, f"{len(open_ones)} of 20 slow connections were still open after {closed_after:.0f} s"
        assert closed_after >= HEADER_TIMEOUT_S - 1  # not cut before their time
        assert server.poll() is None
    closings = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()
                if '"slow_headers_closed"' in line]
    assert len(closings) == 20 and {c["duration_ms"] for c in closings} == {int(HEADER_TIMEOUT_S * 1000)}
