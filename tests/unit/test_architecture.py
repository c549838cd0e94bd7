"""The import-linter contracts in pyproject.toml hold, and each kind of breach they exist for is caught.

The breaches are written into a copy of the source tree, so the check that runs in CI is shown failing on
exactly the imports docs/architecture.md forbids.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("kiosk", "screens", "devices", "backend")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)})


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "*.json", "data"))
    return copy


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


BREACHES = [
    ("kiosk/core/value.py", "import threading", "The core is pure"),  # a thread in the core
    ("kiosk/core/value.py", "import sqlite3", "The core is pure"),  # storage in the core
    ("kiosk/core/session/machine.py", "from kiosk.shell import runner", "Kiosk layers"),  # core climbs to the shell
    ("kiosk/remote/transport.py", "from kiosk.shell import usage", "Kiosk layers"),  # adapter climbs to the shell
    ("devices/clock.py", "from kiosk.shell import runner", "Drivers import only"),
    ("devices/clock.py", "from backend.contract import protocol", "Drivers import only"),
    ("screens/values.py", "from devices import clock", "The UI renders state"),
    ("screens/values.py", "from kiosk.remote import outbox", "The UI renders state"),
    ("screens/home.py", "from kiosk.composition import root", "Only the entry points"),
    ("kiosk/shell/runner.py", "from kiosk.composition import drivers", "Only the entry points"),
    ("backend/contract/protocol.py", "from kiosk.core import identity", "The wire contract stands alone"),
    ("backend/server/slots.py", "from kiosk.remote import client", "The reference server imports"),
    ("backend/server/slots.py", "from kiosk.shell import runner", "The reference server imports"),
]


@pytest.mark.parametrize(("module", "line", "contract"), BREACHES, ids=[f"{m}:{line}" for m, line, _ in BREACHES])
def test_each_breach_is_caught(tree: Path, module: str, line: str, contract: str) -> None:
    path = tree / module
    original = path.read_text(encoding="utf-8")
    path.write_text(f"{original}\n{line}  # the breach under test\n", encoding="utf-8")
    try:
        result = lint_imports(tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    _, _, broken = result.stdout.partition("Broken contracts")
    assert contract in broken, result.stdout[-3000:]
