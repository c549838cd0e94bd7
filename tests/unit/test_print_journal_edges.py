"""What mutation testing found unguarded in the print journal (issue #21): job ids with LIKE wildcards, the
time and origin kept for each job, the reprint list's length, and which disk errors mean a full disk.

Each test names the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

import errno
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.health import Reason
from kiosk.core.localtime import CHINA_STANDARD_TIME
from kiosk.core.slips import Slip, SlipKind, SlipOrigin, Text
from kiosk.storage import print_journal
from kiosk.storage.print_journal import JobRecord, PrintJournal

QUEUED = Slip(SlipKind.RECEIPT, (Text("x"),), SlipOrigin("disability-subsidies", "ko", "", "LOCAL-1", queued=True))
GUIDE = Slip(SlipKind.GUIDE, (Text("x"),))
AT = datetime(2026, 11, 27, 9, 30, 5, tzinfo=CHINA_STANDARD_TIME)
WALL = AT.replace(tzinfo=None)  # how the journal gives times back: China wall-clock time


def test_reprint_numbers_count_only_this_jobs_reprints(tmp_path: Path) -> None:
    """`_` and `%` in a job id are literal characters, not LIKE wildcards matching other jobs' reprints."""
    journal = PrintJournal.in_dir(tmp_path)
    for other in ("a1b-receipt-reprint-1", "aXb%-receipt-reprint-1", "a\\b-receipt-reprint-1"):
        journal.record_printed(other, GUIDE)
    assert journal.next_reprint_id("a_b-receipt") == "a_b-receipt-reprint-1"
    assert journal.next_reprint_id("a%b-receipt") == "a%b-receipt-reprint-1"
    assert journal.next_reprint_id("aXb%-receipt") == "aXb%-receipt-reprint-2"
    assert journal.next_reprint_id("a\\b-receipt") == "a\\b-receipt-reprint-2"
    journal.record_printed("a_b-receipt-reprint-1", GUIDE)
    assert journal.next_reprint_id("a_b-receipt") == "a_b-receipt-reprint-2"


def test_a_job_keeps_the_time_and_the_origin_given(tmp_path: Path) -> None:
    journal = PrintJournal.in_dir(tmp_path)
    journal.record_printed("r", QUEUED, AT)
    journal.record_failed("f", QUEUED, "paper_out", AT + timedelta(seconds=1))
    assert journal.get("r") == JobRecord("r", SlipKind.RECEIPT, "printed", 1, "", QUEUED.origin, WALL)
    assert journal.get("f") == JobRecord("f", SlipKind.RECEIPT, "failed", 1, "paper_out", QUEUED.origin,
                                         WALL + timedelta(seconds=1))


def test_a_day_is_the_halls_day_whatever_zone_the_time_comes_in(tmp_path: Path) -> None:
    """A kiosk whose system clock runs in UTC: a slip printed at 23:30 UTC is 07:30 the next morning in the
    hall, and counts on that day, not the evening before."""
    journal = PrintJournal.in_dir(tmp_path)
    journal.record_printed("early", GUIDE, datetime(2026, 11, 26, 23, 30, tzinfo=UTC))
    journal.record_printed("evening", GUIDE, datetime(2026, 11, 27, 15, 59, tzinfo=UTC))  # 23:59 in the hall
    assert journal.printed_on(date(2026, 11, 27)).by_kind == {SlipKind.GUIDE: 2}
    assert journal.printed_on(date(2026, 11, 26)).by_kind == {}
    record = journal.get("early")
    assert record is not None and record.updated_at == datetime(2026, 11, 27, 7, 30)
    assert journal.printed_since(datetime(2026, 11, 27, 7, 0, tzinfo=CHINA_STANDARD_TIME)) == 2
    assert journal.printed_since(datetime(2026, 11, 27, 0, 0, tzinfo=UTC)) == 1  # 08:00 in the hall


def test_a_time_without_a_zone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^print journal times need a time zone$"):
        PrintJournal.in_dir(tmp_path).record_printed("r", GUIDE, datetime(2026, 11, 27, 9, 30))


def test_a_slip_without_origin_is_recorded_without_one(tmp_path: Path) -> None:
    journal = PrintJournal.in_dir(tmp_path)
    journal.record_printed("g", GUIDE, AT)
    record = journal.get("g")
    assert record is not None and record.origin is None and record.kind == SlipKind.GUIDE
    assert journal.get("never-printed") is None


def test_the_reprint_list_shows_the_newest_50(tmp_path: Path) -> None:
    journal = PrintJournal.in_dir(tmp_path)
    for n in range(51):
        journal.record_printed(f"r{n}", QUEUED, AT + timedelta(minutes=n))
    receipts = journal.receipts()
    assert len(receipts) == 50 and receipts[0].job_id == "r50" and receipts[-1].job_id == "r1"


