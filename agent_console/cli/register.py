"""Every command group, in the order ``--help`` lists them. A group module must import nothing heavy at top level."""

from __future__ import annotations

import importlib

import typer

#: Modules under agent_console.cli; each has ``register(app)``, which adds its group or top-level commands.
GROUPS = (
    "db",
    "agents",
    "queues",
    "sla",
    "seed",
    "transfer",
    "case",
    "kb",
    "canned",
    "report",
    "agent_state",
    "monitor",
    "server",
    "sync",
    "mail",
)


def register(app: typer.Typer) -> None:
    for name in GROUPS:
        importlib.import_module(f"agent_console.cli.{name}").register(app)
