"""Accepted inbox examples written into the NLU training files, in place.

The training data stays in git as Rasa YAML (data/nlu/<topic>.yml, data/faq/<part>.yml).
An example is appended to the `examples: |` block of its intent in the file that already
holds that intent, through ruamel.yaml's round-trip mode: comments, key order, blank lines
and the other examples stay as they were, so the git diff is the one added line.

Before writing, the text is compared (normalised: entity markup removed, NFKC, no spaces or
trailing punctuation, latin lower-cased) with every example of every intent: the same text
under the same intent is a duplicate, under another intent a conflict; neither is written.

This module needs only the standard library and ruamel.yaml, so both the crm_api service
(the console, `manage inbox`) and the Rasa-side tests can import it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bankkit.chars import comparison_key
from trainer.project import DATA, DOMAIN, domain_files, entry_names, merge_domain

NLU_DIRS = (f"{DATA}/nlu", f"{DATA}/faq")
RETRIEVAL_INTENT = "faq"
# [surface](entity) or [surface]{"entity": ..., "value": ...}
_MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<name>[^)]+)\)|(?P<json>\{[^}]*\}))")
_EDGE_PUNCT = "。，！？!?,.~～…、；;：: "


_PARSED: dict[Path, tuple[tuple[int, int], Any]] = {}


class AnnotationError(ValueError):
    """A trainer's annotation that cannot be written; `code` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    entity: str
    value: str | None = None


@dataclass(frozen=True)
class KnownExample:
    intent: str
    file: str  # relative to the repository


def strip_markup(example: str) -> str:
    """`我的[工资卡]{"entity": ...}余额` → `我的工资卡余额`."""
    return _MARKUP.sub(lambda m: m.group("text"), example)


def normalise(text: str) -> str:
    """The comparison key of an example (not what is written).

    `make check-data`'s key (`bankkit.chars.comparison_key`: as the model sees the text)
    with the markup removed, and stricter by one step: edge punctuation is ignored too,
    so 「查余额。」 cannot be filed under another intent than 「查余额」.
    """
    return comparison_key(strip_markup(text)).strip(_EDGE_PUNCT)


def _yaml() -> YAML:
    return YAML()  # round-trip: keeps the line numbers of every node


def _examples(block: Any) -> list[str]:
    if not isinstance(block, str):
        return []
    return [
        line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")
    ]


def render_example(text: str, entities: list[Entity]) -> str:
    """The example line in Rasa's markup; checks the entity spans against `text`."""
    text = " ".join(text.split())  # one line
    if not text:
        raise AnnotationError("empty_text", "例句为空")
    pieces: list[str] = []
    last = 0
    for ent in sorted(entities, key=lambda e: e.start):
        if not (0 <= ent.start < ent.end <= len(text)) or ent.start < last:
            raise AnnotationError("bad_span", "实体位置超出句子范围或相互重叠")
        surface = text[ent.start : ent.end]
        if surface != surface.strip() or any(c in surface for c in "[]{}()"):
            raise AnnotationError("bad_span", f"实体「{surface}」首尾有空格或含括号")
        pieces.append(_escape(text[last : ent.start]))
        if ent.value is None or ent.value == surface:
            pieces.append(f"[{surface}]({ent.entity})")
        else:
            payload = json.dumps({"entity": ent.entity, "value": ent.value}, ensure_ascii=False)
            pieces.append(f"[{surface}]{payload}")
        last = ent.end
    pieces.append(_escape(text[last:]))
    return "".join(pieces)


def _escape(plain: str) -> str:
    # ASCII brackets outside an annotation would read as markup: use the full-width forms
    return plain.replace("[", "［").replace("]", "］")


