"""The agent's first message when claiming a conversation: the customer learns that a
person has taken over and has read the whole conversation (customer-facing wording)."""

from __future__ import annotations

JOIN_GREETING = "您好，我是人工客服{agent}，已经看到您前面的对话内容，马上为您处理。"


def join_greeting(agent_name: str) -> str:
    return JOIN_GREETING.format(agent=agent_name)
