"""The case workflow: create, claim, release, reply, note, status, priority, queue, resolve, reopen, drafts.

One implementation for the screens, the CLI and the sync client. Each method is one transaction that changes the
case, records an audit event and appends an outbox op. The caller passes the acting agent and a clock.

The rules it runs are plain functions by topic: what a new case is (``case_rules``), what a change does to a case
(``case_changes``: claim, reply, reopen, due times), the op payloads (``case_payloads``); its queries are
``store.queries`` and ``store.case_queries``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from agent_console.domain import case_rules, sla
# The case's rules live in these modules by topic; their names are imported here so every caller finds the case
# workflow in one place.
from agent_console.domain.case_changes import (  # noqa: F401
    claimed_by_other,
    recompute_due,
    record_reply,
    reopen_case,
    resolution_clock_start,
    resume_resolution,
    take_case,
    touch,
)
from agent_console.domain.case_errors import CaseConflict, CaseError  # noqa: F401
from agent_console.domain.case_merge import merged_target
from agent_console.domain.case_payloads import case_payload, customer_payload, message_payload
from agent_console.domain.case_rules import KEY_PREFIX, format_key  # noqa: F401  (the key rule, used by callers)
from agent_console.domain.queues import check_case_queue, require_known_queue
from agent_console.domain.phone_numbers import NumberError, normalise_number
from agent_console.domain.recording import audit, enqueue
from agent_console.domain.service import Service
from agent_console.domain.text import UnsafeText, check_identifier, check_language, clean_text
from agent_console.i18n import _
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
    Role,
    new_uid,
    SlaEvent,
    SlaEventKind,
    SlaTarget,
)
from agent_console.store import case_queries, queries
from agent_console.store.mail_replies import queue_reply_mail
from agent_console.store.queries import NotFound


def validate_choice(value: str, allowed, field: str) -> str:
    value = (value or "").strip().lower()
    names = [str(v) for v in allowed]
    if value not in names:
        raise CaseError(_("unknown {field} {value}; expected one of: {choices}").format(
            field=field, value=repr(value), choices=", ".join(names)))
    return value


def split_name(name: str) -> tuple[str, str]:
    parts = name.strip().split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


@dataclass
class CaseService(Service):
    #: The sender of reply mails on e-mail cases (``mail_from``); empty: this store queues no mail (mail is off, or
    #: the console syncs to a team server, which queues the mail when it applies the reply).
    mail_from: str = field(default="", kw_only=True)

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
            raise NotFound(_("no case with id {id}").format(id=case_id))
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
            raise CaseError(_("a case needs a subject"))
        with _refused_as_case_error():
            queue = check_identifier(queue, "queue", limit=64)
            customer = check_identifier(customer, "customer", limit=320)
            external_id = check_identifier(external_id, "external_id", limit=200) or None
            language = check_language(language) if language else None
        if not queue:
            raise CaseError(_("a case needs a queue"))
        now = self.clock.now()
        created_at = created_at or now
        with self._transaction() as session:
            check_case_queue(session, queue.strip())
            if customer_id is not None:
                cust = session.get(Customer, customer_id)
                if cust is None:
                    raise CaseError(_("no customer with id {id}").format(id=customer_id))
            else:
                cust = queries.customer_by_contact(session, customer)
            if cust is None:
                cust = new_customer(customer, customer_name, language, now, phone=customer_phone)
                if customer_uid:
                    cust.uid = customer_uid
                session.add(cust)
                session.flush()
            number = case_queries.highest_case_id(session) + 1
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
            case = merged_target(session, self._load(session, case))
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
                raise CaseError(_("{case} is not yours to release").format(case=case.key))
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
            raise CaseError(_("only supervisors and admins can assign cases to others"))
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

    def reply(self, case: Case | str | int, body: str, *, message_uid: str | None = None,
              queue_mail: bool = True) -> Message:
        """``queue_mail`` False: the reply is not queued as mail even on an e-mail case (a console that worked alone
        mailed it already)."""
        return self._write(case, body, internal=False, message_uid=message_uid, queue_mail=queue_mail)

    def note(self, case: Case | str | int, body: str, *, message_uid: str | None = None) -> Message:
        return self._write(case, body, internal=True, message_uid=message_uid)

    def _write(self, case, body: str, *, internal: bool, message_uid: str | None = None,
               queue_mail: bool = True) -> Message:
        agent = self._require_actor()
        body = clean_text(body).strip("\n")
        if not body.strip():
            raise CaseError(_("the message is empty"))
        now = self.clock.now()
        with self._transaction() as session:
            case = merged_target(session, self._load(session, case))
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
            if queue_mail:
                queue_reply_mail(session, message, case, mail_from=self.mail_from, now=now)
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
            raise CaseError(_("the queue name is empty"))
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
                raise CaseError(_("{case} is {status}").format(case=case.key, status=case.status))
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
            draft = case_queries.draft_of(session, case_id, agent.id, kind)
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
            draft = case_queries.draft_of(session, case_id, agent.id, kind)
            return draft.body if draft else ""

    def _clear_draft(self, session, case_id: int, agent_id: int, kind: str) -> None:
        draft = case_queries.draft_of(session, case_id, agent_id, kind)
        if draft is not None:
            session.delete(draft)

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _require_actor(self) -> Agent:
        if self.actor is None:
            raise CaseError(_("this action needs an agent (use --agent LOGIN)"))
        return self.actor

    def _touch(self, case: Case, now: datetime) -> None:
        touch(case, now)

    def _reopen(self, session, case: Case, now: datetime) -> None:
        policy = queries.policy_for(session, case.channel, case.priority)
        session.add(SlaEvent(case_id=case.id, **reopen_case(case, policy, now)))

    def _resume_resolution(self, session, case: Case, policy, now: datetime) -> None:
        session.add(SlaEvent(case_id=case.id, **resume_resolution(case, policy, now)))


@contextmanager
def _refused_as_case_error() -> Iterator[None]:
    try:
        yield
    except UnsafeText as exc:
        raise CaseError(str(exc)) from None


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
    try:
        phone = normalise_number(number) if number else None
    except NumberError as exc:
        raise CaseError(f"{contact!r} is neither an e-mail address nor a phone number" if not is_email
                        else str(exc)) from None
    if not is_email and not phone:
        raise CaseError(_("{contact} is neither an e-mail address nor a phone number").format(
            contact=repr(contact)))
    return Customer(
        name=clean_text(name).strip() if name else contact,
        email=contact if is_email else None,
        phone=phone,
        language=language or "en",
        created_at=now,
    )
