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
