"""The investor risk questionnaire (投资者风险承受能力评估问卷) and its scoring.

Ten questions, each answered with one option worth 1–5 points; the total (10–50) maps
to C1 保守型 … C5 激进型. One answer caps the result: a customer who accepts no loss of
principal at all is C1 whatever else they answered (the regulator's reading of
suitability: the stated loss tolerance overrides the arithmetic).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

QUESTIONNAIRE_VERSION = "2026.1"
VALIDITY_DAYS = 365

RISK_LEVEL_LABELS = {1: "保守型", 2: "谨慎型", 3: "稳健型", 4: "积极型", 5: "激进型"}
# inclusive upper bounds of the total score for C1..C4; anything above is C5
LEVEL_BOUNDS = (18, 26, 34, 42)
NO_LOSS_QUESTION, NO_LOSS_OPTION = "q8", "A"


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    points: int


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


def _q(qid: str, text: str, *options: tuple[str, int]) -> Question:
    keys = "ABCDE"
    return Question(qid, text, tuple(Option(keys[i], t, p) for i, (t, p) in enumerate(options)))


QUESTIONS: tuple[Question, ...] = (
    _q(
        "q1",
        "您的年龄是？",
        ("18–30岁", 4),
        ("31–45岁", 5),
        ("46–55岁", 3),
        ("56–65岁", 2),
        ("65岁以上", 1),
    ),
    _q(
        "q2",
        "您的家庭年收入大约是？",
        ("10万元以下", 1),
        ("10–30万元", 2),
        ("30–50万元", 3),
        ("50–100万元", 4),
        ("100万元以上", 5),
    ),
    _q(
        "q3",
        "您可用于投资的金融资产（存款、理财、基金等）大约有多少？",
        ("5万元以下", 1),
        ("5–20万元", 2),
        ("20–50万元", 3),
        ("50–300万元", 4),
        ("300万元以上", 5),
    ),
    _q(
        "q4",
        "您的投资经验是？",
        ("没有，只存过银行存款", 1),
        ("买过国债、银行低风险理财", 2),
        ("买过基金或中等风险理财，不到3年", 3),
        ("投资股票、基金3–5年", 4),
        ("5年以上，做过股票、期货等高风险投资", 5),
    ),
    _q(
        "q5",
        "您对金融产品和投资风险的了解程度？",
        ("基本不了解", 1),
        ("了解一点", 2),
        ("一般", 3),
        ("比较了解", 4),
        ("非常了解", 5),
    ),
    _q(
        "q6",
        "这笔钱您计划投资多长时间？",
        ("1年以内，随时可能要用", 1),
        ("1–3年", 3),
        ("3–5年", 4),
        ("5年以上", 5),
    ),
    _q(
        "q7",
        "您投资的主要目的是？",
        ("保住本金，跑赢存款就好", 1),
        ("稳定的收益", 2),
        ("收益和风险平衡", 3),
        ("较高的收益，能承受一定波动", 4),
        ("追求高收益，不怕大波动", 5),
    ),
    _q(
        "q8",
        "您最多能接受投资本金亏损多少？",
        ("不能接受任何亏损", 1),
        ("5%以内", 2),
        ("5%–15%", 3),
        ("15%–30%", 4),
        ("30%以上", 5),
    ),
    _q(
        "q9",
        "如果您的投资三个月内下跌了20%，您会？",
        ("马上全部卖出", 1),
        ("卖出一部分", 2),
        ("继续持有，等待回升", 4),
        ("逢低加仓", 5),
    ),
    _q(
        "q10",
        "未来三年内，您家里有没有大额支出计划（买房、子女教育、看病等）？",
        ("有，而且要动用大部分积蓄", 1),
        ("有，但影响不大", 3),
        ("没有", 5),
    ),
)
QUESTIONS_BY_ID = {q.id: q for q in QUESTIONS}


class InvalidAnswers(ValueError):
    """Answers missing, for unknown questions, or with unknown options."""


def score_answers(answers: Mapping[str, str]) -> tuple[int, int]:
    """(total score, risk level 1..5) of a complete answer sheet; `InvalidAnswers` else."""
    unknown = set(answers) - set(QUESTIONS_BY_ID)
    missing = set(QUESTIONS_BY_ID) - set(answers)
    if unknown or missing:
        raise InvalidAnswers(f"unknown={sorted(unknown)} missing={sorted(missing)}")
    total = 0
    for qid, key in answers.items():
        option = QUESTIONS_BY_ID[qid].option(str(key).strip().upper())
        if option is None:
            raise InvalidAnswers(f"{qid}: no option {key!r}")
        total += option.points
    level = 1 + sum(total > bound for bound in LEVEL_BOUNDS)
    if str(answers[NO_LOSS_QUESTION]).strip().upper() == NO_LOSS_OPTION:
        level = 1
    return total, level


def level_code(level: int) -> str:
    return f"C{level}"
