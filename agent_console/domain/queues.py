"""Queues as records: adding, renaming and removing the queues of a store (the console's or the team server's).

Once a store has queue records, a case or an agent may only name a queue that exists (``queries.queue_exists``),
so a typo no longer creates a queue nobody works.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent_console.domain.case_errors import CaseError
from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.domain.text import clean_text
from agent_console.i18n import _, ngettext
from agent_console.store import agent_records, queries, queue_records
from agent_console.store.models import OPEN_STATUSES, QUEUES, Queue

MAX_NAME = 64


class QueueError(ValueError):
    """A queue change the rules do not allow; the message says why."""


@dataclass(frozen=True)
class QueueInfo:
    name: str
    description: str
    open_cases: int
    agents: int


def validate_queue_name(name: str) -> str:
    cleaned = clean_text(name).strip()
    if not cleaned or len(cleaned) > MAX_NAME or "," in cleaned:
        raise QueueError(_("invalid queue name {name}: 1–{limit} characters, no commas").format(name=repr(name),
                                                                                               limit=MAX_NAME))
    return cleaned


def unknown_queue_message(session, name: str) -> str:
    """What every refusal of an unknown queue says (cases, escalations, agents, imports)."""
    return _("unknown queue {name}; the queues are: {queues}").format(
        name=repr(name), queues=", ".join(queries.defined_queues(session)))


def unknown_queues(session, names: list[str]) -> list[str]:
    """The names that are not queues of this store (none when the store defines no queues)."""
    return [name for name in names if not queries.queue_exists(session, name)]


def check_case_queue(session, queue: str) -> None:
    """Once the store has queue records, a case goes only into one of them (a typo makes no new queue)."""
    if not queries.queue_exists(session, queue):
        raise CaseError(unknown_queue_message(session, queue))


def require_known_queue(session, queue: str) -> None:
    """A case is moved only into a queue that exists: once the store has queue records, one of them; in a store
    without them (an older store, a console's replica), a standard queue (``store.models.QUEUES``), one some case is
    in or one some agent works."""
    if queries.defined_queues(session):
        check_case_queue(session, queue)
        return
    if queue in QUEUES:
        return
    if queue_records.some_case_in_queue(session, queue):
        return
    for queues in agent_records.agents_queue_lists(session):
        if queue in (name.strip() for name in queues.split(",")):
            return
    raise CaseError(_("unknown queue {name}: no case is in it and no agent works it").format(name=repr(queue)))


def _queue(session, name: str) -> Queue:
    queue = queue_records.queue_named(session, name)
    if queue is None:
        known = queries.defined_queues(session)
        if known:
            raise QueueError(_("no queue {name}; the queues are: {queues}").format(
                name=repr(name), queues=", ".join(known)))
        raise QueueError(_("no queue {name}").format(name=repr(name)))
    return queue


def add_queue(store, clock: Clock, name: str, description: str = "", actor_id: int | None = None) -> Queue:
    name = validate_queue_name(name)
    now = clock.now()
    with store.transaction() as session:
        existing = queue_records.queue_named_ignoring_case(session, name)
        if existing is not None:
            raise QueueError(_("the queue {name} already exists").format(name=repr(existing.name)))
        queue = Queue(name=name, description=clean_text(description).strip(), created_at=now)
        session.add(queue)
        session.flush()
        audit(session, now, actor_id, "queue.add", "queue", queue.id, name=name)
        return queue


def list_queues(store) -> list[QueueInfo]:
    """Every queue record with its open cases and the active agents who work it (by name or as all-queue agents)."""
    with store.session() as session:
        queues = queue_records.all_queues(session)
        open_counts = queue_records.open_cases_by_queue(session)
        agents = agent_records.active_agents(session)
    listed = [a.queue_list() for a in agents]
    return [QueueInfo(q.name, q.description, open_counts.get(q.name, 0),
                      sum(1 for names in listed if not names or q.name in names)) for q in queues]


def rename_queue(store, clock: Clock, old: str, new: str, actor_id: int | None = None) -> int:
    """Renames the queue, and with it every case in it and every agent's queue list. Returns the cases moved."""
    new = validate_queue_name(new)
    now = clock.now()
    with store.transaction() as session:
        queue = _queue(session, old)
        clash = queue_records.queue_named_ignoring_case(session, new, other_than=queue.id)
        if clash is not None:
            raise QueueError(_("the queue {name} already exists").format(name=repr(clash.name)))
        queue.name = new
        # ORM objects, not one UPDATE: on the team server each changed case and agent goes into the change feed.
        cases = queue_records.cases_in_queue(session, old)
        for case in cases:
            case.queue = new
            case.version += 1
        for agent in agent_records.agents_with_queue_lists(session):
            names = agent.queue_list()
            if old in names:
                agent.queues = ",".join(new if n == old else n for n in names)
                agent.version += 1
        audit(session, now, actor_id, "queue.rename", "queue", queue.id, old=old, new=new, cases=len(cases))
        return len(cases)


def remove_queue(store, clock: Clock, name: str, actor_id: int | None = None) -> None:
    """Removes a queue nobody needs: refused while open cases are in it or an agent works it and no other queue
    (that agent would be left working every queue). Resolved cases keep the name as history."""
    now = clock.now()
    with store.transaction() as session:
        queue = _queue(session, name)
        open_cases = queue_records.cases_in_queue_with_status(session, name, OPEN_STATUSES)
        if open_cases:
            raise QueueError(ngettext(
                "the queue {name} still has {count} open case; move them first (`agent-console case queue KEY OTHER`)",
                "the queue {name} still has {count} open cases; move them first "
                "(`agent-console case queue KEY OTHER`)", open_cases).format(name=repr(name), count=open_cases))
        agents = [a for a in agent_records.agents_with_queue_lists(session) if name in a.queue_list()]
        only = sorted(a.login for a in agents if a.queue_list() == [name])
        if only:
            raise QueueError(ngettext(
                "{agents} works only the queue {name}; give them another queue first "
                "(`agent-console agents add LOGIN … --queues …`)",
                "{agents} work only the queue {name}; give them another queue first "
                "(`agent-console agents add LOGIN … --queues …`)", len(only)).format(agents=", ".join(only),
                                                                                     name=repr(name)))
        for agent in agents:
            agent.queues = ",".join(n for n in agent.queue_list() if n != name)
            agent.version += 1
        session.delete(queue)
        audit(session, now, actor_id, "queue.remove", "queue", queue.id, name=name)
