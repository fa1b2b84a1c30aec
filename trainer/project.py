"""Where the Rasa project's files are in a work tree, and its domain read as one.

The paths are relative to the work tree (``TRAINER_REPO_DIR``, the repository root) and
are what ``rasa train --config … --domain … --data …`` is given; the Makefile spells the
domain path once too (``DOMAIN``). The domain is a directory with one file per flow, which
Rasa merges; :func:`load_domain` merges it the same way for the tools that must not import
Rasa (the CRM side of the trainer) and for the data checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

CONFIG = "config.yml"
DOMAIN = "domain"
DATA = "data"
#: inputs of `rasa train` whose change makes the serving model stale
TRAINING_INPUTS = (CONFIG, DOMAIN, DATA)

# Rasa's merge: names are collected from every file, mappings are joined by key
_LIST_KEYS = ("intents", "entities", "actions", "e2e_actions")
_MAPPING_KEYS = ("slots", "forms", "responses")
_DOMAIN_KEYS = (*_LIST_KEYS, *_MAPPING_KEYS, "session_config", "config")


def domain_files(domain_path: Path) -> list[Path]:
    """The YAML files of a domain directory (every level, sorted), or the one file given."""
    if domain_path.is_file():
        return [domain_path]
    if not domain_path.is_dir():
        return []
    return sorted(
        path
        for pattern in ("*.yml", "*.yaml")
        for path in domain_path.rglob(pattern)
        if path.is_file()
    )


def merge_domain(parts: list[Any]) -> dict[str, Any]:
    """One domain mapping from the parsed files, in file order; non-domain files are skipped.

    A name or key that two files define is kept from the first (Rasa warns about it, and
    ``rasa data validate`` reports it).
    """
    merged: dict[str, Any] = {}
    for part in parts:
        if not isinstance(part, dict) or not any(key in part for key in _DOMAIN_KEYS):
            continue
        for key in _LIST_KEYS:
            known = set(entry_names(merged.get(key)))
            for entry in part.get(key) or []:
                if entry_name(entry) not in known:
                    merged.setdefault(key, []).append(entry)
                    known.add(entry_name(entry))
        for key in _MAPPING_KEYS:
            for name, value in (part.get(key) or {}).items():
                merged.setdefault(key, {}).setdefault(name, value)
        for key in ("version", "session_config", "config"):
            if key in part and key not in merged:
                merged[key] = part[key]
    return merged


def load_domain(domain_path: Path) -> dict[str, Any]:
    """The merged domain of a directory (or of a single domain file); {} if absent."""
    yaml = YAML(typ="safe")
    return merge_domain(
        [yaml.load(path.read_text(encoding="utf-8")) for path in domain_files(domain_path)]
    )


def entry_name(entry: Any) -> str:
    """`greet` of ``- greet`` or of ``- greet: {use_entities: [...]}``."""
    return str(next(iter(entry))) if isinstance(entry, dict) else str(entry)


def entry_names(entries: Any) -> list[str]:
    """The names of a domain list (intents, entities, actions)."""
    return [entry_name(entry) for entry in entries or []]
