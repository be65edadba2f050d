"""What the commands share that needs neither Typer nor Rich, so the pre-Typer fast path (``cli/fast_path.py``) can
use it too: JSON on standard output and who the acting agent is."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_console.config import Settings


def print_json(data) -> None:
    """JSON on standard output; control characters in values are escaped (``safe_json``), never written raw."""
    from agent_console.domain.text import safe_json

    sys.stdout.write(safe_json(data, ensure_ascii=False, indent=2, default=str) + "\n")


def logged_in_login(db_path: Path) -> str | None:
    """The login this store is logged in as on the team's server, or None."""
    from agent_console.sync import credentials

    try:
        creds = credentials.load(db_path)
    except credentials.CredentialsError:
        return None
    return creds.login if creds else None


def acting_login(agent_option: str | None, db_path: Callable[[], Path],
                 settings: Callable[[], "Settings"]) -> str | None:
    """``--agent``, else the agent this store is logged in as on the team's server, else the settings' ``agent``.
    The store path and the settings are only worked out when they are needed."""
    return agent_option or logged_in_login(db_path()) or settings().agent or None
