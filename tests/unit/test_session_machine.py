"""Every transition of the session machine, driven by real events from one phase to the next."""

from __future__ import annotations

from kiosk.core.health import Component, Health, Reason
from kiosk.core.identity import CardType
from kiosk.core.records import ApplicationStatus, Correction, ProgressQuery, ProgressRecord
from kiosk.core.session import TRANSITIONS, IdentifyStatus, Lifecycle, Phase, ProgressBy, TaskStatus, initial_state
from kiosk.core.session import events as ev
from kiosk.core.session.commands import (
    ArmIdleTimer,
    Book,
    CallStaff,
    CancelCardRead,
    EndSession,
    FetchProgress,
    FetchSlots,
    PrintSlip,
    ReadCard,
    Speak,
    StopSpeech,
    Submit,
    WatchCardRemoval,
)
from kiosk.core.session.model import KioskState, Rules
from kiosk.core.slips import SlipKind
from kiosk.core.value import replace
from tests.unit import session_helpers as h
from tests.unit.session_helpers import (
    APPLY_ITEM,
    APPOINTMENT_ITEM,
    BOOKED,
    EXPIRED,
    GUIDE_ITEM,
    KIM,
    RESULT,
    SID,
    SLOT,
    TODAY,
    ZHANG,
    commands_of,
    phase,
    run,
)

# ---- lifecycle ----


def test_starting_then_ready_and_a_touch_starts_a_session(rules: Rules) -> None:
    state = initial_state(rules)
    assert state.lifecycle == Lifecycle.STARTING
    state, _ = run(state, ev.SessionStarted("early"))
    assert state.session is None  # not before start-up finished
    state, _ = run(state, ev.StartupCompleted())
    assert state.lifecycle == Lifecycle.READY
    state, commands = run(state, ev.SessionStarted(SID))
    assert state.lifecycle == Lifecycle.IN_SESSION and phase(state) == Phase.HOME
    assert commands_of(commands, ArmIdleTimer)[0].end_after_s == 180


def test_paper_out_blocks_only_printing(rules: Rules) -> None:
    state, _ = run(initial_state(rules), ev.StartupCompleted())
    state, _ = run(state, ev.HealthReported(Health.problem(Component.PRINTER, Reason.PAPER_OUT)))
    assert state.lifecycle == Lifecycle.READY  # guides and applications go on without paper
    state, _ = run(state, ev.SessionStarted(SID), ev.ItemChosen(GUIDE_ITEM))
    assert phase(state) == Phase.ITEM_GUIDE  # the guide is read on the screen
    state, commands = run(state, ev.GuidePrintRequested())
    assert phase(state) == Phase.ITEM_GUIDE and state.session.notice == "print_unavailable.paper_out"
    assert not commands_of(commands, PrintSlip)
    state, _ = run(state, ev.HomePressed(), ev.SessionStarted("s2"))
    for event in (ev.ItemChosen(APPLY_ITEM), ev.ApplyStarted(), ev.ConsentGiven(sensitive=True),
                  ev.CardRead("s2", ZHANG, TODAY)):
        state, _ = run(state, event)
    item = rules.catalog.item(APPLY_ITEM)
    for spec in item.form_fields:
        if spec.source == "manual":
            state, _ = run(state, ev.FieldChanged(spec.id, h.sample_value(spec, ZHANG)))
    state, _ = run(state, ev.FormSubmitted(), ev.ReviewConfirmed())
    state, commands = run(state, ev.SubmitSucceeded("s2", h.RESULT))
    assert phase(state) == Phase.DONE and not commands_of(commands, PrintSlip)  # no paper: not even tried
    assert state.session.printing.status == TaskStatus.FAILED and state.session.printing.error == Reason.PAPER_OUT
    state, _ = run(state, ev.HealthReported(Health.ok(Component.PRINTER)))
    state, commands = run(state, ev.PrintRetried())  # paper is back: the slip after all
    assert commands_of(commands, PrintSlip)


def test_out_of_service_keeps_the_last_language_and_a_call_to_staff(rules: Rules) -> None:
    state, _ = run(h.at_guide(rules), ev.LanguageChosen("ko"), ev.OutOfServiceSet("paper"))
    assert state.lifecycle == Lifecycle.OUT_OF_SERVICE and state.notice_language == "ko"
    state, _ = run(state, ev.KioskLanguageChosen("en"))
    assert state.notice_language == "en"
    state, commands = run(state, ev.KioskStaffCalled())
    assert state.help_call is not None and commands_of(commands, CallStaff)[0].reason == "out_of_service"
    state, _ = run(state, ev.OutOfServiceCleared())
    assert state.lifecycle == Lifecycle.READY and state.help_call is not None  # staff are still on their way


def test_unavailable_item_stays_on_home_with_a_notice(rules: Rules) -> None:
    state = h.at_home(rules)
    state, _ = run(state, ev.HealthReported(Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE)))
    state, _ = run(state, ev.ItemChosen(APPOINTMENT_ITEM))
    assert phase(state) == Phase.HOME and state.session.notice == "item_unavailable.backend_unreachable"
    state, _ = run(state, ev.ItemChosen(APPLY_ITEM))  # applications queue in the outbox
    assert phase(state) == Phase.ITEM_GUIDE


def test_maintenance_ends_the_session_and_returns(rules: Rules) -> None:
    state, commands = run(h.at_form(rules), ev.MaintenanceEntered())
    assert state.lifecycle == Lifecycle.MAINTENANCE and state.session is None
    assert commands_of(commands, EndSession)
    state, _ = run(state, ev.SessionStarted("s2"))
    assert state.session is None
    state, _ = run(state, ev.MaintenanceExited())
    assert state.lifecycle == Lifecycle.READY


def test_staff_out_of_service_holds_until_cleared(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.OutOfServiceSet("系统维护中"))
    assert state.lifecycle == Lifecycle.OUT_OF_SERVICE and state.staff_message == "系统维护中"
    state, _ = run(state, ev.HealthReported(Health.ok(Component.PRINTER)))
    assert state.lifecycle == Lifecycle.OUT_OF_SERVICE
    state, _ = run(state, ev.OutOfServiceCleared())
    assert state.lifecycle == Lifecycle.READY


