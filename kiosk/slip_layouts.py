"""What each slip says: receipts, guides, appointment slips, readiness reports and test pages.

Built from a SlipRequest (or health results), the site settings, the catalog item and a time. Printer-neutral:
line widths, wrapping, encodings and rasterising are the driver's business, so one layout serves 58 and
80 mm paper. Chinese is the authoritative text; a Korean or English slip adds the translation next to it.
Only masked personal data ever reaches a slip: the request carries masked values, and `masked` re-masks
anything handed in so an unmasked value cannot slip through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from kiosk.catalog import Catalog, Item, Material, TimeLimit
from kiosk.health import Action, Health, Status
from kiosk.identity import mask_address, mask_id_number, mask_name
from kiosk.session.commands import SlipRequest
from kiosk.settings import KioskSettings
from kiosk.slips import Align, Block, Cut, Feed, Qr, Rule, Slip, SlipKind, SlipOrigin, Text

Labels = dict[str, tuple[str, str, str]]  # key -> (zh, ko, en)

TITLES: dict[SlipKind, tuple[str, str, str]] = {
    SlipKind.RECEIPT: ("办件回执", "접수 영수증", "Application receipt"),
    SlipKind.GUIDE: ("办事指南 · 材料清单", "업무 안내 · 자료 목록", "Service guide · checklist"),
    SlipKind.APPOINTMENT: ("预约凭条", "예약 확인증", "Appointment slip"),
    SlipKind.READINESS: ("设备自检报告", "장비 점검 보고서", "Readiness report"),
    SlipKind.TEST: ("打印测试页", "인쇄 시험 페이지", "Printer test page"),
}

LABELS: Labels = {
    "org": ("吉林省民政厅 · 跨省通办", "길림성 민정청 · 성간 통합처리",
            "Jilin Civil Affairs · Cross-province"),
    "reprint": ("【补打】", "【재발행】", "[REPRINT]"),
    "site": ("服务点", "서비스 장소", "Site"),
    "kiosk": ("终端编号", "단말기 번호", "Kiosk"),
    "item": ("办理事项", "신청 업무", "Item"),
    "number": ("办件编号", "접수 번호", "Application number"),
    "local_number": ("本机受理号（待上传）", "단말기 접수번호 (전송 대기)",
                     "Kiosk reference (upload pending)"),
    "queued_note": ("网络恢复后自动上传，上传后可凭身份证查询办理进度。",
                    "네트워크가 복구되면 자동으로 전송되며, 이후 신분증으로 진행 상황을 조회할 수 있습니다.",
                    "It is sent automatically when the network is back; then check progress with your "
                    "ID card."),
    "scan": ("扫码或凭办件编号查询办理进度", "QR코드 또는 접수 번호로 진행 상황 조회",
             "Scan, or quote the number, to check progress"),
    "received_at": ("受理时间", "접수 시간", "Received"),
    "printed_at": ("打印时间", "인쇄 시간", "Printed"),
    "applicant": ("申请人", "신청인", "Applicant"),
    "party": ("当事人", "당사자", "Party"),
    "id_number": ("证件号码", "신분증 번호", "ID number"),
    "address": ("住址", "주소", "Address"),
    "still_needed": ("还需提供的材料", "추가로 제출할 자료", "Materials still to provide"),
    "none_needed": ("无需补交材料。", "추가로 제출할 자료가 없습니다.", "Nothing more to provide."),
    "how": ("提交方式", "제출 방법", "How to provide them"),
    "bring": ("① 携带至受理窗口：{site}", "① 접수 창구로 지참: {site}",
              "1) Bring them to the window: {site}"),
    "mail": ("② 复印件可邮寄至：{address}（请注明办件编号）",
             "② 사본은 우편 발송 가능: {address} (접수 번호 기재)",
             "2) Copies can be mailed to: {address} (write the application number on them)"),
    "next_steps": ("后续步骤及时限", "이후 절차 및 기한", "Next steps and time limits"),
    "promised": ("办理时限", "처리 기한", "Time limit"),
    "fee": ("收费", "수수료", "Fee"),
    "free": ("免费", "무료", "Free of charge"),
    "charged": ("收费（详见窗口公示）", "유료 (창구 게시 참조)", "Charged (see the window's notice)"),
    "consult": ("咨询电话", "문의 전화", "Enquiries"),
    "keep_receipt": ("请妥善保管本回执。", "이 영수증을 잘 보관하세요.", "Please keep this receipt."),
    "keep_appointment": ("请妥善保管本凭条。", "이 확인증을 잘 보관하세요.", "Please keep this slip."),
    "keep_guide": ("材料以受理窗口要求为准。", "제출 자료는 접수 창구의 안내를 따릅니다.",
                   "The window's requirements prevail."),
    "not_needed": ("无需提供", "제출 불필요", "Not needed"),
    "take_card": ("请取走您的身份证和凭条", "신분증과 영수증을 챙기세요", "Take your ID card and this slip"),
    "materials": ("所需材料", "필요 자료", "Materials"),
    "steps": ("办理步骤", "처리 절차", "Steps"),
    "booking": ("预约号", "예약 번호", "Booking number"),
    "slot": ("时间地点", "일시·장소", "Time and place"),
    "in_person": ("须双方本人持身份证亲自到场办理，不可代办。",
                  "두 당사자가 신분증을 지참하고 직접 방문해야 하며, 대리 처리는 할 수 없습니다.",
                  "Both parties must come in person with their ID cards; nobody can come for them."),
    "booking_scan": ("到场后向窗口出示本凭条", "방문 시 창구에 이 확인증을 제시하세요",
                     "Show this slip at the window"),
    "unknown_item": ("（事项未找到，请咨询窗口）", "(업무를 찾을 수 없습니다. 창구에 문의하세요)",
                     "(item not found; please ask at the window)"),
    "reprint_note": ("补打件不显示申请人信息。", "재발행본에는 신청인 정보가 표시되지 않습니다.",
                     "Reprints show no applicant details."),
}

REQUIRED: Labels = {
    "yes": ("必需", "필수", "required"),
    "conditional": ("视情况", "해당 시", "if applicable"),
    "local": ("各地不同", "지역별 상이", "varies locally"),
    "practice": ("通常需要", "보통 필요", "usually asked"),
    "no": ("无需", "불필요", "not needed"),
}

FORMS: dict[str, tuple[str, str, str]] = {
    "original": ("原件，到窗口核验", "원본, 창구에서 확인", "original, checked at the window"),
    "copy": ("复印件{n}份", "사본 {n}부", "{n} photocopy(ies)"),
    "original_and_copy": ("原件及复印件{n}份", "원본 및 사본 {n}부", "original and {n} photocopy(ies)"),
    "electronic": ("电子材料", "전자 자료", "electronic"),
    "data_shared": ("数据共享，无需提交", "자료 공유, 제출 불필요", "shared data, nothing to bring"),
}

SHAREABLE = ("可数据共享核验，以窗口为准", "자료 공유로 확인 가능 (창구 안내 따름)",
             "may be checked via shared data")

UNITS: dict[str, tuple[str, str, str]] = {
    "working_days": ("{n}个工作日", "{n}근무일", "{n} working days"),
    "days": ("{n}天", "{n}일", "{n} days"),
    "months": ("{n}个月", "{n}개월", "{n} months"),
}
ON_THE_SPOT = ("当场办结", "즉시 처리", "on the spot")
UNKNOWN_LIMIT = ("以户籍地规定为准", "호적소재지 규정에 따름", "set by the place of registration")
INDICATIVE = ("（参考）", " (참고)", " (indicative)")

# Readiness report: staff-facing, Chinese only; reason ids are printed verbatim for the engineer.
STATUS_ZH = {Status.OK: "正常", Status.DEGRADED: "需关注", Status.UNAVAILABLE: "不可用",
             Status.UNKNOWN: "未知"}
ACTION_ZH = {Action.NONE: "", Action.RETRY: "可重试", Action.RESET: "终端自动复位",
             Action.STAFF: "请工作人员处理", Action.ENGINEER: "请联系技术人员"}
COMPONENT_ZH = {"reader": "读卡器", "printer": "打印机", "backend": "业务系统", "disk": "存储",
                "display": "显示屏", "speech": "语音"}

LANG_INDEX = {"zh": 0, "ko": 1, "en": 2}


def pick(texts: tuple[str, str, str], language: str) -> str:
    return texts[LANG_INDEX.get(language, 0)]


def label(key: str, language: str, **values: str) -> str:
    return pick(LABELS[key], language).format(**values)


def time_limit_text(limit: TimeLimit, language: str = "zh") -> str:
    if limit.unit == "on_the_spot":
        return pick(ON_THE_SPOT, language)
    if limit.unit == "unknown" or limit.amount is None:
        return pick(UNKNOWN_LIMIT, language)
    text = pick(UNITS[limit.unit], language).format(n=limit.amount)
    return text + (pick(INDICATIVE, language) if limit.certainty != "confirmed" else "")


def progress_url(application_number: str) -> str:
    """The progress-query QR payload: the number with a prefix the province's query app recognises."""
    return f"JLMZ:PROGRESS:{application_number}"


