"""Data-quality checks of the NLU training data, beyond ``rasa data validate``.

``make check-data`` runs ``rasa data validate`` and then :func:`run_checks` (via
``scripts/check_data.py``). Every finding carries a file and a 1-based line number,
also for the examples inside ``examples: |`` block literals.

What is checked, and why:

* **duplicate / conflict** — examples are compared after the normalisation the model
  sees (entity markup stripped, NFKC, Traditional → Simplified, Latin lower-cased,
  whitespace removed). Twice in one intent wastes an example; under two intents it
  teaches the classifier two answers for one text.
* **too-few** — intents (each ``faq/<topic>`` retrieval intent on its own) with fewer
  examples than the configured minimum.
* **unknown-entity / entity-value / synonym** — annotated entity names must be in
  the domain; values must end up canonical (``docs/intents.md``) after what
  the pipeline does to them: the normaliser, then ``EntitySynonymMapper``. Synonym
  targets must be canonical and a surface form must not map to two targets.
* **not-normalised** — ``ChineseTextNormalizer`` rewrites example texts (and the
  entity values that equal their surface text) to Simplified, half-width characters,
  so Traditional characters in example texts are fine and deliberate. Lookup tables,
  regexes, the jieba dictionary, synonym names and explicit entity values are not
  rewritten: they are matched against, or compared with, normalised text, so a
  Traditional or full-width character there silently never matches.
* **structured-annotation** (warning) — phone, card, card tail, one-time code and
  amount are found by ``StructuredEntityExtractor`` by pattern and are deliberately
  not annotated (the CRF would learn to compete with it).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa.shared.nlu.training_data import entities_parser
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from bankkit.amounts import parse_amount
from bankkit.chars import comparison_key, normalise_chars, to_halfwidth
from bankkit.identifiers import find_card_numbers, find_phones, find_verification_codes
from bankkit.text import Span
from bot.nlu.spacy_entities import CANONICAL
from trainer.project import CONFIG, DATA, DOMAIN, domain_files, entry_names, load_domain

ERROR = "error"
WARNING = "warning"

# Defaults chosen from the data: every contract intent has 30+ examples (the contract
# test in tests/bot/test_nlu_data.py holds them to 30); 20 leaves room for a new intent
# while it grows. A retrieval topic only has to be told apart from the other topics by
# the response selector, and the knowledge base's floor is 5 paraphrases per topic.
DEFAULT_MIN_EXAMPLES = 20
DEFAULT_MIN_FAQ_EXAMPLES = 5

# Entities found by StructuredEntityExtractor: canonical value and a finder for a span.
_STRUCTURED_VALUE = {
    "phone_number": re.compile(r"\d{11}"),
    "card_number": re.compile(r"\d{16,19}"),
    "verification_code": re.compile(r"\d{6}"),
    "card_tail": re.compile(r"\d{4}"),
}
_STRUCTURED_FINDER: dict[str, Callable[[str], list[Span]]] = {
    "phone_number": find_phones,
    "card_number": find_card_numbers,
    "verification_code": find_verification_codes,
}
STRUCTURED_ENTITIES = frozenset([*_STRUCTURED_VALUE, "amount"])

CHECK_TITLES = {
    "markup": "Entity markup that cannot be parsed",
    "duplicate": "Duplicate examples within an intent",
    "conflict": "The same example under different intents",
    "too-few": "Intents with too few examples",
    "unknown-entity": "Entities that are not in the domain",
    "entity-value": "Entity values that are not canonical",
    "synonym": "Synonyms with a non-canonical target or two targets",
    "not-normalised": "Traditional / full-width characters where the normaliser does not reach",
    "structured-annotation": "Annotations of entities found by StructuredEntityExtractor",
}


@dataclass(frozen=True)
class Finding:
    """One problem in the training data, at a file and 1-based line."""

    severity: str
    check: str
    path: Path
    line: int
    message: str


@dataclass(frozen=True)
class Example:
    """One training example of an intent (``faq/<topic>`` for retrieval intents)."""

    path: Path
    line: int
    intent: str
    text: str
    plain: str
    entities: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Entry:
    """One line of a synonym, lookup table, regex or jieba dictionary."""

    path: Path
    line: int
    text: str


@dataclass
class Block:
    """A ``synonym:``, ``lookup:`` or ``regex:`` item and its entries."""

    kind: str
    name: str
    path: Path
    line: int
    entries: list[Entry] = field(default_factory=list)


@dataclass
class NluData:
    """What the checks look at, with source locations."""

    examples: list[Example] = field(default_factory=list)
    intent_locations: dict[str, tuple[Path, int]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    dictionary: list[Entry] = field(default_factory=list)
    domain_entities: set[str] | None = None
    root: Path | None = None  # locations in messages are shown relative to it
    findings: list[Finding] = field(default_factory=list)  # problems found while loading

    def blocks_of(self, kind: str) -> list[Block]:
        """The synonym, lookup or regex blocks."""
        return [block for block in self.blocks if block.kind == kind]


# --------------------------------------------------------------------------- loading


def _yaml() -> YAML:
    return YAML(typ="rt")


def _multiline_entries(item: CommentedMap, key: str) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of each ``- entry`` line of ``item[key]``, as Rasa reads them.

    For a ``|`` block literal the content starts on the line after the indicator and
    maps one-to-one onto source lines; for other scalar styles only the key's line is
    known. A list of ``{text: ...}`` items (Rasa's metadata form) gives each item's line.
    """
    value = item.get(key)
    if isinstance(value, CommentedSeq):
        for index, element in enumerate(value):
            text = element.get("text", "") if isinstance(element, dict) else element
            if isinstance(text, str) and text.strip():
                yield value.lc.item(index)[0] + 1, text.strip("\n\r ")
        return
    if not isinstance(value, str):
        return
    value_line = item.lc.value(key)[0]  # 0-based line of the value (the `|`)
    first = value_line + 2 if isinstance(value, LiteralScalarString) else value_line + 1
    for offset, raw in enumerate(value.splitlines()):
        # Rasa skips (with a warning) lines that do not start with "-"
        if not raw.startswith("-") or not raw[1:].strip("\n\r "):
            continue
        line = first + offset if isinstance(value, LiteralScalarString) else first
        yield line, raw[1:].strip("\n\r ")


