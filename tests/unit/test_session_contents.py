"""What the session machine hands over and exactly what each step changes (issue #21): the application it
submits, the booking it makes, the slip it reprints, the consent it records, and the edges (a future birth
date, application-number bounds, full or unknown slots, phone numbers).

Steps are asserted as the exact set of session fields they change and the exact commands they return, so a
step that forgets to clear a field, or clears one too many, fails here. A step into another phase also puts
the session it left on the trail, and Back takes it off: the trail is asserted as its phases. Each test names
the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from kiosk.core.health import Component, Health, Reason
from kiosk.core.identity import Identity, check_char, mask_address, mask_id_number
from kiosk.core.records import Application, Booking, ProgressQuery, ProgressRecord, Slot
from kiosk.core.session import (
    TRANSITIONS,
    IdentifyStatus,
    KioskState,
    Lifecycle,
    Phase,
    ProgressBy,
    Purpose,
    TaskStatus,
    application,
    browsing,
    initial_state,
    table,
)
from kiosk.core.session import events as ev
from kiosk.core.session.commands import (
    ArmIdleTimer,
    Book,
    CancelCardRead,
    EndSession,
    FetchProgress,
    FetchSlots,
    PrintSlip,
    ReadCard,
    SlipRequest,
    Speak,
    Submit,
    WatchCardRemoval,
)
from kiosk.core.session.model import Identification, Rules, Task
from kiosk.core.slips import SlipKind
from kiosk.core.value import replace
from tests.unit import session_helpers as h
from tests.unit.session_helpers import (
    APPLY_ITEM,
    APPOINTMENT_ITEM,
    BOOKED,
    GUIDE_ITEM,
    KIM,
    RESULT,
    SID,
    SLOT,
    TODAY,
    ZHANG,
    run,
)

KIOSK = "JL-TEST-001"
ARM = ArmIdleTimer(SID, 150, 180)  # the rules fixture: a 180 s session, warned 30 s before its end
PHONE = "13912345678"
READING = Identification(IdentifyStatus.READING)

# The trail (the phases Back can return to, oldest first) in each phase of the journeys the helpers make.
AT_GUIDE = (Phase.HOME,)
AT_CONSENT = (Phase.HOME, Phase.ITEM_GUIDE)
AT_IDENTIFY = (*AT_CONSENT, Phase.CONSENT)
AT_FORM = (*AT_IDENTIFY, Phase.IDENTIFY)  # and in the appointment
AT_REVIEW = (*AT_FORM, Phase.FORM)
AT_SUBMITTING = (*AT_REVIEW, Phase.REVIEW)


def trail(state: KioskState) -> tuple[Phase, ...]:
    """The phases of the snapshots on the session's trail, oldest first."""
    assert state.session is not None
    return tuple(snapshot.phase for snapshot in state.session.trail)


def step(state: KioskState, event: ev.Event) -> tuple[KioskState, dict[str, Any], list[Any]]:
    """The new state, the session fields the step changed (name: new value; the trail as its phases) and its
    commands."""
    new, commands = run(state, event)
    assert state.session is not None and new.session is not None
    before, after = state.session, new.session
    changed = {name: getattr(after, name) for name in after.__struct_fields__
               if getattr(after, name) != getattr(before, name)}
    if "trail" in changed:
        changed["trail"] = trail(new)
    return new, changed, commands


def say(prompt: str, language: str = "zh") -> Speak:
    return Speak(prompt, language, 80)


def screen(phase: Phase) -> Speak:
    return say(f"screen.{phase.value}")


def people(*parties: Identity) -> dict[str, tuple[str, ...]]:
    return {"masked_names": tuple(("张*兰" if p is ZHANG else "金*") for p in parties),
            "masked_id_numbers": tuple(mask_id_number(p.id_number) for p in parties),
            "masked_addresses": tuple(mask_address(p.address) for p in parties)}


# ---- the application that is submitted ----

def test_the_submitted_application_carries_the_form_and_who_sent_it(rules: Rules) -> None:
    review = h.at_review(rules)
    _state, changed, commands = step(review, ev.ReviewConfirmed())
    application = Application(idempotency_key=f"{SID}:apply", local_reference=f"{KIOSK}-S1", kiosk_id=KIOSK,
                              item_id=APPLY_ITEM, applicant=ZHANG, fields=review.session.form)
    assert review.session.form  # the citizen's answers and the card's values
    assert commands == [ARM, Submit(SID, application), screen(Phase.SUBMITTING)]
    assert changed == {"phase": Phase.SUBMITTING, "submit": Task(TaskStatus.RUNNING), "trail": AT_SUBMITTING}


def test_a_retried_submission_is_the_same_application_and_clears_the_error(rules: Rules) -> None:
    state, _, commands = step(h.at_review(rules), ev.ReviewConfirmed())
    first = commands[1]
    state, changed, commands = step(state, ev.SubmitFailed(SID, Reason.BACKEND_TIMEOUT))
    assert changed == {"submit": Task(TaskStatus.FAILED, Reason.BACKEND_TIMEOUT)}
    assert commands == [say("error.backend_timeout")]
    state, changed, commands = step(state, ev.SubmitRetried())
    assert changed == {"submit": Task(TaskStatus.RUNNING)}  # the error cleared
    assert commands == [ARM, first]


@pytest.mark.parametrize(("session_id", "reference"), [
    ("s1", "JL-TEST-001-S1"),
    ("3f2a9c1d-4b7e-4a0c-9d2e-0123456789ab", "JL-TEST-001-3F2A9C1D4B"),  # hyphens out, ten characters, upper case
])
def test_local_reference(session_id: str, reference: str) -> None:
    assert application.local_reference(KIOSK, session_id) == reference


CODED = replace(RESULT, query_code="7K3Q")  # the receipt's query code (issue #13)


