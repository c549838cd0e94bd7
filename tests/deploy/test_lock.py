"""requirements/*.lock against pyproject.toml: every dependency a lock is for is pinned there, at a version the
specifier allows, with hashes; a kiosk's lock carries no server stack. `bash scripts/lock.sh` regenerates them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

LOCKS = {"kiosk": ("kiosk",), "server": ("server",), "demo": ("kiosk", "server")}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def pins(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a lock file written by uv or pip-compile."""
    found: dict[str, tuple[str, int]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            found[current] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def wanted(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        requirements += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return requirements


def mismatches(lock: dict[str, tuple[str, int]], requirements: list[Requirement]) -> list[str]:
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in lock:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(lock[name][0], prereleases=True):
            problems.append(f"{requirement}: the lock pins {lock[name][0]}")
    problems += [f"{name}=={version} has no hash" for name, (version, hashes) in lock.items() if hashes == 0]
    return problems


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_each_lock_pins_what_pyproject_asks_for(name: str) -> None:
    lock = pins(ROOT / "requirements" / f"{name}.lock")
    assert mismatches(lock, wanted(LOCKS[name])) == []


def test_a_kiosk_carries_no_server_stack_and_no_test_tools() -> None:
    kiosk = pins(ROOT / "requirements/kiosk.lock")
    assert not {"fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg", "pytest", "mypy"} & set(kiosk)
    assert "kivy" in kiosk and "pyscard" in kiosk
    assert "kivy" not in pins(ROOT / "requirements/server.lock")


def test_the_check_catches_a_lock_that_fell_behind() -> None:
    lock = pins(ROOT / "requirements/kiosk.lock")
    stale = {**lock, "pydantic": ("1.10.0", 2)}
    del stale["kivy"]
    problems = mismatches(stale, wanted(("kiosk",)))
    assert any(p.startswith("pydantic") and "1.10.0" in p for p in problems)
    assert any(p.startswith("kivy==2.3.1 is not in the lock") for p in problems)
    assert mismatches({**lock, "six": ("1.17.0", 0)}, []) == ["six==1.17.0 has no hash"]
