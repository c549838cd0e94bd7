"""The kiosk's configuration: `kiosk.toml` and the device profiles, typed and fully validated at start.

A profile may inherit from another (`inherits = "name"`); the chain is merged table by table before
validation, so every problem is reported against the file that holds the final value.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.core.problem_words import Refusal

LANGUAGES = ("zh", "ko", "en")
Language = Literal["zh", "ko", "en"]


class Strict(BaseModel):
    # strict: `session_s = "180"` or `cutter = "no"` is a mistake to point at, not a value to convert
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True, strict=True)


class Site(Strict):
    name: Annotated[str, Field(min_length=2)]
    """The self-service area's name as printed on slips, e.g. 长春市南关区政务服务中心自助服务区."""
    address: Annotated[str, Field(min_length=2)]
    consult_phone: Annotated[str, Field(pattern=r"^[0-9\-]{7,20}$")]
    """咨询电话 printed on every slip."""

    @field_validator("consult_phone")
    @classmethod
    def _dialable(cls, phone: str) -> str:
        return _dialable(phone, "市民", "a citizen")
    division_code: Annotated[str, Field(pattern=r"^\d{6}$")]
    """GB/T 2260 administrative division code of the site (6 digits); Jilin codes start with 22."""
    window: str = ""
    """Where the 跨省通办专窗 is in the hall, e.g. 一楼大厅东侧12号窗口; printed on guide slips and receipts."""
    hours: str = ""
    """Opening hours of the 专窗, e.g. 周一至周五 9:00-17:00（法定节假日除外）."""
    engineer_phone: Annotated[str, Field(pattern=r"^([0-9\-]{7,20})?$")] = ""
    """The technician hall staff call (联系技术人员 in maintenance mode); never printed for citizens."""
    engineer_name: Annotated[str, Field(max_length=30)] = ""
    """Who answers that phone, e.g. 省民政信息中心运维组."""

    @field_validator("engineer_phone")
    @classmethod
    def _engineer_dialable(cls, phone: str) -> str:
        return _dialable(phone, "工作人员", "hall staff") if phone else phone


def _dialable(phone: str, who_zh: str, who_en: str) -> str:
    if sum(c.isdigit() for c in phone) < 5 or phone.startswith("-") or phone.endswith("-"):
        raise Refusal(f"{phone!r} 不是{who_zh}能拨打的号码：请写数字，区号与号码之间最多一个连字符，例如 0431-12345",
                      f"{phone!r} is no number {who_en} can dial: digits with at most a hyphen between "
                      "area code and number, e.g. 0431-12345")
    return phone


class Office(Strict):
    """An office a slip sends people to (婚姻登记处, 不动产登记中心...): set by the operator for the site."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
    """What catalog items name in `where.office_ref`."""
    name: Annotated[str, Field(min_length=2)]
    address: Annotated[str, Field(min_length=2)]
    hours: str = ""
    phone: Annotated[str, Field(pattern=r"^[0-9][0-9\-]{2,19}$")]


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
            raise Refusal(f"idle_warning_s（{self.idle_warning_s}）须小于 session_s（{self.session_s}）",
                          f"idle_warning_s ({self.idle_warning_s}) must be shorter than session_s ({self.session_s})")
        before_warning = self.session_s - self.idle_warning_s
        if self.card_read_s >= before_warning:
            raise Refusal(f"card_read_s（{self.card_read_s}）须小于空闲提醒前的时间（session_s - idle_warning_s = "
                          f"{before_warning}）：否则市民还在读卡器前等待，会话就结束了；请把 card_read_s 改为不到 "
                          f"{before_warning}，或加大 session_s",
                          f"card_read_s ({self.card_read_s}) must be shorter than the time before the idle "
                          f"warning (session_s - idle_warning_s = {before_warning}): the session would end while "
                          f"the citizen waits at the reader; set card_read_s below {before_warning} or raise "
                          "session_s")
        return self


class Paths(Strict):
    data_dir: Annotated[Path, Field(strict=False)] = Path("var/data")
    """Outbox, job journal and logs; relative paths are taken from the directory of kiosk.toml."""
    key_dir: Annotated[Path, Field(strict=False)] = Path("var/keys")
    """Kiosk key and data-at-rest key; kept outside the repository with owner-only permissions in production."""
    usb_export_dir: Annotated[Path, Field(strict=False)] = Path("/media/kiosk-usb")
    """Where maintenance writes the redacted logs: the mount point of a staff USB stick (deploy/udev mounts it)."""


class Backend(Strict):
    url: Annotated[str, Field(pattern=r"^(https?://[^\s/]+.*|local)$")] = "local"
    """Base URL of the backend API, or `local` for the embedded reference backend."""
    crypto_profile: Literal["national", "international"] = "national"
    """national = SM2/SM3/SM4 (商用密码); international = Ed25519/HMAC-SHA-256/AES-256-GCM."""

    @field_validator("url")
    @classmethod
    def _tls_off_loopback(cls, value: str) -> str:
        """Issue #13: plain http only to this machine (a reverse proxy beside the kiosk); elsewhere https."""
        if value.startswith("http://") and not _loopback_host(value):
            raise Refusal("http:// 只能用于本机（127.0.0.1、::1、localhost）；其他地址请用 https://",
                          "http:// is only allowed to this machine (127.0.0.1, ::1, localhost); use https://")
        return value


