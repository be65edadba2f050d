"""Merging, linking and splitting cases (issue #21 points 2–4), and the "possible duplicates" of a case.

Merging moves everything of the source case — messages, notes, calls, attachments (they hang on their messages),
handling time, SLA events (history kept), escalations, follow-ups, knowledge links and case links — onto the
target, whose thread then shows both in time order. A survey moves when the target has none (else the source's stays
on the merged case and is still counted by the reports); a draft of the source is appended to the target's draft of
the same agent and kind, or moves when there is none. The source is closed and points to the target (``merged_into_id``); a message written
to it later, or a customer's mail reply on its thread, lands on the target (``merged_target``). The target's SLA
clocks follow its earliest unanswered contact, and its contact count grows by the source's, so FCR sees a repeat
contact. Each action is one transaction with an audit event and one outbox op; the server applies the same op
through this same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agent_console.domain import case_rules, sla
from agent_console.domain.case_changes import reopen_case, touch
from agent_console.domain.case_errors import CaseError
from agent_console.domain.recording import audit, enqueue
from agent_console.domain.service import Service
from agent_console.i18n import N_, _
from agent_console.store import case_links, case_queries, queries
from agent_console.store.models import Case, CaseArticleLink, CaseLink, CaseStatus, Customer, SlaEvent

LINK_KINDS = ("related", "duplicate", "parent")
#: How far back the "possible duplicates" of a case look.
DUPLICATE_WINDOW = timedelta(days=7)
#: A merge follows at most this many merged cases to find where a case went (a chain never loops: a case merged
#: into another can no longer be a target, but a safe bound costs nothing).
_MAX_CHAIN = 32

LINK_LABELS = {"related": N_("related"), "duplicate": N_("duplicate"), "parent": N_("parent of"),
               "child": N_("part of")}


def merged_target(session, case: Case) -> Case:
    """Where a case's thread is now: the case itself, or the case it was merged into (followed to the end)."""
    for _step in range(_MAX_CHAIN):
        if case.merged_into_id is None:
            return case
        case = session.get(Case, case.merged_into_id)
    return case


@dataclass(frozen=True)
class ShownLink:
    """A link as one of its cases shows it: the other case and what it is to this one."""

    kind: str        # related | duplicate | parent (the other case is this one's parent) | child
    key: str
    subject: str
    status: str
    uid: str


def shown_links(session, case: Case) -> list[ShownLink]:
    links = case_links.links_touching(session, case.id)
    others = case_links.cases_by_ids(session, {link.other_id if link.case_id == case.id else link.case_id
                                               for link in links})
    shown = []
    for link in links:
        mine = link.case_id == case.id
        other = others[link.other_id if mine else link.case_id]
        kind = link.kind
        if kind == "parent":
            kind = "child" if mine else "parent"
        shown.append(ShownLink(kind, other.key, other.subject, other.status, other.uid))
    return shown


def possible_duplicates(session, case: Case, now: datetime) -> list[Case]:
    """Other open cases of the same customer — any customer record sharing their address or number — created in
    the last :data:`DUPLICATE_WINDOW`, newest first; none for a closed or merged case."""
    if not case.is_open:
        return []
    customer = session.get(Customer, case.customer_id)
    ids = case_links.same_person_customer_ids(session, customer)
    return case_links.open_cases_of_customers(session, ids, now - DUPLICATE_WINDOW, excluding=case.id)


def check_merge(source: Case, target: Case, *, across_customers: bool) -> None:
    """Raises CaseError when ``source`` may not be merged into ``target``."""
    if source.id == target.id:
        raise CaseError(_("a case cannot be merged into itself"))
    if source.merged_into_id is not None:
        raise CaseError(_("{case} was merged already").format(case=source.key))
    if target.merged_into_id is not None:
        raise CaseError(_("{case} was merged into another case; merge into that one").format(case=target.key))
    if source.customer_id != target.customer_id and not across_customers:
        raise CaseError(_("{source} and {target} belong to different customers; say so to merge them anyway "
                          "(--across-customers)").format(source=source.key, target=target.key))


def _earliest(*dues: datetime | None) -> datetime | None:
    present = [due for due in dues if due is not None]
    return min(present) if present else None


def _unanswered_due(case: Case) -> datetime | None:
    """When the case's oldest contact still waiting for an answer is due (None: none waits)."""
    if not case.is_open:
        return None
    if case.first_response_at is None:
        return case.first_response_due
    return case.next_update_due


