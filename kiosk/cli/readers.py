"""`kiosk card parse|read|uid` and `kiosk devices probe`: the card-reader commands for technicians.

Card data is masked unless `--reveal`, which warns on stderr. Bad input exits 2 with one line on stderr;
a read that finds no card (or a broken reader) exits 1 with the stable reason.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from devices.readers.sam_frame import FrameError, text_block_from_bytes
from kiosk.core.cardtext import ParseError, identity_report, parse_text_block
from kiosk.core.health import DeviceError
from kiosk.core.problems import ConfigError
from kiosk.core.settings import (
    LoadedConfig,
    SamSerialReaderSettings,
    SerialConnectionSettings,
    SerialRelaySettings,
    SerialScannerSettings,
)
from kiosk.storage.config import load_config

REVEAL_WARNING = "warning: --reveal prints personal data; do not paste it into tickets, chats or logs"
SERIAL_GLOBS = ("/dev/ttyUSB*", "/dev/ttyACM*")  # USB-serial adapters, where SAM readers sit
PROBE_TIMEOUT_S = 1.0  # real SAMs answer the status command in up to ~300 ms, some slower after power-up


def add_commands(subparsers: Any) -> None:
    card = command_group(subparsers, "card", "ID and social-security cards")
    parse = card.add_parser("parse", help="parse a saved text block (256 bytes) or a SAM read reply frame")
    parse.add_argument("file", help="file holding the bare 256-byte block or one whole SAM reply frame")
    _output_options(parse)
    parse.set_defaults(func=cmd_card_parse)

    read = card.add_parser("read", help="read one card with the configured reader profile")
    read.add_argument("--config", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    read.add_argument("--timeout", type=float, help="seconds to wait for a card (default: timeouts.card_read_s)")
    _output_options(read)
    read.set_defaults(func=cmd_card_read)

    uid = card.add_parser("uid", help="read a staff badge's UID and print its staff_card_sha256 entry")
    uid.add_argument("--config", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    uid.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for the badge")
    uid.set_defaults(func=cmd_card_uid)

    watch = card.add_parser(
        "watch", help="keep the configured reader open and print one JSON line per event until Ctrl-C",
        description="Reader attached/detached, card inserted/removed, the reader's health when it changes, and "
                    "the result of reading each card laid down (masked unless --reveal). For checking a reader "
                    "in place: one reader object stays open the whole time, as in the running kiosk.")
    watch.add_argument("--config", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    watch.add_argument("--timeout", type=float, default=5.0, help="seconds a read may take once a card is there")
    watch.add_argument("--reveal", action="store_true", help="print names and numbers unmasked")
    watch.set_defaults(func=cmd_card_watch)

    devices = command_group(subparsers, "devices", "attached devices")
    probe = devices.add_parser(
        "probe", help="list PC/SC readers, serial ports that answer as a SAM, keyboards (HID scanners) and the "
                      "profile's scanner",
        description="Sends the SAM status command to each USB-serial port and the profile's reader port; "
                    "the profile's printer port is left alone so nothing is printed.")
    probe.add_argument("--port", action="append", default=[], help="also try this serial port (repeatable)")
    probe.add_argument("--config", help="kiosk.toml whose profile names the reader and printer ports")
    probe.add_argument("--baudrate", type=int, default=115200)
    probe.add_argument("--json", action="store_true")
    probe.set_defaults(func=cmd_devices_probe)


def command_group(subparsers: Any, name: str, help_text: str) -> Any:
    """The sub-command action of group `name`, shared with other extensions that add to it."""
    existing = subparsers.choices.get(name)
    if existing is not None:
        return next(a for a in existing._actions if isinstance(a, argparse._SubParsersAction))
    return subparsers.add_parser(name, help=help_text).add_subparsers(dest=f"{name}_command", required=True)


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--reveal", action="store_true", help="print names and numbers unmasked")


def _bad_input(message: str) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return 2


def _show(report: dict[str, object], args: argparse.Namespace) -> None:
    if args.reveal:
        print(REVEAL_WARNING, file=sys.stderr)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    width = max(len(key) for key in report)
    for key, value in report.items():
        shown = "-" if value is None or value == "" else str(value).lower() if isinstance(value, bool) else value
        print(f"{key:<{width}}  {shown}")


def cmd_card_parse(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _bad_input(f"cannot read {path}: {exc.strerror or type(exc).__name__}")
    buffer = bytearray(data)
    try:
        record = text_block_from_bytes(bytes(buffer))
        identity = parse_text_block(record.text, record.photo)
    except (FrameError, ParseError) as exc:
        return _bad_input(f"{path}: {exc}")
    finally:
        buffer[:] = bytes(len(buffer))
    _show(identity_report(identity, date.today(), args.reveal), args)
    return 0


def _open_reader(args: argparse.Namespace, staff: bool) -> tuple[LoadedConfig, Any] | int:
    """The configured reader (for a staff badge: the staff card reader when the profile names one), or the
    exit code after saying why it cannot be had."""
    from kiosk.composition.drivers import load_factory, reader_factory

    try:
        config = load_config(Path(args.config) if args.config else None)
        reader_profile = config.profile.reader
        if staff and reader_profile.staff_card_reader == "pcsc":
            return config, load_factory("staff_reader", "pcsc")(config)
        return config, reader_factory(reader_profile)(config)
    except ConfigError as exc:
        print(f"configuration is invalid: {exc}", file=sys.stderr)
        return 2
    except DeviceError as exc:
        print(f"kiosk: reader: {exc.reason.value} ({exc.detail})", file=sys.stderr)
        return 1


def cmd_card_read(args: argparse.Namespace) -> int:
    opened = _open_reader(args, staff=False)
    if isinstance(opened, int):
        return opened
    config, reader = opened
    timeout = args.timeout if args.timeout is not None else float(config.settings.timeouts.card_read_s)
    try:
        print(f"reading with {config.profile.reader.driver}; lay the card on the reader ({timeout:g} s)",
              file=sys.stderr)
        identity = reader.read_identity(timeout)
    except DeviceError as exc:
        print(f"kiosk: no card read: {exc.reason.value} ({exc.detail})", file=sys.stderr)
        return 1
    finally:
        reader.close()
    _show(identity_report(identity, date.today(), args.reveal), args)
    return 0


def cmd_card_watch(args: argparse.Namespace) -> int:
    opened = _open_reader(args, staff=False)
    if isinstance(opened, int):
        return opened
    _config, reader = opened
    if args.reveal:
        print(REVEAL_WARNING, file=sys.stderr)
    watcher = CardWatch(reader, args.timeout, args.reveal, _emit)
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
    return 0


def _emit(event: dict[str, object]) -> None:
    print(json.dumps({"at": datetime.now().isoformat(timespec="milliseconds"), **event}, ensure_ascii=False),
          flush=True)


class CardWatch:
    """The loop of `kiosk card watch`: events from pcscd for a PC/SC reader, from polling presence for the
    others; the health whenever it changes; and a read of each card laid down, on the one reader object."""

    def __init__(self, reader: Any, read_timeout_s: float, reveal: bool,
                 emit: Callable[[dict[str, object]], None]) -> None:
        self.reader, self.read_timeout_s, self.reveal, self.emit = reader, read_timeout_s, reveal, emit
        self._health: tuple[str, str] | None = None
        self._present = False
        self._events: Any = None
        try:
            from devices.readers.pcsc import PcscReader, ReaderWatch
        except ImportError:
            return
        if isinstance(reader, PcscReader):
            self._events = ReaderWatch(reader.name_contains)

    def run(self, stop: Callable[[], bool] = lambda: False) -> None:
        while not stop():
            self.step()

    def step(self) -> None:
        if self._events is not None:
            try:
                events = self._events.next_events(1.0)
            except DeviceError as exc:  # reported, and the watch goes on: it is for watching faults
                self.emit({"event": "error", "reason": exc.reason.value, "detail": exc.detail})
                time.sleep(1.0)
                events = []
            for event in events:
                self.emit({"event": event.kind, **({"reader": event.reader} if event.reader else {})})
                if event.kind == "card_inserted" and event.reader == self._reader_name():
                    self._read()
        else:
            self._poll()
        self._check_health()

    def _reader_name(self) -> str:
        health = self.reader.health()
        return str(health.detail) if health.usable else ""

    def _poll(self) -> None:
        try:
            present = bool(self.reader.card_present())
        except DeviceError:
            present = False
        if present != self._present:
            self._present = present
            self.emit({"event": "card_inserted" if present else "card_removed"})
            if present:
                self._read()
        time.sleep(0.3)

    def _check_health(self) -> None:
        health = self.reader.health()
        key = (health.status.value, health.reason.value)
        if key != self._health:
            self._health = key
            self.emit({"event": "health", "status": health.status.value, "reason": health.reason.value,
                       "detail": health.detail})

    def _read(self) -> None:
        started = time.monotonic()
        try:
            identity = self.reader.read_identity(self.read_timeout_s)
        except DeviceError as exc:
            self.emit({"event": "card_read", "result": "failed", "reason": exc.reason.value, "detail": exc.detail,
                       "ms": int((time.monotonic() - started) * 1000)})
            return
        self.emit({"event": "card_read", "result": "ok", "ms": int((time.monotonic() - started) * 1000),
                   "card": identity_report(identity, date.today(), self.reveal)})

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
        self.reader.close()


def cmd_card_uid(args: argparse.Namespace) -> int:
    from kiosk.core.ports import StaffCardReader
    from kiosk.shell.maintenance_desk import card_hash
    opened = _open_reader(args, staff=True)
    if isinstance(opened, int):
        return opened
    config, reader = opened
    reader_profile = config.profile.reader
    try:
        if not isinstance(reader, StaffCardReader):
            print(f"kiosk: a {reader_profile.driver} reader cannot read card UIDs; set staff_card_reader = "
                  '"pcsc" in the device profile', file=sys.stderr)
            return 2
        print(f"lay the staff badge on the reader ({args.timeout:g} s)", file=sys.stderr)
        uid = reader.read_card_uid(args.timeout)
    except DeviceError as exc:
        print(f"kiosk: no badge read: {exc.reason.value} ({exc.detail})", file=sys.stderr)
        return 1
    finally:
        reader.close()
    print(f"uid {uid}")
    print(f'staff_card_sha256 entry: "{card_hash(uid)}"')
    return 0


def cmd_devices_probe(args: argparse.Namespace) -> int:
    wanted, avoided = list(args.port), []
    scanner: dict[str, object] = {"driver": "none"}
    signal: dict[str, object] = {"driver": "none"}
    try:
        config = load_config(Path(args.config) if args.config else None)
        profile = config.profile
        scanner = _probe_scanner(config)
        signal = _probe_signal(config)
        if isinstance(profile.scanner, SerialScannerSettings):
            avoided.append(profile.scanner.port)  # a scanner is not a SAM: do not send it SAM commands
        if isinstance(profile.signal, SerialRelaySettings):
            avoided.append(profile.signal.port)  # bytes meant for a SAM could switch the relay
        if isinstance(profile.reader, SamSerialReaderSettings):
            wanted.append(profile.reader.port)
        if isinstance(profile.printer.connection, SerialConnectionSettings):
            avoided.append(profile.printer.connection.serial_port)
    except ConfigError:
        pass  # probing still works without a valid configuration
    result: dict[str, object] = {"pcsc": _probe_pcsc(), "serial": _probe_serial(wanted, avoided, args.baudrate),
                                 "scanner": scanner, "input_keyboards": _probe_input_keyboards(),
                                 "signal": signal}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    pcsc: dict[str, Any] = result["pcsc"]  # type: ignore[assignment]
    print(f"PC/SC service: {pcsc['service']}")
    for reader in pcsc["readers"]:
        card = f"card {reader['atr']}" if reader["card_present"] else "no card"
        print(f"  {reader['name']}: {card}")
    serial_ports: list[dict[str, object]] = result["serial"]  # type: ignore[assignment]
    print(f"serial ports: {len(serial_ports)}")
    for port in serial_ports:
        print(f"  {port['port']}: {'SAM answers' if port['sam'] else 'no SAM'} ({port['detail']})")
    keyboards: list[dict[str, str]] = result["input_keyboards"]  # type: ignore[assignment]
    print(f"input keyboards (a USB scanner in keyboard mode is one): {len(keyboards)}")
    for keyboard in keyboards:
        print(f"  {keyboard['path']}: {keyboard['name']!r} usb {keyboard['usb_id']}")
    if scanner["driver"] == "none":
        print("scanner: none in the profile")
    else:
        print(f"scanner: {scanner['driver']} {scanner['where']}: {scanner['status']} ({scanner['detail']})")
    if signal["driver"] == "none":
        print("call light: none in the profile")
    else:
        print(f"call light: {signal['driver']} {signal['where']}: {signal['status']} "
              f"({signal.get('reason', '')}: {signal['detail']})")
    return 0


def _probe_scanner(config: LoadedConfig) -> dict[str, object]:
    """The profile's QR/barcode scanner and its health."""
    from kiosk.composition.drivers import scanner_factory

    settings = config.profile.scanner
    return _probe_optional(config, settings.driver, settings.where, scanner_factory(settings))


