"""What a sync round reports and the console shows: the status line, a round's report, the notices of ops the
server did not apply as made, and the waiting between failed rounds."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime

from agent_console.store.sync_state import case_key, refused_ops
from agent_console.sync.replica import ApplyReport

#: sync_state key: "1" while a console's first sync has not reached the end of the feed (it resumes in bulk mode).
FIRST_SYNC = "first_sync"


@dataclass
class Notice:
    """An op the server did not apply as made: a conflict or a rejection, for the agent to see."""

    outbox_id: int
    op_id: str
    kind: str
    status: str               # conflict | rejected
    reason: str
    case_uid: str | None
    case_key: str | None
    at: datetime | None
    draft_saved: bool = False

    def text(self) -> str:
        what = {"case.claim": "Claim", "case.update": "Change", "message.add": "Message", "case.create": "New case",
                "case.release": "Release", "case.assign": "Assignment"}.get(self.kind, self.kind)
        where = f" on {self.case_key}" if self.case_key else ""
        tail = " Your text is back in the draft." if self.draft_saved else ""
        verb = "conflicted" if self.status == "conflict" else "was refused"
        return f"{what}{where} {verb}: {self.reason}.{tail}"


def notices(store, *, after_id: int = 0, limit: int = 50) -> list[Notice]:
    """Conflicts and rejections, newest first (``after_id``: only those newer than an outbox id already shown)."""
    with store.session() as session:
        out = []
        for row in refused_ops(session, after_id, limit):
            payload = json.loads(row.payload)
            case_uid = case_uid_of(row.kind, payload)
            key = case_key(session, case_uid)
            draft = row.kind == "message.add" and row.status == "rejected" and \
                payload.get("message", {}).get("direction") == "out"
            out.append(Notice(row.id, row.op_id, row.kind, row.status, row.last_error or row.status, case_uid, key,
                              row.sent_at, draft))
        return out


def case_uid_of(kind: str, payload: dict) -> str | None:
    """The uid of the case an op is about (None: it is about no case)."""
    if "case_uid" in payload:
        return payload["case_uid"]
    for part in ("message", "escalation", "segment", "survey"):
        if isinstance(payload.get(part), dict) and payload[part].get("case_uid"):
            return payload[part]["case_uid"]
    if kind == "case.create":
        return payload.get("case", {}).get("uid")
    return None


@dataclass
class SyncStatus:
    #: local (not logged in) | syncing | online | offline | logged_out (the server refused the token)
    state: str
    pending: int = 0
    last_error: str = ""
    cursor: int = 0

    def label(self) -> str:
        if self.state == "offline":
            return f"offline · {self.pending} pending" if self.pending else "offline"
        if self.state == "online" and self.pending:
            return f"online · {self.pending} pending"
        if self.state == "logged_out":
            return "log in again"
        return self.state


@dataclass
class SyncReport:
    pushed: int = 0
    applied: int = 0
    notices: list[Notice] = field(default_factory=list)
    pulled: ApplyReport = field(default_factory=ApplyReport)
    cursor: int = 0
    pages: int = 0


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 15.0) -> float:
    """Exponential backoff with jitter: up to ``base * 2**attempt`` (at most ``cap``), never less than half of it."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return random.uniform(ceiling / 2, ceiling)


def refusal_reason(detail) -> str:
    """A one-line reason from the server's answer to an invalid batch (FastAPI's validation errors, or a text)."""
    if isinstance(detail, list):
        parts = []
        for item in detail[:3]:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", []) if p not in ("body",))
                parts.append(f"{where}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts) or "refused by the server"
    return str(detail)[:500]