def merge_clocks(source: Case, target: Case, policy, now: datetime) -> dict | None:
    """What a merge does to the target's counters and clocks, in place (call :func:`close_merged` after it).
    Returns the SLA event to record on the target (a reopen, without ``case_id``) or None."""
    event = None
    if source.is_open and not target.is_open:
        event = reopen_case(target, policy, now)
    target.contact_count += source.contact_count
    target.last_inbound_at = max(filter(None, (target.last_inbound_at, source.last_inbound_at)), default=None)
    waiting = _unanswered_due(source)
    if waiting is not None and target.is_open:
        if target.first_response_at is None:
            target.first_response_due = _earliest(target.first_response_due, waiting)
        else:
            target.next_update_due = _earliest(target.next_update_due, waiting)
    if source.is_open and target.is_open and event is None:
        target.resolution_due = _earliest(target.resolution_due, source.resolution_due)
    sla.update_sla_due(target)
    touch(target, now)
    return event


def close_merged(source: Case, target: Case, now: datetime) -> None:
    """The merged case is closed and points to its target."""
    source.status = CaseStatus.closed
    source.is_open = False
    source.closed_at = now
    source.merged_into_id = target.id
    source.next_update_due = None
    source.sla_paused_at = None
    sla.update_sla_due(source)
    touch(source, now)


def draft_separator(source_key: str) -> str:
    """Between a target's draft and the source's draft of the same agent and kind appended to it by a merge."""
    return "\n\n" + _("— from {case} —").format(case=source_key) + "\n"


def move_rows(session, source: Case, target: Case) -> int:
    """Everything of ``source`` onto ``target``; returns how many messages moved.

    Every row is flushed on its own: the server's change feed lists changed rows in the order of the flushes that
    changed them, and one flush of many rows has no order of its own."""
    moved_messages = 0
    for model in case_links.MOVED_WITH_CASE:
        for row in case_links.rows_of_case(session, model, source.id):
            row.case_id = target.id
            session.flush()
            moved_messages += model.__name__ == "Message"
    # One survey per case: the target's own answer stays; a source's answer the target has none of moves. When both
    # have one, the source's stays on the merged case, where the reports keep counting it under the contact it
    # answered (its queue and agent), as before the merge.
    survey = case_links.survey_of(session, source.id)
    if survey is not None and case_links.survey_of(session, target.id) is None:
        survey.case_id = target.id
        session.flush()
    case_links.fold_drafts(session, source.id, target.id, draft_separator(source.key))
    known_articles = case_links.article_ids_of(session, target.id)
    for link in case_links.rows_of_case(session, CaseArticleLink, source.id):
        if link.article_id in known_articles:
            session.delete(link)
        else:
            link.case_id = target.id
    for link in case_links.links_touching(session, source.id):
        if link.case_id == source.id:
            link.case_id = target.id
        if link.other_id == source.id:
            link.other_id = target.id
        if link.case_id == link.other_id or _links_twice(session, link):
            session.delete(link)
    return moved_messages


def _links_twice(session, link: CaseLink) -> bool:
    session.flush()
    other = case_links.link_between(session, link.case_id, link.other_id)
    return other is not None and other.id != link.id


