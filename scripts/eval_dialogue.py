"""Multi-turn dialogue benchmark: task success per flow and per conversation-repair case.

Talks as a customer to the real stack over Rasa's REST channel, reads the tracker after
each turn (actions run, responses sent, slots, active form) and judges the expectations
written in tests/dialogues/*.yml. Writes reports/dialogue_eval.md and .json.

    python scripts/eval_dialogue.py                  # starts its own stack on free ports
    python scripts/eval_dialogue.py --url http://127.0.0.1:5005 --crm-url http://127.0.0.1:8000
    python scripts/eval_dialogue.py --only balance   # dialogues whose id contains "balance"

A dialogue is a list of customer turns (`user:`), each with optional `expect:`. In a turn,
"{code}" is the latest one-time code sent to the dialogue's `phone` (default 13800138000,
read from the demo SMS outbox) and "{previous_code}" the one before it (no longer valid).
A dialogue succeeds when every expectation of every turn holds. Expectation keys (all
optional, per turn):

  actions:        [names]  every one ran during the turn
  actions_any:    [names]  at least one ran
  not_actions:    [names]  none ran
  responses:      [names]  every response (BotUttered metadata.utter_action) was sent
  responses_any:  [names]  at least one was sent
  not_responses:  [names]  none was sent
  text:           [parts]  every part appears in the bot's replies of the turn
  text_any:       [parts]  at least one part appears
  not_text:       [parts]  no part appears
  slots:          {name: value}  slot values after the turn (null = unset)
  form:           name or null   the active form after the turn

Standard library only (plus PyYAML), so it runs in either venv.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from run_stack import MODEL, Stack  # noqa: E402

DIALOGUES = ROOT / "tests" / "dialogues"
REPORTS = ROOT / "reports"
DEFAULT_PHONE = "13800138000"
CODE_TOKEN = "{code}"
# the code sent before the latest one: already used or superseded, so no longer valid
PREVIOUS_CODE_TOKEN = "{previous_code}"
LIST_KEYS = (
    "actions",
    "actions_any",
    "not_actions",
    "responses",
    "responses_any",
    "not_responses",
    "text",
    "text_any",
    "not_text",
)
EXPECT_KEYS = frozenset((*LIST_KEYS, "slots", "form"))
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


# ---- what one turn produced, and the judge ----------------------------------------------


@dataclass
class TurnResult:
    """What the bot did in reply to one customer message (read from the tracker)."""

    actions: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    form: str | None = None


def _norm_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def check_turn(expect: dict[str, Any], result: TurnResult) -> str | None:
    """The first expectation that does not hold, in words, or None when all hold."""
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        return f"unknown expectation key(s): {sorted(unknown)}"
    text = "\n".join(result.texts)
    ran, sent = set(result.actions), set(result.responses)
    for name in _norm_list(expect.get("actions", [])):
        if name not in ran:
            return f"action {name} did not run (ran: {result.actions})"
    wanted = _norm_list(expect.get("actions_any", []))
    if wanted and not ran & set(wanted):
        return f"none of the actions {wanted} ran (ran: {result.actions})"
    for name in _norm_list(expect.get("not_actions", [])):
        if name in ran:
            return f"action {name} ran"
    for name in _norm_list(expect.get("responses", [])):
        if name not in sent:
            return f"response {name} was not sent (sent: {result.responses})"
    wanted = _norm_list(expect.get("responses_any", []))
    if wanted and not sent & set(wanted):
        return f"none of the responses {wanted} was sent (sent: {result.responses})"
    for name in _norm_list(expect.get("not_responses", [])):
        if name in sent:
            return f"response {name} was sent"
    for part in _norm_list(expect.get("text", [])):
        if str(part) not in text:
            return f"text {part!r} not in the reply {_short(text)!r}"
    wanted = [str(p) for p in _norm_list(expect.get("text_any", []))]
    if wanted and not any(p in text for p in wanted):
        return f"none of {wanted} in the reply {_short(text)!r}"
    for part in _norm_list(expect.get("not_text", [])):
        if str(part) in text:
            return f"text {part!r} in the reply {_short(text)!r}"
    for name, value in (expect.get("slots") or {}).items():
        actual = result.slots.get(name)
        if actual != value and str(actual) != str(value):
            return f"slot {name} is {actual!r}, expected {value!r}"
    if "form" in expect and result.form != expect["form"]:
        return f"active form is {result.form!r}, expected {expect['form']!r}"
    return None


def _short(text: str, limit: int = 120) -> str:
    flat = text.replace("\n", " / ")
    return flat if len(flat) <= limit else flat[:limit] + "…"


def turn_from_events(
    events: list[dict[str, Any]], start: int, tracker: dict[str, Any]
) -> TurnResult:
    """The actions and utterances logged after event index `start` (this turn's)."""
    result = TurnResult()
    for event in events[start:]:
        kind = event.get("event")
        if kind == "action":
            name = event.get("name") or ""
            if name not in ("action_listen", "action_unlikely_intent"):
                result.actions.append(name)
        elif kind == "bot":
            result.texts.append(event.get("text") or "")
            utter = (event.get("metadata") or {}).get("utter_action")
            if utter:
                result.responses.append(utter)
    result.slots = dict(tracker.get("slots") or {})
    result.form = (tracker.get("active_loop") or {}).get("name")
    return result


# ---- dialogues ---------------------------------------------------------------------------


@dataclass
class Dialogue:
    id: str
    flow: str
    case: str
    goal: str
    turns: list[dict[str, Any]]
    phone: str = DEFAULT_PHONE
    source: str = ""


def load_dialogues(folder: Path = DIALOGUES) -> list[Dialogue]:
    dialogues: list[Dialogue] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            dialogue = Dialogue(
                id=raw["id"],
                flow=raw["flow"],
                case=raw["case"],
                goal=raw.get("goal", ""),
                turns=raw["turns"],
                phone=str(raw.get("phone", DEFAULT_PHONE)),
                source=path.name,
            )
            if dialogue.id in seen:
                raise ValueError(f"duplicate dialogue id {dialogue.id} in {path.name}")
            seen.add(dialogue.id)
            for turn in dialogue.turns:
                unknown = set(turn.get("expect") or {}) - EXPECT_KEYS
                if "user" not in turn or unknown:
                    raise ValueError(f"{dialogue.id}: bad turn {turn!r}")
            dialogues.append(dialogue)
    return dialogues


# ---- talking to the stack ----------------------------------------------------------------


def _http(method: str, url: str, body: Any = None, timeout: float = 90) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode() or "null")