def _probe_signal(config: LoadedConfig) -> dict[str, object]:
    """The profile's buzzer or light of calls for staff and its health. Nothing is switched on; closing the
    driver sends "off", as the kiosk does when it stops."""
    from kiosk.composition.drivers import signal_factory

    settings = config.profile.signal
    return _probe_optional(config, settings.driver, settings.where, signal_factory(settings))


def _probe_optional(config: LoadedConfig, driver: str, where: str, factory: Any | None) -> dict[str, object]:
    """A device the kiosk may be without: its driver, where it is, and its health."""
    if factory is None:
        return {"driver": "none"}
    found: dict[str, object] = {"driver": driver, "where": where}
    try:
        device = factory(config)
    except DeviceError as exc:
        return {**found, "status": "unavailable", "reason": exc.reason.value, "detail": exc.detail}
    try:
        health = device.health()
    finally:
        device.close()
    return {**found, "status": health.status.value, "reason": health.reason.value, "detail": health.detail}


def _probe_input_keyboards() -> list[dict[str, str]]:
    """What a `hid` scanner profile could name: path, name and usb_id of each keyboard the kernel offers."""
    try:
        from devices.scanners.hid_scanner import input_keyboards
    except ImportError:
        return []  # no python-evdev here
    return input_keyboards()


def _probe_pcsc() -> dict[str, object]:
    try:
        from devices.readers.pcsc import list_readers
    except ImportError as exc:
        return {"service": f"pyscard unavailable ({exc})", "readers": []}
    service, readers = list_readers()
    return {"service": service, "readers": readers}


def _probe_serial(wanted: list[str], avoided: list[str], baudrate: int) -> list[dict[str, object]]:
    from devices.readers.sam_serial import SamSerialReader

    printer = {os.path.realpath(p) for p in avoided}
    ports = sorted({p for pattern in SERIAL_GLOBS for p in glob.glob(pattern)} | set(wanted))
    found: list[dict[str, object]] = []
    for port in ports:
        if os.path.realpath(port) in printer:
            found.append({"port": port, "sam": False, "detail": "skipped: the profile's printer port"})
            continue
        reader = SamSerialReader(port, baudrate, command_timeout_s=PROBE_TIMEOUT_S)
        health = reader.health()
        reader.close()
        found.append({"port": port, "sam": health.usable, "detail": health.detail if health.usable
                      else f"{health.reason.value}: {health.detail}"})
    return found
