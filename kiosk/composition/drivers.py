"""The one place where drivers are chosen and built, by name from the device profile.

Drivers are found through this registry of dotted paths and imported on demand, so the core never
imports `devices` or `backend` statically and a kiosk without a given library still starts.
"""

from __future__ import annotations

import importlib
from typing import Any

from kiosk.core.ports import Ports, StaffCardReader
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


def staff_card_reader(config: LoadedConfig, ports: Ports) -> StaffCardReader | None:
    """The reader staff badges are read on, as the device profile says; None for PIN only."""
    choice = config.profile.reader.staff_card_reader
    if choice == "reader":
        return ports.reader if isinstance(ports.reader, StaffCardReader) else None
    if choice == "pcsc":
        reader: StaffCardReader = load_factory("staff_reader", "pcsc")(config)
        return reader
    return None