# ---- anywhere ----


def test_language_elder_mode_and_staff_call(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.LanguageChosen("ko"), ev.ElderModeToggled())
    assert state.session.language == "ko" and state.session.elder_mode
    state, _ = run(state, ev.LanguageChosen("fr"))
    assert state.session.language == "ko"
    state, commands = run(state, ev.StaffCalled())
    assert commands_of(commands, CallStaff)[0].kiosk_id == "JL-TEST-001"


def test_home_cancels_from_anywhere_but_not_while_handing_over(rules: Rules) -> None:
    state, commands = run(h.at_review(rules), ev.HomePressed())
    assert state.session is None and state.home_notice == "cancelled" and commands_of(commands, EndSession)
    state, _ = run(h.at_submitting(rules), ev.HomePressed())
    assert phase(state) == Phase.SUBMITTING


def test_idle_warning_extend_and_timeout(rules: Rules) -> None:
    state, commands = run(h.at_form(rules), ev.IdleWarningDue(SID))
    assert state.session.idle_warning and commands_of(commands, Speak)[0].prompt_id == "idle_warning"
    state, commands = run(state, ev.IdleExtended())
    assert not state.session.idle_warning and commands_of(commands, ArmIdleTimer)
    state, _ = run(state, ev.IdleTimedOut(SID))
    assert state.session is None and state.home_notice == "timed_out"


def test_idle_timeout_waits_while_submitting(rules: Rules) -> None:
    state, commands = run(h.at_submitting(rules), ev.IdleTimedOut(SID))
    assert phase(state) == Phase.SUBMITTING and commands_of(commands, ArmIdleTimer)


def test_late_results_of_an_ended_session_are_ignored(rules: Rules) -> None:
    state = h.at_identify(rules)
    later, commands = run(state, ev.CardRead("old-session", ZHANG, TODAY))
    assert later is state and commands == []


def test_any_intent_rearms_the_idle_timer_and_clears_the_warning(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.IdleWarningDue(SID))
    state, commands = run(state, ev.CategoryChosen("disability"))
    assert isinstance(commands[0], ArmIdleTimer) and not state.session.idle_warning


# ---- home, browsing, guide ----


def test_browse_by_category_search_and_back(rules: Rules) -> None:
    state, commands = run(h.at_home(rules), ev.CategoryChosen("marriage"))
    assert phase(state) == Phase.BROWSING and state.session.category == "marriage"
    assert commands_of(commands, Speak)[-1].prompt_id == "screen.browsing"
    state, _ = run(state, ev.CategoryChosen("no-such-category"))
    assert state.session.category == "marriage"
    state, _ = run(state, ev.SearchChanged("残疾"))
    assert state.session.search == "残疾" and state.session.category is None
    state, _ = run(state, ev.BackPressed())
    assert phase(state) == Phase.HOME
    state, _ = run(state, ev.SearchChanged("婚"))
    assert phase(state) == Phase.BROWSING


def test_item_guide_back_returns_where_the_citizen_came_from(rules: Rules) -> None:
    state, _ = run(h.at_home(rules), ev.CategoryChosen("disability"), ev.ItemChosen(APPLY_ITEM))
    assert phase(state) == Phase.ITEM_GUIDE
    state, _ = run(state, ev.BackPressed())
    assert phase(state) == Phase.BROWSING
    state, _ = run(h.at_guide(rules), ev.BackPressed())
    assert phase(state) == Phase.HOME
    state, _ = run(h.at_home(rules), ev.ItemChosen("no-such-item"))
    assert phase(state) == Phase.HOME


def test_actions_match_the_item(rules: Rules) -> None:
    state, _ = run(h.at_guide(rules, GUIDE_ITEM), ev.ApplyStarted())
    assert phase(state) == Phase.ITEM_GUIDE  # a guide item cannot be applied for here
    state, _ = run(h.at_guide(rules, APPLY_ITEM), ev.AppointmentStarted())
    assert phase(state) == Phase.ITEM_GUIDE
    state, _ = run(h.at_guide(rules, APPOINTMENT_ITEM), ev.AppointmentStarted())
    assert phase(state) == Phase.CONSENT


def test_progress_query_from_home_and_browsing(rules: Rules) -> None:
    assert phase(h.at_progress(rules)) == Phase.PROGRESS_QUERY
    state, _ = run(h.at_home(rules), ev.CategoryChosen("children"), ev.ProgressQueryStarted())
    assert phase(state) == Phase.PROGRESS_QUERY


# ---- consent and identify ----


def test_sensitive_items_need_the_separate_consent(rules: Rules) -> None:
    assert rules.catalog.item(APPLY_ITEM).sensitive_categories
    state, commands = run(h.at_consent(rules), ev.ConsentGiven(sensitive=False))
    assert phase(state) == Phase.CONSENT and state.session.consent_error and not commands_of(commands, ReadCard)
    state, commands = run(state, ev.ConsentGiven(sensitive=True))
    assert phase(state) == Phase.IDENTIFY and state.session.identification.status == IdentifyStatus.READING
    assert commands_of(commands, ReadCard)[0].timeout_s == 20


def test_ticking_the_separate_consent_is_said_and_answers_the_error(rules: Rules) -> None:
    """The box's state is said (issue #15, 9): the citizen hears that it is ticked, and that it was cleared."""
    refused, _ = run(h.at_consent(rules), ev.ConsentGiven(sensitive=False))
    state, commands = run(refused, ev.SensitiveConsentTicked(True))
    assert [c.prompt_id for c in commands_of(commands, Speak)] == ["consent.ticked"]
    assert phase(state) == Phase.CONSENT and not state.session.consent_error
    cleared, commands = run(state, ev.SensitiveConsentTicked(False))
    assert [c.prompt_id for c in commands_of(commands, Speak)] == ["consent.unticked"]
    assert not cleared.session.consent_error and not cleared.session.consent_sensitive
    still, _ = run(refused, ev.SensitiveConsentTicked(False))
    assert still.session.consent_error  # clearing the box does not answer "please tick it"
    korean, _ = run(h.at_consent(rules), ev.LanguageChosen("ko"))
    _, commands = run(korean, ev.SensitiveConsentTicked(True))
    assert [c.language for c in commands_of(commands, Speak)] == ["ko"]  # in the citizen's language


