"""The scripted walkthrough of the demo: apply for 困难残疾人两项补贴 from home to done on simulated devices.

This text-mode version drives the real session core, runner, simulated reader and printer and the local
backend; the Kivy walkthrough with screenshots builds on the same script.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from kiosk.composition.root import Kiosk, build_kiosk
from kiosk.core.catalog import FormField, Item
from kiosk.core.identity import Identity, mask_id_number, mask_name
from kiosk.core.session import Phase, TaskStatus
from kiosk.core.session import events as ev

DEMO_ITEM = "disability-subsidies"
DEMO_CARD = "resident-zhang"


def sample_value(spec: FormField, applicant: Identity) -> str:
    """A plausible value a citizen would enter on the keypad or pick from a list."""
    if spec.type == "choice":
        return spec.choices[0].value
    if spec.type == "phone":
        return "13912345678"
    if spec.type == "date":
        return "2020-01-01"
    if spec.type == "boolean":
        return "yes"
    # 残疾人证号 = ID number + category + grade; otherwise an ID number, an account or a plain number
    candidates = [applicant.id_number + "11", applicant.id_number, "6222020200112233445", "1"]
    if spec.type == "id_number":
        candidates = [applicant.id_number]
    return next((c for c in candidates if not spec.pattern or re.fullmatch(spec.pattern, c)), candidates[-1])


def run_walkthrough(kiosk: Kiosk, say: Callable[[str], None]) -> list[Path]:
    """Drive one application end to end; returns the slip files the printer produced."""
    item: Item = kiosk.catalog.item(DEMO_ITEM)

    def phase() -> str:
        return kiosk.state.session.phase.value if kiosk.state.session else "-"

    say(f"kiosk {kiosk.config.settings.kiosk_id}: {kiosk.state.lifecycle.value}")
    kiosk.dispatch(ev.CategoryChosen(item.category))
    say(f"home -> {phase()}: category {item.category}")
    kiosk.dispatch(ev.ItemChosen(item.id))
    say(f"-> {phase()}: {item.names.zh}")
    kiosk.dispatch(ev.ApplyStarted())
    say(f"-> {phase()}: personal-information notice"
        + (" + separate consent for sensitive data" if item.sensitive_categories else ""))
    kiosk.dispatch(ev.ConsentGiven(sensitive=bool(item.sensitive_categories)))
    say(f"-> {phase()}: please place the ID card")
    reader = kiosk.ports.reader
    getattr(reader, "insert")(DEMO_CARD)  # the simulated reader's card slot  # noqa: B009
    kiosk.wait_for(lambda s: s.session is not None and s.session.phase != Phase.IDENTIFY)
    session = kiosk.state.session
    assert session is not None and session.parties, f"card not accepted: {session and session.identify_error}"
    applicant = session.parties[0]
    say(f"-> {phase()}: card read, {mask_name(applicant.name)} {mask_id_number(applicant.id_number)}")
    for spec in item.form_fields:
        if spec.source == "manual":
            kiosk.dispatch(ev.FieldChanged(spec.id, sample_value(spec, applicant)))
            say(f"   {spec.label.zh}: entered")
        elif spec.source == "staff":
            say(f"   {spec.label.zh}: completed by the window staff")
    kiosk.dispatch(ev.FormSubmitted())
    session = kiosk.state.session
    assert session is not None and session.phase == Phase.REVIEW, f"form rejected: {session and session.field_errors}"
    say(f"-> {phase()}: masked review")
    kiosk.dispatch(ev.ReviewConfirmed())
    say(f"-> {phase()}")
    kiosk.wait_for(lambda s: s.session is not None and s.session.print_status in (TaskStatus.DONE,
                                                                                   TaskStatus.FAILED))
    session = kiosk.state.session
    assert session is not None and session.submission is not None
    number = session.submission.application_number or f"{session.submission.local_reference} (待上传)"
    say(f"-> {phase()}: application number {number}; slip {session.print_status.value}")
    getattr(reader, "remove")()  # noqa: B009
    kiosk.dispatch(ev.FinishPressed())
    say(f"-> finished: {kiosk.state.lifecycle.value}, session wiped: {kiosk.state.session is None}")
    return sorted(getattr(kiosk.ports.printer, "printed", {}).values())


def main(out: Path, stream: TextIO | None = None) -> int:
    stream = stream or sys.stdout
    out.mkdir(parents=True, exist_ok=True)
    kiosk = build_kiosk()
    printer = kiosk.ports.printer
    if hasattr(printer, "folder"):
        printer.folder = out  # keep the demo's slips together with its other output
    try:
        slips = run_walkthrough(kiosk, lambda line: print(line, file=stream, flush=True))
    finally:
        kiosk.close()
    for path in slips:
        print(f"slip: {path}", file=stream)
    return 0
