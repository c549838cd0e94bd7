"""kiosk.remote.outbox: durable, idempotent, encrypted, and it forgets content once delivered."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.contract import crypto
from kiosk.remote.outbox import EntryState, Outbox

ID_NUMBER = "220102199003071234"
PAYLOAD = f'{{"name": "张三丰", "id_number": "{ID_NUMBER}"}}'.encode()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=list(crypto.PROFILES))
def outbox(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Outbox:
    profile = request.param
    box = Outbox(tmp_path / "outbox.sqlite3", crypto.new_data_key(profile), profile, clock)
    yield box  # type: ignore[misc]
    box.close()


def test_enqueue_is_idempotent_on_the_key(outbox: Outbox) -> None:
    first = outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD, ID_NUMBER)
    again = outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", b"other", ID_NUMBER)
    assert again == first and outbox.depth() == 1
    assert outbox.payload(first) == PAYLOAD


def test_due_respects_backoff_and_hold_back(outbox: Outbox, clock: Clock) -> None:
    held = outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD, due_in_s=4)
    assert outbox.due() == []
    clock.now += 5
    assert [e.entry_id for e in outbox.due()] == [held.entry_id]
    outbox.mark_retry("s1:apply", "backend_unreachable", clock.now + 60)
    assert outbox.due() == [] and outbox.next_due_at() == clock.now + 60
    entry = outbox.get("s1:apply")
    assert entry is not None and entry.attempts == 1 and entry.last_error == "backend_unreachable"
    assert outbox.retry_now() == 1 and len(outbox.due()) == 1


def test_delivery_wipes_the_content_and_keeps_the_number(outbox: Outbox) -> None:
    entry = outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD, ID_NUMBER)
    outbox.mark_delivered("s1:apply", "2201022025010100000001", "received")
    delivered = outbox.get("s1:apply")
    assert delivered is not None and delivered.state == EntryState.DELIVERED
    assert delivered.remote_number == "2201022025010100000001"
    with pytest.raises(KeyError):
        outbox.payload(entry)
    found = outbox.by_reference("JL-1-AAAA")
    assert found is not None and found.remote_number == "2201022025010100000001"
    assert [e.idempotency_key for e in outbox.for_person(ID_NUMBER)] == ["s1:apply"]
    assert outbox.for_person("220102199003075678") == []


def test_rejected_entries_are_set_aside_and_can_be_retried(outbox: Outbox) -> None:
    outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD)
    outbox.mark_rejected("s1:apply", "validation_failed")
    stats = outbox.stats()
    assert (stats.pending, stats.rejected, stats.last_errors) == (0, 1, (("validation_failed", 1),))
    assert outbox.retry_now() == 0
    assert outbox.retry_now(include_rejected=True) == 1 and outbox.depth() == 1


def test_purge_forgets_old_deliveries(outbox: Outbox, clock: Clock) -> None:
    outbox.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD)
    outbox.mark_delivered("s1:apply", "N1", "received")
    clock.now += 100
    assert outbox.purge(delivered_before=clock.now - 200) == 0
    assert outbox.purge(delivered_before=clock.now) == 1 and outbox.get("s1:apply") is None


def test_the_files_hold_no_name_or_id_number(outbox: Outbox) -> None:
    for n in range(20):
        outbox.enqueue("application", f"s{n}:apply", f"JL-1-{n:04d}", "item", PAYLOAD, ID_NUMBER)
    outbox.mark_delivered("s3:apply", "N3", "received")
    files = list(outbox.path.parent.glob("outbox.sqlite3*"))
    assert any(f.name.endswith("-wal") for f in files)  # WAL mode
    for path in files:
        data = path.read_bytes()
        for secret in (ID_NUMBER, ID_NUMBER[-8:], "张三丰"):
            assert secret.encode() not in data, f"{secret} in {path.name}"


def test_an_outbox_survives_reopening(tmp_path: Path, clock: Clock) -> None:
    key = crypto.new_data_key("national")
    box = Outbox(tmp_path / "o.sqlite3", key, "national", clock)
    box.enqueue("application", "s1:apply", "JL-1-AAAA", "item", PAYLOAD)
    box.close()
    reopened = Outbox(tmp_path / "o.sqlite3", key, "national", clock)
    entry = reopened.get("s1:apply")
    assert entry is not None and reopened.payload(entry) == PAYLOAD
    reopened.close()
    wrong = Outbox(tmp_path / "o.sqlite3", crypto.new_data_key("national"), "national", clock)
    with pytest.raises(crypto.CryptoError):
        wrong.payload(entry)
    wrong.close()
