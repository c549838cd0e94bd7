"""The fixed wording of slips in Chinese, Korean and English. Chinese is authoritative; staff-facing
readiness wording is Chinese only."""

from __future__ import annotations

from kiosk.core.health import Action, Reason, Status
from kiosk.core.slips import SlipKind

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
    "query_code": ("查询码", "조회 코드", "Query code"),
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
    "kiosk_does": ("本机可办理", "이 단말기에서 처리할 수 있습니다", "This kiosk handles this item"),
    "guide_only": ("本机提供办事指南，请按下列地点或渠道办理",
                   "이 단말기는 업무 안내를 제공합니다. 아래 장소나 경로에서 처리하십시오",
                   "This kiosk gives the guide; the item is done at the place or channel below"),
    "conditions": ("申请条件", "신청 조건", "Who can apply"),
    "where": ("办理地点", "처리 장소", "Where"),
    "online": ("线上办理", "온라인 처리", "Online"),
    "hours": ("办公时间", "업무 시간", "Hours"),
    "ask": ("咨询", "문의", "Ask"),
    "window": ("本服务点专窗", "이곳 전용 창구", "Service window here"),
    "office_address": ("地址", "주소", "Address"),
    "office_phone": ("电话", "전화", "Phone"),
    "after_visit": ("首次到场后", "첫 방문 후", "After the first visit"),
    "applied_on": ("申请日", "신청일", "Application day"),
    "cooling_off_ends": ("冷静期届满日", "숙려기간 만료일", "Cooling-off ends"),
    "certificate_from": ("可申请发证", "증서 신청 가능", "Certificate from"),
    "certificate_last": ("申请发证最后一日", "증서 신청 마지막 날", "Last day for the certificate"),
    "cooling_off_note": ("受理后有30日离婚冷静期，期间任何一方可持身份证和受理回执撤回申请；"
                         "冷静期届满后30日内，双方须共同回到同一婚姻登记机关申请发给离婚证，逾期视为撤回。",
                         "접수 후 30일의 이혼 숙려기간이 있으며, 그동안 어느 한쪽이든 신분증과 접수증으로 "
                         "신청을 철회할 수 있습니다. 숙려기간 만료 후 30일 이내에 두 사람이 함께 같은 "
                         "혼인등기기관에 가서 이혼증 발급을 신청해야 하며, 기한이 지나면 철회로 봅니다.",
                         "After the application there is a 30-day cooling-off period in which either of you "
                         "may withdraw with your ID card and the receipt; within 30 days after it ends you must "
                         "both go back to the same office to ask for the divorce certificate, or the "
                         "application counts as withdrawn."),
    "second_visit": ("第二次到场：双方共同申请发给离婚证", "두 번째 방문: 두 사람이 함께 이혼증 발급을 신청",
                     "Second visit: you both ask for the divorce certificate"),
    "no_show": ("双方未在申请发证最后一日前共同到场申请发给离婚证的，视为撤回离婚登记申请；仍要离婚须重新申请。",
                "증서 신청 마지막 날까지 두 사람이 함께 와서 이혼증 발급을 신청하지 않으면 이혼등기 신청을 "
                "철회한 것으로 봅니다. 그래도 이혼하려면 처음부터 다시 신청해야 합니다.",
                "If you do not both come by the last day to ask for the certificate, the divorce application "
                "counts as withdrawn; to divorce you must apply again from the start."),
    "dates_if_applied": ("如在预约日提出申请：", "예약일에 신청하는 경우:", "If you apply on the booked day:"),
    "holidays_unknown": ("日期已按周末顺延；该年法定节假日尚未公布，如遇节假日顺延，以登记机关为准。",
                         "주말은 반영했으나 그해 법정공휴일이 아직 공표되지 않았습니다. "
                         "공휴일이면 미루어지며 등기기관 안내를 따릅니다.",
                         "Weekends are allowed for; that year's public holidays are not published yet: "
                         "a holiday moves the date, as the office says."),
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
UNKNOWN_LIMIT = ("以办理地规定为准，请电话咨询", "처리 기관 규정에 따름, 전화로 문의하십시오",
                 "set by the office that handles it; please call")

