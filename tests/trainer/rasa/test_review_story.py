"""Test stories saved from the conversation review are read by Rasa itself, and pass.

The events are tests/fixtures/tracker_events.json: rows Rasa 3.6 wrote to the SQL tracker
store while the real stack was chatted with (see tests/crm_api/test_trainer_review.py).
`trainer.stories` turns them into a test-story file; here Rasa's YAMLStoryReader
(the reader `rasa test core` uses) reads it back, and the trained model replays it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.story_writer.yaml_story_writer import YAMLStoryWriter
from rasa.shared.core.training_data.structures import StoryGraph

from trainer.stories import StoryHeader, conversation_to_test_stories, story_file_name

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "tracker_events.json"
MODEL = ROOT / "models" / "bank-assistant.tar.gz"
DOMAIN = Domain.load(str(ROOT / "domain"))
HEADER = StoryHeader("x", "rest", "刘老师（liuxunlian）", "2026-12-03 15:30（北京时间）")
SECRETS = ["13800138000", "13900139000", "13912345678", "482913", "6222021234567890123"]


def conversation(sender_id: str) -> list[tuple[int, dict[str, Any]]]:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [(i, json.loads(r["data"])) for i, r in enumerate(rows) if r["sender_id"] == sender_id]


def write_story(tmp_path: Path, sender_id: str, name: str, **kwargs: Any) -> Path:
    path = tmp_path / story_file_name(name)
    text = conversation_to_test_stories(conversation(sender_id), name=name, header=HEADER, **kwargs)
    path.write_text(text, encoding="utf-8")
    return path


def read_steps(path: Path) -> list[Any]:
    assert YAMLStoryReader.is_test_stories_file(path)
    return YAMLStoryReader(DOMAIN, source_name=str(path)).read_from_file(path)


def intents_and_actions(events: list[Any]) -> list[str]:
    out = []
    for event in events:
        if isinstance(event, UserUttered):
            out.append(f"intent:{event.intent_name}")
        elif isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            out.append(f"action:{event.action_name}")
    return out


def test_balance_conversation_is_read_by_rasa(tmp_path: Path) -> None:
    path = write_story(tmp_path, "web-zhangwei-0002", "验证后查余额")
    text = path.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in text
    (story,) = read_steps(path)
    assert story.block_name == "验证后查余额"
    assert intents_and_actions(story.events) == [
        "intent:check_balance",
        "action:verify_form",
        "intent:inform",
        "action:verify_form",
        "intent:inform",
        "action:verify_form",
        "action:action_resume_request",
        "intent:query_credit_card",
        "action:action_query_credit_card",
        "intent:thank",
        "action:utter_thank",
    ]
    users = [e for e in story.events if isinstance(e, UserUttered)]
    # the masked phone came back as digits, annotated as the entity the NLU found
    assert users[1].text == "13827498000"
    assert users[1].entities[0]["entity"] == "phone_number"
    assert users[1].entities[0]["value"] == "13827498000"
    assert users[3].text == "信用卡这期要还多少"
    assert users[3].entities[0]["value"] == "信用卡"
    slots = {(e.key, e.value) for e in story.events if isinstance(e, SlotSet)}
    assert ("customer_verified", True) in slots and ("requested_slot", None) in slots
    loops = [e.name for e in story.events if isinstance(e, ActiveLoop)]
    assert loops == ["verify_form", None]


def test_same_events_as_rasa_own_writer_would_give(tmp_path: Path) -> None:
    """Written by Rasa's YAMLStoryWriter from what Rasa read, the story reads the same."""
    path = write_story(tmp_path, "web-lost-0005", "挂失")
    steps = read_steps(path)
    again = tmp_path / "test_again.yml"
    again.write_text(YAMLStoryWriter().dumps(steps, is_test_story=True), encoding="utf-8")
    reread = read_steps(again)

    def plain(events: list[Any]) -> list[str]:
        return [e.__str__() for e in events]

    assert plain(reread[0].events) == plain(steps[0].events)
    assert StoryGraph(steps).story_steps  # a valid story graph


def test_faq_story_keeps_the_retrieval_intent(tmp_path: Path) -> None:
    path = write_story(tmp_path, "web-faq-0003", "常见问题")
    (story,) = read_steps(path)
    users = [e for e in story.events if isinstance(e, UserUttered)]
    assert [u.full_retrieval_intent_name for u in users[:2]] == [
        "faq/card_activation",
        "faq/business_hours",
    ]
    assert [u.intent_name for u in users] == ["faq", "faq", "thank"]


def test_corrected_intent_and_handoff_stop(tmp_path: Path) -> None:
    events = conversation("app-handoff-0007")
    first_user = next(i for i, e in events if e["event"] == "user")
    path = write_story(
        tmp_path, "app-handoff-0007", "转人工", corrections={first_user: "report_card_loss"}
    )
    (story,) = read_steps(path)
    assert intents_and_actions(story.events) == [
        "intent:report_card_loss",
        "action:action_handoff",
    ]


def test_saved_stories_pass_against_the_trained_model(tmp_path: Path) -> None:
    """What `make test-stories` does (`rasa test core`), on two saved conversations."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: `make test-bot` trains it first")
    from rasa.core.agent import Agent
    from rasa.core.test import test

    stories = tmp_path / "stories"
    stories.mkdir()
    write_story(stories, "web-zhangwei-0002", "验证后查余额和账单")
    write_story(stories, "web-faq-0003", "常见问题两问")
    agent = Agent.load(str(MODEL))
    out = tmp_path / "results"
    out.mkdir()
    result = asyncio.run(test(str(stories), agent, out_directory=str(out), disable_plotting=True))
    accuracy = result["report"]["conversation_accuracy"]
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert accuracy["correct"] == accuracy["total"] == 2, failed
