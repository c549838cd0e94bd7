"""What the maintenance screen says to hall staff, in their words (zh, ko, en from the gettext catalogs,
`maint.*`): each action's outcome with the 办件编号 where there is one, each device's state with what to do,
the kiosk's service by the rules it serves by, and today's printing. Reason ids and drivers' notes appear
only in the lines for the technician (tech_line)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kiosk.core.health import DEFAULT_ACTION, Component, Health, Reason, Status
from kiosk.core.readiness import Verdict
from kiosk.core.session.model import KioskState
from kiosk.core.slips import SlipKind
from kiosk.shell.maintenance_desk import Entry, Outcome, Today
from screens.i18n import has, t

OOS_PRESETS = ("paper", "repair", "network", "closed")
PRESET_PREFIX = "preset:"
STATUS_COLOUR = {Status.OK: "2e7d32", Status.DEGRADED: "8a5100", Status.UNAVAILABLE: "c62828",
                 Status.UNKNOWN: "555555"}
COMMAND = re.compile(r"`([^`]+)`")  # the command a dry run did not run (kiosk.shell.system_actions)
DISK_FREE = re.compile(r"(\d+) MB free")  # the health monitor's note on the data disk


def outcome_text(outcome: Outcome, language: str) -> str:
    """The outcome as hall staff read it: what happened, why in plain words, what to do, the 办件编号 if any."""
    code, detail = outcome.code, outcome.detail
    key = f"maint.done.{code}"
    if code in ("print_failed", "printer_not_ready"):
        return t(key, language, reason=staff_reason(detail, language), todo=staff_todo(detail, language))
    if code == "readiness_printed":
        return t(key, language, verdict=verdict_text(outcome, language))
    if code in ("flushed", "flush_partial"):
        text = t(key, language, delivered=outcome.fact("delivered"), pending=outcome.fact("pending"),
                 reason=staff_reason(outcome.fact("why"), language))
        rejected = outcome.fact("rejected")
        return text + (t("maint.done.rejected", language, rejected=rejected) if rejected not in ("", "0") else "")
    if code == "flush_failed":
        return t(key, language, reason=staff_reason(detail, language))
    if code == "logs_exported":
        return t(key, language, folder=outcome.fact("folder"), lines=outcome.fact("lines"),
                 redacted=outcome.fact("redacted"))
    if code == "checked":
        return t(key, language, time=detail)
    if code == "dry_run" and (command := COMMAND.search(detail)):
        return t("maint.done.dry_run_command", language, command=command.group(1))
    if code == "print_uncertain":
        number = t("maint.number", language, number=outcome.number) if outcome.number else ""
        return t(key, language, number=number)
    return t(key, language, detail=detail, number=outcome.number)


def staff_reason(reason: str, language: str) -> str:
    """A reason id in staff's words: the short one for the backend ("网络不通"), else the screens' own."""
    if not reason:
        return ""
    if has(f"maint.why.{reason}", language):
        return t(f"maint.why.{reason}", language)
    return t(f"error.{reason}", language) if has(f"error.{reason}", language) else reason


def staff_todo(reason: str, language: str) -> str:
    if has(f"maint.todo.{reason}", language):
        return t(f"maint.todo.{reason}", language)
    try:
        action = DEFAULT_ACTION[Reason(reason)]
    except ValueError:
        return t("action.engineer", language)
    return t(f"action.{action.value}", language)


def limits_text(limits: Sequence[str], paused: int, language: str) -> str:
    parts = [t(f"maint.limit.{component}", language) for component in limits]
    if paused:
        parts.append(t("maint.paused", language, n=paused))
    return ("；" if language == "zh" else "; ").join(parts)


def verdict_text(outcome: Outcome, language: str) -> str:
    verdict = outcome.fact("verdict") or outcome.detail
    if verdict == "not_ready":
        return t("maint.verdict.not_ready", language, reason=staff_reason(outcome.fact("blocking"), language))
    limits = [c for c in outcome.fact("limits").split(",") if c]
    if verdict == "limited":
        return t("maint.verdict.limited", language, limits=limits_text(limits, int(outcome.fact("paused") or 0),
                                                                        language))
    return t("maint.verdict.ready", language)


def service_text(state: KioskState, verdict: Verdict | None, language: str) -> tuple[str, bool]:
    """The kiosk's service as the summary shows it, and whether that is all well."""
    if state.out_of_service_reason == Reason.STAFF_OUT_OF_SERVICE:
        return t("maint.state.staff_off", language), False
    if verdict is None:
        return t("maint.state.checking", language), True
    if verdict.blocking is not None:
        return t("maint.state.closed", language, reason=staff_reason(verdict.blocking.value, language)), False
    if verdict.limits or verdict.paused_items:
        limits = [h.component.value for h in verdict.limits]
        return t("maint.state.limited", language, limits=limits_text(limits, verdict.paused_items, language)), False
    return t("maint.state.serving", language), True


def today_text(today: Today | None, language: str) -> str:
    if today is None or today.printed is None:
        return t("maint.today_unreadable", language)
    printed = today.printed
    counted = (printed.of(SlipKind.RECEIPT), printed.of(SlipKind.GUIDE), printed.of(SlipKind.APPOINTMENT),
               printed.reprints)
    # test pages, readiness reports...: named as "other" so that the parts add up to the total staff read first
    line = t("maint.today", language, total=printed.total, receipts=counted[0], guides=counted[1],
             appointments=counted[2], reprints=counted[3], others=printed.total - sum(counted))
    if today.paper_changes:
        paper = t("maint.paper_changes", language, count=len(today.paper_changes),
                  time=f"{today.paper_changes[-1]:%H:%M}", since=today.since_paper or 0)
    else:
        paper = t("maint.paper_unchanged", language)
    return f"{line}\n{paper}"


def entry_text(entry: Entry, language: str) -> str:
    return t(f"maint.entry.{entry.code}", language, tries=entry.tries_left, seconds=entry.locked_s,
             detail=entry.detail)


def health_line(health: Health, language: str) -> str:
    """A device in staff's words: its state, why and what to do; ids and drivers' notes are in tech_line."""
    name = t(f"component.{health.component.value}", language)
    status = t(f"status.{health.status.value}", language)
    line = f"[b]{name}[/b]：[color={STATUS_COLOUR[health.status]}]{status}[/color]"
    if health.status != Status.OK and health.reason not in (Reason.OK, Reason.NOT_CHECKED):
        line += f" — {t(f'error.{health.reason.value}', language)}，{staff_todo(health.reason.value, language)}"
    elif health.component == Component.DISK and (free := DISK_FREE.fullmatch(health.detail)):
        line += f"（{t('maint.disk_free', language, gb=f'{int(free.group(1)) / 1024:.0f}')}）"
    return line


def tech_line(health: Health) -> str:
    """For the technician: the component and reason ids and the driver's own note, as logs record them."""
    return f"{health.component.value}: {health.status.value}/{health.reason.value}" + (
        f" — {health.detail}" if health.detail else "")


def staff_message_text(message: str, language: str) -> str:
    """A staff out-of-service message: a preset shown in the kiosk's language, or the staff's own words."""
    if message.startswith(PRESET_PREFIX):
        return t(f"oos_message.{message[len(PRESET_PREFIX):]}", language)
    return message
