"""The one place where drivers are chosen and built from the device profile.

Drivers are found through registries of dotted paths and imported on demand, so the core never imports
`devices` or `backend` statically and a kiosk without a given library still starts. Card readers and printer
connections are keyed by their settings model (kiosk.core.settings), whose Literal tag is the only place their
name is written; tests/unit/test_settings.py checks that every model of the profile has a driver here.
"""

from __future__ import annotations

import importlib
from typing import Any

from kiosk.core.ports import Ports, StaffCardReader
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.settings import (
    ConnectionSettings,
    FileConnectionSettings,
    HidScannerSettings,
    LoadedConfig,
    NetworkConnectionSettings,
    NoScannerSettings,
    NoSignalSettings,
    PcscReaderSettings,
    ReaderSettings,
    SamSerialReaderSettings,
    ScannerSettings,
    SerialConnectionSettings,
    SerialRelaySettings,
    SerialScannerSettings,
    SignalSettings,
    SimulatedOutputSettings,
    SimulatedReaderSettings,
    SimulatedScannerSettings,
    SimulatedSignalSettings,
    UsbConnectionSettings,
    VendorSdkReaderSettings,
)

# A factory takes (config: LoadedConfig) and returns the port.
READERS: dict[type[ReaderSettings], str] = {
    SimulatedReaderSettings: "devices.readers.simulated:from_config",
    SamSerialReaderSettings: "devices.readers.sam_serial:from_config",
    VendorSdkReaderSettings: "devices.readers.vendor_sdk:from_config",
    PcscReaderSettings: "devices.readers.pcsc:from_config",
}
PRINTERS: dict[type[ConnectionSettings], str] = {
    SimulatedOutputSettings: "devices.printers.simulated:from_config",
    UsbConnectionSettings: "devices.printers.escpos_printer:from_config",
    SerialConnectionSettings: "devices.printers.escpos_printer:from_config",
    NetworkConnectionSettings: "devices.printers.escpos_printer:from_config",
    FileConnectionSettings: "devices.printers.escpos_printer:from_config",
}
SCANNERS: dict[type[ScannerSettings], str | None] = {
    NoScannerSettings: None,  # the kiosk has no scanner
    SimulatedScannerSettings: "devices.scanners.simulated:from_config",
    SerialScannerSettings: "devices.scanners.serial_scanner:from_config",
    HidScannerSettings: "devices.scanners.hid_scanner:from_config",
}
SIGNALS: dict[type[SignalSettings], str | None] = {
    NoSignalSettings: None,  # no buzzer or light: calls for staff go to the backend only
    SimulatedSignalSettings: "devices.signals.simulated:from_config",
    SerialRelaySettings: "devices.signals.serial_relay:from_config",
}

# The other ports, by the name their profile or kiosk.toml gives: kind -> name -> "module:factory".
DRIVERS: dict[str, dict[str, str]] = {
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
    return _import(target, kind, name)


def reader_factory(settings: ReaderSettings) -> Any:
    """The factory of the card reader these settings are for."""
    return _import(READERS[type(settings)], "reader", settings.driver)


def printer_factory(settings: ConnectionSettings) -> Any:
    """The factory of the printer driver for this connection."""
    return _import(PRINTERS[type(settings)], "printer", settings.kind)


def scanner_factory(settings: ScannerSettings) -> Any | None:
    """The factory of the QR/barcode scanner these settings are for; None when the kiosk has none."""
    target = SCANNERS[type(settings)]
    return _import(target, "scanner", settings.driver) if target else None


def signal_factory(settings: SignalSettings) -> Any | None:
    """The factory of the buzzer or light of calls for staff; None when the kiosk has none."""
    target = SIGNALS[type(settings)]
    return _import(target, "signal", settings.driver) if target else None


def _import(target: str, kind: str, name: str) -> Any:
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
        reader=reader_factory(profile.reader)(config),
        printer=printer_factory(profile.printer.connection)(config),
        backend=load_factory("backend", backend_kind)(config),
        clock=load_factory("clock", "system")(config),
        speech=load_factory("speech", profile.speech.driver)(config),
        scanner=scanner(config) if (scanner := scanner_factory(profile.scanner)) else None,
        signal=signal(config) if (signal := signal_factory(profile.signal)) else None,
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
