"""The demo's journey (kiosk.shell.demo_journey) walked without a screen: the same intents the screens send, on
the composed kiosk with the simulated reader and printer and the local backend. Tests use it to run whole
applications end to end; `kiosk demo` walks the same journey by touch on the Kivy app."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kiosk.composition.root import Kiosk
from kiosk.core.catalog import FormField
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import Phase
from kiosk.shell.demo_journey import walk
from kiosk.shell.patience import patient


class HeadlessCitizen:
    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk

    @property
    def state(self) -> KioskState:
        return self.kiosk.state

    def tap(self, tag: str, intent: ev.Event) -> None:
        self.kiosk.dispatch(intent)

    def tick(self, tag: str) -> None:
        """A check box only the screen shows: its value travels with the next intent."""

    def arrive(self, phase: Phase, screen: str, name: str) -> None:
        self.wait_until(lambda s: (s.session.phase if s.session else Phase.HOME) == phase, f"phase {phase.value}")

    def wait_until(self, predicate: Callable[[KioskState], bool], what: str) -> None:
        self.kiosk.wait_for(predicate)

    def place_card(self, card: str) -> None:
        getattr(self.kiosk.ports.reader, "insert")(card)  # the simulated reader's card slot  # noqa: B009

    def remove_card(self) -> None:
        getattr(self.kiosk.ports.reader, "remove")()  # noqa: B009
        time.sleep(patient(0.5))  # longer than the reader's polling, as a hand takes the card away

    def fill(self, spec: FormField, value: str) -> None:
        self.kiosk.dispatch(ev.FieldChanged(spec.id, value))

    def scan(self, text: str) -> None:
        self.kiosk.dispatch(ev.CodeScanned(text))

    def type_receipt(self, number: str, query_code: str) -> None:
        self.kiosk.dispatch(ev.ProgressByNumberRequested(number, query_code))


def run_walkthrough(kiosk: Kiosk, say: Callable[[str], None]) -> list[Path]:
    """Walk the demo journey on `kiosk`; returns the slip files the simulated printer produced."""
    walk(HeadlessCitizen(kiosk), kiosk.catalog, say)
    return sorted(getattr(kiosk.ports.printer, "printed", {}).values())
