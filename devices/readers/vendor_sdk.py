"""Driver for ID-card readers that ship a vendor library with the standard "sdtapi" calls (ctypes).

华旭, 精伦, 神思 and others ship `libsdtapi.so` (or a renamed copy) exporting SDT_OpenPort,
SDT_StartFindIDCard, SDT_SelectIDCard and SDT_ReadBaseMsg; the last returns the raw 256-byte text block
and the 1024-byte WLT photo, which `kiosk.core.cardtext` parses like any SAM reply. The return codes are
the SAM status codes (0x90 ok, 0x9F card found, 0x80 no card ...) plus port errors of the library's
own (0x01 port, 0x02 timeout, 0x03 transfer, 0x05 SAM port unusable).

The library is loaded on first use, so a kiosk whose library is missing still starts and reports the
reader as needing an engineer. Vendor libraries are rarely thread-safe: one lock covers every call.
Port numbers follow the SDK convention: 1-16 serial ports, 1001-1016 USB.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Sequence

from devices.readers.sam_frame import Status, reason_for, status_name
from devices.readers.sam_polling import SamPollingReader
from kiosk.core.cardtext import ParseError, UnsupportedCardError, parse_text_block
from kiosk.core.health import Component, DeviceError, Health, Reason
from kiosk.core.identity import Identity
from kiosk.core.settings import LoadedConfig, VendorSdkReaderSettings, settings_as
from kiosk.logs import log_event

log = logging.getLogger("kiosk.devices.vendor_sdk")

PORT_ERRORS = {0x01: "port not open or invalid", 0x02: "reader did not answer in time",
               0x03: "data transfer error", 0x05: "SAM port unusable"}
_FUNCTIONS = ("SDT_OpenPort", "SDT_ClosePort", "SDT_GetSAMStatus", "SDT_StartFindIDCard", "SDT_SelectIDCard",
              "SDT_ReadBaseMsg")



def load_library(path: str, functions: Sequence[str], family: str) -> ctypes.CDLL:
    """A vendor's reader library with the functions we call returning C ints; a library that is missing or of
    another family is a configuration problem, named as such."""
    try:
        library = ctypes.CDLL(path)
        for name in functions:
            getattr(library, name).restype = ctypes.c_int
    except OSError as exc:
        raise DeviceError(Reason.CONFIG_INVALID, f"cannot load {path}: {exc}") from None
    except AttributeError as exc:
        raise DeviceError(Reason.CONFIG_INVALID, f"{path} is not {family} library: {exc}") from None
    return library

class VendorLibraryReader(SamPollingReader):
    """A SAM reader behind a vendor's shared library: the library, loaded on first use, and its port. Subclasses
    name the functions they call and the library family (for the message when another library is configured)."""

    FUNCTIONS: tuple[str, ...] = ()
    FAMILY = "a vendor"

    def __init__(self, library: str, port: int, poll_interval_s: float = 0.3) -> None:
        super().__init__(poll_interval_s)
        self.library_path = library
        self.port = port
        self._library: ctypes.CDLL | None = None
        self._open = False

    def _load(self) -> ctypes.CDLL:
        if self._library is None:
            self._library = load_library(self.library_path, self.FUNCTIONS, self.FAMILY)
        return self._library


class VendorSdkReader(VendorLibraryReader):
    """The CardReader port over an sdtapi-style shared library."""

    FUNCTIONS = _FUNCTIONS
    FAMILY = "an sdtapi"

    # ---- what SamPollingReader asks ----

    def _find(self) -> int:
        return self._call("SDT_StartFindIDCard", self.port, ctypes.create_string_buffer(8), 0)

    def _select(self) -> int:
        return self._call("SDT_SelectIDCard", self.port, ctypes.create_string_buffer(16), 0)

    def _sam_health(self) -> Health:
        code = self._call("SDT_GetSAMStatus", self.port, 0)
        if code in PORT_ERRORS:
            self._open = False
        if code == Status.OK:
            return Health.ok(Component.READER, f"sdtapi port {self.port}")
        return Health.problem(Component.READER, self._reason(code), self._detail("sam_status", code))

    def close(self) -> None:
        with self._lock:
            if self._library is not None and self._open:
                self._library.SDT_ClosePort(self.port)
            self._open = False

    # ---- calls into the library ----

    def _select_and_read(self) -> Identity:
        selected = self._select()
        if selected != Status.OK:
            raise self._failure("select", selected)
        text, photo = ctypes.create_string_buffer(256), ctypes.create_string_buffer(1024)
        text_len, photo_len = ctypes.c_uint(0), ctypes.c_uint(0)
        code = self._call("SDT_ReadBaseMsg", self.port, text, ctypes.byref(text_len), photo,
                          ctypes.byref(photo_len), 0)
        try:
            if code != Status.OK:
                if code == Status.READ_FAILED and self._call(
                        "SDT_SelectIDCard", self.port, ctypes.create_string_buffer(16), 0) != Status.OK:
                    raise DeviceError(Reason.CARD_REMOVED, "card left the field during the read")
                raise self._failure("read", code)
            if text_len.value != 256 or photo_len.value > 1024:
                raise DeviceError(Reason.CARD_UNREADABLE, f"library returned {text_len.value} text bytes")
            identity = parse_text_block(text.raw, photo.raw[:photo_len.value])
        except UnsupportedCardError as exc:
            raise DeviceError(Reason.UNSUPPORTED_CARD, str(exc)) from None
        except ParseError as exc:
            raise DeviceError(Reason.CARD_UNREADABLE, str(exc)) from None
        finally:
            ctypes.memset(text, 0, 256)
            ctypes.memset(photo, 0, 1024)
        log_event(log, "card_read", driver="vendor_sdk", kind=identity.card_type.value)
        return identity

    def _call(self, name: str, *args: object) -> int:
        library = self._load()
        if not self._open and name != "SDT_OpenPort":
            opened = int(library.SDT_OpenPort(self.port))
            if opened != Status.OK:
                raise DeviceError(Reason.NO_READER, self._detail("open_port", opened))
            self._open = True
            log_event(log, "reader_opened", driver="vendor_sdk", port_kind="sdk")
        code = int(getattr(library, name)(*args))
        if code in PORT_ERRORS:
            self._open = False  # reopen on the next call: the reader may have been unplugged
            if name == "SDT_GetSAMStatus":
                return code
            raise DeviceError(Reason.NO_READER if code != 0x02 else Reason.READER_TIMEOUT,
                              self._detail(name.removeprefix("SDT_").lower(), code))
        return code

    def _reason(self, code: int) -> Reason:
        if code == 0x02:
            return Reason.READER_TIMEOUT
        return Reason.NO_READER if code in PORT_ERRORS else reason_for(code)

    def _detail(self, step: str, code: int) -> str:
        what = PORT_ERRORS.get(code) or status_name(code)
        return f"{step}: 0x{code:02x} {what}"

    def _failure(self, step: str, code: int) -> DeviceError:
        log_event(log, "card_read_failed", logging.WARNING, driver="vendor_sdk", phase=step,
                  code=status_name(code))
        return DeviceError(self._reason(code), self._detail(step, code))


def from_config(config: LoadedConfig) -> SamPollingReader:
    reader = settings_as(config.profile.reader, VendorSdkReaderSettings)
    try:
        port = int(reader.port)
    except ValueError:
        raise DeviceError(Reason.CONFIG_INVALID, f"vendor_sdk port must be a number, not {reader.port!r}") from None
    if reader.api == "termb":
        from devices.readers.termb import TermbReader

        return TermbReader(reader.library, port, reader.poll_interval_s)
    return VendorSdkReader(reader.library, port, reader.poll_interval_s)
