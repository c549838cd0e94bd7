"""The kiosk's configuration: `kiosk.toml` and the device profiles, typed and fully validated at start.

A profile may inherit from another (`inherits = "name"`); the chain is merged table by table before
validation, so every problem is reported against the file that holds the final value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

LANGUAGES = ("zh", "ko", "en")
Language = Literal["zh", "ko", "en"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Site(Strict):
    name: Annotated[str, Field(min_length=2)]
    """The self-service area's name as printed on slips, e.g. 长春市南关区政务服务中心自助服务区."""
    address: Annotated[str, Field(min_length=2)]
    consult_phone: Annotated[str, Field(pattern=r"^[0-9\-]{7,20}$")]
    """咨询电话 printed on every slip."""
    division_code: Annotated[str, Field(pattern=r"^\d{6}$")]
    """GB/T 2260 administrative division code of the site (6 digits); Jilin codes start with 22."""


class Timeouts(Strict):
    idle_warning_s: Annotated[int, Field(ge=20, le=300)] = 30
    """Seconds of warning before an idle session ends; at least 20 so an elderly citizen can react."""
    session_s: Annotated[int, Field(ge=60, le=3600)] = 180
    """Seconds without a touch before the session ends and is wiped."""
    card_read_s: Annotated[int, Field(ge=3, le=120)] = 30
    """Seconds to wait for a card on the reader."""
    backend_s: Annotated[float, Field(gt=0, le=60)] = 10.0
    """Timeout of one backend request."""

    @model_validator(mode="after")
    def _warning_inside_session(self) -> Timeouts:
        if self.idle_warning_s >= self.session_s:
            raise ValueError("idle_warning_s must be shorter than session_s")
        return self


class Paths(Strict):
    data_dir: Path = Path("var/data")
    """Outbox, job journal and logs; relative paths are taken from the directory of kiosk.toml."""
    key_dir: Path = Path("var/keys")
    """Kiosk key and data-at-rest key; kept outside the repository with owner-only permissions in production."""
    usb_export_dir: Path = Path("/media/kiosk-usb")
    """Where maintenance writes the redacted logs: the mount point of a staff USB stick (deploy/udev mounts it)."""


class Backend(Strict):
    url: Annotated[str, Field(pattern=r"^(https?://[^\s/]+.*|local)$")] = "local"
    """Base URL of the backend API, or `local` for the embedded reference backend."""
    crypto_profile: Literal["national", "international"] = "national"
    """national = SM2/SM3/SM4 (商用密码); international = Ed25519/HMAC-SHA-256/AES-256-GCM."""


class KioskSettings(Strict):
    kiosk_id: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{2,31}$")]
    """Shown on every screen and slip, e.g. JL-220102-001."""
    site: Site
    backend: Backend = Backend()
    languages: Annotated[list[Language], Field(min_length=1)] = ["zh", "ko", "en"]
    """Languages offered on the home screen; the first is the default."""
    timeouts: Timeouts = Timeouts()
    device_profile: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")] = "simulated"
    """Name of a file in devices/ without .toml."""
    paths: Paths = Paths()
    maintenance_pin_scrypt: str = ""
    """scrypt hash of the maintenance PIN (`kiosk maintenance set-pin` writes it); empty disables PIN entry."""
    staff_card_sha256: list[str] = []
    """Staff cards that open maintenance mode: SHA-256 (hex) of each card's UID, from
    `kiosk maintenance hash-card UID`. The UIDs themselves are not stored. Empty: PIN only."""

    @field_validator("maintenance_pin_scrypt")
    @classmethod
    def _pin_hash_form(cls, value: str) -> str:
        parts = value.split("$")
        if value and (len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4])):
            raise ValueError("not a hash from `kiosk maintenance set-pin` (scrypt$N$r$p$salt$hash)")
        return value

    @field_validator("staff_card_sha256")
    @classmethod
    def _card_hashes(cls, hashes: list[str]) -> list[str]:
        for value in hashes:
            if not re.fullmatch(r"[0-9a-f]{64}", value):
                raise ValueError(f"{value[:20]!r} is not a SHA-256 in lower-case hex "
                                 "(`kiosk maintenance hash-card UID` prints one)")
        if len(set(hashes)) != len(hashes):
            raise ValueError("a staff card is listed twice")
        return hashes

    @model_validator(mode="after")
    def _languages_unique(self) -> KioskSettings:
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages are listed twice")
        return self


