"""The request and response bodies of the /v1 API. FastAPI turns these into the OpenAPI document.

Field names follow kiosk.core.records and kiosk.core.identity; codes and ranges follow GB/T 39046-2020 where it has
one (好差评 satisfaction A.8, 评价渠道 表9).
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from backend.contract.protocol import IDEMPOTENCY_KEY_PATTERN, KIOSK_ID_PATTERN

# Characters no name, address, form value or note needs, and that make one text look like another: control
# characters, bidi overrides and isolates, zero-width and other invisible formatting characters, line and
# paragraph separators, lone surrogates. (Private-use characters stay allowed: ID card chips carry rare
# characters of names, 生僻字, in the private-use area.)
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def plain_text(value: str) -> str:
    for char in value:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            raise ValueError(f"contains a control or invisible formatting character (U+{ord(char):04X}); "
                             "only visible characters and spaces are accepted")
    return value


PlainText = AfterValidator(plain_text)
ItemId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64, examples=["disability-subsidies"])]
Number = Annotated[str, Field(pattern=r"^[A-Za-z0-9\-]{4,50}$", examples=["22010220250601000001"])]
LocalReference = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{3,63}$", examples=["JL-220102-001-3F2A9C10B4"])]
IdNumber = Annotated[str, Field(pattern=r"^[0-9A-Z]{6,32}$", examples=["220102199003071234"])]
ShortText = Annotated[str, Field(max_length=64), PlainText]
QueryCode = Annotated[str, Field(pattern=r"^\d{8}$", examples=["40721935"])]  # backend.server.numbers makes them


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationStatus(enum.StrEnum):
    RECEIVED = "received"  # 已提交(收件)
    ACCEPTED = "accepted"  # 已受理
    FORWARDED = "forwarded"  # 已推送户籍地
    COMPLETED = "completed"  # 办结
    REJECTED = "rejected"  # 不予受理 / 不予认定


class CardType(enum.StrEnum):
    RESIDENT = "resident"
    FOREIGN_PERMANENT = "foreign_permanent"
    HMT_RESIDENCE = "hmt_residence"
    SOCIAL_SECURITY = "social_security"
    MANUAL = "manual"


class Identity(Model):
    """What the card (or the keypad) told about a person. The chip photo is never sent."""

    card_type: CardType
    name: Annotated[str, Field(min_length=1, max_length=64), PlainText]
    id_number: IdNumber
    sex: Literal["male", "female", "unknown", "unspecified"] = "unknown"
    birth_date: date | None = None
    nation_code: Annotated[str, Field(max_length=8), PlainText] = ""
    nation: ShortText = ""
    address: Annotated[str, Field(max_length=128), PlainText] = ""
    issuing_authority: ShortText = ""
    valid_from: date | None = None
    valid_until: Annotated[str, Field(pattern=r"^(\d{4}-\d{2}-\d{2}|长期)$")] | None = None
    english_name: ShortText = ""
    nationality: Annotated[str, Field(max_length=8), PlainText] = ""
    pass_number: Annotated[str, Field(max_length=32), PlainText] = ""
    issue_count: Annotated[str, Field(max_length=4), PlainText] = ""


class FormValue(Model):
    id: ItemId
    value: Annotated[str, Field(max_length=256), PlainText]


class ApplicationIn(Model):
    local_reference: LocalReference
    """The kiosk's own reference, printed as 待上传 while the application waits in the kiosk's outbox."""
    item_id: ItemId
    applicant: Identity
    fields: Annotated[list[FormValue], Field(max_length=64)] = []
    submitted_at: datetime | None = None
    """When the citizen confirmed at the kiosk (the application may arrive later from the outbox)."""


class ApplicationReceipt(Model):
    application_number: Number
    """The server's 办件编号."""
    local_reference: LocalReference
    status: ApplicationStatus
    received_at: datetime
    query_code: QueryCode | None = None
    """Printed on the receipt beside the number: with it the citizen can ask at any kiosk. The server keeps
    only a keyed digest, so each answer to a submission (a replay too) carries a new code and the earlier
    one stops working."""


class BatchEntry(Model):
    idempotency_key: Annotated[str, Field(pattern=IDEMPOTENCY_KEY_PATTERN)]
    application: ApplicationIn


class BatchIn(Model):
    applications: Annotated[list[BatchEntry], Field(min_length=1, max_length=100)]


