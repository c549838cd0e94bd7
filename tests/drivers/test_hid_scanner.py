"""The USB HID (keyboard-mode) scanner: key events -> codes, the reading loop across an unplug, and the real
kernel path through a uinput virtual keyboard.

This build machine is a container without /dev/uinput or /dev/input, so the uinput test skips here (and in
CI); the decoder tests carry the logic, and the reading loop is tested with a fake device that behaves as
python-evdev's InputDevice does (readable file descriptor, BlockingIOError when empty, ENODEV once gone).
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.scanners import hid_keys
from devices.scanners.hid_keys import KeyDecoder, KeyEvent
from devices.scanners.hid_scanner import EventDevice, HidScanner, evdev_finder
from kiosk.cli.main import main as kiosk_main
from kiosk.core.health import DeviceError, Reason, Status
from kiosk.core.settings import HidScannerSettings
from kiosk.core.slips import progress_url

# ---- key events as a scanner sends them ----

# What `evtest` printed for a scan of "Ab1:" (Shift held for A and :), trimmed to the key lines: time,
# key code, value. Between key lines the kernel also sends EV_MSC scan codes and SYN_REPORTs, which the
# decoder never sees (the driver passes EV_KEY events only).
SCAN_OF_AB1_COLON = """
Event: time 1716172320.101200, type 1 (EV_KEY), code 42 (KEY_LEFTSHIFT), value 1
Event: time 1716172320.101210, type 1 (EV_KEY), code 30 (KEY_A), value 1
Event: time 1716172320.102190, type 1 (EV_KEY), code 30 (KEY_A), value 0
Event: time 1716172320.102200, type 1 (EV_KEY), code 42 (KEY_LEFTSHIFT), value 0
Event: time 1716172320.103190, type 1 (EV_KEY), code 48 (KEY_B), value 1
Event: time 1716172320.104180, type 1 (EV_KEY), code 48 (KEY_B), value 0
Event: time 1716172320.105190, type 1 (EV_KEY), code 2 (KEY_1), value 1
Event: time 1716172320.106190, type 1 (EV_KEY), code 2 (KEY_1), value 0
Event: time 1716172320.107180, type 1 (EV_KEY), code 54 (KEY_RIGHTSHIFT), value 1
Event: time 1716172320.107190, type 1 (EV_KEY), code 39 (KEY_SEMICOLON), value 1
Event: time 1716172320.108190, type 1 (EV_KEY), code 39 (KEY_SEMICOLON), value 0
Event: time 1716172320.108200, type 1 (EV_KEY), code 54 (KEY_RIGHTSHIFT), value 0
Event: time 1716172320.109190, type 1 (EV_KEY), code 28 (KEY_ENTER), value 1
Event: time 1716172320.110190, type 1 (EV_KEY), code 28 (KEY_ENTER), value 0
"""


def evtest_lines(text: str) -> list[KeyEvent]:
    events = []
    for line in text.strip().splitlines():
        stamp = float(line.split("time ")[1].split(",")[0])
        code = int(line.split("code ")[1].split(" ")[0])
        value = int(line.rsplit("value ", 1)[1])
        events.append(KeyEvent(code, value, stamp))
    return events


CODE_OF = {plain: (code, False) for code, (plain, _) in hid_keys.US_KEYS.items() if code < 55 or code == 57}
CODE_OF |= {shifted: (code, True) for code, (plain, shifted) in hid_keys.US_KEYS.items()
            if shifted != plain and code < 55}


def typed(text: str, start: float = 100.0, step: float = 0.002, enter: bool = True) -> list[KeyEvent]:
    """The events a scanner sends typing `text` (and Enter), one key every `step` seconds."""
    events, now = [], start
    for ch in text:
        code, shift = CODE_OF[ch]
        if shift:
            events.append(KeyEvent(hid_keys.KEY_LEFTSHIFT, 1, now))
        events += [KeyEvent(code, 1, now), KeyEvent(code, 0, now + step / 2)]
        if shift:
            events.append(KeyEvent(hid_keys.KEY_LEFTSHIFT, 0, now + step / 2))
        now += step
    if enter:
        events += [KeyEvent(hid_keys.KEY_ENTER, 1, now), KeyEvent(hid_keys.KEY_ENTER, 0, now + step / 2)]
    return events


def decode_all(decoder: KeyDecoder, events: list[KeyEvent]) -> list[str]:
    return [code for event in events if (code := decoder.feed(event)) is not None]


def test_the_key_codes_are_linuxs() -> None:
    ecodes = pytest.importorskip("evdev").ecodes
    names = {2: "KEY_1", 13: "KEY_EQUAL", 16: "KEY_Q", 27: "KEY_RIGHTBRACE", 30: "KEY_A", 41: "KEY_GRAVE",
             43: "KEY_BACKSLASH", 53: "KEY_SLASH", 57: "KEY_SPACE", 55: "KEY_KPASTERISK", 71: "KEY_KP7",
             83: "KEY_KPDOT", 98: "KEY_KPSLASH"}
    for code, name in names.items():
        assert ecodes.ecodes[name] == code, name
    assert (hid_keys.KEY_ENTER, hid_keys.KEY_KPENTER) == (ecodes.KEY_ENTER, ecodes.KEY_KPENTER)
    assert (hid_keys.KEY_LEFTSHIFT, hid_keys.KEY_RIGHTSHIFT) == (ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT)
    assert (hid_keys.KEY_CAPSLOCK, hid_keys.KEY_NUMLOCK) == (ecodes.KEY_CAPSLOCK, ecodes.KEY_NUMLOCK)
    assert hid_keys.EV_KEY == ecodes.EV_KEY
    for code, (plain, _) in hid_keys.US_KEYS.items():  # every letter sits on the key of its name
        if plain.isalpha():
            assert ecodes.ecodes[f"KEY_{plain.upper()}"] == code


def test_a_recorded_scan() -> None:
    assert decode_all(KeyDecoder(0.1), evtest_lines(SCAN_OF_AB1_COLON)) == ["Ab1:"]


def test_a_receipts_qr_code_and_every_printable_ascii_character() -> None:
    decoder = KeyDecoder(0.1)
    receipt = progress_url("2201022026120612345678901", "04172933")
    ascii_printable = "".join(chr(c) for c in range(0x20, 0x7F))
    assert decode_all(decoder, typed(receipt) + typed(ascii_printable, start=200)) == [receipt, ascii_printable]


def test_caps_lock_inverts_letters_only() -> None:
    caps = [KeyEvent(hid_keys.KEY_CAPSLOCK, 1, 99.0), KeyEvent(hid_keys.KEY_CAPSLOCK, 0, 99.001)]
    assert decode_all(KeyDecoder(0.1), caps + typed("aB1!")) == ["Ab1!"]


def test_a_code_cut_off_by_a_pause_is_thrown_away_and_the_next_one_read() -> None:
    decoder = KeyDecoder(0.1)
    cut = typed("JLMZ:PROGRESS:22010", enter=False)
    events = cut + typed("6901234567892", start=cut[-1].time + 0.5)
    assert decode_all(decoder, events) == ["6901234567892"]  # never "JLMZ:PROGRESS:220106901234567892"
    assert decoder.broken == 1
    slow = typed("12345", step=0.05)  # a slow scanner within its gap is one code
    assert decode_all(decoder, slow) == ["12345"]


def test_a_key_no_code_holds_refuses_the_whole_code() -> None:
    decoder = KeyDecoder(0.1)
    ctrl = [KeyEvent(29, 1, 100.003), KeyEvent(29, 0, 100.0035)]  # KEY_LEFTCTRL, as a scanner prefix sends it
    events = typed("ab", enter=False) + ctrl + typed("c", start=100.004)
    f1 = [KeyEvent(59, 1, 200.0), KeyEvent(59, 0, 200.001)]  # KEY_F1
    assert decode_all(decoder, events + f1 + typed("x", start=200.002) + typed("next", start=300)) == ["next"]
    assert decoder.refused == 2 and decoder.broken == 0


def test_enter_alone_auto_repeat_and_a_stuck_key() -> None:
    decoder = KeyDecoder(0.1)
    assert decode_all(decoder, typed("")) == []
    repeat = [KeyEvent(30, 1, 1.0), KeyEvent(30, 2, 1.001), KeyEvent(30, 2, 1.002), KeyEvent(30, 0, 1.003),
              KeyEvent(hid_keys.KEY_ENTER, 1, 1.004)]
    assert decode_all(decoder, repeat) == ["a"]
    stuck = [KeyEvent(30, 1, 2.0 + n * 0.001) for n in range(hid_keys.MAX_CODE + 1)]
    assert decode_all(decoder, [*stuck, KeyEvent(hid_keys.KEY_ENTER, 1, stuck[-1].time + 0.001)]) == []
    assert decoder.refused == 1 and decoder.broken == 0


# ---- the reading loop, with a fake device ----

@dataclass
class FakeEvent:
    type: int
    code: int
    value: int
    at: float

    def timestamp(self) -> float:
        return self.at


class FakeDevice:
    """Behaves as evdev.InputDevice does: its fd is readable while events wait (a pipe here), read() raises
    BlockingIOError when there are none, and OSError(ENODEV) once the device is unplugged."""

    def __init__(self, name: str = "Fake Barcode Scanner") -> None:
        self.name = name
        self._read_end, self._write_end = os.pipe()
        os.set_blocking(self._read_end, False)
        self.waiting: list[FakeEvent] = []
        self.grabbed = self.closed = self.unplugged = False

    def scan(self, text: str, start: float | None = None, enter: bool = True) -> None:
        for key in typed(text, start=time.time() if start is None else start, enter=enter):
            self.waiting += [FakeEvent(4, 4, 0x70004, key.time),  # EV_MSC MSC_SCAN: not a key, skipped
                             FakeEvent(hid_keys.EV_KEY, key.code, key.value, key.time),
                             FakeEvent(0, 0, 0, key.time)]  # SYN_REPORT
        os.write(self._write_end, b"!")

    def unplug(self) -> None:
        self.unplugged = True
        os.write(self._write_end, b"!")  # the kernel wakes a reader of a vanished device

    def fileno(self) -> int:
        return self._read_end

    def read(self) -> Iterator[FakeEvent]:
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        try:
            os.read(self._read_end, 4096)
        except BlockingIOError:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable") from None
        events, self.waiting = self.waiting, []
        return iter(events)

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def active_keys(self) -> list[int]:
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        return []

    def close(self) -> None:
        self.closed = True
        for fd in (self._read_end, self._write_end):
            with contextlib.suppress(OSError):
                os.close(fd)


class Port:
    """Where the fake scanner is plugged: the finder the driver is given."""

    def __init__(self) -> None:
        self.device: FakeDevice | None = FakeDevice()
        self.finds = 0

    def find(self) -> EventDevice:
        self.finds += 1
        if self.device is None or self.device.unplugged:
            raise DeviceError(Reason.NO_SCANNER, "no input device named *Barcode*")
        return self.device


def test_codes_are_read_from_a_grabbed_device_and_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    port = Port()
    scanner = HidScanner(port.find, "named *Barcode*")
    device = port.device
    assert device is not None
    with caplog.at_level(logging.DEBUG, logger="kiosk"):
        assert scanner.health().status == Status.OK and device.grabbed
        assert scanner.read_code(0.05) is None
        device.scan("JLMZ:PROGRESS:JL2201022024052000123")
        device.scan("6901234567892")  # two codes in one read: neither is lost
        assert scanner.read_code(1.0) == "JLMZ:PROGRESS:JL2201022024052000123"
        assert scanner.read_code(1.0) == "6901234567892"
        assert scanner.read_code(0.05) is None
    assert "JL2201022024052000123" not in caplog.text and "6901234567892" not in caplog.text
    scanner.close()
    assert device.closed and not device.grabbed  # ungrabbed: the keys are the system's again


def test_unplugged_and_plugged_back_with_one_driver_object() -> None:
    port = Port()
    scanner = HidScanner(port.find, "named *Barcode*")
    first = port.device
    assert first is not None
    first.scan("before")
    assert scanner.read_code(1.0) == "before"
    half_at = time.time()
    first.scan("JLMZ:PRO", start=half_at, enter=False)  # half a code, then the cable is pulled
    assert scanner.read_code(0.1) is None
    first.unplug()
    with pytest.raises(DeviceError) as gone:
        scanner.read_code(1.0)
    assert gone.value.reason == Reason.NO_SCANNER and "ENODEV" in gone.value.detail and first.closed
    health = scanner.health()
    assert (health.status, health.reason) == (Status.UNAVAILABLE, Reason.NO_SCANNER)
    with pytest.raises(DeviceError):
        scanner.read_code(0.05)
    port.device = second = FakeDevice()  # plugged back: a new input device
    assert scanner.health().status == Status.OK and second.grabbed
    second.scan("after", start=half_at + 0.02)  # at once: no pause would have cut the half code off
    assert scanner.read_code(1.0) == "after"  # nothing of the half code before the unplug
    scanner.close()


def test_unplugged_while_idle_is_seen_by_health() -> None:
    port = Port()
    scanner = HidScanner(port.find, "named *Barcode*")
    assert scanner.health().status == Status.OK
    assert port.device is not None
    port.device.unplug()
    assert scanner.health().reason == Reason.NO_SCANNER


def test_a_scanner_another_program_grabbed_is_said_so() -> None:
    class Taken(FakeDevice):
        def grab(self) -> None:
            raise OSError(errno.EBUSY, "Device or resource busy")

    port = Port()
    port.device = taken = Taken()
    health = HidScanner(port.find, "usb 0c2e:0b61").health()
    assert health.reason == Reason.NO_SCANNER and "grabbed by another program" in health.detail and taken.closed


def test_a_missing_device_path_is_no_scanner(tmp_path: Path) -> None:
    pytest.importorskip("evdev")
    settings = HidScannerSettings(driver="hid", path=str(tmp_path / "by-id" / "usb-Scanner-event-kbd"))
    scanner = HidScanner(evdev_finder(settings), settings.where)
    health = scanner.health()
    assert health.reason == Reason.NO_SCANNER and "ENOENT" in health.detail
    settings = HidScannerSettings(driver="hid", usb_id="0C2E:0B61")
    assert "usb 0c2e:0b61" in HidScanner(evdev_finder(settings), settings.where).health().detail


def test_a_hid_scanner_is_found_one_way() -> None:
    for given in ({}, {"path": "/dev/input/event3", "name_contains": "Scanner"}):
        with pytest.raises(ValueError, match="exactly one of path, usb_id or name_contains"):
            HidScannerSettings.model_validate({"driver": "hid", **given})
    with pytest.raises(ValueError, match="usb_id"):
        HidScannerSettings.model_validate({"driver": "hid", "usb_id": "0c2e-0b61"})


def test_probe_lists_the_hid_scanner(kiosk_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("evdev")
    (kiosk_config.parent / "devices" / "scanning.toml").write_text(
        'inherits = "simulated"\n[scanner]\ndriver = "hid"\nname_contains = "Barcode"\n', encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "scanning"'), encoding="utf-8")
    assert kiosk_main(["devices", "probe", "--config", str(kiosk_config), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["scanner"]["driver"] == "hid" and result["scanner"]["where"] == "named *Barcode*"
    if not os.path.exists("/dev/input"):  # this container: no input devices at all
        assert result["scanner"]["reason"] == "no_scanner"
    assert isinstance(result["input_keyboards"], list)


# ---- the real kernel path: a uinput virtual keyboard ----

@pytest.fixture
def uinput_scanner() -> Iterator[object]:
    if not os.path.exists("/dev/uinput"):
        pytest.skip("no /dev/uinput here (a container): the kernel path cannot be tried; the decoder tests and the "
                    "fake device carry the logic")
    evdev = pytest.importorskip("evdev")
    keys = sorted({*hid_keys.US_KEYS, *hid_keys.SHIFTS, *hid_keys.ENTERS})
    try:
        device = evdev.UInput({evdev.ecodes.EV_KEY: keys}, name="Kiosk Test Barcode Scanner", vendor=0x0c2e,
                              product=0x0b61)
    except (OSError, evdev.UInputError) as exc:
        pytest.skip(f"/dev/uinput is there but cannot be used here: {exc}")
    time.sleep(0.3)  # udev creates the event node
    yield device
    device.close()


def uinput_type(device: object, text: str) -> None:
    from evdev import ecodes

    for key in typed(text):
        device.write(ecodes.EV_KEY, key.code, key.value)  # type: ignore[attr-defined]
        device.syn()  # type: ignore[attr-defined]


def test_through_a_uinput_keyboard_grabbed_and_replugged(uinput_scanner: object) -> None:
    import evdev

    settings = HidScannerSettings(driver="hid", name_contains="Kiosk Test Barcode Scanner")
    scanner = HidScanner(evdev_finder(settings), settings.where)
    assert scanner.health().status == Status.OK
    path = uinput_scanner.device.path  # type: ignore[attr-defined]
    other = evdev.InputDevice(path)
    with pytest.raises(OSError) as busy:  # grabbed: no one else (the UI) gets its keys
        other.grab()
    assert busy.value.errno == errno.EBUSY
    other.close()
    uinput_type(uinput_scanner, "JLMZ:PROGRESS:JL2201022024052000123")
    assert scanner.read_code(2.0) == "JLMZ:PROGRESS:JL2201022024052000123"
    uinput_scanner.close()  # type: ignore[attr-defined]
    with pytest.raises(DeviceError):
        scanner.read_code(1.0)
    assert scanner.health().reason == Reason.NO_SCANNER
    keys = sorted({*hid_keys.US_KEYS, *hid_keys.SHIFTS, *hid_keys.ENTERS})
    again = evdev.UInput({evdev.ecodes.EV_KEY: keys}, name="Kiosk Test Barcode Scanner")
    try:
        time.sleep(0.3)
        assert scanner.health().status == Status.OK
        uinput_type(again, "after")
        assert scanner.read_code(2.0) == "after"
    finally:
        scanner.close()
        again.close()
