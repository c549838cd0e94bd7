"""The texts of maintenance mode and of unavailable tiles, added to screens.i18n's one table at import.

Staff read Chinese; the English column helps engineers from elsewhere, Korean is there because every key has
all three languages.
"""

from __future__ import annotations

from screens.i18n import STRINGS

TEXTS: dict[str, tuple[str, str, str]] = {
    # ---- entry ----
    "maint.pin_title": ("维护模式：请输入维护密码", "정비 모드: 비밀번호를 입력하세요", "Maintenance: enter the PIN"),
    "maint.pin_hint": ("或在读卡器上刷工作证", "또는 판독기에 직원증을 대세요", "or lay a staff card on the reader"),
    "maint.card": ("刷工作证", "직원증", "Staff card"),
    "maint.card_waiting": ("请把工作证放在读卡器上…", "직원증을 판독기에 올려 주세요…", "Lay the staff card on the reader…"),
    "maint.entry.wrong_pin": ("密码错误，还可尝试 {tries} 次", "비밀번호가 틀렸습니다. {tries}번 남았습니다",
                              "Wrong PIN, {tries} tries left"),
    "maint.entry.locked": ("错误次数过多，请 {seconds} 秒后再试", "너무 많이 틀렸습니다. {seconds}초 후에 다시 하세요",
                           "Too many wrong tries: wait {seconds} s"),
    "maint.entry.no_pin": ("本机未设置维护密码，请用工作证", "비밀번호가 설정되지 않았습니다. 직원증을 사용하세요",
                           "No PIN is set on this kiosk: use a staff card"),
    "maint.entry.unknown_card": ("此卡不是授权的工作证", "허가된 직원증이 아닙니다", "This card is not an authorised staff card"),
    "maint.entry.card_error": ("未读到工作证（{detail}）", "직원증을 읽지 못했습니다 ({detail})", "No staff card read ({detail})"),
    # ---- the screen ----
    "maint.title": ("维护模式", "정비 모드", "Maintenance mode"),
    "maint.who": ("操作人：{actor}  （所有操作均记录在审计日志中）", "작업자: {actor} (모든 작업은 기록됩니다)",
                  "Signed in: {actor} (every action is audited)"),
    "maint.actor_pin": ("维护密码", "비밀번호", "the PIN"),
    "maint.exit": ("退出维护模式", "정비 모드 종료", "Leave maintenance"),
    "maint.busy": ("正在处理…", "처리 중…", "Working…"),
    "maint.devices": ("设备状态", "장치 상태", "Devices"),
    "maint.refresh": ("重新检测", "다시 점검", "Check again"),
    "maint.printing": ("打印", "인쇄", "Printing"),
    "maint.test_print": ("打印测试页", "테스트 인쇄", "Print a test page"),
    "maint.readiness": ("打印就绪报告", "준비 상태 보고서 인쇄", "Print the readiness report"),
    "maint.paper": ("已更换打印纸", "용지 교체함", "Paper replaced"),
    "maint.reprint": ("补打凭条", "영수증 재인쇄", "Reprint a receipt"),
    "maint.reprint_title": ("选择要补打的凭条（最近打印的在前）", "재인쇄할 영수증 (최근 순)", "Receipt to reprint (newest first)"),
    "maint.outbox": ("待上传申请", "전송 대기 신청", "Outbox"),
    "maint.outbox_line": ("待上传 {pending} 件{oldest}，被拒 {rejected} 件，已送达 {delivered} 件",
                          "대기 {pending}건{oldest}, 거부 {rejected}건, 전달 {delivered}건",
                          "{pending} pending{oldest}, {rejected} refused, {delivered} delivered"),
    "maint.outbox_oldest": ("（最早 {minutes} 分钟前）", " (가장 오래된 것 {minutes}분 전)", " (oldest {minutes} min ago)"),
    "maint.outbox_none": ("本机后端没有待上传队列", "전송 대기열이 없습니다", "This backend has no outbox"),
    "maint.flush": ("立即上传", "지금 전송", "Send now"),
    "maint.service": ("对外服务", "서비스", "Service"),
    "maint.service_on": ("当前：正常服务", "현재: 서비스 중", "Now: in service"),
    "maint.service_off": ("当前：暂停服务（{message}）", "현재: 서비스 중지 ({message})", "Now: out of service ({message})"),
    "maint.oos_set": ("暂停服务…", "서비스 중지…", "Take out of service…"),
    "maint.oos_clear": ("恢复服务", "서비스 재개", "Back in service"),
    "maint.oos_title": ("暂停服务时向群众显示的说明", "중지 중 표시할 안내", "Message shown while out of service"),
    "maint.oos_custom": ("自己输入…", "직접 입력…", "Type one…"),
    "maint.system": ("系统", "시스템", "System"),
    "maint.export": ("导出日志到U盘", "로그를 USB로 내보내기", "Export logs to USB"),
    "maint.restart": ("重启程序", "프로그램 재시작", "Restart the app"),
    "maint.reboot": ("重启终端", "단말기 재부팅", "Reboot the kiosk"),
    "maint.confirm_restart": ("确认重启程序？", "프로그램을 재시작할까요?", "Restart the app?"),
    "maint.confirm_reboot": ("确认重启终端？", "단말기를 재부팅할까요?", "Reboot the kiosk?"),
    "maint.confirm": ("确认", "확인", "Confirm"),
    "maint.about": ("版本与配置", "버전과 설정", "Version and configuration"),
    "maint.status_line": ("{component}：{status}", "{component}: {status}", "{component}: {status}"),
    "maint.no_receipts": ("本机还没有打印过凭条", "인쇄한 영수증이 없습니다", "No receipts printed yet"),
    # ---- components, states, actions ----
    "component.reader": ("读卡器", "판독기", "Card reader"),
    "component.printer": ("打印机", "프린터", "Printer"),
    "component.backend": ("办理系统", "처리 시스템", "Backend"),
    "component.disk": ("存储", "저장 공간", "Disk"),
    "component.display": ("显示屏", "화면", "Display"),
    "component.speech": ("语音", "음성", "Speech"),
    "status.ok": ("正常", "정상", "OK"),
    "status.degraded": ("需关注", "주의", "Needs attention"),
    "status.unavailable": ("不可用", "사용 불가", "Unavailable"),
    "status.unknown": ("未知", "알 수 없음", "Unknown"),
    "action.none": ("", "", ""),
    "action.retry": ("将自动重试", "자동으로 다시 시도", "retried automatically"),
    "action.reset": ("将自动重置", "자동으로 초기화", "reset automatically"),
    "action.staff": ("请工作人员处理", "직원이 조치", "staff must act"),
    "action.engineer": ("请联系技术人员", "기술자에게 연락", "call a technician"),
    # ---- outcomes ----
    "maint.done.test_printed": ("测试页已打印", "테스트 페이지를 인쇄했습니다", "Test page printed"),
    "maint.done.readiness_printed": ("就绪报告已打印：{verdict}", "보고서를 인쇄했습니다: {verdict}",
                                     "Readiness report printed: {verdict}"),
    "maint.verdict.ready": ("可以开放服务", "서비스 가능", "ready for service"),
    "maint.verdict.not_ready": ("暂不能开放服务", "서비스 불가", "not ready"),
    "maint.done.print_failed": ("打印失败：{reason}", "인쇄 실패: {reason}", "Printing failed: {reason}"),
    "maint.done.printer_ready": ("打印机正常", "프린터 정상", "The printer is ready"),
    "maint.done.printer_not_ready": ("打印机仍不可用：{reason}", "프린터를 아직 사용할 수 없습니다: {reason}",
                                     "The printer is still not ready: {reason}"),
    "maint.done.reprinted": ("已补打凭条 {detail}", "영수증을 재인쇄했습니다 {detail}", "Receipt reprinted {detail}"),
    "maint.done.no_receipt": ("找不到该凭条", "영수증을 찾을 수 없습니다", "No such receipt"),
    "maint.done.flushed": ("上传完成：送达/仍待/被拒 = {detail}", "전송: 전달/대기/거부 = {detail}",
                           "Sent: delivered/pending/refused = {detail}"),
    "maint.done.flush_failed": ("上传失败：{detail}", "전송 실패: {detail}", "Sending failed: {detail}"),
    "maint.done.no_outbox": ("本机后端没有待上传队列", "전송 대기열이 없습니다", "This backend has no outbox"),
    "maint.done.out_of_service_set": ("已暂停服务", "서비스를 중지했습니다", "Out of service"),
    "maint.done.out_of_service_cleared": ("已恢复服务", "서비스를 재개했습니다", "Back in service"),
    "maint.done.logs_exported": ("日志已导出：{detail}", "로그를 내보냈습니다: {detail}", "Logs exported: {detail}"),
    "maint.done.no_usb": ("没有找到可写的U盘：{detail}", "쓸 수 있는 USB가 없습니다: {detail}", "No writable USB stick: {detail}"),
    "maint.done.write_failed": ("写入U盘失败：{detail}", "USB 쓰기 실패: {detail}", "Writing to the USB stick failed: {detail}"),
    "maint.done.restarting": ("程序正在重启", "프로그램을 재시작합니다", "The app is restarting"),
    "maint.done.rebooting": ("终端正在重启", "단말기를 재부팅합니다", "The kiosk is rebooting"),
    "maint.done.dry_run": ("演示环境，未执行：{detail}", "시험 환경이라 실행하지 않았습니다: {detail}",
                           "Dry run, nothing done: {detail}"),
    "maint.done.failed": ("执行失败：{detail}", "실패: {detail}", "Failed: {detail}"),
    # ---- out of service: preset messages staff pick ----
    "oos_message.paper": ("正在更换打印纸，请稍候", "용지를 교체하는 중입니다. 잠시 기다리세요", "Paper is being replaced, please wait"),
    "oos_message.repair": ("设备检修中，请到人工窗口办理", "장비 점검 중입니다. 창구를 이용하세요",
                           "Being repaired: please use the service window"),
    "oos_message.network": ("网络维护中，暂停自助服务", "네트워크 점검 중입니다", "Network maintenance: self-service paused"),
    "oos_message.closed": ("今日自助服务已结束", "오늘 셀프서비스는 종료되었습니다", "Self-service has closed for today"),
    "oos.since_phone": ("咨询电话：{phone}", "문의 전화: {phone}", "Enquiries: {phone}"),
    # ---- tiles of items that cannot be served now ----
    "tile.unavailable": ("暂停办理：{reason}", "일시 중지: {reason}", "Paused: {reason}"),
    "tile.category_unavailable": ("暂停办理：{reason}", "일시 중지: {reason}", "Paused: {reason}"),
    "tile.category_partly": ("{count} 项暂停：{reason}", "{count}건 일시 중지: {reason}", "{count} paused: {reason}"),
}

OOS_PRESETS = ("paper", "repair", "network", "closed")
PRESET_PREFIX = "preset:"

for _key, _texts in TEXTS.items():
    STRINGS.setdefault(_key, _texts)
