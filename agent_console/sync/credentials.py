"""Where a store's log-in is kept: ``<store file>.token``, readable by its owner only (mode 0600).

The log-in belongs to the store, not to the user account: two stores on one machine can be logged in as two different
agents. There is no system keyring on the machines we target; the file is written atomically (temporary file created
0600, then renamed) so no other user can ever read the token, even for a moment.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from agent_console.i18n import _


@dataclass
class Credentials:
    server: str
    login: str
    token: str
    name: str = ""
    role: str = "agent"
    tier: int = 1
    queues: list[str] = field(default_factory=list)
    expires_at: str | None = None

    def visible_queues(self) -> list[str] | None:
        """The queues the server limits this log-in to (an agent's), or None for every queue."""
        return list(self.queues) if self.role == "agent" and self.queues else None


class CredentialsError(RuntimeError):
    pass


def token_path(store_path: Path | str) -> Path:
    return Path(f"{store_path}.token")


def load(store_path: Path | str | None) -> Credentials | None:
    """The store's log-in, or None when it is not logged in."""
    if store_path is None:
        return None
    path = token_path(store_path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CredentialsError(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror)) from None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CredentialsError(_("{path} is readable by others (mode {mode}); log in again to replace it").format(
            path=path, mode=f"{mode:o}"))
    try:
        data = json.loads(raw)
        known = {f for f in Credentials.__dataclass_fields__}
        return Credentials(**{k: v for k, v in data.items() if k in known})
    except (ValueError, TypeError) as exc:
        raise CredentialsError(_("{path} is damaged ({error}); log in again").format(path=path, error=exc)) from None


def save(store_path: Path | str, credentials: Credentials) -> Path:
    path = token_path(store_path)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask could only have narrowed it; make it exact
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(credentials), out, indent=2)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)
    return path


def delete(store_path: Path | str) -> bool:
    """Forget the log-in; True when there was one."""
    path = token_path(store_path)
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
