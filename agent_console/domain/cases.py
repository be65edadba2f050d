"""The case workflow: create, claim, release, reply, note, status, priority, queue, resolve, reopen, drafts.

One implementation for the screens, the CLI and the sync client. Each method is one transaction that changes the
case, records an audit event and appends an outbox op. The caller passes the acting agent and a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from agent_console.domain import case_rules, sla
from agent_console.domain.case_rules import KEY_PREFIX, format_key  # noqa: F401  (the key rule, used by callers)
from agent_console.domain.recording import audit, enqueue
from agent_console.domain.service import Service
from agent_console.domain.text import UnsafeText, check_identifier, check_language, clean_text
from agent_console.store.models import (
    OPEN_STATUSES,
    Agent,
    Case,
    CaseStatus,
    Channel,
    Customer,
    Direction,
    Draft,
    Message,
    Priority,
    QUEUES,
    Role,
    new_uid,
    SlaEvent,
    SlaEventKind,
    SlaTarget,
)
from agent_console.store import queries
from agent_console.store.queries import NotFound


class CaseError(ValueError):
    """A request the rules do not allow; the message is meant for the agent."""


class CaseConflict(CaseError):
    """Someone else got there first (e.g. the case is claimed by another agent)."""


def validate_choice(value: str, allowed, field: str) -> str:
    value = (value or "").strip().lower()
    names = [str(v) for v in allowed]
    if value not in names:
        raise CaseError(f"unknown {field} {value!r}; expected one of: {', '.join(names)}")
    return value


def _check_queue(session, queue: str) -> None:
    """Once the store has queue records, a case goes only into one of them (a typo makes no new queue)."""
    if not queries.queue_exists(session, queue):
        from agent_console.domain.queues import unknown_queue_message

        raise CaseError(unknown_queue_message(session, queue))


def split_name(name: str) -> tuple[str, str]:
    parts = name.strip().split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


@dataclass
class CaseService(Service):

    # --- lookups ---------------------------------------------------------------------------------------------------

    def get(self, key: str) -> Case:
        with self._reading() as session:
            return queries.case_by_key(session, key)

    def _load(self, session, case: Case | str | int) -> Case:
        if isinstance(case, Case):
            case_id = case.id
        elif isinstance(case, int):
            case_id = case
        else:
            return queries.case_by_key(session, case)
        found = session.get(Case, case_id)
        if found is None:
            raise NotFound(f"no case with id {case_id}")
        return found

    # --- creating --------------------------------------------------------------------------------------------------

    def create_case(self, *, customer: str, channel: str, queue: str, subject: str, body: str,
                    priority: str = Priority.normal, customer_name: str | None = None,
                    language: str | None = None, external_id: str | None = None,
                    created_at: datetime | None = None, uid: str | None = None,
                    customer_uid: str | None = None, message_uid: str | None = None,
                    customer_id: int | None = None, customer_phone: str | None = None) -> Case:
        """A new case for the customer found by e-mail or phone (created when unknown) with its first message.

        ``uid``, ``customer_uid`` and ``message_uid`` keep the identities a client chose (the server applying a
        console's op); a customer found by contact keeps its own uid. ``customer_id`` names the customer directly
        (one the agent picked; ``customer`` is then not looked up); ``customer_phone`` is the phone number of a new
        customer whose ``customer`` contact is an e-mail address.
        """
        channel = validate_choice(channel, Channel, "channel")
        priority = validate_choice(priority, Priority, "priority")
        subject = clean_text(subject).strip()
        body = clean_text(body)
        if not subject:
            raise CaseError("a case needs a subject")
        with _refused_as_case_error():
            queue = check_identifier(queue, "queue", limit=64)
            customer = check_identifier(customer, "customer", limit=320)
            external_id = check_identifier(external_id, "external_id", limit=200) or None
            language = check_language(language) if language else None
        if not queue:
            raise CaseError("a case needs a queue")
        now = self.clock.now()
        created_at = created_at or now
        with self._transaction() as session:
            _check_queue(session, queue.strip())
            if customer_id is not None:
                cust = session.get(Customer, customer_id)
                if cust is None:
                    raise CaseError(f"no customer with id {customer_id}")
            else:
                cust = queries.customer_by_contact(session, customer)
            if cust is None:
                cust = new_customer(customer, customer_name, language, now, phone=customer_phone)
                if customer_uid:
                    cust.uid = customer_uid
                session.add(cust)
                session.flush()
            number = (session.scalar(select(func.max(Case.id))) or 0) + 1
            values = case_rules.new_case_values(
                number=number, uid=uid or new_uid(), subject=subject, customer_id=cust.id, channel=channel,
                queue=queue, priority=priority, language=language or cust.language, created_at=created_at, now=now,
                policy=queries.policy_for(session, channel, priority), external_id=external_id)
            case = Case(**values)
            session.add(case)
            session.flush()
            message = Message(case_id=case.id, **case_rules.first_message_values(values, cust.name, body))
            if message_uid:
                message.uid = message_uid
            session.add(message)
            session.add_all(SlaEvent(case_id=case.id, **event) for event in case_rules.started_sla_events(values))
            session.flush()
            audit(session, now, self.actor_id, "case.create", "case", case.id, key=case.key, channel=channel,
                  queue=case.queue, priority=priority)
            enqueue(session, now, "case.create", case=case_payload(case), customer=customer_payload(cust),
                    message=message_payload(message, case))
            return case

    def add_inbound(self, case: Case | str | int, body: str, *, channel: str | None = None,
                    message_uid: str | None = None) -> Message:
        """The customer wrote again: a new contact; the next-update clock starts; a resolved case reopens."""
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            cust = session.get(Customer, case.customer_id)
            message = Message(case_id=case.id, direction=Direction.inbound, channel=channel or case.channel,
                              author_name=cust.name if cust else "", body=clean_text(body), created_at=now)
            if message_uid:
                message.uid = message_uid
            session.add(message)
            case.contact_count += 1
            case.last_inbound_at = now
            if not case.is_open:
                self._reopen(session, case, now)
            policy = queries.policy_for(session, case.channel, case.priority)
            _first, next_s, _res = sla.targets(policy, case.channel)
            if next_s and case.first_response_at is not None and case.next_update_due is None:
                case.next_update_due = sla.add_target(policy, now, next_s)
                session.add(SlaEvent(case_id=case.id, target=SlaTarget.next_update, event=SlaEventKind.started,
                                     at=now, due_at=case.next_update_due))
            if case.sla_paused_at is not None:
                self._resume_resolution(session, case, policy, now)
                if case.status == CaseStatus.pending:
                    case.status = CaseStatus.open
            sla.update_sla_due(case)
            self._touch(case, now)
            session.flush()
            audit(session, now, self.actor_id, "message.inbound", "case", case.id, message_id=message.id)
            enqueue(session, now, "message.add", message=message_payload(message, case))
            return message

    # --- assignment ------------------------------------------------------------------------------------------------

    def claim(self, case: Case | str | int) -> Case:
        agent = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            base_version = case.version

            def holder_name(agent_id: int) -> str | None:
                return getattr(session.get(Agent, agent_id), "name", None)

            if not take_case(case, agent, now, holder_name):
                return case
            audit(session, now, agent.id, "case.claim", "case", case.id, agent=agent.login)
            enqueue(session, now, "case.claim", case_uid=case.uid, agent_login=agent.login, base_version=base_version)
            return case

    def release(self, case: Case | str | int) -> Case:
        agent = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            if case.assignee_id is None:
                return case
            if case.assignee_id != agent.id and agent.role == Role.agent:
                raise CaseError(f"{case.key} is not yours to release")
            previous = case.assignee_id
            case.assignee_id = None
            self._touch(case, now)
            audit(session, now, agent.id, "case.release", "case", case.id, previous_assignee_id=previous)
            enqueue(session, now, "case.release", case_uid=case.uid)
            return case

    def assign(self, case: Case | str | int, to_agent: Agent) -> Case:
        """A supervisor hands a case to an agent."""
        actor = self._require_actor()
        if actor.role == Role.agent:
            raise CaseError("only supervisors and admins can assign cases to others")
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            previous = case.assignee_id
            case.assignee_id = to_agent.id
            if case.status == CaseStatus.new:
                case.status = CaseStatus.open
            self._touch(case, now)
            audit(session, now, actor.id, "case.assign", "case", case.id, previous_assignee_id=previous,
                  assignee=to_agent.login)
            enqueue(session, now, "case.assign", case_uid=case.uid, agent_login=to_agent.login)
            return case

    # --- writing ---------------------------------------------------------------------------------------------------

    def reply(self, case: Case | str | int, body: str, *, message_uid: str | None = None) -> Message:
        return self._write(case, body, internal=False, message_uid=message_uid)

    def note(self, case: Case | str | int, body: str, *, message_uid: str | None = None) -> Message:
        return self._write(case, body, internal=True, message_uid=message_uid)

    def _write(self, case, body: str, *, internal: bool, message_uid: str | None = None) -> Message:
        agent = self._require_actor()
        body = clean_text(body).strip("\n")
        if not body.strip():
            raise CaseError("the message is empty")
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            message = Message(case_id=case.id, direction=Direction.outbound, channel=case.channel,
                              author_agent_id=agent.id, author_name=agent.name, body=body, is_internal=internal,
                              created_at=now)
            if message_uid:
                message.uid = message_uid
            session.add(message)
            if not internal:
                for event in record_reply(case, now):
                    session.add(SlaEvent(case_id=case.id, at=now, **event))
            self._touch(case, now)
            session.flush()
            self._clear_draft(session, case.id, agent.id, "note" if internal else "reply")
            audit(session, now, agent.id, "case.note" if internal else "case.reply", "case", case.id,
                  message_id=message.id)
            enqueue(session, now, "message.add", message=message_payload(message, case, author_login=agent.login))
            return message

    # --- fields ----------------------------------------------------------------------------------------------------

    def set_status(self, case: Case | str | int, status: str) -> Case:
        status = validate_choice(status, CaseStatus, "status")
        if status == CaseStatus.resolved:
            return self.resolve(case)
        agent = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            old = case.status
            if old == status:
                return case
            base_version = case.version
            policy = queries.policy_for(session, case.channel, case.priority)
            if not case.is_open and status in OPEN_STATUSES:
                self._reopen(session, case, now)
            case.status = status
            if status == CaseStatus.pending and case.sla_paused_at is None:
                case.sla_paused_at = now
                session.add(SlaEvent(case_id=case.id, target=SlaTarget.resolution, event=SlaEventKind.paused,
                                     at=now, due_at=case.resolution_due, detail="pending on customer"))
            elif status != CaseStatus.pending and case.sla_paused_at is not None:
                self._resume_resolution(session, case, policy, now)
            if status == CaseStatus.closed:
                case.is_open = False
                case.closed_at = now
                if case.resolved_at is None:
                    case.resolved_at = now
            sla.update_sla_due(case)
            self._touch(case, now)
            audit(session, now, agent.id, "case.status", "case", case.id, old=old, new=status)
            enqueue(session, now, "case.update", case_uid=case.uid, base_version=base_version,
                    changes={"status": status})
            return case

    def set_priority(self, case: Case | str | int, priority: str) -> Case:
        priority = validate_choice(priority, Priority, "priority")
        return self._change_routing(case, priority=priority)

    def set_queue(self, case: Case | str | int, queue: str) -> Case:
        with _refused_as_case_error():
            queue = check_identifier(queue, "queue", limit=64)
        if not queue:
            raise CaseError("the queue name is empty")
        return self._change_routing(case, queue=queue)

    def set_channel(self, case: Case | str | int, channel: str) -> Case:
        return self._change_routing(case, channel=validate_choice(channel, Channel, "channel"))

    def _change_routing(self, case, **changes: str) -> Case:
        agent = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            old = {name: getattr(case, name) for name in changes}
            if old == changes:
                return case
            if "queue" in changes and changes["queue"] != old["queue"]:
                require_known_queue(session, changes["queue"])
            base_version = case.version
            for name, value in changes.items():
                setattr(case, name, value)
            if "priority" in changes or "channel" in changes:
                recompute_due(session, case)
            self._touch(case, now)
            audit(session, now, agent.id, "case.update", "case", case.id, old=old, new=changes)
            enqueue(session, now, "case.update", case_uid=case.uid, base_version=base_version, changes=changes)
            return case

    def resolve(self, case: Case | str | int) -> Case:
        agent = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            if case.status == CaseStatus.resolved:
                return case
            if not case.is_open:
                raise CaseError(f"{case.key} is {case.status}")
            base_version = case.version
            old = case.status
            case.status = CaseStatus.resolved
            case.is_open = False
            case.resolved_at = now
            if case.assignee_id is None:
                case.assignee_id = agent.id
            met = case.resolution_due is None or now <= case.resolution_due
            session.add(SlaEvent(case_id=case.id, target=SlaTarget.resolution,
                                 event=SlaEventKind.met if met else SlaEventKind.breached, at=now,
                                 due_at=case.resolution_due, detail="resolved"))
            case.sla_paused_at = None
            case.next_update_due = None
            sla.update_sla_due(case)
            self._touch(case, now)
            audit(session, now, agent.id, "case.resolve", "case", case.id, old=old)
            enqueue(session, now, "case.update", case_uid=case.uid, base_version=base_version,
                    changes={"status": CaseStatus.resolved.value})
            return case

    def reopen(self, case: Case | str | int) -> Case:
        agent = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            case = self._load(session, case)
            if case.is_open:
                return case
            base_version = case.version
            self._reopen(session, case, now)
            self._touch(case, now)
            audit(session, now, agent.id, "case.reopen", "case", case.id)
            enqueue(session, now, "case.update", case_uid=case.uid, base_version=base_version,
                    changes={"status": CaseStatus.open.value})
            return case

    # --- drafts ----------------------------------------------------------------------------------------------------

    def save_draft(self, case: Case | int, body: str, kind: str = "reply") -> None:
        agent = self._require_actor()
        case_id = case.id if isinstance(case, Case) else case
        now = self.clock.now()
        with self._transaction() as session:
            draft = session.scalars(select(Draft).where(Draft.case_id == case_id, Draft.agent_id == agent.id,
                                                        Draft.kind == kind)).first()
            if not body.strip():
                if draft is not None:
                    session.delete(draft)
                return
            if draft is None:
                session.add(Draft(case_id=case_id, agent_id=agent.id, kind=kind, body=body, updated_at=now))
            else:
                draft.body = body
                draft.updated_at = now

    def load_draft(self, case: Case | int, kind: str = "reply") -> str:
        agent = self._require_actor()
        case_id = case.id if isinstance(case, Case) else case
        with self._reading() as session:
            draft = session.scalars(select(Draft).where(Draft.case_id == case_id, Draft.agent_id == agent.id,
                                                        Draft.kind == kind)).first()
            return draft.body if draft else ""

    def _clear_draft(self, session, case_id: int, agent_id: int, kind: str) -> None:
        draft = session.scalars(select(Draft).where(Draft.case_id == case_id, Draft.agent_id == agent_id,
                                                    Draft.kind == kind)).first()
        if draft is not None:
            session.delete(draft)

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _require_actor(self) -> Agent:
        if self.actor is None:
            raise CaseError("this action needs an agent (use --agent LOGIN)")
        return self.actor

    def _touch(self, case: Case, now: datetime) -> None:
        touch(case, now)

    def _reopen(self, session, case: Case, now: datetime) -> None:
        case.status = CaseStatus.open
        case.is_open = True
        case.reopened_count += 1
        case.last_reopened_at = now
        case.resolved_at = None
        case.closed_at = None
        # The reopened case gets a fresh resolution target; pauses before the reopen no longer extend it.
        case.sla_paused_seconds = 0.0
        case.sla_paused_at = None
        policy = queries.policy_for(session, case.channel, case.priority)
        _first, _next, resolution_s = sla.targets(policy, case.channel)
        case.resolution_due = sla.add_target(policy, now, resolution_s)
        session.add(SlaEvent(case_id=case.id, target=SlaTarget.resolution, event=SlaEventKind.started, at=now,
                             due_at=case.resolution_due, detail="reopened"))
        sla.update_sla_due(case)

    def _resume_resolution(self, session, case: Case, policy, now: datetime) -> None:
        # Under business hours only the open time of the pause extends the target (a weekend pause adds nothing).
        paused_for = sla.sla_seconds_between(policy, case.sla_paused_at, now)
        case.sla_paused_seconds += paused_for
        if case.resolution_due is not None:
            _first, _next, resolution_s = sla.targets(policy, case.channel)
            case.resolution_due = sla.add_target(policy, resolution_clock_start(case),
                                                 resolution_s + case.sla_paused_seconds)
        case.sla_paused_at = None
        session.add(SlaEvent(case_id=case.id, target=SlaTarget.resolution, event=SlaEventKind.resumed, at=now,
                             due_at=case.resolution_due, detail=f"paused {paused_for:.0f} s"))


@contextmanager
def _refused_as_case_error() -> Iterator[None]:
    try:
        yield
    except UnsafeText as exc:
        raise CaseError(str(exc)) from None


def require_known_queue(session, queue: str) -> None:
    """A case is moved only into a queue that exists: once the store has queue records, one of them; in a store
    without them (an older store, a console's replica), a standard queue (``store.models.QUEUES``), one some case is
    in or one some agent works."""
    if queries.defined_queues(session):
        _check_queue(session, queue)
        return
    if queue in QUEUES:
        return
    if session.scalar(select(Case.id).where(Case.queue == queue).limit(1)) is not None:
        return
    for (queues,) in session.execute(select(Agent.queues).where(Agent.queues != "")):
        if queue in (name.strip() for name in queues.split(",")):
            return
    raise CaseError(f"unknown queue {queue!r}: no case is in it and no agent works it")


def touch(case: Case, now: datetime) -> None:
    """Every change of a case moves its version on (field conflicts are judged by it)."""
    case.updated_at = now
    case.version += 1


def claimed_by_other(case: Case, agent: Agent, holder_name: Callable[[int], str | None]) -> str | None:
    """Why ``agent`` cannot claim the case because someone else holds it (``holder_name`` names them); None when it
    is free or theirs. The server asks this first, to answer such a claim with the case's current state."""
    if case.assignee_id is not None and case.assignee_id != agent.id:
        return f"{case.key} is already claimed by {holder_name(case.assignee_id) or 'another agent'}"
    return None


def take_case(case: Case, agent: Agent, now: datetime, holder_name: Callable[[int], str | None]) -> bool:
    """What claiming does to a case, which changes in place; False when it is the agent's already.

    Raises CaseError (closed case, tier too low) or CaseConflict (someone else holds it; ``holder_name`` names them).
    ``case`` and ``agent`` may be any objects with their attributes: the server's batched write path passes plain
    row values.
    """
    if not case.is_open:
        raise CaseError(f"{case.key} is {case.status}; reopen it before claiming")
    if case.assignee_id == agent.id:
        return False
    held = claimed_by_other(case, agent, holder_name)
    if held:
        raise CaseConflict(held)
    if case.tier > agent.tier:
        raise CaseError(f"{case.key} needs tier {case.tier}; you are tier {agent.tier}")
    case.assignee_id = agent.id
    if case.status == CaseStatus.new:
        case.status = CaseStatus.open
    touch(case, now)
    return True


def record_reply(case: Case, now: datetime) -> list[dict]:
    """What an agent's reply to the customer does to the case, which changes in place: the first reply meets or
    breaches the first-response target, every reply the running next-update target; a new case is open now.

    Returns the SLA events to record (``target``, ``event``, ``due_at``, ``detail``; each ``at`` ``now``). ``case``
    may be any object with the case's attributes: the server's batched write path passes plain row values.
    """
    events = []
    if case.first_response_at is None:
        case.first_response_at = now
        met = case.first_response_due is None or now <= case.first_response_due
        events.append({"target": SlaTarget.first_response, "event": SlaEventKind.met if met else SlaEventKind.breached,
                       "due_at": case.first_response_due, "detail": "first reply"})
    if case.next_update_due is not None:
        met = now <= case.next_update_due
        events.append({"target": SlaTarget.next_update, "event": SlaEventKind.met if met else SlaEventKind.breached,
                       "due_at": case.next_update_due, "detail": ""})
        case.next_update_due = None
    if case.status == CaseStatus.new:
        case.status = CaseStatus.open
    sla.update_sla_due(case)
    return events


def recompute_due(session, case: Case) -> None:
    """Due times follow the case's current channel and priority (called when either changes)."""
    policy = queries.policy_for(session, case.channel, case.priority)
    first_s, next_s, resolution_s = sla.targets(policy, case.channel)
    if case.first_response_at is None:
        case.first_response_due = sla.add_target(policy, case.created_at, first_s)
    if case.next_update_due is not None and case.last_inbound_at is not None:
        # The customer is waiting for an answer since their last message.
        case.next_update_due = sla.add_target(policy, case.last_inbound_at, next_s) if next_s else None
    if case.is_open:
        case.resolution_due = sla.add_target(policy, resolution_clock_start(case),
                                             resolution_s + case.sla_paused_seconds)
    sla.update_sla_due(case)


def resolution_clock_start(case: Case) -> datetime:
    """The resolution clock runs from creation, or from the last reopen (which starts a fresh target)."""
    return case.last_reopened_at or case.created_at


def new_customer(contact: str, name: str | None, language: str | None, now: datetime, *,
                 phone: str | None = None) -> Customer:
    """A customer reached at ``contact`` (an e-mail address or a phone number); ``phone`` adds a phone number to
    one whose contact is an e-mail address."""
    with _refused_as_case_error():
        contact = check_identifier(contact, "customer", limit=320)
        phone = check_identifier(phone, "phone", limit=40) if phone else None
        language = check_language(language) if language else None
    is_email = "@" in contact
    number = phone if is_email else contact
    phone = "".join(ch for ch in number or "" if ch.isdigit() or ch == "+") or None
    if not is_email and not phone:
        raise CaseError(f"{contact!r} is neither an e-mail address nor a phone number")
    return Customer(
        name=clean_text(name).strip() if name else contact,
        email=contact if is_email else None,
        phone=phone,
        language=language or "en",
        created_at=now,
    )


# --- op payloads (shared with the sync client and the server) ---------------------------------------------------


def case_payload(case: Case) -> dict:
    return {
        "uid": case.uid, "key": case.key, "external_id": case.external_id, "subject": case.subject,
        "channel": case.channel, "queue": case.queue, "priority": case.priority, "status": case.status,
        "tier": case.tier, "language": case.language, "created_at": case.created_at,
    }


def customer_payload(customer: Customer) -> dict:
    return {"uid": customer.uid, "name": customer.name, "email": customer.email, "phone": customer.phone,
            "language": customer.language, "vip": customer.vip}


def message_payload(message: Message, case: Case, author_login: str | None = None) -> dict:
    return {
        "uid": message.uid, "case_uid": case.uid, "direction": message.direction, "channel": message.channel,
        "author_login": author_login, "author_name": message.author_name, "body": message.body,
        "is_internal": message.is_internal, "created_at": message.created_at,
    }

