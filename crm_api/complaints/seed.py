"""Deterministic demo data for complaints: ~300 over six months up to `today`, across
categories, tiers and statuses (some past their deadline), with their notes, follow-ups
and resolution surveys (crm_api/satisfaction/seed.py draws those, and the
end-of-conversation ratings, from the same random stream after the complaints).

Called from crm_api/seed.py after the staff the complaints are assigned to.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI, shanghai_day_start, utc_now
from crm_api.complaints.models import (
    ANONYMOUS_BRANCH,
    Complaint,
    ComplaintNote,
    FollowUpTask,
)
from crm_api.complaints.service import FOLLOW_UP_AFTER, branch_of_city, complaint_number
from crm_api.complaints.sla import sla_hours
from crm_api.customers.seed import CustomerRow
from crm_api.satisfaction import seed as satisfaction_seed
from crm_api.seeding import insert_rows, move_id_sequences_past_rows, random_moment
from crm_api.staff.seed import StaffRow

logger = logging.getLogger(__name__)

SEED = 20261129 + 4
HISTORY_DAYS = 183
COMPLAINTS = 300

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


def generate(
    *, customers: Sequence[CustomerRow], today: date, staff: Sequence[StaffRow]
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
        random_moment(today - timedelta(days=rng.randint(0, HISTORY_DAYS - 1)), rng)
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
        pool: Sequence[int | None] = agents_by_branch.get(branch) or supervisors or [None]
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
            surveys.append(
                satisfaction_seed.complaint_survey(
                    rng, complaint=row, resolved_at=resolved_at, closed_at=closed_at
                )
            )
        if closed_at is not None and assignee:
            note(cid, closed_at, "已解决 → 已关闭：回访完成", kind="status", author=assignee)

    surveys.extend(satisfaction_seed.conversation_surveys(rng, today=today, now=now))
    intents = satisfaction_seed.number_surveys(surveys)
    return {
        "complaints": complaints,
        "complaint_notes": notes,
        "complaint_follow_ups": follow_ups,
        "satisfaction_responses": surveys,
        "satisfaction_intents": intents,
    }


def clear(session: Session) -> None:
    """Delete the complaints and their surveys (before the customers and staff they name)."""
    satisfaction_seed.clear(session)
    for model in (FollowUpTask, ComplaintNote, Complaint):
        session.execute(delete(model))


def seed(
    *,
    session: Session,
    customers: Sequence[CustomerRow],
    staff: Sequence[StaffRow],
    today: date | None = None,
) -> None:
    """Insert complaints and surveys, assigned to `staff`; the caller commits."""
    today = today or utc_now().astimezone(SHANGHAI).date()
    rows = generate(customers=customers, today=today, staff=staff)
    insert_rows(session, Complaint, rows["complaints"])
    insert_rows(session, ComplaintNote, rows["complaint_notes"])
    insert_rows(session, FollowUpTask, rows["complaint_follow_ups"])
    move_id_sequences_past_rows(session, ["complaints", "complaint_notes", "complaint_follow_ups"])
    satisfaction_seed.insert(session, rows["satisfaction_responses"], rows["satisfaction_intents"])
    logger.info(
        "seed.complaints complaints=%d surveys=%d staff=%d",
        len(rows["complaints"]),
        len(rows["satisfaction_responses"]),
        len(staff),
    )