class CaseMergeService(Service):
    """Merge, link, unlink and split cases acting as ``actor`` (see the module's docstring)."""

    def _cases(self, session, *keys_or_uids: str, by_uid: bool) -> list[Case]:
        from agent_console.store.by_uid import by_uid as find_by_uid

        found = []
        for ref in keys_or_uids:
            case = find_by_uid(session, Case, ref) if by_uid else queries.case_by_key(session, ref.strip())
            if case is None:
                raise queries.NotFound(_("no case with uid {uid}").format(uid=ref))
            found.append(case)
        return found

    def merge(self, source: str, target: str, *, across_customers: bool = False, by_uid: bool = False) -> Case:
        """Merge case ``source`` into ``target`` (keys, or uids with ``by_uid``); returns the target."""
        actor = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            source_case, target_case = self._cases(session, source, target, by_uid=by_uid)
            check_merge(source_case, target_case, across_customers=across_customers)
            moved = move_rows(session, source_case, target_case)
            policy = queries.policy_for(session, target_case.channel, target_case.priority)
            event = merge_clocks(source_case, target_case, policy, now)
            if event is not None:
                session.add(SlaEvent(case_id=target_case.id, **event))
            session.flush()
            close_merged(source_case, target_case, now)
            session.flush()
            audit(session, now, actor.id, "case.merge", "case", source_case.id, source=source_case.key,
                  target=target_case.key, messages=moved, across_customers=across_customers)
            enqueue(session, now, "case.merge", source_uid=source_case.uid, target_uid=target_case.uid,
                    across_customers=across_customers)
            return target_case

    def link(self, a: str, b: str, kind: str = "related", *, by_uid: bool = False) -> CaseLink:
        actor = self._require_actor()
        kind = (kind or "").strip().lower()
        if kind not in LINK_KINDS:
            raise CaseError(_("unknown link kind {kind}; expected one of: {choices}").format(
                kind=repr(kind), choices=", ".join(LINK_KINDS)))
        now = self.clock.now()
        with self._transaction() as session:
            case_a, case_b = self._cases(session, a, b, by_uid=by_uid)
            if case_a.id == case_b.id:
                raise CaseError(_("a case cannot be linked to itself"))
            link = case_links.link_between(session, case_a.id, case_b.id)
            if link is None:
                link = CaseLink(case_id=case_a.id, other_id=case_b.id, kind=kind, created_by_id=actor.id,
                                created_at=now)
                session.add(link)
            else:
                link.case_id, link.other_id, link.kind = case_a.id, case_b.id, kind
            session.flush()
            audit(session, now, actor.id, "case.link", "case", case_a.id, other=case_b.key, kind=kind)
            enqueue(session, now, "case.link", case_uid=case_a.uid, other_uid=case_b.uid, link_kind=kind)
            return link

    def unlink(self, a: str, b: str, *, by_uid: bool = False) -> bool:
        """Remove the link between the two cases; False when there was none."""
        actor = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            case_a, case_b = self._cases(session, a, b, by_uid=by_uid)
            link = case_links.link_between(session, case_a.id, case_b.id)
            if link is None:
                return False
            session.delete(link)
            audit(session, now, actor.id, "case.unlink", "case", case_a.id, other=case_b.key)
            enqueue(session, now, "case.unlink", case_uid=case_a.uid, other_uid=case_b.uid)
            return True

    def split(self, key: str, message_numbers: list[int], *, new_uid: str | None = None,
              by_uid: bool = False, message_uids: list[str] | None = None) -> Case:
        """A new case for the same customer with the given messages of case ``key`` (numbered as the thread
        lists them, 1 = the first); returns it. The op names the messages by uid (``message_uids``)."""
        from agent_console.store.models import new_uid as make_uid

        actor = self._require_actor()
        now = self.clock.now()
        with self._transaction() as session:
            (case,) = self._cases(session, key, by_uid=by_uid)
            if case.merged_into_id is not None:
                raise CaseError(_("{case} was merged into another case").format(case=case.key))
            thread = queries.thread(session, case.id)
            if message_uids is not None:
                by_uid_of = {m.uid: m for m in thread}
                chosen = [by_uid_of[uid] for uid in message_uids if uid in by_uid_of]
                if len(chosen) != len(message_uids):
                    raise CaseError(_("a message to split off is not on {case}").format(case=case.key))
            else:
                wrong = sorted({n for n in message_numbers if not 1 <= n <= len(thread)})
                if wrong:
                    raise CaseError(_("{case} has no message {number} (it has {count})").format(
                        case=case.key, number=wrong[0], count=len(thread)))
                chosen = [thread[n - 1] for n in sorted(set(message_numbers))]
            if not chosen:
                raise CaseError(_("name the messages to split off (--message N)"))
            if len(chosen) == len(thread):
                raise CaseError(_("a split leaves at least one message on {case}").format(case=case.key))
            chosen.sort(key=lambda m: (m.created_at, m.id))
            values = case_rules.new_case_values(
                number=case_queries.highest_case_id(session) + 1, uid=new_uid or make_uid(), subject=case.subject,
                customer_id=case.customer_id, channel=case.channel, queue=case.queue, priority=case.priority,
                language=case.language, created_at=chosen[0].created_at, now=now,
                policy=queries.policy_for(session, case.channel, case.priority))
            new_case = Case(**values)
            session.add(new_case)
            session.flush()
            inbound = [m for m in chosen if m.direction == "in"]
            for message in chosen:
                message.case_id = new_case.id
                session.flush()
            new_case.contact_count = max(1, len(inbound))
            if any(m.direction == "out" and not m.is_internal for m in chosen):
                new_case.first_response_at = min(m.created_at for m in chosen
                                                 if m.direction == "out" and not m.is_internal)
            sla.update_sla_due(new_case)
            session.add_all(SlaEvent(case_id=new_case.id, **event)
                            for event in case_rules.started_sla_events(values))
            session.flush()
            case.contact_count = max(1, case.contact_count - len(inbound))
            touch(case, now)
            session.flush()
            audit(session, now, actor.id, "case.split", "case", case.id, new_case=new_case.key,
                  messages=len(chosen))
            enqueue(session, now, "case.split", case_uid=case.uid, new_case_uid=new_case.uid,
                    message_uids=[m.uid for m in chosen])
            return new_case

    def _require_actor(self):
        if self.actor is None:
            raise CaseError(_("this action needs an agent (use --agent LOGIN)"))
        return self.actor
