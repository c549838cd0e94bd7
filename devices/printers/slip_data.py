"""The data a slip is rendered from outside a session (`kiosk slip render`, the benchmark), and built-in samples.

Personal values may be given in clear (test data) or masked: they are masked before they reach a slip,
and the masks leave a masked value unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from devices.clock import china_now
from kiosk.core.catalog import Catalog
from kiosk.core.health import Action, Component, Health, Reason, Status
from kiosk.core.identity import mask_address, mask_id_number, mask_name
from kiosk.core.session.commands import SlipRequest
from kiosk.core.settings import KioskSettings
from kiosk.core.slip_layouts import SlipComposer, printer_test_slip, readiness_slip
from kiosk.core.slips import Slip, SlipKind, SlipOrigin
from kiosk.core.working_days import WorkingDays

SAMPLE_TIME = datetime(2024, 5, 20, 10, 32)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Strict):
    name: str = ""
    id_number: str = ""
    address: str = ""


class HealthLine(Strict):
    component: Component
    status: Status
    reason: Reason = Reason.OK
    action: Action = Action.NONE
    detail: Annotated[str, Field(max_length=120)] = ""


class SlipData(Strict):
    item_id: str = ""
    language: Literal["zh", "ko", "en"] = "zh"
    application_number: Annotated[str, Field(max_length=40)] = ""
    query_code: Annotated[str, Field(pattern=r"^(\d{8})?$")] = ""
    """Receipts: the 8-digit 查询码 that lets any kiosk show the application (in the QR code and printed)."""
    local_reference: Annotated[str, Field(max_length=40)] = ""
    queued: bool = False
    applicants: Annotated[list[Person], Field(max_length=2)] = []
    booking_number: Annotated[str, Field(max_length=40)] = ""
    slot_text: Annotated[str, Field(max_length=120)] = ""
    printed_at: datetime | None = None
    reprint: bool = False
    """Receipts: render the maintenance reprint (补打, no applicant)."""
    health: list[HealthLine] = []
    """Readiness reports: each component's state."""
    details: dict[str, str] = {}
    """Readiness reports and test pages: extra lines (label -> value)."""

    @model_validator(mode="after")
    def _numbers(self) -> SlipData:
        if self.queued and not self.local_reference:
            raise ValueError("a queued receipt needs local_reference (the 待上传 number)")
        return self


def check_for_kind(data: SlipData, kind: SlipKind, catalog: Catalog) -> list[str]:
    """What is missing or wrong in `data` for this kind of slip."""
    problems = []
    if kind in (SlipKind.RECEIPT, SlipKind.GUIDE, SlipKind.APPOINTMENT):
        if not data.item_id:
            problems.append(f"item_id is required for a {kind.value} slip")
        elif catalog.get(data.item_id) is None:
            problems.append(f"item_id: no item {data.item_id!r} in the catalog (`kiosk catalog list` shows them)")
    if kind == SlipKind.RECEIPT and not (data.application_number or data.local_reference):
        problems.append("a receipt needs application_number or local_reference")
    if kind == SlipKind.APPOINTMENT and not data.booking_number:
        problems.append("an appointment slip needs booking_number")
    return problems


def build_slip(kind: SlipKind, data: SlipData, settings: KioskSettings, catalog: Catalog,
               calendar: WorkingDays) -> Slip:
    """`calendar`: the configured one (kiosk.storage.working_days), which a divorce slip's dates follow."""
    when = data.printed_at or china_now()
    if kind == SlipKind.READINESS:
        healths = [Health(h.component, h.status, h.reason, h.action, h.detail) for h in data.health]
        return readiness_slip(settings, healths, when, tuple(data.details.items()))
    if kind == SlipKind.TEST:
        return printer_test_slip(settings, when, tuple(data.details.items()))
    composer = SlipComposer(settings, catalog, lambda: when, calendar)
    if data.reprint and kind == SlipKind.RECEIPT:
        return composer.reprint(SlipOrigin(data.item_id, data.language, data.application_number,
                                           data.local_reference, data.queued))
    request = SlipRequest(
        kind, data.item_id, data.language, application_number=data.application_number,
        local_reference=data.local_reference, queued=data.queued, query_code=data.query_code,
        masked_names=tuple(mask_name(p.name) for p in data.applicants),
        masked_id_numbers=tuple(mask_id_number(p.id_number) for p in data.applicants),
        masked_addresses=tuple(mask_address(p.address) for p in data.applicants),
        booking_number=data.booking_number, slot_text=data.slot_text)
    return composer(request)


# ---- samples: invented people, valid check digits ----

SAMPLE_NUMBER = "2201022024052000000001233"  # backend/server/numbers.py's form, its check character right

_APPLICANT = Person(name="李玉䶮", id_number="222401198007152136",
                    address="吉林省延边朝鲜族自治州延吉市河南街道光明社区5号")

SAMPLES: dict[SlipKind, SlipData] = {
    SlipKind.RECEIPT: SlipData(item_id="disability-subsidies", application_number=SAMPLE_NUMBER,
                               query_code="48153926", applicants=[_APPLICANT], printed_at=SAMPLE_TIME),
    SlipKind.GUIDE: SlipData(item_id="disability-subsidies", printed_at=SAMPLE_TIME),
    SlipKind.APPOINTMENT: SlipData(
        item_id="marriage-registration", booking_number="YY20240527-0815",
        slot_text="2024-05-27 08:30-09:00 长春市南关区婚姻登记处",
        applicants=[Person(name="张伟", id_number="220102199001010035"),
                    Person(name="朴秀妍", id_number="222401199203040026")],
        printed_at=SAMPLE_TIME),
    SlipKind.READINESS: SlipData(
        health=[HealthLine(component=Component.READER, status=Status.OK),
                HealthLine(component=Component.PRINTER, status=Status.DEGRADED, reason=Reason.PAPER_NEAR_END,
                           action=Action.STAFF, detail="network printer 192.0.2.10:9100"),
                HealthLine(component=Component.BACKEND, status=Status.OK),
                HealthLine(component=Component.DISK, status=Status.OK, detail="12.4 GB free")],
        details={"软件版本": "0.1.0", "设备配置": "pcsc-network-landscape", "待上传申请": "0"},
        printed_at=SAMPLE_TIME),
    SlipKind.TEST: SlipData(details={"设备配置": "simulated"}, printed_at=SAMPLE_TIME),
}