@dataclass
class Customer:
    rasa_url: str
    crm_url: str
    token: str
    sender: str = field(default_factory=lambda: "eval-" + uuid.uuid4().hex)

    def tracker(self) -> dict[str, Any]:
        sender = urllib.parse.quote(self.sender)
        query = urllib.parse.urlencode({"token": self.token})
        return dict(_http("GET", f"{self.rasa_url}/conversations/{sender}/tracker?{query}"))

    def latest_code(self, phone: str, skip: int = 0) -> str:
        """The newest one-time code in the demo SMS outbox (newest first), `skip` back."""
        query = urllib.parse.urlencode({"phone": phone})
        outbox = _http("GET", f"{self.crm_url}/api/v1/demo/sms-outbox?{query}") or []
        codes = [m.group(1) for message in outbox if (m := CODE_RE.search(message.get("text", "")))]
        return codes[skip] if len(codes) > skip else "000000"  # none sent: a wrong code

    def say(self, text: str) -> TurnResult:
        start = len(self.tracker().get("events") or [])
        _http(
            "POST",
            f"{self.rasa_url}/webhooks/rest/webhook",
            {"sender": self.sender, "message": text},
        )
        tracker = self.tracker()
        return turn_from_events(tracker.get("events") or [], start, tracker)


@dataclass
class Outcome:
    dialogue: Dialogue
    failure: str | None = None
    failed_turn: int | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failure is None


