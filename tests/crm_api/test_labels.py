"""GET /api/v1/labels: the console's Chinese labels, from the CRM's tables and data/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankkit.complaints import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES
from crm_api.config import REPO_ROOT
from crm_api.labels.service import intent_labels
from crm_api.staff.models import ROLE_LABELS
from tests.crm_api.conftest import assert_error
from tests.crm_api.staff_helpers import login, make_staff
from trainer.inbox.service import REASON_LABELS
from trainer.project import DOMAIN, entry_names, load_domain

URL = "/api/v1/labels"
CONSOLE = REPO_ROOT / "crm_api" / "console"


@pytest.mark.parametrize("role", ["agent", "supervisor", "trainer"])
def test_every_role_gets_the_labels(client: TestClient, session: Session, role: str) -> None:
    headers = login(client, make_staff(session, role))
    response = client.get(URL, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["complaint_categories"] == list(COMPLAINT_CATEGORIES)
    assert body["complaint_statuses"] == ["已受理", "处理中", "已解决", "已关闭"]
    assert body["roles"] == {"agent": "坐席", "supervisor": "主管", "trainer": "训练师"}
    assert body["intents"]["check_balance"] == "查余额"
    assert body["intents"]["nlu_fallback"] == "未识别"
    assert body["intents"] == intent_labels()


def test_labels_need_a_staff_login(anonymous_client: TestClient, client: TestClient) -> None:
    assert_error(anonymous_client.get(URL), 401, "not_authenticated")
    # the action server's service token is not a staff session
    assert_error(client.get(URL), 401, "not_authenticated")


def test_every_domain_intent_has_a_label_and_every_label_an_intent() -> None:
    intents = entry_names(load_domain(REPO_ROOT / DOMAIN).get("intents"))
    assert intents, "the domain has no intents"
    assert sorted(intent_labels()) == sorted(intents)
    assert all(label.strip() for label in intent_labels().values())


def test_a_file_without_the_table_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "intent_labels.yml"
    broken.write_text("nlu: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no intent_labels mapping"):
        intent_labels(broken)


def test_the_console_keeps_no_copy_of_the_labels() -> None:
    """The console's scripts read the labels from the API; none of them spells a table."""
    scripts = {path.name: path.read_text(encoding="utf-8") for path in CONSOLE.glob("*.js")}
    assert "app.js" in scripts
    pairs = {**ROLE_LABELS, **intent_labels(), **REASON_LABELS}
    for name, text in scripts.items():
        quoted = set(re.findall(r"\"([^\"]*)\"", text))
        # a list of them all is a copy; one as a key or a heading (处理中) is not
        copied = [
            " ".join(values)
            for values in (COMPLAINT_CATEGORIES, COMPLAINT_STATUSES)
            if set(values) <= quoted
        ]
        copied += [
            f"{key}: {label}"
            for key, label in pairs.items()
            if re.search(rf"\b{re.escape(key)}\"?\s*:\s*\"{re.escape(label)}\"", text)
        ]
        assert not copied, f"{name} spells {copied}"
