"""The system clock behind the Clock port, in the kiosk's local time zone (China Standard Time)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from kiosk.core.settings import LoadedConfig

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(CHINA_STANDARD_TIME)

    def monotonic(self) -> float:
        return time.monotonic()


def from_config(config: LoadedConfig) -> SystemClock:
    return SystemClock()