def _fill_codes(text: str, customer: Customer, phone: str) -> str:
    if CODE_TOKEN in text:
        text = text.replace(CODE_TOKEN, customer.latest_code(phone))
    if PREVIOUS_CODE_TOKEN in text:
        text = text.replace(PREVIOUS_CODE_TOKEN, customer.latest_code(phone, skip=1))
    return text


def run_dialogue(dialogue: Dialogue, rasa_url: str, crm_url: str, token: str) -> Outcome:
    customer = Customer(rasa_url, crm_url, token)
    outcome = Outcome(dialogue)
    for index, turn in enumerate(dialogue.turns, start=1):
        text = _fill_codes(str(turn["user"]), customer, str(turn.get("phone", dialogue.phone)))
        try:
            result = customer.say(text)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            outcome.failure, outcome.failed_turn = f"turn failed: {error}", index
            return outcome
        outcome.transcript.append(
            {"user": str(turn["user"]), "bot": result.texts, "actions": result.actions}
        )
        failure = check_turn(turn.get("expect") or {}, result)
        if failure and outcome.failure is None:
            outcome.failure, outcome.failed_turn = failure, index
    return outcome


# ---- the report --------------------------------------------------------------------------


def _rate(outcomes: list[Outcome]) -> dict[str, Any]:
    passed = sum(o.passed for o in outcomes)
    return {
        "dialogues": len(outcomes),
        "passed": passed,
        "success": round(passed / len(outcomes), 4),
    }


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    def grouped(key: str) -> dict[str, Any]:
        groups: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            groups.setdefault(getattr(outcome.dialogue, key), []).append(outcome)
        return {name: _rate(group) for name, group in sorted(groups.items())}

    return {
        "overall": _rate(outcomes),
        "per_flow": grouped("flow"),
        "per_case": grouped("case"),
        "failures": [
            {
                "id": o.dialogue.id,
                "flow": o.dialogue.flow,
                "case": o.dialogue.case,
                "turn": o.failed_turn,
                "failure": o.failure,
            }
            for o in outcomes
            if not o.passed
        ],
    }


def render_markdown(summary: dict[str, Any], seconds: float) -> str:
    overall = summary["overall"]
    lines = [
        "# Multi-turn dialogue benchmark",
        "",
        "Written by `make eval-dialogue` (scripts/eval_dialogue.py over tests/dialogues/*.yml).",
        "A dialogue succeeds when every expectation of every turn holds.",
        "",
        f"**Task success: {overall['success']:.1%}** ({overall['passed']}/{overall['dialogues']} "
        f"dialogues, {seconds:.0f} s)",
        "",
    ]
    for title, key in (("Per flow", "per_flow"), ("Per repair case", "per_case")):
        label = "Flow" if key == "per_flow" else "Case"
        lines += [
            f"## {title}",
            "",
            f"| {label} | Dialogues | Passed | Success |",
            "|---|---:|---:|---:|",
        ]
        for name, row in summary[key].items():
            lines.append(
                f"| {name} | {row['dialogues']} | {row['passed']} | {row['success']:.1%} |"
            )
        lines.append("")
    lines += ["## Failing dialogues (first failed expectation)", ""]
    for failure in summary["failures"]:
        reason = str(failure["failure"]).replace("|", "\\|")
        where = f"({failure['flow']} / {failure['case']}), turn {failure['turn']}"
        lines.append(f"- `{failure['id']}` {where}: {reason}")
    return "\n".join(lines) + "\n"


