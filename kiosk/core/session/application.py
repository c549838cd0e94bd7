"""Applying: the pre-filled form, the review, handing the application over, and the slip for it (also the
printing of guide slips and appointment slips, which share the done screen's printing rules)."""

from __future__ import annotations

from typing import Any

from kiosk.core.identity import CardType, mask_address, mask_id_number, mask_name
from kiosk.core.records import Application
from kiosk.core.session import events as ev
from kiosk.core.session.browsing import back
from kiosk.core.session.commands import SlipRequest, Speak, Submit
from kiosk.core.session.forms import asked, built, form_errors
from kiosk.core.session.model import KioskState, Session, Task
from kiosk.core.session.states import Phase, Purpose, TaskStatus
from kiosk.core.session.table import (
    Outcome,
    Row,
    back_to,
    end_session,
    item_of,
    print_slip,
    read_card,
    register,
    with_session,
)
from kiosk.core.slips import SlipKind
from kiosk.core.value import replace


def local_reference(kiosk_id: str, session_id: str) -> str:
    return f"{kiosk_id}-{session_id.replace('-', '')[:10].upper()}"


def slip_people(session: Session) -> dict[str, Any]:
    return {"masked_names": tuple(mask_name(p.name) for p in session.parties),
            "masked_id_numbers": tuple(mask_id_number(p.id_number) for p in session.parties),
            "masked_addresses": tuple(mask_address(p.address) for p in session.parties)}


def applicant_card(s: Session) -> CardType | None:
    return s.parties[0].card_type if s.parties else None


def slot_text(s: Session) -> str:
    booking = s.booking.result
    if booking is None:
        return ""
    slot = booking.slot
    return f"{slot.day.isoformat()} {slot.start}-{slot.end} {slot.office}"


def appointment_request(s: Session, item_id: str) -> SlipRequest:
    """The appointment slip of the booking made; a divorce's second visit counts its dates from the first."""
    booking = s.booking.result
    window = s.second_visit.result if s.purpose == Purpose.SECOND_VISIT else None
    return SlipRequest(SlipKind.APPOINTMENT, item_id, s.language,
                       booking_number=booking.booking_number if booking else "", slot_text=slot_text(s),
                       slot_day=booking.slot.day.isoformat() if booking else "",
                       first_visit_day=window.applied.isoformat() if window else "", **slip_people(s))


def _field(state: KioskState, s: Session, e: ev.FieldChanged) -> Outcome:
    item = item_of(state, s)
    if item is None:
        return state, []
    if s.phase == Phase.APPOINTMENT:
        if e.field_id != "phone":
            return state, []
    else:
        spec = item.field(e.field_id)
        if spec is None or spec.source != "manual" or not asked(spec, applicant_card(s)):
            return state, []  # card values come from the card; staff fields are completed at the window
    changed = s.with_value(e.field_id, e.value[:64])
    for field_id, value in built(item, dict(s.form), dict(changed.form)).items():
        changed = changed.with_value(field_id, value)
    return replace(state, session=changed), []


def _form_submitted(state: KioskState, s: Session, e: ev.FormSubmitted) -> Outcome:
    item = item_of(state, s)
    if item is None:
        return state, []
    errors = form_errors(item, dict(s.form), card_type=applicant_card(s))
    if errors:
        return with_session(state, s, field_errors=errors), [Speak("error.form_incomplete", s.language)]
    return with_session(state, s, phase=Phase.REVIEW, field_errors=()), []


def _form_back(state: KioskState, s: Session, e: ev.BackPressed) -> Outcome:
    back = back_to(state, s, Phase.IDENTIFY)
    assert back.session is not None
    return read_card(back, back.session, phase=Phase.IDENTIFY, parties=(), form=(), field_errors=())


def _submit(state: KioskState, s: Session) -> Outcome:
    item = item_of(state, s)
    if item is None or not s.parties:
        return state, []
    application = Application(
        idempotency_key=f"{s.session_id}:apply",
        local_reference=local_reference(state.rules.kiosk_id, s.session_id),
        kiosk_id=state.rules.kiosk_id,
        item_id=item.id,
        applicant=s.parties[0],
        fields=s.form,
    )
    new = with_session(state, s, phase=Phase.SUBMITTING, submit=s.submit.running())
    return new, [Submit(s.session_id, application)]


def _confirm(state: KioskState, s: Session, e: ev.ReviewConfirmed) -> Outcome:
    return _submit(state, s)


def _resubmit(state: KioskState, s: Session, e: ev.SubmitRetried) -> Outcome:
    if s.submit.status != TaskStatus.FAILED:
        return state, []
    return _submit(state, s)


def _submit_failed(state: KioskState, s: Session, e: ev.SubmitFailed) -> Outcome:
    new = with_session(state, s, submit=s.submit.failed(e.reason))
    return new, [Speak(f"error.{e.reason.value}", s.language)]