def test_declining_or_going_back_from_consent(rules: Rules) -> None:
    for event in (ev.ConsentDeclined(), ev.BackPressed()):
        state, _ = run(h.at_consent(rules), event)
        assert phase(state) == Phase.ITEM_GUIDE and not state.session.consent_general


def test_card_read_fills_the_form_and_watches_the_card(rules: Rules) -> None:
    state, commands = run(h.at_identify(rules), ev.CardRead(SID, ZHANG, TODAY))
    assert phase(state) == Phase.FORM
    values = dict(state.session.form)
    assert ZHANG.id_number in values.values() and ZHANG.name in values.values()
    assert commands_of(commands, WatchCardRemoval)


def test_card_errors_are_shown_and_can_be_retried(rules: Rules) -> None:
    state, commands = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.UNSUPPORTED_CARD))
    session = state.session
    assert session.identification.status == IdentifyStatus.FAILED
    assert session.identification.error == Reason.UNSUPPORTED_CARD
    assert commands_of(commands, Speak)[0].prompt_id == "error.unsupported_card"
    state, commands = run(state, ev.CardReadRetried())
    assert state.session.identification.status == IdentifyStatus.READING and commands_of(commands, ReadCard)
    state, _ = run(state, ev.CardRead(SID, EXPIRED, TODAY))
    assert state.session.identification.error == Reason.CARD_EXPIRED and not state.session.parties
    bad = replace(ZHANG, id_number="220102195603120021")
    state, _ = run(state, ev.CardReadRetried(), ev.CardRead(SID, bad, TODAY))
    assert state.session.identification.error == Reason.CARD_CHECKSUM
    state, _ = run(state, ev.CardReadRetried(), ev.CardRead(SID, None, TODAY))
    assert state.session.identification.error == Reason.CARD_UNREADABLE


def test_manual_fallback_validates_the_checksum(rules: Rules) -> None:
    state, commands = run(h.at_identify(rules), ev.ManualEntryChosen())
    assert state.session.identification.status == IdentifyStatus.MANUAL and commands_of(commands, CancelCardRead)
    state, _ = run(state, ev.CardRead(SID, ZHANG, TODAY), ev.CardReadFailed(SID, Reason.NO_CARD))
    assert phase(state) == Phase.IDENTIFY  # late reads ignored:
    assert state.session.identification.status == IdentifyStatus.MANUAL
    state, _ = run(state, ev.ManualIdentityEntered("", "110101199001011234"))
    assert set(state.session.identification.manual_problems) == {"checksum", "name_required"}
    state, commands = run(state, ev.ManualIdentityEntered("张三", "11010519491231002x"))
    assert phase(state) == Phase.FORM and state.session.parties[0].card_type == CardType.MANUAL
    assert not commands_of(commands, WatchCardRemoval)


def test_back_from_identify_cancels_the_read(rules: Rules) -> None:
    state, commands = run(h.at_identify(rules), ev.BackPressed())
    assert phase(state) == Phase.CONSENT and commands_of(commands, CancelCardRead)


def test_two_parties_for_an_appointment(rules: Rules) -> None:
    state, commands = run(h.at_identify(rules, APPOINTMENT_ITEM), ev.CardRead(SID, ZHANG, TODAY))
    assert phase(state) == Phase.IDENTIFY and state.session.notice == "next_party"
    assert [c.fresh for c in commands_of(commands, ReadCard)] == [True]  # party 1's card must leave the reader first
    state, commands = run(state, ev.CardRead(SID, ZHANG, TODAY))  # taken away and laid down again
    assert state.session.notice == "same_person" and len(state.session.parties) == 1
    assert [c.fresh for c in commands_of(commands, ReadCard)] == [True]
    state, commands = run(state, ev.CardRead(SID, KIM, TODAY))
    assert phase(state) == Phase.APPOINTMENT and len(state.session.parties) == 2
    assert commands_of(commands, FetchSlots)[0].item_id == APPOINTMENT_ITEM


# ---- form, review, submit, done ----


def test_form_accepts_only_manual_fields_and_validates(rules: Rules) -> None:
    state = h.at_form(rules)
    item = rules.catalog.item(APPLY_ITEM)
    card_field = next(f for f in item.form_fields if f.source == "card")
    state, _ = run(state, ev.FieldChanged(card_field.id, "冒名"), ev.FieldChanged("no-such-field", "x"))
    assert "冒名" not in dict(state.session.form).values()
    state, commands = run(state, ev.FormSubmitted())
    assert phase(state) == Phase.FORM and ("phone", "required") in state.session.field_errors
    assert commands_of(commands, Speak)[0].prompt_id == "error.form_incomplete"
    state, _ = run(state, ev.FieldChanged("phone", "12345"))
    state, _ = run(state, ev.FormSubmitted())
    assert ("phone", "phone_invalid") in state.session.field_errors


def test_form_back_wipes_and_rereads(rules: Rules) -> None:
    state, commands = run(h.filled_form(rules), ev.BackPressed())
    assert phase(state) == Phase.IDENTIFY and not state.session.has_personal_data and commands_of(commands, ReadCard)


def test_review_back_and_confirm(rules: Rules) -> None:
    state = h.at_review(rules)
    assert phase(state) == Phase.REVIEW
    assert phase(run(state, ev.BackPressed())[0]) == Phase.FORM
    state, commands = run(state, ev.ReviewConfirmed())
    submit = commands_of(commands, Submit)[0]
    assert phase(state) == Phase.SUBMITTING and submit.application.item_id == APPLY_ITEM
    assert submit.application.applicant == ZHANG and submit.application.idempotency_key == f"{SID}:apply"