# ---- the stack ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def own_stack() -> Iterator[tuple[str, str, str]]:
    """crm_api, action server and Rasa on free ports, a fresh database and tracker store."""
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train`")
    import subprocess

    with tempfile.TemporaryDirectory(prefix="eval-dialogue-") as tmp_name:
        tmp = Path(tmp_name)
        ports = {name: str(free_port()) for name in ("CRM_PORT", "ACTION_PORT", "RASA_PORT")}
        crm_url = f"http://127.0.0.1:{ports['CRM_PORT']}"
        env = {
            **os.environ,
            **ports,
            "CRM_ENV": "development",
            "CRM_DEMO_MODE": "true",
            "CRM_HOST": "127.0.0.1",
            "CRM_DATABASE_URL": f"sqlite:///{tmp / 'crm.db'}",
            "CRM_URL": crm_url,
            "CRM_PUBLIC_URL": crm_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['ACTION_PORT']}/webhook",
            "RASA_URL": f"http://127.0.0.1:{ports['RASA_PORT']}",
            "TRACKER_DIALECT": "sqlite",
            "TRACKER_DB": str(tmp / "tracker.db"),
            "REDIS_URL": "",
            **{
                key: ""
                for key in ("TRACKER_HOST", "TRACKER_PORT", "TRACKER_USER", "TRACKER_PASSWORD")
            },
            "PYTHONPATH": str(ROOT),
            # every dialogue verifies the same demo customers; rate limits are not measured here
            "OTP_RESEND_GAP_SECONDS": "0",
            "OTP_REQUESTS_PER_HOUR": "100000",
            "HANDOFF_SERVICE_HOURS": os.environ.get("EVAL_SERVICE_HOURS", "00:00-24:00"),
        }
        for key in ("CRM_SERVICE_TOKEN", "APP_TOKEN_SECRET", "WEBCHAT_SECRET", "RASA_TOKEN"):
            env.setdefault(key, uuid.uuid4().hex + uuid.uuid4().hex)
        crm_python = str(ROOT / ".venv" / "crm" / "bin" / "python")
        for command in (["migrate"], ["seed", "--if-empty"]):
            subprocess.run(
                [crm_python, "-m", "crm_api.manage", *command], cwd=ROOT, env=env, check=True
            )
        with Stack(env, tmp / "logs"):
            yield env["RASA_URL"], crm_url, env["RASA_TOKEN"]


# ---- entry point -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="Rasa server of a running stack (default: start one)")
    parser.add_argument("--crm-url", default=os.environ.get("CRM_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--only", default="", help="run only dialogues whose id contains this")
    parser.add_argument(
        "--out", default=str(REPORTS / "dialogue_eval"), help="report path without suffix"
    )
    parser.add_argument(
        "--transcripts", action="store_true", help="also write the transcripts (.transcripts.json)"
    )
    args = parser.parse_args(argv)

    dialogues = [d for d in load_dialogues() if args.only in d.id]
    if not dialogues:
        raise SystemExit("no dialogues selected")
    started = time.monotonic()
    if args.url:
        outcomes = _run_all(
            dialogues, args.url.rstrip("/"), args.crm_url.rstrip("/"), os.environ["RASA_TOKEN"]
        )
    else:
        with own_stack() as (rasa_url, crm_url, token):
            outcomes = _run_all(dialogues, rasa_url, crm_url, token)
    seconds = time.monotonic() - started

    summary = summarise(outcomes)
    summary["seconds"] = round(seconds, 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    out.with_suffix(".md").write_text(render_markdown(summary, seconds), encoding="utf-8")
    if args.transcripts:
        transcripts = {o.dialogue.id: o.transcript for o in outcomes}
        path = out.with_name(out.name + ".transcripts.json")
        path.write_text(json.dumps(transcripts, ensure_ascii=False, indent=1), encoding="utf-8")
    overall = summary["overall"]
    passed = f"{overall['passed']}/{overall['dialogues']}"
    print(f"task success {overall['success']:.1%} ({passed}) in {seconds:.0f} s")
    print(f"report: {out.with_suffix('.md')}")
    return 0


def _run_all(dialogues: list[Dialogue], rasa_url: str, crm_url: str, token: str) -> list[Outcome]:
    outcomes = []
    for dialogue in dialogues:
        outcome = run_dialogue(dialogue, rasa_url, crm_url, token)
        mark = "ok  " if outcome.passed else "FAIL"
        print(
            f"{mark} {dialogue.id}"
            + ("" if outcome.passed else f"  (turn {outcome.failed_turn}: {outcome.failure})")
        )
        outcomes.append(outcome)
    return outcomes


if __name__ == "__main__":
    sys.exit(main())