def _loopback_host(url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# The weakest scrypt a PIN hash may use: what `kiosk maintenance set-pin` writes. A six-digit PIN has a
# million values, so a cheaper hash copied from elsewhere is found from a leaked kiosk.toml in seconds.
PIN_SCRYPT_N, PIN_SCRYPT_R, PIN_SCRYPT_P = 2**14, 8, 1
PIN_SALT_BYTES, PIN_DIGEST_BYTES = 16, 32
ACTORS_RESERVED = ("pin", "-")  # actor names the audit already uses for the shared PIN and for nobody


def _pin_hash(value: str) -> str:
    """A PIN hash as `kiosk maintenance set-pin` writes it, and at least as strong."""
    if not value:
        return value
    remedy_zh, remedy_en = "请用 kiosk maintenance set-pin 重新生成", "make a new one with `kiosk maintenance set-pin`"
    parts = value.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4]):
        raise Refusal(f"不是 kiosk maintenance set-pin 生成的PIN散列（scrypt$N$r$p$salt$hash）：{remedy_zh}",
                      f"not a hash from `kiosk maintenance set-pin` (scrypt$N$r$p$salt$hash): {remedy_en}")
    n, r, p = (int(x) for x in parts[1:4])
    try:
        salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(f"PIN散列的盐或散列值不是 base64：{remedy_zh}",
                      f"the hash's salt or digest is not base64: {remedy_en}") from None
    if n < PIN_SCRYPT_N or n & (n - 1) or r < PIN_SCRYPT_R or p < PIN_SCRYPT_P or len(salt) < PIN_SALT_BYTES \
            or len(digest) < PIN_DIGEST_BYTES:
        raise Refusal(f"PIN散列太弱（N={n}, r={r}, p={p}，盐 {len(salt)} 字节，散列 {len(digest)} 字节；至少须 "
                      f"N={PIN_SCRYPT_N}, r={PIN_SCRYPT_R}, p={PIN_SCRYPT_P}，盐 {PIN_SALT_BYTES} 字节，散列 "
                      f"{PIN_DIGEST_BYTES} 字节）：六位PIN从泄露的配置中几秒就能试出；{remedy_zh}",
                      f"the PIN hash is too weak (N={n}, r={r}, p={p}, {len(salt)}-byte salt, {len(digest)}-byte "
                      f"digest; at least N={PIN_SCRYPT_N}, r={PIN_SCRYPT_R}, p={PIN_SCRYPT_P}, {PIN_SALT_BYTES}-byte "
                      f"salt, {PIN_DIGEST_BYTES}-byte digest): a six-digit PIN is found from a leaked config in "
                      f"seconds; {remedy_en}")
    return value


def _card_hashes(hashes: list[str]) -> list[str]:
    for value in hashes:
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise Refusal(f"{value[:20]!r} 不是小写十六进制的 SHA-256（kiosk maintenance hash-card UID 会生成）",
                          f"{value[:20]!r} is not a SHA-256 in lower-case hex "
                          "(`kiosk maintenance hash-card UID` prints one)")
    if len(set(hashes)) != len(hashes):
        raise Refusal("同一张工作人员卡列了两次", "a staff card is listed twice")
    return hashes