def test_submit_failure_retry_uses_the_same_idempotency_key(rules: Rules) -> None:
    state, commands = run(h.at_submitting(rules), ev.SubmitRetried())
    assert commands == [] or not commands_of(commands, Submit)  # nothing to retry while it runs
    state, _ = run(state, ev.SubmitFailed(SID, Reason.BACKEND_TIMEOUT))
    assert state.session.submit.status == TaskStatus.FAILED and state.session.submit.error == Reason.BACKEND_TIMEOUT
    state, commands = run(state, ev.SubmitRetried())
    assert commands_of(commands, Submit)[0].application.idempotency_key == f"{SID}:apply"
    state, _ = run(state, ev.SubmitFailed(SID, Reason.BACKEND_TIMEOUT), ev.HomePressed())
    assert state.session is None  # the citizen may leave after a failure


def test_success_prints_a_masked_receipt(rules: Rules) -> None:
    state, commands = run(h.at_submitting(rules), ev.SubmitSucceeded(SID, RESULT))
    assert phase(state) == Phase.DONE and state.session.printing.status == TaskStatus.RUNNING
    job = commands_of(commands, PrintSlip)[0]
    assert job.request.kind == SlipKind.RECEIPT and job.request.application_number == RESULT.application_number
    assert job.request.masked_names == ("张*兰",) and ZHANG.id_number not in str(job.request)


def test_queued_submission_prints_the_local_reference(rules: Rules) -> None:
    queued = replace(RESULT, application_number=None)
    _, commands = run(h.at_submitting(rules), ev.SubmitSucceeded(SID, queued))
    request = commands_of(commands, PrintSlip)[0].request
    assert request.queued and request.local_reference == RESULT.local_reference


def test_print_result_retry_never_changes_the_job_id(rules: Rules) -> None:
    state = h.at_done(rules)
    job_id = state.session.printing.job
    state, _ = run(state, ev.SlipPrinted(SID, "other-job"))
    assert state.session.printing.status == TaskStatus.RUNNING
    state, _ = run(state, ev.SlipPrintFailed(SID, job_id, Reason.PAPER_OUT))
    assert state.session.printing.status == TaskStatus.FAILED and state.session.printing.error == Reason.PAPER_OUT
    state, commands = run(state, ev.PrintRetried())
    assert commands_of(commands, PrintSlip)[0].job_id == job_id
    state, _ = run(state, ev.SlipPrinted(SID, job_id))
    assert state.session.printing.status == TaskStatus.DONE
    state, _ = run(state, ev.FinishPressed())
    assert state.session is None and state.home_notice == "finished"


def test_an_uncertain_slip_offers_a_copy_marked_reprint_and_never_prints_it_by_itself(rules: Rules) -> None:
    state = h.at_done(rules)
    job_id = state.session.printing.job
    state, commands = run(state, ev.SlipPrinted(SID, job_id, uncertain=True))
    assert state.session.printing.status == TaskStatus.DONE and state.session.print_uncertain
    assert commands_of(commands, PrintSlip) == []  # no automatic reprint
    state, commands = run(state, ev.PrintRetried())  # "no slip came out": the citizen taps 补打
    copy = commands_of(commands, PrintSlip)[0]
    assert copy.job_id == f"{job_id}-reprint-1" and copy.request.reprint
    assert copy.request.kind == SlipKind.RECEIPT and copy.request.masked_names == ("张*兰",)
    assert state.session.printing.status == TaskStatus.RUNNING and not state.session.print_uncertain
    state, _ = run(state, ev.SlipPrinted(SID, job_id))  # a late answer for the first job changes nothing
    assert state.session.printing.status == TaskStatus.RUNNING
    state, _ = run(state, ev.SlipPrinted(SID, copy.job_id, uncertain=True))
    state, commands = run(state, ev.PrintRetried())
    assert commands_of(commands, PrintSlip)[0].job_id == f"{job_id}-reprint-2"
    state, _ = run(state, ev.SlipPrinted(SID, f"{job_id}-reprint-2"))
    assert not state.session.print_uncertain  # confirmed: the done screen no longer offers 补打 for a lost slip
    state, commands = run(state, ev.PrintRetried())  # the done screen's "print again": one more copy, marked 补打
    assert [c.job_id for c in commands_of(commands, PrintSlip)] == [f"{job_id}-reprint-3"]


def test_a_reprint_on_a_printer_known_down_fails_on_the_screen_without_sending(rules: Rules) -> None:
    paper_out = ev.HealthReported(Health.problem(Component.PRINTER, Reason.PAPER_OUT))
    state, _ = run(h.at_done(rules), ev.SlipPrintFailed(SID, f"{SID}-receipt", Reason.PAPER_OUT), paper_out)
    state, commands = run(state, ev.PrintRetried())  # "打印失败, 重试" while the paper is still out
    assert commands_of(commands, PrintSlip) == [] and [c.prompt_id for c in commands_of(commands, Speak)] == [
        "error.paper_out"]
    assert state.session.printing.status == TaskStatus.FAILED and state.session.printing.error == Reason.PAPER_OUT
    state, _ = run(state, ev.HealthReported(Health.ok(Component.PRINTER)))
    state, commands = run(state, ev.PrintRetried())  # paper refilled: the same job, not a copy
    assert [(c.job_id, c.request.reprint) for c in commands_of(commands, PrintSlip)] == [(f"{SID}-receipt", False)]


def test_a_copy_that_failed_is_printed_again_as_the_same_marked_copy(rules: Rules) -> None:
    paper_out = ev.HealthReported(Health.problem(Component.PRINTER, Reason.PAPER_OUT))
    state, _ = run(h.at_done(rules), ev.SlipPrinted(SID, f"{SID}-receipt", uncertain=True), paper_out)
    state, commands = run(state, ev.PrintRetried())  # 补打 with no paper: the copy fails at once, not uncertain
    assert commands_of(commands, PrintSlip) == []
    assert state.session.printing.status == TaskStatus.FAILED and not state.session.print_uncertain
    assert state.session.printing.job == f"{SID}-receipt-reprint-1"
    state, _ = run(state, ev.HealthReported(Health.ok(Component.PRINTER)))
    state, commands = run(state, ev.PrintRetried())
    [copy] = commands_of(commands, PrintSlip)
    assert copy.job_id == f"{SID}-receipt-reprint-1" and copy.request.reprint  # still marked 补打


