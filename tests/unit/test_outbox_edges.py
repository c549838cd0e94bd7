"""What mutation testing found unguarded in the outbox (issue #21): every field of an entry read back as
written, the counts staff see in `kiosk outbox status`, the owner-only files of a fresh outbox, the blind
index that must stay the same across releases, the sender's batch limit, and sharing one outbox between the
screen's thread and the sender's.

Each test names the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.contract import crypto
from kiosk.remote.outbox import Entry, EntryState, Outbox, OutboxStats

ID_NUMBER = "220102199003071234"
PAYLOAD = b'{"item": "marriage-registration"}'
T0 = 1_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(tmp_path: Path, clock: Clock) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3", crypto.new_data_key("national"), "national", clock)
    yield box
    box.close()


def stored(outbox: Outbox, column: str) -> list[object]:
    """One column of every row, read from the file by a connection of its own, as an auditor would."""
    with sqlite3.connect(outbox.path) as db:
        return [row[0] for row in db.execute(f"SELECT {column} FROM entries ORDER BY id")]


def test_an_entry_reads_back_every_field_as_written(outbox: Outbox, clock: Clock) -> None:
    entry = outbox.enqueue("rating", "s1:rate", "JL-1-AAAA", "divorce-registration", PAYLOAD, due_in_s=4)
    assert entry.entry_id == 1  # the row number `kiosk outbox status` shows staff
    assert entry == Entry(1, "rating", "s1:rate", "JL-1-AAAA", "divorce-registration",
                          EntryState.PENDING, 0, T0, T0 + 4, None, None, None, "")
    clock.now += 10
    outbox.mark_delivered("s1:rate", "R-17", "accepted")
    assert outbox.get("s1:rate") == Entry(1, "rating", "s1:rate", "JL-1-AAAA", "divorce-registration",
                                          EntryState.DELIVERED, 1, T0, T0 + 4, T0 + 10, "R-17", "accepted", "")


def test_an_entry_without_a_person_stores_no_blind_index(outbox: Outbox) -> None:
    """An entry that names nobody (a rating) must not be found under any ID number, not even an empty one."""
    outbox.enqueue("rating", "s1:rate", "JL-1-AAAA", "item", PAYLOAD)
    outbox.enqueue("application", "s2:apply", "JL-1-BBBB", "item", PAYLOAD, ID_NUMBER)
    assert stored(outbox, "person_index")[0] is None
    assert outbox.for_person("") == []
    assert [e.idempotency_key for e in outbox.for_person(ID_NUMBER)] == ["s2:apply"]


@pytest.mark.parametrize(("profile", "key", "index"), [
    ("national", bytes(range(16)), "6fa4197a1bcd27ed700eda14b1cd69d7b51e2d7fe4bd10cb360920fc63cc0821"),
    ("international", bytes(range(32)), "02e4859312ebb9ab79a688bc75bc2994abdbd00efa04c09117fed0e2f5711ba6"),
])
def test_the_blind_index_of_an_id_number_stays_the_same_across_releases(
        tmp_path: Path, profile: crypto.Profile, key: bytes, index: str) -> None:
    """Entries written before an upgrade must still be found for their applicant after it: the index is a
    MAC under a subkey derived for this one purpose, never under the data key itself."""
    box = Outbox(tmp_path / "o.sqlite3", key, profile)
    assert box.person_index(ID_NUMBER).hex() == index
    assert box.person_index(ID_NUMBER) != crypto.mac(profile, key, ID_NUMBER.encode())
    box.close()


def test_a_fresh_outbox_is_owner_only_even_in_folders_not_yet_made(tmp_path: Path, clock: Clock) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "var" / "kiosk" / "outbox.sqlite3"
        box = Outbox(path, crypto.new_data_key("national"), "national", clock)
        box.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD, ID_NUMBER)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    box.close()


def test_a_writer_waits_for_another_process_holding_the_lock(outbox: Outbox) -> None:
    """`kiosk outbox flush` in another process may hold the write lock while it records a batch: the kiosk's
    enqueue waits for it (up to 30 s) instead of losing the citizen's application."""
    other = sqlite3.connect(outbox.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, other.execute, ("COMMIT",))
    release.start()
    entry = outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD)
    release.join()
    other.close()
    assert outbox.payload(entry) == PAYLOAD
    assert outbox._db.execute("PRAGMA busy_timeout").fetchone()[0] >= 30_000  # and up to 30 s, not the default 5


