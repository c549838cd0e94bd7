"""A kiosk without a screen: the composition of config, catalog, ports and runner, with a queue standing in
for the UI thread. Used by the headless demo walkthrough and by tests that drive whole sessions.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.composition.drivers import build_ports, staff_card_reader
from kiosk.core.catalog import Catalog
from kiosk.core.health import Health
from kiosk.core.ports import Ports, ReceivesCatalogs, ReportsStatus, StaffCardReader, TakesCommands
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState, Rules, initial_state
from kiosk.core.settings import LoadedConfig
from kiosk.core.slip_layouts import SlipComposer
from kiosk.core.working_days import WorkingDays
from kiosk.shell.fleet_commands import FleetCommands
from kiosk.shell.help_desk import HelpTimings
from kiosk.shell.patience import patient
from kiosk.shell.runner import PromptText, Scheduler, SessionRunner
from kiosk.shell.scanner_watch import ScannerWatch
from kiosk.shell.usage import ReportsUsage, UsageRecorder
from kiosk.storage.catalog import load_catalog
from kiosk.storage.command_results import CommandResults
from kiosk.storage.config import load_config
from kiosk.storage.toml_cache import CATALOG_CACHE, ParsedTomlCache
from kiosk.storage.usage_log import UsageLog
from kiosk.storage.working_days import configured_calendar

if TYPE_CHECKING:
    from kiosk.shell.maintenance_desk import MaintenanceDesk


def rules_from(config: LoadedConfig, catalog: Catalog, calendar: WorkingDays) -> Rules:
    s = config.settings
    return Rules(catalog=catalog, kiosk_id=s.kiosk_id, languages=tuple(s.languages),
                 idle_warning_s=s.timeouts.idle_warning_s, session_s=s.timeouts.session_s,
                 card_read_s=s.timeouts.card_read_s, speech_volume=config.profile.speech.volume, calendar=calendar)


def startup_health(ports: Ports) -> list[Health]:
    return [ports.reader.health(), ports.printer.health(), ports.backend.health(), ports.speech.health()]


@dataclass
class Kiosk:
    config: LoadedConfig
    ports: Ports
    runner: SessionRunner
    inbox: queue.Queue[ev.Event]
    scanner_watch: ScannerWatch | None = None
    calendar: WorkingDays | None = None  # working days: the library's years with the operator's holidays over them
    fleet: FleetCommands | None = None  # staff's console commands; they need a maintenance desk (use_desk)

    @property
    def state(self) -> KioskState:
        return self.runner.state

    @property
    def catalog(self) -> Catalog:
        """The catalog in use: the shipped one, or a newer one the backend signed (kiosk.core.session.machine)."""
        return self.runner.state.rules.catalog

    def dispatch(self, event: ev.Event) -> KioskState:
        self.pump()
        return self.runner.dispatch(event)

    def pump(self) -> None:
        """Apply every result the workers have posted so far, on this (the 'UI') thread."""
        while True:
            try:
                event = self.inbox.get_nowait()
            except queue.Empty:
                return
            self.runner.dispatch(event)

    def wait_for(self, predicate: Callable[[KioskState], bool], timeout_s: float = 10.0) -> KioskState:
        """Apply results until `predicate` holds, for up to `timeout_s` stretched while the machine is loaded."""
        deadline = time.monotonic() + patient(timeout_s)
        while True:
            self.pump()
            if predicate(self.state):
                return self.state
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"state never matched; now {self.state.lifecycle.value} "
                                   f"{self.state.session.phase.value if self.state.session else '-'}")
            with contextlib.suppress(queue.Empty):
                self.runner.dispatch(self.inbox.get(timeout=min(remaining, 0.1)))

    def use_desk(self, desk: MaintenanceDesk | None = None) -> MaintenanceDesk:
        """Console commands go through this maintenance desk: the app's own, or (headless) one made here."""
        if desk is None:
            from kiosk.shell.maintenance_desk import MaintenanceDesk

            desk = MaintenanceDesk(self.config, lambda: self.state, self.ports, self.inbox.put,
                                   lambda: startup_health(self.ports))
            desk.calendar = self.calendar
        if self.fleet is not None:
            self.fleet.desk = desk
        return desk

    def staff_card_reader(self) -> StaffCardReader | None:
        """The reader staff badges are read on (the device profile's choice); None for PIN only."""
        return staff_card_reader(self.config, self.ports)

    def close(self) -> None:
        if self.scanner_watch is not None:
            self.scanner_watch.stop()
        self.runner.close()
        self.ports.close()


def calendar_or_library() -> WorkingDays:
    """The working-day calendar with the operator's holidays.toml; a file that cannot be used (config check says
    why before the kiosk starts) leaves the library's own years."""
    return configured_calendar()


def build_kiosk(config_path: Path | None = None, catalog_dir: Path | None = None, ports: Ports | None = None,
                scheduler: Scheduler | None = None, post: Callable[[ev.Event], None] | None = None,
                prompt_text: PromptText | None = None, help_timings: HelpTimings | None = None) -> Kiosk:
    """Compose a kiosk. `post` is the UI's hop onto its own thread; without it results queue in `inbox` and
    `pump()` applies them on the caller's thread."""
    config = load_config(config_path)
    catalog = load_catalog(catalog_dir, ParsedTomlCache(config.data_dir / CATALOG_CACHE))
    ports = ports or build_ports(config)
    inbox: queue.Queue[ev.Event] = queue.Queue()
    composer = SlipComposer(config.settings, catalog, ports.clock.now, calendar=calendar_or_library())
    help_timings = help_timings or HelpTimings(signal_on_s=config.profile.signal.on_for_s)
    rules = rules_from(config, catalog, composer.calendar)
    runner = SessionRunner(initial_state(rules), ports, post or inbox.put, composer, scheduler,
                           prompt_text=prompt_text, help_timings=help_timings)
    kiosk = Kiosk(config, ports, runner, inbox, calendar=composer.calendar)
    if isinstance(ports.backend, ReportsStatus):  # heartbeats carry the lifecycle and the device states
        ports.backend.status_source = lambda: (runner.state.lifecycle.value, runner.state.health)
    if isinstance(ports.backend, TakesCommands):
        kiosk.fleet = FleetCommands(CommandResults.in_dir(config.data_dir), lambda: runner.state, ports.clock.now)
        ports.backend.command_handler = kiosk.fleet
    if isinstance(ports.backend, ReceivesCatalogs):
        deliver = post or inbox.put
        ports.backend.catalog_listener = lambda version, signed: deliver(ev.CatalogReceived(version, signed))

    def slips_from_catalog_in_use(state: KioskState) -> None:
        composer.catalog = state.rules.catalog

    runner.subscribe(slips_from_catalog_in_use)
    usage = UsageLog.in_dir(config.data_dir)  # guide prints and progress lookups, for the monthly report
    runner.subscribe(UsageRecorder(usage, lambda: ports.clock.now().date()).observe)
    if isinstance(ports.backend, ReportsUsage):
        ports.backend.usage_log = usage
    runner.dispatch(ev.StartupCompleted(tuple(startup_health(ports))))
    if ports.scanner is not None:  # a receipt's QR code shown to the scanner opens its progress query
        kiosk.scanner_watch = ScannerWatch(ports.scanner, post or inbox.put).start()
    return kiosk