class BatchResult(Model):
    """One entry's answer: the status `POST /applications` would have given, with its receipt or problem."""

    idempotency_key: str
    status: Annotated[int, Field(ge=200, le=599)]
    replayed: bool = False
    receipt: ApplicationReceipt | None = None
    problem: ProblemDetail | None = None


class BatchOut(Model):
    results: list[BatchResult]


class CorrectionMaterial(Model):
    material_id: ItemId | None = None
    """The catalog material, which a kiosk names in the citizen's language; None for one staff described."""
    name: Annotated[str, Field(min_length=1, max_length=100), PlainText]
    """In Chinese: the catalog's name of the material, or what staff wrote."""


class CorrectionNotice(Model):
    """补正: what the citizen is asked to bring, where, and by when. Written for the citizen, never a staff note."""

    materials: Annotated[list[CorrectionMaterial], Field(min_length=1, max_length=20)]
    place: Annotated[str, Field(min_length=1, max_length=120), PlainText]
    """Where to bring them: the receiving window, as staff wrote it."""
    due: date
    """The last day (Beijing time), in working days from the day it was asked."""
    asked_at: datetime


class ProgressRecord(Model):
    """Status, step and time, and a 补正 the citizen is asked for; no staff note (the window explains a rejection in
    person) and no other kiosk's local reference."""

    application_number: Number
    local_reference: LocalReference | None = None
    """Only to the kiosk that submitted the application."""
    item_id: ItemId
    status: ApplicationStatus
    step: Annotated[int, Field(ge=1, le=4)] = 1
    """The step reached: 1 收件, 2 受理, 3 推送户籍地, 4 办结; a rejection keeps the step it ended at."""
    updated_at: datetime
    correction: CorrectionNotice | None = None
    """Only while the case waits for the citizen's 补正. `status` stays the one before, so a kiosk that does not
    know this field shows 已提交 (请尽快把材料带到窗口) or 已推送户籍地."""


class ApplicationLookupIn(Model):
    """An application number with the query code from its receipt: what proves the citizen's claim at a kiosk
    other than the one that took the application."""

    application_number: Number
    query_code: QueryCode


class ProgressQueryIn(Model):
    """The ID number of the person whose card is on the reader; sent in a body so it never lands in a URL."""

    id_number: IdNumber


class ProgressList(Model):
    records: list[ProgressRecord]


class Slot(Model):
    slot_id: Annotated[str, Field(max_length=96)]
    office: str
    day: date
    start: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]
    end: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]
    remaining: Annotated[int, Field(ge=0)]


class SlotList(Model):
    slots: list[Slot]


BookingNumber = Annotated[str, Field(pattern=r"^[A-Za-z0-9\-]{4,32}$", examples=["YY20261207000042"])]


class BookingIn(Model):
    item_id: ItemId
    slot_id: Annotated[str, Field(min_length=1, max_length=96)]
    parties: Annotated[list[Identity], Field(min_length=1, max_length=2)]
    phone: Annotated[str, Field(pattern=r"^[0-9\-]{0,20}$")] = ""
    first_booking: BookingNumber | None = None
    """A divorce's second visit (领证): the first visit's booking number; the slot must lie in its window."""


class FirstVisitIn(Model):
    """Who brings the first visit's booking number: its parties' ID numbers, read from their cards."""

    item_id: ItemId
    id_numbers: Annotated[list[IdNumber], Field(min_length=1, max_length=2)]


class FirstVisitOut(Model):
    """The first visit of a divorce and the window of its second: the days both may come for the certificate."""

    booking_number: BookingNumber
    day: date
    """申请日: the first visit's day."""
    cooling_off_ends: date
    first_day: date
    last_day: date


class BookingOut(Model):
    booking_number: Annotated[str, Field(max_length=32)]
    status: Literal["booked", "cancelled"]
    slot: Slot


class CancellationIn(Model):
    """The ID number of one of the parties, read from the card on the reader."""

    id_number: IdNumber


class DeviceState(Model):
    component: Annotated[str, Field(pattern=r"^[a-z_]{2,16}$")]
    status: Literal["ok", "degraded", "unavailable", "unknown"]
    reason: Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")]


class ReleaseState(Model):
    """The kiosk's releases (deploy/bin/kiosk-release): one waiting to take over, the last rollback."""
    pending: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """A release installed beside the running one, taking over between two citizens."""
    rolled_back_from: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """A release that did not become ready in time and was rolled back to the running one."""
    rollback_reason: Annotated[str, Field(max_length=200)] | None = None


