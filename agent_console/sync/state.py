"""What a sync round reports and the console shows: the status line, a round's report, the notices of ops the
server did not apply as made, and the waiting between failed rounds."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime

from agent_console import formatting
from agent_console.domain.text import one_line
from agent_console.i18n import N_, _, ngettext, pgettext
from agent_console.store.sync_state import case_key, refused_ops
from agent_console.sync.replica import ApplyReport

#: sync_state key: "1" while a console's first sync has not reached the end of the feed (it resumes in bulk mode).
FIRST_SYNC = "first_sync"


#: The sync engine's states (``sync.state.SyncStatus``) and the app's own, as the header and ``sync`` name them.
SYNC_STATE_LABELS = {"local only": N_("local only"), "connecting": N_("connecting"), "local": N_("local only"),
                     "syncing": N_("syncing"), "online": N_("online"), "offline": N_("offline"),
                     "logged_out": N_("log in again")}


def sync_label(state: str, pending: int = 0) -> str:
    """``online``, ``offline · 3 pending``: the sync state in the interface language (an unknown one as it is)."""
    label = _(SYNC_STATE_LABELS[state]) if state in SYNC_STATE_LABELS else one_line(state)
    if pending and state in ("online", "offline"):
        return ngettext("{state} · {count} pending", "{state} · {count} pending", pending).format(
            state=label, count=formatting.number(pending))
    return label


def notice_subject(kind: str) -> str:
    """What an op did, as a notice names it (the subject of "… was refused"); an unknown kind as it is."""
    subjects = {"case.claim": lambda: pgettext("sync notice", "Claim"),
                "case.update": lambda: pgettext("sync notice", "Change"),
                "message.add": lambda: pgettext("sync notice", "Message"),
                "case.create": lambda: pgettext("sync notice", "New case"),
                "case.release": lambda: pgettext("sync notice", "Release"),
                "case.assign": lambda: pgettext("sync notice", "Assignment")}
    return subjects[kind]() if kind in subjects else one_line(kind)


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
        what = notice_subject(self.kind)
        reason = self.reason.rstrip(".")
        if self.case_key:
            text = (_("{what} on {case} conflicted: {reason}.") if self.status == "conflict"
                    else _("{what} on {case} was refused: {reason}.")).format(what=what, case=self.case_key,
                                                                               reason=reason)
        else:
            text = (_("{what} conflicted: {reason}.") if self.status == "conflict"
                    else _("{what} was refused: {reason}.")).format(what=what, reason=reason)
        if self.draft_saved:
            text = _("{notice} Your text is back in the draft.").format(notice=text)
        return text


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
        """The state in the interface language, with the ops still to send (``offline · 3 pending``)."""
        return sync_label(self.state, self.pending)


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
        return "; ".join(parts) or _("refused by the server")
    return str(detail)[:500]
