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
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from backend.client import HttpBackend, build
from backend.keys import KIOSK_CREDENTIAL_FILE, KioskCredential
from kiosk import crypto
from kiosk.catalog import load_catalog
from kiosk.health import Component, DeviceError, Health, Reason
from kiosk.ports import StatusSource
from kiosk.problems import ConfigError
from kiosk.records import Application, Booking, BookingResult, ProgressQuery, ProgressRecord, Slot, SubmitResult
from kiosk.settings import LoadedConfig
from kiosk.toml_cache import CATALOG_CACHE, ParsedTomlCache
from kiosk.usage import UsageLog

if TYPE_CHECKING:
    from backend.server.state import ServerState

LOCAL_DIR = "local-backend"
START_DELAY_S = 1.5  # let the home screen come up before the server stack imports and competes for the CPU


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

    settings = ServerSettings(
        database_url=f"sqlite:///{config.data_dir / LOCAL_DIR / 'backend.sqlite3'}",
        key_dir=config.key_dir / LOCAL_DIR, profile=config.settings.backend.crypto_profile,
        division_code=config.settings.site.division_code)
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


class DeferredLocalBackend:
    """The local backend, started on a thread so the kiosk's home screen does not wait for the server stack
    (FastAPI, SQLAlchemy, migrations) to import and start. Until it is up its health is UNKNOWN, and calls
    wait for it up to `wait_s`."""

    _status_source: StatusSource | None = None

    @property
    def status_source(self) -> StatusSource | None:
        """What heartbeats report; handed to the HTTP client whenever it is up."""
        return self._status_source

    @status_source.setter
    def status_source(self, source: StatusSource | None) -> None:
        self._status_source = source
        if self._backend is not None:
            self._backend.status_source = source

    _usage_log: UsageLog | None = None

    @property
    def usage_log(self) -> UsageLog | None:
        """Where the usage counts come from; handed to the HTTP client whenever it is up."""
        return self._usage_log

    @usage_log.setter
    def usage_log(self, log: UsageLog | None) -> None:
        self._usage_log = log
        if self._backend is not None:
            self._backend.usage_log = log

    def __init__(self, config: LoadedConfig, wait_s: float = 30.0, delay_s: float = START_DELAY_S) -> None:
        self._wait_s = wait_s
        self._ready = threading.Event()
        self._starting = threading.Lock()
        self._started = False
        self._backend: LocalBackend | None = None
        self._error = ""
        self._config = config
        timer = threading.Timer(delay_s, self._start_once)
        timer.daemon = True
        timer.start()

    def _start_once(self) -> None:
        with self._starting:
            if self._started:
                return
            self._started = True
        self._start(self._config)

    def _start(self, config: LoadedConfig) -> None:
        try:
            self._backend = start_local_backend(config)
            self._backend.status_source = self._status_source
            self._backend.usage_log = self._usage_log
        except Exception as exc:  # reported as the backend's health, never as a crash of the kiosk
            self._error = type(exc).__name__
            logging.getLogger("kiosk.backend").error(
                "local backend failed to start", extra={"kiosk_event": "local_backend_failed",
                                                        "kiosk_fields": {"code": self._error}})
        finally:
            self._ready.set()

    def started(self, timeout_s: float | None = None) -> LocalBackend:
        if not self._ready.is_set():
            threading.Thread(target=self._start_once, name="kiosk-local-backend-start", daemon=True).start()
        if not self._ready.wait(self._wait_s if timeout_s is None else timeout_s):
            raise DeviceError(Reason.BACKEND_TIMEOUT, "the local backend is still starting")
        if self._backend is None:
            raise DeviceError(Reason.BACKEND_UNREACHABLE, f"the local backend did not start ({self._error})")
        return self._backend

    def health(self) -> Health:
        if not self._ready.is_set():
            return Health.unknown(Component.BACKEND, "local backend starting")
        if self._backend is None:
            return Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE, f"did not start ({self._error})")
        return self._backend.health()

    def submit(self, application: Application) -> SubmitResult:
        return self.started().submit(application)

    def progress(self, query: ProgressQuery) -> Sequence[ProgressRecord]:
        return self.started().progress(query)

    def appointment_slots(self, item_id: str, first_day: date, days: int) -> Sequence[Slot]:
        return self.started().appointment_slots(item_id, first_day, days)

    def book(self, booking: Booking) -> BookingResult:
        return self.started().book(booking)

    def __getattr__(self, name: str) -> Any:
        # outbox status/flush, heartbeat, cancel_booking, rate, ...: whatever the HTTP client offers
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.started(), name)

    def close(self) -> None:
        with self._starting:
            never_started, self._started = not self._started, True
        if never_started:
            return
        self._ready.wait(self._wait_s)
        if self._backend is not None:
            self._backend.close()


def from_config(config: LoadedConfig) -> DeferredLocalBackend:
    return DeferredLocalBackend(config)