def _load_nlu_file(path: Path, data: NluData) -> None:
    document = _yaml().load(path.read_text(encoding="utf-8"))
    if not isinstance(document, CommentedMap) or not isinstance(document.get("nlu"), list):
        return
    for item in document["nlu"]:
        if not isinstance(item, CommentedMap):
            continue
        item_line = item.lc.line + 1
        if "intent" in item:
            intent = str(item["intent"])
            data.intent_locations.setdefault(intent, (path, item_line))
            for line, text in _multiline_entries(item, "examples"):
                data.examples.append(_parse_example(path, line, intent, text, data))
            continue
        for kind in ("synonym", "lookup", "regex"):
            if kind in item:
                block = Block(kind, str(item[kind]), path, item.lc.value(kind)[0] + 1)
                block.entries = [
                    Entry(path, ln, t) for ln, t in _multiline_entries(item, "examples")
                ]
                data.blocks.append(block)


def _parse_example(path: Path, line: int, intent: str, text: str, data: NluData) -> Example:
    try:
        entities = entities_parser.find_entities_in_training_example(text)
        plain = entities_parser.replace_entities(text)
    except Exception as error:  # Rasa raises on malformed JSON in the markup
        data.findings.append(Finding(ERROR, "markup", path, line, f"{text!r}: {error}"))
        entities, plain = [], text
    return Example(path, line, intent, text, plain, tuple(entities))


def _dictionary_dir(root: Path) -> Path | None:
    """The JiebaTokenizer ``dictionary_path`` of config.yml (relative to the project)."""
    config = root / CONFIG
    if config.exists():
        pipeline = (_yaml().load(config.read_text(encoding="utf-8")) or {}).get("pipeline") or []
        for component in pipeline:
            if component.get("name") == "JiebaTokenizer" and component.get("dictionary_path"):
                return root / str(component["dictionary_path"])
    return None


