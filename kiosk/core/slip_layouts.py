"""What each slip says: receipts, guides, appointment slips, readiness reports and test pages.

Built from a SlipRequest (or health results), the site settings, the catalog item and a time. Printer-neutral:
line widths, wrapping, encodings and rasterising are the driver's business, so one layout serves 58 and
80 mm paper. Chinese is the authoritative text; a Korean or English slip adds the translation next to it.
Only masked personal data ever reaches a slip: the request carries masked values, and `masked` re-masks
anything handed in so an unmasked value cannot slip through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from kiosk.core.catalog import Catalog, Item, Material, TimeLimit
from kiosk.core.divorce_dates import divorce_dates
from kiosk.core.grouping import application_number_lines, grouped
from kiosk.core.health import Health, Reason, Status
from kiosk.core.identity import mask_address, mask_id_number, mask_name
from kiosk.core.readiness import Verdict
from kiosk.core.session.commands import SlipRequest
from kiosk.core.settings import KioskSettings
from kiosk.core.slip_texts import (
    ACTION_ZH,
    COMPONENT_ZH,
    FORMS,
    LABELS,
    LIMIT_ZH,
    ON_THE_SPOT,
    REASON_ZH,
    REQUIRED,
    SHAREABLE,
    STATUS_ZH,
    TITLES,
    UNITS,
    UNKNOWN_LIMIT,
    label,
    pick,
)
from kiosk.core.slips import (
    Align,
    Block,
    Cut,
    Feed,
    Qr,
    Rule,
    Slip,
    SlipKind,
    SlipOrigin,
    Text,
    progress_url,
)
from kiosk.core.working_days import WorkingDays


def time_limit_text(limit: TimeLimit, language: str = "zh") -> str:
    """The limit as a citizen reads it. The certainty mark is for maintainers and is never shown: a limit that
    is not known is worded by its note (whom to ask)."""
    if limit.unit == "on_the_spot":
        return pick(ON_THE_SPOT, language)
    if limit.unit == "unknown" or limit.amount is None:
        return limit.note.get(language) if limit.note is not None else pick(UNKNOWN_LIMIT, language)
    return pick(UNITS[limit.unit], language).format(n=limit.amount)


def fee_text(item: Item, language: str) -> str:
    """One fee line: the catalog's sentence when it has one, otherwise free or charged."""
    if item.fee.note is not None:
        return item.fee.note.get(language)
    return label("free" if item.fee.free else "charged", language)


def guide_heading(item: Item, language: str) -> str:
    """What the kiosk does for the item: only an item the kiosk handles says 本机可办理."""
    return label("kiosk_does" if item.kiosk_action != "guide" else "guide_only", language)


