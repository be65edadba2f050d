"""Every command group, in the order ``--help`` lists them. A group module must import nothing heavy at top level."""

from __future__ import annotations

import importlib

import typer

#: (module under agent_console.cli, attribute): a Typer sub-app added under its own name, or a function
#: ``register(app)`` that adds top-level commands.
GROUPS = (
    "db",
    "agents",
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
)


def register(app: typer.Typer) -> None:
    for name in GROUPS:
        try:
            module = importlib.import_module(f"agent_console.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"agent_console.cli.{name}":
                continue  # group not built yet
            raise
        module.register(app)