# ---- device profiles ----

class ReaderProfile(Strict):
    driver: Literal["simulated", "sam_serial", "vendor_sdk", "pcsc"]
    port: str = ""
    """Serial device (sam_serial), e.g. /dev/ttyUSB0, or the SDK's port number as text (vendor_sdk: 1001)."""
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 115200
    library: str = ""
    """Path of the vendor SDK shared library (vendor_sdk)."""
    reader_name_contains: str = ""
    """Substring of the PC/SC reader name to use (pcsc); empty takes the first reader."""
    poll_interval_s: Annotated[float, Field(ge=0.1, le=5)] = 0.3
    """Vendors advise polling a SAM no faster than every 300 ms."""
    test_identities: list[str] = []
    """Simulated reader only: ids of the built-in test identities it offers."""
    simulated_faults: list[Literal["no_card", "card_removed", "unsupported_card", "card_unreadable",
                                   "reader_timeout", "no_reader"]] = []
    """Simulated reader only: its first reads fail with these reasons, in order (to show error screens)."""
    simulated_read_delay_s: Annotated[float, Field(ge=0, le=10)] = 0.0
    """Simulated reader only: seconds a read takes once the card is there (a real SAM takes about 1)."""
    staff_card_reader: Literal["none", "reader", "pcsc"] = "none"
    """Where staff cards for maintenance mode are read: `reader` = this ID reader (pcsc and simulated can read
    a card's UID), `pcsc` = a separate PC/SC reader (staff_reader_name_contains), `none` = PIN only."""
    staff_reader_name_contains: str = ""
    """Substring of the separate staff PC/SC reader's name (staff_card_reader = "pcsc"); empty takes the first."""

    @model_validator(mode="after")
    def _driver_settings(self) -> ReaderProfile:
        if self.staff_card_reader == "reader" and self.driver not in ("pcsc", "simulated"):
            raise ValueError(f"a {self.driver} reader cannot read staff card UIDs: use staff_card_reader = "
                             "\"pcsc\" (a separate PC/SC reader) or \"none\"")
        if self.driver == "sam_serial" and not self.port:
            raise ValueError("sam_serial needs port (e.g. /dev/ttyUSB0)")
        if self.driver == "vendor_sdk" and not (self.library and self.port):
            raise ValueError("vendor_sdk needs library (path of the .so) and port")
        if self.driver == "vendor_sdk" and not self.port.isdigit():
            raise ValueError("vendor_sdk port is the SDK's port number (1-16 serial, 1001-1016 USB)")
        return self


class PrinterConnection(Strict):
    kind: Literal["simulated", "usb", "serial", "network", "file"]
    usb_vendor_id: Annotated[int, Field(ge=0, le=0xFFFF)] | None = None
    usb_product_id: Annotated[int, Field(ge=0, le=0xFFFF)] | None = None
    serial_port: str = ""
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = 9600
    host: str = ""
    port: Annotated[int, Field(ge=1, le=65535)] = 9100
    path: str = ""
    """Device or file path (file), or the output folder of slip images (simulated)."""

    @model_validator(mode="after")
    def _kind_settings(self) -> PrinterConnection:
        needs = {
            "usb": self.usb_vendor_id is not None and self.usb_product_id is not None,
            "serial": bool(self.serial_port),
            "network": bool(self.host),
            "file": bool(self.path),
        }
        if not needs.get(self.kind, True):
            what = {"usb": "usb_vendor_id and usb_product_id", "serial": "serial_port",
                    "network": "host", "file": "path"}[self.kind]
            raise ValueError(f"a {self.kind} printer needs {what}")
        return self


