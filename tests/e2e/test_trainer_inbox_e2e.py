"""Trainer tools against the real stack: customers talk to Rasa, the inbox collects what the
bot misunderstood from the real tracker store, a trainer re-labels it in real Chromium and
the example lands in the training file (a copy of data/ in the stack's TRAINER_REPO_DIR);
then a retrain started from the console reloads Rasa, which now understands the message.
The tests run in file order and build on each other.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from crm_api.staff.service import DEMO_DEFAULT_PASSWORD
from tests.e2e.conftest import ROOT, log_in

pytestmark = pytest.mark.e2e
SCREENSHOTS = ROOT / "var" / "test-results"
# The bot falls back on this one (nlu_fallback): it is a statement request for last week.
MISUNDERSTOOD = "帮我瞅瞅上礼拜花了多少"


def say(urls: dict[str, str], sender: str, text: str) -> list[dict[str, Any]]:
    response = httpx.post(
        urls["rasa"] + "/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    response.raise_for_status()
    replies: list[dict[str, Any]] = response.json()
    return replies


def trainer_client(urls: dict[str, str]) -> httpx.Client:
    token = httpx.post(
        urls["crm"] + "/api/v1/staff/login",
        json={"username": "liuxunlian", "password": DEMO_DEFAULT_PASSWORD},
    ).json()["token"]
    return httpx.Client(
        base_url=urls["crm"] + "/api/v1/trainer",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_inbox_collects_masked_messages_from_the_real_tracker_store(urls) -> None:
    sender = f"e2e-inbox-{uuid.uuid4().hex[:8]}"
    say(urls, sender, "我手机号13812345678一直收不到验证码怎么回事")
    say(urls, sender, "卡号6222 0212 3456 7890 能查余额吗")
    with trainer_client(urls) as inbox:
        assert inbox.post("/inbox/sync").status_code == 200
        body = inbox.get("/inbox", params={"page_size": 200, "q": "收不到验证码怎么回事"}).json()
        texts = [i["text"] for i in body["items"]]
        assert texts == ["我手机号138****5678一直收不到验证码怎么回事"]
        everything = inbox.get("/inbox", params={"page_size": 200}).text
    for secret in ("13812345678", "6222 0212", "6222021234567890"):
        assert secret not in everything


def test_trainer_relabels_a_misunderstood_message_in_chromium(
    page: Page, urls, stack_env: dict[str, str]
) -> None:
    sender = f"e2e-relabel-{uuid.uuid4().hex[:8]}"
    replies = say(urls, sender, MISUNDERSTOOD)
    assert replies, "the bot answered nothing"
    data_file = Path(stack_env["TRAINER_REPO_DIR"]) / "data" / "nlu" / "accounts.yml"
    before = data_file.read_text(encoding="utf-8")

    console = urls["crm"] + "/console/"
    log_in(page, console, "liuxunlian")
    expect(page).to_have_url(re.compile(r"inbox\.html"), timeout=15_000)  # a trainer's home
    card = page.locator("article.item", has_text=MISUNDERSTOOD)
    expect(card).to_have_count(1, timeout=15_000)  # the page collects new messages on load
    expect(card.locator(".badge")).to_have_text(re.compile("未识别|置信度低"))

    item_id = card.get_attribute("data-id")
    card.locator("button.relabel").click()
    editor = card.locator(".editor")
    editor.locator("select.intent-select").select_option("query_transactions")
    # select 「上礼拜」 in the sentence, as a trainer does with the mouse
    page.evaluate(
        """([id, word]) => {
            const box = document.querySelector(`article[data-id="${id}"] .selectable`);
            const node = box.firstChild;
            const start = node.textContent.indexOf(word);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + word.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [item_id, "上礼拜"],
    )
    editor.locator("select.entity-select").select_option("time_period")
    editor.locator("button.add-entity").click()
    expect(editor.locator(".chip")).to_have_text(re.compile("上礼拜 → 时间段"))
    expect(editor.locator(".preview")).to_have_text(
        "将写入：- 帮我瞅瞅[上礼拜](time_period)花了多少"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "trainer_inbox_relabel.png"), full_page=True)
    editor.locator("button.save-label").click()
    expect(card.locator(".done")).to_contain_text("已写入 data/nlu/accounts.yml", timeout=15_000)

    after = data_file.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    - 帮我瞅瞅[上礼拜](time_period)花了多少"]
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments == [line for line in after.splitlines() if line.lstrip().startswith("#")]
    block = after.split("- intent: query_transactions", 1)[1].split("- intent:", 1)[0]
    assert "帮我瞅瞅[上礼拜](time_period)花了多少" in block

    # it left the queue; the accepted list shows who decided what
    page.select_option("#status", "accepted")
    page.click("#filters button[type=submit]")
    accepted = page.locator(f'article.item[data-id="{item_id}"]')
    expect(accepted).to_contain_text(
        "已采纳为 查流水（query_transactions） → data/nlu/accounts.yml"
    )
    expect(accepted.locator("mark")).to_have_text("上礼拜时间段")

    # the conversation it came from, in the review page, saved as a test story
    link = accepted.locator("a.open-conversation")
    expect(link).to_have_attribute("href", f"review.html?conversation={sender}")
    page.goto(console + f"review.html?conversation={sender}")
    expect(page.locator("#transcript")).to_contain_text(MISUNDERSTOOD, timeout=15_000)
    page.fill("#story-name", "e2e_relabel")
    page.click("#save button[type=submit]")
    expect(page.locator("#saved")).to_contain_text("tests/stories/reviewed/", timeout=15_000)
    story = Path(stack_env["TRAINER_REPO_DIR"]) / "tests/stories/reviewed/test_e2e_relabel.yml"
    assert MISUNDERSTOOD in story.read_text(encoding="utf-8")


def test_retraining_from_the_console_makes_the_bot_understand_the_relabelled_message(
    urls, stack_env: dict[str, str]
) -> None:
    """Runs after the re-label above: retrain on the trainer's copy, reload Rasa, ask again."""
    with trainer_client(urls) as trainer:
        before = trainer.get("/model").json()
        assert before["serving"] is not None, before
        started = trainer.post("/training-runs")
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        assert trainer.post("/training-runs").status_code == 409  # one at a time
        stages = set()
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            run = trainer.get(f"/training-runs/{run_id}").json()
            stages.add(run["stage"])
            if run["status"] != "running":
                break
            time.sleep(2)
        log = trainer.get(f"/training-runs/{run_id}").json().get("log_tail", "")
        assert run["status"] == "succeeded", f"{run.get('error')}\n{log[-3000:]}"
        assert run["progress"] == 100 and "training" in stages
        after = trainer.get("/model").json()
    assert after["serving"]["model_id"] == run["model_id"] != before["serving"]["model_id"]
    assert after["archive_is_serving"] is True and after["data_changed"] is False
    parsed = httpx.post(
        urls["rasa"] + "/model/parse",
        params={"token": stack_env["RASA_TOKEN"]},
        json={"text": MISUNDERSTOOD},
        timeout=30,
    ).json()
    assert parsed["intent"]["name"] == "query_transactions"
    assert ("time_period", "上礼拜") in [(e["entity"], e["value"]) for e in parsed["entities"]]
