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
from pathlib import Path
from typing import TextIO

from kiosk.composition.demo import DEMO_CARD, DEMO_ITEM
from kiosk.core.catalog import FormField
from kiosk.core.identity import Identity, check_char
from kiosk.core.session.states import TaskStatus
from screens.pilot import Pilot


def child_id_number() -> str:
    """An invented child's ID number (born 2015 in Changchun) with a valid check character."""
    first17 = "22010220150101001"
    return first17 + check_char(first17)


def sample_value(spec: FormField, applicant: Identity) -> str:
    """What a citizen would tap in for a field: the first choice, a phone number, a well-formed number."""
    if spec.type == "choice":
        return spec.choices[0].value
    if spec.type == "phone":
        return "13912345678"
    if spec.type == "id_number":
        return child_id_number()
    if spec.pattern.startswith(r"^\d{17}[\dX]\d{2}"):
        return applicant.id_number + "11"  # 残疾人证号: the holder's ID number and two digits
    return "6222020200112233445"


class Walkthrough:
    def __init__(self, pilot: Pilot, out: Path, stream: TextIO) -> None:
        self.pilot = pilot
        self.out = out
        self.stream = stream
        self.shots: list[Path] = []

    def shot(self, name: str) -> Path:
        path = self.pilot.screenshot(self.out / f"{len(self.shots) + 1:02d}-{name}.png")
        self.shots.append(path)
        print(f"screen: {path}", file=self.stream, flush=True)
        return path

    def run(self) -> list[Path]:
        p = self.pilot
        app = p.app
        item = app.kiosk.catalog.item(DEMO_ITEM)
        print(f"item: {item.names.zh}", file=self.stream, flush=True)
        p.wait_for_screen("home")
        self.shot("home")
        p.tap(f"category:{item.category}")
        p.wait_for_screen("browse")
        self.shot("item-list")
        p.tap(f"item:{item.id}")
        p.wait_for_screen("guide")
        self.shot("item-guide")
        p.tap("guide:start")
        p.wait_for_screen("consent")
        if item.sensitive_categories:
            p.tap("consent:sensitive")
        self.shot("consent")
        p.tap("consent:agree")
        p.wait_for_screen("identify")
        p.frames(20)  # the card glides onto the reader
        self.shot("identify-place-card")
        reader = app.kiosk.ports.reader
        reader.insert(DEMO_CARD)
        p.wait_for_screen("form")
        session = p.state.session
        assert session is not None and session.parties
        applicant: Identity = session.parties[0]
        self.shot("form-prefilled")
        first_choice = True
        for spec in item.form_fields:
            if spec.source != "manual" or not spec.required:
                continue  # optional fields (a payout account) are left for the window
            value = sample_value(spec, applicant)
            p.tap(f"field:{spec.id}")
            if spec.input == "choice":
                p.wait_until(lambda value=value: p.has(f"choice:{value}"), what="the choice list")
                if first_choice:
                    self.shot("form-choice-list")
                    first_choice = False
                p.tap(f"choice:{value}")
            else:
                p.wait_until(lambda: p.has("editor:ok"), what="the keypad")
                p.type_keys(value)
                if spec.type == "phone":
                    self.shot("form-keypad")
                p.tap("editor:ok")
            p.wait_until(lambda spec=spec: p.state.session is not None
                         and p.state.session.value(spec.id) != "", what=f"field {spec.id}")
        self.shot("form-filled")
        p.tap("form:next")
        p.wait_for_screen("review")
        self.shot("review")
        p.tap("review:confirm")
        p.wait_until(lambda: p.screen in ("submitting", "done"), what="submission")
        if p.screen == "submitting":
            self.shot("submitting")
        p.wait_for_screen("done")
        finished = (TaskStatus.DONE, TaskStatus.FAILED)
        p.wait_until(lambda: p.state.session is not None and p.state.session.print_status in finished,
                     what="the slip")
        self.shot("done")
        submission = p.state.session.submission
        number = submission.application_number or f"{submission.local_reference} (待上传)"
        print(f"application number {number}; slip {p.state.session.print_status.value}", file=self.stream)
        reader.remove()
        p.tap("done:finish")
        p.wait_until(lambda: p.state.session is None, what="the session to end")
        self.shot("home-after")
        print(f"session wiped: {p.state.session is None}", file=self.stream, flush=True)
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
