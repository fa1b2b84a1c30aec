"""The model archive `rasa train` writes: where it is and what its `metadata.json` says."""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from crm_api.clock import UTC

MODEL_NAME = "bank-assistant"
MODEL_ARCHIVE = f"{MODEL_NAME}.tar.gz"


@dataclass(frozen=True)
class ArchiveInfo:
    path: Path
    size_bytes: int
    model_id: str | None
    trained_at: datetime
    trained_at_source: Literal["metadata", "file_mtime"]


def archive_info(path: Path) -> ArchiveInfo | None:
    """What a Rasa 3 model archive says about itself (`metadata.json`), or None if absent."""
    try:
        stat = path.stat()
    except OSError:
        return None
    model_id, trained_at = _read_metadata(str(path), stat.st_size, stat.st_mtime_ns)
    if trained_at is not None:
        return ArchiveInfo(path, stat.st_size, model_id, trained_at, "metadata")
    mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    return ArchiveInfo(path, stat.st_size, model_id, mtime, "file_mtime")


@lru_cache(maxsize=16)
def _read_metadata(path: str, size: int, mtime_ns: int) -> tuple[str | None, datetime | None]:
    # Keyed on size and mtime as well: the archive is replaced in place by each run.
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.name.lstrip("/") == "metadata.json":
                    handle = archive.extractfile(member)
                    if handle is None:
                        break
                    metadata = json.load(handle)
                    break
            else:
                return None, None
    except (OSError, tarfile.TarError, ValueError, EOFError):
        return None, None
    model_id = metadata.get("model_id")
    trained_at: datetime | None = None
    try:
        # Rasa writes `datetime.utcnow().isoformat()`: naive, in UTC
        parsed = datetime.fromisoformat(str(metadata.get("trained_at")))
        trained_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    return (str(model_id) if model_id else None), trained_at