def test_a_receipt_shows_the_number_the_query_code_and_masked_people(rules: Rules) -> None:
    _state, changed, commands = step(h.at_submitting(rules), ev.SubmitSucceeded(SID, CODED))
    job = f"{SID}-receipt"
    request = SlipRequest(SlipKind.RECEIPT, APPLY_ITEM, "zh", application_number=RESULT.application_number,
                          local_reference=RESULT.local_reference, queued=False, query_code="7K3Q", **people(ZHANG))
    assert commands == [PrintSlip(SID, job, request), Speak("screen.done", "zh", 80, f"application:{APPLY_ITEM}")]
    assert changed == {"phase": Phase.DONE, "submit": Task(TaskStatus.DONE, result=CODED),
                       "printing": Task(TaskStatus.RUNNING, job=job), "trail": (*AT_SUBMITTING, Phase.SUBMITTING),
                       "notice": None}  # the card-read notice gives way to the done screen's own reminder


def test_a_queued_receipt_has_no_number_but_the_local_reference(rules: Rules) -> None:
    queued = replace(RESULT, application_number=None)
    _, _, commands = step(h.at_submitting(rules), ev.SubmitSucceeded(SID, queued))
    request = commands[0].request
    assert (request.application_number, request.local_reference, request.queued) == ("", RESULT.local_reference,
                                                                                       True)


def test_an_empty_answer_changes_nothing(rules: Rules) -> None:
    submitting = h.at_submitting(rules)
    assert run(submitting, ev.SubmitSucceeded(SID, None)) == (submitting, [])
    appointment = run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", PHONE),
                      ev.BookingConfirmed())[0]
    assert run(appointment, ev.BookingSucceeded(SID, None)) == (appointment, [])


# ---- printing and reprinting ----

def test_a_reprinted_receipt_is_the_same_slip(rules: Rules) -> None:
    state, _, commands = step(h.at_submitting(rules), ev.SubmitSucceeded(SID, CODED))
    original = commands[0]
    assert original.request.query_code == "7K3Q"  # on the reprint too: the citizen has no other copy
    state, changed, commands = step(state, ev.SlipPrintFailed(SID, original.job_id, Reason.PAPER_OUT))
    assert changed == {"printing": Task(TaskStatus.FAILED, Reason.PAPER_OUT, job=original.job_id)}
    assert commands == [say("error.paper_out")]
    state, changed, commands = step(state, ev.PrintRetried())
    assert changed == {"printing": Task(TaskStatus.RUNNING, job=original.job_id)}  # the same job, the error cleared
    assert commands == [ARM, original]


def test_a_reprinted_queued_receipt_is_the_same_slip(rules: Rules) -> None:
    queued = replace(RESULT, application_number=None)
    state, _, commands = step(h.at_submitting(rules), ev.SubmitSucceeded(SID, queued))
    original = commands[0]
    state, _ = run(state, ev.SlipPrintFailed(SID, original.job_id, Reason.PAPER_OUT))
    assert step(state, ev.PrintRetried())[2] == [ARM, original]


def booked(rules: Rules) -> tuple[KioskState, list[Any]]:
    state = run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", PHONE),
                ev.BookingConfirmed())[0]
    state, _, commands = step(state, ev.BookingSucceeded(SID, BOOKED))
    return state, commands


def test_an_appointment_slip_names_the_booking_and_the_slot(rules: Rules) -> None:
    state = run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", PHONE),
                ev.BookingConfirmed())[0]
    state, changed, commands = step(state, ev.BookingSucceeded(SID, BOOKED))
    job = f"{SID}-appointment"
    request = SlipRequest(SlipKind.APPOINTMENT, APPOINTMENT_ITEM, "zh", booking_number=BOOKED.booking_number,
                          slot_text="2026-11-30 09:00-10:30 婚姻登记处", slot_day="2026-11-30", **people(ZHANG, KIM))
    assert commands == [PrintSlip(SID, job, request), Speak("screen.done", "zh", 80, f"booking:{APPOINTMENT_ITEM}")]
    assert changed == {"phase": Phase.DONE, "booking": Task(TaskStatus.DONE, result=BOOKED),
                       "printing": Task(TaskStatus.RUNNING, job=job), "trail": (*AT_FORM, Phase.APPOINTMENT),
                       "notice": None}


def test_a_reprinted_appointment_slip_is_the_same_slip(rules: Rules) -> None:
    state, commands = booked(rules)
    original = commands[0]
    state, _ = run(state, ev.SlipPrintFailed(SID, original.job_id, Reason.COVER_OPEN))
    assert step(state, ev.PrintRetried())[2] == [ARM, original]


def test_a_guide_slip_and_its_reprint(rules: Rules) -> None:
    guide = h.at_guide(rules, GUIDE_ITEM)
    state, changed, commands = step(guide, ev.GuidePrintRequested())
    job = f"{SID}-guide-{GUIDE_ITEM}"
    original = PrintSlip(SID, job, SlipRequest(SlipKind.GUIDE, GUIDE_ITEM, "zh"))
    assert commands == [ARM, original, screen(Phase.GUIDE_PRINTING)]
    assert changed == {"phase": Phase.GUIDE_PRINTING, "purpose": Purpose.GUIDE,
                       "printing": Task(TaskStatus.RUNNING, job=job), "trail": (*AT_GUIDE, Phase.ITEM_GUIDE)}
    state, _ = run(state, ev.SlipPrintFailed(SID, job, Reason.PAPER_OUT))
    assert step(state, ev.PrintRetried())[2] == [ARM, original]


def test_the_citizen_is_told_to_take_the_guide_slip(rules: Rules) -> None:
    state = h.at_guide_printing(rules)
    job = state.session.printing.job
    state, changed, commands = step(state, ev.SlipPrinted(SID, job))
    assert changed == {"printing": Task(TaskStatus.DONE, job=job), "slip_out": True}
    assert commands == [say("notice.take_slip")]


def test_a_slip_printed_after_a_reported_failure_clears_the_error(rules: Rules) -> None:
    state = h.at_guide_printing(rules)
    job = state.session.printing.job
    state, _ = run(state, ev.SlipPrintFailed(SID, job, Reason.PAPER_OUT))
    state, changed, _ = step(state, ev.SlipPrinted(SID, job))
    assert changed == {"printing": Task(TaskStatus.DONE, job=job), "slip_out": True}  # the error cleared


