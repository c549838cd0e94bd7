"""The system clock behind the Clock port, in the kiosk's local time zone (China Standard Time)."""

from __future__ import annotations

import time
from datetime import datetime

from kiosk.core.localtime import CHINA_STANDARD_TIME
from kiosk.core.settings import LoadedConfig


def china_now() -> datetime:
    """Now in China Standard Time: what slips and journals show, whatever zone the machine is set to."""
    return datetime.now(CHINA_STANDARD_TIME)


class SystemClock:
    def now(self) -> datetime:
        return china_now()

    def monotonic(self) -> float:
        return time.monotonic()


def from_config(config: LoadedConfig) -> SystemClock:
    return SystemClock()
