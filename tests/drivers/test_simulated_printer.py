"""The simulated printer writes the real bytes and their picture, prints a job once and injects faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from devices.printers.escpos_encoder import SlipEncoder
from devices.printers.preview import decode
from devices.printers.simulated import FAULT_FILE, SimulatedPrinter
from kiosk.core.catalog import Catalog
from kiosk.core.health import DeviceError, Reason, Status
from kiosk.core.settings import KioskSettings
from kiosk.core.slips import Slip
from kiosk.storage.print_journal import PrintJournal
from tests.drivers.printer_helpers import NUMBER, profile, qr_payloads, receipt


@pytest.fixture
def slip(site_settings: KioskSettings, catalog: Catalog) -> Slip:
    return receipt(site_settings, catalog)


def test_writes_the_exact_bytes_and_a_picture_of_them(tmp_path: Path, slip: Slip) -> None:
    printer = SimulatedPrinter(tmp_path / "slips", profile(paper_width_mm=58, chars_per_line=32),
                               PrintJournal.in_dir(tmp_path / "data"))
    printer.print_slip("abc-receipt", slip)
    png = printer.printed["abc-receipt"]
    data = png.with_suffix(".bin").read_bytes()
    assert data == SlipEncoder(printer.profile).encode(slip).data
    doc = decode(data, 58)
    assert doc.problems == [] and qr_payloads(doc) == ["JLMZ:PROGRESS:" + NUMBER]
    assert Image.open(png).width == 384 + 48


def test_prints_a_job_once_even_after_a_restart(tmp_path: Path, slip: Slip) -> None:
    journal = PrintJournal.in_dir(tmp_path / "data")
    SimulatedPrinter(tmp_path / "slips", journal=journal).print_slip("job", slip)
    again = SimulatedPrinter(tmp_path / "slips", journal=PrintJournal.in_dir(tmp_path / "data"))
    again.print_slip("job", slip)
    assert again.printed == {} and len(list((tmp_path / "slips").glob("*.bin"))) == 1


def test_injected_faults(tmp_path: Path, slip: Slip) -> None:
    printer = SimulatedPrinter(tmp_path / "slips", journal=PrintJournal.in_dir(tmp_path / "data"))
    printer.inject(Reason.PAPER_OUT)
    assert printer.health().reason == Reason.PAPER_OUT
    with pytest.raises(DeviceError) as failure:
        printer.print_slip("job", slip)
    assert failure.value.reason == Reason.PAPER_OUT
    printer.inject(None)
    printer.fail_next(Reason.PRINTER_OFFLINE)
    with pytest.raises(DeviceError):
        printer.print_slip("job", slip)
    printer.print_slip("job", slip)
    assert list(printer.printed) == ["job"]
    record = printer.journal.get("job")  # type: ignore[union-attr]
    assert record is not None and (record.state, record.attempts) == ("printed", 3)


def test_fault_file_lets_an_operator_pull_the_paper(tmp_path: Path) -> None:
    printer = SimulatedPrinter(tmp_path)
    (tmp_path / FAULT_FILE).write_text("cover_open\n", encoding="utf-8")
    assert printer.health().reason == Reason.COVER_OPEN
    (tmp_path / FAULT_FILE).write_text("nonsense", encoding="utf-8")
    assert printer.health().reason == Reason.PRINTER_OFFLINE  # unreadable is a fault, never OK
    (tmp_path / FAULT_FILE).unlink()
    assert printer.health().status == Status.OK


def test_the_dict_of_printed_jobs_stays_bounded(tmp_path: Path, slip: Slip, monkeypatch: pytest.MonkeyPatch) -> None:
    from devices.printers import simulated

    monkeypatch.setattr(simulated, "RECENT_JOBS", 3)
    printer = SimulatedPrinter(tmp_path / "slips")
    for n in range(5):
        printer.print_slip(f"job-{n}", slip)
    assert list(printer.printed) == ["job-2", "job-3", "job-4"]