def test_a_reprint_never_interrupts_a_print_and_a_printed_slip_gets_a_copy_of_its_own(rules: Rules) -> None:
    printing = h.at_guide_printing(rules)
    assert run(printing, ev.PrintRetried())[0].session == printing.session  # still printing
    job = printing.session.printing.job
    printed = run(printing, ev.SlipPrinted(SID, job))[0]
    _state, changed, commands = step(printed, ev.PrintRetried())  # the screen's "print again" (issue #15)
    assert changed == {"printing": Task(TaskStatus.RUNNING, job=f"{job}-reprint-1")}
    assert commands == [ARM, PrintSlip(SID, f"{job}-reprint-1", SlipRequest(SlipKind.GUIDE, GUIDE_ITEM, "zh",
                                                                              reprint=True))]


def test_back_from_a_failed_guide_print_forgets_the_job(rules: Rules) -> None:
    state = h.at_guide_printing(rules)
    state, _ = run(state, ev.SlipPrintFailed(SID, state.session.printing.job, Reason.PAPER_OUT))
    state, changed, commands = step(state, ev.BackPressed())
    assert changed == {"phase": Phase.ITEM_GUIDE, "purpose": None, "printing": Task(), "trail": AT_GUIDE}
    assert commands == [ARM, screen(Phase.ITEM_GUIDE)]


# ---- consent and identification ----

def test_the_consent_given_is_recorded(rules: Rules) -> None:
    consent = h.at_consent(rules)  # a sensitive item: the separate consent is needed
    state, changed, commands = step(consent, ev.ConsentGiven(sensitive=False))
    assert changed == {"consent_error": True} and commands == [ARM]
    state, changed, commands = step(state, ev.ConsentGiven(sensitive=True))
    assert changed == {"phase": Phase.IDENTIFY, "consent_general": True, "consent_sensitive": True,
                       "consent_error": False, "identification": READING, "card_used": True,
                       "trail": AT_IDENTIFY}
    assert commands == [ARM, ReadCard(SID, 20.0), screen(Phase.IDENTIFY)]


def test_withdrawing_consent_forgets_it(rules: Rules) -> None:
    """Consent is recorded as it is given, on leaving the consent screen. Back from identification returns to
    the consent screen as it was before (table.back_to), so no consent stays recorded while the citizen
    reconsiders; declining it then, or going back, leaves none either."""
    identify = h.at_identify(rules)
    assert identify.session.consent_general and identify.session.consent_sensitive
    consent, changed, _ = step(identify, ev.BackPressed())
    assert (changed["consent_general"], changed["consent_sensitive"]) == (False, False)
    for event in (ev.ConsentDeclined(), ev.BackPressed()):
        state, changed, commands = step(consent, event)
        assert changed == {"phase": Phase.ITEM_GUIDE, "purpose": None, "trail": AT_GUIDE}
        assert not (state.session.consent_general or state.session.consent_sensitive)
        assert commands == [ARM, screen(Phase.ITEM_GUIDE)]
    # A consent recorded on the consent screen (as the session before issue #21 kept it) is forgotten too.
    given = replace(consent, session=replace(consent.session, consent_general=True, consent_sensitive=True))
    for event in (ev.ConsentDeclined(), ev.BackPressed()):
        assert step(given, event)[1] == {"phase": Phase.ITEM_GUIDE, "purpose": None, "consent_general": False,
                                         "consent_sensitive": False, "trail": AT_GUIDE}
    refused = run(h.at_consent(rules), ev.ConsentGiven(sensitive=False))[0]
    assert step(refused, ev.ConsentDeclined())[1] == {"phase": Phase.ITEM_GUIDE, "purpose": None,
                                                      "consent_error": False, "trail": AT_GUIDE}


def test_back_from_identification_forgets_the_first_party_and_the_problems(rules: Rules) -> None:
    state = run(h.at_identify(rules, APPOINTMENT_ITEM), ev.CardRead(SID, ZHANG, TODAY))[0]
    state, changed, commands = step(state, ev.BackPressed())
    assert changed == {"phase": Phase.CONSENT, "parties": (), "identification": Identification(), "notice": None,
                       "consent_general": False, "consent_sensitive": False, "trail": AT_CONSENT}
    assert commands == [ARM, CancelCardRead(SID), screen(Phase.CONSENT)]
    typed = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.NO_CARD), ev.ManualEntryChosen(),
                ev.ManualIdentityEntered("", "1"))[0]
    assert typed.session.identification.manual_problems
    changed = step(typed, ev.BackPressed())[1]
    assert changed == {"phase": Phase.CONSENT, "identification": Identification(), "consent_general": False,
                       "consent_sensitive": False, "trail": AT_CONSENT}


def test_manual_entry_clears_the_read_error_and_earlier_problems(rules: Rules) -> None:
    failed = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.NO_CARD))[0]
    state, changed, commands = step(failed, ev.ManualEntryChosen())
    assert changed == {"identification": Identification(IdentifyStatus.MANUAL)}  # no error
    assert commands == [ARM, CancelCardRead(SID)]
    state = run(state, ev.ManualIdentityEntered("", "1"))[0]
    assert state.session.identification.status == IdentifyStatus.MANUAL  # the keypad stays open
    assert "name_required" in state.session.identification.manual_problems
    assert step(state, ev.ManualEntryChosen())[1] == {"identification": Identification(IdentifyStatus.MANUAL)}


def test_a_new_read_clears_the_last_error_and_problems(rules: Rules) -> None:
    failed = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.NO_CARD))[0]
    _state, changed, commands = step(failed, ev.CardReadRetried())
    assert changed == {"identification": READING}  # no error
    assert commands == [ARM, ReadCard(SID, 20.0)]
    typed = run(failed, ev.ManualEntryChosen(), ev.ManualIdentityEntered("", "1"))[0]
    assert typed.session.identification.manual_problems
    assert step(typed, ev.CardReadRetried())[1] == {"identification": READING}  # no problems


def test_a_failed_read_is_said(rules: Rules) -> None:
    _state, changed, commands = step(h.at_identify(rules), ev.CardReadFailed(SID, Reason.NO_CARD))
    assert changed == {"identification": Identification(IdentifyStatus.FAILED, Reason.NO_CARD)}
    assert commands == [say("error.no_card")]


def born_on(day: date) -> Identity:
    first17 = f"220102{day:%Y%m%d}002"
    return replace(ZHANG, id_number=first17 + check_char(first17), birth_date=day)