# Readiness report: staff-facing, Chinese only, in the maintenance screen's words (the zh catalog's
# `component.*`, `status.*`, `action.*` and `error.*`; tests/unit/test_readiness.py holds them equal); reason
# ids are printed only in the part for the engineer at the foot.
STATUS_ZH = {Status.OK: "正常", Status.DEGRADED: "需关注", Status.UNAVAILABLE: "不可用",
             Status.UNKNOWN: "未知"}
ACTION_ZH = {Action.NONE: "", Action.RETRY: "将自动重试", Action.RESET: "将自动重置",
             Action.STAFF: "请工作人员处理", Action.ENGINEER: "请联系技术人员"}
COMPONENT_ZH = {"reader": "读卡器", "printer": "打印机", "backend": "办理系统", "disk": "存储",
                "display": "显示屏", "speech": "语音", "scanner": "扫码器", "signal": "呼叫提示灯"}
REASON_ZH = {
    Reason.NOT_CHECKED: "设备正在检测", Reason.NO_READER: "读卡器暂不可用", Reason.NO_CARD: "没有检测到身份证",
    Reason.CARD_REMOVED: "读卡时身份证被移开", Reason.UNSUPPORTED_CARD: "无法识别这张卡",
    Reason.CARD_EXPIRED: "身份证已过有效期", Reason.CARD_UNREADABLE: "身份证读取失败",
    Reason.CARD_CHECKSUM: "身份证信息校验不通过", Reason.READER_TIMEOUT: "读卡超时",
    Reason.READER_SERVICE_DOWN: "读卡服务正在恢复", Reason.PAPER_OUT: "打印纸已用完",
    Reason.PAPER_NEAR_END: "打印纸即将用完", Reason.COVER_OPEN: "打印机盖未关好",
    Reason.PRINTER_OFFLINE: "打印机未连接", Reason.PRINTER_NO_STATUS: "打印机无响应",
    Reason.CUTTER_ERROR: "打印机切纸故障", Reason.NO_SCANNER: "扫码器暂不可用",
    Reason.NO_SIGNAL: "呼叫提示灯（蜂鸣器）不可用", Reason.BACKEND_UNREACHABLE: "暂时连不上办理系统",
    Reason.BACKEND_TIMEOUT: "办理系统响应超时", Reason.BACKEND_REJECTED: "办理系统未受理",
    Reason.BACKEND_AUTH: "本机未获授权", Reason.BACKEND_BUSY: "查询过于频繁", Reason.OUTBOX_BACKLOG: "待上传的申请较多",
    Reason.DISK_FULL: "本机存储空间不足", Reason.CONFIG_INVALID: "本机配置有误", Reason.MAINTENANCE: "设备维护中",
    Reason.STAFF_OUT_OF_SERVICE: "本机暂停服务", Reason.INTERNAL_ERROR: "系统出现错误",
}
# What citizens find limited while the kiosk is open without a component (the zh catalog's `maint.limit.*`).
LIMIT_ZH = {
    "reader": "不能读身份证，群众可手工输入证件号码",
    "printer": "不能打印，指南在屏幕上查看，办件编号显示在屏幕上",
    "backend": "申请先保存在本机，网络恢复后自动上传；不能预约、不能查询进度",
    "scanner": "不能扫码",
    "speech": "没有语音播报",
    "signal": "呼叫工作人员时提示灯（蜂鸣器）不亮",
    "disk": "本机存储有问题",
}

LANG_INDEX = {"zh": 0, "ko": 1, "en": 2}


def pick(texts: tuple[str, str, str], language: str) -> str:
    return texts[LANG_INDEX.get(language, 0)]


def label(key: str, language: str, **values: str) -> str:
    return pick(LABELS[key], language).format(**values)
