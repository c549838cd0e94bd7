"""`backend.url = "local"`: the real reference server, in-process, and the real HTTP client talking to it.

The server runs under uvicorn on a free loopback port in a daemon thread, with its SQLite file under the
kiosk's data_dir and its keys under key_dir; the kiosk enrols itself on first start. So the demo and a
kiosk without a platform go end to end through HTTP, signatures, the outbox and the database.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING

from backend.contract import crypto
from backend.contract.keys import KIOSK_CREDENTIAL_FILE, KioskCredential
from kiosk.core.problems import ConfigError
from kiosk.core.settings import LoadedConfig
from kiosk.remote.client import HttpBackend, build
from kiosk.storage.catalog import load_catalog
from kiosk.storage.toml_cache import CATALOG_CACHE, ParsedTomlCache

if TYPE_CHECKING:
    from backend.server.state import ServerState

LOCAL_DIR = "local-backend"


class LocalServer:
    """A uvicorn server for one app on 127.0.0.1 and the given port, or one the OS picks."""

    def __init__(self, state: ServerState, port: int = 0) -> None:
        import uvicorn

        from backend.server.app import create_app

        self.state = state
        self.port = port
        # uvicorn binds the socket itself: a socket handed over through `sockets=` loses TCP_NODELAY and
        # every response then waits ~40 ms on delayed ACKs.
        config = uvicorn.Config(create_app(state), host="127.0.0.1", port=port, log_level="warning",
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="kiosk-local-backend", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the local backend did not start")
            time.sleep(0.02)
        self.port = int(self._server.servers[0].sockets[0].getsockname()[1])

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self.state.engine.dispose()
        self.state.nonce_engine.dispose()


class LocalBackend(HttpBackend):
    """The HTTP client, owning the in-process server it talks to."""

    server: LocalServer

    def close(self) -> None:
        super().close()
        self.server.stop()


def start_local_server(config: LoadedConfig) -> LocalServer:
    from backend.server.state import ServerSettings, build_state

    registry = config.settings.office("marriage-registry")
    settings = ServerSettings(
        database_url=f"sqlite:///{config.data_dir / LOCAL_DIR / 'backend.sqlite3'}",
        key_dir=config.key_dir / LOCAL_DIR, profile=config.settings.backend.crypto_profile,
        division_code=config.settings.site.division_code,
        office=registry.name if registry is not None else ServerSettings.office)
    (config.data_dir / LOCAL_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        catalog = load_catalog(cache=ParsedTomlCache(config.data_dir / CATALOG_CACHE))
    except ConfigError:
        catalog = None  # items are not checked and no catalog is published; the kiosk keeps its own
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = LocalServer(build_state(settings, catalog))
    server.start()
    return server


def local_credential(config: LoadedConfig, state: ServerState) -> KioskCredential:
    """The kiosk's key for the local server, enrolling the kiosk when it has none that the server knows."""
    from backend.server.admin import enroll, is_enrolled

    path = config.key_dir / KIOSK_CREDENTIAL_FILE
    kiosk_id = config.settings.kiosk_id
    with contextlib.suppress(crypto.CryptoError, OSError, KeyError, ValueError):
        credential = KioskCredential.load(path)
        if (credential.kiosk_id == kiosk_id and credential.profile == state.keys.profile
                and credential.server_key_id == state.keys.key_id and is_enrolled(state, kiosk_id)):
            return credential
    credential = enroll(state, kiosk_id)
    credential.save(path)
    return credential


def start_local_backend(config: LoadedConfig) -> LocalBackend:
    server = start_local_server(config)
    try:
        backend = build(config, server.url, local_credential(config, server.state), kind=LocalBackend)
    except BaseException:
        server.stop()
        raise
    backend.server = server
    return backend
