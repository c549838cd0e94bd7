"""The console in real Chromium: sign in by typing, see the fleet, sign out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.console.conftest import PASSWORD, Console


def sign_in(browser: Any, console: Console, name: str) -> None:
    browser.get(f"{console.url}/fleet")
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/console/login"))
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/console/fleet"))


def test_staff_sign_in_see_the_fleet_and_sign_out(console: Console, browser: Any, tmp_path: Path) -> None:
    sign_in(browser, console, "clerk")
    assert browser.find_element(By.TAG_NAME, "h1").text == "终端一览"
    assert "clerk（经办人）" in browser.find_element(By.CSS_SELECTOR, "header .who").text
    browser.save_screenshot(str(tmp_path / "fleet.png"))
    browser.find_element(By.CSS_SELECTOR, "header .who button").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/console/login"))
    browser.get(f"{console.url}/fleet")
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/console/login"))


def test_a_kiosk_that_refused_the_catalog_is_flagged_on_the_fleet_page(console: Console, browser: Any,
                                                                        tmp_path: Path) -> None:
    import time

    from backend.server.admin import enroll
    from tests.backend.samples import make_client
    from tests.console.test_console_cases_browser import shot

    credential = enroll(console.server.state, "JL-220102-009")
    kiosk = make_client(console.server.url, credential, tmp_path / "kiosk")
    kiosk._catalog_version, kiosk._refused_catalog = 3, (4, time.monotonic())  # as a refused download leaves them
    kiosk.heartbeat("ready")
    kiosk.close()
    sign_in(browser, console, "viewer")
    page = browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "fleet-catalog-refused")
    assert "终端拒收事项目录" in page and "第 4 版未通过终端核验" in page and "第 3 版（拒收第 4 版）" in page
    row = browser.find_element(By.ID, "kiosk-JL-220102-009")
    assert "attention" in (row.get_attribute("class") or "")