class FleetCommandKind(enum.StrEnum):
    OUT_OF_SERVICE_ON = "out_of_service_on"  # 暂停服务, with the message the out-of-service screen shows
    OUT_OF_SERVICE_OFF = "out_of_service_off"  # 恢复服务
    RESTART = "restart"  # the app quits cleanly between citizens and systemd starts it again
    PRINT_READINESS = "print_readiness"  # the readiness slip, as from the maintenance desk


OUT_OF_SERVICE_MESSAGE_MAX = 80
"""Characters of staff's out-of-service message: what the kiosk's maintenance desk allows."""


CommandId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # the server's integer key


class FleetCommand(Model):
    """Something staff asked of the kiosk from the console. It comes with every heartbeat's answer until the
    kiosk reports its result; the kiosk does each id once."""

    id: CommandId
    kind: FleetCommandKind
    message: Annotated[str, Field(max_length=OUT_OF_SERVICE_MESSAGE_MAX), PlainText] = ""
    """For out_of_service_on: the text the out-of-service screen shows citizens (empty: the standard text)."""


class FleetCommandResult(Model):
    """How the kiosk did a command: done or failed, with a stable code (out_of_service_set, readiness_printed,
    restarting, print_failed, dry_run ...), never anything personal."""

    id: CommandId
    outcome: Literal["done", "failed"]
    code: Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")]
    detail: Annotated[str, Field(pattern=r"^[a-z0-9_]{0,32}$")] = ""
    """A reason id when it failed (paper_out), or the readiness verdict (ready, not_ready)."""
    at: datetime


class HeartbeatIn(Model):
    status: Annotated[str, Field(pattern=r"^[a-z_]{2,32}$")]
    """The kiosk's lifecycle: starting, ready, in_session, out_of_service, maintenance."""
    devices: Annotated[list[DeviceState], Field(max_length=16)] = []
    outbox_depth: Annotated[int, Field(ge=0, le=10_000_000)]
    version: Annotated[str, Field(min_length=1, max_length=64)]
    """The running release's version (from its git tag, e.g. 1.4.0 or 1.4.1.dev3+g1e47696)."""
    release: ReleaseState | None = None
    site: Annotated[str, Field(max_length=64), PlainText] | None = None
    """Where the kiosk stands (kiosk.toml's site name), for the fleet view."""
    catalog_version: Annotated[int, Field(ge=0)] | None = None
    """The backend's catalog version the kiosk has taken; none while it uses the catalog it shipped with."""
    catalog_refused: Annotated[int, Field(ge=1)] | None = None
    """A newer catalog version the kiosk refused (signature, key or content failed its checks): it keeps using
    the one above, and staff are alerted."""
    command_results: Annotated[list[FleetCommandResult], Field(max_length=32)] = []
    """Results of commands from earlier answers not yet reported (a kiosk reports each until an answer comes)."""


class HeartbeatOut(Model):
    server_time: datetime
    catalog_version: int | None
    """The newest catalog version the server publishes; the kiosk downloads it when newer than its own."""
    commands: list[FleetCommand] = []
    """Staff's commands the kiosk has not reported done yet, oldest first."""


class HelpCallIn(Model):
    """A citizen pressed 呼叫工作人员: where, and what the screen showed. Nothing about who they are."""

    reason: Literal["citizen_request", "out_of_service"]
    """Pressed during a visit, or on the out-of-service screen."""
    screen: Annotated[str, Field(pattern=r"^[a-z_]{2,32}$", examples=["done"])]
    """The screen the citizen was on (the session's phase, or out_of_service)."""
    problem: Annotated[str, Field(pattern=r"^([a-z_]{2,32})?$", examples=["paper_out"])] = ""
    """The error that screen showed (a device or backend reason), or empty."""
    site: Annotated[str, Field(max_length=64), PlainText] = ""
    """The hall the kiosk stands in (its settings' site name), for the message to the hall's group."""
    called_at: AwareDatetime
    """The kiosk's clock when the button was pressed; a call delivered late from the outbox shows its age."""


class HelpCallOut(Model):
    call_id: int
    status: Literal["open", "acknowledged"]
    called_at: datetime
    received_at: datetime
    acknowledged_at: datetime | None = None


class UsageCountIn(Model):
    item_id: ItemId
    kind: Literal["query", "guide_print"]
    """What the kiosk alone sees: progress lookups (per item of the records shown) and guide slips printed."""
    count: Annotated[int, Field(ge=0, le=1_000_000)]


