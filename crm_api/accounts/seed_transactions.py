"""Six months of realistic card activity for a demo customer's accounts.

Each account is a `Ledger` that starts from an opening balance before the window;
`balance_after` is the running balance, so balances always agree with the transaction
history. Spending follows a `SpendingProfile` (pay day, rent, how much they spend) and
goes through WeChat Pay, Alipay or a card POS like real card statements do.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from crm_api.clock import SHANGHAI, UTC
from crm_api.database import CENT

DUE_DAYS_AFTER_STATEMENT = 20

UTILITY_COMPANY = {
    "北京": "国网北京市电力公司",
    "上海": "国网上海市电力公司",
    "广州": "广州供电局",
    "深圳": "深圳供电局",
}

RESTAURANTS = [
    "美团外卖",
    "饿了么",
    "肯德基",
    "麦当劳",
    "星巴克",
    "瑞幸咖啡",
    "海底捞",
    "沙县小吃",
    "兰州拉面",
    "喜茶",
    "必胜客",
    "老乡鸡",
    "西贝莜面村",
    "太二酸菜鱼",
    "蜜雪冰城",
]
SHOPS = [
    "京东商城",
    "淘宝",
    "天猫超市",
    "拼多多",
    "盒马鲜生",
    "永辉超市",
    "优衣库",
    "屈臣氏",
    "苏宁易购",
    "沃尔玛",
    "名创优品",
    "山姆会员店",
    "唯品会",
]
TRANSPORT = ["滴滴出行", "地铁乘车码", "中国铁路12306", "中国石化加油站", "哈啰出行", "高德打车"]
BILLS = [
    ("{utility}", 80, 450),
    ("{city}自来水公司", 20, 120),
    ("{city}燃气集团", 30, 260),
    ("中国移动话费充值", 50, 200),
]
WEALTH_PRODUCTS = ["朝朝宝现金管理", "稳健理财30天", "季季红理财", "货币基金"]


def yuan(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(CENT)


def money_between(rng: random.Random, low: int, high: int) -> Decimal:
    return yuan(rng.randint(low * 100, high * 100))


def random_time_on(day: date, rng: random.Random, start_hour: int, end_hour: int) -> datetime:
    seconds = rng.randint(start_hour * 3600, end_hour * 3600 - 1)
    local = datetime.combine(day, time(), SHANGHAI) + timedelta(seconds=seconds)
    return local.astimezone(UTC)


ONLINE_ONLY = {
    "美团外卖",
    "饿了么",
    "京东商城",
    "淘宝",
    "天猫超市",
    "拼多多",
    "唯品会",
    "滴滴出行",
    "地铁乘车码",
    "中国铁路12306",
    "哈啰出行",
    "高德打车",
    "中国移动话费充值",
}
BIG_TICKET_SHOPS = ["京东商城", "苏宁易购", "天猫", "Apple Store", "国美电器", "宜家家居"]


def _pay_channel(rng: random.Random, merchant: str) -> tuple[str, str]:
    """(channel, counterparty) for a retail payment: WeChat Pay, Alipay or a card POS."""
    roll = rng.random()
    if roll < 0.45 or (merchant in ONLINE_ONLY and roll < 0.5):
        return "快捷支付", f"财付通-{merchant}"
    if roll < 0.85 or merchant in ONLINE_ONLY:
        return "快捷支付", f"支付宝-{merchant}"
    return "POS", merchant


@dataclass
class Ledger:
    """Running balance and transaction rows of one account while generating."""

    account_id: int
    is_credit: bool
    balance: Decimal
    credit_limit: Decimal = Decimal("0.00")
    rows: list[dict[str, Any]] = field(default_factory=list)
    opening: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        self.opening = self.balance

    def can_spend(self, amount: Decimal) -> bool:
        if self.is_credit:
            return self.balance + amount <= self.credit_limit
        return self.balance - amount >= 0

    def post(
        self, when: datetime, amount: Decimal, counterparty: str, channel: str, category: str
    ) -> None:
        # A credit card's balance is the amount owed: spending (−) raises it.
        self.balance = self.balance - amount if self.is_credit else self.balance + amount
        self.rows.append(
            {
                "account_id": self.account_id,
                "occurred_at": when,
                "amount": amount,
                "counterparty": counterparty,
                "channel": channel,
                "category": category,
                "balance_after": self.balance,
            }
        )

    def spend(
        self, when: datetime, amount: Decimal, counterparty: str, channel: str, category: str
    ) -> bool:
        if not self.can_spend(amount):
            return False
        self.post(when, -amount, counterparty, channel, category)
        return True


@dataclass
class SpendingProfile:
    """How a customer earns and spends: drives `simulate`."""

    city: str
    band: int
    monthly_pay: Decimal
    pay_day: int
    employer: str
    rent: Decimal | None
    rent_day: int
    landlord: str
    spend_level: float
    pays_in_full: bool


def _month_day(day: date, wanted: int) -> bool:
    return day.day == min(wanted, 28)


class _DayEvents:
    """One day's postings, drawn in any order and applied in time order."""

    def __init__(self, day: date, rng: random.Random) -> None:
        self.day, self.rng = day, rng
        self.events: list[tuple[datetime, Callable[[], object]]] = []

    def add(self, when: datetime, apply: Callable[[], object]) -> None:
        self.events.append((when, apply))

    def spend(self, ledger: Ledger, start_hour: int, end_hour: int, *posting: Any) -> None:
        """Schedule `ledger.spend(when, amount, counterparty, channel, category)`: skipped if
        the money is not there at that moment."""
        self._schedule(ledger.spend, start_hour, end_hour, posting)

    def income(self, ledger: Ledger, start_hour: int, end_hour: int, *posting: Any) -> None:
        """Schedule `ledger.post(when, amount, counterparty, channel, category)`."""
        self._schedule(ledger.post, start_hour, end_hour, posting)

    def _schedule(
        self, post: Callable[..., object], start_hour: int, end_hour: int, posting: tuple[Any, ...]
    ) -> None:
        when = random_time_on(self.day, self.rng, start_hour, end_hour)
        self.add(when, partial(post, when, *posting))

    def apply_in_time_order(self) -> None:
        for _when, apply in sorted(self.events, key=lambda event: event[0]):
            apply()


