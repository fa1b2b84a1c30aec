"""Whether a person can take a conversation now: the service window, who is online, and
the one exception (fraud cannot wait for the window to open)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI
from crm_api.config import Settings
from crm_api.handoff.presence import online_staff

UnavailableReason = Literal["outside_hours", "no_agents"]


@dataclass(frozen=True)
class ServiceHours:
    """Daily service window in Beijing time, e.g. "08:00-22:00" ("00:00-24:00": always)."""

    start: time
    end: time | None  # None: until midnight

    @classmethod
    def parse(cls, text: str) -> ServiceHours:
        start_text, _, end_text = text.replace(" ", "").partition("-")
        start = time.fromisoformat(start_text)
        end = None if end_text == "24:00" else time.fromisoformat(end_text)
        return cls(start, end)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(SHANGHAI).time()
        return self.start <= local and (self.end is None or local < self.end)

    def label(self) -> str:
        end = "24:00" if self.end is None else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


def service_hours(settings: Settings) -> ServiceHours:
    return ServiceHours.parse(settings.handoff_service_hours)


def unavailable_reason(
    *, session: Session, now: datetime, hours: ServiceHours, window_seconds: int, reason: str
) -> UnavailableReason | None:
    """Why no person can take a conversation handed over for `reason` now, or None.

    Fraud is taken whenever someone is online, even outside service hours: the money may
    still be stopped. Outside hours with nobody online it stays "outside_hours".
    """
    if not hours.is_open(now):
        if reason == "fraud" and online_staff(
            session=session, now=now, window_seconds=window_seconds
        ):
            return None
        return "outside_hours"
    if not online_staff(session=session, now=now, window_seconds=window_seconds):
        return "no_agents"
    return None