PinHash = Annotated[str, AfterValidator(_pin_hash)]
CardHashes = Annotated[list[str], AfterValidator(_card_hashes)]


class StaffMember(Strict):
    """An attendant who may open the maintenance desk with their own PIN or card, so the audit names them."""

    name: Annotated[str, Field(min_length=2, max_length=20, pattern=r"^[^\x00-\x1f]+$")]
    """As the audit names them, e.g. 王丽 or 王丽（大厅）; unique on this kiosk."""
    pin_scrypt: PinHash = ""
    """Their own PIN's scrypt hash, from `kiosk maintenance add-staff NAME`."""
    card_sha256: CardHashes = []
    """SHA-256 of their staff cards' UIDs, from `kiosk maintenance add-staff NAME --card UID` (or hash-card)."""

    @model_validator(mode="after")
    def _opens_with_something(self) -> StaffMember:
        if self.name.strip().lower() in ACTORS_RESERVED or self.name.startswith(("card:", "console#")):
            raise Refusal(f"{self.name!r} 与审计记录中已有的写法相同：请写这位工作人员的姓名",
                          f"{self.name!r} reads like an actor the audit already writes: use the attendant's name")
        if not self.pin_scrypt and not self.card_sha256:
            raise Refusal(f"{self.name} 既没有 PIN 也没有工作人员卡：请用 kiosk maintenance add-staff 生成",
                          f"{self.name} has neither a PIN nor a staff card: make them with "
                          "`kiosk maintenance add-staff`")
        return self


class KioskSettings(Strict):
    kiosk_id: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{2,31}$")]
    """Shown on every screen and slip, e.g. JL-220102-001."""
    site: Site
    offices: list[Office] = []
    """Offices near the site that guide and appointment slips send people to, by id."""
    backend: Backend = Backend()
    languages: Annotated[list[Language], Field(min_length=1)] = ["zh", "ko", "en"]
    """Languages offered on the home screen; the first is the default."""
    timeouts: Timeouts = Timeouts()
    device_profile: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")] = "simulated"
    """Name of a file in devices/ without .toml."""
    paths: Paths = Paths()
    maintenance_pin_scrypt: PinHash = ""
    """scrypt hash of the shared maintenance PIN (`kiosk maintenance set-pin` writes it); the audit can only
    say "PIN" for it, so attendants' own PINs (`staff`) are better. Empty: only staff PINs and cards."""
    staff_card_sha256: CardHashes = []
    """Staff cards that open maintenance mode: SHA-256 (hex) of each card's UID, from
    `kiosk maintenance hash-card UID`. The UIDs themselves are not stored. The audit names such a card by a
    short hash; a card under `staff` is named by its holder."""
    staff: list[StaffMember] = []
    """The attendants, each with their own PIN or cards (`kiosk maintenance add-staff NAME`)."""

    @model_validator(mode="after")
    def _staff_told_apart(self) -> KioskSettings:
        names = [m.name for m in self.staff]
        if len(set(names)) != len(names):
            raise Refusal("staff 中有重名：请加区分，例如 王丽（大厅）", "two attendants have the same name: tell "
                          "them apart, e.g. 王丽（大厅）")
        cards = [*self.staff_card_sha256, *(c for m in self.staff for c in m.card_sha256)]
        if len(set(cards)) != len(cards):
            raise Refusal("同一张卡列了两次（staff_card_sha256 或两位工作人员之下）：一张卡只属于一个人",
                          "a card is listed twice (in staff_card_sha256 or under two attendants): a card "
                          "belongs to one person")
        return self

    @model_validator(mode="after")
    def _languages_unique(self) -> KioskSettings:
        if len(set(self.languages)) != len(self.languages):
            raise Refusal("languages 中有重复的语言", "languages are listed twice")
        ids = [o.id for o in self.offices]
        if len(set(ids)) != len(ids):
            raise Refusal("offices 中有重复的 id", "an office id is listed twice")
        return self

    def office(self, office_id: str) -> Office | None:
        return next((o for o in self.offices if o.id == office_id), None)


