"""The case pages in real Chromium: a clerk finds the case in the queue, asks for a 补正 by ticking the missing
materials, then opens the applicant's record in full by its one deliberate button. Screenshots are kept in
var/console-screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from backend.server.admin import enroll
from kiosk.core.catalog import Catalog
from tests.backend.samples import KIOSK_ID, ROOT_DIR, application, make_client
from tests.console.conftest import Console
from tests.console.test_console_browser import sign_in

SHOTS = ROOT_DIR / "var" / "console-screenshots"


def shot(browser: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1366, max(900, browser.execute_script("return document.body.scrollHeight") + 120))
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def arrive(browser: Any, fragment: str) -> None:
    """The page a click led to, loaded: its address changes when the new document commits, before it is parsed
    (a search for its form right then failed once on a loaded machine)."""
    WebDriverWait(browser, 10).until(
        lambda b: fragment in b.current_url and b.execute_script("return document.readyState") == "complete")


def test_a_clerk_asks_for_a_correction_and_opens_the_record(console: Console, browser: Any, tmp_path: Path,
                                                            console_catalog: Catalog) -> None:
    kiosk = make_client(console.server.url, enroll(console.server.state, KIOSK_ID), tmp_path / "kiosk")
    item = console_catalog.items[0]
    number = kiosk.submit(application(item, 7)).application_number or ""
    kiosk.close()
    sign_in(browser, console, "clerk")
    browser.get(f"{console.url}/cases")
    shot(browser, "queue")
    browser.find_element(By.LINK_TEXT, number).click()
    arrive(browser, f"/cases/{number}")
    form = browser.find_element(By.ID, "move-ask_correction")
    form.find_element(By.NAME, f"material:{item.materials[1].id}").click()
    form.find_element(By.NAME, "place").send_keys("长春市南关区民政局跨省通办窗口")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    arrive(browser, "done=ask_correction")
    assert "待补正" in browser.find_element(By.TAG_NAME, "main").text
    assert item.materials[1].name.zh in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "case-correction")
    assert "测试申请人7" not in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "form.record button").click()
    arrive(browser, "/record")
    assert "测试申请人7" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "record")