class UsageDayIn(Model):
    day: date
    """The kiosk's local (Beijing) date."""
    counts: Annotated[list[UsageCountIn], Field(min_length=1, max_length=200)]


class UsageIn(Model):
    """The kiosk's totals for these days; each replaces the total it sent before for that day, item and kind."""

    days: Annotated[list[UsageDayIn], Field(min_length=1, max_length=62)]


class UsageOut(Model):
    accepted: Annotated[int, Field(ge=0)]


class CatalogBundle(Model):
    """The item catalog, signed by the server. `payload` is the exact signed text (JSON of the catalog)."""

    version: Annotated[int, Field(ge=1)]
    issued_at: datetime
    algorithm: Literal["SM2-SM3", "Ed25519"]
    key_id: str
    payload: str
    signature: str
    """Base64 of the signature over the UTF-8 bytes of `payload`."""


class RatingIn(Model):
    application_number: Number | None = None
    """The application rated (one rating a case). Left out, the rating is of a service the kiosk gave without a
    case of the backend's (an appointment, a printed guide, a progress query, an application still queued)."""
    satisfaction: Annotated[int, Field(ge=1, le=5)]
    """GB/T 39046-2020 A.8: 1 非常满意, 2 满意, 3 基本满意, 4 不满意, 5 非常不满意."""
    comment: Annotated[str, Field(max_length=200), PlainText] = ""
    query_code: QueryCode | None = None
    """Needed when another kiosk than the one that took the application sends the rating."""
    service: Literal["apply", "appointment", "guide", "progress"] = "apply"
    """What was rated: an application, an appointment, a printed guide or a progress query."""
    reason: Literal["waiting", "hard_to_use", "unclear", "device", "other"] | None = None
    """Why a rating of 4 or 5 (不满意, 非常不满意), chosen from the kiosk's short list."""


class RatingOut(Model):
    rating_id: int
    channel: Literal["政务大厅其他终端"]
    received_at: datetime


class Health(Model):
    status: Literal["ok"]
    version: str
    database: str


# ---- staff ----

class ApplicationSummary(Model):
    application_number: Number
    local_reference: LocalReference
    item_id: ItemId
    kiosk_id: Annotated[str, Field(pattern=KIOSK_ID_PATTERN)]
    status: ApplicationStatus
    applicant_name_masked: str
    applicant_id_number_masked: str
    received_at: datetime
    updated_at: datetime


class ApplicationList(Model):
    applications: list[ApplicationSummary]
    total: Annotated[int, Field(ge=0)]


class HistoryEntry(Model):
    from_status: str
    to_status: str
    """The stage it went to (CaseStage; the first five are the ApplicationStatus of the same name)."""
    actor: str
    note: str
    at: datetime


class ApplicationDetail(ApplicationSummary):
    applicant: Identity
    fields: list[FormValue]
    note: str
    history: list[HistoryEntry]


class TransitionIn(Model):
    to: Literal["accepted", "forwarded", "completed", "rejected"]
    reason: Annotated[str, Field(max_length=200), PlainText] = ""
    """Required when rejecting: told to the citizen in the progress query."""


class CaseStage(enum.StrEnum):
    """Where a case is in the receiving office's 异地代收代办 steps (backend.server.cases)."""

    RECEIVED = "received"  # 收件: here, its materials not yet checked
    CORRECTION = "correction"  # 补正: waiting for the citizen's missing materials
    ACCEPTED = "accepted"  # 受理: materials complete, originals checked
    FORWARDED = "forwarded"  # 推送户籍地, the materials mailed
    RESULT_RECEIVED = "result_received"  # the 户籍地's result is back
    COMPLETED = "completed"  # 办结
    REJECTED = "rejected"  # 不予受理 / 不予认定
    NOTIFIED = "notified"  # the citizen was told: closed


class CaseMove(enum.StrEnum):
    ACCEPT = "accept"
    ASK_CORRECTION = "ask_correction"
    CORRECTION_MET = "correction_met"
    FORWARD = "forward"
    RESULT_RECEIVED = "result_received"
    COMPLETE = "complete"
    REJECT = "reject"
    NOTIFY = "notify"


ClockKind = Literal["receiving", "domicile", "notify", "correction"]
ClockFlag = Literal["ok", "near", "overdue", "no_calendar"]


