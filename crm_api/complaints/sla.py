"""Response deadlines (SLA) by complaint category × customer tier, in calendar hours.

The regulatory ceiling is 15 days: 《银行业保险业消费投诉处理管理办法》(银保监会令2020年第3号)
第二十三条 requires a decision within 15 days of accepting a complaint (extendable to 30 in
complex cases, which this bank does not plan for). The bank promises faster for faults that
stop customers using their money (系统故障) and for its best customers. Anonymous visitors
(not customers) get the 普通 column.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from crm_api.customers.models import TIERS

REGULATORY_MAX_HOURS = 15 * 24

#             普通      金卡      白金     私行
SLA_HOURS: dict[str, dict[str, int]] = {
    "系统故障": dict(zip(TIERS, (48, 48, 24, 24), strict=True)),
    "服务态度": dict(zip(TIERS, (72, 72, 48, 24), strict=True)),
    "收费": dict(zip(TIERS, (120, 120, 72, 48), strict=True)),
    "业务办理": dict(zip(TIERS, (120, 120, 72, 48), strict=True)),
    "产品": dict(zip(TIERS, (240, 168, 120, 72), strict=True)),
    "其他": dict(zip(TIERS, (360, 240, 168, 120), strict=True)),
}


def sla_hours(category: str, tier: str | None) -> int:
    """Hours the bank has to resolve a complaint; never above the regulatory 15 days."""
    row = SLA_HOURS.get(category, SLA_HOURS["其他"])
    return min(row.get(tier or "普通", row["普通"]), REGULATORY_MAX_HOURS)


def due_at(filed_at: datetime, category: str, tier: str | None) -> datetime:
    return filed_at + timedelta(hours=sla_hours(category, tier))
