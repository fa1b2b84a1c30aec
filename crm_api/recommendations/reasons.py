"""Plain-Chinese reasons for a recommendation, from the parts of its score."""

from __future__ import annotations

from crm_api.products.models import RISK_LABELS
from crm_api.recommendations.recommender import Scored
from crm_api.recommendations.snapshot import CustomerInfo
from crm_api.risk.questionnaire import RISK_LEVEL_LABELS

MAX_REASONS = 3
USER_CF_THRESHOLD = 0.5
ITEM_CF_THRESHOLD = 0.5


def _term(days: int | None) -> str:
    if days is None:
        return "可随时申赎"
    if days % 365 == 0:
        return f"{days // 365}年"
    return f"{days}天"


def explain(scored: Scored, customer: CustomerInfo) -> list[str]:
    """Up to three reasons, strongest first; always at least one."""
    product = scored.product
    candidates: list[tuple[float, str]] = []
    for weight, key, values in scored.fit_reasons:
        text = _fit_text(key, values, scored, customer)
        if text:
            candidates.append((weight, text))
    if scored.parts.get("user_cf", 0) >= USER_CF_THRESHOLD:
        candidates.append(
            (
                0.8 * scored.parts["user_cf"],
                "与您年龄、收入和资产情况相近的客户中，不少人选择了这款产品",
            )
        )
    if scored.anchor is not None and scored.parts.get("item_cf", 0) >= ITEM_CF_THRESHOLD:
        candidates.append(
            (
                0.7 * scored.parts["item_cf"],
                f"持有「{scored.anchor.name}」的客户也常配置这款产品",
            )
        )
    candidates.sort(key=lambda c: -c[0])
    reasons: list[str] = []
    for _, text in candidates:
        if text not in reasons:
            reasons.append(text)
    reasons = reasons[:MAX_REASONS]
    if product.is_investment and customer.risk_level and not any("风险" in r for r in reasons):
        # the suitability match is always worth saying for an investment product
        reasons = [*reasons[: MAX_REASONS - 1], _fit_text("risk_match", {}, scored, customer)]
    if not reasons:
        reasons = ["这是本行同类产品中比较受客户欢迎的一款"]
    return reasons


def _fit_text(key: str, values: dict[str, str], scored: Scored, customer: CustomerInfo) -> str:
    product = scored.product
    level = RISK_LEVEL_LABELS.get(customer.risk_level or 0, "")
    if key == "idle_cash":
        return (
            f"您活期账户近三个月平均余额较高（约{values['avg_balance']}元），"
            "闲置资金放在这里收益更好"
        )
    if key == "risk_match":
        label = RISK_LABELS.get(product.risk_level or 0, "")
        return f"产品风险等级为{label}，在您风险测评结果（{level}）可承受的范围内"
    if key == "capital_safe":
        return "存款保本保息，受存款保险保障，适合稳健打理资金"
    if key == "retired":
        return "您的年龄阶段更看重本金安全和稳定收益，这款产品比较稳妥"
    if key == "business_owner":
        return "您是企业主/个体经营者，这款贷款专门用于生产经营周转"
    if key == "renting":
        return "您近三个月一直在付房租，且收入稳定，可以考虑贷款买房"
    if key == "stable_salary":
        return f"您每月工资收入稳定（约{values['salary']}元），还款能力较好"
    if key == "spending":
        return f"您近三个月每月消费约{values['spending']}元，用信用卡消费可享免息期和积分"
    if key == "family_protection":
        return "您正处在上有老、下有小的阶段，补充健康保障很有必要"
    if key == "horizon":
        return f"期限{_term(product.term_days)}，与您计划的投资期限（{values['months']}个月）相匹配"
    if key == "liquid":
        return "可随时申购赎回，资金灵活"
    if key == "amount_ok":
        return f"起购金额{product.min_amount:,.0f}元，您计划的{values['amount']}元可以购买"
    return ""
