"""An in-process stand-in for the reference backend, for the demo until the HTTP server lands.

It keeps the port's promises: idempotent submissions, progress by number or by ID number, slots and
bookings. It holds data in memory only and forgets it when the kiosk stops.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from kiosk.health import Component, DeviceError, Health, Reason
from kiosk.records import (
    Application,
    ApplicationStatus,
    Booking,
    BookingResult,
    ProgressQuery,
    ProgressRecord,
    Slot,
    SubmitResult,
)
from kiosk.settings import LoadedConfig

OFFICES = {"marriage-registration": "长春市南关区婚姻登记处", "divorce-registration": "长春市南关区婚姻登记处"}


class InMemoryBackend:
    def __init__(self, division_code: str = "220102") -> None:
        self.division_code = division_code
        self._lock = threading.Lock()
        self._by_key: dict[str, SubmitResult] = {}
        self._records: list[tuple[str, ProgressRecord]] = []  # (id_number, record)
        self._bookings: dict[str, BookingResult] = {}
        self._booked: dict[str, int] = {}
        self.offline = False

    def health(self) -> Health:
        if self.offline:
            return Health.problem(Component.BACKEND, Reason.BACKEND_UNREACHABLE, "in-memory backend offline")
        return Health.ok(Component.BACKEND, "in-memory")

    def _check(self) -> None:
        if self.offline:
            raise DeviceError(Reason.BACKEND_UNREACHABLE, "in-memory backend offline")

    def submit(self, application: Application) -> SubmitResult:
        self._check()
        with self._lock:
            if application.idempotency_key in self._by_key:
                return self._by_key[application.idempotency_key]
            number = f"{self.division_code}{date.today():%Y%m%d}{len(self._by_key) + 1:06d}"
            result = SubmitResult(application.local_reference, number, ApplicationStatus.RECEIVED)
            self._by_key[application.idempotency_key] = result
            record = ProgressRecord(number, application.item_id, ApplicationStatus.RECEIVED, datetime.now())
            self._records.append((application.applicant.id_number, record))
            return result

    def progress(self, query: ProgressQuery) -> Sequence[ProgressRecord]:
        self._check()
        with self._lock:
            return [r for idn, r in self._records
                    if (query.id_number and idn == query.id_number)
                    or (query.application_number and r.application_number == query.application_number)]

    def appointment_slots(self, item_id: str, first_day: date, days: int) -> Sequence[Slot]:
        self._check()
        office = OFFICES.get(item_id, "婚姻登记处")
        slots = []
        for offset in range(1, days + 1):
            day = first_day + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for start, end in (("09:00", "10:30"), ("10:30", "12:00"), ("13:30", "15:00"), ("15:00", "16:30")):
                slot_id = f"{item_id}:{day.isoformat()}:{start}"
                slots.append(Slot(slot_id, office, day, start, end, 5 - self._booked.get(slot_id, 0)))
        return slots

    def book(self, booking: Booking) -> BookingResult:
        self._check()
        with self._lock:
            if booking.idempotency_key in self._bookings:
                return self._bookings[booking.idempotency_key]
            item_id, day_text, _start = booking.slot_id.split(":", 2)
            slot = next((s for s in self.appointment_slots(item_id, date.fromisoformat(day_text) - timedelta(days=1),
                                                           1) if s.slot_id == booking.slot_id), None)
            if slot is None or slot.remaining <= 0:
                raise DeviceError(Reason.BACKEND_REJECTED, "slot full or unknown")
            self._booked[booking.slot_id] = self._booked.get(booking.slot_id, 0) + 1
            result = BookingResult(f"YY{day_text.replace('-', '')}{len(self._bookings) + 1:04d}", slot)
            self._bookings[booking.idempotency_key] = result
            return result


def from_config(config: LoadedConfig) -> InMemoryBackend:
    return InMemoryBackend(config.settings.site.division_code)