def test_a_copy_that_failed_still_reminds_of_the_slip_printed_before(rules: Rules) -> None:
    state, _ = run(h.at_done(rules), ev.SlipPrinted(SID, f"{SID}-receipt"), ev.CardRemoved(SID), ev.PrintRetried(),
                   ev.SlipPrintFailed(SID, f"{SID}-receipt-reprint-1", Reason.PAPER_OUT))
    assert state.session.printing.status == TaskStatus.FAILED
    state, commands = run(state, ev.FinishPressed())
    assert state.take_reminder == "notice.take_slip"  # the first one is in the tray or the citizen's hand
    assert [c.prompt_id for c in commands_of(commands, Speak)] == ["notice.take_slip"]


def test_a_scanned_receipt_code_opens_its_progress_query(rules: Rules) -> None:
    state, commands = run(h.at_home(rules), ev.CodeScanned(code="JLMZ:PROGRESS:JL2201022024052000123"))
    assert phase(state) == Phase.PROGRESS_QUERY and state.session.progress.status == TaskStatus.RUNNING
    assert commands_of(commands, FetchProgress)[0].query.application_number == "JL2201022024052000123"
    state, commands = run(state, ev.CodeScanned(code="JLMZ:PROGRESS:JL-2:04172933"))  # another receipt, same screen
    query = commands_of(commands, FetchProgress)[0].query
    assert (query.application_number, query.query_code) == ("JL-2", "04172933"), "its code opens it at any kiosk"
    before = h.at_home(rules)
    after, commands = run(before, ev.CodeScanned(code="6901234567892"))  # a code the kiosk does not know
    assert phase(after) == Phase.PROGRESS_QUERY and commands_of(commands, FetchProgress) == []
    assert dict(after.session.field_errors) == {"application_number": "not_a_receipt"}  # said, not ignored
    browsing, _ = run(h.at_home(rules), ev.CategoryChosen("elderly"))
    state, commands = run(browsing, ev.CodeScanned(code="JLMZ:PROGRESS:JL-4"))
    assert phase(browsing) == Phase.BROWSING and phase(state) == Phase.PROGRESS_QUERY
    state, commands = run(h.at_form(rules), ev.CodeScanned(code="JLMZ:PROGRESS:JL-3"))  # mid-application
    assert phase(state) == Phase.FORM and commands_of(commands, FetchProgress) == []
    assert "JL-3" not in repr(ev.CodeScanned(code="JLMZ:PROGRESS:JL-3"))  # codes never show in logs


# ---- card removal ----


def test_a_read_card_is_given_back_and_lifting_it_wipes_nothing(rules: Rules) -> None:
    state, commands = run(h.at_identify(rules), ev.CardPlaced(SID))
    assert state.session.identification.placed  # the screen says: do not move it (before: place it)
    state, commands = run(state, ev.CardRead(SID, ZHANG, TODAY))
    assert phase(state) == Phase.FORM and state.session.notice == "card_read"
    assert commands_of(commands, WatchCardRemoval)
    assert "notice.card_read" in [c.prompt_id for c in commands_of(commands, Speak)]
    for start in (h.filled_form, h.at_review):
        before = start(rules)
        state, commands = run(before, ev.CardRemoved(SID))
        assert phase(state) == phase(before) and state.session.form == before.session.form
        assert state.session.card_taken and not commands_of(commands, ReadCard)
    state, commands = run(state, ev.HomePressed())  # cancel still wipes everything
    assert state.session is None and state.take_reminder == ""


def test_a_card_placed_for_the_progress_query_is_said_to_be_read(rules: Rules) -> None:
    state, _ = run(h.at_progress(rules), ev.ProgressByCardRequested(), ev.CardPlaced(SID))
    assert state.session.identification.placed
    state, commands = run(state, ev.CardRead(SID, ZHANG, TODAY))
    assert commands_of(commands, FetchProgress) and commands_of(commands, WatchCardRemoval)


# ---- guide printing ----


def test_guide_printing_and_back(rules: Rules) -> None:
    state, commands = run(h.at_guide(rules, GUIDE_ITEM), ev.GuidePrintRequested())
    job = commands_of(commands, PrintSlip)[0]
    assert phase(state) == Phase.GUIDE_PRINTING and job.request.kind == SlipKind.GUIDE
    assert run(state, ev.BackPressed())[0] is state  # wait for the printer
    state, _ = run(state, ev.SlipPrintFailed(SID, job.job_id, Reason.COVER_OPEN))
    state, commands = run(state, ev.PrintRetried())
    assert commands_of(commands, PrintSlip)[0].request.kind == SlipKind.GUIDE
    state, _ = run(state, ev.SlipPrinted(SID, job.job_id), ev.BackPressed())
    assert phase(state) == Phase.ITEM_GUIDE
    state, _ = run(h.at_guide_printing(rules), ev.FinishPressed())
    assert state.session is None


# ---- progress query ----


def test_progress_by_card_uses_the_identity_once(rules: Rules) -> None:
    state, commands = run(h.at_progress(rules), ev.ProgressByCardRequested())
    assert commands_of(commands, ReadCard)
    state, commands = run(state, ev.CardRead(SID, ZHANG, TODAY))
    assert commands_of(commands, FetchProgress)[0].query.id_number == ZHANG.id_number
    assert not state.session.parties  # not kept
    record = ProgressRecord(RESULT.application_number or "", APPLY_ITEM, RESULT.status, TODAY)  # type: ignore[arg-type]
    state, _ = run(state, ev.ProgressLoaded(SID, (record,)))
    assert state.session.records == (record,) and state.session.progress.status == TaskStatus.DONE
    state, commands = run(state, ev.BackPressed())
    assert phase(state) == Phase.HOME and not state.session.records and commands_of(commands, CancelCardRead)


