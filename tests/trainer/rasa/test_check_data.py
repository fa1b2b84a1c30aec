"""Tests for the training-data checker (trainer/checks/data.py, `make check-data`).

A small clean project is written to tmp_path; each case seeds one defect and asserts
the checker reports it with the right check, file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.check_data import main
from trainer.checks.data import (
    ERROR,
    WARNING,
    CheckConfig,
    Finding,
    comparison_key,
    format_report,
    run_checks,
)

REPO = Path(__file__).resolve().parents[3]
# small thresholds so the clean project below passes with a few examples
CONFIG = CheckConfig(min_examples=3, min_faq_examples=2)

CLEAN_PROJECT = {
    "config.yml": """\
language: zh
pipeline:
  - name: JiebaTokenizer
    dictionary_path: data/nlu/dict
""",
    # two flows' files: the checker knows the entities of both
    "domain/accounts.yml": """\
version: "3.1"
intents:
  - check_balance
  - greet
entities:
  - account_type
  - phone_number
  - time_period
""",
    "domain/products.yml": """\
version: "3.1"
intents:
  - ask_product_info
  - give_rating
  - faq
entities:
  - product_type
  - rating
""",
    "data/nlu/accounts.yml": """\
version: "3.1"
nlu:
- intent: check_balance
  examples: |
    - 查余额
    - 我的[储蓄卡](account_type)还有多少钱
    - [借记卡]{"entity": "account_type", "value": "储蓄卡"}余额
    - [儲蓄卡](account_type)裡還有多少
- intent: greet
  examples: |
    - 你好
    - 在吗
    - 早上好
    - hi
""",
    "data/nlu/products.yml": """\
version: "3.1"
nlu:
- intent: ask_product_info
  examples: |
    - [理財產品](product_type)收益多少
    - [定存](product_type)利率是多少
    - [基金]{"entity": "product_type", "value": "基金"}风险大吗
- intent: give_rating
  examples: |
    - [五分]{"entity": "rating", "value": "5"}
    - 给[4](rating)分吧
    - [非常滿意]{"entity": "rating", "value": "5"}
""",
    "data/nlu/synonyms.yml": """\
version: "3.1"
nlu:
- synonym: 理财
  examples: |
    - 理财产品
    - 理財產品
- synonym: 定期存款
  examples: |
    - 定存
- lookup: product_type
  examples: |
    - 理财
    - 定存
- regex: money_like
  examples: |
    - \\d+(万|元)
""",
    "data/faq/faq.yml": """\
version: "3.1"
nlu:
- intent: faq/business_hours
  examples: |
    - 你们几点开门
    - 周末上班吗
- intent: faq/card_activation
  examples: |
    - 新卡怎么激活
    - 卡要激活吗
responses:
  utter_faq/business_hours:
  - text: 工作日九点到五点。
