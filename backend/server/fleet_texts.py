"""What the fleet page says to hall staff about a kiosk's devices, in plain Chinese: the device, its state, why,
and what to do. The ids are kiosk.core.health's vocabulary as heartbeats carry it; an id this server does not
know yet (a newer kiosk) is shown as it came, never as an error."""

from __future__ import annotations

COMPONENTS = {
    "reader": "身份证阅读器", "printer": "打印机", "backend": "办理系统", "disk": "存储", "display": "显示屏",
    "speech": "语音播报", "scanner": "扫码器", "signal": "呼叫提示灯",
}

STATUSES = {"ok": "正常", "degraded": "需留意", "unavailable": "不可用", "unknown": "未知"}

REASONS = {
    "ok": "正常", "not_checked": "尚未检测",
    "no_reader": "未检测到读卡器", "no_card": "无卡", "card_removed": "卡被取走", "unsupported_card": "不支持的证件",
    "card_expired": "证件过期", "card_unreadable": "读卡失败", "card_checksum": "证件号码校验不符",
    "reader_timeout": "读卡超时", "reader_service_down": "读卡服务未运行",
    "paper_out": "缺纸", "paper_near_end": "纸将用完", "cover_open": "打印机盖未合上", "printer_offline": "打印机离线",
    "printer_no_status": "打印机不回报状态", "cutter_error": "切纸刀故障",
    "no_scanner": "未检测到扫码器", "no_signal": "呼叫提示灯不可用",
    "backend_unreachable": "连不上办理系统", "backend_timeout": "办理系统响应超时",
    "backend_rejected": "办理系统拒绝请求",
    "backend_auth": "终端密钥不被接受", "backend_busy": "查询过于频繁，暂缓", "outbox_backlog": "待上传积压",
    "disk_full": "磁盘已满", "config_invalid": "配置有误", "maintenance": "维护中",
    "staff_out_of_service": "工作人员暂停服务", "internal_error": "程序内部错误",
}

# What hall staff do about it; reasons not here fall back to the action kiosk.core.health gives them.
WHAT_TO_DO = {
    "paper_near_end": "备好新纸卷，尽快更换",
    "paper_out": "更换纸卷",
    "cover_open": "合上打印机盖",
    "printer_offline": "检查打印机电源和连线",
    "printer_no_status": "检查打印机电源和连线",
    "no_reader": "检查读卡器连线；仍不行请联系技术人员",
    "reader_service_down": "重启终端程序；仍不行请联系技术人员",
    "no_scanner": "检查扫码器连线",
    "no_signal": "呼叫仍会通知到工作人员；请技术人员检查提示灯连线",
    "outbox_backlog": "检查终端网络；办件已保存在终端，恢复后自动上传",
    "backend_unreachable": "检查终端网络",
    "backend_auth": "联系技术人员（终端密钥）",
    "disk_full": "联系技术人员",
}

ACTIONS = {
    "none": "", "retry": "会自行恢复，无需处理", "reset": "终端会自行重置", "staff": "请大厅工作人员处理",
    "engineer": "请联系技术人员",
}

LIFECYCLES = {
    "starting": "启动中", "ready": "在服务", "in_session": "在服务（有人办理）", "out_of_service": "暂停服务",
    "maintenance": "维护中",
}

ALERTS = {
    "paper_near_end": "打印纸将用完", "paper_out": "打印机缺纸", "silent": "终端失联",
    "lookup_limit": "查询超过限额", "quarantined": "查询已被隔离", "help_call": "群众呼叫工作人员",
    "catalog_refused": "终端拒收事项目录",
}

COMMANDS = {
    "out_of_service_on": "暂停服务", "out_of_service_off": "恢复服务", "restart": "重启终端程序",
    "print_readiness": "打印自检单",
}

# How a kiosk's answer to a command reads (codes from kiosk.shell.maintenance_desk's outcomes).
COMMAND_CODES = {
    "out_of_service_set": "已暂停服务", "out_of_service_cleared": "已恢复服务", "restarting": "正在重启",
    "dry_run": "未由 systemd 启动，程序未重启", "readiness_printed": "自检单已打印",
    "print_uncertain": "已发送打印，未确认",
    "print_failed": "打印失败", "no_desk": "终端尚未就绪", "failed": "执行失败",
}


def label(table: dict[str, str], key: str) -> str:
    return table.get(key, key)
