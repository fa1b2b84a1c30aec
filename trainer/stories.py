"""A reviewed conversation as a Rasa test story (`tests/stories/reviewed/test_<name>.yml`).

Pure: standard library, ruamel.yaml and the masking helpers only, so the bot-side tests
(which have Rasa) can check that Rasa's own story reader accepts what this writes.

The steps are the ones Rasa's `YAMLStoryWriter` writes for a test story (`user:` with inline
entity markup and `intent:`, `action:`, `slot_was_set`, `active_loop`), read from the events
as the tracker store keeps them (Rasa 3.6's `Event.as_dict()`):

- every session (and every `/restart`) is its own story, because a story starts from an
  empty tracker, exactly like a new session;
- a rewind (`UserUtteranceReverted`) or undo (`ActionReverted`) removes what it reverts;
- the story of a session stops where the conversation was handed to a human (`pause`):
  what the agent did is not the bot's to predict, nor what the bot did on resuming;
- `action_listen`, `action_session_start`, `action_unlikely_intent`, `action_extract_slots`
  and rejected form executions are not steps (the test replays the unhappy path itself);
- consecutive slot events become one `slot_was_set` step with several items, as in the
  hand-written test stories (Rasa reads both forms into the same events).

Customer text goes through :func:`mask_text` and then :func:`surrogate`, so a phone, card
number or code never reaches the repository but the story still has digits where the
customer typed digits (the NLU must still see a number there).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bankkit.masking import MASK, align_entity_spans, mask_text, mask_value, surrogate

TRAINING_DATA_VERSION = "3.1"
# Actions Rasa runs by itself; a test story does not list them (see YAMLStoryWriter).
SKIPPED_ACTIONS = frozenset(
    {
        "action_listen",
        "action_session_start",
        "action_unlikely_intent",
        "action_extract_slots",
        "...",
    }
)
INTENT_MESSAGE_PREFIX = "/"
# a story name: letters (Chinese included), digits, `_` and `-`; it is also the file name
STORY_NAME = re.compile(r"^[\w\-]{1,60}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_A_PLAIN_STRING = re.compile(
    r"^([-+]?[\d._]*\d[\d._]*([eE][-+]?\d+)?|true|false|yes|no|on|off|null|~|)$", re.I
)


@dataclass
class _Step:
    kind: str  # user / action / slot / active_loop
    event_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryHeader:
    """Who saved which conversation, when: the comment at the top of the file."""

    sender_id: str
    channel: str | None
    saved_by: str
    saved_at: str  # already formatted, e.g. "2026-12-03 15:30（北京时间）"


def valid_story_name(name: str) -> bool:
    return bool(STORY_NAME.match(name)) and not name.startswith("-")


def story_file_name(name: str) -> str:
    """`test_<name>.yml`: Rasa treats files named `test_*` as test stories."""
    stem = name[len("test_") :] if name.startswith("test_") else name
    return f"test_{stem}.yml"


def _scalar(value: Any) -> Any:
    """A string that YAML would read as a number or boolean is written in double quotes."""
    if isinstance(value, str):
        if MASK in value:
            value = surrogate(value)
        if _NOT_A_PLAIN_STRING.match(value):
            return DoubleQuotedScalarString(value)
    return value


def _story_value(value: Any) -> Any:
    """A slot or entity value as a story may show it: masked, stars as digits."""
    masked = mask_value(value)
    if isinstance(masked, list):
        return [_scalar(v) for v in masked]
    return _scalar(masked)


def _entity_markup(text: str, story_text: str, entities: Sequence[Mapping[str, Any]]) -> str:
    """`story_text` with Rasa's inline entity annotations (`[138…](phone_number)`)."""
    spans = []
    for entity in entities:
        start, end = entity.get("start"), entity.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not entity.get("entity"):
            continue
        if not 0 <= start < end <= len(text):
            continue
        spans.append(entity)
    spans.sort(key=lambda e: (e["start"], -e["end"]))
    out, pos = [], 0
    for entity in spans:
        start, end = entity["start"], entity["end"]
        if start < pos:  # overlapping extractors: the first (longest) annotation wins
            continue
        out.append(story_text[pos:start])
        span = story_text[start:end]
        value = entity.get("value")
        attributes: dict[str, Any] = {"entity": entity["entity"]}
        for key in ("role", "group"):
            if entity.get(key):
                attributes[key] = entity[key]
        if value is not None and value != text[start:end]:
            attributes["value"] = mask_value(value)
            if isinstance(attributes["value"], str) and MASK in attributes["value"]:
                attributes["value"] = surrogate(attributes["value"])
        if len(attributes) == 1:
            out.append(f"[{span}]({entity['entity']})")
        else:
            out.append(f"[{span}]{json.dumps(attributes, ensure_ascii=False)}")
        pos = end
    out.append(story_text[pos:])
    return "".join(out)