def test_a_full_disk_is_named_as_such() -> None:
    full = print_journal._journal_error(OSError(errno.ENOSPC, "No space left on device"))
    assert full.reason == Reason.DISK_FULL
    assert full.detail == "print journal: OSError: [Errno 28] No space left on device"
    sqlite_full = print_journal._journal_error(sqlite3.OperationalError("database or disk is full"))
    assert sqlite_full.reason == Reason.DISK_FULL
    other = print_journal._journal_error(OSError(errno.EIO, "Input/output error"))
    assert other.reason == Reason.INTERNAL_ERROR
    assert print_journal._journal_error(sqlite3.OperationalError("disk I/O error")).reason == Reason.INTERNAL_ERROR


def test_a_days_counts_add_up_each_kind_and_keep_reprints_apart(tmp_path: Path) -> None:
    """The maintenance screen's 今日打印: originals by kind, reprints of every kind together, failures not."""
    journal = PrintJournal.in_dir(tmp_path)
    jobs = [("r1", QUEUED), ("r2", QUEUED), ("g1", GUIDE), ("r1-reprint-1", QUEUED), ("r1-reprint-2", QUEUED),
            ("r2-reprint-1", QUEUED), ("g1-reprint-1", GUIDE)]
    for n, (job_id, slip) in enumerate(jobs):
        journal.record_printed(job_id, slip, AT + timedelta(minutes=n))
    journal.record_failed("r3", QUEUED, "paper_out", AT)
    counts = journal.printed_on(AT.date())
    assert counts.by_kind == {SlipKind.RECEIPT: 2, SlipKind.GUIDE: 1}
    assert (counts.reprints, counts.total) == (4, 7)
    assert (counts.of(SlipKind.RECEIPT), counts.of(SlipKind.GUIDE), counts.of(SlipKind.APPOINTMENT)) == (2, 1, 0)


def test_an_unconfirmed_print_counts_as_printed_and_keeps_its_doubt(tmp_path: Path) -> None:
    """Every byte went out but the printer did not confirm: never printed again by itself, and the doubt stays
    for maintenance even when a late failure report comes."""
    journal = PrintJournal.in_dir(tmp_path)
    journal.record_uncertain("r", QUEUED, AT)
    first = journal.get("r")
    assert first is not None and first.uncertain and first.updated_at == WALL
    journal.record_failed("r", QUEUED, "printer_offline", AT + timedelta(seconds=5))
    record = journal.get("r")
    assert journal.was_printed("r") and record is not None and record.uncertain
    assert (record.state, record.reason, record.attempts, record.updated_at) == (
        "printed", print_journal.UNCERTAIN, 2, WALL + timedelta(seconds=5))
    assert [r.job_id for r in journal.receipts()] == ["r"]


def _receipt(number: str, local_reference: str = "") -> Slip:
    return Slip(SlipKind.RECEIPT, (Text("x"),), SlipOrigin("disability-subsidies", "zh", number, local_reference))


def test_staff_find_a_receipt_by_the_last_digits_a_citizen_reads_out(tmp_path: Path) -> None:
    journal = PrintJournal.in_dir(tmp_path)
    journal.record_printed("old", _receipt("220102-20261127-A7K3Q9"), AT)
    journal.record_printed("new", _receipt("220102-20261127-B2K3Q9"), AT + timedelta(minutes=1))
    journal.record_printed("queued", _receipt("", "k1-abc-3q9"), AT + timedelta(minutes=2))
    journal.record_printed("new-reprint-1", _receipt("220102-20261127-B2K3Q9"), AT + timedelta(minutes=3))
    journal.record_failed("failed", _receipt("220102-20261127-C3K3Q9"), "paper_out", AT)
    journal.record_printed("guide", GUIDE, AT)
    assert [r.job_id for r in journal.find_receipts(" k3q9 ")] == ["new", "old"]  # newest first, no reprint
    assert [r.job_id for r in journal.find_receipts("3Q9")] == []  # fewer than 4: too many would match
    assert [r.job_id for r in journal.find_receipts("-3Q9")] == ["queued"]  # a local reference, any case
    assert [r.job_id for r in journal.find_receipts("B2K3Q9")] == ["new"]
    assert [r.job_id for r in journal.find_receipts("K3Q9", limit=1)] == ["new"]
    for n in range(8):
        journal.record_printed(f"more{n}", _receipt(f"220102-20261128-{n}0K3Q9"), AT + timedelta(hours=1, minutes=n))
    assert len(journal.find_receipts("K3Q9")) == 8  # what fits the maintenance screen's list
    assert journal.find_receipts("%K3Q9") == [] and journal.find_receipts("_2K3Q9") == []  # typed, not wildcards
