"""Base for NLU components that train nothing and persist nothing."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from typing_extensions import Self


class StatelessComponent(GraphComponent):
    """Rasa's ``create`` and ``load`` both just build the component from its config.

    Subclasses that take configuration override :meth:`from_config`.
    """

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Self:
        """The component for this (merged) configuration."""
        return cls()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        """Creates the component (nothing to train)."""
        return cls.from_config(config)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        """Loads the component (nothing was persisted)."""
        return cls.from_config(config)
