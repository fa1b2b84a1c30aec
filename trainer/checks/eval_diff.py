"""What changed between two NLU evaluation reports (``reports/nlu_eval.json``).

``scripts/eval_nlu.py`` (``make eval``) loads the last committed report with
:func:`load_previous_report` before it overwrites it, and adds the section written by
:func:`format_change` to the new Markdown report and to its console output.

A report maps a system name (``ours``, ``default``, ``tfidf``) to its metrics:
``accuracy``, ``macro_f1``, ``per_intent`` (``{intent: {"f1": ..., ...}}``),
``entities`` (``{"f1": ..., "per_entity": {entity: {"f1": ...}}}`` or ``None``),
``confused`` (the ten most frequent ``[gold, predicted, count]``) and ``errors``
(every misclassified utterance with ``gold`` and ``predicted``). Systems marked
``carried_over`` were not re-run and are not compared.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# F1 is shown with three decimals; a smaller change would print as "0.950 → 0.950"
MIN_CHANGE = 0.0005
REPORT_PATH = "reports/nlu_eval.json"


@dataclass(frozen=True)
class IntentChange:
    """An intent whose F1 changed (``None``: the intent is not in that report)."""

    intent: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float:
        """new − old, an absent side counting as 0."""
        return (self.new or 0.0) - (self.old or 0.0)


@dataclass(frozen=True)
class Confusion:
    """Held-out utterances of intent ``gold`` predicted as ``predicted``."""

    gold: str
    predicted: str
    count: int
    old_count: int = 0


@dataclass
class SystemChange:
    """The change of one system between two reports."""

    system: str
    overall: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    intents: list[IntentChange] = field(default_factory=list)
    new_confusions: list[Confusion] = field(default_factory=list)
    resolved_confusions: list[Confusion] = field(default_factory=list)


@dataclass(frozen=True)
class PreviousReport:
    """The report to compare with and where it came from (``report`` None: there is none)."""

    report: dict[str, Any] | None
    source: str


def entity_macro_f1(result: dict[str, Any]) -> float | None:
    """Mean F1 over the entity types of a system's report (None without entities)."""
    per_entity = (result.get("entities") or {}).get("per_entity") or {}
    if not per_entity:
        return None
    return sum(float(v["f1"]) for v in per_entity.values()) / len(per_entity)


def confusions(result: dict[str, Any]) -> Counter[tuple[str, str]]:
    """(gold, predicted) → count over all errors; the top-10 ``confused`` if no ``errors``."""
    if "errors" in result:
        return Counter((str(e["gold"]), str(e["predicted"])) for e in result["errors"])
    return Counter({(str(g), str(p)): int(n) for g, p, n in result.get("confused") or []})