# ---- device profiles ----
#
# Each driver has its own settings model holding only its fields and checks; the driver's name is the
# Literal of its `driver` (readers) or `kind` (printer connections) field and is written nowhere else: the
# profile picks the model by it (a pydantic discriminated union), and kiosk.composition.drivers finds the
# driver by the model's class.

Baudrate = Literal[9600, 19200, 38400, 57600, 115200]
SamPollInterval = Annotated[float, Field(ge=0.1, le=5)]


class ReaderSettings(Strict):
    """What every card reader profile has: where staff cards for maintenance mode are read."""

    reads_card_uids: ClassVar[bool] = False
    """Whether this reader can read a card's UID (needed to read staff cards on it)."""

    driver: str
    """The driver's name: each subclass narrows it to its own Literal, the one place the name is written."""

    staff_card_reader: Literal["none", "reader", "pcsc"] = "none"
    """Where staff cards for maintenance mode are read: `reader` = this ID reader (pcsc and simulated can read
    a card's UID), `pcsc` = a separate PC/SC reader (staff_reader_name_contains), `none` = PIN only."""
    staff_reader_name_contains: str = ""
    """Substring of the separate staff PC/SC reader's name (staff_card_reader = "pcsc"); empty takes the first."""

    @property
    def where(self) -> str:
        """Where the reader is attached, for summaries ("" when there is nothing to say)."""
        return ""

    @model_validator(mode="after")
    def _staff_cards_readable(self) -> ReaderSettings:
        if self.staff_card_reader == "reader" and not self.reads_card_uids:
            raise Refusal(f"{self.driver} 读卡器读不了工作人员卡号：请把 staff_card_reader 改为 \"pcsc\""
                          "（另接一个 PC/SC 读卡器）或 \"none\"",
                          f"a {self.driver} reader cannot read staff card UIDs: use staff_card_reader = "
                          "\"pcsc\" (a separate PC/SC reader) or \"none\"")
        return self


class SimulatedReaderSettings(ReaderSettings):
    """The simulated reader of the demo, the UI tests and staff training."""

    reads_card_uids: ClassVar[bool] = True
    driver: Literal["simulated"]
    test_identities: list[str] = []
    """Ids of the built-in test identities it offers (empty: all)."""
    simulated_faults: list[Literal["no_card", "card_removed", "unsupported_card", "card_unreadable",
                                   "reader_timeout", "no_reader"]] = []
    """Its first reads fail with these reasons, in order (to show error screens)."""
    simulated_read_delay_s: Annotated[float, Field(ge=0, le=10)] = 0.0
    """Seconds a read takes once the card is there (a real SAM takes about 1)."""


class SamSerialReaderSettings(ReaderSettings):
    """A certified ID-card reader speaking the SAM frame protocol on a (USB-)serial port."""

    driver: Literal["sam_serial"]
    port: Annotated[str, Field(min_length=1)]
    """Serial device, e.g. /dev/ttyUSB0 or the stable name from deploy/udev."""
    baudrate: Baudrate = 115200
    poll_interval_s: SamPollInterval = 0.3
    """Vendors advise polling a SAM no faster than every 300 ms."""

    @property
    def where(self) -> str:
        return self.port


class VendorSdkReaderSettings(ReaderSettings):
    """A certified ID-card reader through its vendor's shared library."""

    driver: Literal["vendor_sdk"]
    library: Annotated[str, Field(min_length=1)]
    """Path of the vendor SDK shared library (.so)."""
    api: Literal["sdtapi", "termb"] = "sdtapi"
    """The library's calls: `sdtapi` (SDT_OpenPort ... SDT_ReadBaseMsg: 华旭, 精伦, 神思 ...) or `termb`
    (华视 CVR_InitComm ... CVR_Read_Content and the GetPeople* fields)."""
    port: Annotated[str, Field(min_length=1)]
    """The SDK's port number as text: 1-16 serial, 1001-1016 USB."""
    poll_interval_s: SamPollInterval = 0.3
    """Vendors advise polling a SAM no faster than every 300 ms."""

    @field_validator("port")
    @classmethod
    def _sdk_port_number(cls, port: str) -> str:
        if not port.isdigit():
            raise Refusal("vendor_sdk 的 port 是厂家SDK的端口号，加引号：串口 \"1\" 到 \"16\"，"
                          "USB \"1001\" 到 \"1016\"",
                          "vendor_sdk port is the SDK's port number in quotes (\"1\"-\"16\" serial, "
                          "\"1001\"-\"1016\" USB)")
        return port

    @property
    def where(self) -> str:
        return self.port


