"""deploy/: systemd units verified by systemd-analyze, the Ansible playbook, the provisioning script."""

from __future__ import annotations

import configparser
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = ["kiosk.service", "kiosk-nightly-restart.service", "kiosk-nightly-restart.timer",
         "kiosk-out-of-service.service", "kiosk-retry.service", "kiosk-retry.timer", "kiosk-release-check.service",
         "kiosk-release-check.timer", "kiosk-backend.service", "kiosk-backend-backup.service",
         "kiosk-backend-backup.timer"]
EXPOSURE_LIMIT = 4.0  # `systemd-analyze security`: at most this for every long-running unit


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def verify_root(tmp_path: Path, kiosk_unit_text: str,
                drop_ins: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """systemd-analyze verify in a throw-away root that has the system units and the two executables, and the
    drop-ins given (`unit.service.d/name.conf`: text)."""
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    for exe in ("opt/kiosk/current/venv/bin/kiosk", "opt/kiosk/current/venv/bin/kiosk-backend",
                "opt/kiosk/bin/kiosk-release", "opt/kiosk/bin/kiosk-out-of-service",
                "usr/bin/cage", "usr/bin/systemctl", "usr/bin/python3", "bin/sh"):
        path = root / exe
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for name in UNITS:
        shutil.copy(DEPLOY / "systemd" / name, units / name)
    (units / "kiosk.service").write_text(kiosk_unit_text, encoding="utf-8")
    for name, text in (drop_ins or {}).items():
        (units / name).parent.mkdir(parents=True, exist_ok=True)
        (units / name).write_text(text, encoding="utf-8")
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}", *(f"/etc/systemd/system/{n}" for n in UNITS)],
                          capture_output=True, text=True, timeout=60)


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    result = verify_root(tmp_path, (DEPLOY / "systemd/kiosk.service").read_text(encoding="utf-8"))
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


BEHIND_NGINX = "kiosk-backend.service.d/behind-nginx.conf"


def test_the_server_behind_nginx_listens_on_loopback_where_nginx_sends(tmp_path: Path) -> None:
    """deploy/backend's drop-in verifies with the server's unit, and the one address it serves is nginx's upstream."""
    kiosk = (DEPLOY / "systemd/kiosk.service").read_text(encoding="utf-8")
    drop_in = (DEPLOY / "backend" / BEHIND_NGINX).read_text(encoding="utf-8")
    result = verify_root(tmp_path, kiosk, {BEHIND_NGINX: drop_in})
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    commands = [line.removeprefix("ExecStart=") for line in drop_in.splitlines() if line.startswith("ExecStart=")]
    assert commands[0] == "" and len(commands) == 2  # the unit's HTTPS command cleared, one in its place
    listen = re.search(r"--host (\S+) --port (\d+)", commands[1])
    assert listen is not None and listen.groups() == ("127.0.0.1", "8700")
    upstream = (DEPLOY / "backend/nginx-kiosk-backend.conf").read_text(encoding="utf-8")
    assert re.search(r"upstream kiosk_backend \{\s*server 127\.0\.0\.1:8700;", upstream)
    # a drop-in that only cleared the command would leave a service with nothing to run: verify says so
    broken = verify_root(tmp_path / "broken", kiosk, {BEHIND_NGINX: "[Service]\nExecStart=\n"})
    assert "ExecStart" in broken.stderr


def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    text = (DEPLOY / "systemd/kiosk.service").read_text(encoding="utf-8").replace("WatchdogSec=30", "WatchdogSec=soon")
    result = verify_root(tmp_path, text)
    assert "Failed to parse sec value" in result.stderr


