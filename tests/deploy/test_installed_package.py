"""The kiosk as a deployer gets it: the release artefact built from this tree (scripts/release.sh: the wheel and
the locked dependencies), installed by deploy/bin/kiosk-release into a temporary root outside the clone (a fresh
virtual environment, not editable), run from a folder outside the clone. Its configuration, catalog, device
profiles, compiled screen texts and kv files must come from the package itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
SYSTEM_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable  # the tool's shebang


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    home: Path  # the working folder, outside the clone; also $KIOSK_STATE_DIR's parent

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("KIOSK_", "PYTHON", "VIRTUAL_ENV")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(HOME=str(self.home), KIOSK_STATE_DIR=str(self.home / "state"),
                   KIOSK_ETC_DIR=str(self.home / "no-etc"), PATH=f"{self.venv / 'bin'}:{env.get('PATH', '')}")
        env.update(extra)
        return env

    def run(self, *args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.venv / "bin" / args[0]), *args[1:]], cwd=self.home, env=self.env(**extra),
                              capture_output=True, text=True, timeout=timeout)


def build_artefact(out: Path) -> Path:
    """The release artefact of this tree, as CI and an operator build it (after a build that left a stale file)."""
    stale = ROOT / "build" / "lib" / "kiosk" / "stale_module_from_an_earlier_build.py"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("# a module deleted since the last build must not come back\n", encoding="utf-8")
    result = subprocess.run(["bash", str(ROOT / "scripts/release.sh"), "--lock", "demo", "--out", str(out)],
                            capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHON": sys.executable})
    assert result.returncode == 0, result.stderr[-3000:]
    (artefact,) = out.glob("kiosk-*.tar")
    return artefact


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("installed")
    assert not base.resolve().is_relative_to(ROOT.resolve())
    artefact = build_artefact(base / "dist")
    root = base / "root"
    env = {**os.environ, "KIOSK_RELEASE_ROOT": str(root), "KIOSK_RELEASE_PYTHON": SYSTEM_PYTHON}
    for command in (["install", str(artefact)], ["start"]):
        result = subprocess.run([SYSTEM_PYTHON, str(ROOT / "deploy/bin/kiosk-release"), *command], env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
    current = root / "opt/kiosk/current"
    (wheel,) = current.glob("kiosk-*/wheels/jilin_kuasheng_kiosk-*.whl")
    (base / "home").mkdir()
    yield Installed(wheel, current / "venv", base / "home")
    shutil.rmtree(base, ignore_errors=True)


def test_the_wheel_ships_the_defaults_and_no_stale_build_files(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "kiosk/defaults/kiosk.toml" in names
    assert {f"kiosk/defaults/devices/{p.name}" for p in (ROOT / "config/devices").glob("*.toml")} <= names
    assert {f"kiosk/defaults/catalog/items/{p.name}" for p in (ROOT / "config/catalog/items").glob("*.toml")} <= names
    assert {f"kiosk/defaults/locales/{lang}/LC_MESSAGES/kiosk.mo" for lang in ("zh", "ko", "en")} <= names
    assert {f"screens/{p.name}" for p in (ROOT / "screens").glob("*.kv")} <= names
    assert "screens/data/pinyin_index.json" in names and "kiosk/_version.py" in names
    assert not any("stale_module_from_an_earlier_build" in n for n in names)
    assert not any(n.startswith(("config/", "tests/", "var/")) for n in names)


def test_both_commands_say_one_version(installed: Installed) -> None:
    kiosk = installed.run("kiosk", "--version")
    backend = installed.run("kiosk-backend", "--version")
    from_metadata = installed.run("python", "-c", "import importlib.metadata as m, kiosk; "
                                  "print(m.version('jilin-kuasheng-kiosk'), kiosk.__version__)")
    version = installed.wheel.name.split("-")[1]
    assert kiosk.stdout.strip() == f"kiosk {version}" and backend.stdout.strip() == f"kiosk-backend {version}"
    assert from_metadata.stdout.split() == [version, version]
    assert version != "0.1.0" and "unknown" not in version.split("+")[0]


def test_config_and_catalog_check_from_the_installed_package(installed: Installed) -> None:
    config = installed.run("kiosk", "config", "check")
    assert config.returncode == 0, config.stderr
    site_packages = next((installed.venv.resolve() / "lib").glob("python3*/site-packages"))
    assert f"configuration OK: {site_packages}/kiosk/defaults/kiosk.toml" in config.stdout
    assert f"data       {installed.home / 'state'}/var/data" in config.stdout  # never inside site-packages
    catalog = installed.run("kiosk", "catalog", "check")
    assert catalog.returncode == 0 and catalog.stdout.startswith("catalog OK: 14 items"), catalog.stderr
    listed = installed.run("kiosk", "catalog", "list", "--json")
    assert len(json.loads(listed.stdout)) == 14


def test_an_operator_config_in_etc_uses_the_shipped_profiles_and_catalog(installed: Installed) -> None:
    """What the playbook renders into /etc/kiosk: kiosk.toml only; profiles and catalog come from the package,
    and a profile the operator puts into /etc/kiosk/devices wins over the shipped one."""
    etc = installed.home / "etc-kiosk"
    (etc / "devices").mkdir(parents=True)
    text = (ROOT / "config/kiosk.toml").read_text(encoding="utf-8")
    text = text.replace('kiosk_id = "JL-220102-001"', 'kiosk_id = "JL-220102-777"').replace("../var", str(etc / "var"))
    (etc / "kiosk.toml").write_text(text, encoding="utf-8")
    checked = installed.run("kiosk", "config", "check", KIOSK_ETC_DIR=str(etc))
    assert checked.returncode == 0 and f"configuration OK: {etc}/kiosk.toml" in checked.stdout, checked.stderr
    assert "JL-220102-777" in checked.stdout and "simulated <- base" in checked.stdout
    (etc / "devices/simulated.toml").write_text('inherits = "base"\ndescription = "the site\'s own"\n'
                                                "[reader]\ndriver = \"simulated\"\n"
                                                "[printer.connection]\nkind = \"simulated\"\n", encoding="utf-8")
    local = installed.run("kiosk", "config", "check", KIOSK_ETC_DIR=str(etc))
    assert "the site's own" in local.stdout, local.stderr
    (etc / "devices/simulated.toml").write_text("inherits = 3\n", encoding="utf-8")
    broken = installed.run("kiosk", "config", "check", KIOSK_ETC_DIR=str(etc))
    assert broken.returncode == 2
    said = "etc-kiosk/devices/simulated.toml: inherits: 须为设备配置的名称（加引号） | must be a profile name"
    assert said in broken.stderr


def test_the_headless_demo_runs_from_the_installed_package(installed: Installed) -> None:
    out = installed.home / "demo-out"
    result = installed.run("kiosk", "demo", "--headless", "--out", str(out), timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "session wiped: True" in result.stdout
    assert list(out.glob("receipt-*.png")) and len(list(out.glob("*.png"))) >= 10
    site_packages = next((installed.venv.resolve() / "lib").glob("python3*/site-packages"))
    assert not (site_packages / "kiosk" / "var").exists() and not (site_packages / "var").exists()
    assert (installed.home / "state" / "var" / "data").is_dir()