def user_step(data: Mapping[str, Any], intent_override: str | None = None) -> dict[str, Any] | None:
    """One customer message as the fields of a test-story step (text masked)."""
    parse_data = data.get("parse_data") or {}
    intent_data = parse_data.get("intent") or {}
    intent = (
        intent_override
        or intent_data.get("full_retrieval_intent_name")
        or intent_data.get("name")
        or None
    )
    text = (data.get("text") or "").strip()
    entities = parse_data.get("entities") or data.get("entities") or []
    step: dict[str, Any] = {}
    if text and not text.startswith(INTENT_MESSAGE_PREFIX):
        original = data.get("text") or ""
        offset = len(original) - len(original.lstrip())
        shifted = [
            {**e, "start": e["start"] - offset, "end": e["end"] - offset}
            for e in align_entity_spans(entities, original)
        ]
        step["user"] = _entity_markup(text, surrogate(mask_text(text)), shifted)
    elif entities:
        # a button payload (`/intent{...}`): the intent and entities, no text
        step["entities"] = [{e["entity"]: _story_value(e.get("value"))} for e in entities]
    if intent:
        step["intent"] = intent
    return step or None


def _segments(events: Sequence[tuple[int, Mapping[str, Any]]]) -> list[list[_Step]]:
    segments: list[list[_Step]] = []
    steps: list[_Step] = []
    stopped = False  # handed to a human: the rest of this session is not a test

    def close() -> None:
        nonlocal steps, stopped
        if any(s.kind == "user" for s in steps):
            segments.append(steps)
        steps, stopped = [], False

    for event_id, data in events:
        kind = data.get("event")
        if kind in ("session_started", "restart"):
            close()
        elif stopped:
            continue
        elif kind == "pause":
            stopped = True
        elif kind == "user":
            steps.append(_Step("user", event_id, dict(data)))
        elif kind == "action":
            name = data.get("name")
            if name and name not in SKIPPED_ACTIONS:
                steps.append(_Step("action", event_id, {"action": name}))
        elif kind == "slot":
            steps.append(_Step("slot", event_id, {str(data.get("name")): data.get("value")}))
        elif kind == "active_loop":
            steps.append(_Step("active_loop", event_id, {"active_loop": data.get("name")}))
        elif kind == "rewind":
            _undo_till(steps, "user")
        elif kind == "undo":
            _undo_till(steps, "action")
    close()
    return segments


def _undo_till(steps: list[_Step], kind: str) -> None:
    while steps:
        if steps.pop().kind == kind:
            return


def _story(name: str, steps: list[_Step], corrections: Mapping[int, str]) -> CommentedMap:
    out = CommentedSeq()
    slots: CommentedSeq | None = None
    for step in steps:
        if step.kind == "slot":
            if slots is None:
                slots = CommentedSeq()
                out.append(CommentedMap([("slot_was_set", slots)]))
            ((key, value),) = step.payload.items()
            slots.append(CommentedMap([(key, _story_value(value))]))
            continue
        slots = None
        if step.kind == "user":
            fields = user_step(step.payload, corrections.get(step.event_id or -1))
            if not fields:
                continue
            item = CommentedMap()
            if "user" in fields:
                item["user"] = LiteralScalarString(fields["user"] + "\n")
            if "intent" in fields:
                item["intent"] = fields["intent"]
            if "entities" in fields:
                item["entities"] = fields["entities"]
            out.append(item)
        else:
            out.append(CommentedMap(step.payload))
    return CommentedMap([("story", name), ("steps", out)])


def _comment_text(value: str) -> str:
    return _CONTROL.sub(" ", value)


def conversation_to_test_stories(
    events: Sequence[tuple[int, Mapping[str, Any]]],
    *,
    name: str,
    header: StoryHeader,
    corrections: Mapping[int, str] | None = None,
) -> str:
    """The YAML text of a test-story file for one conversation.

    Args:
        events: `(event id, Rasa event dict)` of the conversation, oldest first.
        name: the story name (``name``, or ``name-2``… when it has several sessions).
        header: where it came from and who saved it (the file's leading comment).
        corrections: event id of a customer message → the intent it should have had.

    Returns:
        The file's text. Raises ``ValueError`` when no session has a customer message.
    """
    segments = _segments(events)
    if not segments:
        raise ValueError("the conversation has no customer message")
    corrections = corrections or {}
    stories = CommentedSeq()
    for number, steps in enumerate(segments, start=1):
        story_name = name if len(segments) == 1 else f"{name}-{number}"
        stories.append(_story(story_name, steps, corrections))
    document = CommentedMap(
        [("version", DoubleQuotedScalarString(TRAINING_DATA_VERSION)), ("stories", stories)]
    )
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # type: ignore[assignment]  # ruamel's stub says None
    yaml.allow_unicode = True
    # `null`, not an empty value, like Rasa's own writer (rasa.shared.utils.io.write_yaml)
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    body = buffer.getvalue().replace("\nstories:\n", "\n\nstories:\n", 1)
    channel = f"，渠道 {header.channel}" if header.channel else ""
    lines = [
        f"# 对话复盘保存的测试故事：会话 {_comment_text(header.sender_id)}{channel}",
        f"# 保存人 {_comment_text(header.saved_by)}，{header.saved_at}",
        "# 客户原话中的手机号、卡号、证件号和验证码已脱敏，并换成了无意义的数字。",
    ]
    if len(segments) > 1:
        lines.append("# 这段对话有多次会话（超时后重新开始），每次会话各是一个故事。")
    if any(data.get("event") == "pause" for _, data in events):
        lines.append("# 对话转给了人工坐席：故事到转人工为止，之后由坐席处理的部分不在测试里。")
    return "\n".join(lines) + "\n" + body