class TrainingFiles:
    """The NLU files of one work tree: which intent lives where, what examples exist."""

    def __init__(self, repo_dir: Path) -> None:
        self.repo = Path(repo_dir)

    # ---- reading --------------------------------------------------------------------
    def files(self) -> list[Path]:
        found: list[Path] = []
        for folder in NLU_DIRS:
            found += sorted((self.repo / folder).glob("*.yml"))
        return found

    def _load(self, path: Path) -> Any:
        """The parsed file (safe loader, C speed), cached until the file changes."""
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _PARSED.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with path.open(encoding="utf-8") as fh:
            doc = YAML(typ="safe").load(fh)
        _PARSED[path] = (stamp, doc)
        return doc

    def index(self) -> tuple[dict[str, KnownExample], dict[str, str]]:
        """(normalised example → where it is, intent → the file that holds it)."""
        examples: dict[str, KnownExample] = {}
        intent_files: dict[str, str] = {}
        for path in self.files():
            rel = str(path.relative_to(self.repo))
            for item in (self._load(path) or {}).get("nlu") or []:
                intent = item.get("intent") if isinstance(item, dict) else None
                if not intent:
                    continue
                intent_files.setdefault(intent, rel)
                for ex in _examples(item.get("examples")):
                    examples.setdefault(normalise(ex), KnownExample(intent, rel))
        return examples, intent_files

    def _domain(self) -> dict[str, Any]:
        """The domain directory, every file merged (each parsed file cached)."""
        return merge_domain([self._load(path) for path in domain_files(self.repo / DOMAIN)])

    def intents(self) -> list[str]:
        """Every intent of the domain, then the `faq/<topic>` retrieval intents of data/."""
        intents = entry_names(self._domain().get("intents"))
        _, intent_files = self.index()
        topics = sorted(i for i in intent_files if i.startswith(RETRIEVAL_INTENT + "/"))
        return intents + [t for t in topics if t not in intents]

    def domain(self) -> tuple[list[str], list[str]]:
        """(intents a message can be labelled with, entity names) from the domain + data.

        `faq` alone (its topic is the label) and `nlu_fallback` are not labels.
        """
        entities = entry_names(self._domain().get("entities"))
        labels = [i for i in self.intents() if i not in (RETRIEVAL_INTENT, "nlu_fallback")]
        return labels, entities

    # ---- writing --------------------------------------------------------------------
    def add_example(self, intent: str, text: str, entities: list[Entity]) -> str:
        """Appends one example; returns the file it went to (relative path)."""
        with self._lock():
            labels, entity_names = self.domain()
            if intent not in labels:
                raise AnnotationError("unknown_intent", f"意图「{intent}」不在 domain/ 中")
            for ent in entities:
                if ent.entity not in entity_names:
                    raise AnnotationError("unknown_entity", f"实体「{ent.entity}」不在 domain/ 中")
            line = render_example(text, entities)
            key = normalise(line)
            examples, intent_files = self.index()
            known = examples.get(key)
            if known is not None and known.intent == intent:
                raise AnnotationError("duplicate", f"这句话已在 {known.file} 的「{intent}」下")
            if known is not None:
                raise AnnotationError(
                    "conflict",
                    f"这句话已在 {known.file} 中标为「{known.intent}」，不能再标为「{intent}」",
                )
            rel = intent_files.get(intent) or self._new_file_for(intent)
            self._append(self.repo / rel, intent, line)
            return rel

    def _new_file_for(self, intent: str) -> str:
        if intent.startswith(RETRIEVAL_INTENT + "/"):
            raise AnnotationError("unknown_intent", f"知识库里没有「{intent}」这个问题")
        return f"data/nlu/{intent}.yml"

    def _append(self, path: Path, intent: str, line: str) -> None:
        if not path.exists():
            _atomic_write(
                path, f'version: "3.1"\n\nnlu:\n- intent: {intent}\n  examples: |\n    - {line}\n'
            )
            return
        source = path.read_text(encoding="utf-8")
        updated = insert_example(source, intent, line)
        if line not in _examples_of(self._parse(updated), intent):
            raise AnnotationError("write_failed", f"写入 {path.name} 后校验失败，未保存")
        _atomic_write(path, updated)

    def _parse(self, source: str) -> Any:
        return _yaml().load(source)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer at a time per work tree (console workers and the CLI)."""
        digest = hashlib.sha256(str(self.repo.resolve()).encode()).hexdigest()[:16]
        lock_path = Path(tempfile.gettempdir()) / f"bank-assistant-annotate-{digest}.lock"
        with lock_path.open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _examples_of(doc: Any, intent: str) -> list[str]:
    for item in (doc or {}).get("nlu") or []:
        if hasattr(item, "get") and item.get("intent") == intent:
            return _examples(item.get("examples"))
    return []


def insert_example(source: str, intent: str, line: str) -> str:
    """`source` with `- line` added as the last example of `intent`, nothing else changed.

    ruamel.yaml's round-trip loader finds where the intent's `examples: |` block starts;
    the line is inserted as text after the block's last line, with the block's own
    indentation. Dumping the whole document instead would re-indent files written in
    another style (`  - intent:` vs `- intent:`) and every `responses:` entry of the FAQ
    files: a one-line change would become a diff of hundreds.
    """
    doc = _yaml().load(source)
    lines = source.splitlines(keepends=True)
    for item in (doc or {}).get("nlu") or []:
        if hasattr(item, "get") and item.get("intent") == intent and "examples" in item:
            value_line = item.lc.value("examples")[0]  # the line of `examples: |`
            break
    else:
        raise AnnotationError("no_block", f"文件里没有「{intent}」的例句块")
    indent: int | None = None
    last = value_line
    for number in range(value_line + 1, len(lines)):
        text = lines[number]
        if not text.strip():
            continue
        current = len(text) - len(text.lstrip(" "))
        if indent is None:
            indent = current
        if current < indent:
            break
        last = number
    if indent is None:  # an empty block: indent under the key
        indent = item.lc.key("examples")[1] + 2
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines.insert(last + 1, " " * indent + f"- {line}\n")
    return "".join(lines)


def _atomic_write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
