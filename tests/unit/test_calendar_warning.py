"""The 60-day warning before the known holiday calendar ends: in `kiosk config check` and on the readiness slip;
a broken holidays.toml fails the check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.cli import main as cli
from kiosk.core.working_days import WorkingDays
from kiosk.shell import maintenance_desk
from kiosk.storage import working_days

KNOWS_2026 = WorkingDays(frozenset({date(2026, 1, 1)}), frozenset(), frozenset({2025, 2026}), ("test",))


class Day(date):
    fixed = date(2026, 11, 15)

    @classmethod
    def today(cls) -> date:  # type: ignore[override]
        return cls.fixed


def check(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["config", "check", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_config_check_warns_60_days_before_the_calendar_ends(kiosk_config: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(working_days, "library_calendar", lambda: KNOWS_2026)
    monkeypatch.setenv("KIOSK_HOLIDAYS", str(kiosk_config.parent / "none.toml"))
    monkeypatch.setattr(cli, "date", Day)
    code, out, err = check(kiosk_config, capsys)
    assert code == 0 and "working days known until 2026-12-31" in out
    assert "warning: the holiday calendar ends 2026-12-31 (46 days): add 2027's holidays" in err
    Day.fixed = date(2026, 10, 1)
    code, out, err = check(kiosk_config, capsys)
    assert code == 0 and "warning" not in err
    Day.fixed = date(2026, 11, 15)


def test_a_broken_holidays_file_fails_the_check(kiosk_config: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    broken = kiosk_config.parent / "holidays.toml"
    broken.write_text('[[year]]\nyear = 2027\nsource = "国办通知"\nholidays = ["2027-01-01"]\n'
                      'workdays = ["2027-01-06"]\n', encoding="utf-8")
    monkeypatch.setenv("KIOSK_HOLIDAYS", str(broken))
    code, _, err = check(kiosk_config, capsys)
    assert code == 2 and "调休 workdays must be weekend days: 2027-01-06" in err


def test_the_readiness_slip_says_how_far_the_calendar_reaches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(maintenance_desk, "load_working_days", lambda: KNOWS_2026)
    assert maintenance_desk.calendar_line(date(2026, 6, 1)) == "至 2026-12-31"
    assert maintenance_desk.calendar_line(date(2026, 12, 6)) == "至 2026-12-31，请补充 2027 年节假日 (holidays.toml)"
