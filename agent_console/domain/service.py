"""What every domain service holds: the store it writes to, the clock it reads, and the agent acting."""

from __future__ import annotations

from dataclasses import dataclass

from agent_console.domain.clock import Clock
from agent_console.store.db import Store
from agent_console.store.models import Agent


@dataclass
class Service:
    store: Store
    clock: Clock
    #: The agent acting; None for system actions (imports, integrations).
    actor: Agent | None = None

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor else None
