"""What each slip says: receipts, guides and appointment slips built from a SlipRequest, the site and the item.

Printer-neutral: widths, encodings and rasterising are the printer driver's business.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.catalog import Catalog, Item, TimeLimit
from kiosk.session.commands import SlipRequest
from kiosk.settings import KioskSettings
from kiosk.slips import Align, Block, Cut, Feed, Qr, Rule, Slip, SlipKind, Text

TITLES = {
    SlipKind.RECEIPT: "办件回执",
    SlipKind.GUIDE: "办事指南 · 材料清单",
    SlipKind.APPOINTMENT: "预约凭条",
    SlipKind.READINESS: "设备自检报告",
    SlipKind.TEST: "打印测试页",
}
UNITS = {"working_days": "个工作日", "days": "天", "months": "个月"}


def time_limit_text(limit: TimeLimit) -> str:
    if limit.unit == "on_the_spot":
        return "当场办结"
    if limit.unit == "unknown" or limit.amount is None:
        return "以户籍地规定为准"
    text = f"{limit.amount}{UNITS[limit.unit]}"
    return text + ("(参考)" if limit.certainty != "confirmed" else "")


def progress_url(application_number: str) -> str:
    return f"JLMZ:PROGRESS:{application_number}"


class SlipComposer:
    def __init__(self, settings: KioskSettings, catalog: Catalog, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.catalog = catalog
        self.now = now

    def __call__(self, request: SlipRequest) -> Slip:
        item = self.catalog.get(request.item_id)
        blocks: list[Block] = [*self._header(request.kind)]
        if item is not None:
            blocks.append(Text(item.names.zh, bold=True))
        if request.kind == SlipKind.RECEIPT and item is not None:
            blocks += self._receipt(request, item)
        elif request.kind == SlipKind.APPOINTMENT and item is not None:
            blocks += self._appointment(request, item)
        elif request.kind == SlipKind.GUIDE and item is not None:
            blocks += self._materials(item)
        blocks += self._footer()
        return Slip(request.kind, tuple(blocks))

    def _header(self, kind: SlipKind) -> list[Block]:
        site = self.settings.site
        return [Text("吉林省民政厅 跨省通办", Align.CENTER, bold=True),
                Text(TITLES[kind], Align.CENTER, double=True),
                Text(site.name, Align.CENTER), Rule()]

    def _people(self, request: SlipRequest) -> list[Block]:
        return [Text(f"申请人：{name}  证件号：{number}")
                for name, number in zip(request.masked_names, request.masked_id_numbers, strict=False)]

    def _receipt(self, request: SlipRequest, item: Item) -> list[Block]:
        blocks: list[Block] = []
        if request.application_number:
            blocks += [Text("办件编号", Align.CENTER), Text(request.application_number, Align.CENTER, double=True),
                       Qr(progress_url(request.application_number))]
        else:
            blocks += [Text("本机受理号（待上传）", Align.CENTER),
                       Text(request.local_reference, Align.CENTER, double=True),
                       Text("网络恢复后自动上传，可凭身份证查询进度", Align.CENTER)]
        blocks += self._people(request)
        blocks += [Rule(), Text("还需提供的材料（请交窗口或邮寄）：", bold=True)]
        blocks += [Text(f"□ {m.name.zh}") for m in item.materials if m.required in ("yes", "conditional")
                   and m.form != "data_shared"][:10]
        blocks += [Rule(), Text("后续步骤：", bold=True)]
        for n, s in enumerate(item.steps, 1):
            limit = f"（{time_limit_text(s.time_limit)}）" if s.time_limit else ""
            blocks.append(Text(f"{n}. {s.name.zh} — {s.actor.zh}{limit}"))
        blocks.append(Text(f"承诺时限：{time_limit_text(item.promised_time_limit)}"))
        return blocks

    def _appointment(self, request: SlipRequest, item: Item) -> list[Block]:
        return [Text("预约号", Align.CENTER), Text(request.booking_number, Align.CENTER, double=True),
                Text(f"时间地点：{request.slot_text}"), *self._people(request), Rule(),
                Text("须双方本人持身份证亲自到场办理，不可代办。", bold=True), *self._materials(item)]

    def _materials(self, item: Item) -> list[Block]:
        blocks: list[Block] = [Text("所需材料：", bold=True)]
        for m in item.materials:
            mark = {"yes": "必需", "conditional": "视情况", "local": "各地不同", "practice": "通常需要",
                    "no": "无需"}[m.required]
            blocks.append(Text(f"□ {m.name.zh}（{mark}）"))
        return blocks

    def _footer(self) -> list[Block]:
        site = self.settings.site
        return [Rule(), Text(f"终端：{self.settings.kiosk_id}  {self.now():%Y-%m-%d %H:%M}"),
                Text(f"咨询电话：{site.consult_phone}"), Text("请取走您的身份证和凭条", Align.CENTER, bold=True),
                Feed(3), Cut()]
