"""What happened to the case: its escalations (from → to, who, when, why) and its follow-ups (due, done).

Reads nothing itself: the case screen hands it the rows ``store.queries.case_escalations`` / ``case_follow_ups``
return. Every reason, queue and name is shown literally.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from agent_console.domain.text import one_line
from agent_console.i18n import N_, _
from agent_console.widgets.sla_badge import local_time

TITLE = N_("Escalations & follow-ups")
NOTHING = N_("No escalations or follow-ups.")
ESCALATED = N_("T{from_tier} {from_queue} → T{to_tier} {to_queue}")
KIND_LABEL = {"manual": N_("escalated"), "automatic": N_("auto-escalated"), "deescalation": N_("de-escalated")}
FOLLOW_UP_OPEN = N_("follow-up due {due}")
FOLLOW_UP_DONE = N_("follow-up due {due} · done")
BY = N_("by {name}")
REASON = N_("“{reason}”")
SYSTEM = N_("the SLA rule")


def history_text(escalations: list[dict], follow_ups: list[dict], zone: tzinfo | None, now: datetime) -> Text:
    text = Text()
    text.append(_(TITLE), style="bold")
    if not escalations and not follow_ups:
        text.append("\n")
        text.append(_(NOTHING), style="dim")
        return text
    for row in escalations:
        text.append("\n")
        text.append(_(KIND_LABEL[row["kind"]]) if row["kind"] in KIND_LABEL else one_line(row["kind"]), style="bold yellow")
        text.append(" ")
        text.append(local_time(row["created_at"], zone, now=now))
        text.append(" ")
        text.append(_(BY).format(name=one_line(row["by_name"]) if row["by_name"] else _(SYSTEM)), style="dim")
        text.append("\n")
        text.append(_(ESCALATED).format(from_tier=row["from_tier"], from_queue=one_line(row["from_queue"]),
                                     to_tier=row["to_tier"], to_queue=one_line(row["to_queue"])))
        text.append("\n")
        text.append(_(REASON).format(reason=one_line(row["reason"], 200)), style="italic")
    for row in follow_ups:
        text.append("\n")
        due = local_time(row["due_at"], zone, now=now)
        if row["done_at"] is not None:
            text.append(_(FOLLOW_UP_DONE).format(due=due), style="dim")
        else:
            overdue = row["due_at"] <= now
            text.append(_(FOLLOW_UP_OPEN).format(due=due), style="bold red" if overdue else "")
        text.append(" ")
        text.append(_(BY).format(name=one_line(row["agent_name"])), style="dim")
    return text


class CaseHistory(Static):
    DEFAULT_CSS = """
    CaseHistory {
        height: auto;
        max-height: 60%;
        overflow-y: auto;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)

    def show(self, escalations: list[dict], follow_ups: list[dict], zone: tzinfo | None, now: datetime) -> None:
        self.update(history_text(escalations, follow_ups, zone, now))
