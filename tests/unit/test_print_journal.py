"""The print journal: printed stays printed, failures count attempts, receipts can be found for a reprint."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.core.health import DeviceError, Reason
from kiosk.core.slips import Cut, Slip, SlipKind, SlipOrigin, Text
from kiosk.storage.print_journal import JOURNAL_FILE, PrintJournal

RECEIPT = Slip(SlipKind.RECEIPT, (Text("x"), Cut()), SlipOrigin("disability-subsidies", "ko", "JL-1", "LOCAL-1"))
GUIDE = Slip(SlipKind.GUIDE, (Text("x"),))


def test_printed_is_durable_and_never_downgraded(tmp_path: Path) -> None:
    journal = PrintJournal.in_dir(tmp_path)
    journal.record_failed("a", RECEIPT, "paper_out")
    assert not journal.was_printed("a")
    journal.record_printed("a", RECEIPT)
    journal.record_failed("a", RECEIPT, "printer_offline")  # a late failure report must not undo it
    again = PrintJournal.in_dir(tmp_path)
    record = again.get("a")
    assert again.was_printed("a") and record is not None
    assert (record.state, record.attempts, record.reason) == ("printed", 3, "")


def test_finds_receipts_by_number_or_local_reference(tmp_path: Path) -> None:
    journal = PrintJournal.in_dir(tmp_path)
    journal.record_printed("g", GUIDE)
    journal.record_printed("r", RECEIPT, datetime(2024, 5, 20, 10, 32, tzinfo=UTC))
    journal.record_failed("r2", Slip(SlipKind.RECEIPT, (), SlipOrigin("x", application_number="JL-2")), "paper_out")
    assert [r.job_id for r in journal.receipts()] == ["r"]
    found = journal.find_receipt("LOCAL-1")
    assert found is not None and found.origin == RECEIPT.origin and journal.find_receipt("JL-1") == found
    assert journal.find_receipt("JL-2") is None and journal.find_receipt("") is None
    assert journal.next_reprint_id("r") == "r-reprint-1"
    journal.record_printed("r-reprint-1", RECEIPT)
    assert journal.next_reprint_id("r") == "r-reprint-2" and journal.next_reprint_id("r_") == "r_-reprint-1"
    assert journal.find_receipt("JL-1") == found and [r.job_id for r in journal.receipts()] == ["r"]


def test_holds_no_personal_data(tmp_path: Path) -> None:
    PrintJournal.in_dir(tmp_path).record_printed("a", RECEIPT)
    with sqlite3.connect(tmp_path / JOURNAL_FILE) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
    assert columns == {"job_id", "kind", "state", "attempts", "reason", "item_id", "language",
                       "application_number", "local_reference", "queued", "updated_at"}


def test_a_journal_that_cannot_be_written_is_a_device_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    journal = PrintJournal(tmp_path / "file" / JOURNAL_FILE)  # constructing never fails: the kiosk still starts
    with pytest.raises(DeviceError) as failure:
        journal.was_printed("a")
    assert failure.value.reason == Reason.INTERNAL_ERROR and "print journal" in failure.value.detail
