"""Deterministic demo data: customers, cards and six months of realistic transactions.

The same seed and the same `today` give exactly the same rows. The history always ends
yesterday, so the demo has recent data whenever it is seeded. Two customers are fixed:

* id 1 张伟 (13800138000): 储蓄卡 尾号1234 ending at ¥52,380.45, and a 信用卡 with a
  ¥50,000 limit whose current statement is unpaid and due in the future;
* id 2 李娜 (13900139000): one 储蓄卡 only.

Balances are never set directly: every account starts from an opening balance before
the window and `balance_after` is the running balance, so balances always agree with
the transaction history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from faker import Faker
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from bankkit.identifiers import id_number_check_char, luhn_check_digit
from crm_api.accounts.models import (
    CREDIT_CARD,
    DEBIT_CARD,
    Account,
    AuditLogEntry,
    CardLossReport,
    Transaction,
)
from crm_api.clock import SHANGHAI, UTC, utc_now
from crm_api.complaints import seed as complaints_seed
from crm_api.customers.models import Customer
from crm_api.database import CENT
from crm_api.otp.models import OtpCode, OtpLock, SmsOutboxMessage
from crm_api.products.seed import seed_products

SEED = 20261129
HISTORY_DAYS = 183  # about six months
ZHANG_WEI_PHONE = "13800138000"
LI_NA_PHONE = "13900139000"
ZHANG_WEI_DEBIT_BALANCE = Decimal("52380.45")
ZHANG_WEI_CREDIT_LIMIT = Decimal("50000.00")
DUE_DAYS_AFTER_STATEMENT = 20

# (city, weight, 身份证 area codes of some of its districts)
CITIES: list[tuple[str, int, list[str]]] = [
    ("北京", 14, ["110101", "110105", "110108"]),
    ("上海", 14, ["310101", "310104", "310115"]),
    ("广州", 9, ["440103", "440106"]),
    ("深圳", 9, ["440303", "440304", "440305"]),
    ("杭州", 7, ["330102", "330106"]),
    ("南京", 6, ["320102", "320106"]),
    ("成都", 7, ["510104", "510107"]),
    ("武汉", 6, ["420102", "420106"]),
    ("西安", 5, ["610103", "610113"]),
    ("重庆", 6, ["500103", "500106"]),
    ("天津", 5, ["120101", "120104"]),
    ("苏州", 5, ["320505", "320508"]),
    ("长沙", 4, ["430102", "430104"]),
    ("郑州", 4, ["410102", "410105"]),
    ("青岛", 3, ["370202", "370212"]),
    ("厦门", 3, ["350203", "350206"]),
]
UTILITY_COMPANY = {
    "北京": "国网北京市电力公司",
    "上海": "国网上海市电力公司",
    "广州": "广州供电局",
    "深圳": "深圳供电局",
}

INCOME_BANDS = ["5万以下", "5-10万", "10-20万", "20-50万", "50-100万", "100万以上"]
# monthly take-home pay range in yuan per income band
MONTHLY_PAY = [
    (2800, 4000),
    (4200, 8000),
    (8500, 15000),
    (16000, 35000),
    (40000, 70000),
    (80000, 150000),
]
CREDIT_LIMITS = [
    (5000, 10000),
    (10000, 20000),
    (20000, 50000),
    (50000, 100000),
    (100000, 200000),
    (200000, 500000),
]

# (occupation, weight, likely income bands)
OCCUPATIONS: list[tuple[str, int, list[int]]] = [
    ("软件工程师", 8, [2, 3, 4]),
    ("产品经理", 4, [2, 3, 4]),
    ("教师", 7, [1, 2, 3]),
    ("医生", 4, [2, 3, 4]),
    ("护士", 4, [1, 2]),
    ("公务员", 5, [1, 2, 3]),
    ("销售经理", 5, [2, 3, 4]),
    ("会计", 5, [1, 2, 3]),
    ("律师", 2, [3, 4, 5]),
    ("设计师", 4, [1, 2, 3]),
    ("企业主", 3, [3, 4, 5]),
    ("个体工商户", 5, [1, 2, 3, 4]),
    ("银行职员", 3, [2, 3]),
    ("机械工程师", 4, [2, 3]),
    ("快递员", 4, [0, 1]),
    ("外卖骑手", 4, [0, 1]),
    ("网约车司机", 3, [0, 1, 2]),
    ("餐饮店员", 3, [0, 1]),
    ("研究生", 3, [0]),
    ("退休人员", 5, [0, 1, 2]),
    ("自由职业者", 3, [0, 1, 2, 3]),
]

DEBIT_BINS = ["622202", "622848", "621226"]  # 19-digit 借记卡
CREDIT_BINS = ["625907", "427020", "524094"]  # 16-digit 贷记卡 (银联 / Visa / Mastercard)
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]

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


def _yuan(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(CENT)


def _money_between(rng: random.Random, low: int, high: int) -> Decimal:
    return _yuan(rng.randint(low * 100, high * 100))


def _at(day: date, rng: random.Random, start_hour: int, end_hour: int) -> datetime:
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


def card_number(rng: random.Random, bin_: str, length: int, last4: str | None = None) -> str:
    """A Luhn-valid card number; with `last4`, one ending in those digits."""
    while True:
        if last4 is None:
            body = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1))
            return body + luhn_check_digit(body)
        middle = "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 4))
        body = bin_ + middle + last4[:3]
        if luhn_check_digit(body) == last4[3]:
            return body + last4[3]


def id_number(area: str, birth: date, gender: str, rng: random.Random) -> str:
    """An 18-digit 身份证 number; the 17th digit is odd for men, even for women."""
    sequence = f"{rng.randint(0, 99):02d}"
    sex_digit = rng.choice("13579" if gender == "男" else "02468")
    first17 = f"{area}{birth:%Y%m%d}{sequence}{sex_digit}"
    return first17 + id_number_check_char(first17)


@dataclass
class _Ledger:
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
class _Profile:
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

    def spend(
        self,
        ledger: _Ledger,
        start_hour: int,
        end_hour: int,
        amount: Decimal,
        counterparty: str,
        channel: str,
        category: str,
    ) -> None:
        when = _at(self.day, self.rng, start_hour, end_hour)
        self.add(when, partial(ledger.spend, when, amount, counterparty, channel, category))

    def income(
        self,
        ledger: _Ledger,
        start_hour: int,
        end_hour: int,
        amount: Decimal,
        counterparty: str,
        channel: str,
        category: str,
    ) -> None:
        when = _at(self.day, self.rng, start_hour, end_hour)
        self.add(when, partial(ledger.post, when, amount, counterparty, channel, category))

    def apply_in_time_order(self) -> None:
        for _when, apply in sorted(self.events, key=lambda event: event[0]):
            apply()


def _simulate(
    rng: random.Random,
    profile: _Profile,
    debit: _Ledger,
    credit: _Ledger | None,
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
                when = _at(day, rng, 8, 10)
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
                        debit, 8, 23, _money_between(rng, low, high), counterparty, channel, "缴费"
                    )
        # meals: mostly on the debit card, sometimes on the credit card
        for start_hour, end_hour in ((7, 9), (11, 14), (17, 21)):
            if rng.random() < 0.45 * profile.spend_level:
                channel, counterparty = _pay_channel(rng, rng.choice(RESTAURANTS))
                amount = _money_between(rng, 12, 45 if start_hour == 7 else 160)
                card = credit if credit is not None and rng.random() < 0.3 else debit
                spend(card, start_hour, end_hour, amount, counterparty, channel, "餐饮")
        if rng.random() < 0.35 * profile.spend_level:
            channel, counterparty = _pay_channel(rng, rng.choice(TRANSPORT))
            spend(debit, 7, 22, _money_between(rng, 3, 120), counterparty, channel, "交通")
        if rng.random() < 0.16 * profile.spend_level:
            if rng.random() < 0.15:
                merchant = rng.choice(BIG_TICKET_SHOPS)
                amount = _money_between(rng, 500, 600 + 2400 * profile.band)
            else:
                merchant = rng.choice(SHOPS)
                amount = _money_between(rng, 20, 400)
            channel, counterparty = _pay_channel(rng, merchant)
            card = credit if credit is not None and rng.random() < 0.6 else debit
            spend(card, 9, 23, amount, counterparty, channel, "购物")
        if rng.random() < 0.025:
            amount = Decimal(rng.choice([200, 300, 500, 1000, 2000])).quantize(CENT)
            spend(debit, 8, 22, amount, f"ATM取款 {city}分行", "ATM", "取现")
        if rng.random() < 0.03:
            if rng.random() < 0.5:
                income(
                    8, 23, _money_between(rng, 50, 2000), f"{fake_name()} 转入", "手机银行", "转账"
                )
            else:
                spend(
                    debit,
                    8,
                    23,
                    _money_between(rng, 100, 3000),
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


def _pin_final_balance(ledger: _Ledger, target: Decimal) -> None:
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


def _unique(seen: set[str], make: Callable[[], str]) -> str:
    while True:
        value = make()
        if value not in seen:
            seen.add(value)
            return value


def generate(
    *, customers: int = 200, today: date | None = None, seed: int = SEED
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for customers, accounts and transactions; pure (no database)."""
    if customers < 2:
        raise ValueError("at least the two demo customers are generated")
    today = today or utc_now().astimezone(SHANGHAI).date()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    phones = {ZHANG_WEI_PHONE, LI_NA_PHONE}
    numbers: set[str] = set()
    id_numbers: set[str] = set()
    customer_rows: list[dict[str, Any]] = []
    account_rows: list[dict[str, Any]] = []
    transaction_rows: list[dict[str, Any]] = []
    account_id = 0

    city_names = [c[0] for c in CITIES]
    city_weights = [c[1] for c in CITIES]
    occupation_weights = [o[1] for o in OCCUPATIONS]
    for index in range(customers):
        customer_id = index + 1
        if index == 0:
            name, gender, phone, city = "张伟", "男", ZHANG_WEI_PHONE, "北京"
            birth, occupation, band, tier = date(1988, 3, 15), "软件工程师", 3, "金卡"
        elif index == 1:
            name, gender, phone, city = "李娜", "女", LI_NA_PHONE, "上海"
            birth, occupation, band, tier = date(1992, 7, 8), "教师", 2, "普通"
        else:
            gender = "男" if rng.random() < 0.5 else "女"
            # Faker's zh_CN name_male/name_female ignore gender; the given-name lists do not.
            given = fake.first_name_male() if gender == "男" else fake.first_name_female()
            name = fake.last_name() + given
            phone = _unique(
                phones, lambda: rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
            )
            city = rng.choices(city_names, city_weights)[0]
            occupation, _, bands = rng.choices(OCCUPATIONS, occupation_weights)[0]
            band = rng.choice(bands)
            min_age = 22 if occupation != "退休人员" else 58
            max_age = 35 if occupation == "研究生" else 72 if occupation == "退休人员" else 58
            birth = today.replace(
                year=today.year - rng.randint(min_age, max_age), day=1
            ) - timedelta(days=rng.randint(0, 364))
            tier = (
                "私行"
                if band == 5
                else "白金"
                if band == 4
                else "金卡"
                if band == 3 or (band == 2 and rng.random() < 0.3)
                else "普通"
            )
        area = rng.choice(next(c[2] for c in CITIES if c[0] == city))
        idn = _unique(id_numbers, partial(id_number, area, birth, gender, rng))
        first_opened = today - timedelta(days=rng.randint(400, 4000))
        customer_rows.append(
            {
                "id": customer_id,
                "name": name,
                "gender": gender,
                "birth_date": birth,
                "id_number": idn,
                "phone": phone,
                "city": city,
                "occupation": occupation,
                "income_band": INCOME_BANDS[band],
                "tier": tier,
                "created_at": datetime.combine(first_opened, time(10), SHANGHAI).astimezone(UTC),
            }
        )

        low, high = MONTHLY_PAY[band]
        renter = index == 0 or (index != 1 and rng.random() < 0.45)
        profile = _Profile(
            city=city,
            band=band,
            monthly_pay=_money_between(rng, low, high),
            pay_day=10 if index < 2 else rng.choice([5, 10, 15, 20, 25]),
            employer=fake.company() if occupation != "退休人员" else f"{city}市社会保险基金",
            rent=_yuan(rng.randint(15, 60) * 10000) if renter else None,
            rent_day=rng.randint(1, 5),
            landlord=fake.last_name() + fake.first_name(),
            spend_level=rng.uniform(0.6, 1.3),
            pays_in_full=index == 0 or rng.random() < 0.75,
        )
        if index == 0:
            profile.monthly_pay, profile.rent = Decimal("21500.00"), Decimal("5200.00")
            profile.spend_level = 1.0

        has_credit = index == 0 or (index != 1 and rng.random() < 0.6)
        has_second_debit = index >= 2 and rng.random() < 0.2
        account_id += 1
        debit_number = card_number(
            rng, rng.choice(DEBIT_BINS), 19, last4="1234" if index == 0 else None
        )
        while debit_number in numbers:
            debit_number = card_number(rng, rng.choice(DEBIT_BINS), 19)
        numbers.add(debit_number)
        debit = _Ledger(account_id, False, _money_between(rng, 2000, 20000 * (band + 1)))
        debit_row: dict[str, Any] = {
            "id": account_id,
            "customer_id": customer_id,
            "account_type": DEBIT_CARD,
            "number": debit_number,
            "currency": "CNY",
            "status": "normal",
            "opened_on": first_opened,
        }
        account_rows.append(debit_row)

        credit = None
        credit_row: dict[str, Any] | None = None
        statement_day = rng.randint(1, 28)
        if has_credit:
            account_id += 1
            number = _unique(numbers, lambda: card_number(rng, rng.choice(CREDIT_BINS), 16))
            limit = (
                ZHANG_WEI_CREDIT_LIMIT
                if index == 0
                else Decimal(rng.randint(*CREDIT_LIMITS[band]) // 1000 * 1000)
            )
            if index == 0:
                # statement 8 days ago (day ≤ 28), so the current bill is unpaid and due soon
                statement_day = min((today - timedelta(days=8)).day, 28)
            credit = _Ledger(account_id, True, Decimal("0.00"), credit_limit=limit)
            credit_row = {
                "id": account_id,
                "customer_id": customer_id,
                "account_type": CREDIT_CARD,
                "number": number,
                "currency": "CNY",
                "status": "normal",
                "credit_limit": limit,
                "opened_on": first_opened + timedelta(days=rng.randint(0, 300)),
            }
            account_rows.append(credit_row)

        sim_rng = random.Random(rng.getrandbits(64))
        statement = _simulate(
            sim_rng,
            profile,
            debit,
            credit,
            credit_row["number"][-4:] if credit_row else "",
            statement_day,
            days,
            lambda: fake.last_name() + fake.first_name(),
        )
        if index == 0:
            _pin_final_balance(debit, ZHANG_WEI_DEBIT_BALANCE)
        debit_row["balance"] = debit.balance
        transaction_rows.extend(debit.rows)
        if credit is not None and credit_row is not None:
            credit_row["balance"] = credit.balance
            credit_row.update(statement)
            transaction_rows.extend(credit.rows)

        if has_second_debit:
            account_id += 1
            number = _unique(numbers, lambda: card_number(rng, rng.choice(DEBIT_BINS), 19))
            savings = _Ledger(account_id, False, _money_between(rng, 10000, 80000 * (band + 1)))
            for day in days:
                if day.day == 21 and day.month in (12, 3, 6, 9):  # quarterly interest
                    interest = (savings.balance * Decimal("0.0035") / 4).quantize(CENT)
                    savings.post(_at(day, sim_rng, 1, 3), interest, "结息", "柜面", "其他")
                if sim_rng.random() < 0.02:
                    savings.post(
                        _at(day, sim_rng, 9, 20),
                        _money_between(sim_rng, 500, 5000),
                        "本人账户转入",
                        "手机银行",
                        "转账",
                    )
            account_rows.append(
                {
                    "id": account_id,
                    "customer_id": customer_id,
                    "account_type": DEBIT_CARD,
                    "number": number,
                    "currency": "CNY",
                    "status": "normal",
                    "balance": savings.balance,
                    "opened_on": first_opened + timedelta(days=30),
                }
            )
            transaction_rows.extend(savings.rows)

    transaction_rows.sort(key=lambda r: (r["account_id"], r["occurred_at"]))
    return customer_rows, account_rows, transaction_rows


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Customer))