def _changed(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is not new
    return abs(new - old) >= MIN_CHANGE


def diff_system(system: str, old: dict[str, Any], new: dict[str, Any]) -> SystemChange:
    """The change of one system's metrics from ``old`` to ``new``."""
    change = SystemChange(system)
    old_entities, new_entities = old.get("entities") or {}, new.get("entities") or {}
    change.overall = {
        "intent accuracy": (old.get("accuracy"), new.get("accuracy")),
        "intent macro-F1": (old.get("macro_f1"), new.get("macro_f1")),
        "entity macro-F1": (entity_macro_f1(old), entity_macro_f1(new)),
        "entity F1 (micro)": (old_entities.get("f1"), new_entities.get("f1")),
    }
    old_f1 = {k: v["f1"] for k, v in (old.get("per_intent") or {}).items()}
    new_f1 = {k: v["f1"] for k, v in (new.get("per_intent") or {}).items()}
    change.intents = sorted(
        (
            IntentChange(intent, old_f1.get(intent), new_f1.get(intent))
            for intent in old_f1.keys() | new_f1.keys()
            if _changed(old_f1.get(intent), new_f1.get(intent))
        ),
        key=lambda c: (c.delta, c.intent),
    )
    before, after = confusions(old), confusions(new)
    change.new_confusions = sorted(
        (Confusion(g, p, n) for (g, p), n in after.items() if not before[(g, p)]),
        key=lambda c: (-c.count, c.gold, c.predicted),
    )
    change.resolved_confusions = sorted(
        (Confusion(g, p, 0, n) for (g, p), n in before.items() if not after[(g, p)]),
        key=lambda c: (-c.old_count, c.gold, c.predicted),
    )
    return change


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> list[SystemChange]:
    """The change of every system that was run for ``new`` and is also in ``old``."""
    return [
        diff_system(name, old[name], result)
        for name, result in new.items()
        if name in old and not result.get("carried_over")
    ]


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _d(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return "new" if old is None else "gone"
    return f"{new - old:+.3f}"


def format_change(
    previous: PreviousReport, new: dict[str, Any], names: dict[str, str] | None = None
) -> list[str]:
    """The Markdown section "Change against the last committed report" (a list of lines)."""
    names = names or {}
    lines = ["## Change against the last committed report", ""]
    if previous.report is None:
        return [*lines, f"No earlier report to compare with ({previous.source}).", ""]
    lines += [f"Compared with {previous.source}.", ""]
    changes = diff_reports(previous.report, new)
    if not changes:
        return [*lines, "No system of this run is in that report.", ""]
    for change in changes:
        was = previous.report[change.system].get("measured_at")
        lines += [
            f"### {names.get(change.system, change.system)}"
            + (f" (before: measured {was})" if was else ""),
            "",
            "| measure | before | now | change |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {measure} | {_f(old)} | {_f(now)} | {_d(old, now) if _changed(old, now) else '='} |"
            for measure, (old, now) in change.overall.items()
            if old is not None or now is not None
        ]
        lines.append("")
        down = [c for c in change.intents if c.delta < 0]
        up = [c for c in reversed(change.intents) if c.delta >= 0]
        if not change.intents:
            lines += ["Per-intent F1: no intent changed.", ""]
        for title, group in (("Per-intent F1 down", down), ("Per-intent F1 up", up)):
            if group:
                lines += [f"{title}:", ""]
                lines += [
                    f"- {c.intent}: {_f(c.old)} → {_f(c.new)} ({_d(c.old, c.new)})" for c in group
                ]
                lines.append("")
        if change.new_confusions:
            lines += ["New confusions (gold → predicted, held-out utterances):", ""]
            lines += [f"- {c.gold} → {c.predicted}: {c.count}" for c in change.new_confusions]
        else:
            lines.append("New confusions: none.")
        if change.resolved_confusions:
            resolved = ", ".join(
                f"{c.gold} → {c.predicted} ({c.old_count})" for c in change.resolved_confusions
            )
            lines += ["", f"No longer confused: {resolved}."]
        lines.append("")
    return lines


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=30
    ).stdout


def load_previous_report(root: Path, path: str = REPORT_PATH) -> PreviousReport:
    """The report committed at HEAD; else (no git, not committed) the file on disk.

    Call it before the new report overwrites the file on disk.
    """
    reason = ""
    try:
        text = _git(root, "show", f"HEAD:{path}")
        commit = _git(root, "rev-parse", "--short", "HEAD").strip()
        return PreviousReport(json.loads(text), f"the last committed report ({commit}:{path})")
    except FileNotFoundError:
        reason = "git is not available"
    except subprocess.CalledProcessError as error:  # not a repository, or not committed
        message = (error.stderr or "").strip().splitlines()
        reason = f"none committed: {message[-1]}" if message else "none committed"
    except (subprocess.TimeoutExpired, ValueError) as error:
        reason = f"git show failed: {error}"
    on_disk = root / path
    try:
        return PreviousReport(
            json.loads(on_disk.read_text(encoding="utf-8")),
            f"the report on disk, {path} ({reason})",
        )
    except (OSError, ValueError):
        return PreviousReport(None, f"{reason}; no {path} on disk either")


__all__ = [
    "Confusion",
    "IntentChange",
    "PreviousReport",
    "SystemChange",
    "confusions",
    "diff_reports",
    "diff_system",
    "entity_macro_f1",
    "format_change",
    "load_previous_report",
]