def where_lines(item: Item, settings: KioskSettings, language: str) -> list[tuple[str, str]]:
    """(label key, value) pairs saying where the item is done and whom to ask: the catalog's office and
    channels, and the site's 专窗 or a configured office with its street address, hours and phone."""
    where = item.where
    lines: list[tuple[str, str]] = [("where", where.office.get(language))]
    site = settings.site
    if where.office_ref == "site":
        window = "，".join(part for part in (site.name, site.window) if part)
        lines.append(("window", window))
        if site.hours:
            lines.append(("hours", site.hours))
    elif where.office_ref and (office := settings.office(where.office_ref)) is not None:
        lines += [("where", office.name), ("office_address", office.address)]
        if office.hours:
            lines.append(("hours", office.hours))
        lines.append(("office_phone", office.phone))
    if where.hours is not None:
        lines.append(("hours", where.hours.get(language)))
    if where.online is not None:
        lines.append(("online", where.online.get(language)))
    owner = where.phone_owner.get(language)
    lines.append(("ask", f"{where.phone}（{owner}）" if language == "zh" else f"{where.phone} ({owner})"))
    return lines


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

    def __init__(self, settings: KioskSettings, catalog: Catalog, now: Callable[[], datetime],
                 calendar: WorkingDays) -> None:
        self.settings = settings
        self.catalog = catalog
        self.now = now
        self.calendar = calendar  # the operator's holidays over the library's: the divorce dates follow it

    def __call__(self, request: SlipRequest) -> Slip:
        return self.compose(request, reprint=request.reprint)

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
                       *(Text(line, Align.CENTER, double=True)
                         for line in application_number_lines(request.application_number)),
                       Qr(progress_url(request.application_number, request.query_code)),
                       Text(label("scan", lang), Align.CENTER)]
            if request.query_code:  # with the number, what lets any kiosk show this application's progress
                code = grouped(request.query_code, (4,))  # in fours, as the progress screen's keypad shows it
                blocks.append(self._field("query_code", code, lang, bold=True))
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
                note = limit.note.get(lang) if limit.note is not None and limit.unit != "unknown" else ""
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
            blocks += self._where(item, lang)
            if item.after_first_visit == "divorce_cooling_off" and request.first_visit_day:
                blocks += self._second_visit_dates(request.first_visit_day, lang)
            elif item.after_first_visit == "divorce_cooling_off":
                blocks += self._divorce_dates(request.slot_day, lang)
            blocks += [Rule(), *self._checklist(item, lang)]
        return blocks

    def _divorce_dates(self, slot_day: str, lang: str) -> list[Block]:
        blocks: list[Block] = [Rule(), Text(label("after_visit", lang), bold=True),
                               Text(label("cooling_off_note", lang))]
        try:
            applied = date.fromisoformat(slot_day)
        except ValueError:
            return blocks
        dates = divorce_dates(applied, self.calendar)
        blocks += [Text(label("dates_if_applied", lang)),
                   self._field("applied_on", f"{dates.applied:%Y-%m-%d}", lang, bold=True),
                   self._field("cooling_off_ends", f"{dates.cooling_off_ends:%Y-%m-%d}", lang, bold=True),
                   self._field("certificate_from", f"{dates.first_certificate_day:%Y-%m-%d}", lang),
                   self._field("certificate_last", f"{dates.last_certificate_day:%Y-%m-%d}", lang, bold=True)]
        if not dates.holidays_known:
            blocks.append(Text(label("holidays_unknown", lang)))
        return blocks

    def _second_visit_dates(self, first_visit_day: str, lang: str) -> list[Block]:
        """The 领证 visit's slip: the dates counted from the first visit, and what happens if nobody comes."""
        blocks: list[Block] = [Rule(), Text(label("second_visit", lang), bold=True)]
        try:
            applied = date.fromisoformat(first_visit_day)
        except ValueError:
            return [*blocks, Text(label("no_show", lang), bold=True)]
        dates = divorce_dates(applied, self.calendar)
        blocks += [self._field("applied_on", f"{dates.applied:%Y-%m-%d}", lang),
                   self._field("cooling_off_ends", f"{dates.cooling_off_ends:%Y-%m-%d}", lang),
                   self._field("certificate_from", f"{dates.first_certificate_day:%Y-%m-%d}", lang),
                   self._field("certificate_last", f"{dates.last_certificate_day:%Y-%m-%d}", lang, bold=True),
                   Text(label("no_show", lang), bold=True)]
        if not dates.holidays_known:
            blocks.append(Text(label("holidays_unknown", lang)))
        return blocks

    def _guide(self, item: Item | None, lang: str) -> list[Block]:
        blocks: list[Block] = [*self._site_lines(lang, "printed_at")]
        if item is None:
            return [*blocks, Text(label("unknown_item", lang))]
        blocks += [*self._item_lines(item, item.id, lang), Text(guide_heading(item, lang), bold=True),
                   *self._where(item, lang), Rule(), Text(label("conditions", lang), bold=True),
                   *(Text(f"• {fact.text.get(lang)}", indent=2) for fact in item.eligibility), Rule(),
                   *self._checklist(item, lang), Rule(),
                   Text(label("steps", lang), bold=True)]
        for n, step in enumerate(item.steps, 1):
            limit = time_limit_text(step.time_limit, lang) if step.time_limit else ""
            blocks.append(Text(f"{n}. {step.name.get(lang)}{_bracketed(limit, lang)}", indent=3))
        blocks += [self._field("promised", time_limit_text(item.promised_time_limit, lang), lang),
                   self._field("fee", fee_text(item, lang), lang)]
        return blocks

    def _where(self, item: Item, lang: str) -> list[Block]:
        return [self._field(key, value, lang) for key, value in where_lines(item, self.settings, lang)]

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
                   details: Sequence[tuple[str, str]] = (), verdict: Verdict | None = None) -> Slip:
    """The maintenance readiness report: each component's state, why and who acts, in the staff screen's words;
    the verdict by the kiosk's own rules (`verdict`, kiosk.core.readiness) with what citizens will find limited;
    the reason ids and drivers' notes at the foot, for the engineer."""
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
        if health.status != Status.OK and health.reason in REASON_ZH:
            line += f" — {REASON_ZH[health.reason]}"
            if ACTION_ZH[health.action]:
                line += f"，{ACTION_ZH[health.action]}"
        blocks.append(Text(line, bold=not health.usable, indent=_columns(name) + 2))
    for key, value in details:
        blocks.append(Text(f"{key}：{value}", indent=_columns(key) + 2))
    if verdict is None:  # a preview without the kiosk's state: the devices alone decide
        verdict = Verdict(None if healths and all(h.usable for h in healths) else Reason.NOT_CHECKED)
    blocks += [Rule(), Text("可以开放服务" if verdict.ready else "暂不能开放服务", Align.CENTER, double=True)]
    if verdict.blocking is not None and verdict.blocking in REASON_ZH and healths:
        blocks.append(Text(f"原因：{REASON_ZH[verdict.blocking]}", Align.CENTER))
    if verdict.ready and (verdict.limits or verdict.paused_items):
        blocks.append(Text("开放时群众会遇到：", bold=True))
        for health in verdict.limits:
            name = COMPONENT_ZH.get(health.component.value, health.component.value)
            blocks.append(Text(f"· {name}：{LIMIT_ZH.get(health.component.value, REASON_ZH.get(health.reason, ''))}",
                               indent=2))
        if verdict.paused_items:
            blocks.append(Text(f"· {verdict.paused_items} 个事项暂停办理", indent=2))
    notes = [h for h in healths if h.status != Status.OK or h.detail]
    if notes:
        blocks += [Rule(), Text("技术信息（供技术人员）：")]
        blocks += [Text(f"{h.component.value}: {h.reason.value}" + (f" {h.detail}" if h.detail else ""), indent=2)
                   for h in notes]
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
