"""The fleet as staff see it in the console: every kiosk at a glance, the alerts that need someone, and the
commands staff send a kiosk through its next heartbeat (the heartbeat route calls `exchange`).

Nothing here is personal: heartbeats carry lifecycles, device states, counts and versions; commands carry a
kind and the message citizens will read on the kiosk; the staff name on a command or an acknowledgement is the
audit of who did it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.contract import schemas as s
from backend.server import db, help_calls
from backend.server.fleet_texts import (
    ACTIONS,
    ALERTS,
    COMMAND_CODES,
    COMMANDS,
    COMPONENTS,
    LIFECYCLES,
    REASONS,
    STATUSES,
    WHAT_TO_DO,
    label,
)
from backend.server.models import AlertAcknowledgement, HelpCall, Kiosk, KioskAlert, KioskCommand
from backend.server.state import ServerState
from kiosk.core.health import DEFAULT_ACTION, Reason
from kiosk.core.localtime import local_text
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend")
PAPER_ALERTS = ("paper_near_end", "paper_out")
LIMIT_ALERTS = ("lookup_limit", "quarantined")
ANSWERED_CALLS_SHOWN = timedelta(hours=12)
"""Acknowledged calls for staff stay on the page this long (who went, and when), then leave it."""
RECENT_COMMANDS = 5


class FleetError(Exception):
    """Staff asked for something that cannot be: an unknown kiosk or alert, a message too long."""


@dataclass(frozen=True)
class DeviceRow:
    component: str
    status: str  # ok | degraded | unavailable | unknown: the page colours by it
    device: str
    state: str
    reason: str
    what_to_do: str


@dataclass(frozen=True)
class CommandRow:
    id: int
    what: str
    message: str
    queued_by: str
    queued_at: str
    progress: str  # 等待下次心跳 / 已送达 / the kiosk's answer


@dataclass(frozen=True)
class KioskRow:
    kiosk_id: str
    site: str
    last_seen: str  # Beijing time, or 从未上线
    seen_ago: str
    silent: bool
    revoked: bool
    lifecycle: str  # the raw id (out_of_service ...), for the page's colour
    service: str  # 在服务 / 暂停服务 / 维护中 / 失联 ...
    in_service: bool
    version: str
    catalog_version: str
    catalog_refused: bool
    devices: tuple[DeviceRow, ...]
    outbox: int | None
    commands: tuple[CommandRow, ...]

    @property
    def attention(self) -> bool:
        return (self.silent or not self.in_service or self.catalog_refused
                or any(d.status != "ok" for d in self.devices))


@dataclass(frozen=True)
class FleetAlert:
    key: str  # what acknowledging names: "condition:<kiosk>:<kind>" or "alert:<id>"
    kiosk_id: str
    kind: str
    what: str
    detail: str
    at: str
    acknowledged_by: str | None
    acknowledged_at: str | None


def beijing(moment: datetime) -> str:
    """Times staff read are Beijing time, as at the counter and on the slips (stored times are UTC)."""
    return local_text(moment, "%Y-%m-%d %H:%M:%S")


AGO_ZH = ("{} 秒前", "{} 分钟前", "{} 小时前", "{} 天前")
AGO_EN = ("{} s", "{} min", "{} h", "{} d")  # the command line's: `kiosk-backend kiosks`


def ago(seconds: float, units: tuple[str, str, str, str] = AGO_ZH) -> str:
    if seconds < 60:
        return units[0].format(int(seconds))
    if seconds < 3600:
        return units[1].format(int(seconds // 60))
    if seconds < 172800:
        return units[2].format(f"{seconds / 3600:.1f}")
    return units[3].format(int(seconds // 86400))


def device_row(device: s.DeviceState) -> DeviceRow:
    try:
        action = DEFAULT_ACTION[Reason(device.reason)].value
    except ValueError:
        action = "staff"
    what = "" if device.status == "ok" else WHAT_TO_DO.get(device.reason, ACTIONS.get(action, ""))
    return DeviceRow(device.component, device.status, label(COMPONENTS, device.component),
                     label(STATUSES, device.status), label(REASONS, device.reason), what)


def _heartbeat(kiosk: Kiosk) -> s.HeartbeatIn | None:
    return s.HeartbeatIn.model_validate_json(kiosk.heartbeat) if kiosk.heartbeat else None


def _silent(state: ServerState, kiosk: Kiosk, now: datetime) -> bool:
    if kiosk.revoked_at is not None or kiosk.last_seen_at is None:
        return False
    return (now - db.as_utc(kiosk.last_seen_at)).total_seconds() > state.settings.silent_after_s


def command_row(command: KioskCommand) -> CommandRow:
    if command.done_at is not None:
        verdict = label(COMMAND_CODES, command.code)
        if command.detail:
            verdict += f"（{label(REASONS, command.detail) if command.detail in REASONS else command.detail}）"
        progress = f"{'完成' if command.outcome == 'done' else '未成功'}：{verdict}，{beijing(command.done_at)}"
    elif command.delivered_at is not None:
        progress = f"已送达终端 {beijing(command.delivered_at)}，等待执行（有人办理时等其办完）"
    else:
        progress = "等待终端下次心跳"
    return CommandRow(command.id, label(COMMANDS, command.kind), command.message, command.queued_by,
                      beijing(command.queued_at), progress)


def kiosk_rows(state: ServerState, now: datetime | None = None, kiosk_id: str | None = None) -> list[KioskRow]:
    """Every kiosk (or the one named), in order of id."""
    now = now or db.now()
    rows = []
    query = select(Kiosk).order_by(Kiosk.kiosk_id)
    if kiosk_id is not None:
        query = query.where(Kiosk.kiosk_id == kiosk_id)
    with state.sessions() as session:
        for kiosk in session.scalars(query):
            beat = _heartbeat(kiosk)
            silent = _silent(state, kiosk, now)
            commands = session.scalars(select(KioskCommand).where(KioskCommand.kiosk_id == kiosk.kiosk_id)
                                       .order_by(KioskCommand.id.desc()).limit(RECENT_COMMANDS)).all()
            seen = db.as_utc(kiosk.last_seen_at) if kiosk.last_seen_at else None
            lifecycle = beat.status if beat else "never_seen"
            if kiosk.revoked_at is not None:
                service = "已吊销"
            elif seen is None or beat is None:
                service = "从未上线"
            elif silent:
                service = f"失联（最后状态：{label(LIFECYCLES, beat.status)}）"
            else:
                service = label(LIFECYCLES, beat.status)
            rows.append(KioskRow(
                kiosk_id=kiosk.kiosk_id, site=(beat.site if beat and beat.site else "—"),
                last_seen=beijing(seen) if seen else "从未上线",
                seen_ago=ago((now - seen).total_seconds()) if seen else "",
                silent=silent, revoked=kiosk.revoked_at is not None, lifecycle=lifecycle, service=service,
                in_service=(beat is not None and not silent and kiosk.revoked_at is None
                            and beat.status in ("ready", "in_session")),
                version=beat.version if beat else "—",
                catalog_version=catalog_text(beat),
                catalog_refused=beat is not None and beat.catalog_refused is not None,
                devices=tuple(device_row(d) for d in beat.devices) if beat else (),
                outbox=beat.outbox_depth if beat else None,
                commands=tuple(command_row(c) for c in commands)))
    return rows


# ---- alerts ----

def _conditions(state: ServerState, kiosk: Kiosk, now: datetime) -> list[tuple[str, str]]:
    """The kiosk's alerting conditions now, as (kind, detail)."""
    if kiosk.revoked_at is not None:
        return []
    found = []
    beat = _heartbeat(kiosk)
    if _silent(state, kiosk, now) and kiosk.last_seen_at is not None:
        minutes = int((now - db.as_utc(kiosk.last_seen_at)).total_seconds() // 60)
        found.append(("silent", f"{minutes} 分钟没有心跳（超过 {state.settings.silent_after_s // 60} 分钟即告警）"))
    for device in beat.devices if beat else ():
        if device.component == "printer" and device.reason in PAPER_ALERTS:
            found.append((device.reason, WHAT_TO_DO[device.reason]))
    if beat is not None and beat.catalog_refused is not None:
        found.append(("catalog_refused", f"第 {beat.catalog_refused} 版未通过终端核验，终端仍用原有目录："
                      "请技术人员核对服务器的签名密钥和该终端的程序版本"))
    return found


def catalog_text(beat: s.HeartbeatIn | None) -> str:
    """The catalog a kiosk uses, as the fleet view says it (and the newer one it refused, if any)."""
    if beat is None:
        return "—"
    used = f"第 {beat.catalog_version} 版" if beat.catalog_version is not None else "随程序发布"
    return f"{used}（拒收第 {beat.catalog_refused} 版）" if beat.catalog_refused else used


def alerts(state: ServerState, now: datetime | None = None, limit: int = 100) -> list[FleetAlert]:
    """Open alerts first (conditions of each kiosk now, then look-up limits broken), acknowledged ones after."""
    now = now or db.now()
    found: list[FleetAlert] = []
    with state.sessions() as session:
        acks = {(a.kiosk_id, a.kind): a for a in session.scalars(select(AlertAcknowledgement))}
        for kiosk in session.scalars(select(Kiosk).order_by(Kiosk.kiosk_id)):
            for kind, detail in _conditions(state, kiosk, now):
                ack = acks.get((kiosk.kiosk_id, kind))
                since = kiosk.last_seen_at or now
                found.append(FleetAlert(
                    f"condition:{kiosk.kiosk_id}:{kind}", kiosk.kiosk_id, kind, ALERTS[kind], detail, beijing(since),
                    ack.acknowledged_by if ack else None, beijing(ack.acknowledged_at) if ack else None))
        for row in session.scalars(select(KioskAlert).where(KioskAlert.kind.in_(LIMIT_ALERTS))
                                   .order_by(KioskAlert.id.desc()).limit(limit)):
            found.append(FleetAlert(
                f"alert:{row.id}", row.kiosk_id, row.kind, ALERTS[row.kind], row.detail, beijing(row.at),
                row.acknowledged_by, beijing(row.acknowledged_at) if row.acknowledged_at else None))
        found.extend(_help_call_alerts(session, now))
    # Open ones first, and among them a citizen waiting at a kiosk before a machine's condition.
    return sorted(found, key=lambda a: (a.acknowledged_by is not None, a.kind != "help_call"))


def _help_call_alerts(session: Session, now: datetime) -> list[FleetAlert]:
    """Calls for staff from the kiosks (backend.server.help_calls): open ones, and those answered lately."""
    rows = session.scalars(select(HelpCall).where(
        (HelpCall.acknowledged_at.is_(None)) | (HelpCall.acknowledged_at > now - ANSWERED_CALLS_SHOWN))
        .order_by(HelpCall.id.desc()).limit(50))
    found = []
    for row in rows:
        call = help_calls.view(row)
        where = "暂停服务页面" if call.reason == "out_of_service" else \
            f"“{help_calls.SCREENS_ZH.get(call.screen, call.screen)}”页面"
        problem = help_calls.PROBLEMS_ZH.get(call.problem, call.problem)
        detail = f"{call.site + ' ' if call.site else ''}在{where}呼叫" + (f"，屏幕提示：{problem}" if problem else "")
        found.append(FleetAlert(f"help:{row.id}", row.kiosk_id, "help_call", ALERTS["help_call"], detail,
                                beijing(db.as_utc(row.received_at)), row.acknowledged_by or None,
                                beijing(db.as_utc(row.acknowledged_at)) if row.acknowledged_at else None))
    return found


def acknowledge(state: ServerState, key: str, staff_name: str) -> None:
    """Staff have seen an alert; FleetError when there is no such alert."""
    if key.startswith("help:") and key[5:].isdigit():
        try:  # the citizen's kiosk learns of it and tells them someone is coming
            help_calls.acknowledge(state, int(key[5:]), staff_name)
        except help_calls.HelpCallError:
            raise FleetError("没有这次呼叫") from None
        return
    now = db.now()
    with state.sessions() as session, session.begin():
        if key.startswith("alert:") and key[6:].isdigit():
            row = session.get(KioskAlert, int(key[6:]))
            if row is None or row.kind not in LIMIT_ALERTS:
                raise FleetError("没有这条告警")
            if row.acknowledged_by is None:
                row.acknowledged_by, row.acknowledged_at = staff_name, now
            kiosk_id, kind = row.kiosk_id, row.kind
        else:
            _, kiosk_id, kind = [*key.split(":", 2), "", ""][:3] if key.startswith("condition:") else ["", "", ""]
            kiosk = session.get(Kiosk, kiosk_id) if kiosk_id else None
            if kiosk is None or kind not in dict(_conditions(state, kiosk, now)):
                raise FleetError("这条告警已经解除或不存在")
            if session.get(AlertAcknowledgement, (kiosk_id, kind)) is None:
                session.add(AlertAcknowledgement(kiosk_id=kiosk_id, kind=kind, acknowledged_by=staff_name,
                                                 acknowledged_at=now))
    log_event(log, "alert_acknowledged", kiosk_id=kiosk_id, kind=kind)


# ---- commands ----

def queue_command(state: ServerState, kiosk_id: str, kind: str, staff_name: str, message: str = "") -> int:
    """Queue a command for the kiosk's next heartbeat; who queued it is kept with it. FleetError on bad input."""
    try:
        command = s.FleetCommand(id=1, kind=s.FleetCommandKind(kind),
                                 message=" ".join(message.split()) if kind == "out_of_service_on" else "")
    except ValueError as exc:
        if kind not in COMMANDS:
            raise FleetError("没有这种操作") from None
        raise FleetError(f"说明文字最多 {s.OUT_OF_SERVICE_MESSAGE_MAX} 个字，且不能含控制字符") from exc
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None or kiosk.revoked_at is not None:
            raise FleetError("没有这台终端，或它已被吊销")
        row = KioskCommand(kiosk_id=kiosk_id, kind=command.kind.value, message=command.message,
                           queued_by=staff_name, queued_at=db.now())
        session.add(row)
        session.flush()
        command_id = row.id
    log_event(log, "fleet_command_queued", kiosk_id=kiosk_id, kind=kind)
    return command_id


def exchange(session: Session, kiosk_id: str, beat: s.HeartbeatIn, now: datetime) -> list[s.FleetCommand]:
    """In the heartbeat's transaction: record the kiosk's results, end acknowledgements of conditions that
    ended, and return the commands it still has to do."""
    for result in beat.command_results:
        row = session.get(KioskCommand, result.id)
        if row is None or row.kiosk_id != kiosk_id or row.done_at is not None:
            continue  # another kiosk's id, or reported before: a repeat changes nothing
        row.done_at, row.outcome, row.code, row.detail = now, result.outcome, result.code, result.detail
        log_event(log, "fleet_command_done", kiosk_id=kiosk_id, kind=row.kind, code=result.code)
    ended = _ended_conditions(beat)
    if ended:
        session.execute(delete(AlertAcknowledgement).where(AlertAcknowledgement.kiosk_id == kiosk_id,
                                                           AlertAcknowledgement.kind.in_(ended)))
    pending = session.scalars(select(KioskCommand).where(KioskCommand.kiosk_id == kiosk_id,
                                                         KioskCommand.done_at.is_(None))
                              .order_by(KioskCommand.id)).all()
    for row in pending:
        row.delivered_at = row.delivered_at or now
    return [s.FleetCommand(id=row.id, kind=s.FleetCommandKind(row.kind), message=row.message) for row in pending]


def _ended_conditions(beat: s.HeartbeatIn) -> Sequence[str]:
    """A heartbeat ends silence; paper alerts end when the printer no longer reports them, a refused catalog
    when the kiosk no longer reports one."""
    now_paper = {d.reason for d in beat.devices if d.component == "printer"}
    refused = ["catalog_refused"] if beat.catalog_refused is None else []
    return ["silent", *(kind for kind in PAPER_ALERTS if kind not in now_paper), *refused]