def test_a_correction_in_the_answer_is_said_aloud(rules: Rules) -> None:
    """A 补正 asks the citizen to act by a deadline: the kiosk says so, and says nothing more for a plain answer."""
    plain = ProgressRecord("A1", APPLY_ITEM, ApplicationStatus.FORWARDED, TODAY)  # type: ignore[arg-type]
    asked = replace(plain, status=ApplicationStatus.CORRECTION,
                    correction=Correction((("child-photo", "儿童近期免冠照片"),), "受理窗口", TODAY))
    at_progress = run(h.at_progress(rules), ev.ProgressByNumberRequested("2201022026120601234567897"))[0]
    _, commands = run(at_progress, ev.ProgressLoaded(SID, (plain,)))
    assert not commands_of(commands, Speak)
    _, commands = run(at_progress, ev.ProgressLoaded(SID, (plain, asked)))
    assert [c.prompt_id for c in commands_of(commands, Speak)] == ["notice.correction"]


def test_progress_card_failures(rules: Rules) -> None:
    state, _ = run(h.at_progress(rules), ev.ProgressByCardRequested(), ev.CardReadFailed(SID, Reason.NO_CARD))
    assert state.session.identification.error == Reason.NO_CARD
    state, _ = run(state, ev.ProgressByCardRequested(), ev.CardRead(SID, EXPIRED, TODAY))
    assert state.session.identification.error == Reason.CARD_EXPIRED
    state, _ = run(h.at_progress(rules), ev.CardRead(SID, ZHANG, TODAY))
    assert state.session.progress.status == TaskStatus.NONE  # no read was asked for


def test_progress_by_number_and_backend_failure(rules: Rules) -> None:
    state, _ = run(h.at_progress(rules), ev.ProgressByNumberRequested("  "))
    assert state.session.field_errors == (("application_number", "invalid"),)
    state, commands = run(state, ev.ProgressByNumberRequested("2201 0220 2612 0601 2345 6789 7", "4072 1935"))
    assert commands_of(commands, FetchProgress)[0].query == ProgressQuery(
        application_number="2201022026120601234567897", query_code="40721935")  # typed grouped, sent plain
    assert state.session.progress_by == ProgressBy.RECEIPT and not state.session.field_errors
    state, _ = run(state, ev.BackendFailed(SID, Reason.BACKEND_BUSY))  # 429: wrong codes for this number
    assert state.session.progress.error == Reason.BACKEND_BUSY
    state, _ = run(state, ev.ProgressByNumberRequested("2201022026120601234567897"))
    assert state.session.progress_by == ProgressBy.NUMBER  # no code: only this kiosk's own applications
    state, _ = run(state, ev.BackendFailed(SID, Reason.BACKEND_UNREACHABLE))
    assert state.session.progress.status == TaskStatus.FAILED
    state, _ = run(state, ev.FinishPressed())
    assert state.session is None


# ---- appointments ----


def test_booking_needs_a_slot_and_a_phone(rules: Rules) -> None:
    state = h.at_appointment(rules)
    assert state.session.available_slots == (SLOT,)
    state, _ = run(state, ev.BookingConfirmed())
    assert dict(state.session.field_errors) == {"slot": "required", "phone": "phone_invalid"}
    state, _ = run(state, ev.SlotChosen("nope"), ev.SlotChosen(SLOT.slot_id), ev.FieldChanged("phone", "13912345678"),
                   ev.FieldChanged("name", "x"))
    assert state.session.chosen_slot == SLOT.slot_id and dict(state.session.form) == {"phone": "13912345678"}
    state, commands = run(state, ev.BookingConfirmed())
    book = commands_of(commands, Book)[0]
    assert book.booking.parties == (ZHANG, KIM) and state.session.booking.status == TaskStatus.RUNNING
    assert run(state, ev.BackPressed())[0] is state
    state, commands = run(state, ev.BookingSucceeded(SID, BOOKED))
    job = commands_of(commands, PrintSlip)[0]
    assert phase(state) == Phase.DONE and job.request.kind == SlipKind.APPOINTMENT
    assert job.request.booking_number == BOOKED.booking_number and "2026-11-30 09:00" in job.request.slot_text
    state, _ = run(state, ev.SlipPrintFailed(SID, job.job_id, Reason.PAPER_OUT), ev.PrintRetried())
    assert state.session.printing.status == TaskStatus.RUNNING


def test_appointment_backend_failure_and_back(rules: Rules) -> None:
    state, commands = run(h.at_appointment(rules), ev.BackendFailed(SID, Reason.BACKEND_TIMEOUT))
    assert state.session.booking.status == TaskStatus.FAILED and commands_of(commands, Speak)
    state, _ = run(state, ev.BackPressed())
    assert phase(state) == Phase.ITEM_GUIDE and not state.session.parties


# ---- voice, language and text size: per session ----


def test_voice_off_silences_and_voice_on_speaks_again(rules: Rules) -> None:
    state, commands = run(h.at_home(rules), ev.VoiceToggled())
    assert not state.session.voice and commands_of(commands, StopSpeech)
    state, commands = run(state, ev.CategoryChosen("disability"))
    assert phase(state) == Phase.BROWSING and not commands_of(commands, Speak)  # a new screen, said nothing
    state, commands = run(state, ev.VoiceToggled())
    assert state.session.voice and [c.prompt_id for c in commands_of(commands, Speak)] == ["voice.on"]


def test_volume_keys_step_within_range_and_stamp_every_prompt(rules: Rules) -> None:
    rules = replace(rules, speech_volume=60)
    state = h.at_home(rules)
    assert state.session.volume == 60
    state, commands = run(state, ev.VolumeChanged(louder=True))
    assert state.session.volume == 80 and commands_of(commands, Speak)[0].volume == 80
    state, _ = run(state, *[ev.VolumeChanged(louder=True)] * 3)
    assert state.session.volume == 100
    state, _ = run(state, ev.VoiceToggled(), *[ev.VolumeChanged(louder=False)] * 9)
    assert state.session.volume == 20 and state.session.voice  # a volume key turns voice back on
    state, commands = run(state, ev.CategoryChosen("marriage"))
    assert [(c.prompt_id, c.volume) for c in commands_of(commands, Speak)] == [("screen.browsing", 20)]