def test_a_card_born_after_today_is_refused(rules: Rules) -> None:
    """The clock's date goes into the check: a card whose number says tomorrow is not a real card today."""
    tomorrow = born_on(date(2026, 11, 28))
    state, changed, commands = step(h.at_identify(rules), ev.CardRead(SID, tomorrow, TODAY))
    assert changed == {"identification": Identification(IdentifyStatus.FAILED, Reason.CARD_CHECKSUM)}
    assert commands == [say("error.card_checksum")]
    state = run(h.at_identify(rules), ev.CardRead(SID, born_on(TODAY), TODAY))[0]
    assert state.session.phase == Phase.FORM  # born today: a newborn's card is fine
    progress = run(h.at_progress(rules), ev.ProgressByCardRequested())[0]
    assert step(progress, ev.CardRead(SID, tomorrow, TODAY))[1] == {
        "identification": Identification(IdentifyStatus.FAILED, Reason.CARD_CHECKSUM)}


def test_the_second_party_and_the_same_person_twice_are_said(rules: Rules) -> None:
    identify = h.at_identify(rules, APPOINTMENT_ITEM)
    state, changed, commands = step(identify, ev.CardRead(SID, ZHANG, TODAY))
    assert changed == {"parties": (ZHANG,), "notice": "next_party"}
    # the first card goes back to its owner: the next read waits for it to leave the reader (issue #15)
    assert commands == [ReadCard(SID, 20.0, fresh=True), say("notice.next_party")]
    state, changed, commands = step(state, ev.CardRead(SID, ZHANG, TODAY))
    assert changed == {"notice": "same_person"}
    assert commands == [ReadCard(SID, 20.0, fresh=True), say("notice.same_person")]
    state, changed, commands = step(state, ev.CardRead(SID, KIM, TODAY))
    assert changed == {"phase": Phase.APPOINTMENT, "parties": (ZHANG, KIM), "identification": Identification(),
                       "notice": "card_read", "slots": Task(TaskStatus.RUNNING), "trail": AT_FORM}
    assert commands == [FetchSlots(SID, APPOINTMENT_ITEM), WatchCardRemoval(SID), say("notice.card_read"),
                        screen(Phase.APPOINTMENT)]


def test_a_read_card_fills_the_form_and_is_watched(rules: Rules) -> None:
    _state, changed, commands = step(h.at_identify(rules), ev.CardRead(SID, ZHANG, TODAY))
    assert set(changed) == {"phase", "parties", "identification", "form", "trail", "notice"}
    assert changed["parties"] == (ZHANG,) and changed["identification"] == Identification()
    assert changed["trail"] == AT_FORM and changed["notice"] == "card_read"  # "读取成功，请取回身份证"
    assert commands == [WatchCardRemoval(SID), say("notice.card_read"), screen(Phase.FORM)]


# ---- form ----

def test_a_typed_value_is_cut_at_64_characters(rules: Rules) -> None:
    item = rules.catalog.item(APPLY_ITEM)
    field = next(spec.id for spec in item.form_fields if spec.source == "manual")
    state = run(h.at_form(rules), ev.FieldChanged(field, "字" * 70))[0]
    assert state.session.value(field) == "字" * 64


def incomplete(rules: Rules) -> KioskState:
    state, changed, commands = step(h.at_form(rules), ev.FormSubmitted())
    assert set(changed) == {"field_errors"} and changed["field_errors"]
    assert commands == [ARM, say("error.form_incomplete")]
    return state


def test_back_from_the_form_wipes_it_and_reads_again(rules: Rules) -> None:
    _state, changed, commands = step(incomplete(rules), ev.BackPressed())
    assert changed == {"phase": Phase.IDENTIFY, "parties": (), "form": (), "field_errors": (),
                       "identification": READING, "trail": AT_IDENTIFY, "notice": None}
    assert commands == [ARM, ReadCard(SID, 20.0), screen(Phase.IDENTIFY)]


def test_a_card_taken_back_after_the_read_wipes_nothing(rules: Rules) -> None:
    """Issue #15: the kiosk asks for the card to be taken back once read; the form stays (cancel, finish and the
    idle timeout wipe it), the 'take your card' notice goes, and the end need not remind of the card."""
    _state, changed, commands = step(incomplete(rules), ev.CardRemoved(SID))
    assert changed == {"card_taken": True, "notice": None}
    assert commands == []


def test_a_complete_form_goes_to_review(rules: Rules) -> None:
    _state, changed, commands = step(h.filled_form(rules), ev.FormSubmitted())
    assert changed == {"phase": Phase.REVIEW, "trail": AT_REVIEW} and commands == [ARM, screen(Phase.REVIEW)]


# ---- progress queries ----

NUMBER = "2201022026120601234567897"  # a 办件编号: division, date, ten random digits, check character
OTHER_NUMBER = "2201022026120698765432100"
CODE = "40721935"


def failed_query(rules: Rules) -> KioskState:
    state = run(h.at_progress(rules), ev.ProgressByNumberRequested("x y"))[0]  # an invalid number first
    state = run(state, ev.ProgressByCardRequested(), ev.CardReadFailed(SID, Reason.NO_CARD))[0]
    return run(state, ev.ProgressByNumberRequested(NUMBER), ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))[0]


def test_a_query_by_number_clears_the_last_answer(rules: Rules) -> None:
    state = failed_query(rules)
    assert state.session.progress.error == Reason.BACKEND_TIMEOUT
    state = run(state, ev.ProgressByNumberRequested("x y"))[0]
    state, changed, commands = step(state, ev.ProgressByNumberRequested(" jl-test-001-s1 "))
    assert changed == {"progress": Task(TaskStatus.RUNNING), "field_errors": ()}  # the error cleared
    assert commands == [ARM, FetchProgress(SID, ProgressQuery(application_number="JL-TEST-001-S1"))]