class CaseClock(Model):
    """The current step's time in working days: receiving, domicile and notify are the office's (from the
    catalog's steps), correction the citizen's. A 补正 stops the office's clock."""

    kind: ClockKind
    limit_working_days: Annotated[int, Field(ge=0)]
    used_working_days: int | None
    left_working_days: int | None
    """Negative once past the limit; None when the holiday calendar does not know a year it needs."""
    due: date | None
    flag: ClockFlag
    """near: at most one working day left; overdue: past the due day; no_calendar: add the year to holidays.toml."""


class CaseSummary(Model):
    application_number: Number
    item_id: ItemId
    kiosk_id: Annotated[str, Field(pattern=KIOSK_ID_PATTERN)]
    stage: CaseStage
    status: ApplicationStatus
    """What the citizen sees."""
    applicant_name_masked: str
    applicant_id_number_masked: str
    received_at: datetime
    updated_at: datetime
    """When the case reached its stage."""
    clock: CaseClock | None
    """None for a stage without a time limit (received, notified) or an item whose steps set none."""


class CaseList(Model):
    cases: list[CaseSummary]
    total: Annotated[int, Field(ge=0)]


class CaseEvent(Model):
    move: str
    """A CaseMove; "" for a move made before cases had them."""
    from_stage: str
    to_stage: str
    actor: str
    at: datetime
    note: str
    """The staff note: only to clerks."""
    tracking_number: str = ""
    outcome: Literal["", "granted", "refused"] = ""
    correction: CorrectionNotice | None = None


class CaseDetail(CaseSummary):
    correction: CorrectionNotice | None
    moves: list[CaseMove]
    """The moves open from the case's stage."""
    limits: dict[str, int]
    """Working days of each of the item's clocks (receiving, domicile, notify, correction) from the catalog."""
    history: list[CaseEvent]


NoteText = Annotated[str, Field(max_length=200), PlainText]


class AcceptMove(Model):
    """Materials complete and the originals checked: 受理. The receiving office's clock starts."""

    move: Literal["accept"]
    note: NoteText = ""


class CorrectionMove(Model):
    """补正: ask the citizen for what is missing, once and for everything. Stops the office's clock."""

    move: Literal["ask_correction"]
    materials: Annotated[list[ItemId], Field(max_length=20)] = []
    """Catalog material ids of the case's item."""
    other: Annotated[str, Field(max_length=100), PlainText] = ""
    """Anything not in the catalog, for the citizen, in Chinese."""
    place: Annotated[str, Field(min_length=1, max_length=120), PlainText]
    working_days: Annotated[int, Field(ge=1, le=60)] | None = None
    """The citizen's time; None: the item's (catalog) or the catalog's default."""
    note: NoteText = ""


class CorrectionMetMove(Model):
    """The materials asked for arrived: back to where the case was, the office's clock running again."""

    move: Literal["correction_met"]
    note: NoteText = ""


class ForwardMove(Model):
    """Pushed to the 户籍地 with the materials mailed (材料邮寄): the 户籍地's clock starts."""

    move: Literal["forward"]
    tracking_number: Annotated[str, Field(pattern=r"^[A-Za-z0-9\-]{6,40}$", examples=["1180231234567"])]
    """The 寄递 tracking number of the mailed materials."""
    note: NoteText = ""


class ResultMove(Model):
    """The 户籍地's result came back: the clock to tell the citizen starts."""

    move: Literal["result_received"]
    outcome: Literal["granted", "refused"]
    note: NoteText = ""


class CompleteMove(Model):
    move: Literal["complete"]
    note: NoteText = ""


class RejectMove(Model):
    """不予受理 / 不予认定, with the reason the citizen is told."""

    move: Literal["reject"]
    reason: Annotated[str, Field(min_length=1, max_length=200), PlainText]
    note: NoteText = ""


class NotifyMove(Model):
    """The citizen was told the result: the case is closed."""

    move: Literal["notify"]
    how: Literal["phone", "sms", "in_person", "mail", "other"]
    note: NoteText = ""


CaseMoveIn = Annotated[AcceptMove | CorrectionMove | CorrectionMetMove | ForwardMove | ResultMove | CompleteMove
                       | RejectMove | NotifyMove, Field(discriminator="move")]


class StaffLogIn(Model):
    name: Annotated[str, Field(min_length=1, max_length=64), PlainText]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class StaffSession(Model):
    token: str
    """Shown once: send it as `Authorization: Bearer …` until it expires."""
    expires_at: datetime
    role: Literal["viewer", "clerk", "administrator"]