def booking_code(booking_number: str) -> str:
    return f"JLMZ:BOOKING:{booking_number}"


def masked(kind: str, value: str) -> str:
    """Mask again: the masks are idempotent, so a value that was masked already is unchanged."""
    mask = {"name": mask_name, "id_number": mask_id_number, "address": mask_address}[kind]
    return mask(value)


def material_how(material: Material, language: str) -> str:
    parts = [pick(REQUIRED[material.required], language),
             pick(FORMS[material.form], language).format(n=material.copies)]
    if material.shareable and material.form != "data_shared":
        parts.append(pick(SHAREABLE, language))
    return "；".join(parts) if language == "zh" else "; ".join(parts)


def _condition(material: Material, language: str) -> str:
    return material.condition.get(language) if material.condition is not None else ""


def still_needed(item: Item) -> list[Material]:
    """Materials the citizen may still have to hand in after applying at the kiosk."""
    return [m for m in item.materials if m.required != "no" and m.form != "data_shared"]


def _both(zh: str, other: str, language: str) -> list[str]:
    return [zh] if language == "zh" or other == zh else [zh, other]


class SlipComposer:
    """Builds the slip for a SlipRequest: the runner's `build_slip`."""

    def __init__(self, settings: KioskSettings, catalog: Catalog, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.catalog = catalog
        self.now = now

    def __call__(self, request: SlipRequest) -> Slip:
        return self.compose(request)

    def reprint(self, origin: SlipOrigin) -> Slip:
        """A receipt printed again from maintenance: marked 补打, without the applicant (never stored)."""
        request = SlipRequest(SlipKind.RECEIPT, origin.item_id, origin.language, origin.application_number,
                              origin.local_reference, origin.queued)
        return self.compose(request, reprint=True)

    def compose(self, request: SlipRequest, reprint: bool = False) -> Slip:
        item = self.catalog.get(request.item_id)
        lang = request.language
        blocks: list[Block] = [*self._header(request.kind, lang, reprint)]
        if request.kind == SlipKind.RECEIPT:
            blocks += self._receipt(request, item, reprint)
        elif request.kind == SlipKind.APPOINTMENT:
            blocks += self._appointment(request, item)
        elif request.kind == SlipKind.GUIDE:
            blocks += self._guide(item, lang)
        elif request.kind == SlipKind.TEST:
            return printer_test_slip(self.settings, self.now())
        elif request.kind == SlipKind.READINESS:
            return readiness_slip(self.settings, (), self.now())
        blocks += self._footer(lang, request.kind)
        origin = SlipOrigin(request.item_id, lang, request.application_number, request.local_reference,
                            request.queued)
        return Slip(request.kind, tuple(blocks), origin if request.kind == SlipKind.RECEIPT else None)

    # ---- parts ----

    def _header(self, kind: SlipKind, lang: str, reprint: bool = False) -> list[Block]:
        zh_title = TITLES[kind][0] + (LABELS["reprint"][0] if reprint else "")
        blocks: list[Block] = [Text(LABELS["org"][0], Align.CENTER, bold=True),
                               Text(zh_title, Align.CENTER, double=True)]
        if lang != "zh":
            title = pick(TITLES[kind], lang) + (label("reprint", lang) if reprint else "")
            blocks.append(Text(title, Align.CENTER, bold=True))
        return [*blocks, Rule("=")]

    def _field(self, key: str, value: str, lang: str, bold: bool = False) -> Text:
        name = label(key, lang)
        separator = "：" if lang == "zh" else ": "
        return Text(f"{name}{separator}{value}", bold=bold, indent=_columns(name + separator))

    def _site_lines(self, lang: str, when_key: str) -> list[Block]:
        return [self._field("site", self.settings.site.name, lang),
                self._field("kiosk", self.settings.kiosk_id, lang),
                self._field(when_key, f"{self.now():%Y-%m-%d %H:%M}", lang)]

    def _item_lines(self, item: Item | None, item_id: str, lang: str) -> list[Block]:
        if item is None:
            return [self._field("item", item_id, lang), Text(label("unknown_item", lang))]
        names = _both(item.names.zh, item.names.get(lang), lang)
        first = self._field("item", names[0], lang, bold=True)
        return [first, *(Text(" " * first.indent + name, indent=first.indent) for name in names[1:])]

    def _people(self, request: SlipRequest, key: str, reprint: bool = False) -> list[Block]:
        lang = request.language
        if reprint:
            return [Text(label("reprint_note", lang))]
        lines: list[Block] = []
        addresses = list(request.masked_addresses)
        for n, name in enumerate(request.masked_names):
            lines.append(self._field(key, masked("name", name), lang))
            if n < len(request.masked_id_numbers):
                number = masked("id_number", request.masked_id_numbers[n])
                lines.append(self._field("id_number", number, lang))
            if n < len(addresses) and addresses[n]:
                lines.append(self._field("address", masked("address", addresses[n]), lang))
        return lines

    def _receipt(self, request: SlipRequest, item: Item | None, reprint: bool) -> list[Block]:
        lang = request.language
        blocks: list[Block] = [*self._site_lines(lang, "received_at"),
                               *self._item_lines(item, request.item_id, lang), Rule()]
        if request.application_number and not request.queued:
            blocks += [Text(label("number", lang), Align.CENTER),
                       Text(request.application_number, Align.CENTER, double=True),
                       Qr(progress_url(request.application_number)),
                       Text(label("scan", lang), Align.CENTER)]
        else:
            blocks += [Text(label("local_number", lang), Align.CENTER),
                       Text(request.local_reference or request.application_number, Align.CENTER, double=True),
                       Text(label("queued_note", lang))]
        blocks += [Rule(), *self._people(request, "applicant", reprint)]
        if item is not None:
            blocks += self._still_needed(item, lang)
            blocks += self._next_steps(item, lang)
        return blocks

    def _still_needed(self, item: Item, lang: str) -> list[Block]:
        materials = still_needed(item)
        blocks: list[Block] = [Rule(), Text(label("still_needed", lang), bold=True)]
        if not materials:
            return [*blocks, Text(label("none_needed", lang))]
        for m in materials:
            condition = _condition(m, lang)
            blocks.append(Text(f"□ {m.name.get(lang)}", indent=2))
            blocks.append(Text(f"  {material_how(m, lang)}{_bracketed(condition, lang)}", indent=2))
        site = self.settings.site
        blocks += [Text(label("how", lang) + ("：" if lang == "zh" else ":"), bold=True),
                   Text(label("bring", lang, site=site.name), indent=3),
                   Text(label("mail", lang, address=site.address), indent=3)]
        return blocks

    def _next_steps(self, item: Item, lang: str) -> list[Block]:
        blocks: list[Block] = [Rule(), Text(label("next_steps", lang), bold=True)]
        for n, step in enumerate(item.steps, 1):
            limit = step.time_limit
            when = ""
            if limit is not None:
                note = limit.note.get(lang) if limit.note is not None else ""
                when = time_limit_text(limit, lang) + (f"，{note}" if note and lang == "zh" else
                                                       f", {note.lower()}" if note else "")
            blocks.append(Text(f"{n}. {step.name.get(lang)}{_bracketed(when, lang)}", indent=3))
        promised = time_limit_text(item.promised_time_limit, lang)
        blocks.append(self._field("promised", promised, lang, bold=True))
        return blocks

    def _appointment(self, request: SlipRequest, item: Item | None) -> list[Block]:
        lang = request.language
        blocks: list[Block] = [*self._site_lines(lang, "printed_at"),
                               *self._item_lines(item, request.item_id, lang), Rule(),
                               Text(label("booking", lang), Align.CENTER),
                               Text(request.booking_number, Align.CENTER, double=True)]
        if request.booking_number:
            blocks += [Qr(booking_code(request.booking_number)),
                       Text(label("booking_scan", lang), Align.CENTER)]
        blocks += [self._field("slot", request.slot_text, lang, bold=True), Rule(),
                   *self._people(request, "party"), Text(label("in_person", lang), bold=True)]
        if item is not None:
            blocks += [Rule(), *self._checklist(item, lang)]
        return blocks

    def _guide(self, item: Item | None, lang: str) -> list[Block]:
        blocks: list[Block] = [*self._site_lines(lang, "printed_at")]
        if item is None:
            return [*blocks, Text(label("unknown_item", lang))]
        blocks += [*self._item_lines(item, item.id, lang), Rule(), *self._checklist(item, lang), Rule(),
                   Text(label("steps", lang), bold=True)]
        for n, step in enumerate(item.steps, 1):
            limit = time_limit_text(step.time_limit, lang) if step.time_limit else ""
            blocks.append(Text(f"{n}. {step.name.get(lang)}{_bracketed(limit, lang)}", indent=3))
        blocks += [self._field("promised", time_limit_text(item.promised_time_limit, lang), lang),
                   self._field("fee", label("free" if item.fee.free else "charged", lang), lang)]
        return blocks

    def _checklist(self, item: Item, lang: str) -> list[Block]:
        blocks: list[Block] = [Text(label("materials", lang), bold=True)]
        for m in item.materials:
            if m.required == "no":
                continue
            blocks.append(Text(f"□ {m.name.get(lang)}", indent=2))
            blocks.append(Text(f"  {material_how(m, lang)}{_bracketed(_condition(m, lang), lang)}", indent=2))
        not_needed = [m.name.get(lang) for m in item.materials if m.required == "no"]
        if not_needed:
            separator = "、" if lang == "zh" else ", "
            blocks.append(self._field("not_needed", separator.join(not_needed), lang))
        return blocks

    def _footer(self, lang: str, kind: SlipKind) -> list[Block]:
        phone = self.settings.site.consult_phone
        blocks: list[Block] = [Rule(), self._field("consult", phone, lang, bold=True)]
        if lang != "zh":
            blocks.append(Text(f"{LABELS['consult'][0]}：{phone}"))
        blocks.append(Text(label(f"keep_{kind.value}", lang), Align.CENTER))
        if kind != SlipKind.GUIDE:
            blocks.append(Text(label("take_card", lang), Align.CENTER, bold=True))
        return [*blocks, Feed(1), Cut()]


def _bracketed(text: str, language: str) -> str:
    if not text:
        return ""
    return f"（{text}）" if language == "zh" else f" ({text})"


def _columns(text: str) -> int:
    """Half-width columns of a label, for the hanging indent of its value (a Chinese character takes two)."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


def readiness_slip(settings: KioskSettings, healths: Sequence[Health], now: datetime,
                   details: Sequence[tuple[str, str]] = ()) -> Slip:
    """The maintenance readiness report: each component's state, reason and action, and the verdict."""
    composer = _Bare(settings)
    blocks: list[Block] = [*composer.header(SlipKind.READINESS),
                           Text(f"服务点：{settings.site.name}", indent=8),
                           Text(f"终端编号：{settings.kiosk_id}", indent=10),
                           Text(f"检查时间：{now:%Y-%m-%d %H:%M:%S}", indent=10), Rule()]
    if not healths:
        blocks.append(Text("未取得设备状态。", bold=True))
    for health in healths:
        name = COMPONENT_ZH.get(health.component.value, health.component.value)
        line = f"{name}：{STATUS_ZH[health.status]}"
        if health.status != Status.OK:
            line += f"（{health.reason.value}）"
            if ACTION_ZH[health.action]:
                line += f" {ACTION_ZH[health.action]}"
        blocks.append(Text(line, bold=not health.usable, indent=_columns(name) + 2))
        if health.detail:
            blocks.append(Text(f"  {health.detail}", indent=2))
    for key, value in details:
        blocks.append(Text(f"{key}：{value}", indent=_columns(key) + 2))
    ready = bool(healths) and all(h.usable for h in healths)
    blocks += [Rule(), Text("可以开放服务" if ready else "暂不能开放服务", Align.CENTER, double=True)]
    attention = sum(1 for h in healths if h.status != Status.OK)
    if attention:
        blocks.append(Text(f"{attention} 项需处理，见上", Align.CENTER))
    return Slip(SlipKind.READINESS, (*blocks, Feed(2), Cut()))


def printer_test_slip(settings: KioskSettings, now: datetime, details: Sequence[tuple[str, str]] = ()) -> Slip:
    """A page with everything a slip uses: sizes, alignment, Chinese, rare characters, Korean and a QR."""
    composer = _Bare(settings)
    blocks: list[Block] = [*composer.header(SlipKind.TEST),
                           Text(f"终端编号：{settings.kiosk_id}  {now:%Y-%m-%d %H:%M}")]
    blocks += [Text(f"{key}：{value}", indent=_columns(key) + 2) for key, value in details]
    blocks += [Rule(),
               Text("左对齐 LEFT"), Text("居中 CENTER", Align.CENTER), Text("右对齐 RIGHT", Align.RIGHT),
               Text("粗体 BOLD", bold=True), Text("倍大字体", double=True), Rule("="),
               Text("ASCII: " + "".join(chr(c) for c in range(0x21, 0x7F))),
               Text("汉字：吉林省民政厅跨省通办自助服务终端"),
               Text("标点：，。、；：？！“”‘’（）《》【】…—·"),
               Text("生僻字（图像打印）：䶮 𬌗 㛃 堃 喆"),
               Text("朝鲜文（图像打印）：길림성 민정청 성간 통합처리"),
               Text("1234567890" * 7, indent=0),
               Rule(),
               Qr("JLMZ:TEST:" + settings.kiosk_id),
               Text("扫码应显示 JLMZ:TEST:" + settings.kiosk_id, Align.CENTER),
               Feed(1), Cut()]
    return Slip(SlipKind.TEST, tuple(blocks))


class _Bare:
    def __init__(self, settings: KioskSettings) -> None:
        self.settings = settings

    def header(self, kind: SlipKind) -> list[Block]:
        return [Text(LABELS["org"][0], Align.CENTER, bold=True),
                Text(TITLES[kind][0], Align.CENTER, double=True), Rule("=")]