def clear(session: Session) -> None:
    """Delete all CRM rows (children first)."""
    complaints_seed.clear(session)  # complaints, surveys, staff (issue 4)
    for model in (
        SmsOutboxMessage,
        OtpLock,
        OtpCode,
        AuditLogEntry,
        CardLossReport,
        Transaction,
        Account,
        Customer,
    ):
        session.execute(delete(model))


def seed(*, session: Session, customers: int = 200, today: date | None = None) -> dict[str, int]:
    """Insert the demo data with bulk inserts; the caller commits. Returns row counts."""
    customer_rows, account_rows, transaction_rows = generate(customers=customers, today=today)
    session.execute(insert(Customer), customer_rows)
    session.execute(insert(Account), account_rows)
    for start in range(0, len(transaction_rows), 5000):
        session.execute(insert(Transaction), transaction_rows[start : start + 5000])
    if session.get_bind().dialect.name == "postgresql":
        # Rows were inserted with explicit ids; move the sequences past them.
        for table in ("customers", "accounts"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            )
    seed_products(session=session, customers=customer_rows, accounts=account_rows, today=today)
    complaints_seed.seed(session=session, customers=customer_rows, today=today)  # issue 4
    session.flush()
    return {
        "customers": len(customer_rows),
        "accounts": len(account_rows),
        "transactions": len(transaction_rows),
    }
