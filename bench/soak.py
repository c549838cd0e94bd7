"""Soak benchmark: many simulated citizen sessions through the real app, by touch, on the virtual display.

Most sessions are short (home -> category -> item -> guide -> home: the session is started and wiped); every
--print-every-th prints the guide slip; every --apply-every-th is a full application (consent, card on the
simulated reader, form, review, submit through the local backend, receipt). The health monitor runs as in
the kiosk. Figures: resident memory after a warm-up and at the end (goal: growth under 10 MB over 2,000
sessions), threads, open files and sockets before and after (goal: none leaked), and the session time of the
first tenth against the last tenth of the run (the baseline measured in the same run: a kiosk that slows down
as it ages shows it here).

Run: .venv/bin/python bench/soak.py [--sessions 2000] [--time-budget-s 3600]. A run that hits the time
budget stops there and prints the figures it has and a linear projection to --sessions, saying so.
This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APPLY_ITEM = "disability-subsidies"
GUIDE_ITEMS = (("elderly", "elderly-care-cooperation"), ("data_sharing", "spouse-hukou-transfer"),
               ("data_sharing", "housing-fund-withdrawal"), ("children", "orphan-support"),
               ("marriage", "marriage-registration"), ("disability", "disability-subsidies"))
CARD = "resident-zhang"


def make_config(folder: Path) -> Path:
    """The shipped kiosk.toml and profiles, with data, keys and slips in `folder`."""
    config_dir = ROOT / "config"
    text = (config_dir / "kiosk.toml").read_text(encoding="utf-8")
    text = text.replace('"../var/data"', f'"{folder / "data"}"').replace('"../var/keys"', f'"{folder / "keys"}"')
    (folder / "kiosk.toml").write_text(text, encoding="utf-8")
    (folder / "devices").mkdir(exist_ok=True)
    for profile in (config_dir / "devices").glob("*.toml"):
        body = profile.read_text(encoding="utf-8").replace('"../var/slips"', f'"{folder / "slips"}"')
        (folder / "devices" / profile.name).write_text(body, encoding="utf-8")
    return folder / "kiosk.toml"


# ---- what the process holds ----

def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def descriptors() -> Counter[str]:
    """Open file descriptors by kind: file, socket, pipe, other."""
    kinds: Counter[str] = Counter()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        kind = ("socket" if target.startswith("socket:") else "pipe" if target.startswith("pipe:")
                else "file" if target.startswith("/") else "other")
        kinds[kind] += 1
    return kinds


def threads() -> Counter[str]:
    """Live threads by name, with the numbers of pool workers taken off so a pool counts as one kind."""
    return Counter(t.name.rstrip("0123456789_-") or t.name for t in threading.enumerate())


def snapshot(pilot: object, settle_s: float) -> dict[str, object]:
    """After `settle_s` of an idle kiosk: pools whose idle workers expire (the server's AnyIO threads) settle."""
    end = time.monotonic() + settle_s
    while time.monotonic() < end:
        pilot.frames(1)  # type: ignore[attr-defined]
        time.sleep(0.05)
    for _ in range(3):
        gc.collect()
    return {"rss": rss_mb(), "fds": descriptors(), "threads": threads()}


# ---- sessions ----

class Citizen:
    def __init__(self, pilot: object) -> None:
        self.p = pilot
        self.app = pilot.app  # type: ignore[attr-defined]
        self.refused: Counter[str] = Counter()
        self.stuck: list[str] = []

    def home(self) -> None:
        p = self.p
        if p.state.session is not None:  # type: ignore[attr-defined]
            p.tap("bar:home")  # type: ignore[attr-defined]
        p.wait_until(lambda: p.state.session is None and p.screen == "home", what="home")  # type: ignore

    def guide(self, n: int, print_it: bool) -> None:
        p = self.p
        category, item = GUIDE_ITEMS[n % len(GUIDE_ITEMS)]
        p.tap(f"category:{category}")  # type: ignore[attr-defined]
        p.wait_for_screen("browse")  # type: ignore[attr-defined]
        p.tap(f"item:{item}")  # type: ignore[attr-defined]
        session = p.state.session  # type: ignore[attr-defined]
        if session is not None and (session.notice or "").startswith("item_unavailable."):
            # the health monitor found a device or the backend unusable a moment ago: the kiosk refuses the
            # item, as it should; the citizen goes home
            self.refused[session.notice] += 1
            self.home()
            return
        p.wait_for_screen("guide")  # type: ignore[attr-defined]
        if print_it:
            from kiosk.core.session.states import TaskStatus

            p.tap("guide:print")  # type: ignore[attr-defined]
            p.wait_until(lambda: p.state.session is not None  # type: ignore[attr-defined]
                         and p.state.session.printing.status in (TaskStatus.DONE, TaskStatus.FAILED),  # type: ignore
                         timeout_s=30, what="the guide slip")
            p.tap("guide_printing:finish")  # type: ignore[attr-defined]
        else:
            p.tap("nav:back")  # type: ignore[attr-defined]
            p.wait_for_screen("browse")  # type: ignore[attr-defined]
        self.home()

    def apply(self) -> None:
        from kiosk.core.session.states import TaskStatus
        from kiosk.shell.demo_journey import sample_value

        p = self.p
        item = self.app.kiosk.catalog.item(APPLY_ITEM)
        p.tap(f"category:{item.category}")  # type: ignore[attr-defined]
        p.wait_for_screen("browse")  # type: ignore[attr-defined]
        p.tap(f"item:{item.id}")  # type: ignore[attr-defined]
        p.wait_for_screen("guide")  # type: ignore[attr-defined]
        p.tap("guide:start")  # type: ignore[attr-defined]
        p.wait_for_screen("consent")  # type: ignore[attr-defined]
        if item.sensitive_categories:
            p.tap("consent:sensitive")  # type: ignore[attr-defined]
        p.tap("consent:agree")  # type: ignore[attr-defined]
        p.wait_for_screen("identify")  # type: ignore[attr-defined]
        reader = self.app.kiosk.ports.reader
        reader.insert(CARD)
        p.wait_for_screen("form")  # type: ignore[attr-defined]
        applicant = p.state.session.parties[0]  # type: ignore[attr-defined]
        for spec in item.form_fields:
            if spec.source != "manual" or not spec.required:
                continue
            value = sample_value(spec, applicant)
            p.tap(f"field:{spec.id}")  # type: ignore[attr-defined]
            if spec.input == "choice":
                p.wait_until(lambda value=value: p.has(f"choice:{value}"), what="choices")  # type: ignore
                p.tap(f"choice:{value}")  # type: ignore[attr-defined]
            else:
                p.wait_until(lambda: p.has("editor:ok"), what="keypad")  # type: ignore[attr-defined]
                p.type_keys(value)  # type: ignore[attr-defined]
                p.tap("editor:ok")  # type: ignore[attr-defined]
            p.wait_until(lambda spec=spec: p.state.session.value(spec.id) != "", what=spec.id)  # type: ignore
        p.tap("form:next")  # type: ignore[attr-defined]
        p.wait_for_screen("review")  # type: ignore[attr-defined]
        p.tap("review:confirm")  # type: ignore[attr-defined]
        p.wait_for_screen("done", timeout_s=30)  # type: ignore[attr-defined]
        p.wait_until(lambda: p.state.session.printing.status in (TaskStatus.DONE, TaskStatus.FAILED),  # type: ignore
                     timeout_s=30, what="the receipt")
        reader.remove()
        p.tap("done:finish")  # type: ignore[attr-defined]
        self.home()


def run_session_or_note(citizen: Citizen, n: int, print_every: int, apply_every: int) -> str:
    """A session; one the pilot cannot finish (a widget it cannot reach) is noted, and the kiosk is brought
    home by its own idle timeout, as an abandoned session would be, so the soak goes on."""
    from screens.pilot import PilotError

    try:
        return run_session(citizen, n, print_every, apply_every)
    except PilotError as exc:
        citizen.stuck.append(f"session {n}: {exc}")
        p = citizen.p
        p.wait_until(lambda: p.state.session is None and p.screen == "home", timeout_s=600,  # type: ignore
                     what="the idle timeout to end the stuck session")
        return "stuck"


def run_session(citizen: Citizen, n: int, print_every: int, apply_every: int) -> str:
    if apply_every and n % apply_every == apply_every - 1:
        citizen.apply()
        return "apply"
    printing = bool(print_every) and n % print_every == print_every - 1
    citizen.guide(n, printing)
    return "guide_print" if printing else "browse"


class BackendHealthLog(logging.Handler):
    """The health monitor's findings about the backend, by reason and cause (the transport's exception class),
    and the transport's retries of a request on a pooled connection the server had just closed."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.changes: Counter[str] = Counter()
        self.stale_retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "kiosk_fields", {})
        event = getattr(record, "kiosk_event", "")
        if event == "health_changed" and fields.get("component") == "backend" and fields.get("status") != "ok":
            cause = str(fields.get("detail_code") or "").split(";")[0]
            self.changes[f"{fields.get('reason')} ({cause})"] += 1
        elif event == "dropped_connection_retried":
            self.stale_retries += 1


def difference(before: Counter[str], after: Counter[str]) -> str:
    changed = {k: after[k] - before[k] for k in set(before) | set(after) if after[k] != before[k]}
    return ", ".join(f"{k} {v:+d}" for k, v in sorted(changed.items())) or "none"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100, help="sessions before the first memory reading")
    parser.add_argument("--settle-s", type=float, default=12.0, help="idle seconds before each reading")
    parser.add_argument("--print-every", type=int, default=10)
    parser.add_argument("--apply-every", type=int, default=50)
    parser.add_argument("--time-budget-s", type=float, default=3600.0)
    parser.add_argument("--health-poll-s", type=float, default=5.0)
    parser.add_argument("--report-every", type=int, default=200, help="print progress every this many sessions")
    args = parser.parse_args()

    backend_log = BackendHealthLog()
    for name in ("kiosk.health", "kiosk.backend"):
        logging.getLogger(name).addHandler(backend_log)
        logging.getLogger(name).setLevel(logging.INFO)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    config = make_config(folder)
    os.environ["KIOSK_CONFIG"] = str(config)
    os.environ.setdefault("KIOSK_FONT_CACHE", str(folder / "fonts"))
    from screens.pilot import Pilot

    started = time.monotonic()
    pilot = Pilot.start(config, ROOT / "config" / "catalog", health_poll_s=args.health_poll_s)
    pilot.wait_for_screen("home")
    pilot.app.kiosk.ports.backend.started()  # the local backend's threads are part of the steady state
    at_start = snapshot(pilot, args.settle_s)
    citizen = Citizen(pilot)
    kinds: Counter[str] = Counter()
    durations: list[float] = []
    readings: list[tuple[int, float]] = []  # (sessions done, RSS): where the growth happens
    print(f"kiosk up in {time.monotonic() - started:.1f} s; warming up with {args.warmup} sessions", flush=True)
    for n in range(args.warmup):
        kinds[run_session_or_note(citizen, n, args.print_every, args.apply_every)] += 1
    before = snapshot(pilot, args.settle_s)
    run_started = time.monotonic()
    done = 0
    stopped_early = False
    for n in range(args.warmup, args.warmup + args.sessions):
        t0 = time.monotonic()
        kinds[run_session_or_note(citizen, n, args.print_every, args.apply_every)] += 1
        durations.append(time.monotonic() - t0)
        done += 1
        if done % args.report_every == 0:
            gc.collect()
            readings.append((done, rss_mb()))
            print(f"  {done} sessions, {time.monotonic() - run_started:.0f} s, RSS {readings[-1][1]:.1f} MB",
                  flush=True)
        if time.monotonic() - run_started > args.time_budget_s:
            stopped_early = True
            break
    after = snapshot(pilot, args.settle_s)
    elapsed = time.monotonic() - run_started
    pilot.stop()
    shutil.rmtree(folder, ignore_errors=True)

    growth = after["rss"] - before["rss"]  # type: ignore[operator]
    tenth = max(1, len(durations) // 10)
    first, last = statistics.mean(durations[:tenth]), statistics.mean(durations[-tenth:])
    print()
    print(f"soak: {done} sessions in {elapsed:.0f} s ({done / elapsed:.2f}/s, mean {elapsed / done * 1000:.0f} ms); "
          f"kinds (warm-up included): {dict(kinds)}")
    print(f"  resident memory: {at_start['rss']:.1f} MB on the home screen after start-up, {before['rss']:.1f} MB "
          f"after {args.warmup} warm-up sessions, {after['rss']:.1f} MB at the end")
    print(f"  growth over the {done} measured sessions: {growth:+.1f} MB ({growth / done * 1000:+.2f} MB per 1000); "
          f"warm-up (caches filling): {before['rss'] - at_start['rss']:+.1f} MB")
    if stopped_early:
        projected = growth / done * args.sessions
        minutes = elapsed / done * args.sessions / 60
        print(f"  STOPPED at the time budget ({args.time_budget_s:.0f} s) after {done} of {args.sessions} sessions; "
              f"linear projection to {args.sessions}: {projected:+.1f} MB in {minutes:.0f} min")
        verdict_growth = projected
    else:
        verdict_growth = growth
    later = [(n, rss) for n, rss in readings if n >= done // 2]
    if later:
        n_half, rss_half = later[0]
        print(f"  of which after session {n_half} ({done - n_half} sessions): {after['rss'] - rss_half:+.1f} MB "  # type: ignore[operator]
              "(caches that fill stop growing; a leak goes on)")
    print(f"  memory goal (growth < 10 MB over {args.sessions} sessions after the warm-up): "
          f"{'met' if verdict_growth < 10 else 'NOT met'}{' (projected)' if stopped_early else ''}")
    print(f"  threads at start-up: {sum(at_start['threads'].values())}; "  # type: ignore[union-attr]
          f"after warm-up and at the end: {sum(before['threads'].values())} -> {sum(after['threads'].values())} "  # type: ignore[union-attr]
          f"(changed: {difference(before['threads'], after['threads'])})")  # type: ignore[arg-type]
    print(f"  descriptors: {dict(before['fds'])} -> {dict(after['fds'])} "
          f"(changed: {difference(before['fds'], after['fds'])})")  # type: ignore[arg-type]
    if citizen.stuck:
        print(f"  sessions the pilot could not finish (ended by the idle timeout instead): {len(citizen.stuck)}")
        for line in citizen.stuck[:5]:
            print(f"    {line}")
    if citizen.refused:
        print(f"  items refused for a moment by the health monitor: {dict(citizen.refused)}")
    print(f"  the backend found unusable by the health monitor (warm-up included): "
          f"{dict(backend_log.changes) or 'never'}; requests retried on a connection the server had just "
          f"closed: {backend_log.stale_retries}")
    print(f"  session time, first tenth {first * 1000:.0f} ms, last tenth {last * 1000:.0f} ms: "
          f"ratio {last / first:.2f} (baseline = the first tenth of this run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
