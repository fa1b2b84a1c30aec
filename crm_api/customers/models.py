"""Bank customers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, get_args

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from bankkit.identifiers import is_valid_id_number, normalise_phone
from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime

if TYPE_CHECKING:
    from crm_api.accounts.models import Account

Gender = Literal["男", "女"]
GENDERS: tuple[Gender, ...] = get_args(Gender)
Tier = Literal["普通", "金卡", "白金", "私行"]
TIERS: tuple[Tier, ...] = get_args(Tier)
# yearly income, lowest first (the recommender reads the position as a feature)
INCOME_BANDS = ("5万以下", "5-10万", "10-20万", "20-50万", "50-100万", "100万以上")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("gender IN ('男', '女')", name="gender"),
        CheckConstraint("tier IN ('普通', '金卡', '白金', '私行')", name="tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[Gender] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(18), unique=True, comment="18位居民身份证号")
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    city: Mapped[str] = mapped_column(String(30))
    occupation: Mapped[str] = mapped_column(String(50))
    income_band: Mapped[str] = mapped_column(String(30), comment="年收入区间")
    tier: Mapped[Tier] = mapped_column(String(4), default="普通")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    accounts: Mapped[list[Account]] = relationship(
        back_populates="customer", order_by="Account.id", passive_deletes=True
    )

    @validates("id_number")
    def _validate_id_number(self, _key: str, value: str) -> str:
        if not is_valid_id_number(value):
            raise ValueError("invalid 身份证 number (length or checksum)")
        return value

    @validates("phone")
    def _validate_phone(self, _key: str, value: str) -> str:
        phone = normalise_phone(value)
        if phone is None:
            raise ValueError("invalid mainland mobile number")
        return phone