def _load_dictionary(directory: Path, data: NluData) -> None:
    # JiebaTokenizer loads every file in the directory; a line is "word [freq] [tag]"
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            word = raw.split()[0] if raw.split() else ""
            if word:
                data.dictionary.append(Entry(path, number, word))


def _domain_entities(domain_path: Path) -> set[str] | None:
    if not domain_files(domain_path):
        return None
    return set(entry_names(load_domain(domain_path).get("entities")))


def load_nlu_data(
    root: Path,
    *,
    data_dir: Path | None = None,
    domain_path: Path | None = None,
    dictionary_dir: Path | None = None,
) -> NluData:
    """Reads every NLU file under ``data/``, the domain's entities and the jieba dictionary.

    Args:
        root: the project directory (with ``config.yml``, ``domain/`` and ``data/``).
        data_dir: defaults to ``root/data``; every ``*.yml`` with an ``nlu:`` key is read.
        domain_path: defaults to ``root/domain`` (every file merged, as Rasa does).
        dictionary_dir: defaults to the JiebaTokenizer ``dictionary_path`` of config.yml.
    """
    data = NluData(root=root)
    data_dir = data_dir or root / DATA
    for path in sorted([*data_dir.rglob("*.yml"), *data_dir.rglob("*.yaml")]):
        _load_nlu_file(path, data)
    data.domain_entities = _domain_entities(domain_path or root / DOMAIN)
    dictionary_dir = dictionary_dir or _dictionary_dir(root)
    if dictionary_dir is not None and dictionary_dir.is_dir():
        _load_dictionary(dictionary_dir, data)
    return data


# --------------------------------------------------------------------------- helpers


def unnormalised_chars(text: str) -> list[str]:
    """``["儲→储", "Ｋ→K"]`` for every character the pipeline's normaliser would rewrite."""
    normalised = normalise_chars(text)  # length-preserving, so characters line up
    return [f"{a}→{b}" for a, b in zip(text, normalised) if a != b]


def _describe_unnormalised(text: str) -> str:
    changed = unnormalised_chars(text)
    width = [c for c in changed if to_halfwidth(c[0]) != c[0]]
    kind = "full-width" if len(width) == len(changed) else "Traditional"
    if width and len(width) != len(changed):
        kind = "Traditional/full-width"
    return f"{kind} {', '.join(changed)}"


def _where(path: Path, line: int, root: Path | None) -> str:
    shown = path
    if root is not None and path.is_relative_to(root):
        shown = path.relative_to(root)
    return f"{shown}:{line}"


def _synonym_table(data: NluData) -> dict[str, list[tuple[str, Path, int]]]:
    """Normalised, lower-cased surface → [(target, path, line)], as the pipeline builds it.

    ChineseTextNormalizer adds a normalised copy of every synonym key and
    EntitySynonymMapper looks keys up lower-cased; annotations with an explicit
    value different from their text add a synonym too.
    """
    table: dict[str, list[tuple[str, Path, int]]] = defaultdict(list)
    for block in data.blocks_of("synonym"):
        for entry in block.entries:
            table[normalise_chars(entry.text).lower()].append((block.name, entry.path, entry.line))
    for example in data.examples:
        for entity in example.entities:
            surface = example.plain[entity["start"] : entity["end"]]
            if str(entity["value"]) != surface:
                key = normalise_chars(surface).lower()
                table[key].append((str(entity["value"]), example.path, example.line))
    return table


def _covers(spans: list[Span], text: str) -> bool:
    return any(span.start == 0 and span.end == len(text) for span in spans)


def _structured_value_ok(entity: str, value: Any, surface: str, explicit: bool) -> bool:
    if entity == "amount":
        if explicit:
            try:
                return float(str(value).replace(",", "")) > 0
            except ValueError:
                return False
        return parse_amount(surface) is not None
    if explicit:
        return bool(_STRUCTURED_VALUE[entity].fullmatch(str(value)))
    normalised = normalise_chars(surface).strip()
    if _STRUCTURED_VALUE[entity].fullmatch(normalised):
        return True
    finder = _STRUCTURED_FINDER.get(entity)
    return finder is not None and _covers(finder(normalised), normalised)


