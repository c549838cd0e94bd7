"""A USB QR/barcode scanner in keyboard (HID) mode, read through evdev (python-evdev).

Most scanners come set up as a keyboard. Left alone, the kernel would hand their keys to the UI as well,
typing a receipt's number into whatever field has the focus; so the driver grabs the device (EVIOCGRAB):
while it is open, its keys reach this driver only. The key events are turned into codes by the pure
`hid_keys.KeyDecoder`.

The device is found by its stable path (/dev/input/by-id/...), its USB vendor:product or part of its name,
opened lazily and dropped on any I/O error (the kernel answers ENODEV once it is unplugged); the next call
finds it again, so one driver object recovers when the scanner is plugged back, even on another port, and
`health()` says NO_SCANNER meanwhile. Codes are the citizen's data: handed on, never logged.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

import evdev

from devices.scanners.hid_keys import EV_KEY, KEY_ENTER, KeyDecoder, KeyEvent
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.settings import HidScannerSettings, LoadedConfig, settings_as
from kiosk.logs import log_event

log = logging.getLogger("kiosk.devices.scanner")


class InputEvent(Protocol):
    type: int
    code: int
    value: int

    def timestamp(self) -> float: ...


class EventDevice(Protocol):
    """What the driver needs of an evdev.InputDevice (and what the tests' fake device offers)."""

    @property
    def name(self) -> str: ...

    def fileno(self) -> int: ...

    def read(self) -> Iterable[InputEvent]:
        """The events waiting; BlockingIOError when there are none, OSError(ENODEV) once unplugged."""
        ...

    def grab(self) -> None: ...

    def ungrab(self) -> None: ...

    def active_keys(self) -> list[int]: ...

    def close(self) -> None: ...


Finder = Callable[[], EventDevice]


class HidScanner:
    def __init__(self, find: Finder, where: str, key_gap_s: float = 0.1) -> None:
        self.where = where
        self._find = find
        self._device: EventDevice | None = None
        self._decoder = KeyDecoder(key_gap_s)
        self._codes: deque[str] = deque()
        self._lock = threading.Lock()

    def health(self) -> Health:
        with self._lock:
            try:
                device = self._ensure_device()
                device.active_keys()  # an ioctl on the device: fails once it is unplugged
            except DeviceError as exc:
                return Health.problem(Component.SCANNER, exc.reason, exc.detail)
            except OSError as exc:
                self._drop_device()
                return Health.problem(Component.SCANNER, Reason.NO_SCANNER, f"{self.where}: {_why(exc)}")
            return Health.ok(Component.SCANNER, f"hid scanner {device.name!r} ({self.where}), grabbed")

    def read_code(self, timeout_s: float) -> str | None:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while not self._codes:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                device = self._ensure_device()
                try:
                    ready, _, _ = select.select([device], [], [], remaining)
                    if ready:
                        self._take(device.read())
                except BlockingIOError:
                    continue  # woken with nothing to read
                except OSError as exc:
                    self._drop_device()
                    raise DeviceError(Reason.NO_SCANNER, f"{self.where}: {_why(exc)}") from None
            return self._codes.popleft()

    def _take(self, events: Iterable[InputEvent]) -> None:
        refused = self._decoder.refused
        for event in events:
            if event.type != EV_KEY:
                continue
            code = self._decoder.feed(KeyEvent(event.code, event.value, event.timestamp()))
            if code is not None:
                self._codes.append(code)
        if self._decoder.refused > refused:  # the scanner is set up wrongly: say so, without the code
            log_event(log, "scanner_code_refused", logging.WARNING, driver="hid",
                      count=self._decoder.refused - refused)

    def close(self) -> None:
        with self._lock:
            self._drop_device()

    def _ensure_device(self) -> EventDevice:
        if self._device is None:
            device = self._find()
            try:
                device.grab()
            except OSError as exc:
                with contextlib.suppress(OSError):
                    device.close()
                taken = exc.errno == errno.EBUSY
                raise DeviceError(Reason.NO_SCANNER, f"{self.where}: " + (
                    "grabbed by another program" if taken else f"cannot grab ({_why(exc)})")) from None
            self._device = device
            self._decoder.reset()
            log_event(log, "scanner_opened", driver="hid", port_kind="evdev")
        return self._device

    def _drop_device(self) -> None:
        if self._device is not None:
            with contextlib.suppress(OSError):
                self._device.ungrab()  # an unplugged device cannot be ungrabbed: closing releases it anyway
            with contextlib.suppress(OSError):
                self._device.close()
            self._device = None
        self._decoder.reset()


def _why(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


# ---- finding the device with python-evdev ----

def is_keyboard(device: evdev.InputDevice[str]) -> bool:
    """A scanner's USB interface may bring several input devices; the one that types has an Enter key."""
    return KEY_ENTER in device.capabilities().get(EV_KEY, [])


def usb_id(device: evdev.InputDevice[str]) -> str:
    return f"{device.info.vendor:04x}:{device.info.product:04x}"


def evdev_finder(settings: HidScannerSettings) -> Finder:
    def find() -> EventDevice:
        if settings.path:
            try:
                return evdev.InputDevice(settings.path)
            except OSError as exc:
                raise DeviceError(Reason.NO_SCANNER, f"{settings.path}: cannot open ({_why(exc)})") from None
        for path in evdev.list_devices():
            try:
                device = evdev.InputDevice(path)
            except OSError:
                continue  # gone meanwhile, or not ours to read
            named = bool(settings.name_contains) and settings.name_contains in device.name
            if (named or usb_id(device) == settings.usb_id.lower()) and is_keyboard(device):
                return device
            device.close()
        raise DeviceError(Reason.NO_SCANNER, f"no input device {settings.where} (or no permission to read it)")
    return find


def input_keyboards() -> list[dict[str, str]]:
    """The keyboards the kernel offers (a scanner is one), for `kiosk devices probe`; [] without permission."""
    found = []
    for path in evdev.list_devices():
        try:
            device = evdev.InputDevice(path)
        except OSError:
            continue
        with contextlib.closing(device):
            if is_keyboard(device):
                found.append({"path": path, "name": device.name, "usb_id": usb_id(device)})
    return found


def from_config(config: LoadedConfig) -> HidScanner:
    settings = settings_as(config.profile.scanner, HidScannerSettings)
    return HidScanner(evdev_finder(settings), settings.where, settings.key_gap_ms / 1000)