def _submitted(state: KioskState, s: Session, e: ev.SubmitSucceeded) -> Outcome:
    if e.result is None or s.item_id is None:
        return state, []
    job_id = f"{s.session_id}-receipt"
    request = SlipRequest(SlipKind.RECEIPT, s.item_id, s.language,
                          application_number=e.result.application_number or "",
                          local_reference=e.result.local_reference,
                          queued=e.result.application_number is None, query_code=e.result.query_code,
                          **slip_people(s))
    return print_slip(state, s, job_id, request, phase=Phase.DONE, submit=s.submit.done(e.result))


# ---- printing, shared by done and guide printing ----

def _printed(state: KioskState, s: Session, e: ev.SlipPrinted) -> Outcome:
    if e.job_id != s.printing.job:
        return state, []
    return with_session(state, s, printing=s.printing.done(e.uncertain or None), slip_out=True), [
        Speak("notice.take_slip", s.language)]


def _print_failed(state: KioskState, s: Session, e: ev.SlipPrintFailed) -> Outcome:
    if e.job_id != s.printing.job:
        return state, []
    new = with_session(state, s, printing=s.printing.failed(e.reason))
    return new, [Speak(f"error.{e.reason.value}", s.language)]


def _reprint(state: KioskState, s: Session, e: ev.PrintRetried) -> Outcome:
    """Print the slip again: after a failure, or another copy of one that printed (not while one prints): a
    copy the citizen asks for is a job of its own, marked 补打 (the first is journalled as printed and is never
    printed again by itself, also when the printer did not confirm it). A printer known not to work is not
    tried: the slip counts as failed at once, with why, as for the first print."""
    if s.printing.status not in (TaskStatus.FAILED, TaskStatus.DONE) or not s.printing.job or s.item_id is None:
        return state, []
    if s.printing.status == TaskStatus.DONE:
        job_id = copy_job_id(s.printing.job)
        s = replace(s, printing=Task[Any]())  # a new job: the first one's "not confirmed" must not stick to it
    else:
        job_id = s.printing.job  # the same job again after a failure: the journal knows it did not print
    return print_slip(state, s, job_id, request_for(s, copy=is_copy(job_id)))


def copy_job_id(job_id: str) -> str:
    """The job id of the next 补打 copy: <first job id>-reprint-<n>, as the print journal names reprints."""
    first, _, count = job_id.partition("-reprint-")
    return f"{first}-reprint-{int(count) + 1 if count.isdigit() else 1}"


def is_copy(job_id: str) -> bool:
    """A 补打 copy's job (copy_job_id): its slip carries the mark, also when printed again after failing."""
    return "-reprint-" in job_id


def request_for(s: Session, copy: bool) -> SlipRequest:
    """The slip a reprint prints: the same one the first attempt printed, marked 补打 when it is a copy."""
    return replace(_first_request(s), reprint=True) if copy else _first_request(s)


def _first_request(s: Session) -> SlipRequest:
    item_id = s.item_id or ""
    if s.phase == Phase.GUIDE_PRINTING:
        return SlipRequest(SlipKind.GUIDE, item_id, s.language)
    if s.booking.result is not None:
        return appointment_request(s, item_id)
    sub = s.submit.result
    return SlipRequest(SlipKind.RECEIPT, item_id, s.language,
                       application_number=(sub.application_number or "") if sub else "",
                       local_reference=sub.local_reference if sub else "",
                       queued=bool(sub and sub.application_number is None),
                       query_code=sub.query_code if sub else "", **slip_people(s))


def _finish(state: KioskState, s: Session, e: ev.FinishPressed) -> Outcome:
    return end_session(state, "finished")


PRINTING = [Phase.DONE, Phase.GUIDE_PRINTING]
ROWS: list[Row] = [
    ([Phase.FORM, Phase.APPOINTMENT], ev.FieldChanged, _field),
    ([Phase.FORM], ev.FormSubmitted, _form_submitted),
    ([Phase.FORM], ev.BackPressed, _form_back),
    ([Phase.REVIEW], ev.BackPressed, back),
    ([Phase.REVIEW], ev.ReviewConfirmed, _confirm),
    ([Phase.SUBMITTING], ev.SubmitRetried, _resubmit),
    ([Phase.SUBMITTING], ev.SubmitFailed, _submit_failed),
    ([Phase.SUBMITTING], ev.SubmitSucceeded, _submitted),
    (PRINTING, ev.SlipPrinted, _printed),
    (PRINTING, ev.SlipPrintFailed, _print_failed),
    (PRINTING, ev.PrintRetried, _reprint),
    ([*PRINTING, Phase.PROGRESS_QUERY], ev.FinishPressed, _finish),
]
register(ROWS)
