"""The monthly 汇总表 in the console over real HTTP and in real Chromium: who sees, enters and sets what, the
form's checks and CSRF, and the same table as a workbook and a print view."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from backend.server.admin import enroll
from backend.server.monthly_entries import entry_of, period_of
from backend.server.staff import add_account
from backend.server.state import ServerSettings, build_state
from kiosk.composition.embedded_backend import LocalServer
from kiosk.core.catalog import Catalog
from kiosk.core.report import TaskEntry
from tests.backend.conftest import serve
from tests.console.conftest import ACCOUNTS, PASSWORD, Console, csrf_of

MONTH = "2026-11"


@pytest.fixture
def office(tmp_path: Path, catalog: Catalog) -> Iterator[Console]:
    """A console whose server publishes the shipped catalog: the plan's 17 tasks."""
    server = serve(f"sqlite:///{tmp_path / 'server.sqlite3'}", tmp_path / "server-keys", catalog)
    enroll(server.state, "JL-220102-001")
    for name, role in ACCOUNTS.items():
        add_account(server.state, name, role, PASSWORD)
    yield Console(server)
    server.stop()


def summary(session: requests.Session, office: Console, month: str = MONTH) -> requests.Response:
    return session.get(f"{office.url}/monthly", params={"month": month}, timeout=10)


def post(session: requests.Session, url: str, fields: dict[str, str], form_page: str) -> requests.Response:
    return session.post(url, data={"csrf_token": csrf_of(form_page), **fields}, allow_redirects=False, timeout=10)


def test_a_viewer_sees_the_table_and_may_not_enter(office: Console) -> None:
    viewer = office.signed_in("viewer")
    page = summary(viewer, office)
    assert page.status_code == 200
    assert "跨省通办实施计划及进度情况汇总表" in page.text and "2026年10月21日至2026年11月20日" in page.text
    assert page.text.count('<tr id="task-') == 18 and 'id="task-online-channel"' in page.text
    assert "/monthly/entry" not in page.text and "调整统计起止日期" not in page.text
    refused = viewer.get(f"{office.url}/monthly/entry", params={"month": MONTH, "task": "1"}, timeout=10)
    assert refused.status_code == 403 and "经办人" in refused.text
    assert summary(viewer, office, "2026-13").status_code == 422


def test_a_clerk_enters_a_task_and_the_table_shows_it(office: Console) -> None:
    clerk = office.signed_in("clerk")
    url = f"{office.url}/monthly/entry"
    form = clerk.get(url, params={"month": MONTH, "task": "1"}, timeout=10)
    assert form.status_code == 200 and 'name="window"' in form.text
    fields = {"month": MONTH, "task": "1", "window": "5", "online": "", "progress": "已开通\r\n本期受理5件",
              "problems": "乡镇经办人员不熟悉流程", "next_steps": "组织培训"}
    saved = post(clerk, url, fields, form.text)
    assert saved.status_code == 303 and saved.headers["location"].endswith("saved=1#task-1")
    assert entry_of(office.server.state, MONTH, "1") == TaskEntry(5, None, "已开通\n本期受理5件",
                                                                  "乡镇经办人员不熟悉流程", "组织培训")
    page = clerk.get(office.server.url + saved.headers["location"], timeout=10)
    assert "第1项“孤儿救助资格认定”已保存。" in page.text and "乡镇经办人员不熟悉流程" in page.text

    wrong = post(clerk, url, {**fields, "window": "五"}, form.text)
    assert wrong.status_code == 422 and "窗口受理件数应为 0 到 1000000 的整数" in wrong.text
    assert "乡镇经办人员不熟悉流程" in wrong.text, "what was typed is kept"
    assert entry_of(office.server.state, MONTH, "1").window == 5, "nothing was saved"
    forged = clerk.post(url, data={**fields, "window": "99", "csrf_token": "forged"}, allow_redirects=False, timeout=10)
    assert forged.status_code == 403 and entry_of(office.server.state, MONTH, "1").window == 5

    same_item = clerk.get(url, params={"month": MONTH, "task": "7"}, timeout=10)
    assert 'name="window"' not in same_item.text and "件数只填在第12项" in same_item.text
    crafted = post(clerk, url, {"month": MONTH, "task": "7", "window": "3", "progress": "推进中"}, same_item.text)
    assert crafted.status_code == 303 and entry_of(office.server.state, MONTH, "7") == TaskEntry(progress="推进中")
    assert clerk.get(url, params={"month": MONTH, "task": "99"}, timeout=10).status_code == 404