@pytest.mark.parametrize(("number", "problem"), [
    (NUMBER, None), ("2201 0220 2612 0601 2345 6789 7", None),  # grouped as the screens show it
    ("2201022026120601234567890", "check"), ("2201022026120601234567X97", "invalid"),  # one digit wrong; X inside
    (NUMBER[:-1] + "x", "check"), ("220102202612060123456789X", "check"), (NUMBER + "7", "invalid"),
    (NUMBER[:-1], "invalid"), ("2201022026120600000001", None),  # 22 digits: a receipt from before the check
    ("220102202612060000000A", "invalid"), ("", "invalid"), ("号码", "invalid"), ("A1", "invalid"),
    ("JL-TEST-001-S1", None), ("jl-test-001-s1", None),  # this kiosk's own reference of an application not yet sent
    ("JL-OTHER-001-S1", "invalid"), ("JL-TEST-001-号", "invalid"),
])
def test_application_number_checks(rules: Rules, number: str, problem: str | None) -> None:
    _state, changed, commands = step(h.at_progress(rules), ev.ProgressByNumberRequested(number))
    if problem is None:
        assert changed == {"progress": Task(TaskStatus.RUNNING), "progress_by": ProgressBy.NUMBER}
        assert commands == [ARM, FetchProgress(SID, ProgressQuery(application_number="".join(number.split()).upper()))]
    else:
        assert changed == {"field_errors": (("application_number", problem),)} and commands == [ARM]


@pytest.mark.parametrize(("code", "problem"), [
    (CODE, None), ("4072 1935", None), ("", None), ("4072193", "invalid"), ("407219351", "invalid"),
    ("4072193X", "invalid"), ("４０７２１９３５", "invalid"),
])
def test_query_code_checks(rules: Rules, code: str, problem: str | None) -> None:
    _state, changed, commands = step(h.at_progress(rules), ev.ProgressByNumberRequested(NUMBER, code))
    if problem is None:
        by = ProgressBy.RECEIPT if code else ProgressBy.NUMBER
        assert changed == {"progress": Task(TaskStatus.RUNNING), "progress_by": by}
        query = ProgressQuery(application_number=NUMBER, query_code=code.replace(" ", ""))
        assert commands == [ARM, FetchProgress(SID, query)]
    else:
        assert changed == {"field_errors": (("query_code", problem),)} and commands == [ARM]


def test_a_wrong_number_and_code_are_both_reported_and_nothing_is_sent(rules: Rules) -> None:
    """A mistyped code must not reach the backend, where it would count as a wrong guess against the number."""
    _state, changed, commands = step(h.at_progress(rules), ev.ProgressByNumberRequested(NUMBER[:-1] + "0", "123"))
    assert changed == {"field_errors": (("application_number", "check"), ("query_code", "invalid"))}
    assert commands == [ARM]


def test_the_code_is_never_shown_in_a_repr(rules: Rules) -> None:
    assert CODE not in repr(ev.ProgressByNumberRequested(NUMBER, CODE))
    assert CODE not in repr(ProgressQuery(application_number=NUMBER, query_code=CODE))


def test_a_query_by_card_clears_the_last_answer(rules: Rules) -> None:
    state = failed_query(rules)
    state = run(state, ev.ProgressLoaded(SID, ()))[0]
    state = run(state, ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))[0]
    assert state.session.progress == Task(TaskStatus.FAILED, Reason.BACKEND_TIMEOUT, ())
    assert state.session.identification == Identification(IdentifyStatus.FAILED, Reason.NO_CARD)
    state, changed, commands = step(state, ev.ProgressByCardRequested())
    assert changed == {"progress": Task(), "identification": READING,  # the answer and both errors gone
                       "progress_by": ProgressBy.CARD}
    assert commands == [ARM, ReadCard(SID, 20.0)]
    state, changed, commands = step(state, ev.CardRead(SID, ZHANG, TODAY))
    assert changed == {"identification": Identification(), "progress": Task(TaskStatus.RUNNING)}
    assert commands == [FetchProgress(SID, ProgressQuery(id_number=ZHANG.id_number)), WatchCardRemoval(SID),
                        say("notice.card_read")]  # the card goes back at once (issue #15)
    state, changed, _ = step(state, ev.BackendFailed(SID, Reason.BACKEND_UNREACHABLE))
    assert changed == {"progress": Task(TaskStatus.FAILED, Reason.BACKEND_UNREACHABLE)}


def test_a_failed_card_in_a_query(rules: Rules) -> None:
    state = run(h.at_progress(rules), ev.ProgressByCardRequested())[0]
    assert step(state, ev.CardReadFailed(SID, Reason.NO_CARD))[1] == {
        "identification": Identification(IdentifyStatus.FAILED, Reason.NO_CARD)}
    assert step(state, ev.CardRead(SID, None, TODAY))[1] == {
        "identification": Identification(IdentifyStatus.FAILED, Reason.CARD_UNREADABLE)}


def test_back_from_a_query_forgets_it(rules: Rules) -> None:
    state = run(failed_query(rules), ev.ProgressByNumberRequested("x y"))[0]
    session = state.session
    assert session.progress.error and session.field_errors and session.identification.error
    state, changed, commands = step(state, ev.BackPressed())
    assert changed == {"phase": Phase.HOME, "purpose": None, "progress": Task(), "identification": Identification(),
                       "field_errors": (), "trail": (), "progress_by": None}
    assert commands == [ARM, CancelCardRead(SID), screen(Phase.HOME)]
    assert state.session.card_used  # the card was asked for: the end of the session still reminds
    loaded = run(h.at_progress(rules), ev.ProgressByNumberRequested(NUMBER), ev.ProgressLoaded(SID, ()))[0]
    assert step(loaded, ev.BackPressed())[1]["progress"] == Task()


# ---- appointments ----

FULL = Slot("marriage-registration:2026-11-30:14:00", "婚姻登记处", date(2026, 11, 30), "14:00", "15:30", 0)
LAST = Slot("marriage-registration:2026-12-01:09:00", "婚姻登记处", date(2026, 12, 1), "09:00", "10:30", 1)


def test_full_and_unknown_slots_cannot_be_chosen(rules: Rules) -> None:
    state = run(h.at_appointment(rules), ev.SlotsLoaded(SID, (SLOT, FULL, LAST)))[0]
    for slot_id in (FULL.slot_id, "marriage-registration:2026-12-24:09:00"):
        assert run(state, ev.SlotChosen(slot_id))[0].session == state.session
    assert step(state, ev.SlotChosen(LAST.slot_id))[1] == {"chosen_slot": LAST.slot_id}  # the last place


