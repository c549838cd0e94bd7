"""How long to wait for something on this machine now: a wait's nominal limit, stretched while the machine is
loaded. A kiosk's own waits are fixed by its configuration; this is for the waits of the walkthrough, the pilot
and the tests, which run beside other work and must not fail only because the machine was busy."""

from __future__ import annotations

import os

SCALE_ENV = "KIOSK_WAIT_SCALE"  # a factor for slow machines (e.g. 3 under valgrind); 1 by default
MAX_STRETCH = 6.0


def patient(timeout_s: float) -> float:
    """`timeout_s` times the load per core over the last minute (at least 1, at most MAX_STRETCH), times
    $KIOSK_WAIT_SCALE."""
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # no load average on this system
        load = 1.0
    try:
        scale = float(os.environ.get(SCALE_ENV, "1"))
    except ValueError:
        scale = 1.0
    return timeout_s * min(MAX_STRETCH, max(1.0, load)) * max(scale, 0.1)
