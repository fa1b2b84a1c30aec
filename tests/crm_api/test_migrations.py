"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

import crm_api.main  # noqa: F401  (imports every domain's models)
import crm_api.models
from crm_api.database import create_db_engine
from crm_api.manage import alembic_config
from crm_api.models import Base
from tests.crm_api.conftest import migrate

# What alembic_version holds in a database migrated before 0007 merged the branches.
OLD_HEADS = (
    "0003_products",
    "0004_handoff",
    "0005_trainer_inbox",
    "0006_training_runs",
)


def _quiet_config(url: str) -> Config:
    config = alembic_config(url)
    config.attributes["configure_logger"] = False  # keep pytest's logging setup
    return config


def _current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def test_crm_api_models_exports_every_mapped_model() -> None:
    # The app imports every domain, so a model that crm_api.models misses shows up here.
    mapped = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert set(crm_api.models.__all__) == mapped | {"Base"}
    assert all(getattr(crm_api.models, name).__name__ == name for name in crm_api.models.__all__)


def test_history_has_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == ["0007_merge_domains"]


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_alembic_check_finds_nothing_to_autogenerate(tmp_path: Path) -> None:
    # Through env.py, as `alembic check` runs it: raises if autogenerate sees a change.
    url = f"sqlite:///{tmp_path / 'check.db'}"
    migrate(url)
    command.check(_quiet_config(url))


def test_database_at_the_old_heads_upgrades_to_the_merge(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old_heads.db'}"
    config = _quiet_config(url)
    for revision in OLD_HEADS:
        command.upgrade(config, revision)
    engine = create_db_engine(url)
    assert _current_revisions(engine) == set(OLD_HEADS)
    tables_before = set(inspect(engine).get_table_names())
    command.upgrade(config, "head")
    assert _current_revisions(engine) == {"0007_merge_domains"}
    assert set(inspect(engine).get_table_names()) == tables_before
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate(url)
    config = _quiet_config(url)
    command.downgrade(config, "base")
    engine = create_db_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    assert "transactions" in inspect(engine).get_table_names()
    engine.dispose()
