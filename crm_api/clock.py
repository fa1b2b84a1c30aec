"""Time source; injected as a dependency so tests control "now" instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

UTC = timezone.utc
# China has used UTC+8 without daylight saving since 1991, so a fixed offset is exact
# and avoids depending on the tz database being installed.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def shanghai_today(now: datetime) -> date:
    """The bank's calendar day (Asia/Shanghai) at `now`."""
    return now.astimezone(SHANGHAI).date()


def shanghai_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in Asia/Shanghai, as a UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(UTC)
