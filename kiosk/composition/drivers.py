"""The one place where drivers are chosen and built, by name from the device profile.

Drivers are found through this registry of dotted paths and imported on demand, so the core never
imports `devices` or `backend` statically and a kiosk without a given library still starts.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from kiosk.core.ports import Backend, CardReader, Clock, Printer, Speech
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.settings import LoadedConfig

# kind -> driver name -> "module:factory". A factory takes (config: LoadedConfig) and returns the port.
DRIVERS: dict[str, dict[str, str]] = {
    "reader": {
        "simulated": "devices.readers.simulated:from_config",
        "sam_serial": "devices.readers.sam_serial:from_config",
        "vendor_sdk": "devices.readers.vendor_sdk:from_config",
        "pcsc": "devices.readers.pcsc:from_config",
    },
    "printer": {
        "simulated": "devices.printers.simulated:from_config",
        "usb": "devices.printers.escpos_printer:from_config",
        "serial": "devices.printers.escpos_printer:from_config",
        "network": "devices.printers.escpos_printer:from_config",
        "file": "devices.printers.escpos_printer:from_config",
    },
    "speech": {
        "silent": "devices.speech.silent:from_config",
        "espeak": "devices.speech.espeak:from_config",
    },
    "backend": {
        "local": "kiosk.composition.deferred_backend:from_config",
        "http": "kiosk.remote.client:from_config",
    },
    "clock": {
        "system": "devices.clock:from_config",
    },
    "staff_reader": {
        "pcsc": "devices.readers.pcsc:staff_reader_from_config",
    },
}


@dataclass(frozen=True)
class Ports:
    reader: CardReader
    printer: Printer
    backend: Backend
    clock: Clock
    speech: Speech

    def close(self) -> None:
        for port in (self.reader, self.printer):
            port.close()
        close_backend = getattr(self.backend, "close", None)  # the HTTP backend stops its outbox sender
        if callable(close_backend):
            close_backend()


def load_factory(kind: str, name: str) -> Any:
    try:
        target = DRIVERS[kind][name]
    except KeyError:
        raise ConfigError([Problem("devices", kind, f"no {kind} driver named {name!r}")]) from None
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError([Problem("devices", kind, f"driver {name!r} is not available here ({exc})")]) from None
    return getattr(module, attr)


def build_ports(config: LoadedConfig) -> Ports:
    profile = config.profile
    backend_kind = "local" if config.settings.backend.url == "local" else "http"
    return Ports(
        reader=load_factory("reader", profile.reader.driver)(config),
        printer=load_factory("printer", profile.printer.connection.kind)(config),
        backend=load_factory("backend", backend_kind)(config),
        clock=load_factory("clock", "system")(config),
        speech=load_factory("speech", profile.speech.driver)(config),
    )