class PcscReaderSettings(ReaderSettings):
    """A PC/SC reader (pcscd) for the 社会保障卡 and staff cards."""

    reads_card_uids: ClassVar[bool] = True
    driver: Literal["pcsc"]
    reader_name_contains: str = ""
    """Substring of the PC/SC reader name to use; empty takes the first reader."""
    poll_interval_s: SamPollInterval = 0.3
    """How often the reader is looked at while waiting for a card."""

    @property
    def where(self) -> str:
        return self.reader_name_contains


ReaderProfile = Annotated[
    SimulatedReaderSettings | SamSerialReaderSettings | VendorSdkReaderSettings | PcscReaderSettings,
    Field(discriminator="driver"),
]
"""The card reader of a profile: one of the reader settings above, chosen by `driver`."""


class ConnectionSettings(Strict):
    """What every printer connection has."""

    kind: str
    """The connection's kind: each subclass narrows it to its own Literal, the one place the name is written."""

    @property
    def where(self) -> str:
        """Where the printer is, for summaries."""
        return self.kind


class UsbConnectionSettings(ConnectionSettings):
    kind: Literal["usb"]
    usb_vendor_id: Annotated[int, Field(ge=0, le=0xFFFF)]
    usb_product_id: Annotated[int, Field(ge=0, le=0xFFFF)]

    @property
    def where(self) -> str:
        return f"usb {self.usb_vendor_id:04x}:{self.usb_product_id:04x}"


class SerialConnectionSettings(ConnectionSettings):
    kind: Literal["serial"]
    serial_port: Annotated[str, Field(min_length=1)]
    """Serial device, e.g. /dev/ttyUSB1 or the stable name from deploy/udev."""
    baudrate: Baudrate = 9600

    @property
    def where(self) -> str:
        return f"serial {self.serial_port} @{self.baudrate}"


class NetworkConnectionSettings(ConnectionSettings):
    kind: Literal["network"]
    host: Annotated[str, Field(min_length=1)]
    port: Annotated[int, Field(ge=1, le=65535)] = 9100

    @property
    def where(self) -> str:
        return f"network {self.host}:{self.port}"


class FileConnectionSettings(ConnectionSettings):
    kind: Literal["file"]
    path: Annotated[str, Field(min_length=1)]
    """Device or file path, e.g. /dev/usb/lp0: write only, the printer cannot be asked its status."""

    @property
    def where(self) -> str:
        return f"file {self.path}"


class SimulatedOutputSettings(ConnectionSettings):
    kind: Literal["simulated"]
    path: str = ""
    """Output folder of the slip images (relative to kiosk.toml; empty: `slips`)."""

    @property
    def where(self) -> str:
        return f"simulated -> {self.path or 'slips'}"


PrinterConnection = Annotated[
    UsbConnectionSettings | SerialConnectionSettings | NetworkConnectionSettings | FileConnectionSettings
    | SimulatedOutputSettings,
    Field(discriminator="kind"),
]
"""How the printer is reached: one of the connection settings above, chosen by `kind`."""


