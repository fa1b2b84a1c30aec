"""The intents' Chinese names, read from their table in data/ (the other labels are the
CRM's own tables: bankkit.complaints, crm_api.staff.models.ROLE_LABELS)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from crm_api.config import REPO_ROOT

# intent → Chinese label (to move into domain/ next to the intents, see the file's header)
INTENT_LABELS_FILE = REPO_ROOT / "data" / "intent_labels.yml"


@functools.cache
def intent_labels(path: Path = INTENT_LABELS_FILE) -> dict[str, str]:
    """The ``intent_labels`` table of ``path`` (read once per process)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = document.get("intent_labels") if isinstance(document, dict) else None
    if not isinstance(table, dict):
        raise ValueError(f"{path}: no intent_labels mapping")
    return {str(intent): str(label) for intent, label in table.items()}
