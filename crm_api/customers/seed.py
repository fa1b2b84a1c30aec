"""Demo customers: realistic Chinese names, phones, 身份证 numbers, cities and occupations.

Two customers are fixed and come first whatever the count:

* id 1 张伟 (13800138000), 软件工程师 in 北京, 金卡;
* id 2 李娜 (13900139000), 教师 in 上海, 普通.

Customers are drawn from the random stream that the orchestrator (crm_api/seed.py)
shares with their accounts, so the order of draws here is part of the demo data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TypedDict

from faker import Faker
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bankkit.identifiers import id_number_check_char
from crm_api.clock import SHANGHAI, UTC
from crm_api.customers.models import INCOME_BANDS, Customer, Gender, Tier
from crm_api.seeding import draw_unique, insert_rows, move_id_sequences_past_rows

ZHANG_WEI_ID = 1
LI_NA_ID = 2
ZHANG_WEI_PHONE = "13800138000"
LI_NA_PHONE = "13900139000"

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


def id_number(area: str, birth: date, gender: str, rng: random.Random) -> str:
    """An 18-digit 身份证 number; the 17th digit is odd for men, even for women."""
    sequence = f"{rng.randint(0, 99):02d}"
    sex_digit = rng.choice("13579" if gender == "男" else "02468")
    first17 = f"{area}{birth:%Y%m%d}{sequence}{sex_digit}"
    return first17 + id_number_check_char(first17)


class CustomerRow(TypedDict):
    """A `customers` row as drawn; the other domains' seeds read it too."""

    id: int
    name: str
    gender: Gender
    birth_date: date
    id_number: str
    phone: str
    city: str
    occupation: str
    income_band: str
    tier: Tier
    created_at: datetime


@dataclass(frozen=True)
class DemoCustomer:
    """A customer row plus what their accounts are drawn from."""

    row: CustomerRow
    band: int  # index into INCOME_BANDS
    first_opened: date  # the day their first account was opened


class CustomerDraw:
    """Draws customers in id order, never repeating a phone or 身份证 number."""

    def __init__(self, *, rng: random.Random, fake: Faker, today: date) -> None:
        self.rng, self.fake, self.today = rng, fake, today
        self.phones = {ZHANG_WEI_PHONE, LI_NA_PHONE}
        self.id_numbers: set[str] = set()
        self.city_names = [c[0] for c in CITIES]
        self.city_weights = [c[1] for c in CITIES]
        self.occupation_weights = [o[1] for o in OCCUPATIONS]

    def draw(self, customer_id: int) -> DemoCustomer:
        rng, fake, today = self.rng, self.fake, self.today
        gender: Gender
        tier: Tier
        if customer_id == ZHANG_WEI_ID:
            name, gender, phone, city = "张伟", "男", ZHANG_WEI_PHONE, "北京"
            birth, occupation, band, tier = date(1988, 3, 15), "软件工程师", 3, "金卡"
        elif customer_id == LI_NA_ID:
            name, gender, phone, city = "李娜", "女", LI_NA_PHONE, "上海"
            birth, occupation, band, tier = date(1992, 7, 8), "教师", 2, "普通"
        else:
            gender = "男" if rng.random() < 0.5 else "女"
            # Faker's zh_CN name_male/name_female ignore gender; the given-name lists do not.
            given = fake.first_name_male() if gender == "男" else fake.first_name_female()
            name = fake.last_name() + given
            phone = draw_unique(
                self.phones,
                lambda: rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            )
            city = rng.choices(self.city_names, self.city_weights)[0]
            occupation, _, bands = rng.choices(OCCUPATIONS, self.occupation_weights)[0]
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
        idn = draw_unique(self.id_numbers, partial(id_number, area, birth, gender, rng))
        first_opened = today - timedelta(days=rng.randint(400, 4000))
        row: CustomerRow = {
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
        return DemoCustomer(row=row, band=band, first_opened=first_opened)


def insert(session: Session, rows: Sequence[CustomerRow]) -> None:
    insert_rows(session, Customer, rows)
    move_id_sequences_past_rows(session, ["customers"])


def clear(session: Session) -> None:
    session.execute(delete(Customer))
