"""The monthly 汇总表 built from plain inputs (kiosk.core.report): the period, the rows of the plan's tasks, what
is counted where, the totals, and the checks on what staff enter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.core.catalog import Catalog
from kiosk.core.problems import ConfigError
from kiosk.core.report import (
    FIRST_COUNT,
    HEADERS,
    MISSING_CODE,
    NOT_ENTERED,
    KioskCount,
    KioskSite,
    ReportError,
    ReportSettings,
    SummaryInputs,
    TaskEntry,
    build_summary,
    check_entry,
    check_period,
    counted_with,
    default_period,
    parse_month,
    report_month,
    settings_problems,
)
from kiosk.storage.report_settings import load_report_settings

CATALOG_DIR = Path(__file__).resolve().parents[2] / "config" / "catalog"


@pytest.fixture(scope="module")
def settings(catalog: Catalog) -> ReportSettings:
    return load_report_settings(catalog, CATALOG_DIR)


def inputs(entries: dict[str, TaskEntry] | None = None, counts: list[KioskCount] | None = None,
           kiosks: list[KioskSite] | None = None) -> SummaryInputs:
    return SummaryInputs(default_period("2026-12"), entries or {}, kiosks or [], counts or [], "张三",
                         date(2026, 12, 21))


def test_the_default_period_runs_from_the_21st_of_the_month_before_to_the_20th() -> None:
    assert default_period("2026-12").start == date(2026, 11, 21) and default_period("2026-12").end == date(2026, 12, 20)
    january = default_period("2027-01")
    assert (january.start, january.end) == (date(2026, 12, 21), date(2027, 1, 20))
    assert default_period("2026-03").shown == "2026年2月21日至2026年3月20日"
    months = [report_month(date(2026, 12, day)) for day in (1, 20, 21, 31)]
    assert months == ["2026-12", "2026-12", "2027-01", "2027-01"]
    for month in ("2026-13", "202611", "Nov 2026"):
        with pytest.raises(ReportError):
            parse_month(month)
    with pytest.raises(ReportError, match="ends"):
        check_period("2026-12", date(2026, 12, 20), date(2026, 11, 21))
    with pytest.raises(ReportError, match="at most 62 days"):
        check_period("2026-12", date(2026, 10, 1), date(2026, 12, 20))


def test_every_task_and_the_online_channel_in_order_with_codes_from_configuration(
        catalog: Catalog, settings: ReportSettings) -> None:
    table = build_summary(catalog, settings, inputs())
    assert [row[0] for row in table.rows] == list(range(1, 19))
    online = table.rows[-1]
    assert online[1].startswith("建立线上“跨省通办”服务渠道") and online[5] == "省民政信息中心"  # type: ignore[union-attr]
    assert {row[2] for row in table.rows[:17]} == {MISSING_CODE}, "no code is made up"
    coded = settings.model_copy(update={"basic_codes": {"orphan-support": "000107001000"}})
    assert build_summary(catalog, coded, inputs()).rows[0][2] == "000107001000"
    assert len(HEADERS) == len(table.rows[0]) == len(table.totals)


def test_counts_stay_in_their_columns_and_a_shared_item_counts_once(catalog: Catalog, settings: ReportSettings) -> None:
    counts = [KioskCount("JL-A-001", "orphan-support", "application", 2),
              KioskCount("JL-A-002", "orphan-support", "query", 5),
              KioskCount("JL-A-001", "property-records-query", "guide_print", 4),
              KioskCount("JL-A-001", "marriage-registration", "appointment", 3),
              KioskCount("JL-T-001", "orphan-support", "application", 9)]
    kiosks = [KioskSite("JL-A-001", "甲中心", False), KioskSite("JL-A-002", "甲中心", False),
              KioskSite("JL-T-001", "测试间", True)]
    entries = {"1": TaskEntry(3, 1, "已开通"), "12": TaskEntry(0, 2)}
    table = build_summary(catalog, settings, inputs(entries, counts, kiosks))
    counts_of = {row[0]: row[FIRST_COUNT:FIRST_COUNT + 6] for row in table.rows}
    assert counts_of[1] == [3, 1, 2, "—", 0, 5], "the test kiosk's 9 applications are not in it"
    assert counts_of[4] == [NOT_ENTERED, NOT_ENTERED, "—", 3, 0, "—"]
    assert counts_of[7] == ["计入第12项"] * 6 and counts_of[12] == [0, 2, "—", "—", 4, "—"]
    assert table.totals[FIRST_COUNT:FIRST_COUNT + 6] == ["3（12项未填）", "3（12项未填）", 2, 3, 4, 5]
    assert "合计" not in HEADERS, "no column adds unlike counts"
    assert table.sites == [["甲中心", "JL-A-001", 2, 3, 4, 0], ["甲中心", "JL-A-002", 0, 0, 0, 5],
                           ["甲中心", "小计", 2, 3, 4, 5], ["正式终端合计", "", 2, 3, 4, 5]]
    assert table.test_kiosks == [["测试间", "JL-T-001", 9, 0, 0, 0], ["测试终端合计（未计入汇总表）", "", 9, 0, 0, 0]]


def test_counts_of_an_item_no_longer_in_the_catalog_are_named_not_added(catalog: Catalog,
                                                                       settings: ReportSettings) -> None:
    table = build_summary(catalog, settings, inputs(counts=[KioskCount("JL-A-001", "ghost", "guide_print", 7)]))
    assert table.totals[FIRST_COUNT + 4] == 0 and any("ghost" in note for note in table.notes)
    with pytest.raises(ReportError, match="unknown kinds"):
        build_summary(catalog, settings, inputs(counts=[KioskCount("JL-A-001", "orphan-support", "visits", 1)]))


def test_what_staff_enter_is_checked(catalog: Catalog) -> None:
    assert check_entry(TaskEntry(0, None, "  推进中 \n")).progress == "推进中"
    for bad, message in ((TaskEntry(-1), "from 0"), (TaskEntry(None, 10_000_001), "from 0"),
                         (TaskEntry(progress="x" * 501), "at most 500"), (TaskEntry(problems="a\x1bb"), "control")):
        with pytest.raises(ReportError, match=message):
            check_entry(bad)
    assert counted_with(catalog, 6) == 11 and counted_with(catalog, 11) is None and counted_with(catalog, 1) is None
    with pytest.raises(ReportError, match="no task 18"):
        counted_with(catalog, 18)


def test_report_settings_are_checked_against_the_catalog(catalog: Catalog, settings: ReportSettings,
                                                         tmp_path: Path) -> None:
    wrong = settings.model_copy(update={"basic_codes": {"ghost": "1234"},
                                        "support_tasks": [*settings.support_tasks, settings.support_tasks[0]]})
    assert settings_problems(settings, catalog) == []
    assert settings_problems(wrong, catalog) == [("basic_codes.ghost", "no such item in the catalog"),
                                                 ("support_tasks", "key 'online-channel' is used twice")]
    (tmp_path / "monthly_report.toml").write_text('[basic_codes]\norphan-support = "JL MZ 01"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"basic_codes\.orphan-support"):
        load_report_settings(catalog, tmp_path)
    with pytest.raises(ConfigError, match="file not found"):
        load_report_settings(catalog, tmp_path / "nowhere")


def test_ratings_are_counted_by_kiosk_and_level_apart_from_usage(catalog: Catalog, settings: ReportSettings) -> None:
    """GIVEN 好差评 from two production kiosks and a test kiosk WHEN the table is built THEN the ratings table holds
    each production kiosk's ratings by level with their total, the test kiosk's are left out, and the usage
    columns are unchanged by them."""
    from kiosk.core.report import RATING_HEADERS, RatingCount

    kiosks = [KioskSite("JL-A", "长春站", False), KioskSite("JL-B", "延吉站", False), KioskSite("JL-T", "", True)]
    ratings = [RatingCount("JL-A", 1, 3), RatingCount("JL-A", 5, 1), RatingCount("JL-B", 2, 2),
               RatingCount("JL-T", 1, 9)]
    plain = build_summary(catalog, settings, SummaryInputs(default_period("2026-12"), {}, kiosks, []))
    table = build_summary(catalog, settings, SummaryInputs(default_period("2026-12"), {}, kiosks, [], ratings=ratings))
    assert len(RATING_HEADERS) == len(table.ratings[0]) == 8
    assert table.ratings == [["延吉站", "JL-B", 0, 2, 0, 0, 0, 2], ["长春站", "JL-A", 3, 0, 0, 0, 1, 4],
                             ["正式终端合计", "", 3, 2, 0, 0, 1, 6]]
    assert (table.rows, table.totals, table.sites) == (plain.rows, plain.totals, plain.sites)
    assert plain.ratings == [["正式终端合计", "", 0, 0, 0, 0, 0, 0]]
