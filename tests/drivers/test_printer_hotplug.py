"""A network ESC/POS printer switched off and on again while the kiosk runs: the kiosk's own composition
(runner, health monitor, ESC/POS driver) against the TCP printer emulator. The kiosk goes out of service with
PRINTER_OFFLINE, comes back by itself when the printer answers again, and prints without a restart."""

from __future__ import annotations

from pathlib import Path

from devices.printers.emulator import PrinterEmulator
from kiosk.composition.root import build_kiosk
from kiosk.core.health import Component, Reason, Status
from kiosk.core.session import Lifecycle
from kiosk.core.session import events as ev
from kiosk.core.session.states import TaskStatus
from kiosk.shell.health_monitor import HealthMonitor
from tests.conftest import CONFIG_DIR


def network_profile(kiosk_config: Path, emulator: PrinterEmulator) -> Path:
    host, port = emulator.address
    (kiosk_config.parent / "devices" / "emulated.toml").write_text(
        f'inherits = "simulated"\n[printer]\nstatus_timeout_s = 0.3\n'
        f'[printer.connection]\nkind = "network"\nhost = "{host}"\nport = {port}\n', encoding="utf-8")
    text = kiosk_config.read_text(encoding="utf-8").replace('device_profile = "simulated"',
                                                             'device_profile = "emulated"')
    kiosk_config.write_text(text, encoding="utf-8")
    return kiosk_config


def test_printer_switched_off_and_on_while_the_kiosk_runs(kiosk_config: Path) -> None:
    emulator = PrinterEmulator().start()
    kiosk = build_kiosk(network_profile(kiosk_config, emulator), CONFIG_DIR / "catalog")
    p = kiosk.ports
    monitor = HealthMonitor(kiosk.inbox.put, p.reader, p.printer, p.backend, p.speech, kiosk.config.data_dir)
    back: PrinterEmulator | None = None
    try:
        monitor.check_now()
        kiosk.pump()
        assert kiosk.state.lifecycle == Lifecycle.READY
        emulator.stop()  # switched off, cable pulled
        monitor.check_now()
        kiosk.pump()
        # a printer that does not work blocks printing only (issue #15): the kiosk serves on, health says why
        assert kiosk.state.lifecycle == Lifecycle.READY
        offline = kiosk.state.health_of(Component.PRINTER)
        assert offline is not None and offline.reason == Reason.PRINTER_OFFLINE
        back = PrinterEmulator(port=emulator.port).start()  # on again, same address
        monitor.check_now()
        kiosk.pump()
        printer = kiosk.state.health_of(Component.PRINTER)
        assert printer is not None and printer.status == Status.OK
        assert kiosk.state.lifecycle == Lifecycle.READY, "back in service without a restart"
        kiosk.dispatch(ev.CategoryChosen("elderly"))
        kiosk.dispatch(ev.ItemChosen("elderly-care-cooperation"))
        kiosk.dispatch(ev.GuidePrintRequested())
        kiosk.wait_for(lambda s: s.session is not None and s.session.printing.status != TaskStatus.RUNNING)
        assert kiosk.state.session is not None and kiosk.state.session.printing.status == TaskStatus.DONE
        assert "养老服务".encode("gb18030") in bytes(back.printer.printed)
    finally:
        kiosk.close()
        if back is not None:
            back.stop()
