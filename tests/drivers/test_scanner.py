"""The QR/barcode scanner: the serial driver through a pseudo-terminal (codes, terminators, split writes,
unplugged and plugged back with one driver object), the simulator, and `kiosk devices probe`.

The evdev driver for USB HID scanners in keyboard mode is tested in test_hid_scanner.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.scanners.serial_scanner import SerialScanner
from devices.scanners.simulated import SimulatedScanner
from kiosk.cli.main import main as kiosk_main
from kiosk.core.health import Component, DeviceError, Reason, Status
from kiosk.core.session import events as ev
from kiosk.core.slips import progress_from_code, progress_url
from tests.support.scanner_pty import PtyScanner


@pytest.fixture
def device(tmp_path: Path) -> Iterator[PtyScanner]:
    scanner = PtyScanner(tmp_path / "kiosk-scanner")
    yield scanner
    scanner.close()


@pytest.fixture
def driver(device: PtyScanner) -> Iterator[SerialScanner]:
    scanner = SerialScanner(str(device.link_path))
    yield scanner
    scanner.close()


def test_codes_with_any_terminator_and_in_pieces(device: PtyScanner, driver: SerialScanner) -> None:
    assert driver.health().status == Status.OK
    assert driver.read_code(0.2) is None
    device.scan("JLMZ:PROGRESS:JL2201022024052000123")
    device.scan("6901234567892", end=b"\r")
    device.scan("https://zwfw.jl.gov.cn/证照/abc", end=b"\n", pieces=5)
    assert driver.read_code(1.0) == "JLMZ:PROGRESS:JL2201022024052000123"
    assert driver.read_code(1.0) == "6901234567892"
    assert driver.read_code(1.0) == "https://zwfw.jl.gov.cn/证照/abc"
    assert driver.read_code(0.1) is None


def test_unplugged_and_plugged_back_with_one_driver_object(device: PtyScanner, driver: SerialScanner) -> None:
    assert driver.health().status == Status.OK  # opens the port: a code scanned before that is not kept
    device.scan("first")
    assert driver.read_code(1.0) == "first"
    device.unplug()
    health = driver.health()
    assert (health.status, health.reason) == (Status.UNAVAILABLE, Reason.NO_SCANNER)
    with pytest.raises(DeviceError) as gone:
        driver.read_code(0.5)
    assert gone.value.reason == Reason.NO_SCANNER
    device.plug()
    assert driver.health().status == Status.OK
    device.scan("after")  # the same stable name, a new device behind it
    assert driver.read_code(1.0) == "after"


def test_a_missing_scanner_is_no_scanner(tmp_path: Path) -> None:
    driver = SerialScanner(str(tmp_path / "nothing"))
    assert driver.health().reason == Reason.NO_SCANNER
    with pytest.raises(DeviceError) as missing:
        driver.read_code(0.1)
    assert missing.value.reason == Reason.NO_SCANNER


def test_simulated_scanner() -> None:
    scanner = SimulatedScanner()
    scanner.scan("code")
    assert scanner.read_code(0.1) == "code" and scanner.read_code(0.05) is None
    scanner.unplug()
    assert scanner.health().reason == Reason.NO_SCANNER
    scanner.plug()
    assert scanner.health().status == Status.OK


def test_receipt_codes_give_their_number_and_query_code_and_nothing_else_does() -> None:
    assert progress_from_code(progress_url("JL2201022024052000123")) == ("JL2201022024052000123", "")
    assert progress_from_code(progress_url("2201022026120612345678901", "04172933")) == (
        "2201022026120612345678901", "04172933"), "the receipt's code travels with its number to any kiosk"
    assert progress_from_code(" jlmz:progress:x ") is None
    others = ("6901234567892", "JLMZ:BOOKING:B1", "JLMZ:PROGRESS:", "JLMZ:PROGRESS:A;B", "JLMZ:PROGRESS:" + "1" * 51,
              "JLMZ:PROGRESS:2201022026:12ab", "JLMZ:PROGRESS:2201022026:123", "JLMZ:PROGRESS:2201022026:" + "1" * 17)
    for other in others:
        assert progress_from_code(other) is None, other


def test_probe_lists_the_scanner(kiosk_config: Path, device: PtyScanner,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (kiosk_config.parent / "devices" / "scanning.toml").write_text(
        f'inherits = "simulated"\n[scanner]\ndriver = "serial"\nport = "{device.link_path}"\n', encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "scanning"'), encoding="utf-8")
    assert kiosk_main(["devices", "probe", "--config", str(kiosk_config), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["scanner"]["driver"] == "serial" and result["scanner"]["status"] == "ok"
    assert str(device.link_path) not in [entry["port"] for entry in result["serial"] if entry["sam"]]
    device.unplug()
    assert kiosk_main(["devices", "probe", "--config", str(kiosk_config)]) == 0
    assert f"scanner: serial {device.link_path}: unavailable" in capsys.readouterr().out


def test_a_receipt_shown_to_the_scanner_opens_its_progress_query(kiosk_config: Path) -> None:
    """The citizen journey: the kiosk (composed as it runs) reads a receipt's QR code on its scanner and shows
    the application's progress; the scanner unplugged and back keeps working with the same kiosk."""
    from kiosk.composition.root import build_kiosk
    from kiosk.core.session.states import Phase, TaskStatus
    from kiosk.shell.health_monitor import HealthMonitor
    from tests.conftest import CONFIG_DIR

    (kiosk_config.parent / "devices" / "scanning.toml").write_text(
        'inherits = "simulated"\n[scanner]\ndriver = "simulated"\n', encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "scanning"'), encoding="utf-8")
    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog")
    scanner = kiosk.ports.scanner
    assert isinstance(scanner, SimulatedScanner)
    p = kiosk.ports
    monitor = HealthMonitor(kiosk.inbox.put, p.reader, p.printer, p.backend, p.speech, kiosk.config.data_dir,
                            scanner=scanner)
    try:
        monitor.check_now()
        kiosk.pump()
        health = kiosk.state.health_of(Component.SCANNER)
        assert health is not None and health.status == Status.OK
        scanner.scan(progress_url("JL2201022024052000123"))
        state = kiosk.wait_for(lambda s: s.session is not None and s.session.phase == Phase.PROGRESS_QUERY
                               and s.session.progress.status in (TaskStatus.DONE, TaskStatus.FAILED))
        assert state.session is not None and state.session.progress.status == TaskStatus.DONE
        kiosk.dispatch(ev.FinishPressed())
        scanner.unplug()
        monitor.check_now()
        kiosk.pump()
        health = kiosk.state.health_of(Component.SCANNER)
        assert health is not None and health.reason == Reason.NO_SCANNER
        scanner.plug()
        monitor.check_now()
        scanner.scan(progress_url("JL-2"))
        kiosk.wait_for(lambda s: s.session is not None and s.session.phase == Phase.PROGRESS_QUERY)
    finally:
        kiosk.close()
