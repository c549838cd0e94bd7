"""The kiosk counts what only it sees (a guide slip printed, a progress lookup answered) once each, sends the
day's totals with its heartbeat, and `kiosk report monthly` on a kiosk with the local backend reads them back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.cli.main import main as kiosk_main
from kiosk.composition.root import Kiosk
from kiosk.core.report import HEADERS, report_month
from kiosk.core.session import events as ev
from kiosk.core.session.states import Phase, TaskStatus
from kiosk.storage.usage_log import UsageLog
from tests.support.applications import orphan_application

GUIDE_ITEM = "elderly-care-cooperation"


def print_guide(kiosk: Kiosk) -> None:
    kiosk.dispatch(ev.CategoryChosen("elderly"))
    kiosk.dispatch(ev.ItemChosen(GUIDE_ITEM))
    kiosk.dispatch(ev.GuidePrintRequested())
    kiosk.wait_for(lambda s: s.session is not None and s.session.printing.status == TaskStatus.DONE)


def test_guide_prints_and_lookups_are_counted_once_and_reach_the_report(headless_kiosk: Kiosk, kiosk_config: Path,
                                                                          tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    kiosk = headless_kiosk
    print_guide(kiosk)
    kiosk.dispatch(ev.BackPressed())
    kiosk.dispatch(ev.GuidePrintRequested())  # the same guide again in the same session: one use
    kiosk.wait_for(lambda s: s.session is not None and s.session.printing.status == TaskStatus.DONE)
    kiosk.dispatch(ev.FinishPressed())
    print_guide(kiosk)  # a second citizen
    kiosk.dispatch(ev.FinishPressed())

    submitted = kiosk.ports.backend.submit(orphan_application(kiosk.catalog, kiosk.config.settings.kiosk_id,
                                                              "usage-test:apply", "U1"))
    kiosk.dispatch(ev.ProgressQueryStarted())
    kiosk.dispatch(ev.ProgressByNumberRequested(submitted.application_number or ""))
    kiosk.wait_for(lambda s: s.session is not None and s.session.progress.status == TaskStatus.DONE)
    assert kiosk.state.session is not None and kiosk.state.session.phase == Phase.PROGRESS_QUERY
    kiosk.dispatch(ev.FinishPressed())

    today = kiosk.ports.clock.now().date()
    log = UsageLog.in_dir(kiosk.config.data_dir)
    assert log.totals(today, today) == {(GUIDE_ITEM, "guide_print"): 2, ("orphan-support", "query"): 1}
    backend = kiosk.ports.backend.started()  # type: ignore[attr-defined]
    assert backend.usage_log is not None, "the composition hands the usage log to the backend"
    backend.report_usage()  # the sender does this with each heartbeat (it may have sent some already)
    assert log.unreported() == []

    out = tmp_path / "monthly.xlsx"
    month = report_month(today)
    assert kiosk_main(["report", "monthly", "--config", str(kiosk_config), "--month", month, "--out", str(out)]) == 0
    assert "1 applications, 0 appointments, 2 guide prints, 1 progress lookups" in capsys.readouterr().out
    rows = {row[1]: row for row in load_workbook(out)["汇总表"].iter_rows(min_row=5, values_only=True)}
    guide = next(row for name, row in rows.items() if name and name.startswith("养老服务"))
    assert guide[HEADERS.index("指南打印")] == 2


def test_unreported_counts_and_partial_reports(tmp_path: Path) -> None:
    log = UsageLog(tmp_path / "usage.sqlite3")
    day = date(2026, 11, 27)
    log.add(day, "a", "query")
    sent = log.unreported()
    log.add(day, "a", "query")  # counted while the report was on its way
    log.mark_reported(sent)
    assert [c.count for c in log.unreported()] == [2], "the newer total is sent again"