def test_choosing_a_language_says_the_screen_again_in_it(rules: Rules) -> None:
    state, commands = run(h.at_guide(rules), ev.LanguageChosen("ko"))
    assert [(c.prompt_id, c.language) for c in commands_of(commands, Speak)] == [("screen.item_guide", "ko")]
    assert run(state, ev.LanguageChosen("ko"))[1] == [ArmIdleTimer(SID, 150, 180)]


def test_the_end_of_a_session_resets_settings_and_reminds_to_take_card_and_slip(rules: Rules) -> None:
    state = h.at_done(rules)
    state, _ = run(state, ev.LanguageChosen("ko"), ev.ElderModeToggled(), ev.VoiceToggled(), ev.VoiceToggled(),
                   ev.VolumeChanged(louder=False))
    state, commands = run(state, ev.FinishPressed())
    assert state.session is None and state.take_reminder and state.home_notice == "finished"
    reminder = commands_of(commands, Speak)
    assert [(c.prompt_id, c.language, c.volume) for c in reminder] == [("notice.take_card_and_slip", "ko", 60)]
    state, _ = run(state, ev.SessionStarted("s2"))
    session = state.session
    assert (session.language, session.elder_mode, session.voice, session.volume) == ("zh", False, True, 80)
    assert not state.take_reminder and state.home_notice is None


def test_staff_ending_a_session_reminds_at_the_citizens_volume(rules: Rules) -> None:
    state, _ = run(h.at_identify(rules), ev.VolumeChanged(louder=True))
    state, commands = run(state, ev.OutOfServiceSet("paper"))
    assert state.session is None and state.take_reminder == "notice.take_card"  # no slip was printed
    assert [(c.prompt_id, c.volume) for c in commands_of(commands, Speak)] == [("notice.take_card", 100)]
    state, _ = run(h.at_identify(rules), ev.VoiceToggled())
    assert not commands_of(run(state, ev.MaintenanceEntered())[1], Speak)


def test_no_reminder_after_only_browsing_and_none_spoken_with_voice_off(rules: Rules) -> None:
    state, commands = run(h.at_guide(rules), ev.HomePressed())
    assert not state.take_reminder and not commands_of(commands, Speak)
    state, _ = run(h.at_identify(rules), ev.VoiceToggled())
    state, commands = run(state, ev.HomePressed())
    assert state.take_reminder and not commands_of(commands, Speak)  # shown on the screen, not said


def test_the_reminder_names_only_what_there_is_to_take(rules: Rules) -> None:
    state, _ = run(h.at_done(rules), ev.SlipPrintFailed(SID, f"{SID}-receipt", Reason.PAPER_OUT))
    state, commands = run(state, ev.FinishPressed())
    assert state.take_reminder == "notice.take_card"  # no slip came out: never "take your slip"
    assert [c.prompt_id for c in commands_of(commands, Speak)] == ["notice.take_card"]
    state, _ = run(h.at_done(rules), ev.SlipPrinted(SID, f"{SID}-receipt"), ev.CardRemoved(SID))
    assert run(state, ev.FinishPressed())[0].take_reminder == "notice.take_slip"  # the card went home already


def test_another_copy_of_a_printed_slip_is_a_new_job(rules: Rules) -> None:
    state, _ = run(h.at_done(rules), ev.SlipPrinted(SID, f"{SID}-receipt"))
    state, commands = run(state, ev.PrintRetried())
    assert [c.job_id for c in commands_of(commands, PrintSlip)] == [f"{SID}-receipt-reprint-1"]
    assert commands_of(commands, PrintSlip)[0].request.reprint  # the copy is marked 补打
    state, _ = run(state, ev.SlipPrinted(SID, f"{SID}-receipt-reprint-1"), ev.PrintRetried())
    assert state.session.printing.job == f"{SID}-receipt-reprint-2"
    assert run(state, ev.PrintRetried())[1] == [ArmIdleTimer(SID, 150, 180)]  # not while one prints


def test_a_receipt_held_to_the_scanner_shows_its_progress_from_home_or_the_list(rules: Rules) -> None:
    state, commands = run(h.at_home(rules), ev.CodeScanned("JLMZ:PROGRESS:2201022026112700000001"))
    assert phase(state) == Phase.PROGRESS_QUERY and state.session.progress.busy
    assert commands_of(commands, FetchProgress)[0].query.application_number == "2201022026112700000001"
    state, _ = run(h.at_home(rules), ev.CategoryChosen("children"), ev.CodeScanned("JLMZ:PROGRESS:X-1"))
    assert phase(state) == Phase.PROGRESS_QUERY
    state, commands = run(state, ev.CodeScanned("https://example.com/not-a-receipt"))
    assert dict(state.session.field_errors) == {"application_number": "not_a_receipt"}
    assert not commands_of(commands, FetchProgress)


def test_fewer_taps_the_card_suggests_the_county_and_two_choices_build_the_certificate_number(rules: Rules) -> None:
    state = h.at_form(rules)
    assert ZHANG.address.startswith("吉林省长春市南关区")
    assert state.session.value("hukou_division") == "220102"  # the county, to confirm or change
    state, _ = run(state, ev.FieldChanged("disability_category", "4"))
    assert state.session.value("disability_certificate_number") == ""  # not until the grade is there too
    state, _ = run(state, ev.FieldChanged("disability_grade", "2"))
    assert state.session.value("disability_certificate_number") == ZHANG.id_number + "42"
    state, _ = run(state, ev.FieldChanged("disability_grade", "3"))  # changed: the number follows
    assert state.session.value("disability_certificate_number") == ZHANG.id_number + "43"
    typed = "22010219560312002099"  # an exception, typed by hand, is kept when a choice changes
    state, _ = run(state, ev.FieldChanged("disability_certificate_number", typed),
                   ev.FieldChanged("disability_grade", "1"))
    assert state.session.value("disability_certificate_number") == typed


# ---- 好差评 (issue #15) ----