@pytest.mark.parametrize("phone", ["23912345678", "1391234567", "139123456789", "1391234567a", ""])
def test_only_mobile_numbers_are_accepted(rules: Rules, phone: str) -> None:
    state = run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", phone))[0]
    state, changed, commands = step(state, ev.BookingConfirmed())
    assert changed == {"field_errors": (("phone", "phone_invalid"),)} and commands == [ARM]


def test_the_booked_slot_is_the_one_chosen(rules: Rules) -> None:
    state = run(h.at_appointment(rules), ev.SlotsLoaded(SID, (SLOT, LAST)), ev.BookingConfirmed(),
                ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))[0]
    assert state.session.field_errors and state.session.booking.error
    state = run(state, ev.SlotChosen(LAST.slot_id), ev.FieldChanged("phone", PHONE))[0]
    state, changed, commands = step(state, ev.BookingConfirmed())
    booking = Booking(idempotency_key=f"{SID}:book", item_id=APPOINTMENT_ITEM, slot_id=LAST.slot_id,
                      parties=(ZHANG, KIM), phone=PHONE)
    assert commands == [ARM, Book(SID, booking)]
    assert changed == {"booking": Task(TaskStatus.RUNNING), "field_errors": ()}  # the error cleared
    assert run(state, ev.BookingConfirmed())[0].session == state.session  # one booking at a time


def test_slots_and_failures_of_the_appointment_backend(rules: Rules) -> None:
    """A failure while the slots load is theirs, said, and cleared when they come; once they are in, a failure
    is the booking's."""
    identify = h.at_identify(rules, APPOINTMENT_ITEM)
    loading = run(identify, ev.CardRead(SID, ZHANG, TODAY), ev.CardRead(SID, KIM, TODAY))[0]
    assert run(loading, ev.BookingConfirmed()) == (loading, [ARM])  # nothing to book before the slots are in
    state, changed, commands = step(loading, ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))
    assert changed == {"slots": Task(TaskStatus.FAILED, Reason.BACKEND_TIMEOUT)}
    assert commands == [say("error.backend_timeout")]
    state, changed, _ = step(state, ev.SlotsLoaded(SID, (LAST,)))
    assert changed == {"slots": Task(TaskStatus.DONE, result=(LAST,))}
    assert state.session.available_slots == (LAST,)
    state, changed, commands = step(state, ev.BackendFailed(SID, Reason.BACKEND_UNREACHABLE))
    assert changed == {"booking": Task(TaskStatus.FAILED, Reason.BACKEND_UNREACHABLE)}
    assert commands == [say("error.backend_unreachable")]


def test_back_from_an_appointment_forgets_it(rules: Rules) -> None:
    state = run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", "1"),
                ev.BookingConfirmed(), ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))[0]
    state, changed, commands = step(state, ev.BackPressed())
    assert changed == {"phase": Phase.ITEM_GUIDE, "purpose": None, "consent_general": False,
                       "consent_sensitive": False, "parties": (), "form": (), "slots": Task(), "chosen_slot": None,
                       "field_errors": (), "booking": Task(), "trail": AT_GUIDE, "notice": None}
    assert state.session.card_used  # carried over: the end of the session still reminds to take the cards
    assert commands == [ARM, screen(Phase.ITEM_GUIDE)]


# ---- the trail and Back ----

def test_the_trail_holds_each_phase_left_without_its_own_trail(rules: Rules) -> None:
    """A snapshot is the session as it was without the trail before it (Back sets that again): kept, the trail
    would grow with the square of the steps. A pending idle warning is not kept either."""
    state = run(h.at_identify(rules), ev.IdleWarningDue(SID), ev.CardRead(SID, ZHANG, TODAY))[0]
    assert trail(state) == AT_FORM and state.session.idle_warning  # a card read is no answer to the warning
    assert all(snapshot.trail == () and not snapshot.idle_warning for snapshot in state.session.trail)


def test_back_to_a_phase_not_on_the_trail_changes_nothing(rules: Rules) -> None:
    home = h.at_home(rules)
    assert table.back_to(home, home.session, Phase.HOME) is home
    assert table.back_to(home, home.session, None) is home
    guide = h.at_guide(rules)
    assert table.back_to(guide, guide.session, Phase.CONSENT) is guide


def test_back_brings_back_no_notice_and_no_consent_error(rules: Rules) -> None:
    """The snapshot is the phase as it was left, but a message shown once stays shown once."""
    home = h.at_home(rules)
    noticed = run(replace(home, session=replace(home.session, notice="card_read")), ev.ItemChosen(APPLY_ITEM))[0]
    assert noticed.session.trail[0].notice == "card_read"
    assert step(noticed, ev.BackPressed())[1] == {"phase": Phase.HOME, "item_id": None, "trail": ()}
    refused = run(h.at_consent(rules), ev.ConsentGiven(sensitive=False), ev.ConsentGiven(sensitive=True))[0]
    assert refused.session.trail[-1].consent_error
    consent = run(refused, ev.BackPressed())[0].session
    assert (consent.phase, consent.consent_error) == (Phase.CONSENT, False)


def test_a_card_taken_back_at_review_keeps_the_review(rules: Rules) -> None:
    _state, changed, commands = step(h.at_review(rules), ev.CardRemoved(SID))
    assert changed == {"card_taken": True, "notice": None}
    assert commands == []


def test_a_removed_card_brings_back_no_idle_warning(rules: Rules) -> None:
    """Identification was left while the idle warning showed; the citizen has since answered it."""
    form = run(h.at_identify(rules), ev.IdleWarningDue(SID), ev.CardRead(SID, ZHANG, TODAY), ev.IdleExtended())[0]
    assert form.session.phase == Phase.FORM and not form.session.idle_warning
    assert run(form, ev.CardRemoved(SID))[0].session.idle_warning is False


