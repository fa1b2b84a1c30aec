"""What crm_api answers and what the actions send it, as TypedDicts.

One class per crm_api schema the action server uses, named as its OpenAPI component
(crm_api/*/schemas.py). They are written again here rather than shared because they
cannot be: crm_api's schemas are pydantic 2 models, the action server runs on Rasa's
pydantic 1, and `actions` never imports `crm_api` (the two meet only over HTTP). So the
OpenAPI schema is the contract: tests/crm_api/test_action_contract.py, which runs in
crm_api's environment, compares every class here, keys and types, with the app's OpenAPI
components. That is also why this module imports nothing outside the standard library and
bankkit, which both environments have.

Answers carry every key of their schema (crm_api sends `null`, never leaves a key out).
Request bodies carry the keys the actions send; `*Create`/`*Update` are requests.

Wire conventions: money is a string with two decimals (`Money`, "12345.67"), rates are
yearly percentages as strings (`Percent`, "2.60"), dates and datetimes are ISO-8601 strings
(`IsoDate`, `IsoDateTime`, with the +08:00 offset). `as_decimal` turns money or a rate into
a Decimal where an action computes with it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, TypedDict, get_args

from bankkit.complaints import ComplaintCategory, ComplaintStatus

Money = str
Percent = str
IsoDate = str
IsoDateTime = str


def as_decimal(value: Money | Percent) -> Decimal:
    """Money or a rate from the CRM as a Decimal, for arithmetic (never a float)."""
    return Decimal(str(value))


# ---- customers, accounts, cards ----------------------------------------------------

AccountType = Literal["储蓄卡", "信用卡"]


class CustomerPublic(TypedDict):
    id: int
    name: str
    gender: Literal["男", "女"]
    masked_phone: str
    masked_id_number: str
    city: str
    occupation: str
    income_band: str
    tier: Literal["普通", "金卡", "白金", "私行"]


class AccountPublic(TypedDict):
    id: int
    account_type: AccountType
    masked_number: str
    last4: str
    status: Literal["normal", "frozen", "lost"]
    currency: Literal["CNY"]
    balance: Money  # 储蓄卡: available balance; 信用卡: amount owed (≥ 0)
    credit_limit: Money | None
    available_credit: Money | None
    opened_on: IsoDate


class TransactionPublic(TypedDict):
    id: int
    occurred_at: IsoDateTime
    amount: Money  # signed: + income, − spending
    counterparty: str
    channel: str
    category: str
    balance_after: Money


class TransactionPage(TypedDict):
    items: list[TransactionPublic]  # newest first
    total: int  # over the whole range, not the page
    income_total: Money
    spending_total: Money  # positive
    start: IsoDate
    end: IsoDate


class CreditCardStatement(TypedDict):
    account_id: int
    masked_number: str
    statement_date: IsoDate
    due_date: IsoDate
    statement_amount: Money
    minimum_payment: Money
    credit_limit: Money
    available_credit: Money
    current_balance: Money


CardLossReason = Literal["lost", "stolen", "swallowed"]


class CardLossCreate(TypedDict):
    reason: CardLossReason
    channel: str


class CardLossResult(TypedDict):
    account: AccountPublic
    already_reported: bool
    reported_at: IsoDateTime
    reference: str


# ---- one-time codes ------------------------------------------------------------------


class OtpRequestCreate(TypedDict):
    phone: str


class OtpRequestPublic(TypedDict):
    expires_in: int  # seconds
    masked_phone: str


class OtpVerifyCreate(TypedDict):
    phone: str
    code: str


class OtpVerifyPublic(TypedDict):
    customer_id: int
    name: str
    masked_phone: str


# ---- complaints and satisfaction -------------------------------------------------------

ContactMethod = Literal["电话", "短信", "手机银行消息"]


class ComplaintCreate(TypedDict):
    category: ComplaintCategory
    description: str
    contact_method: ContactMethod
    channel: str
    customer_id: int | None
    contact_phone: str | None  # required when there is no customer_id
    account_ref: str | None
    occurred_text: str | None
    conversation_id: str | None


class ComplaintFiled(TypedDict):
    number: str
    status: ComplaintStatus
    category: ComplaintCategory
    created_at: IsoDateTime
    due_at: IsoDateTime
    sla_hours: int
    created: bool  # False: a retry of an earlier request with the same key


class ComplaintStatusPublic(TypedDict):
    number: str
    category: ComplaintCategory
    status: ComplaintStatus
    created_at: IsoDateTime
    due_at: IsoDateTime
    sla_breached: bool
    latest_note: str | None
    latest_note_at: IsoDateTime | None
    resolution: str | None


class SatisfactionCreate(TypedDict):
    reference: str
    channel: str
    score: int | None
    comment: str | None
    conversation_id: str | None
    customer_id: int | None
    intents: list[str]
    human_involved: bool


class SatisfactionPublic(TypedDict):
    id: int
    reference: str | None
    kind: str
    score: int | None
    nps_score: int | None
    comment: str | None
    answered_at: IsoDateTime | None
    created: bool


# ---- products, risk assessment, recommendations, leads --------------------------------

ProductType = Literal["定期存款", "大额存单", "理财", "基金", "贷款", "信用卡", "保险"]
PRODUCT_TYPES: tuple[ProductType, ...] = get_args(ProductType)


class ProductPublic(TypedDict):
    id: int
    code: str
    name: str
    product_type: ProductType
    subtype: str
    is_investment: bool
    risk_level: int | None  # 1..5 = R1..R5
    risk_label: str | None
    term_days: int | None
    term_label: str
    max_term_months: int | None
    min_amount: Money
    max_amount: Money | None
    rate: Percent | None
    rate_kind: Literal["fixed", "benchmark", "historical", "loan", "none"]
    rate_label: str
    min_age: int
    max_age: int | None
    target_customers: str
    features: str
    sale_status: Literal["on_sale", "closed", "upcoming"]


class RatePublic(TypedDict):
    product_code: str
    name: str
    product_type: ProductType
    subtype: str
    term_days: int | None
    term_label: str
    max_term_months: int | None
    rate: Percent
    rate_kind: Literal["fixed", "benchmark", "historical", "loan"]
    rate_label: str
    min_amount: Money


class OptionPublic(TypedDict):
    key: str
    text: str


class QuestionPublic(TypedDict):
    id: str
    text: str
    options: list[OptionPublic]


class QuestionnairePublic(TypedDict):
    version: str
    validity_days: int
    questions: list[QuestionPublic]


class AssessmentCreate(TypedDict):
    answers: dict[str, str]  # question id → option key
    channel: str


class AssessmentPublic(TypedDict):
    id: int
    customer_id: int
    risk_level: int  # 1..5 = C1..C5
    risk_code: str
    risk_label: str
    score: int
    assessed_at: IsoDateTime
    expires_at: IsoDateTime
    questionnaire_version: str


class RecommendationCreate(TypedDict, total=False):
    product_type: str
    amount: Money
    horizon_months: int
    limit: int
    channel: str


class RecommendationItem(TypedDict):
    recommendation_id: int
    rank: int
    score: float
    product: ProductPublic
    reasons: list[str]
    risk_disclosure: str | None  # set for investment products; must be shown


class RecommendationList(TypedDict):
    request_id: str
    model_version: str
    risk_assessment_valid: bool
    risk_level: int | None
    risk_label: str | None
    items: list[RecommendationItem]
    excluded: dict[str, int]  # suitability rule → how many products it kept out


Interest = Literal["interested", "not_interested", "viewed_details"]


class InterestUpdate(TypedDict):
    interest: Interest


class InterestPublic(TypedDict):
    recommendation_id: int
    interest: str | None
    interest_at: IsoDateTime | None


class _LeadCreateRequired(TypedDict):
    product_code: str
    channel: str


class LeadCreate(_LeadCreateRequired, total=False):
    recommendation_id: int
    amount: Money


class LeadPublic(TypedDict):
    id: int
    reference: str
    customer_id: int
    product: ProductPublic
    amount: Money | None
    status: Literal["new", "contacted", "converted", "closed"]
    channel: str
    created_at: IsoDateTime
    already_exists: bool  # True: an open lead for the product existed and is returned


# ---- human handoff ---------------------------------------------------------------------

HandoffReason = Literal["customer_request", "not_understood", "angry", "fraud", "service_error"]


class HandoffCreate(TypedDict):
    conversation_id: str
    customer_id: int | None
    channel: str
    reason: HandoffReason
    last_message: str | None


class HandoffTicket(TypedDict):
    status: Literal["queued", "unavailable"]
    handoff_id: int | None
    position: int | None
    expected_wait_minutes: int | None
    unavailable_reason: Literal["outside_hours", "no_agents"] | None
    service_hours: str


class CallbackCreate(TypedDict):
    conversation_id: str
    customer_id: int | None
    phone: str | None  # required when there is no customer_id
    preferred_time: str
    reason: HandoffReason
    channel: str


class CallbackPublic(TypedDict):
    id: int
    conversation_id: str
    customer_id: int | None
    phone_masked: str | None
    preferred_time: str
    reason: str
    channel: str
    status: str
    created_at: IsoDateTime
