"""deploy/ pieces that maintenance mode relies on: reboot through polkit, the USB stick for the log export,
the journal readable for it, and the watchdog the app feeds."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.deploy.test_units_and_playbook import unit

DEPLOY = ROOT / "deploy"


def test_polkit_lets_only_the_kiosk_user_reboot() -> None:
    rule = (DEPLOY / "polkit/49-kiosk.rules").read_text(encoding="utf-8")
    actions = set(re.findall(r'"(org\.freedesktop\.[a-z0-9.\-]+)"', rule))
    assert actions == {"org.freedesktop.login1.reboot", "org.freedesktop.login1.reboot-multiple-sessions",
                       "org.freedesktop.login1.reboot-ignore-inhibit"}
    assert 'subject.user == "kiosk"' in rule and rule.count("polkit.Result.YES") == 1
    assert rule.count("{") == rule.count("}") and rule.count("(") == rule.count(")")


def test_the_unit_can_write_the_usb_stick_and_read_its_journal() -> None:
    service = unit("kiosk.service")["Service"]
    assert "-/media/kiosk-usb" in service["ReadWritePaths"].split()
    assert "systemd-journal" in service["SupplementaryGroups"].split()
    assert int(service["WatchdogSec"]) >= 10 and service["NotifyAccess"] == "all"
    rules = (DEPLOY / "udev/99-kiosk.rules").read_text(encoding="utf-8")
    mount = next(line for line in rules.splitlines() if "systemd-mount" in line)
    assert 'ENV{ID_BUS}=="usb"' in mount and "/media/kiosk-usb" in mount and "noexec" in mount
    assert "uid=kiosk" in mount and "umask=0077" in mount


def test_the_playbook_installs_the_polkit_rule_and_the_mount_point() -> None:
    playbook = (DEPLOY / "ansible/kiosk.yml").read_text(encoding="utf-8")
    assert "/etc/polkit-1/rules.d/49-kiosk.rules" in playbook and "path: /media/kiosk-usb" in playbook
    assert "systemd-journal" in playbook
