"""The handoff routes' dependencies: who may call them, the bot's channel, the live feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from crm_api.deps import require_role
from crm_api.handoff.bot_channel import BotChannel
from crm_api.handoff.feed import ConsoleFeed
from crm_api.handoff.realtime import ConsoleHub
from crm_api.staff.models import StaffUser

HandoffStaff = Annotated[StaffUser, Depends(require_role("agent", "supervisor"))]
SupervisorStaff = Annotated[StaffUser, Depends(require_role("supervisor"))]


def get_bot_channel(request: Request) -> BotChannel:
    channel: BotChannel = request.app.state.bot_channel
    return channel


def get_console_feed(request: Request, tasks: BackgroundTasks) -> ConsoleFeed:
    hub: ConsoleHub = request.app.state.console_hub
    return ConsoleFeed(hub, tasks)


BotChannelDep = Annotated[BotChannel, Depends(get_bot_channel)]
ConsoleFeedDep = Annotated[ConsoleFeed, Depends(get_console_feed)]