def test_two_parties_to_an_application_are_both_forgotten(rules: Rules) -> None:
    """An application item may need two parties (catalog: parties = 2); the snapshot of identification then
    holds the first one, which neither Back from the form nor a removed card may bring back."""
    items = tuple(i.model_copy(update={"parties": 2}) if i.id == APPLY_ITEM else i for i in rules.catalog.items)
    two = replace(rules, catalog=dataclasses.replace(rules.catalog, items=items))
    form = run(h.at_identify(two), ev.CardRead(SID, ZHANG, TODAY), ev.CardRead(SID, KIM, TODAY))[0]
    assert form.session.parties == (ZHANG, KIM) and form.session.trail[-1].parties == (ZHANG,)
    state = run(form, ev.BackPressed())[0]
    assert (state.session.phase, state.session.parties) == (Phase.IDENTIFY, ())


# ---- anywhere ----

def test_browsing_steps(rules: Rules) -> None:
    home = h.at_home(rules)
    searched, changed, _ = step(home, ev.SearchChanged("婚" * 45))
    assert changed == {"phase": Phase.BROWSING, "search": "婚" * 40, "trail": AT_GUIDE}
    state, changed, _ = step(searched, ev.CategoryChosen("marriage"))
    assert changed == {"category": "marriage", "search": ""}
    state, changed, commands = step(state, ev.BackPressed())
    assert changed == {"phase": Phase.HOME, "category": None, "trail": ()} and commands == [ARM, screen(Phase.HOME)]
    assert step(searched, ev.BackPressed())[1] == {"phase": Phase.HOME, "search": "", "trail": ()}
    noticed = replace(home, session=replace(home.session, notice="card_read"))
    for event, expected in [(ev.CategoryChosen("marriage"), {"phase": Phase.BROWSING, "category": "marriage"}),
                            (ev.SearchChanged("婚"), {"phase": Phase.BROWSING, "search": "婚"}),
                            (ev.ItemChosen(APPLY_ITEM), {"phase": Phase.ITEM_GUIDE, "item_id": APPLY_ITEM}),
                            (ev.ProgressQueryStarted(), {"phase": Phase.PROGRESS_QUERY,
                                                          "purpose": Purpose.PROGRESS})]:
        assert step(noticed, event)[1] == {**expected, "notice": None, "trail": AT_GUIDE}


def test_back_from_the_guide_forgets_the_item(rules: Rules) -> None:
    _state, changed, _ = step(h.at_guide(rules), ev.BackPressed())
    assert changed == {"phase": Phase.HOME, "item_id": None, "trail": ()}
    started = run(h.at_consent(rules), ev.BackPressed())[0]
    assert started.session.purpose is None


def test_staff_call_idle_warning_and_extension(rules: Rules) -> None:
    state, changed, commands = step(h.at_home(rules), ev.StaffCalled())
    assert changed == {} and state.help_call is not None  # the call is the kiosk's, not the session's
    state, changed, commands = step(state, ev.IdleWarningDue(SID))
    assert changed == {"idle_warning": True} and commands == [say("idle_warning")]
    state, changed, commands = step(state, ev.IdleExtended())
    assert changed == {"idle_warning": False} and commands == [ARM]
    warned = run(state, ev.IdleWarningDue(SID))[0]
    assert step(warned, ev.ElderModeToggled())[1] == {"elder_mode": True, "idle_warning": False}


def test_idle_timeout_while_handing_over_only_rearms(rules: Rules) -> None:
    state = run(h.at_submitting(rules), ev.IdleWarningDue(SID))[0]
    state, changed, commands = step(state, ev.IdleTimedOut(SID))
    assert changed == {"idle_warning": False} and commands == [ARM]
    failed = run(state, ev.SubmitFailed(SID, Reason.BACKEND_TIMEOUT))[0]
    assert run(failed, ev.IdleTimedOut(SID))[0].session is None  # a failed hand-over does not hold the kiosk


def test_voice_prompts_are_in_the_citizens_language(rules: Rules) -> None:
    state = run(h.at_home(rules), ev.LanguageChosen("ko"))[0]
    state, changed, commands = step(state, ev.VoiceToggled())
    assert changed == {"voice": False}
    state, changed, commands = step(state, ev.VoiceToggled())
    assert changed == {"voice": True} and commands == [ARM, say("voice.on", "ko")]
    _, changed, commands = step(state, ev.VolumeChanged(louder=True))
    assert changed == {"volume": 100} and commands == [ARM, Speak("voice.volume", "ko", 100)]
    _, _, commands = step(state, ev.CategoryChosen("marriage"))
    assert commands == [ARM, say("screen.browsing", "ko")]


def test_home_from_the_home_screen_ends_without_a_notice(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.HomePressed())
    assert state.session is None and state.home_notice is None
    state, _ = run(h.at_guide(rules), ev.HomePressed())
    assert state.home_notice == "cancelled" and state.notice_language == "zh"


# ---- registration ----

class _Probe(ev.Intent, frozen=True):
    """An event no phase handles, for registering a handler in a test."""


def test_register_adds_rows_and_refuses_a_second_handler() -> None:
    def handler(state: KioskState, s: Any, e: Any) -> tuple[KioskState, list[Any]]:
        return state, []

    keys = [(Phase.HOME, _Probe), (Phase.BROWSING, _Probe)]
    try:
        table.register([([Phase.HOME, Phase.BROWSING], _Probe, handler)])
        assert [TRANSITIONS[key] for key in keys] == [handler, handler]
        with pytest.raises(RuntimeError, match=r"^two handlers for \(<Phase\.HOME: 'home'>, <class '.*_Probe'>\)$"):
            table.register([([Phase.HOME], _Probe, handler)])
    finally:
        for key in keys:
            TRANSITIONS.pop(key, None)


def test_register_lifecycle_adds_rows_and_refuses_a_second_handler() -> None:
    def handler(state: KioskState, e: Any) -> tuple[KioskState, list[Any]]:
        return state, []

    try:
        table.register_lifecycle([(_Probe, handler)])
        assert table.LIFECYCLE[_Probe] is handler
        with pytest.raises(RuntimeError, match=r"^two lifecycle handlers for _Probe$"):
            table.register_lifecycle([(_Probe, handler)])
    finally:
        table.LIFECYCLE.pop(_Probe, None)