def simulate(
    rng: random.Random,
    profile: SpendingProfile,
    debit: Ledger,
    credit: Ledger | None,
    credit_last4: str,
    statement_day: int,
    days: list[date],
    fake_name: Callable[[], str],
) -> dict[str, Any]:
    """Post six months of activity; returns the credit card's current statement fields.

    Each day's events are drawn first and then applied in time order, so `balance_after`
    runs with the clock and "insufficient funds" is decided at the right moment.
    """
    statement: dict[str, Any] = {}
    pending: list[tuple[date, Decimal, Decimal]] = []  # (due date, amount, minimum)
    city = profile.city

    def repay(when: datetime, amount: Decimal, minimum: Decimal) -> None:
        assert credit is not None
        owed_now = min(amount, credit.balance)
        if owed_now <= 0:
            return
        pay = owed_now if profile.pays_in_full else max(minimum, (owed_now / 3).quantize(CENT))
        pay = min(pay, owed_now)
        if debit.spend(when, pay, f"本行信用卡还款 尾号{credit_last4}", "手机银行", "还款"):
            credit.post(when, pay, "本行储蓄卡还款", "手机银行", "还款")
        else:
            credit.post(when, pay, "他行账户还款", "网银", "还款")

    for day in days:
        events = _DayEvents(day, rng)
        spend, income = events.spend, partial(events.income, debit)
        if credit is not None:
            for due, amount, minimum in [p for p in pending if p[0] == day]:
                pending.remove((due, amount, minimum))
                when = random_time_on(day, rng, 8, 10)
                events.add(when, partial(repay, when, amount, minimum))
        if _month_day(day, profile.pay_day):
            bonus = Decimal("1.5") if day.month == 1 else Decimal(1)  # year-end bonus
            income(
                9,
                11,
                (profile.monthly_pay * bonus).quantize(CENT),
                f"{profile.employer} 代发工资",
                "网银",
                "工资",
            )
        if profile.rent is not None and _month_day(day, profile.rent_day):
            spend(debit, 10, 22, profile.rent, f"{profile.landlord}（房租）", "手机银行", "转账")
        if day.day == 18:
            for template, low, high in BILLS:
                if rng.random() < 0.75:
                    utility = UTILITY_COMPANY.get(city, f"国网{city}供电公司")
                    payee = template.format(city=city, utility=utility)
                    if rng.random() < 0.5:
                        channel, counterparty = "手机银行", payee
                    else:
                        channel, counterparty = _pay_channel(rng, payee)
                    spend(
                        debit, 8, 23, money_between(rng, low, high), counterparty, channel, "缴费"
                    )
        # meals: mostly on the debit card, sometimes on the credit card
        for start_hour, end_hour in ((7, 9), (11, 14), (17, 21)):
            if rng.random() < 0.45 * profile.spend_level:
                channel, counterparty = _pay_channel(rng, rng.choice(RESTAURANTS))
                amount = money_between(rng, 12, 45 if start_hour == 7 else 160)
                card = credit if credit is not None and rng.random() < 0.3 else debit
                spend(card, start_hour, end_hour, amount, counterparty, channel, "餐饮")
        if rng.random() < 0.35 * profile.spend_level:
            channel, counterparty = _pay_channel(rng, rng.choice(TRANSPORT))
            spend(debit, 7, 22, money_between(rng, 3, 120), counterparty, channel, "交通")
        if rng.random() < 0.16 * profile.spend_level:
            if rng.random() < 0.15:
                merchant = rng.choice(BIG_TICKET_SHOPS)
                amount = money_between(rng, 500, 600 + 2400 * profile.band)
            else:
                merchant = rng.choice(SHOPS)
                amount = money_between(rng, 20, 400)
            channel, counterparty = _pay_channel(rng, merchant)
            card = credit if credit is not None and rng.random() < 0.6 else debit
            spend(card, 9, 23, amount, counterparty, channel, "购物")
        if rng.random() < 0.025:
            amount = Decimal(rng.choice([200, 300, 500, 1000, 2000])).quantize(CENT)
            spend(debit, 8, 22, amount, f"ATM取款 {city}分行", "ATM", "取现")
        if rng.random() < 0.03:
            if rng.random() < 0.5:
                income(
                    8, 23, money_between(rng, 50, 2000), f"{fake_name()} 转入", "手机银行", "转账"
                )
            else:
                spend(
                    debit,
                    8,
                    23,
                    money_between(rng, 100, 3000),
                    f"转账给 {fake_name()}",
                    "手机银行",
                    "转账",
                )
        if profile.band >= 3 and rng.random() < 0.02:
            amount = Decimal(rng.choice([5000, 10000, 20000])).quantize(CENT)
            spend(debit, 9, 15, amount, rng.choice(WEALTH_PRODUCTS), "手机银行", "理财")

        events.apply_in_time_order()

        if credit is not None and _month_day(day, statement_day):
            amount = credit.balance
            minimum = (amount * Decimal("0.10")).quantize(CENT, ROUND_HALF_UP)
            due = day + timedelta(days=DUE_DAYS_AFTER_STATEMENT)
            statement = {
                "statement_date": day,
                "due_date": due,
                "statement_amount": amount,
                "minimum_payment": minimum,
            }
            if amount > 0:
                pending.append((due, amount, minimum))
    return statement