class KioskSummary(Model):
    kiosk_id: str
    profile: str
    enrolled_at: datetime
    revoked: bool
    last_seen_at: datetime | None
    heartbeat: HeartbeatIn | None


class KioskList(Model):
    kiosks: list[KioskSummary]


class HelpCallView(HelpCallOut):
    """A call for help as staff see it: the kiosk, where the citizen was, who acknowledged it."""

    kiosk_id: Annotated[str, Field(pattern=KIOSK_ID_PATTERN)]
    reason: str
    screen: str
    problem: str
    site: str
    acknowledged_by: str
    webhook: str
    """The message to the hall's messaging group: "" (none configured), pending, sent, or failed: why."""


class HelpCallList(Model):
    calls: list[HelpCallView]


class UsageKind(enum.StrEnum):
    APPLICATION = "application"  # applications received from kiosks (by when the citizen submitted)
    QUERY = "query"  # progress lookups, counted by the kiosks
    APPOINTMENT = "appointment"  # bookings made at kiosks
    GUIDE_PRINT = "guide_print"  # guide slips printed, counted by the kiosks


class UsageTotal(Model):
    item_id: ItemId
    kind: UsageKind
    count: Annotated[int, Field(ge=0)]


class UsageReport(Model):
    """Usage of every item in one month (Beijing time) across the kiosks: the data of the monthly report."""

    month: Annotated[str, Field(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")]
    kiosks: Annotated[int, Field(ge=0)]
    """Kiosks enrolled and not revoked."""
    active_kiosks: Annotated[int, Field(ge=0)]
    """Kiosks with any application, booking or counted use in the month."""
    totals: list[UsageTotal]


def plain_lines(value: str) -> str:
    """Plain text that may run over several lines (a progress report, a list of problems)."""
    for line in value.split("\n"):
        plain_text(line)
    return value


Month = Annotated[str, Field(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", examples=["2026-12"])]
ReportText = Annotated[str, Field(max_length=500), AfterValidator(plain_lines)]
ReportCount = Annotated[int, Field(ge=0, le=1_000_000)]


class ReportPeriodOut(Model):
    """The reporting period of one month's 汇总表: set by an administrator, or the default (21st to 20th)."""

    month: Month
    start: date
    end: date
    set_by: ShortText = ""
    """The administrator who set it; empty for the default period."""


class ReportEntryOut(Model):
    """What a division entered for one task and month; counts not entered are null."""

    task: Annotated[str, Field(pattern=r"^([1-9]|1[0-7]|[a-z][a-z0-9\-]{1,31})$")]
    """The plan's task number (1-17) or the key of a task that is no service item (online-channel)."""
    window: ReportCount | None = None
    online: ReportCount | None = None
    progress: ReportText = ""
    problems: ReportText = ""
    next_steps: ReportText = ""
    updated_by: ShortText = ""
    updated_at: datetime | None = None


class KioskSiteOut(Model):
    kiosk_id: Annotated[str, Field(pattern=KIOSK_ID_PATTERN)]
    site: Annotated[str, Field(max_length=100)] = ""
    test: bool = False


class KioskCountOut(Model):
    kiosk_id: Annotated[str, Field(pattern=KIOSK_ID_PATTERN)]
    item_id: ItemId
    kind: UsageKind
    count: Annotated[int, Field(ge=0)]


class RatingCountOut(Model):
    """好差评 received from one kiosk at one level (GB/T 39046 A.8: 1 非常满意 ... 5 非常不满意) in the period."""

    kiosk_id: Annotated[str, Field(pattern=KIOSK_ID_PATTERN)]
    satisfaction: Annotated[int, Field(ge=1, le=5)]
    count: Annotated[int, Field(ge=0)]


class MonthlyInputs(Model):
    """Everything the monthly 汇总表 is built from except the catalog: the period, the divisions' entries, the
    kiosks (site, test or not) and each kiosk's counts in the period. Counts only: nothing personal."""

    period: ReportPeriodOut
    entries: list[ReportEntryOut]
    kiosks: list[KioskSiteOut]
    counts: list[KioskCountOut]
    ratings: list[RatingCountOut] = []
    """好差评 by kiosk and level: a count of its own, never added to the usage counts."""
    preparer: ShortText = ""
    """The member of staff who asked for it (制表人)."""


class ProblemDetail(Model):
    """RFC 9457 problem details with a stable `code` the kiosk maps to a screen."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: Annotated[int, Field(ge=400, le=599)]
    code: str
    detail: str = ""
    errors: list[dict[str, str]] | None = None
