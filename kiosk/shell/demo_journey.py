"""The demo's journeys, written once: apply for 困难残疾人两项补贴 from home to the printed receipt (in Chinese,
and in Korean), book a marriage registration for two, and look up progress by holding the receipt's QR code
to the kiosk's scanner, or by typing its 办件编号 and 查询码 on the keypad.

Two citizens walk it: the Kivy walkthrough by touch, with a screenshot of every screen (`kiosk demo`,
screens/demo_walkthrough.py), and a headless one that sends the same intents straight to the composed
kiosk (tests). Each step names both the widget a finger taps and the intent that tap sends, so the two can
never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple, Protocol

from kiosk.core import divisions
from kiosk.core.catalog import Catalog, FormField
from kiosk.core.identity import Identity, check_char, mask_id_number, mask_name
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState, Session
from kiosk.core.session.states import Phase, TaskStatus

DEMO_ITEM = "disability-subsidies"
DEMO_CARD = "resident-zhang"
FINISHED = (TaskStatus.DONE, TaskStatus.FAILED)


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
    if spec.type == "date":
        return "2020-01-01"
    if spec.type == "boolean":
        return "yes"
    if spec.type == "division":  # 户籍所在地: the county the card's address names, else 长春市南关区
        return divisions.from_address(applicant.address) or "220102"
    if spec.type == "id_number":
        return child_id_number()  # an ID number typed in is someone else's: the child's
    # 残疾人证号 = the holder's ID number + category + grade; otherwise an account or a plain number
    candidates = [applicant.id_number + "11", "6222020200112233445", "1"]
    return next((c for c in candidates if not spec.pattern or re.fullmatch(spec.pattern, c)), candidates[-1])


class Citizen(Protocol):
    """How the journey acts and looks: by touch on the app, or by intents on the headless kiosk."""

    @property
    def state(self) -> KioskState: ...

    def tap(self, tag: str, intent: ev.Event) -> None:
        """Tap the widget tagged `tag`, which sends `intent`."""

    def tick(self, tag: str) -> None:
        """Tap a widget that changes only what its screen shows (a check box); its value goes with a later intent."""

    def arrive(self, phase: Phase, screen: str, name: str) -> None:
        """Wait for the session to reach `phase` (home: or no session) and its screen to be drawn; `name` the
        screenshot."""

    def wait_until(self, predicate: Callable[[KioskState], bool], what: str) -> None: ...

    def place_card(self, card: str) -> None: ...

    def remove_card(self) -> None: ...

    def fill(self, spec: FormField, value: str) -> None:
        """Enter one form field as a citizen would (keypad or choice list)."""

    def scan(self, text: str) -> None:
        """Hold a code to the kiosk's QR scanner (what its driver posts: CodeScanned(code))."""

    def type_receipt(self, number: str, query_code: str) -> None:
        """On the progress screen: type the receipt's 办件编号 and 查询码 on the keypad and confirm."""


class Receipt(NamedTuple):
    """What the receipt of the demo's application says: its number, and the query code printed beside it."""

    number: str
    query_code: str


def _session(citizen: Citizen) -> Session:
    session = citizen.state.session
    assert session is not None, "the session ended unexpectedly"
    return session


def _field_filled(field_id: str) -> Callable[[KioskState], bool]:
    return lambda state: state.session is not None and state.session.value(field_id) != ""


def walk(citizen: Citizen, catalog: Catalog, say: Callable[[str], None], language: str = "zh") -> Receipt:
    """Apply for DEMO_ITEM; returns the application number shown on the done screen and its query code."""
    item = catalog.item(DEMO_ITEM)
    say(f"item: {item.names.zh}")
    citizen.arrive(Phase.HOME, "home", "home")
    if language != "zh":
        citizen.tap(f"bar:lang:{language}", ev.LanguageChosen(language))
    citizen.tap(f"category:{item.category}", ev.CategoryChosen(item.category))
    citizen.arrive(Phase.BROWSING, "browse", "item-list")
    citizen.tap(f"item:{item.id}", ev.ItemChosen(item.id))
    citizen.arrive(Phase.ITEM_GUIDE, "guide", "item-guide")
    citizen.tap("guide:start", ev.ApplyStarted())
    citizen.arrive(Phase.CONSENT, "consent", "consent")
    sensitive = bool(item.sensitive_categories)
    if sensitive:
        citizen.tap("consent:sensitive", ev.SensitiveConsentTicked(True))  # the box is said ticked
    citizen.tap("consent:agree", ev.ConsentGiven(sensitive=sensitive))
    citizen.arrive(Phase.IDENTIFY, "identify", "identify-place-card")
    citizen.place_card(DEMO_CARD)
    citizen.wait_until(lambda s: s.session is None or s.session.phase != Phase.IDENTIFY, "the card to be read")
    session = _session(citizen)
    assert session.parties, f"card not accepted: {session.identification.error}"
    applicant = session.parties[0]
    citizen.arrive(Phase.FORM, "form", "form-prefilled")
    say(f"card read: {mask_name(applicant.name)} {mask_id_number(applicant.id_number)}")
    for spec in item.form_fields:
        already = _session(citizen).value(spec.id)  # suggested by the card, or built from other answers
        if spec.source == "manual" and spec.required and not already:  # optional fields are left for the window
            citizen.fill(spec, sample_value(spec, applicant))
            citizen.wait_until(_field_filled(spec.id), f"field {spec.id}")
    citizen.arrive(Phase.FORM, "form", "form-filled")
    citizen.tap("form:next", ev.FormSubmitted())
    session = _session(citizen)
    assert session.phase == Phase.REVIEW, f"form refused: {session.field_errors}"
    citizen.arrive(Phase.REVIEW, "review", "review")
    citizen.tap("review:confirm", ev.ReviewConfirmed())
    citizen.wait_until(lambda s: s.session is not None and s.session.printing.status in FINISHED, "the slip")
    citizen.arrive(Phase.DONE, "done", "done")
    submission = _session(citizen).submit.result
    assert submission is not None
    number = submission.application_number or f"{submission.local_reference} (待上传)"
    say(f"application number {number}; slip {_session(citizen).printing.status.value}")
    citizen.remove_card()
    citizen.tap("done:finish", ev.FinishPressed())
    citizen.wait_until(lambda s: s.session is None, "the session to end")
    citizen.arrive(Phase.HOME, "home", "home-after")
    say(f"session wiped: {citizen.state.session is None}")
    return Receipt(number, submission.query_code)