def exposure(tmp_path: Path, name: str, text: str) -> float:
    """The overall exposure level `systemd-analyze security` gives a unit file (offline: no running systemd)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(path)], capture_output=True,
                            text=True, timeout=60)
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d)", result.stdout + result.stderr)
    assert found, result.stdout[-2000:] + result.stderr[-2000:]
    return float(found.group(1))


@pytest.mark.parametrize("name", ["kiosk.service", "kiosk-out-of-service.service", "kiosk-backend.service"])
def test_units_are_hardened(tmp_path: Path, name: str) -> None:
    level = exposure(tmp_path, name, (DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    assert level <= EXPOSURE_LIMIT, f"{name}: exposure {level} > {EXPOSURE_LIMIT}"


def test_the_exposure_check_catches_a_unit_without_its_sandbox(tmp_path: Path) -> None:
    text = (DEPLOY / "systemd/kiosk.service").read_text(encoding="utf-8")
    bare = text.split("# Hardening that still lets")[0] + "\n[Install]\nWantedBy=graphical.target\n"
    assert exposure(tmp_path, "kiosk.service", bare) > EXPOSURE_LIMIT


def test_a_kiosk_that_cannot_start_shows_why_and_tries_again() -> None:
    kiosk = unit("kiosk.service")
    assert kiosk["Unit"]["OnFailure"] == "kiosk-out-of-service.service"
    screen = unit("kiosk-out-of-service.service")
    assert "kiosk.service" in screen["Unit"]["Conflicts"].split()  # starting the kiosk again clears the screen
    assert "kiosk-out-of-service" in screen["Service"]["ExecStart"] and "cage" in screen["Service"]["ExecStart"]
    retry = unit("kiosk-retry.service")["Service"]["ExecStart"]
    assert "reset-failed kiosk.service" in retry and "start --no-block kiosk.service" in retry
    assert unit("kiosk-retry.timer")["Timer"]["OnUnitActiveSec"] == "5min"
    nightly = unit("kiosk-nightly-restart.service")["Service"]
    assert "reset-failed kiosk.service" in nightly["ExecStartPre"]
    assert nightly["ExecStart"].endswith("restart kiosk.service")


def test_kiosk_unit_restarts_watches_and_runs_unprivileged() -> None:
    service = unit("kiosk.service")["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "all"
    assert service["Restart"] == "always" and int(service["WatchdogSec"]) > 0
    assert service["User"] == "kiosk"  # cage refuses to run as root
    assert service["ExecStart"].startswith("/usr/bin/cage ") and "kiosk run" in service["ExecStart"]
    assert "config check" in service["ExecStartPre"]
    assert "pcscd.socket" in unit("kiosk.service")["Unit"]["Wants"]
    assert unit("kiosk-nightly-restart.timer")["Timer"]["OnCalendar"].endswith("03:30:00")
    journald = (DEPLOY / "systemd/journald.conf.d/kiosk.conf").read_text(encoding="utf-8")
    assert "SystemMaxUse=" in journald


def fake_artefact(folder: Path) -> Path:
    artefact = folder / "kiosk-9.9.9.tar"
    artefact.write_bytes(b"not installed in check mode")
    digest = hashlib.sha256(artefact.read_bytes()).hexdigest()
    artefact.with_name(artefact.name + ".sha256").write_text(f"{digest}  {artefact.name}\n", encoding="utf-8")
    return artefact


def provision(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str], str]:
    """deploy/provision.sh with a stand-in ansible-playbook that records what it was asked to run."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "ansible-args"
    stub = bin_dir / "ansible-playbook"
    stub.write_text(f'#!/bin/sh\nfor a in "$@"; do echo "$a"; done > {record}\n'
                    f'for a in "$@"; do case "$a" in site_config_file=*) cat "${{a#site_config_file=}}" '
                    f'> {tmp_path / "staged.toml"};; esac; done\n', encoding="utf-8")
    stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", str(DEPLOY / "provision.sh"), *args], capture_output=True, text=True,
                            timeout=60, env=env)
    argv = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    staged = (tmp_path / "staged.toml").read_text(encoding="utf-8") if (tmp_path / "staged.toml").exists() else ""
    return result, argv, staged


