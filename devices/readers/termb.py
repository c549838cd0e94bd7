"""Driver for ID-card readers whose vendor library is the "termb" (华视 CVR_*) family, used by many
certified readers: CVR_InitComm(port), CVR_Authenticate (find + select + authenticate), CVR_Read_Content,
then the fields one by one (GetPeopleName ... GetEndDate, GetCertType) as GBK text.

The fields are put back into the card's 256-byte text block (kiosk.core.cardtext's layout) and parsed like any
SAM reply, so every check (number, dates, card type) is the same whichever reader read the card. Only the
resident ID card is rebuilt this way; the library's fields for the other card types differ between vendors,
so such a card is reported UNSUPPORTED_CARD (use the sdtapi library or the serial SAM for them). The photo
comes back from termb as a decoded BMP, not the card's WLT, and is not taken.

The real libraries write what they read (wz.txt, zp.bmp ...) into the working directory; those files are
deleted after each read (the kiosk service also runs in a private runtime directory).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
from pathlib import Path

from devices.readers.sam_frame import Status
from devices.readers.vendor_sdk import VendorLibraryReader
from kiosk.core.cardtext import LAYOUTS, NATIONS, ParseError, UnsupportedCardError, parse_text_block, wipe
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.identity import CardType, Identity
from kiosk.logs import log_event

log = logging.getLogger("kiosk.devices.termb")

_FUNCTIONS = ("CVR_InitComm", "CVR_CloseComm", "CVR_Authenticate", "CVR_Read_Content")
_FIELDS = (("name", "GetPeopleName"), ("sex", "GetPeopleSex"), ("nation", "GetPeopleNation"),
           ("birth_date", "GetPeopleBirthday"), ("address", "GetPeopleAddress"), ("id_number", "GetPeopleIDCode"),
           ("issuing_authority", "GetDepartment"), ("valid_from", "GetStartDate"), ("valid_until", "GetEndDate"))
LEFT_BEHIND = ("wz.txt", "zp.bmp", "zp.wlt", "fp.dat", "xp.wlt")  # files the libraries write where they run
_SEXES = {"男": "1", "女": "2", "未知": "0", "未说明": "9"}
_NATION_CODES = {name: code for code, name in NATIONS.items()}
READ_TEXT = 1  # CVR_Read_Content's "active": 1 text (and photo), 4 text, photo and fingerprint on some


class TermbReader(VendorLibraryReader):
    """The CardReader port over a termb-style (CVR_*) shared library."""

    FUNCTIONS = _FUNCTIONS
    FAMILY = "a termb"

    # ---- what SamPollingReader asks ----

    def _find(self) -> int:
        code = self._call("CVR_Authenticate")
        return Status.CARD_FOUND if code == 1 else Status.NO_CARD

    def _select(self) -> int:
        return Status.OK if self._call("CVR_Authenticate") == 1 else Status.SELECT_FAILED

    def _sam_health(self) -> Health:
        library = self._load()
        if hasattr(library, "CVR_GetSAMID"):
            code = self._call("CVR_GetSAMID", ctypes.create_string_buffer(128))
            if code != 1:
                return Health.problem(Component.READER, Reason.NO_READER, f"termb: SAM id call returned {code}")
        else:
            self._ensure_open()
        return Health.ok(Component.READER, f"termb port {self.port}")

    def _failure(self, step: str, status: int) -> DeviceError:
        log_event(log, "card_read_failed", logging.WARNING, driver="termb", phase=step, code=f"{status:#x}")
        reason = Reason.CARD_UNREADABLE if step != "find" else Reason.NO_READER
        return DeviceError(reason, f"termb {step}: {status:#x}")

    def close(self) -> None:
        with self._lock:
            if self._library is not None and self._open:
                self._library.CVR_CloseComm()
            self._open = False

    # ---- the read ----

    def _select_and_read(self) -> Identity:
        if self._call("CVR_Authenticate") != 1:
            raise DeviceError(Reason.CARD_UNREADABLE, "termb: authenticate failed")
        code = self._call("CVR_Read_Content", READ_TEXT)
        try:
            if code != 1:
                raise DeviceError(Reason.CARD_UNREADABLE, f"termb read: {code}")
            kind = self._field("GetCertType").strip()
            if kind not in ("", "0"):
                raise DeviceError(Reason.UNSUPPORTED_CARD, f"termb: card type {kind!r} is read as a resident card "
                                  "only through sdtapi or the serial SAM")
            block = self._resident_block({name: self._field(getter) for name, getter in _FIELDS})
            try:
                identity = parse_text_block(block)
            finally:
                wipe(block)
        except UnsupportedCardError as exc:
            raise DeviceError(Reason.UNSUPPORTED_CARD, str(exc)) from None
        except ParseError as exc:
            raise DeviceError(Reason.CARD_UNREADABLE, str(exc)) from None
        finally:
            _remove_left_behind()
        log_event(log, "card_read", driver="termb", kind=identity.card_type.value)
        return identity

    def _field(self, getter: str) -> str:
        buffer, length = ctypes.create_string_buffer(256), ctypes.c_int(0)
        try:
            if self._call(getter, buffer, ctypes.byref(length)) != 1:
                raise DeviceError(Reason.CARD_UNREADABLE, f"termb: {getter} failed")
            raw = buffer.raw[:max(0, min(length.value, 255))].split(b"\0")[0]
            return raw.decode("gb18030", errors="strict").strip()
        except UnicodeDecodeError:
            raise DeviceError(Reason.CARD_UNREADABLE, f"termb: {getter} is not GBK text") from None
        finally:
            ctypes.memset(buffer, 0, 256)

    @staticmethod
    def _resident_block(fields: dict[str, str]) -> bytearray:
        values = dict(fields)
        values["sex"] = _SEXES.get(fields["sex"], fields["sex"])
        nation = fields.pop("nation")
        values["nation_code"] = nation if nation.isdigit() else _NATION_CODES.get(nation, nation)
        block = bytearray()
        for name, length in LAYOUTS[CardType.RESIDENT]:
            encoded = values.get(name, "").encode("utf-16-le")[:length]
            block += encoded + " ".encode("utf-16-le") * ((length - len(encoded)) // 2)
        return block

    # ---- calls into the library ----

    def _ensure_open(self) -> ctypes.CDLL:
        library = self._load()
        if not self._open:
            opened = int(library.CVR_InitComm(self.port))
            if opened != 1:
                raise DeviceError(Reason.NO_READER, f"termb: cannot open port {self.port} ({opened})")
            self._open = True
            log_event(log, "reader_opened", driver="termb", port_kind="sdk")
        return library

    def _call(self, name: str, *args: object) -> int:
        library = self._ensure_open()
        code = int(getattr(library, name)(*args))
        if code == 4 and name.startswith("CVR_"):  # not connected: unplugged; open again on the next call
            self._open = False
            raise DeviceError(Reason.NO_READER, f"termb {name}: reader not connected")
        return code


def _remove_left_behind() -> None:
    here = Path(os.getcwd())
    for name in LEFT_BEHIND:
        with contextlib.suppress(OSError):
            (here / name).unlink()
