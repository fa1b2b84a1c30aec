"""Demo satisfaction surveys: ~5,000 end-of-conversation ratings with Chinese comments,
and the resolution surveys of the seeded complaints.

crm_api/complaints/seed.py draws these from its own random stream (a resolution survey
while drawing its complaint, the ratings after all complaints), so the order of draws
here is part of the demo data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI
from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse
from crm_api.seeding import insert_rows, move_id_sequences_past_rows, random_moment

HISTORY_DAYS = 183
SURVEYS = 5000

# intent, weight, effect on the average score
SURVEY_INTENTS = [
    ("check_balance", 22, 0.35),
    ("query_transactions", 16, 0.2),
    ("query_credit_card", 14, 0.1),
    ("faq", 16, 0.0),
    ("report_card_loss", 6, 0.2),
    ("ask_product_recommendation", 8, -0.1),
    ("ask_interest_rate", 6, 0.1),
    ("complain", 7, -1.2),
    ("query_complaint_status", 3, -0.6),
    ("request_human", 5, -0.5),
]
LOW_COMMENTS = [
    "问了三遍都没听懂我的问题，一直让我换个说法。",
    "转人工太难了，绕了半天还是机器人。",
    "回答都是套话，没有解决任何问题。",
    "查个流水还要验证码，验证码又半天收不到。",
    "机器人答非所问，浪费时间。",
    "投诉了也没人管，只给个编号有什么用。",
    "APP里的客服比电话客服还慢。",
    "问利率给我推荐理财，根本不是我要的。",
    "验证身份的步骤太繁琐了。",
    "等了好久才回复，体验很差。",
    "挂失流程还算快，但后面补卡要去网点太麻烦。",
    "说了是信用卡，结果给我查的储蓄卡。",
]
MID_COMMENTS = [
    "还行吧，基本能用。",
    "能查到余额，但是明细看着不方便。",
    "一般，有些问题还是得找人工。",
    "回答有点慢。",
]
HIGH_COMMENTS = [
    "很方便，几秒钟就查到了。",
    "挂失很快，谢谢！",
    "比打电话排队强多了。",
    "小智回答得很清楚，点赞。",
    "服务很贴心。",
    "操作简单，老人也会用。",
]


def complaint_survey(
    rng: random.Random,
    *,
    complaint: dict[str, Any],
    resolved_at: datetime,
    closed_at: datetime | None,
) -> dict[str, Any]:
    """The survey sent when a complaint is resolved; mostly answered once it is closed."""
    answered = closed_at is not None and rng.random() < 0.8
    score = rng.choices([1, 2, 3, 4, 5], [6, 8, 18, 34, 34])[0] if answered else None
    return {
        "reference": f"complaint:{complaint['number']}:0",
        "kind": "complaint",
        "status": "answered" if answered else "pending",
        "conversation_id": None,
        "complaint_id": complaint["id"],
        "customer_id": complaint["customer_id"],
        "channel": complaint["channel"],
        "human_involved": True,
        "score": score,
        "nps_score": None,
        "comment": rng.choice(LOW_COMMENTS[5:7]) if answered and score and score <= 2 else None,
        "created_at": resolved_at,
        "answered_at": closed_at if answered else None,
        "survey_day": closed_at.astimezone(SHANGHAI).date() if answered and closed_at else None,
    }


def conversation_surveys(rng: random.Random, *, today: date, now: datetime) -> list[dict[str, Any]]:
    """Ratings at the end of bot conversations over six months, with the intents discussed
    (under "_intents" until `number_surveys`)."""
    rows: list[dict[str, Any]] = []
    intent_names = [i[0] for i in SURVEY_INTENTS]
    intent_weights = [i[1] for i in SURVEY_INTENTS]
    intent_effect = {i[0]: i[2] for i in SURVEY_INTENTS}
    for n in range(SURVEYS):
        day = today - timedelta(days=int(rng.triangular(0, HISTORY_DAYS, 0)))
        if day.weekday() >= 5 and rng.random() < 0.3:
            day -= timedelta(days=2)  # fewer chats at weekends
        when = random_moment(day, rng, 7, 23)
        if when >= now:
            when = now - timedelta(minutes=rng.randint(5, 600))
        channel = "app" if rng.random() < 0.56 else "web"
        chosen = list(
            dict.fromkeys(
                rng.choices(intent_names, intent_weights, k=1 if rng.random() < 0.7 else 2)
            )
        )
        human = "request_human" in chosen or rng.random() < 0.08
        # Satisfaction improves slowly over the six months (the bot gets retrained).
        progress = 1 - (today - day).days / HISTORY_DAYS
        mean = 3.75 + 0.35 * progress + sum(intent_effect[i] for i in chosen) / len(chosen)
        mean += 0.15 if channel == "app" else 0
        mean += 0.2 if human else 0
        score = max(1, min(5, round(rng.gauss(mean, 1.0))))
        comment = None
        if score <= 2 and rng.random() < 0.6:
            comment = rng.choice(LOW_COMMENTS)
        elif score == 3 and rng.random() < 0.2:
            comment = rng.choice(MID_COMMENTS)
        elif score >= 4 and rng.random() < 0.12:
            comment = rng.choice(HIGH_COMMENTS)
        nps_score = None
        if rng.random() < 0.25:
            nps_score = max(0, min(10, round(rng.gauss(score * 2 - 0.5, 1.5))))
        survey_day = when.astimezone(SHANGHAI).date()
        rows.append(
            {
                "reference": f"seed-{n:05d}:1",
                "kind": "conversation",
                "status": "answered",
                "conversation_id": f"seed-{n:05d}",
                "complaint_id": None,
                "customer_id": None,
                "channel": channel,
                "human_involved": human,
                "score": score,
                "nps_score": nps_score,
                "comment": comment,
                "created_at": when,
                "answered_at": when,
                "survey_day": survey_day,
                "_intents": chosen,
            }
        )
    return rows


def number_surveys(surveys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give the surveys ids in time order; returns their intent rows for the dashboard."""
    intents: list[dict[str, Any]] = []
    surveys.sort(key=lambda s: (s["created_at"], s["reference"]))
    for sid, survey in enumerate(surveys, start=1):
        survey["id"] = sid
        for intent in survey.pop("_intents", []):
            intents.append(
                {
                    "response_id": sid,
                    "intent": intent,
                    "channel": survey["channel"],
                    "survey_day": survey["survey_day"],
                    "score": survey["score"],
                }
            )
    return intents


def insert(session: Session, surveys: list[dict[str, Any]], intents: list[dict[str, Any]]) -> None:
    insert_rows(session, SatisfactionResponse, surveys)
    insert_rows(session, SatisfactionIntent, intents)
    move_id_sequences_past_rows(session, ["satisfaction_responses"])


def clear(session: Session) -> None:
    for model in (SatisfactionIntent, SatisfactionResponse):
        session.execute(delete(model))
