"""Usage for the monthly report: the kiosk's own counts (guide prints, progress lookups) sent as daily totals,
the server's applications and bookings, the staff report endpoint, and what `kiosk report monthly` says about
bad input (the 汇总表 itself: test_monthly_summary.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from backend.server.reports import month_bounds, usage_report
from backend.server.state import CHINA
from kiosk.cli.main import main as kiosk_main
from kiosk.core.catalog import Item
from kiosk.core.value import replace
from kiosk.remote.client import HttpBackend
from kiosk.storage.usage_log import UsageLog
from tests.backend.conftest import Served, application, person

MONTH = datetime.now(CHINA).strftime("%Y-%m")


def staff_get(served: Served, path: str, **params: str) -> requests.Response:
    return requests.get(f"{served.url}{path}", params=params, timeout=10,
                        headers={"Authorization": f"Bearer {served.staff_token}"})


def totals(served: Served, month: str = MONTH) -> dict[tuple[str, str], int]:
    answer = staff_get(served, "/v1/staff/reports/usage", month=month)
    assert answer.status_code == 200, answer.text
    return {(t["item_id"], t["kind"]): t["count"] for t in answer.json()["totals"]}


def test_daily_totals_replace_earlier_ones_so_a_resend_counts_once(served: Served, client: HttpBackend,
                                                                   tmp_path: Path) -> None:
    log = UsageLog(tmp_path / "usage.sqlite3")
    client.usage_log = log
    today = datetime.now(CHINA).date()
    log.add(today, "marriage-registration", "guide_print")
    log.add(today, "marriage-registration", "guide_print")
    log.add(today, "divorce-registration", "query")
    assert client.report_usage() == 2
    assert client.report_usage() == 0, "nothing changed: nothing sent"
    log.add(today, "marriage-registration", "guide_print")
    assert client.report_usage() == 1
    client.transport.request("POST", "/v1/usage", {"days": [{"day": today.isoformat(), "counts": [
        {"item_id": "marriage-registration", "kind": "guide_print", "count": 3}]}]})  # a replay of the same total
    got = totals(served)
    assert got[("marriage-registration", "guide_print")] == 3 and got[("divorce-registration", "query")] == 1


def test_usage_reports_are_checked(served: Served, client: HttpBackend) -> None:
    from kiosk.remote.transport import TransportError

    future = (datetime.now(CHINA).date() + timedelta(days=3)).isoformat()
    twice = {"item_id": "orphan-support", "kind": "query", "count": 1}
    for body in ({"days": [{"day": future, "counts": [twice]}]},
                 {"days": [{"day": "2026-01-05", "counts": [twice, twice]}]},
                 {"days": [{"day": "2026-01-05", "counts": [{**twice, "kind": "application"}]}]},
                 {"days": [{"day": "2026-01-05", "counts": [{**twice, "count": -1}]}]}):
        with pytest.raises(TransportError) as refused:
            client.transport.request("POST", "/v1/usage", body, retry=False)
        assert refused.value.http_status == 422


def test_report_counts_applications_bookings_and_kiosk_counts_per_item(served: Served, client: HttpBackend,
                                                                      apply_item: Item, tmp_path: Path) -> None:
    for n in range(3):
        assert client.submit(application(apply_item, n)).application_number
    slots = client.appointment_slots("marriage-registration", datetime.now(CHINA).date() + timedelta(days=1), 14)
    from kiosk.core.records import Booking

    client.book(Booking("usage-b1:book", "marriage-registration", slots[0].slot_id, (person(1), person(2)),
                        "13912345678"))
    log = UsageLog(tmp_path / "usage.sqlite3")
    client.usage_log = log
    log.add(datetime.now(CHINA).date(), apply_item.id, "query", 4)
    earlier = datetime.now(CHINA).date() - timedelta(days=40)  # another month (kiosks report 62 days back)
    log.add(earlier, apply_item.id, "query", 9)  # not in this one
    client.report_usage()
    got = totals(served)
    assert got[(apply_item.id, "application")] == 3 and got[("marriage-registration", "appointment")] == 1
    assert got[(apply_item.id, "query")] == 4
    report = staff_get(served, "/v1/staff/reports/usage", month=MONTH).json()
    assert report["kiosks"] == 1 and report["active_kiosks"] == 1
    assert totals(served, f"{earlier:%Y-%m}") == {(apply_item.id, "query"): 9}
    assert staff_get(served, "/v1/staff/reports/usage", month="2026-13").status_code == 422
    assert requests.get(f"{served.url}/v1/staff/reports/usage", params={"month": MONTH}, timeout=5).status_code == 401


def test_months_are_beijing_calendar_months(served: Served, client: HttpBackend, apply_item: Item) -> None:
    # 2026-11-30 20:00 UTC is 2026-12-01 04:00 in Beijing: December's
    late = replace(application(apply_item, 7), submitted_at=datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
    early = replace(application(apply_item, 8, key_prefix="e"), submitted_at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    client.submit(late)
    client.submit(early)
    assert usage_report(served.state, "2026-12").totals[0].count == 1
    assert usage_report(served.state, "2026-11").totals[0].count == 1
    first, last, start, end = month_bounds("2026-12")
    assert (first, last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert start == datetime(2026, 11, 30, 16, 0, tzinfo=UTC) and end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_kiosk_report_monthly_bad_input(served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_STAFF_TOKEN", raising=False)
    base = ["report", "monthly", "--backend", served.url]
    cases = [([*base, "--month", "2026-13", "--out", str(tmp_path / "r.xlsx")], 2, "month must be YYYY-MM"),
             ([*base, "--month", MONTH, "--out", str(tmp_path / "r.pdf")], 2, "use .xlsx, .html (print view) or .csv"),
             ([*base, "--month", MONTH, "--out", str(tmp_path / "r.csv")], 2, "a staff token is needed")]
    for args, status, message in cases:
        assert kiosk_main(args) == status
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("KIOSK_STAFF_TOKEN", "wrong")
    assert kiosk_main([*base, "--month", MONTH, "--out", str(tmp_path / "r.csv")]) == 2
    assert "refused the staff token" in capsys.readouterr().err
    assert kiosk_main(["report", "monthly", "--backend", "http://127.0.0.1:9", "--month", MONTH,
                       "--out", str(tmp_path / "r.csv")]) == 1
    assert "cannot reach the backend" in capsys.readouterr().err
