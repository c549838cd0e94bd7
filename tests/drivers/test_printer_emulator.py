"""The ESC/POS driver through a real socket: python-escpos's Network connection talks to the emulator.

Status comes from DLE EOT replies; silence is never "OK"; faults in the middle of a job fail the job, and a
retried job prints exactly once.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from escpos.printer import Network

from devices.printers.connection import FileConnection, NetworkConnection, SerialConnection
from devices.printers.emulator import EmulatedPrinter, PrinterEmulator, PtyPrinterEmulator
from devices.printers.escpos_encoder import SlipEncoder
from devices.printers.escpos_printer import EscposPrinter
from devices.printers.preview import decode
from kiosk.core.catalog import Catalog
from kiosk.core.health import DeviceError, Reason, Status
from kiosk.core.ports import PrintOutcome
from kiosk.core.settings import KioskSettings
from kiosk.core.slips import Slip
from kiosk.storage.print_journal import PrintJournal
from tests.drivers.printer_helpers import NUMBER, profile, qr_payloads, receipt

TIMEOUT = 0.3


def driver(emulator: PrinterEmulator, journal_dir: Path) -> EscposPrinter:
    host, port = emulator.address
    printer_profile = profile(status_timeout_s=TIMEOUT, connection={"kind": "network", "host": host, "port": port})
    return EscposPrinter(printer_profile, NetworkConnection(host, port), PrintJournal.in_dir(journal_dir))


@pytest.fixture
def slip(site_settings: KioskSettings, catalog: Catalog) -> Slip:
    return receipt(site_settings, catalog)


def jobs(printed: bytes) -> list[bytes]:
    """The jobs in a byte stream: each starts with ESC @."""
    return [b"\x1b@" + part for part in printed.split(b"\x1b@")[1:]]


def test_talks_through_python_escpos_network(emulator: PrinterEmulator, tmp_path: Path) -> None:
    printer = driver(emulator, tmp_path)
    assert isinstance(printer.connection, NetworkConnection)
    assert isinstance(printer.connection.printer, Network)
    assert printer.health().status == Status.OK
    assert emulator.printer.status_queries == 4 and emulator.connections == 1
    printer.close()


@pytest.mark.parametrize(("fault", "reason", "status"), [
    ("paper_out", Reason.PAPER_OUT, Status.UNAVAILABLE),
    ("cover_open", Reason.COVER_OPEN, Status.UNAVAILABLE),
    ("cutter_error", Reason.CUTTER_ERROR, Status.UNAVAILABLE),
    ("paper_near_end", Reason.PAPER_NEAR_END, Status.DEGRADED),
])
def test_status_from_dle_eot(emulator: PrinterEmulator, tmp_path: Path, fault: str, reason: Reason,
                             status: Status) -> None:
    setattr(emulator.printer, fault, True)
    health = driver(emulator, tmp_path).health()
    assert (health.reason, health.status) == (reason, status)


def test_no_status_reply_is_never_ok(emulator: PrinterEmulator, tmp_path: Path) -> None:
    emulator.printer.no_status = True
    printer = driver(emulator, tmp_path)
    started = time.monotonic()
    health = printer.health()
    assert (health.reason, health.status) == (Reason.PRINTER_NO_STATUS, Status.UNAVAILABLE)
    assert time.monotonic() - started < TIMEOUT * 3


def test_a_reply_after_the_timeout_counts_as_none(emulator: PrinterEmulator, tmp_path: Path) -> None:
    emulator.printer.status_delay_s = TIMEOUT * 2
    printer = driver(emulator, tmp_path)
    assert printer.health().reason == Reason.PRINTER_NO_STATUS
    emulator.printer.status_delay_s = 0
    time.sleep(TIMEOUT * 2)
    assert printer.health().status == Status.OK  # the late reply was thrown away, not taken for this one


def test_printer_switched_off_and_on(tmp_path: Path) -> None:
    emulator = PrinterEmulator().start()
    printer = driver(emulator, tmp_path)
    assert printer.health().status == Status.OK
    emulator.stop()
    assert printer.health().reason == Reason.PRINTER_OFFLINE
    back = PrinterEmulator(port=emulator.port).start()
    try:
        assert printer.health().status == Status.OK  # reconnects by itself
    finally:
        back.stop()


def test_prints_the_exact_bytes_once(emulator: PrinterEmulator, tmp_path: Path, slip: Slip) -> None:
    printer = driver(emulator, tmp_path)
    printer.print_slip("s1-receipt", slip)
    printer.print_slip("s1-receipt", slip)  # the session retried: nothing more comes out
    expected = SlipEncoder(printer.profile).encode(slip).data
    assert bytes(emulator.printer.printed) == expected
    doc = decode(bytes(emulator.printer.printed))
    assert doc.problems == [] and len(doc.cuts) == 1 and qr_payloads(doc) == ["JLMZ:PROGRESS:" + NUMBER]


def test_paper_out_fails_before_sending_and_the_retry_prints_once(emulator: PrinterEmulator, tmp_path: Path,
                                                                  slip: Slip) -> None:
    printer = driver(emulator, tmp_path)
    emulator.printer.paper_out = True
    with pytest.raises(DeviceError) as failure:
        printer.print_slip("job", slip)
    assert failure.value.reason == Reason.PAPER_OUT and emulator.printer.received == b""
    emulator.printer.refill()
    printer.print_slip("job", slip)
    printer.print_slip("job", slip)
    assert len(jobs(bytes(emulator.printer.printed))) == 1


def test_paper_running_out_during_the_job_fails_it(emulator: PrinterEmulator, tmp_path: Path, slip: Slip) -> None:
    printer = driver(emulator, tmp_path)
    emulator.printer.paper_out_after = 2000
    with pytest.raises(DeviceError) as failure:
        printer.print_slip("job", slip)
    assert failure.value.reason == Reason.PAPER_OUT
    assert printer.journal.get("job").state == "failed"  # type: ignore[union-attr]
    emulator.printer.refill()
    printer.print_slip("job", slip)
    printer.print_slip("job", slip)
    printed = jobs(bytes(emulator.printer.printed))
    assert len(printed) == 2 and len(printed[0]) <= 2000  # the stub of the first roll, then the whole slip
    assert printed[1] == SlipEncoder(printer.profile).encode(slip).data
    assert sum(len(decode(job).cuts) for job in printed) == 1


def test_connection_dropped_in_the_middle_of_a_job(emulator: PrinterEmulator, tmp_path: Path, slip: Slip) -> None:
    printer = driver(emulator, tmp_path)
    emulator.printer.disconnect_after = 5000
    with pytest.raises(DeviceError) as failure:
        printer.print_slip("job", slip)
    assert failure.value.reason == Reason.PRINTER_OFFLINE
    assert len(emulator.printer.received) < 5000
    printer.print_slip("job", slip)  # reconnects and prints the whole slip
    printer.print_slip("job", slip)
    printed = jobs(bytes(emulator.printer.printed))
    assert printed[-1] == SlipEncoder(printer.profile).encode(slip).data
    assert sum(len(decode(job).cuts) for job in printed) == 1 and emulator.connections == 2


def test_silent_printer_gets_no_job(emulator: PrinterEmulator, tmp_path: Path, slip: Slip) -> None:
    emulator.printer.no_status = True
    with pytest.raises(DeviceError) as failure:
        driver(emulator, tmp_path).print_slip("job", slip)
    assert failure.value.reason == Reason.PRINTER_NO_STATUS and emulator.printer.received == b""


def test_a_printed_job_stays_printed_after_a_restart(emulator: PrinterEmulator, tmp_path: Path,
                                                     slip: Slip) -> None:
    first = driver(emulator, tmp_path)
    first.print_slip("job", slip)
    first.close()
    again = driver(emulator, tmp_path)  # the kiosk restarted; the journal is on disk
    again.print_slip("job", slip)
    assert len(jobs(bytes(emulator.printer.printed))) == 1


def test_serial_printer_through_a_pty(tmp_path: Path, slip: Slip) -> None:
    with PtyPrinterEmulator(EmulatedPrinter()) as pty:
        printer_profile = profile(status_timeout_s=TIMEOUT,
                                  connection={"kind": "serial", "serial_port": pty.path, "baudrate": 115200})
        printer = EscposPrinter(printer_profile, SerialConnection(pty.path, 115200), PrintJournal.in_dir(tmp_path))
        assert printer.health().status == Status.OK
        pty.printer.paper_near_end = True
        assert printer.health().reason == Reason.PAPER_NEAR_END
        printer.print_slip("job", slip)
        deadline = time.monotonic() + 5
        expected = SlipEncoder(printer_profile).encode(slip).data
        while bytes(pty.printer.printed) != expected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert bytes(pty.printer.printed) == expected
        printer.close()


def test_file_printer_writes_bytes_and_cannot_report_status(tmp_path: Path, slip: Slip) -> None:
    target = tmp_path / "lp0"
    printer_profile = profile(connection={"kind": "file", "path": str(target)})
    printer = EscposPrinter(printer_profile, FileConnection(str(target)), PrintJournal.in_dir(tmp_path))
    health = printer.health()
    assert health.status == Status.UNKNOWN and not health.usable
    printer.print_slip("job", slip)
    printer.print_slip("job", slip)
    printer.close()
    assert target.read_bytes() == SlipEncoder(printer_profile).encode(slip).data


@pytest.mark.parametrize("connection", [
    {"kind": "usb", "usb_vendor_id": 0x0483, "usb_product_id": 0x5743},
    {"kind": "serial", "serial_port": "/dev/kiosk-no-such-printer"},
    {"kind": "file", "path": "/nonexistent-dir/lp0"},
])
def test_a_missing_printer_is_offline_with_a_one_line_reason(tmp_path: Path, slip: Slip,
                                                             connection: dict[str, object]) -> None:
    from devices.printers.connection import connection_for

    printer_profile = profile(connection=connection)
    printer = EscposPrinter(printer_profile, connection_for(printer_profile.connection), PrintJournal.in_dir(tmp_path))
    health = printer.health()
    assert health.reason == Reason.PRINTER_OFFLINE and "\n" not in health.detail
    with pytest.raises(DeviceError) as failure:
        printer.print_slip("job", slip)
    assert failure.value.reason == Reason.PRINTER_OFFLINE
    assert printer.journal.get("job").state == "failed"  # type: ignore[union-attr]


def test_link_dropped_right_after_the_cut_is_uncertain_and_never_printed_twice(
        emulator: PrinterEmulator, tmp_path: Path, slip: Slip) -> None:
    printer = driver(emulator, tmp_path)
    emulator.printer.disconnect_after_cut = True
    assert printer.print_slip("job", slip) == PrintOutcome.UNCERTAIN
    record = printer.journal.get("job")
    assert record is not None and record.uncertain and record.state == "printed"
    assert printer.print_slip("job", slip) == PrintOutcome.UNCERTAIN  # the session retried: nothing comes out
    printed = jobs(bytes(emulator.printer.printed))
    assert len(printed) == 1 and printed[0] == SlipEncoder(printer.profile).encode(slip).data
    assert printer.health().status == Status.OK  # the link is made again for the next job
    assert printer.print_slip("next", slip) == PrintOutcome.DONE


def test_a_process_id_response_confirms_the_job(emulator: PrinterEmulator, tmp_path: Path, slip: Slip) -> None:
    host, port = emulator.address
    acked = profile(status_timeout_s=TIMEOUT, completion_ack="process_id",
                    connection={"kind": "network", "host": host, "port": port})
    printer = EscposPrinter(acked, NetworkConnection(host, port), PrintJournal.in_dir(tmp_path))
    assert printer.print_slip("job", slip) == PrintOutcome.DONE
    assert emulator.printer.process_ids == [b"0001"]
    assert emulator.printer.status_queries == 4  # asked before the job only: the response confirmed it
    emulator.printer.disconnect_after_cut = True  # the response is lost with the link
    assert printer.print_slip("job2", slip) == PrintOutcome.UNCERTAIN
    assert len(jobs(bytes(emulator.printer.printed))) == 2


def test_late_replies_never_answer_a_later_question(emulator: PrinterEmulator, tmp_path: Path) -> None:
    printer = driver(emulator, tmp_path)
    emulator.printer.paper_out = True
    emulator.printer.status_delay_s = TIMEOUT * 1.5  # every reply comes after the timeout
    for _ in range(3):
        assert printer.health().reason == Reason.PRINTER_NO_STATUS  # never a late byte read as cutter_error
    emulator.printer.status_delay_s = 0
    assert printer.health().reason == Reason.PAPER_OUT  # the stream is in step again
    emulator.printer.refill()
    assert printer.health().status == Status.OK


def test_a_late_ok_does_not_let_a_job_through(emulator: PrinterEmulator, tmp_path: Path, slip: Slip) -> None:
    printer = driver(emulator, tmp_path)
    emulator.printer.status_delay_s = TIMEOUT * 1.5
    for _ in range(2):
        with pytest.raises(DeviceError) as failure:
            printer.print_slip("job", slip)
        assert failure.value.reason == Reason.PRINTER_NO_STATUS
    assert emulator.printer.received == b""  # no answer to the question asked: nothing printed
    emulator.printer.status_delay_s = 0
    assert printer.print_slip("job", slip) == PrintOutcome.DONE
    assert len(jobs(bytes(emulator.printer.printed))) == 1


def test_a_printer_without_a_status_channel_prints_with_the_risk_stated(emulator: PrinterEmulator,
                                                                        tmp_path: Path, slip: Slip) -> None:
    host, port = emulator.address
    blind = profile(status="none", connection={"kind": "network", "host": host, "port": port})
    printer = EscposPrinter(blind, NetworkConnection(host, port), PrintJournal.in_dir(tmp_path))
    emulator.printer.no_status = True
    health = printer.health()
    assert health.status == Status.OK and "paper out, cover open and jams cannot be seen" in health.detail
    assert printer.print_slip("job", slip) == PrintOutcome.DONE
    assert bytes(emulator.printer.printed) == SlipEncoder(blind).encode(slip).data
    assert emulator.printer.status_queries == 0
    emulator.stop()
    assert printer.health().reason == Reason.PRINTER_OFFLINE  # switched off is still seen


def test_user_defined_characters_through_the_emulator(emulator: PrinterEmulator, tmp_path: Path,
                                                      site_settings: KioskSettings, catalog: Catalog) -> None:
    host, port = emulator.address
    korean = profile(status_timeout_s=TIMEOUT, user_defined_glyphs=True,
                     connection={"kind": "network", "host": host, "port": port})
    printer = EscposPrinter(korean, NetworkConnection(host, port), PrintJournal.in_dir(tmp_path))
    slip = receipt(site_settings, catalog, language="ko")
    assert printer.print_slip("ko", slip) == PrintOutcome.DONE
    assert bytes(emulator.printer.printed) == SlipEncoder(korean).encode(slip).data
    assert decode(bytes(emulator.printer.printed)).problems == []


def test_a_korean_receipt_in_the_printers_own_font_through_the_emulator(
        emulator: PrinterEmulator, tmp_path: Path, site_settings: KioskSettings, catalog: Catalog) -> None:
    host, port = emulator.address
    korean = profile(status_timeout_s=TIMEOUT, user_defined_glyphs=True, encoding="EUC-KR", font_charset="KSX1001",
                     connection={"kind": "network", "host": host, "port": port})
    printer = EscposPrinter(korean, NetworkConnection(host, port), PrintJournal.in_dir(tmp_path))
    slip = receipt(site_settings, catalog, language="ko")
    assert printer.print_slip("ko-font", slip) == PrintOutcome.DONE
    printed = bytes(emulator.printer.printed)
    doc = decode(printed, encoding="EUC-KR")
    assert doc.problems == [] and doc.rasters[0].image.height > 90 and len(doc.rasters) == 1  # the QR code only
    assert "접수" in doc.text and "신청" in doc.text and NUMBER in doc.text
    assert len(printed) <= 15 * 1024  # the drawn receipt is about 30 KB, as image lines about 95 KB
    assert qr_payloads(doc) == ["JLMZ:PROGRESS:" + NUMBER]