def _printed_guide(rules: Rules) -> KioskState:
    state = h.at_guide_printing(rules)
    return run(state, ev.SlipPrinted(h.SID, state.session.printing.job))[0]


def _sent(commands: list) -> list:
    from kiosk.core.session.commands import SendRating

    return [c.rating for c in commands if isinstance(c, SendRating)]


def test_a_printed_guide_is_rated_in_one_tap_once_and_names_no_case(rules: Rules) -> None:
    from kiosk.core.ratings import RatedService

    before, commands = run(h.at_guide_printing(rules), ev.RatingGiven(2))  # not printed yet: nothing to rate
    assert _sent(commands) == [] and not before.session.feedback.given
    state, commands = run(_printed_guide(rules), ev.RatingGiven(2))
    (rating,) = _sent(commands)
    assert (rating.service, rating.satisfaction, rating.reason, rating.application_number) == (
        RatedService.GUIDE, 2, None, "")
    assert state.session.feedback.sent
    _, again = run(state, ev.RatingGiven(1), ev.RatingReasonGiven("waiting"), ev.RatingReasonSkipped())
    assert _sent(again) == []  # one rating a visit
    _, nonsense = run(_printed_guide(rules), ev.RatingGiven(6), ev.RatingGiven(0))
    assert _sent(nonsense) == []


def test_a_low_rating_of_an_application_waits_for_its_reason_and_names_the_case(rules: Rules) -> None:
    from kiosk.core.ratings import LowRatingReason, RatedService

    state, commands = run(h.at_done(rules), ev.RatingGiven(5))
    assert _sent(commands) == [] and state.session.feedback.asks_reason
    _, commands = run(state, ev.RatingReasonGiven("not-a-reason"))
    assert _sent(commands) == []
    state, commands = run(state, ev.RatingReasonGiven("waiting"))
    (rating,) = _sent(commands)
    assert (rating.service, rating.satisfaction, rating.reason, rating.application_number) == (
        RatedService.APPLY, 5, LowRatingReason.WAITING, h.RESULT.application_number)
    _, skipped = run(h.at_done(rules), ev.RatingGiven(4), ev.RatingReasonSkipped())
    assert [(r.satisfaction, r.reason) for r in _sent(skipped)] == [(4, None)]


def test_a_progress_query_is_rated_and_a_reason_left_open_goes_when_the_session_ends(rules: Rules) -> None:
    from kiosk.core.ratings import RatedService

    answered = run(h.at_progress(rules), ev.ProgressLoaded(h.SID, ()))[0]
    _, commands = run(answered, ev.RatingReasonGiven("waiting"), ev.RatingReasonSkipped())  # no low rating asked
    assert _sent(commands) == []
    _, commands = run(answered, ev.RatingGiven(1))
    assert [(r.service, r.satisfaction) for r in _sent(commands)] == [(RatedService.PROGRESS, 1)]
    state, _ = run(answered, ev.RatingGiven(4))
    _, commands = run(state, ev.HomePressed())
    assert [(r.service, r.satisfaction, r.reason) for r in _sent(commands)] == [(RatedService.PROGRESS, 4, None)]
    _, commands = run(answered, ev.HomePressed())  # not rated: nothing sent
    assert _sent(commands) == []
    done, _ = run(_printed_guide(rules), ev.RatingGiven(5))
    _, commands = run(done, ev.RatingReasonSkipped())
    assert len(_sent(commands)) == 1
    _, commands = run(run(_printed_guide(rules), ev.RatingGiven(5))[0], ev.RatingReasonGiven("device"))
    assert [r.reason for r in _sent(commands)] == ["device"]


def test_the_divorce_second_visit_starts_from_the_guide_and_asks_for_the_first_booking(rules: Rules) -> None:
    """The second visit's own transitions (tests/unit/test_second_visit_machine.py has the whole flow); here so
    that this file alone exercises every transition, as its mutation runs need."""
    from kiosk.core.records import FirstVisit
    from kiosk.core.session.commands import FindFirstVisit

    state, _ = run(h.at_guide(rules, "divorce-registration"), ev.SecondVisitStarted(),
                   ev.ConsentGiven(sensitive=True), ev.CardRead(SID, ZHANG, TODAY), ev.CardRead(SID, KIM, TODAY))
    assert phase(state) == Phase.APPOINTMENT
    state, commands = run(state, ev.FirstBookingEntered("Y1"))
    assert not commands_of(commands, FindFirstVisit)
    state, commands = run(state, ev.CodeScanned(code="JLMZ:BOOKING:YY20260803000001"))
    [find] = commands_of(commands, FindFirstVisit)
    assert find.lookup.booking_number == "YY20260803000001"
    state, _ = run(state, ev.FirstVisitFound(SID, FirstVisit("YY20260803000001", problem="booking_not_yours")))
    assert state.session is not None and state.session.field_errors == (("first_booking", "booking_not_yours"),)


def test_zz_every_transition_is_exercised() -> None:
    missing = set(TRANSITIONS) - h.exercised
    assert not missing, sorted((p.value if p else "ANY", e.__name__) for p, e in missing)


def test_back_returns_to_each_phase_as_it_was_left(rules: Rules) -> None:
    """Back restores the snapshot taken when the phase was left: what the citizen typed on the form survives a
    look at the review, and the consent asked again starts unticked."""
    state = h.at_review(rules)
    form = state.session.form
    state, _ = run(state, ev.BackPressed())
    assert phase(state) == Phase.FORM and state.session.form == form and state.session.value("phone")
    state, commands = run(state, ev.BackPressed())
    assert phase(state) == Phase.IDENTIFY and not state.session.parties and commands_of(commands, ReadCard)
    state, commands = run(state, ev.BackPressed())
    assert phase(state) == Phase.CONSENT and commands_of(commands, CancelCardRead)
    assert not state.session.consent_general and not state.session.consent_sensitive
    assert state.session.card_used  # carried over: the citizen is still reminded to take the card
    state, _ = run(state, ev.BackPressed(), ev.BackPressed())
    assert phase(state) == Phase.HOME and state.session.trail == () and state.session.item_id is None
