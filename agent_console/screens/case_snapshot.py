"""What the case screen shows, read in one go from the store in a worker, and the message that carries it back.

No Textual widget here and no UI thread: ``read_case_snapshot`` runs in the screen's worker, which posts
``CaseLoaded`` (or ``CaseLoadFailed``); the screen owns the snapshot and draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from agent_console.i18n import _
from agent_console.store import mail_outbox, queries
from agent_console.store.mail_receipts import attachments_by_message
from agent_console.store.models import Agent, Case, Customer
from agent_console.store.queries import NotFound

DRAFT_KINDS = ("reply", "note")


@dataclass
class CaseSnapshot:
    case: object
    customer: Customer | None
    assignee_name: str | None
    policy: object
    messages: list
    other_cases: list
    drafts: dict[str, str]
    #: Every SLA policy by (channel, priority): the other cases' SLA states use their own policies.
    policies: dict = field(default_factory=dict)
    #: ``queries.case_escalations`` / ``queries.case_follow_ups`` rows.
    escalations: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    #: Closed handling time of the case (every agent), for the timer's case total.
    closed_handling_s: float = 0.0
    #: Message id -> its outbox row, for the replies that were mailed (their state shows in the thread).
    mail_states: dict = field(default_factory=dict)
    #: The calls taken on the case (``call_lines.calls_json`` objects), oldest first.
    calls: list = field(default_factory=list)
    #: ``mail_receipts.attachments_by_message``: the files listed under each message.
    attachments: dict = field(default_factory=dict)
    #: Where a merged case went (its key), its links (``case_merge.ShownLink``), and other open cases of the same
    #: customer from the last days (``case_merge.possible_duplicates``).
    merged_into_key: str | None = None
    links: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    #: Case id -> how many messages it has, for this case's possible duplicates and the customer's open cases.
    thread_sizes: dict = field(default_factory=dict)


def read_case_snapshot(store, case_service, case_id: int, *, with_drafts: bool) -> CaseSnapshot:
    """Everything the case screen draws; ``NotFound`` when the case is gone."""
    from agent_console.call_lines import calls_json
    from agent_console.domain.case_merge import possible_duplicates, shown_links
    from agent_console.store.case_links import message_counts
    from agent_console.domain.handling import closed_seconds
    from agent_console.store.call_queries import case_call_rows

    with store.session() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(_("case {id} no longer exists").format(id=case_id))
        customer = session.get(Customer, case.customer_id)
        assignee = session.get(Agent, case.assignee_id) if case.assignee_id else None
        policy = queries.policy_for(session, case.channel, case.priority)
        messages = queries.thread(session, case.id)
        others = [c for c in queries.customer_cases(session, case.customer_id) if c.id != case.id]
        policies = queries.all_policies(session)
        escalations = queries.case_escalations(session, case.id)
        follow_ups = queries.case_follow_ups(session, case.id)
        closed = closed_seconds(None, case.id, session=session)
        mail_states = mail_outbox.mail_states(session, [m.id for m in messages if m.direction == "out"])
        calls = calls_json(case_call_rows(session, case.id))
        attachments = attachments_by_message(session, [m.id for m in messages])
        merged_into = session.get(Case, case.merged_into_id) if case.merged_into_id is not None else None
        links = shown_links(session, case)
        duplicates = possible_duplicates(session, case, case_service.clock.now())
        thread_sizes = message_counts(session, {c.id for c in [*duplicates, *others] if c.is_open})
        session.expunge_all()
    drafts = {}
    if with_drafts:
        for kind in DRAFT_KINDS:
            drafts[kind] = case_service.load_draft(case_id, kind)
    return CaseSnapshot(case, customer, assignee.name if assignee else None, policy, messages, others, drafts,
                        policies, escalations, follow_ups, closed, mail_states, calls, attachments,
                        merged_into.key if merged_into is not None else None, links, duplicates, thread_sizes)


class CaseLoaded(Message):
    """A worker read the case: the screen shows it."""

    def __init__(self, snapshot: CaseSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class CaseLoadFailed(Message):
    """The case could not be read (it no longer exists): the message is for the agent."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class DraftLoaded(Message):
    """A worker read a saved draft the agent asked for (opening the editor)."""

    def __init__(self, mode: str, text: str) -> None:
        super().__init__()
        self.mode = mode
        self.text = text