PHONE_FIELD = FormField.model_validate({"id": "phone", "label": {"zh": "手机", "ko": "휴대전화", "en": "Mobile"},
                                        "type": "phone", "source": "manual", "input": "numeric_keypad"})


def walk_appointment(citizen: Citizen, catalog: Catalog, say: Callable[[str], None],
                     item_id: str = "marriage-registration", second_card: str = "resident-rare-char") -> str:
    """Book a marriage registration for two: both cards read, a time chosen, a phone number; returns the booking
    number."""
    item = catalog.item(item_id)
    say(f"item: {item.names.zh}")
    citizen.arrive(Phase.HOME, "home", "appointment-home")
    citizen.tap(f"category:{item.category}", ev.CategoryChosen(item.category))
    citizen.arrive(Phase.BROWSING, "browse", "appointment-list")
    citizen.tap(f"item:{item.id}", ev.ItemChosen(item.id))
    citizen.arrive(Phase.ITEM_GUIDE, "guide", "appointment-guide")
    citizen.tap("guide:start", ev.AppointmentStarted())
    citizen.arrive(Phase.CONSENT, "consent", "appointment-consent")
    citizen.tap("consent:agree", ev.ConsentGiven(sensitive=False))
    citizen.arrive(Phase.IDENTIFY, "identify", "appointment-identify")
    citizen.place_card(DEMO_CARD)
    citizen.wait_until(lambda s: s.session is not None and len(s.session.parties) == 1, "the first party")
    citizen.arrive(Phase.IDENTIFY, "identify", "appointment-first-party-checked")
    citizen.remove_card()
    citizen.place_card(second_card)
    citizen.wait_until(lambda s: s.session is not None and s.session.phase == Phase.APPOINTMENT
                       and bool(s.session.available_slots), "the slots")
    citizen.arrive(Phase.APPOINTMENT, "appointment", "appointment-slots")
    slot = next(s for s in _session(citizen).available_slots if s.remaining > 0)
    citizen.tick(f"day:{slot.day.isoformat()}")
    citizen.tap(f"slot:{slot.slot_id}", ev.SlotChosen(slot.slot_id))
    citizen.fill(PHONE_FIELD, "13912345678")
    citizen.wait_until(_field_filled("phone"), "the phone number")
    citizen.tap("appointment:confirm", ev.BookingConfirmed())
    citizen.wait_until(lambda s: s.session is not None and s.session.phase == Phase.DONE
                       and s.session.printing.status in FINISHED, "the appointment slip")
    citizen.arrive(Phase.DONE, "done", "appointment-done")
    booking = _session(citizen).booking.result
    assert booking is not None
    say(f"booking number {booking.booking_number}")
    citizen.remove_card()
    citizen.tap("done:finish", ev.FinishPressed())
    citizen.wait_until(lambda s: s.session is None, "the session to end")
    return booking.booking_number


def walk_progress_by_scan(citizen: Citizen, number: str, say: Callable[[str], None]) -> str:
    """Hold the receipt's QR code to the scanner on the idle home screen, read the progress, finish."""
    from kiosk.core.slips import progress_url

    citizen.arrive(Phase.HOME, "home", "scan-home")
    citizen.scan(progress_url(number))
    return _read_progress(citizen, "scan-progress", "receipt scan", say)


def walk_progress_by_number(citizen: Citizen, receipt: Receipt, say: Callable[[str], None]) -> str:
    """Open 进度查询 on the home screen and type the receipt's number and query code, as a citizen without a
    scanner-friendly slip (creased, faded) would; read the progress, finish."""
    citizen.arrive(Phase.HOME, "home", "typed-home")
    citizen.tap("home:progress", ev.ProgressQueryStarted())
    citizen.arrive(Phase.PROGRESS_QUERY, "progress", "typed-progress")
    citizen.type_receipt(receipt.number, receipt.query_code)
    return _read_progress(citizen, "typed-found", "typed number and code", say)


def _read_progress(citizen: Citizen, shot: str, how: str, say: Callable[[str], None]) -> str:
    """Wait for the answer on the progress screen, say the first record's status, finish."""
    citizen.wait_until(lambda s: s.session is not None and s.session.phase == Phase.PROGRESS_QUERY
                       and s.session.progress.status in FINISHED, f"the progress by {how}")
    citizen.arrive(Phase.PROGRESS_QUERY, "progress", shot)
    records = _session(citizen).records
    status = records[0].status.value if records else "not found"
    say(f"progress by {how}: {status}")
    citizen.tap("progress:finish", ev.FinishPressed())
    citizen.wait_until(lambda s: s.session is None, "the session to end")
    return status
