"""One kiosk, started once, through a pcscd restart, a reader unplugged and plugged back, a printer switched
off and on, and paper running out: the real composition (runner, health monitor, drivers) against pcscd +
vpcd, a SAM reader on a pseudo-terminal and the TCP printer emulator. Health is checked at each moment, and
the kiosk reads and prints correctly after each fault without a restart."""

from __future__ import annotations

from pathlib import Path

from devices.printers.emulator import PrinterEmulator
from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.composition.root import Kiosk, build_kiosk
from kiosk.core.cardtext import build_text_block
from kiosk.core.health import Component, Reason, Status
from kiosk.core.session import Lifecycle
from kiosk.core.session import events as ev
from kiosk.core.session.states import TaskStatus
from kiosk.shell.health_monitor import HealthMonitor
from tests.conftest import CONFIG_DIR
from tests.support.pcsc_stack import PcscStack
from tests.support.sam_simulator import SamSimulator
from tests.support.vpcd_cards import StaffCard, VpcdSlot


def checked(kiosk: Kiosk, monitor: HealthMonitor) -> tuple[Lifecycle, Reason | None]:
    monitor.check_now()
    kiosk.pump()
    return kiosk.state.lifecycle, kiosk.state.out_of_service_reason


def reader_health(kiosk: Kiosk) -> tuple[Status, Reason]:
    return component_health(kiosk, Component.READER)


def component_health(kiosk: Kiosk, component: Component) -> tuple[Status, Reason]:
    health = kiosk.state.health_of(component)
    assert health is not None
    return health.status, health.reason


def print_guide(kiosk: Kiosk) -> TaskStatus:
    kiosk.dispatch(ev.CategoryChosen("elderly"))
    kiosk.dispatch(ev.ItemChosen("elderly-care-cooperation"))
    kiosk.dispatch(ev.GuidePrintRequested())
    state = kiosk.wait_for(lambda s: s.session is not None and s.session.printing.status != TaskStatus.RUNNING)
    assert state.session is not None
    status = state.session.printing.status
    kiosk.dispatch(ev.FinishPressed())
    assert kiosk.state.session is None
    return status


def test_a_kiosk_started_once_survives_every_device_fault(kiosk_config: Path, tmp_path: Path, slot0: VpcdSlot,
                                                          pcsc_stack: PcscStack) -> None:
    sam = SamSimulator(tmp_path / "kiosk-idreader")
    printer = PrinterEmulator().start()
    host, port = printer.address
    (kiosk_config.parent / "devices" / "survivor.toml").write_text(
        f'inherits = "base"\n[reader]\ndriver = "sam_serial"\nport = "{sam.link_path}"\npoll_interval_s = 0.1\n'
        f'staff_card_reader = "pcsc"\nstaff_reader_name_contains = "{pcsc_stack.reader_name(0)}"\n'
        f'[printer]\nstatus_timeout_s = 0.3\n'
        f'[printer.connection]\nkind = "network"\nhost = "{host}"\nport = {port}\n', encoding="utf-8")
    kiosk_config.write_text(kiosk_config.read_text(encoding="utf-8").replace(
        'device_profile = "simulated"', 'device_profile = "survivor"'), encoding="utf-8")
    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog")
    p = kiosk.ports
    monitor = HealthMonitor(kiosk.inbox.put, p.reader, p.printer, p.backend, p.speech, kiosk.config.data_dir)
    staff = kiosk.staff_card_reader()
    assert staff is not None
    try:
        assert checked(kiosk, monitor) == (Lifecycle.READY, None)

        # pcscd restarts under the running staff-card reader
        slot0.insert(StaffCard(bytes.fromhex("04A1B2C3D4E5F6")))
        assert staff.read_card_uid(5.0) == "04A1B2C3D4E5F6"
        slot0.remove()
        pcsc_stack.wait_for_card(0, present=False)
        pcsc_stack.stop()
        assert staff.health().reason == Reason.READER_SERVICE_DOWN  # type: ignore[attr-defined]
        pcsc_stack.start()
        assert staff.health().status == Status.OK  # type: ignore[attr-defined]
        slot0.insert(StaffCard(bytes.fromhex("04A1B2C3D4E5F6")))
        assert staff.read_card_uid(5.0) == "04A1B2C3D4E5F6"
        slot0.remove()

        # the ID reader's USB-serial adapter is pulled out and plugged back
        sam.unplug()
        checked(kiosk, monitor)  # the kiosk stays up (items without a card remain); the reader's health says so
        assert reader_health(kiosk) == (Status.UNAVAILABLE, Reason.NO_READER)
        sam.plug()
        assert checked(kiosk, monitor) == (Lifecycle.READY, None)
        assert reader_health(kiosk) == (Status.OK, Reason.OK)
        sam.insert(build_text_block(TEST_IDENTITIES["resident-zhang"]))
        assert p.reader.read_identity(3.0).name == TEST_IDENTITIES["resident-zhang"].name
        sam.remove()

        # the printer is switched off and on again
        printer.stop()
        # a printer that does not work blocks printing only (issue #15): the kiosk serves on, health says why
        assert checked(kiosk, monitor) == (Lifecycle.READY, None)
        assert component_health(kiosk, Component.PRINTER) == (Status.UNAVAILABLE, Reason.PRINTER_OFFLINE)
        printer = PrinterEmulator(port=port).start()
        assert checked(kiosk, monitor) == (Lifecycle.READY, None)
        assert print_guide(kiosk) == TaskStatus.DONE
        assert "养老服务".encode("gb18030") in bytes(printer.printer.printed)

        # the paper runs out, staff put in a new roll
        printer.printer.paper_out = True
        assert checked(kiosk, monitor) == (Lifecycle.READY, None)
        assert component_health(kiosk, Component.PRINTER)[1] == Reason.PAPER_OUT
        printer.printer.refill()
        assert checked(kiosk, monitor) == (Lifecycle.READY, None)
        health = kiosk.state.health_of(Component.PRINTER)
        assert health is not None and health.status == Status.OK
        before = len(printer.printer.printed)
        assert print_guide(kiosk) == TaskStatus.DONE
        assert len(printer.printer.printed) > before
    finally:
        kiosk.close()
        staff.close()
        printer.stop()
        sam.close()
        pcsc_stack.start()