def test_start_handlers_check_the_items_action(rules: Rules) -> None:
    """ApplyStarted and AppointmentStarted share one check (browsing.ROWS); their handlers, called directly."""
    apply = TRANSITIONS[(Phase.ITEM_GUIDE, ev.ApplyStarted)]
    appointment = TRANSITIONS[(Phase.ITEM_GUIDE, ev.AppointmentStarted)]
    assert [row for row in browsing.ROWS if row[2] in (apply, appointment)] == [
        ([Phase.ITEM_GUIDE], ev.ApplyStarted, apply), ([Phase.ITEM_GUIDE], ev.AppointmentStarted, appointment)]
    guide = h.at_guide(rules)
    state, commands = apply(guide, guide.session, ev.ApplyStarted())
    assert commands == []
    before, after = guide.session, state.session
    assert {n: getattr(after, n) for n in after.__struct_fields__ if getattr(after, n) != getattr(before, n)} == {
        "phase": Phase.CONSENT, "purpose": Purpose.APPLY}
    refused = run(guide, ev.ConsentGiven())[0]  # not in consent: nothing happens
    assert refused.session == guide.session
    assert appointment(guide, guide.session, ev.AppointmentStarted()) == (guide, [])  # an item to apply for
    marriage = h.at_guide(rules, APPOINTMENT_ITEM)
    assert apply(marriage, marriage.session, ev.ApplyStarted()) == (marriage, [])  # an item to book
    booking = appointment(marriage, marriage.session, ev.AppointmentStarted())[0].session
    assert (booking.phase, booking.purpose) == (Phase.CONSENT, Purpose.APPOINTMENT)
    consent_error = replace(guide, session=replace(guide.session, consent_error=True))
    assert apply(consent_error, consent_error.session, ev.ApplyStarted())[0].session.consent_error is False
    home = h.at_home(rules)
    assert apply(home, home.session, ev.ApplyStarted()) == (home, [])  # no item chosen


# ---- slips in the citizen's language, kiosk lifecycle ----

def test_every_slip_and_its_reprint_is_in_the_citizens_language(rules: Rules) -> None:
    def korean(state: KioskState) -> KioskState:
        return replace(state, session=replace(state.session, language="ko"))

    guide = run(korean(h.at_guide(rules, GUIDE_ITEM)), ev.GuidePrintRequested())
    receipt = run(korean(h.at_submitting(rules)), ev.SubmitSucceeded(SID, RESULT))
    appointment = run(korean(run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", PHONE),
                                 ev.BookingConfirmed())[0]), ev.BookingSucceeded(SID, BOOKED))
    for state, commands in (guide, receipt, appointment):
        job = next(c for c in commands if isinstance(c, PrintSlip))
        assert job.request.language == "ko"
        state, _ = run(state, ev.SlipPrintFailed(SID, job.job_id, Reason.PAPER_OUT))
        again = next(c for c in run(state, ev.PrintRetried())[1] if isinstance(c, PrintSlip))
        assert again == job


def test_a_second_booking_is_not_sent_while_the_first_runs(rules: Rules) -> None:
    state = run(h.at_appointment(rules), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", PHONE),
                ev.BookingConfirmed())[0]
    assert run(state, ev.BookingConfirmed()) == (state, [ARM])


def test_back_from_a_failed_read_clears_the_error(rules: Rules) -> None:
    failed = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.NO_CARD))[0]
    assert step(failed, ev.BackPressed())[1] == {"phase": Phase.CONSENT, "identification": Identification(),
                                                 "consent_general": False, "consent_sensitive": False,
                                                 "trail": AT_CONSENT}


def test_a_new_query_forgets_the_records_shown(rules: Rules) -> None:
    record = ProgressRecord(RESULT.application_number or "", APPLY_ITEM, RESULT.status, TODAY)
    loaded = run(h.at_progress(rules), ev.ProgressByNumberRequested(NUMBER), ev.ProgressLoaded(SID, (record,)))[0]
    assert loaded.session.records == (record,)
    assert step(loaded, ev.ProgressByNumberRequested(OTHER_NUMBER))[1] == {"progress": Task(TaskStatus.RUNNING)}
    assert step(loaded, ev.ProgressByNumberRequested(OTHER_NUMBER, CODE))[1] == {
        "progress": Task(TaskStatus.RUNNING), "progress_by": ProgressBy.RECEIPT}
    assert step(loaded, ev.ProgressByCardRequested())[1] == {"progress": Task(), "identification": READING,
                                                             "card_used": True, "progress_by": ProgressBy.CARD}


def test_start_up_takes_the_health_reported_with_it(rules: Rules) -> None:
    paper_out = Health.problem(Component.PRINTER, Reason.PAPER_OUT)
    out_of_disk = Health.problem(Component.DISK, Reason.DISK_FULL)
    state, _ = run(initial_state(rules), ev.StartupCompleted((paper_out, out_of_disk)))
    # paper out blocks printing only (issue #15); a full disk takes the kiosk out of service
    assert state.health == (paper_out, out_of_disk) and state.out_of_service_reason == Reason.DISK_FULL


def test_health_reported_during_a_session_keeps_the_session(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.HealthReported(Health.ok(Component.PRINTER)))
    assert state.lifecycle == Lifecycle.IN_SESSION


def test_out_of_service_set_during_maintenance_holds_after_it(rules: Rules) -> None:
    state, _ = run(initial_state(rules), ev.StartupCompleted(), ev.MaintenanceEntered())
    assert state.lifecycle == Lifecycle.MAINTENANCE and state.notice_language is None  # no session to end
    state, _ = run(state, ev.OutOfServiceSet("停电检修"), ev.MaintenanceExited())
    assert state.lifecycle == Lifecycle.OUT_OF_SERVICE and state.staff_message == "停电检修"
    state, _ = run(state, ev.OutOfServiceCleared())
    assert (state.lifecycle, state.staff_message) == (Lifecycle.READY, "")


def test_a_printed_guide_alone_earns_the_take_reminder(rules: Rules) -> None:
    state = h.at_guide_printing(rules)
    assert not state.session.card_used
    state, commands = run(state, ev.SlipPrinted(SID, state.session.printing.job), ev.FinishPressed())
    assert state.take_reminder == "notice.take_slip"  # the slip only: no card was used (issue #15)
    assert commands[-2:] == [EndSession(SID), say("notice.take_slip")]
    state, _ = run(state, ev.SessionStarted("s2"))
    assert state.take_reminder == ""