class PrinterProfile(Strict):
    paper_width_mm: Literal[58, 80] = 80
    chars_per_line: Annotated[int, Field(ge=24, le=64)] = 48
    """Half-width characters per line in the normal font; a Chinese character takes two."""
    encoding: Literal["GB18030", "GBK", "EUC-KR"] = "GB18030"
    """How double-byte text is sent: GB18030 or GBK for a mainland printer, EUC-KR for a printer sold for Korea
    (its double-byte font is KS X 1001: Hangul, Hanja and symbols)."""
    font_charset: Literal["GB2312", "GBK", "GB18030", "KSX1001"] = "GBK"
    """Characters the printer's built-in font has; a line with any other character (a rare name character
    such as 䶮, Korean on a mainland printer) is drawn by the kiosk (see user_defined_glyphs). GB18030 means its
    four-byte characters too. KSX1001 (with encoding EUC-KR): Korean goes to the printer's own font, and the
    simplified characters that are no Hanja of KS X 1001 (务, 证 ...) are drawn."""
    chinese_text_mode: bool = True
    """Frame double-byte text with FS & ... FS . (the Kanji mode of ESC/POS; most mainland and Korean printers
    need it)."""
    qr: Literal["native", "image"] = "image"
    user_defined_glyphs: bool = False
    """Characters outside the printer's font (Korean, a rare name character) are sent once per slip as ESC/POS
    user-defined characters (ESC &) and then printed as text, instead of as image lines: a Korean receipt
    is about 30 KB instead of 100 KB (9 s instead of 100 s at 9600 baud). For printers that support ESC &
    (most do); off, every such line is an image."""
    cutter: bool = True
    status_timeout_s: Annotated[float, Field(gt=0, le=10)] = 1.0
    """No status reply within this time means unknown/offline, never OK."""
    status: Literal["dle_eot", "none"] = "dle_eot"
    """How the printer reports paper and cover: `dle_eot` (the DLE EOT real-time queries), or `none` for a
    printer without a status channel, which then prints blind: paper out, an open cover or a jam cannot be
    seen, so a citizen may get no slip and be told to take it (`kiosk config check` and the maintenance
    screen say so)."""
    completion_ack: Literal["none", "process_id"] = "none"
    """`process_id`: the printer answers ESC/POS `GS ( H` (transmit process ID response) once it has
    processed the job, which turns a job whose confirmation was lost into a done one."""
    connection: PrinterConnection

    @property
    def status_risk(self) -> str:
        """What operators must know about this printer's status, or "" when nothing."""
        if self.status == "none":
            return ("status = \"none\": paper out, cover open and jams cannot be seen; a citizen may be told to "
                    "take a slip that never came out")
        return ""

    @field_validator("font_charset")
    @classmethod
    def _font_matches_encoding(cls, charset: str, info: ValidationInfo) -> str:
        if charset == "GB18030" and info.data.get("encoding", "GB18030") != "GB18030":
            raise Refusal("font_charset = \"GB18030\" 需要 encoding = \"GB18030\"（GBK 发不出四字节字符）",
                          "GB18030 needs encoding GB18030 (GBK cannot send its four-byte characters)")
        return charset

    @model_validator(mode="after")
    def _korean_font_with_its_encoding(self) -> PrinterProfile:
        # a model validator: either field may be the one left at its default
        if (self.font_charset == "KSX1001") != (self.encoding == "EUC-KR"):
            raise ValueError("a Korean font goes with its encoding: font_charset = \"KSX1001\" and encoding = "
                             "\"EUC-KR\" together, or neither")
        return self

    @field_validator("chars_per_line")
    @classmethod
    def _line_fits_paper(cls, chars: int, info: ValidationInfo) -> int:
        # A field validator (not a model one) so it still reports when another printer field is wrong.
        width = info.data.get("paper_width_mm", 80)
        limit = 32 if width == 58 else 64
        if chars > limit:
            raise Refusal(f"chars_per_line = {chars} 放不下 {width} mm 纸（最多 {limit}）：请在写 paper_width_mm = "
                          f"{width} 的文件中同时写 chars_per_line = {limit}（或更少）",
                          f"chars_per_line = {chars} does not fit {width} mm paper (at most {limit}): write "
                          f"chars_per_line = {limit} (or fewer) beside paper_width_mm = {width}")
        return chars


SettingsT = TypeVar("SettingsT", bound=Strict)


def settings_as(settings: Strict, model: type[SettingsT]) -> SettingsT:
    """`settings` as the model a driver's factory was registered for (kiosk.composition.drivers); another
    model here is a wrong registry entry, a bug, not an operator's mistake."""
    if not isinstance(settings, model):
        raise TypeError(f"{type(settings).__name__} given to a driver of {model.__name__}")
    return settings


class ScannerSettings(Strict):
    """What every QR/barcode scanner profile has."""

    driver: str
    """The driver's name: each subclass narrows it to its own Literal, the one place the name is written."""

    @property
    def where(self) -> str:
        return ""


class NoScannerSettings(ScannerSettings):
    driver: Literal["none"]