class PrinterProfile(Strict):
    paper_width_mm: Literal[58, 80] = 80
    chars_per_line: Annotated[int, Field(ge=24, le=64)] = 48
    """Half-width characters per line in the normal font; a Chinese character takes two."""
    encoding: Literal["GB18030", "GBK"] = "GB18030"
    font_charset: Literal["GB2312", "GBK", "GB18030"] = "GBK"
    """Characters the printer's built-in font has; a line with any other character (a rare name character
    such as 䶮, Korean) is printed as an image. GB18030 means its four-byte characters too."""
    chinese_text_mode: bool = True
    """Frame Chinese text with FS & ... FS . (most mainland printers need it)."""
    qr: Literal["native", "image"] = "image"
    cutter: bool = True
    status_timeout_s: Annotated[float, Field(gt=0, le=10)] = 1.0
    """No status reply within this time means unknown/offline, never OK."""
    connection: PrinterConnection

    @field_validator("font_charset")
    @classmethod
    def _font_matches_encoding(cls, charset: str, info: ValidationInfo) -> str:
        if charset == "GB18030" and info.data.get("encoding", "GB18030") != "GB18030":
            raise ValueError("GB18030 needs encoding GB18030 (GBK cannot send its four-byte characters)")
        return charset

    @field_validator("chars_per_line")
    @classmethod
    def _line_fits_paper(cls, chars: int, info: ValidationInfo) -> int:
        # A field validator (not a model one) so it still reports when another printer field is wrong.
        width = info.data.get("paper_width_mm", 80)
        limit = 32 if width == 58 else 64
        if chars > limit:
            raise ValueError(f"{chars} does not fit {width} mm paper (at most {limit})")
        return chars


class ScreenProfile(Strict):
    width_px: Annotated[int, Field(ge=480, le=7680)] = 1080
    height_px: Annotated[int, Field(ge=480, le=7680)] = 1920
    orientation: Literal["portrait", "landscape"] = "portrait"
    diagonal_inch: Annotated[float, Field(ge=7, le=100)] = 32.0
    """Physical diagonal, used to size text in points on the real glass (elder mode)."""
    fullscreen: bool = True
    multisamples: Literal[0, 2, 4, 8] = 0
    """Multisample antialiasing (smoother edges of rounded shapes; text is not affected). Costs little on a
    graphics chip, but doubles a frame's cost where the screen is drawn in software (Mesa llvmpipe)."""

    @model_validator(mode="after")
    def _orientation_matches(self) -> ScreenProfile:
        portrait = self.height_px >= self.width_px
        if portrait != (self.orientation == "portrait"):
            raise ValueError(f"{self.width_px}x{self.height_px} is not {self.orientation}")
        return self


class SpeechProfile(Strict):
    driver: Literal["silent", "espeak"] = "silent"
    volume: Annotated[int, Field(ge=0, le=100)] = 80


class DeviceProfile(Strict):
    description: str = ""
    reader: ReaderProfile
    printer: PrinterProfile
    screen: ScreenProfile = ScreenProfile()
    speech: SpeechProfile = SpeechProfile()


# ---- loading ----

@dataclass(frozen=True)
class LoadedConfig:
    path: Path
    settings: KioskSettings
    profile: DeviceProfile
    profile_chain: tuple[str, ...]  # the profile and the ones it inherits from, nearest first
    base_dir: Path | None = None  # relative paths are taken from here; None: the folder of kiosk.toml

    def resolve(self, relative: Path) -> Path:
        return relative if relative.is_absolute() else ((self.base_dir or self.path.parent) / relative).resolve()

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.settings.paths.data_dir)

    @property
    def key_dir(self) -> Path:
        return self.resolve(self.settings.paths.key_dir)

    @property
    def usb_export_dir(self) -> Path:
        return self.resolve(self.settings.paths.usb_export_dir)