def _canonical_values(entity: str) -> set[str]:
    return {str(value) for value in CANONICAL[entity]}


# --------------------------------------------------------------------------- checks


def check_duplicates(data: NluData) -> list[Finding]:
    """Duplicates within an intent and conflicts between intents (after normalisation)."""
    findings: list[Finding] = []
    groups: dict[str, list[Example]] = defaultdict(list)
    for example in data.examples:
        groups[comparison_key(example.plain)].append(example)
    for group in groups.values():
        if len(group) < 2:
            continue
        first_of_intent: dict[str, Example] = {}
        for example in group:
            first = first_of_intent.setdefault(example.intent, example)
            if first is not example:
                findings.append(
                    Finding(
                        ERROR,
                        "duplicate",
                        example.path,
                        example.line,
                        f"{example.text!r} duplicates {first.text!r} in intent {example.intent} "
                        f"({_where(first.path, first.line, data.root)})",
                    )
                )
        intents = list(first_of_intent)
        for intent in intents[1:]:
            example, other = first_of_intent[intent], first_of_intent[intents[0]]
            findings.append(
                Finding(
                    ERROR,
                    "conflict",
                    example.path,
                    example.line,
                    f"{example.text!r} is an example of {intent} and of {other.intent} "
                    f"({other.text!r}, {_where(other.path, other.line, data.root)})",
                )
            )
    return findings


def check_example_counts(
    data: NluData,
    *,
    min_examples: int = DEFAULT_MIN_EXAMPLES,
    min_faq_examples: int = DEFAULT_MIN_FAQ_EXAMPLES,
) -> list[Finding]:
    """Intents (each retrieval intent ``faq/<topic>`` on its own) with too few examples."""
    counts = Counter(example.intent for example in data.examples)
    findings = []
    for intent, (path, line) in data.intent_locations.items():
        minimum = min_faq_examples if "/" in intent else min_examples
        if counts[intent] < minimum:
            kind = "retrieval intent" if "/" in intent else "intent"
            findings.append(
                Finding(
                    ERROR,
                    "too-few",
                    path,
                    line,
                    f"{kind} {intent} has {counts[intent]} examples; at least {minimum} needed",
                )
            )
    return findings


def check_entities(data: NluData) -> list[Finding]:
    """Entity names in the domain; values canonical after normaliser and synonyms."""
    findings: list[Finding] = []
    table = _synonym_table(data)
    for example in data.examples:
        for entity in example.entities:
            name, value = entity["entity"], entity["value"]
            surface = example.plain[entity["start"] : entity["end"]]
            explicit = str(value) != surface

            def add(severity: str, check: str, message: str, example: Example = example) -> None:
                findings.append(Finding(severity, check, example.path, example.line, message))

            if data.domain_entities is not None and name not in data.domain_entities:
                add(ERROR, "unknown-entity", f"[{surface}]({name}): {name} is not in the domain")
                continue
            if name in CANONICAL:
                # EntitySynonymMapper maps the (normalised) surface once; an explicit
                # value is what the mapper learns for the surface, not mapped again.
                normalised = normalise_chars(surface)
                mapped = table.get(normalised.lower())
                resolved = str(value) if explicit else (mapped[0][0] if mapped else normalised)
                if resolved not in _canonical_values(name):
                    via = f" (via synonym {normalised!r} → {resolved!r})" if mapped else ""
                    allowed = ", ".join(sorted(_canonical_values(name)))
                    add(
                        ERROR,
                        "entity-value",
                        f"{name} [{surface}] has value {resolved!r}{via}; canonical: {allowed}",
                    )
            elif name in STRUCTURED_ENTITIES:
                if not _structured_value_ok(name, value, surface, explicit):
                    add(
                        ERROR,
                        "entity-value",
                        f"{name} [{surface}] value {value!r} is not a valid {name}",
                    )
                add(
                    WARNING,
                    "structured-annotation",
                    f"{name} [{surface}] is found by StructuredEntityExtractor; annotating "
                    "it teaches the CRF to compete with it",
                )
    canonical_anywhere = set().union(*(_canonical_values(name) for name in CANONICAL))
    for block in data.blocks_of("synonym"):
        if block.name not in canonical_anywhere:
            findings.append(
                Finding(
                    ERROR,
                    "synonym",
                    block.path,
                    block.line,
                    f"synonym target {block.name!r} is not a canonical value of "
                    f"{', '.join(sorted(CANONICAL))}",
                )
            )
    for key, targets in table.items():
        if len({target for target, _, _ in targets}) > 1:
            first_target, first_path, first_line = targets[0]
            for target, path, line in targets[1:]:
                if target != first_target:
                    findings.append(
                        Finding(
                            ERROR,
                            "synonym",
                            path,
                            line,
                            f"{key!r} maps to {target!r} here and to {first_target!r} at "
                            f"{_where(first_path, first_line, data.root)}",
                        )
                    )
    return findings


