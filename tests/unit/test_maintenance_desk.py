"""The maintenance desk without a screen: entry by PIN and card, the lockout kept across a restart, the
readiness report's content, staff out-of-service kept across a restart, redacted log export, and the
restart/reboot dry run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from kiosk import __version__
from kiosk.cli.main import main as kiosk_main
from kiosk.composition.root import Kiosk
from kiosk.core.health import Component, Health, Reason
from kiosk.core.problems import ConfigError
from kiosk.core.session import Lifecycle
from kiosk.core.session import events as ev
from kiosk.core.settings import KioskSettings, ReaderProfile
from kiosk.core.slips import Slip, Text
from kiosk.shell.health_monitor import HealthMonitor
from kiosk.shell.log_export import ExportError, export_logs, redact_line
from kiosk.shell.maintenance import hash_pin
from kiosk.shell.maintenance_desk import MaintenanceDesk, card_hash
from kiosk.shell.system_actions import SystemActions
from kiosk.storage.config import load_config

PIN = "24681357"
PIN_HASH = hash_pin(PIN)


def desk_for(kiosk: Kiosk, now: list[float] | None = None, system: SystemActions | None = None) -> MaintenanceDesk:
    p = kiosk.ports
    monitor = HealthMonitor(kiosk.inbox.put, p.reader, p.printer, p.backend, p.speech, kiosk.config.data_dir)
    clock = now or [1_000_000.0]
    desk = MaintenanceDesk(kiosk.config, lambda: kiosk.state, p, kiosk.inbox.put, monitor.check_now, system,
                           now=lambda: clock[0], card_reader=p.reader)  # type: ignore[arg-type]
    desk.pin_hash = PIN_HASH
    desk.staff_cards = frozenset({card_hash("04A1B2C3")})
    return desk


def test_pin_enters_and_wipes_the_session(headless_kiosk: Kiosk) -> None:
    desk = desk_for(headless_kiosk)
    headless_kiosk.dispatch(ev.CategoryChosen("disability"))
    assert headless_kiosk.state.session is not None
    assert desk.try_pin(PIN).ok
    headless_kiosk.pump()
    assert headless_kiosk.state.lifecycle == Lifecycle.MAINTENANCE and headless_kiosk.state.session is None
    desk.leave()
    headless_kiosk.pump()
    assert headless_kiosk.state.lifecycle == Lifecycle.READY
    assert [e["action"] for e in desk.audit.entries()] == ["enter", "exit"]


def test_lockout_counts_survive_a_restart_and_expire(headless_kiosk: Kiosk) -> None:
    clock = [1_000_000.0]
    desk = desk_for(headless_kiosk, clock)
    assert [desk.try_pin("11111111").code for _ in range(4)] == ["wrong_pin"] * 4
    assert desk.try_pin("11111111").code == "locked"
    again = desk_for(headless_kiosk, clock)  # the app restarted (the watchdog, the nightly timer)
    assert again.try_pin(PIN).code == "locked" and again.locked_s() == 300
    clock[0] += 301
    assert again.try_pin(PIN).ok


def test_only_listed_cards_enter_and_the_uid_is_not_recorded(headless_kiosk: Kiosk) -> None:
    desk = desk_for(headless_kiosk)
    assert desk.try_card("DEADBEEF").code == "unknown_card"
    reader = headless_kiosk.ports.reader
    reader.present_staff_card("04a1b2c3")  # type: ignore[attr-defined]
    assert desk.read_card(1.0).ok
    audit = desk.audit.path.read_text(encoding="utf-8")
    assert "04A1B2C3" not in audit.upper() and "DEADBEEF" not in audit.upper()
    assert desk.actor is not None and desk.actor.startswith("card:")


class Capturing:
    """Wraps the printer port and keeps every slip it was given."""

    def __init__(self, printer: object) -> None:
        self.printer = printer
        self.slips: list[tuple[str, Slip]] = []

    def print_slip(self, job_id: str, slip: Slip) -> None:
        self.slips.append((job_id, slip))
        self.printer.print_slip(job_id, slip)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.printer, name)


def slip_lines(slip: Slip) -> list[str]:
    return [b.text for b in slip.blocks if isinstance(b, Text)]


def test_readiness_report_lists_each_component_and_the_verdict(headless_kiosk: Kiosk) -> None:
    from dataclasses import replace

    capture = Capturing(headless_kiosk.ports.printer)
    headless_kiosk.ports = replace(headless_kiosk.ports, printer=capture)  # type: ignore[arg-type]
    desk = desk_for(headless_kiosk)
    headless_kiosk.ports.reader.unplug()  # type: ignore[attr-defined]
    outcome = desk.print_readiness()
    # the kiosk serves without a reader (citizens type the number in), so the verdict says open, with the limit
    assert outcome.ok and outcome.detail == "ready" and outcome.fact("verdict") == "limited"
    assert outcome.fact("limits") == "reader"
    lines = slip_lines(capture.slips[-1][1])
    text = "\n".join(lines)
    assert "终端编号：JL-220102-001" in text and "可以开放服务" in text and "暂不能开放服务" not in text
    assert any(line.startswith("读卡器：不可用 — 读卡器暂不可用") for line in lines)
    assert "reader: no_reader simulated reader unplugged" in text, "the engineer's part keeps the ids"
    assert any(line.startswith("打印机：正常") for line in lines) and f"软件版本：{__version__}" in text
    headless_kiosk.ports.reader.unplug(False)  # type: ignore[attr-defined]
    assert desk.print_readiness().detail == "ready"
    assert "可以开放服务" in "\n".join(slip_lines(capture.slips[-1][1]))


def test_paper_replaced_looks_at_the_printer_now(headless_kiosk: Kiosk) -> None:
    desk = desk_for(headless_kiosk)
    printer = headless_kiosk.ports.printer
    printer.inject(Reason.PAPER_OUT)  # type: ignore[attr-defined]
    assert desk.paper_replaced().code == "printer_not_ready"
    printer.inject(None)  # type: ignore[attr-defined]
    assert desk.paper_replaced().code == "printer_ready"
    headless_kiosk.pump()
    assert headless_kiosk.state.health_of(Component.PRINTER) == Health.ok(Component.PRINTER,
                                                                           printer.health().detail)


def test_out_of_service_switch_survives_a_restart(headless_kiosk: Kiosk) -> None:
    desk = desk_for(headless_kiosk)
    desk.set_out_of_service("preset:paper")
    headless_kiosk.pump()
    assert headless_kiosk.state.lifecycle == Lifecycle.OUT_OF_SERVICE
    assert desk_for(headless_kiosk).restore_out_of_service()
    desk.clear_out_of_service()
    headless_kiosk.pump()
    assert headless_kiosk.state.lifecycle == Lifecycle.READY
    assert not desk_for(headless_kiosk).restore_out_of_service()


def test_restart_and_reboot_are_dry_runs_outside_systemd() -> None:
    ran: list[Sequence[str]] = []
    exits: list[bool] = []
    outside = SystemActions(lambda: exits.append(True), environ={}, run=lambda c: ran.append(c) or 0)
    assert outside.reboot().code == "dry_run" and outside.restart_app().code == "dry_run"
    assert ran == [] and exits == []
    inside = SystemActions(lambda: exits.append(True), environ={"INVOCATION_ID": "x"},
                           run=lambda c: ran.append(c) or 0)
    assert inside.restart_app().code == "restarting" and exits == [True]
    assert inside.reboot().code == "rebooting" and ran == [("systemctl", "reboot")]
    failing = SystemActions(None, environ={"INVOCATION_ID": "x"}, run=lambda c: 1)
    assert failing.reboot().code == "failed"


def test_exported_lines_lose_anything_personal() -> None:
    line, n = redact_line(json.dumps({"t": "x", "event": "e", "name": "张桂兰", "item_id": "orphan-support"}))
    assert "张桂兰" not in line and "orphan-support" in line and n == 1
    line, n = redact_line("pcscd: card 220102195603120020 phone 13912345678 cert 22010219560312002011")
    assert n == 3 and "2201021956" not in line and "139123" not in line
    line, n = redact_line("张桂兰 女 汉 1956")
    assert "张桂兰" not in line
    line, n = redact_line('{"t": "x", "event": "submitted", "detail_code": "id 220102195603120020"}')
    assert "220102195603120020" not in line


def test_export_needs_a_writable_stick(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as missing:
        export_logs(tmp_path / "nowhere", "JL-1", __import__("datetime").datetime(2026, 1, 1), [])
    assert missing.value.code == "no_usb"
    result = export_logs(tmp_path, "JL-1", __import__("datetime").datetime(2026, 1, 1),
                         [("a.txt", ["13912345678 called\n"])])
    assert (result.folder / "a.txt").read_text(encoding="utf-8") == "<redacted> called\n"
    assert result.redactions == 1 and (result.folder / "README.txt").exists()


def test_staff_settings_are_validated(kiosk_config: Path) -> None:
    base = {"kiosk_id": "JL-1-001", "site": {"name": "某地", "address": "某地", "consult_phone": "0431-12345",
                                             "division_code": "220102"}}
    KioskSettings.model_validate({**base, "staff_card_sha256": [card_hash("04A1B2C3")]})
    for bad in (["04A1B2C3"], [card_hash("01")] * 2, [card_hash("01").upper()]):
        with pytest.raises(ValueError):
            KioskSettings.model_validate({**base, "staff_card_sha256": bad})
    with pytest.raises(ValueError):
        KioskSettings.model_validate({**base, "maintenance_pin_scrypt": "246810"})
    with pytest.raises(ValueError, match="cannot read staff card UIDs"):
        TypeAdapter(ReaderProfile).validate_python({"driver": "sam_serial", "port": "/dev/ttyUSB0",
                                                    "staff_card_reader": "reader"})
    TypeAdapter(ReaderProfile).validate_python({"driver": "sam_serial", "port": "/dev/ttyUSB0",
                                                "staff_card_reader": "pcsc"})
    text = kiosk_config.read_text(encoding="utf-8").replace("staff_card_sha256 = []", 'staff_card_sha256 = ["x"]')
    kiosk_config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as problems:
        load_config(kiosk_config)
    assert "staff_card_sha256" in str(problems.value.problems[0])


def test_hash_card_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main(["maintenance", "hash-card", "04:A1:B2:C3"]) == 0
    assert card_hash("04A1B2C3") in capsys.readouterr().out
    assert kiosk_main(["maintenance", "hash-card", "nothex"]) == 2
    assert "not a card UID" in capsys.readouterr().err


class _Stats:
    pending, rejected, delivered, oldest_pending_at = 1, 0, 3, 1_000_000.0
    last_errors = (("backend_unreachable", 1),)


class _WaitingOutbox:
    def stats(self) -> _Stats:
        return _Stats()


class _UnreachableBackend:
    """A backend whose flush delivered nothing: the network is down and one application still waits."""

    outbox = _WaitingOutbox()

    def flush(self, timeout_s: float = 0, include_rejected: bool = False) -> object:
        class Result:
            delivered, rejected, pending = 0, 0, 1
        return Result()


def test_an_upload_that_left_applications_waiting_is_not_reported_complete(headless_kiosk: Kiosk) -> None:
    desk = desk_for(headless_kiosk)
    desk.ports = replace_ports(headless_kiosk, backend=_UnreachableBackend())
    outcome = desk.flush_outbox(timeout_s=0.1)
    assert not outcome.ok and outcome.code == "flush_partial"
    assert outcome.detail == "0/1/0/backend_unreachable" and outcome.fact("why") == "backend_unreachable"


def replace_ports(kiosk: Kiosk, **changes: object) -> object:
    import dataclasses

    return dataclasses.replace(kiosk.ports, **changes)  # type: ignore[type-var]


def test_the_upload_outcome_reads_as_staff_need_it() -> None:
    """The words on the staff screen: what arrived, what still waits and why (screens.maintenance)."""
    from kiosk.shell.maintenance_desk import Outcome
    from screens.maintenance_texts import outcome_text

    waiting = (("delivered", "0"), ("pending", "1"), ("rejected", "0"), ("why", "backend_unreachable"))
    partial = outcome_text(Outcome(False, "flush_partial", "0/1/0/backend_unreachable", facts=waiting), "zh")
    assert partial.startswith("已送达 0，仍待上传 1（网络不通）") and "上传完成" not in partial
    done = (("delivered", "3"), ("pending", "0"), ("rejected", "0"))
    assert outcome_text(Outcome(True, "flushed", "3/0/0", facts=done), "zh") == "上传完成：已送达 3，仍待上传 0"
    assert outcome_text(Outcome(False, "flush_partial", "", facts=waiting), "en").startswith(
        "0 delivered, 1 still waiting (no network)")
