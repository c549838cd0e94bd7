"""The playbook for real (the tasks `--check` skips) against a Debian 12 chroot: provision.sh with a release
artefact built from this tree, run twice (the second changes little), then the kiosk as kiosk.service starts it
(ExecStartPre `kiosk-release start`, the config check as the kiosk user, ExecStartPost `confirm`), the headless
demo by the kiosk user from /opt/kiosk/current, and systemd-analyze verify of the installed units.

Runs only with $KIOSK_TEST_CHROOT (scripts/chroot-playbook-test.sh makes the chroot and sets it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROOT = os.environ.get("KIOSK_TEST_CHROOT", "")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROOT, reason="needs a Debian 12 chroot: scripts/chroot-playbook-test.sh")]


def inside(command: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["chroot", CHROOT, "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                           "HOME=/root", "LANG=C.UTF-8", "ANSIBLE_NOCOLOR=1", "/bin/sh", "-c", command],
                          capture_output=True, text=True, timeout=timeout)


def recap(output: str) -> dict[str, int]:
    found = re.search(r"localhost\s*:\s*(.*)", output.split("PLAY RECAP")[-1])
    assert found, output[-3000:]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", found.group(1))}


def test_the_playbook_provisions_a_kiosk_that_runs(tmp_path: Path) -> None:
    root = Path(CHROOT)
    source = root / "root/kiosk-src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = root / "root/dist"
    shutil.rmtree(dist, ignore_errors=True)
    built = subprocess.run(["bash", str(ROOT / "scripts/release.sh"), "--lock", "demo", "--out", str(dist)],
                           capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHON": sys.executable})
    assert built.returncode == 0, built.stderr[-3000:]
    (artefact,) = dist.glob("kiosk-*.tar")
    version = artefact.name.removeprefix("kiosk-").removesuffix(".tar")
    provision = (f"bash /root/kiosk-src/deploy/provision.sh --site-config /root/kiosk-src/config/kiosk.toml "
                 f"--artefact /root/dist/{artefact.name}")
    first = inside(provision)
    assert first.returncode == 0 and recap(first.stdout)["failed"] == 0, first.stdout[-4000:] + first.stderr[-2000:]
    second = inside(provision)
    assert second.returncode == 0 and recap(second.stdout)["changed"] <= 2, second.stdout[-4000:]

    assert (root / f"opt/kiosk/releases/{version}/.installed").is_file()
    assert oct((root / "etc/kiosk/devices").stat().st_mode & 0o777) == "0o750"
    assert "NTP=ntp.ntsc.ac.cn" in (root / "etc/systemd/timesyncd.conf.d/kiosk.conf").read_text(encoding="utf-8")
    assert (root / "etc/usbguard/rules.conf").is_file() and (root / "etc/polkit-1/rules.d/49-kiosk.rules").is_file()
    started = inside("/opt/kiosk/bin/kiosk-release start && readlink /opt/kiosk/current && "
                     "runuser -u kiosk -- /opt/kiosk/current/venv/bin/kiosk config check /etc/kiosk/kiosk.toml && "
                     "/opt/kiosk/bin/kiosk-release confirm && /opt/kiosk/bin/kiosk-release status --json")
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"releases/{version}" in started.stdout and f'"good": "{version}"' in started.stdout
    demo = inside("cd /tmp && rm -rf /tmp/demo-out && runuser -u kiosk -- env HOME=/var/lib/kiosk "
                  "KIVY_HOME=/var/lib/kiosk/kivy /opt/kiosk/current/venv/bin/kiosk demo --headless --out /tmp/demo-out",
                  timeout=600)
    assert demo.returncode == 0 and "session wiped: True" in demo.stdout, demo.stdout[-2000:] + demo.stderr[-2000:]
    units = [f"/etc/systemd/system/{u}" for u in ("kiosk.service", "kiosk-out-of-service.service",
                                                   "kiosk-retry.timer", "kiosk-release-check.timer")]
    verified = subprocess.run(["systemd-analyze", "verify", f"--root={CHROOT}", *units], capture_output=True,
                              text=True, timeout=120)
    assert verified.returncode == 0, verified.stderr
