"""Deterministic demo data for complaints, satisfaction surveys and staff users.

Called from crm_api/seed.py. Six months up to `today`: ~300 complaints across
categories, tiers and statuses (some past their deadline), their notes, follow-ups and
resolution surveys, and ~5,000 end-of-conversation ratings with Chinese comments.

Demo staff passwords: `CRM_STAFF_DEMO_PASSWORD`, else the documented demo default
(`crm_api.staff.service.DEMO_DEFAULT_PASSWORD`, refused at login in production). With
`CRM_ENV=production` no demo staff are created at all.
"""

from __future__ import annotations

import logging
import os
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, insert, text
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI, UTC, shanghai_day_start, utc_now
from crm_api.complaints.models import (
    ANONYMOUS_BRANCH,
    Complaint,
    ComplaintNote,
    FollowUpTask,
)
from crm_api.complaints.service import FOLLOW_UP_AFTER, branch_of_city, complaint_number
from crm_api.complaints.sla import sla_hours
from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse
from crm_api.staff.models import StaffSession, StaffUser
from crm_api.staff.service import DEMO_DEFAULT_PASSWORD, hash_password

logger = logging.getLogger(__name__)

SEED = 20261129 + 4
HISTORY_DAYS = 183
COMPLAINTS = 300
SURVEYS = 5000

# username, display name, role, branch
DEMO_STAFF = [
    ("xiaoli", "小李", "agent", "北京分行"),
    ("xiaowang", "小王", "agent", "上海分行"),
    ("xiaochen", "小陈", "agent", "广州分行"),
    ("xiaozhao", "小赵", "agent", ANONYMOUS_BRANCH),
    ("zhangzhuguan", "张主管", "supervisor", "总行"),
    ("liuxunlian", "刘老师", "trainer", "总行"),
]

CATEGORY_WEIGHTS = {
    "系统故障": 22,
    "服务态度": 20,
    "业务办理": 20,
    "收费": 18,
    "产品": 10,
    "其他": 10,
}
DESCRIPTIONS: dict[str, list[str]] = {
    "系统故障": [
        "手机银行APP转账时一直转圈，最后提示交易失败，但是钱已经扣了。",
        "今天早上登录网银一直提示系统繁忙，试了十几次都进不去，耽误我交房租。",
        "APP更新以后一打开就闪退，换了手机也一样。",
        "ATM取款没出钞但是账户扣款了，已经两天了还没退回。",
        "U盾插上电脑没反应，网银付款付不了，客服电话也打不通。",
        "收不到短信验证码，绑卡绑了半天都不行。",
    ],
    "服务态度": [
        "网点柜员态度很差，问两句就不耐烦，还说我听不懂就别办。",
        "大堂经理一直推销理财，我说不需要还一直缠着，很反感。",
        "打客服热线排队四十分钟，接通后客服直接挂了我的电话。",
        "柜员办业务的时候一直在玩手机，让我等了半个多小时。",
        "理财经理说话很冲，我问收益的问题他说“自己不会看吗”。",
    ],
    "收费": [
        "我的卡莫名其妙被扣了年费，开卡的时候没人说过有年费。",
        "跨行转账收了手续费，之前说好是免费的。",
        "账户管理费每个季度都扣，我根本没开通过这个服务。",
        "信用卡分期的手续费比宣传的高很多，感觉被误导了。",
        "短信通知费一个月扣两块，我从来没申请过。",
    ],
    "业务办理": [
        "去网点办理挂失补卡，跑了三次还没办好，每次都说缺材料。",
        "房贷提前还款申请交了一个月，到现在没人联系我。",
        "销户要求本人到开户网点办理，我人在外地，太不方便了。",
        "信用卡提额申请被拒，也不告诉原因。",
        "工资卡被冻结了，网点说要等上面审核，一直没结果。",
    ],
    "产品": [
        "买的理财产品到期收益比宣传的预期收益低一大截，销售时没说清楚风险。",
        "大额存单说可以随时转让，结果挂了一个月都没人接。",
        "基金定投扣款日期和说好的不一样，导致我账户透支。",
        "信用卡积分规则改了也没通知，攒的积分突然不能兑换了。",
    ],
    "其他": [
        "网点门口的无障碍通道被堆了东西，老人进出很不方便。",
        "营销短信太多了，退订了还在发。",
        "网点营业时间和地图上写的不一样，白跑一趟。",
        "我的个人信息好像被泄露了，总接到自称你们银行的推销电话。",
    ],
}
RESOLUTIONS: dict[str, list[str]] = {
    "系统故障": [
        "经核查为系统升级导致交易冲正延迟，款项已原路退回，并致歉。",
        "已协助客户升级APP至最新版本并清理缓存，问题已解决。",
    ],
    "服务态度": [
        "已对涉事员工进行批评教育并纳入考核，网点负责人已电话致歉。",
        "已调取录音核实，对相关人员进行服务规范再培训。",
    ],
    "收费": [
        "经核实年费收取不符合减免规则，已全额退还。",
        "已向客户解释收费依据并为其办理费用减免。",
    ],
    "业务办理": [
        "已开通绿色通道，为客户加急办理完毕。",
        "已安排客户经理上门核实资料，业务已办结。",
    ],
    "产品": [
        "已向客户说明产品条款与实际收益构成，并登记后续产品适当性回访。",
        "已按照合同约定为客户办理提前赎回。",
    ],
    "其他": ["已联系相关部门整改，并向客户反馈结果。", "已将客户号码加入营销免打扰名单。"],
}
PROGRESS_NOTES = [
    "已联系客户了解详细情况，正在调取交易记录核实。",
    "已转交相关业务部门处理，预计三个工作日内答复。",
    "已调取网点监控及录音，正在核实。",
    "已与客户电话沟通，客户同意等待核查结果。",
]

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


