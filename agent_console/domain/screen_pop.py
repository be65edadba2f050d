"""The screen pop (issue #20 point 3): who is calling an agent, and what the agent's console does when they answer
and hang up.

``pops_for`` gives the caller cards of the calls ringing for an agent now (``calls.ringing_for``: by login or
extension, until anyone answers or the call ends): the customer's name and VIP flag, their open cases with their SLA
state (``domain.sla``, the one rule), the last contact, and the case a key opens (the open case, else the most
recent). An unknown or withheld number has no customer.

``PhoneWatch`` follows the calls an agent answered since their console started and says, once per call, when the
handling time starts (the agent answered: on the call's case) and when wrap-up starts (the call ended with
``normalClearing``). It reads the store; the console applies what it says to its ``HandlingTracker``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agent_console.domain.calls import ringing_for
from agent_console.domain.clock import Clock
from agent_console.domain.sla import SlaState, case_countdown
from agent_console.store import call_queries, queries, screen_pop_queries
from agent_console.store.models import Agent, Call, Case, Customer

#: Open cases a caller card lists at most.
OPEN_CASES_SHOWN = 3


@dataclass(frozen=True)
class PopCase:
    case_id: int
    key: str
    subject: str
    status: str
    sla_state: SlaState
    remaining_s: float | None


@dataclass(frozen=True)
class CallerCard:
    """What the pop shows of one ringing call. Names and numbers are the stored (untrusted) text."""

    call_uid: str
    call_id: str
    #: The caller's number in E.164, else what the telephone system sent (an extension), else "".
    number: str
    withheld: bool
    queue: str | None
    ringing_since: datetime
    customer_id: int | None = None
    customer_name: str | None = None
    vip: bool = False
    open_cases: tuple[PopCase, ...] = ()
    #: Open cases beyond those listed.
    more_open: int = 0
    #: The case the "open" key shows: the customer's open case, else their most recent one.
    case_id: int | None = None
    case_key: str | None = None
    #: The newest contact before: a message on one of their cases or a call that began before this one (a call
    #: ringing at the same time is no earlier contact), and its channel.
    last_contact_at: datetime | None = None
    last_contact_channel: str | None = None

    @property
    def known(self) -> bool:
        return self.customer_id is not None


def caller_card(session, clock: Clock, call: Call) -> CallerCard:
    number = call.number or ("" if call.withheld else (call.from_number if call.direction == "in"
                                                          else call.to_number))
    base = dict(call_uid=call.uid, call_id=call.call_id, number=number, withheld=call.withheld, queue=call.queue,
                ringing_since=call.started_at or call.first_seen_at)
    customer = session.get(Customer, call.customer_id) if call.customer_id is not None else None
    if customer is None:
        return CallerCard(**base)
    now = clock.now()
    cases = screen_pop_queries.cases_of_customer(session, customer.id)
    open_cases = [case for case in cases if case.is_open]
    policies = queries.all_policies(session)
    listed = []
    for case in open_cases[:OPEN_CASES_SHOWN]:
        countdown = case_countdown(case, queries.policy_from(policies, case.channel, case.priority), now)
        listed.append(PopCase(case.id, case.key, case.subject, str(case.status), countdown.state,
                              countdown.remaining_s))
    target = open_cases[0] if open_cases else (cases[0] if cases else None)
    contacts = []
    message = screen_pop_queries.last_message(session, customer.id)
    if message is not None:
        contacts.append(message)
    earlier_call = screen_pop_queries.last_call_before(session, customer.id, call.first_seen_at)
    if earlier_call is not None:
        contacts.append((earlier_call, "phone"))
    last = max(contacts, key=lambda item: item[0]) if contacts else (None, None)
    return CallerCard(**base, customer_id=customer.id, customer_name=customer.name, vip=customer.vip,
                      open_cases=tuple(listed), more_open=max(0, len(open_cases) - len(listed)),
                      case_id=target.id if target else None, case_key=target.key if target else None,
                      last_contact_at=last[0], last_contact_channel=last[1])


def pops_for(session, clock: Clock, agent: Agent) -> list[CallerCard]:
    """The caller cards of the calls ringing for ``agent`` now, the longest ringing first."""
    return [caller_card(session, clock, call) for call in ringing_for(session, agent)]


@dataclass(frozen=True)
class HandlingStart:
    """The agent answered a call: handling time runs on ``case_id`` from ``at``."""

    call_uid: str
    case_id: int
    at: datetime


@dataclass(frozen=True)
class WrapUpStart:
    """The agent's call on ``case_id`` ended normally: wrap-up starts, as after resolving."""

    call_uid: str
    case_id: int
    case_key: str


@dataclass
class PhoneWatch:
    """The calls ``agent_id`` answered since ``since``, and which of their consequences were already said."""

    agent_id: int
    since: datetime
    answered: set[str] = field(default_factory=set)
    ended: set[str] = field(default_factory=set)

    def changes(self, session) -> list[HandlingStart | WrapUpStart]:
        """What happened to this agent's calls since the last look, each thing once, in order. A call without a
        case (an unknown caller) starts nothing."""
        result: list[HandlingStart | WrapUpStart] = []
        for call in screen_pop_queries.calls_answered_by(session, self.agent_id, self.since):
            if call.case_id is None:
                continue
            if call.uid not in self.answered:
                self.answered.add(call.uid)
                result.append(HandlingStart(call.uid, call.case_id, call.answered_at))
            if call.ended_at is not None and call.uid not in self.ended:
                self.ended.add(call.uid)
                if call.cause == "normalClearing":
                    case = session.get(Case, call.case_id)
                    result.append(WrapUpStart(call.uid, call.case_id, case.key if case is not None else ""))
        return result


@dataclass(frozen=True)
class MissedCall:
    """A missed call in the call-back list. Names and numbers are the stored (untrusted) text."""

    call_id: str
    number: str
    withheld: bool
    ended_at: datetime | None
    cause: str | None
    queue: str | None
    customer_name: str | None
    #: The case the "open" key shows: the call's case, else the customer's open (or most recent) case.
    case_id: int | None
    case_key: str | None


def missed_to_call_back(session, *, limit: int = 500) -> list[MissedCall]:
    """The missed calls nobody has called back yet, newest first (what ``cti missed`` lists)."""
    result = []
    for call in call_queries.missed_calls(session, limit=limit):
        customer = session.get(Customer, call.customer_id) if call.customer_id is not None else None
        case = session.get(Case, call.case_id) if call.case_id is not None else None
        if case is None and customer is not None:
            case = call_queries.case_for_customer(session, customer.id)
        result.append(MissedCall(call.call_id, call.number or ("" if call.withheld else call.from_number),
                                 call.withheld, call.ended_at, call.cause, call.queue,
                                 customer.name if customer else None, case.id if case else None,
                                 case.key if case else None))
    return result
