"""The monthly 汇总表 for a seeded month: applications, bookings and kiosk counts on both sides of the period's
edges (Beijing days), four kiosks at two sites and a test kiosk, what two divisions entered through
`kiosk-backend report entries set`; the table `kiosk-backend report` writes equals the hand-computed one below,
and `kiosk report monthly` through the staff API writes the same table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from backend.server.admin import enroll, new_staff_token
from backend.server.cli import main as backend_main
from backend.server.models import Booking, UsageCount
from backend.server.staff import add_account
from backend.server.state import CHINA, ServerState
from kiosk.cli.main import main as kiosk_main
from kiosk.composition.embedded_backend import LocalServer
from kiosk.core.catalog import Catalog
from kiosk.core.value import replace
from tests.backend.conftest import make_client, serve
from tests.support.applications import orphan_application

MONTH = "2026-11"  # filed by 2026-11-22: the period runs from 2026-10-21 to 2026-11-20
SITE = "长春市南关区政务服务中心"
KIOSKS = ("JL-220102-001", "JL-220102-002", "JL-220104-001", "JL-TEST-009")
NE, NO = "未填报", "—"


def beijing(day: int, month: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA)


@dataclass
class Office:
    state: ServerState
    server: LocalServer
    options: list[str]
    """--database and --key-dir of `kiosk-backend`."""


@pytest.fixture
def office(database_url: str, tmp_path: Path, catalog: Catalog) -> Iterator[Office]:
    server = serve(database_url, tmp_path / "server-keys", catalog)
    state = server.state
    for name, role in (("管理员", "administrator"), ("窗口一", "clerk"), ("查看员", "viewer")):
        add_account(state, name, role, None)
    yield Office(state, server, ["--database", database_url, "--key-dir", str(state.settings.key_dir)])
    server.stop()


def seed(office: Office, catalog: Catalog, tmp_path: Path) -> None:
    state = office.state
    submitted = {"JL-220102-001": [beijing(21, 10, 0, 0), beijing(20, 11, 23, 59),  # the period's first and last minute
                                   beijing(20, 10, 23, 59), beijing(21, 11, 0, 0)],  # a minute before, a minute after
                 "JL-220102-002": [beijing(1, 11)],
                 "JL-TEST-009": [beijing(2, 11), beijing(3, 11)]}
    for kiosk_id in KIOSKS:
        credential = enroll(state, kiosk_id)
        client = make_client(office.server.url, credential, tmp_path / kiosk_id)
        for n, when in enumerate(submitted.get(kiosk_id, [])):
            application = orphan_application(catalog, kiosk_id, f"{kiosk_id}-k{n}", f"R{n:04d}")
            assert client.submit(replace(application, submitted_at=when.astimezone(UTC))).application_number
        client.close()
    with state.sessions() as session, session.begin():
        for kiosk_id, item, when in (("JL-220102-002", "marriage-registration", beijing(5, 11)),
                                     ("JL-220102-001", "divorce-registration", beijing(21, 10, 1)),
                                     ("JL-220102-001", "marriage-registration", beijing(21, 11, 9))):  # after
            session.add(Booking(kiosk_id=kiosk_id, item_id=item, slot_id=f"slot-{when:%m%d}", status="booked",
                                parties_sealed=b"", created_at=when))
        for kiosk_id, day, item, kind, count in (
                ("JL-220102-001", beijing(20, 11), "disability-subsidies", "query", 4),
                ("JL-220104-001", beijing(21, 10), "property-records-query", "guide_print", 6),
                ("JL-220104-001", beijing(20, 10), "property-records-query", "guide_print", 50),  # before
                ("JL-TEST-009", beijing(1, 11), "orphan-support", "guide_print", 7)):
            session.add(UsageCount(kiosk_id=kiosk_id, day=day.date(), item_id=item, kind=kind, count=count,
                                   updated_at=day))
    for kiosk_id in ("JL-220102-001", "JL-220102-002"):
        assert backend_main(["report", "site", kiosk_id, "--site", SITE, *office.options]) == 0
    assert backend_main(["report", "site", "JL-TEST-009", "--site", "厅机关测试间", "--test", *office.options]) == 0
    entries = ["report", "entries", "set", "--month", MONTH, *office.options]
    assert backend_main([*entries, "--task", "1", "--as", "窗口一", "--window", "5", "--online", "2",
                         "--progress", "已在全国儿童福利信息系统开通跨省通办模块",
                         "--problems", "乡镇经办人员不熟悉异地代收流程", "--next-steps", "组织线上培训"]) == 0
    assert backend_main([*entries, "--task", "12", "--as", "窗口一", "--window", "0", "--online", "3"]) == 0
    assert backend_main([*entries, "--task", "12", "--as", "窗口一", "--progress", "推进中"]) == 0  # counts kept
    assert backend_main([*entries, "--task", "online-channel", "--as", "管理员",
                         "--progress", "民政大数据平台完成招标"]) == 0


# The hand-computed table: 序号, then 窗口, 网上, 自助终端, 预约, 指南打印, 进度查询 of each row, and the totals.
# Task 1: 5 and 2 as entered; the kiosks' 3 applications in the period (two at 001 on its first and last minute,
# one at 002; the minute before and after and the test kiosk's 2 are out), no look-ups or guides counted.
# Task 3: 001's 4 look-ups on 11-20. Tasks 4 and 5: 002's marriage booking, 001's divorce booking on 10-21 (the
# marriage booking on 11-21 is after). Tasks 6-8 leave their counts to 11-13 (the same items). Task 12: 0 and 3
# entered, 6 guides at JL-220104-001 on 10-21 (its 50 on 10-20 are before). 18: the online channel, no counts.
GUIDE_ONLY = [NE, NE, NO, NO, 0, NO]
EXPECTED = {
    1: [5, 2, 3, NO, 0, 0], 2: [NE, NE, 0, NO, 0, 0], 3: [NE, NE, 0, NO, 0, 4],
    4: [NE, NE, NO, 1, 0, NO], 5: [NE, NE, NO, 1, 0, NO],
    6: ["计入第11项", *[None] * 5], 7: ["计入第12项", *[None] * 5], 8: ["计入第13项", *[None] * 5],  # merged cells
    9: GUIDE_ONLY, 10: GUIDE_ONLY, 11: GUIDE_ONLY, 12: [0, 3, NO, NO, 6, NO], 13: GUIDE_ONLY, 14: GUIDE_ONLY,
    15: GUIDE_ONLY, 16: GUIDE_ONLY, 17: GUIDE_ONLY, 18: [NO] * 6,
}
EXPECTED_TOTALS = ["5（12项未填）", "5（12项未填）", 3, 2, 6, 4]  # 14 rows take window counts; 2 have them
EXPECTED_SITES = [[SITE, "JL-220102-001", 2, 1, 0, 4], [SITE, "JL-220102-002", 1, 1, 0, 0], [SITE, "小计", 3, 2, 0, 4],
                  ["未登记站点", "JL-220104-001", 0, 0, 6, 0], ["未登记站点", "小计", 0, 0, 6, 0],
                  ["正式终端合计", None, 3, 2, 6, 4]]
EXPECTED_TESTS = [["厅机关测试间", "JL-TEST-009", 2, 0, 7, 0], ["测试终端合计（未计入汇总表）", None, 2, 0, 7, 0]]


def table_of(path: Path) -> dict[str, Any]:
    book = load_workbook(path)
    summary, sites = book["汇总表"], book["自助终端明细（按站点）"]
    rows = [list(r) for r in summary.iter_rows(min_row=5, max_row=23, values_only=True)]
    site_rows = [list(r) for r in sites.iter_rows(min_row=4, values_only=True)]
    return {"sheets": book.sheetnames, "rows": rows, "sites": site_rows,
            "head": [c for r in summary.iter_rows(min_row=1, max_row=4, values_only=True) for c in r if c],
            "foot": [r[0] for r in summary.iter_rows(min_row=24, values_only=True) if r[0]]}


def test_the_summary_of_a_seeded_month_is_the_hand_computed_table(office: Office, catalog: Catalog, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    seed(office, catalog, tmp_path)
    out = tmp_path / "server.xlsx"
    assert backend_main(["report", "--month", MONTH, "--out", str(out), "--preparer", "张三", *office.options]) == 0
    assert "18 tasks" in capsys.readouterr().out
    got = table_of(out)
    assert got["sheets"] == ["汇总表", "自助终端明细（按站点）", "好差评", "填表说明"]
    assert {row[0]: row[8:14] for row in got["rows"][:18]} == EXPECTED
    assert [row[0] for row in got["rows"]] == [*range(1, 19), None]
    assert got["rows"][18][1] == "合计" and got["rows"][18][8:14] == EXPECTED_TOTALS
    first = got["rows"][0]
    assert first[:8] == [1, "孤儿救助资格认定", "未设置", "牵头", "省民政厅", "儿童福利处",
                         "2021年底前实现全国各地“跨省通办”", "已在全国儿童福利信息系统开通跨省通办模块"]
    assert first[14:] == ["乡镇经办人员不熟悉异地代收流程", "组织线上培训"]
    assert got["rows"][11][7] == "推进中" and got["rows"][17][5] == "省民政信息中心"
    assert got["rows"][17][7] == "民政大数据平台完成招标"
    assert "填报单位：吉林省民政厅" in got["head"] and "统计起止日期：2026年10月21日至2026年11月20日" in got["head"]
    assert got["foot"][0].startswith("制表人：张三　　制表日期：") and "单位负责人（签字）" in got["foot"][1]
    sites = [row for row in got["sites"] if any(row)]
    assert sites[:6] == EXPECTED_SITES and sites[6] == ["测试终端（不计入汇总表）", None, None, None, None, None]
    assert sites[8:] == EXPECTED_TESTS

    # the kiosk's command, through the staff API, writes the same table
    token = tmp_path / "token"
    token.write_text(new_staff_token(office.state, "张三", "viewer") + "\n", encoding="utf-8")
    from_kiosk = tmp_path / "kiosk.xlsx"
    assert kiosk_main(["report", "monthly", "--month", MONTH, "--out", str(from_kiosk), "--backend",
                       office.server.url, "--token-file", str(token)]) == 0
    assert table_of(from_kiosk) == got, "制表人 is the token's account: 张三 on both"


def test_an_administrator_sets_the_period(office: Office, catalog: Catalog, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    seed(office, catalog, tmp_path)
    period = ["report", "period", "set", "--month", MONTH, "--start", "2026-10-21", "--end", "2026-11-19",
              *office.options]
    assert backend_main([*period, "--as", "窗口一"]) == 2
    assert "needs the administrator role" in capsys.readouterr().err
    assert backend_main([*period, "--as", "管理员"]) == 0
    assert "2026-10-21 to 2026-11-19 (set by 管理员)" in capsys.readouterr().out
    out = tmp_path / "shorter.xlsx"
    assert backend_main(["report", "--month", MONTH, "--out", str(out), *office.options]) == 0
    got = table_of(out)
    assert got["rows"][0][8:14] == [5, 2, 2, NO, 0, 0], "the application at 11-20 23:59 is after the period"
    assert got["rows"][2][8:14] == [NE, NE, 0, NO, 0, 0], "so are the look-ups of 11-20"
    assert backend_main(["report", "period", "reset", "--month", MONTH, "--as", "管理员", *office.options]) == 0
    assert "2026-10-21 to 2026-11-20 (the default)" in capsys.readouterr().out


def test_entries_are_refused_with_a_reason(office: Office, catalog: Catalog, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    enroll(office.state, KIOSKS[0])
    entries = ["report", "entries", "set", "--month", MONTH, *office.options]
    for args, message in (
            (["--task", "7", "--as", "窗口一", "--window", "1"], "enter its counts on task 12"),
            (["--task", "1", "--as", "查看员", "--progress", "x"], "needs the clerk role"),
            (["--task", "19", "--as", "窗口一", "--progress", "x"], "no task '19'"),
            (["--task", "online-channel", "--as", "窗口一", "--online", "4"], "no counts of its own"),
            (["--task", "1", "--as", "窗口一", "--problems", "x" * 501], "at most 500"),
            (["--task", "1", "--as", "无此人", "--progress", "x"], "no active account")):
        assert backend_main([*entries, *args]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
    with pytest.raises(SystemExit):
        backend_main([*entries, "--task", "1", "--as", "窗口一", "--window", "-3"])
    assert "is no count" in capsys.readouterr().err
    assert backend_main(["report", "site", "JL-NOT-ENROLLED", "--test", *office.options]) == 2
    assert backend_main(["report", "--month", "2026-13", "--out", str(tmp_path / "r.xlsx"), *office.options]) == 2
    assert backend_main(["report", "--month", MONTH, "--out", str(tmp_path / "r.pdf"), *office.options]) == 2
    assert "use .xlsx, .html (print view) or .csv" in capsys.readouterr().err