def check_normalised(data: NluData) -> list[Finding]:
    """Traditional / full-width characters in places the normaliser does not rewrite."""
    findings: list[Finding] = []

    def check(path: Path, line: int, text: str, what: str) -> None:
        if unnormalised_chars(text):
            findings.append(
                Finding(
                    ERROR,
                    "not-normalised",
                    path,
                    line,
                    f"{what} {text!r} has {_describe_unnormalised(text)}; "
                    "the normaliser does not rewrite it, so it never matches",
                )
            )

    for block in data.blocks:
        if block.kind == "synonym":
            check(block.path, block.line, block.name, "synonym target")
        else:
            for entry in block.entries:
                check(entry.path, entry.line, entry.text, f"{block.kind} {block.name} entry")
    for entry in data.dictionary:
        check(entry.path, entry.line, entry.text, "jieba dictionary word")
    for example in data.examples:
        for entity in example.entities:
            value = entity["value"]
            surface = example.plain[entity["start"] : entity["end"]]
            # a value equal to its surface text is normalised with the example text
            if isinstance(value, str) and value != surface:
                check(example.path, example.line, value, f"{entity['entity']} value")
    return findings


@dataclass(frozen=True)
class CheckConfig:
    """Thresholds of :func:`run_checks`."""

    min_examples: int = DEFAULT_MIN_EXAMPLES
    min_faq_examples: int = DEFAULT_MIN_FAQ_EXAMPLES


def run_checks(root: Path, config: CheckConfig | None = None, **paths: Any) -> list[Finding]:
    """All checks over the project at ``root``; ``paths`` go to :func:`load_nlu_data`."""
    config = config or CheckConfig()
    data = load_nlu_data(root, **paths)
    findings = [
        *data.findings,
        *check_duplicates(data),
        *check_example_counts(
            data, min_examples=config.min_examples, min_faq_examples=config.min_faq_examples
        ),
        *check_entities(data),
        *check_normalised(data),
    ]
    return sorted(findings, key=lambda f: (str(f.path), f.line, f.check, f.message))


def format_report(findings: list[Finding], *, root: Path | None = None) -> str:
    """A human-readable report grouped by check, errors first."""
    lines: list[str] = []
    for severity in (ERROR, WARNING):
        for check, title in CHECK_TITLES.items():
            group = [f for f in findings if f.severity == severity and f.check == check]
            if not group:
                continue
            lines.append(f"{severity.upper()}S: {title} ({len(group)})")
            lines.extend(f"  {_where(f.path, f.line, root)}: {f.message}" for f in group)
            lines.append("")
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    lines.append(
        f"check-data: {errors} error(s), {warnings} warning(s)"
        if findings
        else "check-data: the training data is clean"
    )
    return "\n".join(lines)


__all__ = [
    "CheckConfig",
    "Finding",
    "NluData",
    "check_duplicates",
    "check_entities",
    "check_example_counts",
    "check_normalised",
    "comparison_key",
    "format_report",
    "load_nlu_data",
    "run_checks",
    "unnormalised_chars",
]