""",
    "data/nlu/dict/terms.txt": "储蓄卡 2000 n\n大额存单 1000 n\n",
}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _line(path: Path, text: str) -> int:
    """1-based number of the last line whose content (without "- ") is ``text``."""
    numbers = [
        number
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if raw.strip() == text or raw.strip().removeprefix("- ") == text
    ]
    assert numbers, f"{text!r} not in {path}"
    return numbers[-1]


def _after(anchor: str, added: str) -> tuple[str, str]:
    """A replacement that adds a line ``- added`` after the example line ``- anchor``."""
    return f"    - {anchor}\n", f"    - {anchor}\n    - {added}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    _write(tmp_path, CLEAN_PROJECT)
    return tmp_path


def test_the_clean_project_is_clean(project: Path) -> None:
    # Traditional in example texts, in synonym examples and in annotations whose value
    # is their own text is normalised by the pipeline and must not be reported.
    assert run_checks(project, CONFIG) == []


# (file, (old, new) replacement, expected check, severity, text of the reported line)
CASES = [
    # exact duplicate within an intent
    ("data/nlu/accounts.yml", _after("hi", "早上好"), "duplicate", ERROR, "- 早上好"),
    # a duplicate in Traditional characters: the model sees the same text
    ("data/nlu/accounts.yml", _after("hi", "早上號"), None, None, None),
    ("data/nlu/accounts.yml", _after("查余额", "查餘額"), "duplicate", ERROR, "- 查餘額"),
    # full-width, upper case and spaces are normalised away as well
    ("data/nlu/accounts.yml", _after("hi", "ＨＩ"), "duplicate", ERROR, "- ＨＩ"),
    ("data/nlu/accounts.yml", _after("在吗", "你 好"), "duplicate", ERROR, "- 你 好"),
    # entity markup is stripped before comparing
    ("data/nlu/accounts.yml", _after("[儲蓄卡](account_type)裡還有多少", "我的储蓄卡还有多少钱"), "duplicate", ERROR, "- 我的储蓄卡还有多少钱"),
    # the same text under intents in two files (reported at the later one)
    ("data/nlu/products.yml", _after("[五分]{\"entity\": \"rating\", \"value\": \"5\"}", "您好"), None, None, None),
    ("data/nlu/products.yml", _after("[定存](product_type)利率是多少", "在嗎"), "conflict", ERROR, "- 在嗎"),
    # two FAQ retrieval intents sharing a question
    ("data/faq/faq.yml", _after("卡要激活吗", "周末上班吗"), "conflict", ERROR, "- 周末上班吗"),
    # too few examples: an intent and a retrieval intent (reported at the intent line)
    ("data/nlu/accounts.yml", ("    - 在吗\n    - 早上好\n", ""), "too-few", ERROR, "- intent: greet"),
    ("data/faq/faq.yml", ("    - 卡要激活吗\n", ""), "too-few", ERROR, "- intent: faq/card_activation"),
    # an entity the domain does not declare
    ("data/nlu/accounts.yml", _after("查余额", "[工资](salary_type)到账了吗"), "unknown-entity", ERROR, "- [工资](salary_type)到账了吗"),
    # a surface form with no synonym to a canonical value
    ("data/nlu/accounts.yml", _after("查余额", "[活期](account_type)余额"), "entity-value", ERROR, "- [活期](account_type)余额"),
    # an explicit value that is not canonical
    ("data/nlu/accounts.yml", _after("查余额", '[活期]{"entity": "account_type", "value": "活期账户"}余额'), "entity-value", ERROR, '- [活期]{"entity": "account_type", "value": "活期账户"}余额'),
    # a synonym that maps to the canonical value of another entity
    ("data/nlu/accounts.yml", _after("查余额", "[定存](account_type)里有多少"), "entity-value", ERROR, "- [定存](account_type)里有多少"),
    # rating out of 1–5
    ("data/nlu/products.yml", _after("给[4](rating)分吧", '[6分]{"entity": "rating", "value": "6"}'), "entity-value", ERROR, '- [6分]{"entity": "rating", "value": "6"}'),
    # a phone number of ten digits
    ("data/nlu/accounts.yml", _after("查余额", '手机[138 0013 800]{"entity": "phone_number", "value": "1380013800"}'), "entity-value", ERROR, '- 手机[138 0013 800]{"entity": "phone_number", "value": "1380013800"}'),
    # a valid phone number, annotated: only a warning (StructuredEntityExtractor finds it)
    ("data/nlu/accounts.yml", _after("查余额", "手机[138 0013 8000](phone_number)"), "structured-annotation", WARNING, "- 手机[138 0013 8000](phone_number)"),
    # a synonym whose target is not canonical
    ("data/nlu/synonyms.yml", ("- lookup: product_type\n", "- synonym: 活期\n  examples: |\n    - 活期账户\n- lookup: product_type\n"), "synonym", ERROR, "- synonym: 活期"),
    # one surface form, two targets
    ("data/nlu/synonyms.yml", _after("定存", "理财产品"), "synonym", ERROR, "- 理财产品"),
    # Traditional / full-width where the normaliser does not reach
    ("data/nlu/synonyms.yml", _after("定存", "大額存單"), None, None, None),  # synonym example: fine
    ("data/nlu/synonyms.yml", ("- synonym: 定期存款\n", "- synonym: 定期存款\n  examples: |\n    - 定存\n- synonym: 貸款\n"), "not-normalised", ERROR, "- synonym: 貸款"),
    ("data/nlu/synonyms.yml", _after("理财", "理財"), "not-normalised", ERROR, "- 理財"),
    ("data/nlu/synonyms.yml", _after("理财", "ＡＴＭ"), "not-normalised", ERROR, "- ＡＴＭ"),
    ("data/nlu/synonyms.yml", ("\\d+(万|元)", "\\d+(萬|元)"), "not-normalised", ERROR, "- \\d+(萬|元)"),
    ("data/nlu/dict/terms.txt", ("大额存单 1000 n\n", "大额存单 1000 n\n貸款 1000 n\n"), "not-normalised", ERROR, "貸款 1000 n"),
    ("data/nlu/accounts.yml", _after("查余额", '[借記卡]{"entity": "account_type", "value": "儲蓄卡"}'), "not-normalised", ERROR, '- [借記卡]{"entity": "account_type", "value": "儲蓄卡"}'),
    # malformed markup
    ("data/nlu/accounts.yml", _after("查余额", '[借记卡]{"entity": "account_type", "value": }'), "markup", ERROR, '- [借记卡]{"entity": "account_type", "value": }'),
]  # fmt: skip


@pytest.mark.parametrize(("name", "replacement", "check", "severity", "line_text"), CASES)
def test_a_seeded_defect_is_reported_at_its_file_and_line(
    project: Path,
    name: str,
    replacement: tuple[str, str],
    check: str | None,
    severity: str | None,
    line_text: str | None,
) -> None:
    path = project / name
    old, new = replacement
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    findings = run_checks(project, CONFIG)

    if check is None:  # a variant the checker must accept
        assert findings == []
        return
    assert line_text is not None
    expected = (severity, check, path, _line(path, line_text))
    assert expected in [(f.severity, f.check, f.path, f.line) for f in findings], findings


def test_a_defect_is_reported_once_and_alone(project: Path) -> None:
    accounts = project / "data/nlu/accounts.yml"
    old, new = _after("hi", "早上好")
    accounts.write_text(accounts.read_text().replace(old, new), encoding="utf-8")
    assert [(f.check, f.line) for f in run_checks(project, CONFIG)] == [
        ("duplicate", _line(accounts, "- 早上好"))
    ]


def test_block_literal_lines_follow_blank_lines_and_comments(project: Path) -> None:
    accounts = project / "data/nlu/accounts.yml"
    text = accounts.read_text().replace(
        "- intent: greet\n  examples: |\n",
        "# greetings\n- intent: greet\n  examples: |  # comment on the indicator line\n\n",
    )
    accounts.write_text(text.replace("    - hi\n", "    - hi\n    - 你好\n"), encoding="utf-8")
    findings = run_checks(project, CONFIG)
    assert [(f.check, f.line) for f in findings] == [("duplicate", _line(accounts, "- 你好"))]


def test_the_minimum_number_of_examples_is_configurable(project: Path) -> None:
    assert run_checks(project, CheckConfig(min_examples=4, min_faq_examples=2)) != []
    assert run_checks(project, CheckConfig(min_examples=3, min_faq_examples=3)) != []
    assert main(["--root", str(project), "--min-examples", "3", "--min-faq-examples", "2"]) == 0
    assert main(["--root", str(project), "--min-examples", "4", "--min-faq-examples", "2"]) == 1


def test_the_report_names_file_line_and_the_other_location(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    products = project / "data/nlu/products.yml"
    old, new = _after("[定存](product_type)利率是多少", "早上好")
    products.write_text(products.read_text().replace(old, new), encoding="utf-8")

    status = main(["--root", str(project), "--min-examples", "3", "--min-faq-examples", "2"])

    out = capsys.readouterr().out
    assert status == 1
    assert "ERRORS: The same example under different intents (1)" in out
    assert f"data/nlu/products.yml:{_line(products, '- 早上好')}:" in out
    assert "data/nlu/accounts.yml:13" in out  # where 早上好 is a greet example
    assert "1 error(s), 0 warning(s)" in out


def test_warnings_alone_do_not_fail(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accounts = project / "data/nlu/accounts.yml"
    old, new = _after("查余额", "手机[13800138000](phone_number)")
    accounts.write_text(accounts.read_text().replace(old, new), encoding="utf-8")
    assert main(["--root", str(project), "--min-examples", "3", "--min-faq-examples", "2"]) == 0
    assert "0 error(s), 1 warning(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("余額多少", "余额多少"),  # Traditional
        ("ＯＫ　好的", "ok好的"),  # full-width, case, ideographic space
        ("帳戶餘額", "账户余额"),  # the bank's 账, not zhconv's 帐
    ],
)
def test_comparison_key_is_what_the_model_sees(a: str, b: str) -> None:
    assert comparison_key(a) == comparison_key(b)


def test_format_report_of_nothing_says_clean() -> None:
    assert format_report([]) == "check-data: the training data is clean"
    finding = Finding(ERROR, "too-few", REPO / "data/x.yml", 3, "intent x has 1 examples")
    assert "data/x.yml:3: intent x has 1 examples" in format_report([finding], root=REPO)


def test_the_repository_data_is_clean() -> None:
    findings = run_checks(REPO)
    assert findings == [], format_report(findings, root=REPO)
