"""The reference server's tables (SQLAlchemy 2). Alembic migrations in backend/server/migrations create them.

Personal data (names, ID numbers, addresses, form values, phones) is stored only in `*_sealed` columns,
encrypted with the server's data key (SM4-GCM or AES-256-GCM) and bound to the row by its associated data.
Lookups by ID number go through `*_index` columns: a keyed MAC of the number, not the number.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Kiosk(Base):
    __tablename__ = "kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    profile: Mapped[str] = mapped_column(String(16))
    mac_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    heartbeat: Mapped[str] = mapped_column(Text, default="")  # JSON of the last heartbeat: nothing personal
    quarantined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    """Set when the kiosk broke the look-up limits often enough (policy): it may submit, but not look up."""
    site: Mapped[str] = mapped_column(String(100), default="", server_default="")
    """Where it stands (e.g. 长春市南关区政务服务中心), for the monthly report's breakdown by site."""
    test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    """A kiosk for testing or training: its counts are kept out of the monthly report's totals."""


class Nonce(Base):
    __tablename__ = "nonces"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class IdempotentResponse(Base):
    """The first response to a kiosk's request with an idempotency key, returned again on every replay."""

    __tablename__ = "idempotent_responses"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    operation: Mapped[str] = mapped_column(String(32))
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # never personal: numbers, states and times only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key", name="uq_applications_kiosk_key"),
                      UniqueConstraint("kiosk_id", "local_reference", name="uq_applications_kiosk_reference"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(50), unique=True, default=None)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.kiosk_id"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    local_reference: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    applicant_index: Mapped[str] = mapped_column(String(64), index=True)
    personal_sealed: Mapped[bytes] = mapped_column(LargeBinary)  # applicant identity and form values
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(String(200), default="")  # legacy plain text: sealed at start, then ""
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)  # the reason of a rejection
    step: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # 1 收件 … 4 办结
    query_code_digest: Mapped[str] = mapped_column(String(64), default="", server_default="")
    """Keyed digest of the receipt's query code (never the code itself)."""
    stage: Mapped[str] = mapped_column(String(16), default="received", server_default="received", index=True)
    """Where the case is in the receiving office's 异地代收代办 steps (backend.server.cases); `status` is what a
    citizen and the kiosk contract see of it."""
    clock_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    """When the time of the current step's clock began (or began again after a 补正)."""
    clock_used_before: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Working days the current step's clock had used before a 补正 stopped it."""
    resume_stage: Mapped[str] = mapped_column(String(16), default="", server_default="")
    """The stage a case in 补正 goes back to when the materials arrive."""
    correction_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The 补正 notice the citizen is shown (what to bring, where), sealed like every note."""
    correction_due: Mapped[date | None] = mapped_column(Date, default=None)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ApplicationEvent(Base):
    """One step of the case's history (GB/T 39046 表7): who moved it from which state to which."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="")  # legacy plain text: sealed at start, then ""
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    move: Mapped[str] = mapped_column(String(24), default="", server_default="")
    """The case move (backend.server.cases.MOVES); "" for the moves of before there were cases."""
    detail_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """What the move recorded besides the note (JSON: the 补正 notice, the 寄递 tracking number, the result)."""


class SlotCounter(Base):
    """Bookings taken per slot; incremented with a guarded UPDATE so two kiosks cannot overbook."""

    __tablename__ = "slot_counters"

    slot_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.kiosk_id"))
    item_id: Mapped[str] = mapped_column(String(64))
    slot_id: Mapped[str] = mapped_column(String(96), index=True)
    status: Mapped[str] = mapped_column(String(16))  # booked | cancelled
    parties_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    first_booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True, default=None)
    """A divorce's second visit (领证): the booking of its first visit, whose day starts the 冷静期."""


class BookingParty(Base):
    __tablename__ = "booking_parties"

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), primary_key=True)
    party_index: Mapped[str] = mapped_column(String(64), primary_key=True)


