"""The host a security reviewer signs off: usbguard rules that usbguard itself parses and that allow only the
configured devices and staff sticks, time sync to the configured servers, unattended security upgrades in the
maintenance window."""

from __future__ import annotations

import shutil
import subprocess

import jinja2
import pytest

from tests.conftest import ROOT

TEMPLATES = ROOT / "deploy/ansible/templates"


def render(name: str, **values: object) -> str:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return environment.from_string((TEMPLATES / name).read_text(encoding="utf-8")).render(**values)


def rules(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def parses(rule: str) -> bool:
    return subprocess.run(["usbguard-rule-parser", rule], capture_output=True, timeout=10).returncode == 0


@pytest.mark.skipif(shutil.which("usbguard-rule-parser") is None, reason="usbguard is in scripts/apt/test-deploy.txt")
def test_usbguard_rules_parse_and_allow_only_what_is_configured() -> None:
    text = render("usbguard-rules.conf.j2", usb_devices=[{"id": "1234:5678", "name": "touch panel"}],
                  usb_staff_sticks=[{"id": "0781:5567", "serial": "4C530001", "name": "南关区 staff stick"}])
    lines = rules(text)
    assert lines and all(parses(line) for line in lines), [line for line in lines if not parses(line)]
    assert all(line.startswith("allow ") for line in lines)  # usbguard's ImplicitPolicyTarget blocks the rest
    storage = [line for line in lines if "08:*:*" in line]
    assert storage == ['allow id 0781:5567 serial "4C530001" with-interface equals { 08:*:* } label "南关区 staff '
                       'stick"']  # mass storage only for the listed stick, by serial
    assert not any("03:01" in line for line in lines)  # no boot keyboards: nobody types into the kiosk
    assert 'allow id 1234:5678 label "touch panel"' in lines
    assert not parses("allow id 0781:5567 serial")  # the parser does refuse a broken rule


def test_time_sync_and_upgrades_follow_the_inventory() -> None:
    assert "NTP=ntp1.jl.example ntp2.jl.example" in render("timesyncd.conf.j2",
                                                           ntp_servers=["ntp1.jl.example", "ntp2.jl.example"])
    window = render("apt-daily-upgrade-window.conf.j2", maintenance_window="01:30")
    assert "OnCalendar=\nOnCalendar=*-*-* 01:30" in window
    upgrades = render("52kiosk-unattended-upgrades.j2")
    assert "label=Debian-Security" in upgrades and 'Automatic-Reboot-Time "03:00"' in upgrades
    assert 'APT::Periodic::Unattended-Upgrade "1"' in render("20auto-upgrades.j2")
    host = (ROOT / "scripts/apt/kiosk-host.txt").read_text(encoding="utf-8")
    assert all(p in host for p in ("usbguard", "systemd-timesyncd", "unattended-upgrades", "python3-tk"))
    base = (ROOT / "scripts/apt/base.txt").read_text(encoding="utf-8")
    assert not any(line.split("#")[0].strip() in ("gcc", "swig", "python3-dev", "xvfb") for line in base.splitlines())