def test_only_an_administrator_sets_the_period(office: Console) -> None:
    fields = {"month": MONTH, "start": "2026-10-21", "end": "2026-11-18"}
    clerk = office.signed_in("clerk")
    assert post(clerk, f"{office.url}/monthly/period", fields, summary(clerk, office).text).status_code == 403
    admin = office.signed_in("admin")
    page = summary(admin, office)
    assert "调整统计起止日期" in page.text
    backwards = post(admin, f"{office.url}/monthly/period", {**fields, "end": "2026-10-01"}, page.text)
    assert backwards.status_code == 422 and "结束日期早于开始日期" in backwards.text
    assert post(admin, f"{office.url}/monthly/period", fields, page.text).status_code == 303
    assert period_of(office.server.state, MONTH).set_by == "admin"
    page = summary(admin, office)
    assert "2026年10月21日至2026年11月18日" in page.text and "（由 admin 设置）" in page.text
    reset = post(admin, f"{office.url}/monthly/period", {"month": MONTH, "reset": "1"}, page.text)
    assert reset.status_code == 303 and period_of(office.server.state, MONTH).set_by == ""


def test_the_workbook_and_the_print_view_are_the_same_table(office: Console) -> None:
    viewer = office.signed_in("viewer")
    download = viewer.get(f"{office.url}/monthly/report.xlsx", params={"month": MONTH}, timeout=10)
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(download.content))["汇总表"]
    assert [sheet.cell(row=n, column=1).value for n in range(5, 23)] == list(range(1, 19))
    assert any(str(c.value).startswith("制表人：viewer") for c in sheet["A"] if c.value)
    printed = viewer.get(f"{office.url}/monthly/print", params={"month": MONTH}, timeout=10)
    assert printed.status_code == 200 and "<style>" not in printed.text
    assert 'href="/console/monthly/print.css"' in printed.text and "2026年10月21日至2026年11月20日" in printed.text
    styles = viewer.get(f"{office.url}/monthly/print.css", timeout=10)
    assert styles.headers["content-type"].startswith("text/css") and "@page { size: A4 landscape;" in styles.text
    assert requests.get(f"{office.url}/monthly/report.xlsx", allow_redirects=False, timeout=10).status_code == 303


def test_a_clerk_fills_in_a_task_in_chromium(office: Console, browser: Any, tmp_path: Path) -> None:
    from tests.console.test_console_browser import sign_in

    sign_in(browser, office, "clerk")
    browser.get(f"{office.url}/monthly?month={MONTH}")
    browser.find_element(By.CSS_SELECTOR, "#task-3 a").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/monthly/entry"))
    browser.find_element(By.ID, "window").send_keys("12")
    browser.find_element(By.ID, "online").send_keys("4")
    browser.find_element(By.ID, "progress").send_keys("两项补贴已全程网办，本期跨省受理12件")
    browser.find_element(By.ID, "next_steps").send_keys("督促各地按时推送")
    browser.save_screenshot(str(tmp_path / "entry.png"))
    browser.find_element(By.CSS_SELECTOR, "form.entry button[type=submit]").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("saved=3"))
    assert "已保存" in browser.find_element(By.CSS_SELECTOR, ".notice.good").text
    row = browser.find_element(By.ID, "task-3").text
    assert "12" in row and "两项补贴已全程网办" in row
    browser.save_screenshot(str(tmp_path / "monthly-row.png"))
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(tmp_path / "monthly.png"))
    browser.get(f"{office.url}/monthly/print?month={MONTH}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "跨省通办实施计划及进度情况汇总表"
    border = browser.execute_script(
        "return getComputedStyle(document.querySelector('table.summary td')).borderTopStyle")
    assert border == "solid", "the print view's stylesheet is applied (not blocked by the console's CSP)"
    browser.save_screenshot(str(tmp_path / "print.png"))


def test_the_report_settings_come_from_the_served_catalog_folder(tmp_path: Path, catalog: Catalog) -> None:
    """`serve --catalog DIR`: the console's 汇总表 takes 事项编码 and 填报单位 from DIR, not the shipped folder."""
    from tests.conftest import CONFIG_DIR

    folder = tmp_path / "catalog"
    shutil.copytree(CONFIG_DIR / "catalog", folder)
    settings_file = folder / "monthly_report.toml"
    settings_file.write_text(settings_file.read_text(encoding="utf-8")
                             .replace('reporting_unit = "吉林省民政厅"', 'reporting_unit = "长春市南关区民政局"')
                             .replace("[basic_codes]\n", '[basic_codes]\norphan-support = "11220000TEST00001"\n'),
                             encoding="utf-8")
    state = build_state(ServerSettings(database_url=f"sqlite:///{tmp_path / 'server.sqlite3'}",
                                       key_dir=tmp_path / "keys", catalog_dir=folder), catalog)
    server = LocalServer(state)
    server.start()
    try:
        add_account(state, "viewer", "viewer", PASSWORD)
        page = summary(Console(server).signed_in("viewer"), Console(server)).text
    finally:
        server.stop()
    assert "长春市南关区民政局" in page and "11220000TEST00001" in page