class SimulatedScannerSettings(ScannerSettings):
    driver: Literal["simulated"]


class SerialScannerSettings(ScannerSettings):
    """A scanner in serial (or USB-CDC, /dev/ttyACM*) mode: each code ends with CR, LF or both."""

    driver: Literal["serial"]
    port: Annotated[str, Field(min_length=1)]
    """Serial device, e.g. /dev/ttyACM0 or the stable name from deploy/udev."""
    baudrate: Baudrate = 9600

    @property
    def where(self) -> str:
        return self.port


class HidScannerSettings(ScannerSettings):
    """A USB scanner in keyboard (HID) mode, read through evdev and grabbed so its keys never reach the UI. It
    types on a US layout, so it can send ASCII codes only (receipts' QR codes are). Found by exactly one of
    `path`, `usb_id` or `name_contains`."""

    driver: Literal["hid"]
    path: str = ""
    """Its event device, best the stable name udev gives it: /dev/input/by-id/usb-<maker>_<model>-event-kbd."""
    usb_id: Annotated[str, Field(pattern=r"^([0-9a-fA-F]{4}:[0-9a-fA-F]{4})?$")] = ""
    """USB vendor:product in hex as `lsusb` (or `kiosk devices probe`) prints it: vvvv:pppp."""
    name_contains: str = ""
    """Part of the input device's name as the kernel reports it, e.g. "Barcode Scanner"."""
    key_gap_ms: Annotated[int, Field(ge=10, le=1000)] = 100
    """Longest pause between two keys of one code: a scanner types a code in one burst, so a longer pause means
    the code was cut off (unplugged, a bad read) and what came before it is thrown away."""

    @model_validator(mode="after")
    def _found_one_way(self) -> HidScannerSettings:
        given = [name for name in ("path", "usb_id", "name_contains") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("a hid scanner is found by exactly one of path, usb_id or name_contains "
                             f"(given: {', '.join(given) or 'none'})")
        return self

    @property
    def where(self) -> str:
        return self.path or (f"usb {self.usb_id.lower()}" if self.usb_id else f"named *{self.name_contains}*")


ScannerProfile = Annotated[
    NoScannerSettings | SimulatedScannerSettings | SerialScannerSettings | HidScannerSettings,
    Field(discriminator="driver"),
]
"""The QR/barcode scanner of a profile, chosen by `driver` (`none` when the kiosk has none)."""


class SignalSettings(Strict):
    """What every buzzer or light of calls for staff has."""

    driver: str
    """The driver's name: each subclass narrows it to its own Literal, the one place the name is written."""
    on_for_s: Annotated[int, Field(ge=5, le=3600)] = 300
    """The longest it sounds or shines for one call: it goes off sooner when staff acknowledge the call."""

    @property
    def where(self) -> str:
        return ""


class NoSignalSettings(SignalSettings):
    driver: Literal["none"]


class SimulatedSignalSettings(SignalSettings):
    driver: Literal["simulated"]


class SerialRelaySettings(SignalSettings):
    """A USB relay board on a serial line (the common CH340 boards): `A0 <channel> <01 on|00 off> <sum>`."""

    driver: Literal["serial-relay"]
    port: Annotated[str, Field(min_length=1)]
    """Serial device, e.g. /dev/ttyUSB0 or the stable name from deploy/udev."""
    baudrate: Baudrate = 9600
    channel: Annotated[int, Field(ge=1, le=8)] = 1
    """The relay the buzzer or light is wired to."""

    @property
    def where(self) -> str:
        return f"{self.port} relay {self.channel}"


SignalProfile = Annotated[
    NoSignalSettings | SimulatedSignalSettings | SerialRelaySettings,
    Field(discriminator="driver"),
]
"""The buzzer or light of a profile, chosen by `driver` (`none` when the kiosk has none)."""


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
            raise Refusal(f"{self.width_px}x{self.height_px} 不是{'竖屏' if self.orientation == 'portrait' else '横屏'}"
                          "：请改 orientation 或对调宽高",
                          f"{self.width_px}x{self.height_px} is not {self.orientation}: change orientation or swap "
                          "width and height")
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
    scanner: ScannerProfile = NoScannerSettings(driver="none")
    signal: SignalProfile = NoSignalSettings(driver="none")


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