def test_provisioning_is_the_playbook_for_one_machine(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    shutil.copy(ROOT / "config/kiosk.toml", site)
    artefact = fake_artefact(tmp_path)
    result, argv, staged = provision(tmp_path, "--site-config", str(site), "--profile", "sam-serial-80mm",
                                     "--artefact", str(artefact), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert argv[0] == "-i" and argv[2].endswith("deploy/ansible/site.yml") and "--check" in argv
    assert f"release_artefact={artefact}" in argv
    assert 'device_profile = "sam-serial-80mm"' in staged and 'data_dir = "/var/lib/kiosk/data"' in staged
    assert 'key_dir = "/var/lib/kiosk/keys"' in staged
    missing = subprocess.run(["bash", str(DEPLOY / "provision.sh"), "--dry-run"], capture_output=True, text=True)
    assert missing.returncode == 2 and "--site-config PATH is required" in missing.stderr
    no_artefact, _, _ = provision(tmp_path, "--site-config", str(site), "--dry-run")
    assert no_artefact.returncode == 2 and "--artefact PATH is required" in no_artefact.stderr


def test_the_playbook_checks_the_config_with_the_new_release_before_it_goes_live() -> None:
    import yaml

    tasks = yaml.safe_load((DEPLOY / "ansible/kiosk.yml").read_text(encoding="utf-8"))[0]["tasks"]
    names = [t["name"] for t in tasks]

    def at(start: str) -> int:
        return next(i for i, n in enumerate(names) if n.startswith(start))

    install, check = at("Install the release"), at("Check the staged configuration")
    assert install < check < at("Make the checked configuration live") < at("Enable the kiosk")
    command = tasks[check]["ansible.builtin.command"]
    assert "runuser -u kiosk -- {{ release_dir }}/venv/bin/kiosk config check" in command
    handlers = yaml.safe_load((DEPLOY / "ansible/kiosk.yml").read_text(encoding="utf-8"))[0]["handlers"]
    assert "request-restart" in handlers[0]["ansible.builtin.command"]  # between citizens, never a restart


def ansible(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0"}
    return subprocess.run(["ansible-playbook", *args], cwd=DEPLOY / "ansible", capture_output=True, text=True,
                          timeout=600, env=env)


def test_playbook_syntax(tmp_path: Path) -> None:
    result = ansible("-i", "inventory/example.yml", "site.yml", "--syntax-check",
                     "-e", f"release_artefact={fake_artefact(tmp_path)}")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="check mode of apt and user tasks needs root (CI runs as root)")
def test_playbook_check_mode_against_localhost(tmp_path: Path) -> None:
    result = ansible("-i", "inventory/localhost.yml", "site.yml", "--check",
                     "-e", f"release_artefact={fake_artefact(tmp_path)}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout and "unreachable=0" in result.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="check mode of apt and user tasks needs root (CI runs as root)")
def test_backend_play_check_mode_against_localhost(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("all:\n  children:\n    backend:\n      hosts:\n        localhost:\n"
                         "          ansible_connection: local\n"
                         "          ansible_python_interpreter: /usr/bin/python3\n", encoding="utf-8")
    (tmp_path / "tls.crt").write_text("certificate\n", encoding="utf-8")
    (tmp_path / "tls.key").write_text("key\n", encoding="utf-8")
    result = ansible("-i", str(inventory), "backend.yml", "--check",
                     "-e", f"server_release_artefact={fake_artefact(tmp_path)}",
                     "-e", f"backend_tls_cert={tmp_path / 'tls.crt'}", "-e", f"backend_tls_key={tmp_path / 'tls.key'}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout


def test_playbook_template_renders_a_valid_config(tmp_path: Path) -> None:
    """The template the fleet uses must produce a kiosk.toml that `kiosk config check` accepts."""
    import json

    import jinja2

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters["to_json"] = json.dumps
    template = environment.from_string((DEPLOY / "ansible/templates/kiosk.toml.j2").read_text(encoding="utf-8"))
    text = template.render(inventory_hostname="k1", kiosk_id="JL-220102-001", device_profile="simulated",
                           backend_url="local", site={"name": "长春市南关区自助服务区", "address": "吉林省长春市",
                                                      "consult_phone": "0431-12345", "division_code": "220102"})
    (tmp_path / "kiosk.toml").write_text(text.replace("/var/lib/kiosk", str(tmp_path)), encoding="utf-8")
    shutil.copytree(ROOT / "config/devices", tmp_path / "devices")
    from kiosk.storage.config import load_config

    assert load_config(tmp_path / "kiosk.toml").settings.kiosk_id == "JL-220102-001"
    from kiosk.shell.maintenance import hash_pin

    staffed = template.render(inventory_hostname="k1", kiosk_id="JL-220102-001", device_profile="simulated",
                              backend_url="local", site={"name": "长春市南关区自助服务区", "address": "吉林省长春市",
                                                         "consult_phone": "0431-12345", "division_code": "220102"},
                              kiosk_staff=[{"name": "王丽", "pin_scrypt": hash_pin("90517362")},
                                           {"name": "李强", "card_sha256": ["ab" * 32]}])
    (tmp_path / "kiosk.toml").write_text(staffed.replace("/var/lib/kiosk", str(tmp_path)), encoding="utf-8")
    assert [m.name for m in load_config(tmp_path / "kiosk.toml").settings.staff] == ["王丽", "李强"]
