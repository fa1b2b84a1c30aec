"""The agent's quick replies in the console (customer-facing wording; `{agent}` is the
agent's display name)."""

from __future__ import annotations

QUICK_REPLIES = [
    "您好，我是人工客服{agent}，很高兴为您服务。",
    "请稍等，我马上为您查询。",
    "为了您的资金安全，请不要向任何人透露密码和短信验证码。",
    "已为您记录，我们会在1个工作日内给您回复。",
    "如果已经转账给对方，请立即拨打110报警，并尽快冻结相关银行卡。",
    "请问还有其他可以帮您的吗？",
    "感谢您的耐心等待，祝您生活愉快！",
]


def quick_replies_for(agent_name: str) -> list[str]:
    return [reply.format(agent=agent_name) for reply in QUICK_REPLIES]