def _at(day: date, rng: random.Random, start_hour: int = 8, end_hour: int = 22) -> datetime:
    moment = time(rng.randint(start_hour, end_hour - 1), rng.randint(0, 59), rng.randint(0, 59))
    return datetime.combine(day, moment, SHANGHAI).astimezone(UTC)


def _staff_rows() -> list[dict[str, Any]]:
    if os.environ.get("CRM_ENV", "development").strip().lower() == "production":
        logger.warning("seed.demo_staff_skipped env=production (use `manage create-staff`)")
        return []
    password = os.environ.get("CRM_STAFF_DEMO_PASSWORD") or DEMO_DEFAULT_PASSWORD
    created = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "id": i + 1,
            "username": u,
            "display_name": n,
            "role": r,
            "branch": b,
            "password_hash": hash_password(password),
            "active": True,
            "failed_logins": 0,
            "created_at": created,
        }
        for i, (u, n, r, b) in enumerate(DEMO_STAFF)
    ]


def generate(
    *, customers: list[dict[str, Any]], today: date, staff: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Rows per table; pure apart from the password hashes passed in with `staff`."""
    rng = random.Random(SEED)
    now = shanghai_day_start(today)  # history ends at midnight, like the transactions
    agents_by_branch: dict[str, list[int]] = {}
    supervisors = [s["id"] for s in staff if s["role"] == "supervisor"]
    for s in staff:
        if s["role"] == "agent":
            agents_by_branch.setdefault(s["branch"], []).append(s["id"])
    names = {s["id"]: s["display_name"] for s in staff}

    complaints: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    follow_ups: list[dict[str, Any]] = []
    surveys: list[dict[str, Any]] = []
    intents: list[dict[str, Any]] = []

    def note(
        cid: int,
        when: datetime,
        body: str,
        kind: str = "note",
        public: bool = False,
        author: int | None = None,
    ) -> None:
        notes.append(
            {
                "id": len(notes) + 1,
                "complaint_id": cid,
                "author_id": author,
                "author_name": names.get(author or 0, "系统"),
                "kind": kind,
                "body": body,
                "public": public,
                "created_at": when,
            }
        )

    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    filed_times = sorted(
        _at(today - timedelta(days=rng.randint(0, HISTORY_DAYS - 1)), rng)
        for _ in range(COMPLAINTS)
    )
    filed_times = [t for t in filed_times if t < now]
    per_day: dict[date, int] = {}
    for index, created in enumerate(filed_times):
        cid = index + 1
        local_day = created.astimezone(SHANGHAI).date()
        per_day[local_day] = per_day.get(local_day, 0) + 1
        category = rng.choices(categories, weights)[0]
        customer = rng.choice(customers) if customers and rng.random() < 0.85 else None
        if customer is not None:
            tier, branch = customer["tier"], branch_of_city(customer["city"])
            phone = None
        else:
            tier, branch = "普通", ANONYMOUS_BRANCH
            phone = (
                rng.choice(["135", "139", "158", "186", "177"]) + f"{rng.randint(0, 10**8 - 1):08d}"
            )
        hours = sla_hours(category, tier)
        due = created + timedelta(hours=hours)
        age_hours = (now - created).total_seconds() / 3600
        pool = agents_by_branch.get(branch) or supervisors or [None]
        assignee = rng.choice(pool) if staff else None
        # How long handling takes: mostly within the SLA, ~12% late.
        took = hours * (rng.uniform(1.05, 1.6) if rng.random() < 0.12 else rng.uniform(0.1, 0.95))
        status, resolved_at, closed_at = "已受理", None, None
        if staff and (age_hours > 48 or (age_hours > 4 and rng.random() < 0.6)):
            status = "处理中"
        if age_hours > took and staff and rng.random() < 0.93:
            status, resolved_at = "已解决", created + timedelta(hours=took)
            if age_hours > took + 72 and rng.random() < 0.85:
                status, closed_at = "已关闭", resolved_at + timedelta(hours=rng.uniform(48, 96))
        if status == "已受理":
            assignee = None
        reopened = 1 if resolved_at and rng.random() < 0.04 else 0
        row = {
            "id": cid,
            "number": complaint_number(created, per_day[local_day]),
            "customer_id": customer["id"] if customer else None,
            "contact_name": None
            if customer
            else rng.choice(["王先生", "刘女士", "陈先生", "赵女士"]),
            "contact_phone": phone,
            "contact_method": rng.choice(["电话", "短信", "手机银行消息"])
            if customer
            else rng.choice(["电话", "短信"]),
            "category": category,
            "description": rng.choice(DESCRIPTIONS[category]),
            "account_ref": rng.choice([None, None, "储蓄卡", "信用卡"]) if customer else None,
            "occurred_text": rng.choice([None, "昨天", "上周", "前天下午", "这个月初"]),
            "channel": rng.choice(["app", "web", "app"]),
            "conversation_id": None,
            "idempotency_key": None,
            "request_fingerprint": None,
            "customer_tier": tier,
            "branch": branch,
            "status": status,
            "assignee_id": assignee,
            "sla_hours": hours,
            "created_at": created,
            "updated_at": closed_at or resolved_at or created,
            "due_at": due,
            "resolved_at": resolved_at,
            "closed_at": closed_at,
            "reopen_count": reopened,
            "resolution": rng.choice(RESOLUTIONS[category]) if resolved_at else None,
        }
        complaints.append(row)
        local_due = due.astimezone(SHANGHAI)
        note(
            cid,
            created,
            f"投诉已受理，我们将在{local_due.month}月{local_due.day}日"
            f"{local_due:%H:%M}前给您答复。",
            kind="created",
            public=True,
        )
        if status != "已受理" and assignee:
            started = created + timedelta(hours=min(2.0, took / 4))
            note(cid, started, "已受理 → 处理中", kind="status", author=assignee)
            note(
                cid,
                started + timedelta(minutes=30),
                rng.choice(PROGRESS_NOTES),
                public=rng.random() < 0.6,
                author=assignee,
            )
        if resolved_at is not None and assignee:
            note(cid, resolved_at, "处理中 → 已解决", kind="status", author=assignee)
            note(cid, resolved_at, f"处理结果：{row['resolution']}", public=True, author=assignee)
            done = closed_at is not None
            follow_ups.append(
                {
                    "id": len(follow_ups) + 1,
                    "complaint_id": cid,
                    "assignee_id": assignee,
                    "status": "已完成" if done else "待回访",
                    "due_at": resolved_at + FOLLOW_UP_AFTER,
                    "created_at": resolved_at,
                    "completed_at": closed_at,
                    "outcome": "客户对处理结果表示认可。" if done else None,
                }
            )
            answered = done and rng.random() < 0.8
            score = rng.choices([1, 2, 3, 4, 5], [6, 8, 18, 34, 34])[0] if answered else None
            surveys.append(
                {
                    "reference": f"complaint:{row['number']}:0",
                    "kind": "complaint",
                    "status": "answered" if answered else "pending",
                    "conversation_id": None,
                    "complaint_id": cid,
                    "customer_id": row["customer_id"],
                    "channel": row["channel"],
                    "human_involved": True,
                    "score": score,
                    "nps_score": None,
                    "comment": rng.choice(LOW_COMMENTS[5:7])
                    if answered and score and score <= 2
                    else None,
                    "created_at": resolved_at,
                    "answered_at": closed_at if answered else None,
                    "survey_day": closed_at.astimezone(SHANGHAI).date()
                    if answered and closed_at
                    else None,
                }
            )
        if closed_at is not None and assignee:
            note(cid, closed_at, "已解决 → 已关闭：回访完成", kind="status", author=assignee)

    intent_names = [i[0] for i in SURVEY_INTENTS]
    intent_weights = [i[1] for i in SURVEY_INTENTS]
    intent_effect = {i[0]: i[2] for i in SURVEY_INTENTS}
    for n in range(SURVEYS):
        day = today - timedelta(days=int(rng.triangular(0, HISTORY_DAYS, 0)))
        if day.weekday() >= 5 and rng.random() < 0.3:
            day -= timedelta(days=2)  # fewer chats at weekends
        when = _at(day, rng, 7, 23)
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
        surveys.append(
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
    return {
        "complaints": complaints,
        "complaint_notes": notes,
        "complaint_follow_ups": follow_ups,
        "satisfaction_responses": surveys,
        "satisfaction_intents": intents,
    }


def clear(session: Session) -> None:
    """Delete this package's rows (before the customers they point to)."""
    for model in (
        SatisfactionIntent,
        SatisfactionResponse,
        FollowUpTask,
        ComplaintNote,
        Complaint,
        StaffSession,
        StaffUser,
    ):
        session.execute(delete(model))


def seed(*, session: Session, customers: list[dict[str, Any]], today: date | None = None) -> None:
    """Insert staff, complaints and surveys; the caller commits."""
    today = today or utc_now().astimezone(SHANGHAI).date()
    staff = _staff_rows()
    rows = generate(customers=customers, today=today, staff=staff)
    if staff:
        session.execute(insert(StaffUser), staff)
    for model, key in (
        (Complaint, "complaints"),
        (ComplaintNote, "complaint_notes"),
        (FollowUpTask, "complaint_follow_ups"),
        (SatisfactionResponse, "satisfaction_responses"),
        (SatisfactionIntent, "satisfaction_intents"),
    ):
        for start in range(0, len(rows[key]), 5000):
            if rows[key][start : start + 5000]:
                session.execute(insert(model), rows[key][start : start + 5000])
    if session.get_bind().dialect.name == "postgresql":
        for table in (
            "staff_users",
            "complaints",
            "complaint_notes",
            "complaint_follow_ups",
            "satisfaction_responses",
        ):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            )
    logger.info(
        "seed.complaints complaints=%d surveys=%d staff=%d",
        len(rows["complaints"]),
        len(rows["satisfaction_responses"]),
        len(staff),
    )
