"""The fleet in real Chromium against the real kiosk app: the kiosk of the UI tests (its Kivy window on the
virtual display, its simulated printer, its embedded backend) reports paper near its end and the console flags
it within one heartbeat; a clerk takes it out of service from the browser and the kiosk shows its
out-of-service screen with the clerk's message, then reports that it did."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from backend.server.staff import StaffError, add_account
from kiosk.core.health import Reason
from kiosk.shell.patience import patient
from tests.console.conftest import PASSWORD, Console
from tests.console.test_console_browser import sign_in
from tests.ui.harness import ROOT, Harness

HEARTBEAT_S = 2.0  # the kiosk's heartbeat interval in this test (a minute in service)
SHOTS = Path(os.environ.get("KIOSK_CONSOLE_SHOTS", ROOT / "var" / "console-screenshots"))
MESSAGE = "设备维护中，请到 3 号窗口办理"


def reload_until(browser: Any, url: str, found: Any, timeout_s: float, pump: Any) -> float:
    """Load `url` until `found(browser)` holds; returns the seconds it took."""
    started = time.monotonic()
    deadline = started + patient(timeout_s)
    while True:
        browser.get(url)
        if found(browser):
            return time.monotonic() - started
        assert time.monotonic() < deadline, f"not on the page within {timeout_s} s: {browser.title}"
        pump()
        time.sleep(0.2)


def test_paper_near_end_is_flagged_and_out_of_service_reaches_the_kiosk(harness_session: Harness, browser: Any
                                                                       ) -> None:
    kiosk = harness_session
    kiosk.reset("console_fleet")
    backend = kiosk.backend.started()
    with contextlib.suppress(StaffError):  # the kiosk app lives for the whole run
        add_account(backend.server.state, "clerk", "clerk", PASSWORD)
    console = Console(backend.server)
    kiosk_id = kiosk.app.kiosk_id
    SHOTS.mkdir(parents=True, exist_ok=True)
    backend.heartbeat_interval_s = HEARTBEAT_S
    backend._wake.set()
    try:
        sign_in(browser, console, "clerk")
        kiosk.printer.inject(Reason.PAPER_NEAR_END)
        kiosk.report_health()  # what the health monitor posts at its next look at the printer

        def flagged(page: Any) -> bool:
            rows = page.find_elements(By.CSS_SELECTOR, f'tr[data-alert="paper_near_end"][data-kiosk="{kiosk_id}"]')
            return bool(rows) and "纸将用完" in page.find_element(By.ID, f"kiosk-{kiosk_id}").text

        took = reload_until(browser, f"{console.url}/fleet", flagged, HEARTBEAT_S + 8, lambda: kiosk.pilot.frames(1))
        assert took < patient(HEARTBEAT_S + 8)
        row = browser.find_element(By.ID, f"kiosk-{kiosk_id}").text
        assert "备好新纸卷，尽快更换" in row and "在服务" in row
        browser.save_screenshot(str(SHOTS / "fleet.png"))

        # the fleet page reloads itself every 15 s: on a loaded machine that can fall between finding the link and
        # clicking it, so the click is retried on the reloaded page (as a person clicks again)
        WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda page: page.find_element(By.LINK_TEXT, kiosk_id).click() or True)
        WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "message")))
        browser.find_element(By.ID, "message").send_keys(MESSAGE)
        browser.find_element(By.ID, "out-of-service-on").click()
        WebDriverWait(browser, 10).until(expected_conditions.url_contains("notice=queued"))

        kiosk.pilot.wait_for_screen("out_of_service", timeout_s=HEARTBEAT_S + 10)
        assert any(MESSAGE in text for text in kiosk.pilot.visible_texts())
        kiosk.shot("out_of_service_from_console")

        def reported(page: Any) -> bool:
            return "完成：已暂停服务" in page.find_element(By.CSS_SELECTOR, "table.commands").text

        reload_until(browser, f"{console.url}/fleet/{kiosk_id}", reported, HEARTBEAT_S + 8,
                     lambda: kiosk.pilot.frames(1))
        assert "clerk" in browser.find_element(By.CSS_SELECTOR, "table.commands").text
        browser.save_screenshot(str(SHOTS / "kiosk.png"))
    finally:
        kiosk.printer.inject(None)
        kiosk.app.desk.clear_out_of_service()
        backend.heartbeat_interval_s = 60.0
        kiosk.pilot.wait_for_screen("home")
