"""Examples the NLU inbox writes into data/ are read by Rasa and pass `rasa data validate`.

`trainer.nlu_files` (stdlib + ruamel.yaml) is what the console and `manage inbox`
use to append an accepted message; here Rasa itself reads the result.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from trainer.nlu_files import Entity, TrainingFiles
from trainer.project import CONFIG, DOMAIN

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the training data with one example of each kind written by the inbox."""
    target = tmp_path_factory.mktemp("annotated")
    shutil.copytree(ROOT / "data", target / "data")
    shutil.copytree(ROOT / DOMAIN, target / DOMAIN)
    shutil.copy(ROOT / CONFIG, target / CONFIG)
    files = TrainingFiles(target)
    text = "帮我瞅瞅工资卡上礼拜花了多少"
    files.add_example(
        "query_transactions",
        text,
        [
            Entity(text.index("工资卡"), text.index("工资卡") + 3, "account_type", "储蓄卡"),
            Entity(text.index("上礼拜"), text.index("上礼拜") + 3, "time_period"),
        ],
    )
    files.add_example("request_human", "能不能换个活人跟我说 [急]", [])  # indented file
    files.add_example("faq/business_hours", "礼拜天你们开门不", [])  # a retrieval intent
    return target


def test_rasa_reads_the_written_examples_with_their_entities(repo: Path) -> None:
    data = RasaYAMLReader().read(str(repo / "data" / "nlu" / "accounts.yml"))
    message = next(
        m for m in data.intent_examples if m.get("text") == "帮我瞅瞅工资卡上礼拜花了多少"
    )
    assert message.get("intent") == "query_transactions"
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [
        ("account_type", "储蓄卡"),
        ("time_period", "上礼拜"),
    ]
    human = RasaYAMLReader().read(str(repo / "data" / "nlu" / "human.yml"))
    # ASCII brackets outside an annotation would be markup: written full-width
    assert "能不能换个活人跟我说 ［急］" in [m.get("text") for m in human.intent_examples]
    faq = RasaYAMLReader().read(str(repo / "data" / "faq" / "branches_accounts.yml"))
    written = next(m for m in faq.intent_examples if m.get("text") == "礼拜天你们开门不")
    assert (
        written.get("intent") == "faq"
        and written.get("intent_response_key") == "faq/business_hours"
    )


def test_only_the_example_lines_changed_and_comments_stayed(repo: Path) -> None:
    for rel, added in [
        (
            "data/nlu/accounts.yml",
            '    - 帮我瞅瞅[工资卡]{"entity": "account_type", "value": "储蓄卡"}'
            "[上礼拜](time_period)花了多少",
        ),
        ("data/nlu/human.yml", "      - 能不能换个活人跟我说 ［急］"),
        ("data/faq/branches_accounts.yml", "    - 礼拜天你们开门不"),
    ]:
        before = (ROOT / rel).read_text(encoding="utf-8").splitlines()
        after = (repo / rel).read_text(encoding="utf-8").splitlines()
        assert [line for line in after if line not in before] == [added], rel
        assert len(after) == len(before) + 1
        assert [ln for ln in before if ln.lstrip().startswith("#")] == [
            ln for ln in after if ln.lstrip().startswith("#")
        ]


def _validate(cwd: Path) -> tuple[int, set[str]]:
    """`rasa data validate` in `cwd`: its exit code and the warnings it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate"]
        + ["--config", "config.yml", "--domain", "domain", "--data", "data"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    output = result.stdout + result.stderr
    warnings = {
        line.split("UserWarning:", 1)[1].strip()
        for line in output.splitlines()
        if "UserWarning:" in line
    }
    return result.returncode, warnings


def test_rasa_data_validate_accepts_the_annotated_data_with_no_new_warning(repo: Path) -> None:
    code, warnings = _validate(repo)
    assert code == 0, warnings
    _, baseline = _validate(ROOT)
    assert warnings == baseline


def test_the_data_checks_find_nothing_wrong_with_the_annotated_data(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_data.py"), "--root", str(repo)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