def pin_final_balance(ledger: Ledger, target: Decimal) -> None:
    """Shift the opening balance so the history ends exactly at `target`, never below 0."""
    shift = target - ledger.balance
    lowest = min([ledger.opening, *(r["balance_after"] for r in ledger.rows)]) + shift
    surplus = Decimal("0.00")
    if lowest < 0:
        # Start richer and move the surplus into a wealth product at the very end.
        surplus = -lowest + Decimal("1000.00")
    ledger.opening += shift + surplus
    for row in ledger.rows:
        row["balance_after"] += shift + surplus
    ledger.balance += shift + surplus
    if surplus:
        last = max(r["occurred_at"] for r in ledger.rows)
        ledger.post(last + timedelta(minutes=1), -surplus, "稳健理财30天", "手机银行", "理财")
    assert ledger.balance == target


def simulate_savings(rng: random.Random, savings: Ledger, days: list[date]) -> None:
    """A second debit card used for saving: quarterly interest and occasional top-ups."""
    for day in days:
        if day.day == 21 and day.month in (12, 3, 6, 9):  # quarterly interest
            interest = (savings.balance * Decimal("0.0035") / 4).quantize(CENT)
            savings.post(random_time_on(day, rng, 1, 3), interest, "结息", "柜面", "其他")
        if rng.random() < 0.02:
            savings.post(
                random_time_on(day, rng, 9, 20),
                money_between(rng, 500, 5000),
                "本人账户转入",
                "手机银行",
                "转账",
            )
