"""Fixtures for the staff console: a real backend on a loopback port with staff accounts of each role, a
`requests` session that signs in like a browser does, and real Chromium (Debian's chromium + chromium-driver,
installed by scripts/test.sh from scripts/apt/test-console.txt) driven by Selenium."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from backend.server.admin import enroll
from backend.server.staff import add_account
from kiosk.composition.embedded_backend import LocalServer
from kiosk.core.catalog import Catalog
from tests.backend.conftest import serve
from tests.backend.samples import KIOSK_ID, make_catalog

PASSWORD = "counter-window-7"
ACCOUNTS = {"admin": "administrator", "clerk": "clerk", "viewer": "viewer"}
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@dataclass
class Console:
    server: LocalServer

    @property
    def url(self) -> str:
        return self.server.url + "/console"

    def signed_in(self, name: str, password: str = PASSWORD) -> requests.Session:
        """A session that went through the sign-in form as a browser would (its CSRF cookie and field)."""
        session = requests.Session()
        form = session.get(f"{self.url}/login", timeout=10)
        response = session.post(f"{self.url}/login", data={"name": name, "password": password,
                                                            "csrf_token": csrf_of(form.text)},
                                allow_redirects=False, timeout=10)
        assert response.status_code == 303, response.text
        return session


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture(scope="session")
def console_catalog() -> Catalog:
    return make_catalog()


@pytest.fixture
def console(tmp_path: Path, console_catalog: Catalog) -> Iterator[Console]:
    server = serve(f"sqlite:///{tmp_path / 'server.sqlite3'}", tmp_path / "server-keys", console_catalog)
    enroll(server.state, KIOSK_ID)
    for name, role in ACCOUNTS.items():
        add_account(server.state, name, role, PASSWORD)
    yield Console(server)
    server.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing: scripts/apt/test-console.txt should have installed them")
        pytest.skip(f"no {', '.join(missing)}: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                     "--lang=zh-CN", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
