"""Benchmark of the touchscreen app on the virtual display (SDL offscreen + Mesa llvmpipe when no display).

1. Cold start: process start to the home screen drawn, against a bare Kivy window started the same way
   (same Kivy configuration, same virtual display, one empty frame) in the same run. Goal: within 1.5x.
2. Tap-to-next-screen latency, p50 and p95 over home -> item list -> guide and back: from the finger lifting
   (a button acts on release) to the next screen drawn (frame rendered and finished by the GL driver). Goal:
   p95 under 100 ms. Also shown: from the finger touching, which adds the frame that shows the button
   pressed (drawn while a real finger is still down).

Run: .venv/bin/python bench/ui_start.py [--runs 7] [--taps 40]. Figures only; this is not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = "READY"
PACKAGES = ("kiosk", "screens", "devices", "backend")


def ready() -> None:
    """The READY line, with the CPU time of every thread so far (Mesa's render threads too): steadier than
    wall-clock time on a shared machine."""
    print(f"{READY} {time.process_time():.4f}", flush=True)


def child_bare() -> None:
    from screens.boot import configure_window, early_environment

    early_environment()
    from kiosk.storage.config import load_config

    configure_window(load_config().profile.screen, headless=True, quiet=True)
    from kivy.base import EventLoop, runTouchApp
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish
    from kivy.uix.widget import Widget

    Window.add_widget(Widget())
    runTouchApp(embedded=True)
    EventLoop.idle()
    glFinish()
    ready()


def child_kiosk() -> None:
    from screens.pilot import Pilot

    pilot = Pilot.start(settle_frames=1)  # like the bare window: one frame
    from kivy.graphics.opengl import glFinish

    glFinish()
    on_first_frame = pilot.screen
    ready()
    # Not timed: was that first frame the finished home screen? Compare it with a frame after things settle.
    first = pilot.pixels()
    pilot.frames(10)
    settled = pilot.pixels()
    print(f"first frame showed {on_first_frame}, {'the same as' if first == settled else 'NOT the same as'} "
          "the settled home screen", flush=True)
    pilot.stop()


def child_latency(taps: int) -> None:
    from kivy.graphics.opengl import glFinish

    from screens.pilot import Pilot

    pilot = Pilot.start()
    pilot.wait_for_screen("home")
    pilot.wait_until(lambda: pilot.app.settled, what="the screens built after start")
    route = [("category:disability", "browse"), ("item:disability-subsidies", "guide"),
             ("nav:back", "browse"), ("nav:back", "home")]
    for tag, _ in route:  # first visit builds textures; measure the kiosk as it runs all day
        pilot.tap(tag)
    from_release: list[float] = []
    from_touch: list[float] = []
    while len(from_release) < taps:
        for tag, screen in route:
            widget = pilot.find(tag)
            touched = time.perf_counter()
            finger = pilot.press(widget)  # down, and the frame showing the button pressed
            released = time.perf_counter()
            pilot.release(finger, frames=0)  # up: the button acts
            while pilot.screen != screen:
                pilot.frames(1)
            pilot.frames(1)  # the new screen's frame
            glFinish()
            drawn = time.perf_counter()
            from_release.append((drawn - released) * 1000)
            from_touch.append((drawn - touched) * 1000)
    print(" ".join(f"{s:.1f}" for s in from_touch), flush=True)
    print(" ".join(f"{s:.1f}" for s in from_release), flush=True)
    pilot.stop()


def percentiles(samples: list[float]) -> str:
    p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
    return f"p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms, max {samples[-1]:.0f} ms"


def run_child(mode: str, env: dict[str, str], *extra: str) -> tuple[float, float, list[str]]:
    """Seconds from starting the process to its READY line (not to its exit: shutting down is not start-up),
    the CPU seconds the child had used by then, and the child's lines of output."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", mode, *extra], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None
    ready_after = cpu = float("nan")
    lines = []
    for line in child.stdout:
        if line.startswith(READY) and ready_after != ready_after:
            ready_after = time.perf_counter() - started
            cpu = float(line.split()[1])
        lines.append(line.strip())
    if child.wait(timeout=300) != 0 or not lines:
        raise SystemExit(f"the {mode} child failed (exit {child.returncode})")
    return ready_after, cpu, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--taps", type=int, default=40)
    parser.add_argument("--child", choices=("bare", "kiosk", "latency"))
    args = parser.parse_args()
    from screens.boot import early_environment

    early_environment()  # before anything imports Kivy (it would parse this script's arguments)
    if args.child == "bare":
        child_bare()
        return 0
    if args.child == "kiosk":
        child_kiosk()
        return 0
    if args.child == "latency":
        child_latency(args.taps)
        return 0

    env = dict(os.environ)
    env.setdefault("KIOSK_FONT_CACHE", str(Path(tempfile.gettempdir()) / "kiosk-bench-fonts"))
    # As installed (pip compiles the bytecode of what it installs), not as a source tree that compiles every
    # module at every start when PYTHONDONTWRITEBYTECODE is set.
    subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    run_child("kiosk", env)  # warm the font cache and the OS file cache for both
    bare_runs: list[tuple[float, float, list[str]]] = []
    kiosk_runs: list[tuple[float, float, list[str]]] = []
    for _ in range(args.runs):  # alternating, so a busy moment of a shared machine hits both alike
        bare_runs.append(run_child("bare", env))
        kiosk_runs.append(run_child("kiosk", env))
    bare, kiosk = ([seconds for seconds, _, _ in runs] for runs in (bare_runs, kiosk_runs))
    bare_cpu, kiosk_cpu = ([cpu for _, cpu, _ in runs] for runs in (bare_runs, kiosk_runs))
    _, _, lines = run_child("latency", env, "--taps", str(args.taps))
    from_touch, from_release = (sorted(float(x) for x in line.split()) for line in lines[-2:])
    display = os.environ.get("DISPLAY") or "SDL offscreen (Mesa llvmpipe)"
    print(f"display: {display}; {os.cpu_count()} cores; runs {args.runs}, taps {len(from_release)}")
    print(f"cold start, bare Kivy window : median {statistics.median(bare):.2f} s  "
          f"({', '.join(f'{b:.2f}' for b in bare)})")
    print(f"cold start, kiosk home drawn : median {statistics.median(kiosk):.2f} s  "
          f"({', '.join(f'{k:.2f}' for k in kiosk)})")
    print(f"  (checked after each run: {'; '.join(sorted(set(out[-1] for _, _, out in kiosk_runs)))})")
    ratio = statistics.median(kiosk) / statistics.median(bare)
    print(f"start ratio kiosk/bare       : {ratio:.2f}x  (goal <= 1.5x)")
    cpu_ratio = statistics.median(kiosk_cpu) / statistics.median(bare_cpu)
    print(f"CPU time to READY, bare/kiosk: median {statistics.median(bare_cpu):.3f} s / "
          f"{statistics.median(kiosk_cpu):.3f} s, {cpu_ratio:.2f}x  (all threads; steadier than the wall clock)")
    print(f"release -> next screen drawn : {percentiles(from_release)}  (goal p95 < 100 ms)")
    print(f"touch -> next screen drawn   : {percentiles(from_touch)}  (with the pressed-button frame)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