def test_the_sender_thread_and_the_screen_share_one_outbox(outbox: Outbox) -> None:
    outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD)
    seen: list[object] = []

    def sender() -> None:
        try:
            (entry,) = outbox.due()
            seen.append(outbox.payload(entry))
            outbox.mark_delivered(entry.idempotency_key, "N1", "received")
        except Exception as exc:  # reported by the assertion below
            seen.append(exc)

    thread = threading.Thread(target=sender)
    thread.start()
    thread.join()
    assert seen == [PAYLOAD]
    delivered = outbox.get("s1:apply")
    assert delivered is not None and delivered.remote_number == "N1"


def test_an_entry_is_due_at_once_unless_held_back(outbox: Outbox, clock: Clock) -> None:
    outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD)
    assert [e.idempotency_key for e in outbox.due()] == ["s1:apply"]
    outbox.enqueue("application", "s2:apply", "JL-1-BBBB", "item", PAYLOAD, due_in_s=30)
    assert [e.idempotency_key for e in outbox.due(now=clock.now + 30)] == ["s1:apply", "s2:apply"]


def test_the_sender_takes_at_most_50_at_a_time_oldest_first(outbox: Outbox) -> None:
    for n in range(51):
        outbox.enqueue("application", f"s{n}:apply", f"JL-1-{n:04d}", "item", PAYLOAD)
    due = outbox.due()
    assert [e.idempotency_key for e in due] == [f"s{n}:apply" for n in range(50)]
    assert [e.idempotency_key for e in outbox.due(limit=2)] == ["s0:apply", "s1:apply"]


def test_an_empty_outbox_has_nothing_due_and_nothing_to_show(outbox: Outbox) -> None:
    assert outbox.next_due_at() is None
    assert outbox.by_reference("JL-1-NONE") is None and outbox.get("s1:apply") is None
    assert outbox.stats() == OutboxStats(0, 0, 0, None, ())


def test_stats_count_each_state_and_the_oldest_waiting(outbox: Outbox, clock: Clock) -> None:
    outbox.enqueue("application", "s1:apply", "JL-1-0001", "item", PAYLOAD)
    clock.now += 60
    outbox.enqueue("application", "s2:apply", "JL-1-0002", "item", PAYLOAD)
    outbox.enqueue("application", "s3:apply", "JL-1-0003", "item", PAYLOAD)
    outbox.enqueue("application", "s4:apply", "JL-1-0004", "item", PAYLOAD)
    outbox.mark_delivered("s1:apply", "N1", "received")
    outbox.mark_rejected("s2:apply", "validation_failed")
    outbox.mark_retry("s3:apply", "backend_unreachable", clock.now + 60)
    outbox.mark_retry("s4:apply", "backend_unreachable", clock.now + 60)
    assert outbox.stats() == OutboxStats(2, 1, 1, T0 + 60, (("backend_unreachable", 2), ("validation_failed", 1)))


def test_a_runaway_error_text_is_cut_to_80_characters(outbox: Outbox) -> None:
    outbox.enqueue("application", "s1:apply", "JL-1-0001", "item", PAYLOAD)
    outbox.enqueue("application", "s2:apply", "JL-1-0002", "item", PAYLOAD)
    outbox.mark_retry("s1:apply", "x" * 200, T0)
    outbox.mark_rejected("s2:apply", "y" * 200)
    assert stored(outbox, "last_error") == ["x" * 80, "y" * 80]


def test_asking_for_a_delivered_payload_says_why_there_is_none(outbox: Outbox) -> None:
    entry = outbox.enqueue("application", "s1:apply", "JL-1-0001", "item", PAYLOAD)
    outbox.mark_delivered("s1:apply", "N1", "received")
    with pytest.raises(KeyError, match=f"entry {entry.entry_id} has no payload"):
        outbox.payload(entry)