class Rating(Base):
    """好差评 (GB/T 39046 表9); the channel is 政务大厅其他终端."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_number: Mapped[str | None] = mapped_column(String(50), index=True, unique=True)  # one a case
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.kiosk_id"))
    satisfaction: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(16), default="apply", server_default="apply")
    reason: Mapped[str | None] = mapped_column(String(16), default=None)
    comment_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffAccount(Base):
    """A named member of staff with a role (viewer, clerk, administrator) and an scrypt password hash."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200), default="")  # "": tokens only, no log-in
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class StaffToken(Base):
    """A staff session: the keyed digest of its bearer token, its account and when it expires."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"), default=None, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    """Tokens of before accounts existed have none and are refused."""


class RecordOpening(Base):
    """Append-only: which member of staff opened (or moved) which applicant's record, and when."""

    __tablename__ = "record_openings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"))
    staff_name: Mapped[str] = mapped_column(String(64))
    application_number: Mapped[str] = mapped_column(String(50), index=True)
    action: Mapped[str] = mapped_column(String(16))  # opened | moved
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CatalogVersion(Base):
    """Each distinct catalog content the server has published gets the next version number."""

    __tablename__ = "catalog_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))



class UsageCount(Base):
    """A kiosk's own count of one kind of use of one item on one day (guide prints, progress lookups): nothing
    personal. The kiosk sends the day's totals, which replace what it sent before."""

    __tablename__ = "usage_counts"

    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.kiosk_id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RateCounter(Base):
    """One fixed-window counter of the rate limiter (backend.server.rate_limits), shared by every worker."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)  # Unix seconds when the window ends


class LookupAudit(Base):
    """Every look-up of personal progress by a kiosk: which kiosk, when, whose (the keyed digest of the ID
    number, or the application number of a receipt), how it ended and how many records it answered."""

    __tablename__ = "lookup_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # id_card | receipt_code
    person_index: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    application_number: Mapped[str | None] = mapped_column(String(50), default=None)
    outcome: Mapped[str] = mapped_column(String(16))  # answered | not_found | limited | quarantined
    count: Mapped[int] = mapped_column(Integer, default=0)


class KioskAlert(Base):
    """Something staff should look at about one kiosk (`kiosk-backend alerts`): limits broken, quarantine."""

    __tablename__ = "kiosk_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # lookup_limit | quarantined
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class KioskCommand(Base):
    """A command staff queued for one kiosk in the console (who and when is the audit), delivered with each of
    the kiosk's heartbeats until the kiosk reports how it went."""

    __tablename__ = "kiosk_commands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.kiosk_id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # backend.contract.schemas.FleetCommandKind
    message: Mapped[str] = mapped_column(String(80), default="")  # shown to citizens on the kiosk: not personal
    queued_by: Mapped[str] = mapped_column(String(64))  # the staff account's name
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    outcome: Mapped[str] = mapped_column(String(16), default="")  # done | failed, once reported
    code: Mapped[str] = mapped_column(String(32), default="")
    detail: Mapped[str] = mapped_column(String(32), default="")


class AlertAcknowledgement(Base):
    """Staff have seen a condition of a kiosk (paper near end or out, silent): it stays acknowledged while the
    condition lasts, and the row goes when the condition ends, so the next time it is an alert again."""

    __tablename__ = "alert_acknowledgements"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # paper_near_end | paper_out | silent
    acknowledged_by: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HelpCall(Base):
    """A citizen's call for staff from a kiosk ('呼叫工作人员'): where they were and what the screen showed, never
    who they are. Open until a member of staff acknowledges it, which is recorded with their name."""

    __tablename__ = "help_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(32), ForeignKey("kiosks.kiosk_id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # citizen_request | out_of_service
    screen: Mapped[str] = mapped_column(String(32))  # the screen the button was pressed on
    problem: Mapped[str] = mapped_column(String(32), default="")  # the error that screen showed (paper_out), or ""
    site: Mapped[str] = mapped_column(String(64), default="")  # the hall's name, from the kiosk's settings
    called_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the kiosk's clock
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    webhook: Mapped[str] = mapped_column(String(200), default="")
    """How the message to the hall's messaging group went: "" none configured, pending, sent, or failed: why."""


class ReportPeriod(Base):
    """The reporting period an administrator set for one month's 汇总表; a month without a row has the default
    (the 21st of the month before to the 20th)."""

    __tablename__ = "report_periods"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, the month it is filed in
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportEntry(Base):
    """What a division entered for one task of the plan in one month's 汇总表: counts at the window and online
    (None: not entered), progress, 存在问题, 下步措施. About the work, not about citizens: nothing personal."""

    __tablename__ = "report_entries"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    task: Mapped[str] = mapped_column(String(32), primary_key=True)  # "1".."17" or a support task's key
    window_count: Mapped[int | None] = mapped_column(Integer, default=None)
    online_count: Mapped[int | None] = mapped_column(Integer, default=None)
    progress: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
