"""The demo's scripted walkthrough on the real app: apply for
困难残疾人生活补贴和重度残疾人护理补贴资格认定
from home to done by touch, on the simulated reader and printer and the local backend, saving a screenshot
of every screen and the slip image into one folder.

Runs on a virtual display (SDL offscreen with Mesa) when there is no display. `kiosk demo --headless` loads
this module by name; the kiosk core never imports it.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from kiosk.core import divisions
from kiosk.core.catalog import FormField
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import Phase
from kiosk.shell.demo_journey import Receipt, walk, walk_appointment, walk_progress_by_number, walk_progress_by_scan
from kiosk.shell.patience import patient
from screens.pilot import Pilot
from screens.values import shown_inline


class Walkthrough:
    """The demo journey (kiosk.shell.demo_journey) by touch, with a screenshot of every screen it passes."""

    def __init__(self, pilot: Pilot, out: Path, stream: TextIO) -> None:
        self.pilot = pilot
        self.out = out
        self.stream = stream
        self.shots: list[Path] = []
        self.texts: dict[str, list[str]] = {}  # screenshot file name -> the strings on it, in reading order
        self._first_choice = True
        self.journey = ""

    def shot(self, name: str) -> Path:
        prefix = f"{self.journey}-" if self.journey and not name.startswith(self.journey) else ""
        path = self.pilot.screenshot(self.out / f"{len(self.shots) + 1:02d}-{prefix}{name}.png")
        self.shots.append(path)
        self.texts[path.name] = self.pilot.visible_texts()
        print(f"screen: {path}", file=self.stream, flush=True)
        return path

    @property
    def state(self) -> KioskState:
        return self.pilot.state

    def tap(self, tag: str, intent: ev.Event) -> None:
        self.pilot.tap(tag)  # the widget sends `intent` itself
        if tag == "review:confirm" and self.pilot.screen == "submitting":
            self.shot("submitting")

    def tick(self, tag: str) -> None:
        self.pilot.tap(tag)

    def arrive(self, phase: Phase, screen: str, name: str) -> None:
        self.pilot.wait_for_screen(screen)
        if screen == "identify":
            self.pilot.frames(20)  # the card glides onto the reader
        self.shot(name)
        if screen == "done":  # the rest of the slip on the screen, scrolled as a citizen would
            scroller = next(w for w in self.pilot.visible_widgets() if type(w).__name__ == "Scroller")
            scroller.scroll_y = 0
            self.pilot.frames(3)
            self.shot(f"{name}-more")
            scroller.scroll_y = 1
            self.pilot.frames(2)

    def wait_until(self, predicate: Callable[[KioskState], bool], what: str) -> None:
        self.pilot.wait_until(lambda: predicate(self.pilot.state), what=what)

    def place_card(self, card: str) -> None:
        self.pilot.app.kiosk.ports.reader.insert(card)

    def remove_card(self) -> None:
        self.pilot.app.kiosk.ports.reader.remove()
        # A hand takes a moment, longer than the reader's polling: a read that waits for this card to leave (the
        # next party's) must see it gone before another is laid down (frames alone can pass faster than a poll).
        time.sleep(patient(0.5))
        self.pilot.frames(2)

    def scan(self, text: str) -> None:
        self.pilot.app.post(ev.CodeScanned(text))  # as the scanner driver does, through the one hop

    def type_receipt(self, number: str, query_code: str) -> None:
        p = self.pilot
        p.tap("progress:number")
        p.wait_until(lambda: p.has("editor:ok"), what="the receipt keypad")
        p.type_keys(number + query_code)  # the code's box takes over when the number is whole
        self.shot("typed-keypad")
        p.tap("editor:ok")

    def fill(self, spec: FormField, value: str) -> None:
        p = self.pilot
        if shown_inline(spec):  # its choices are buttons on the form: one tap
            p.tap(f"pick:{spec.id}:{value}")
            return
        p.tap(f"field:{spec.id}")
        if spec.input == "division_lists":  # the hint, if it is the place; else down the lists
            p.wait_until(lambda: p.has("editor:cancel"), what="the lists")
            if not p.has(f"choice:{value}") and p.has("choice:other"):
                p.tap("choice:other")
            for division in divisions.path(value) or ():
                if p.has(f"choice:{division.code}"):  # a level of one entry is taken without asking
                    p.tap(f"choice:{division.code}")
            return
        if spec.input == "choice":
            p.wait_until(lambda: p.has(f"choice:{value}"), what="the choice list")
            if self._first_choice:
                self.shot("form-choice-list")
                self._first_choice = False
            p.tap(f"choice:{value}")
            return
        p.wait_until(lambda: p.has("editor:ok"), what="the keypad")
        p.type_keys(value)
        if spec.type == "phone":
            self.shot("form-keypad")
        p.tap("editor:ok")

    def run(self) -> list[Path]:
        import json

        catalog = self.pilot.app.kiosk.catalog

        def say(line: str) -> None:
            print(line, file=self.stream, flush=True)

        journeys: list[tuple[str, Callable[[], object]]] = []
        receipt: list[Receipt] = []
        journeys.append(("apply", lambda: receipt.append(walk(self, catalog, say))))
        journeys.append(("appointment", lambda: walk_appointment(self, catalog, say)))
        journeys.append(("scan", lambda: walk_progress_by_scan(self, receipt[0].number, say)))
        journeys.append(("typed", lambda: walk_progress_by_number(self, receipt[0], say)))
        journeys.append(("apply-ko", lambda: walk(self, catalog, say, language="ko")))
        for name, journey in journeys:
            self.journey = name
            self.pilot.taps = 0
            journey()
            print(f"journey: {name} taps: {self.pilot.taps}", file=self.stream, flush=True)
        (self.out / "texts.json").write_text(json.dumps(self.texts, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"texts: {self.out / 'texts.json'}", file=self.stream, flush=True)
        return self.shots


def main(out: Path, config_path: Path | None = None, stream: TextIO = sys.stdout) -> int:
    """`kiosk demo --headless --out DIR`."""
    out.mkdir(parents=True, exist_ok=True)
    pilot = Pilot.start(config_path)
    printer = pilot.app.kiosk.ports.printer
    if hasattr(printer, "folder"):
        printer.folder = out / "slips"
    try:
        Walkthrough(pilot, out, stream).run()
        for path in sorted(getattr(printer, "printed", {}).values()):
            kept = shutil.copy2(path, out / path.name) if path.parent != out else path
            print(f"slip: {kept}", file=stream, flush=True)
    finally:
        pilot.stop()
    print(f"all files in {out.resolve()}", file=stream)
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the kiosk demo's walkthrough with screenshots")
    parser.add_argument("--out", default="demo-out")
    parser.add_argument("--config", default=None)
    options = parser.parse_args()
    raise SystemExit(main(Path(options.out), Path(options.config) if options.config else None))
