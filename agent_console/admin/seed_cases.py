"""The seeded cases: each one starts as every new case does (``domain/case_rules.py``), then gets a history (thread,
replies, SLA events, handling time, escalation and follow-up, survey) drawn with the seed's ``random.Random``, and
goes in with the other rows of its batch through the store's bulk writer.
"""

from __future__ import annotations

import queue
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from agent_console.admin import demo_content as content
from agent_console.admin.seed_timeline import (
    CHANNEL_WEIGHTS,
    CLOSE_AFTER_DAYS,
    LIVE_CHANNELS,
    PRIORITY_WEIGHTS,
    WRITTEN_CHANNELS,
    Timeline,
    _status_for,
    _weighted,
)
from agent_console.config import DEFAULT_WRAP_UP_CODES
from agent_console.domain import case_rules, sla
from agent_console.domain.case_rules import SlaTimes, format_key
from agent_console.store.models import Case, Escalation, FollowUp, HandlingSegment, Message, SlaEvent, Survey

BATCH = 5000
DETAIL_POOL = 4096
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
#: Seconds an agent spends on one answer: (low, high, mode) of a triangular distribution.
TALK_SECONDS = {"phone": (60, 600, 200), "chat": (150, 1000, 360), "onsite": (150, 1000, 360),
                "written": (45, 720, 180)}
#: Share of resolved cases whose customer answers the survey, and the mean delay of that answer (right after a call
#: or chat, within hours for written channels).
SURVEY_RESPONSE = 0.35
SURVEY_DELAY_S = {"live": 300, "written": 6 * 3600}
FOLLOW_UP_HOURS = 24
#: Share of follow-ups of still-open escalated cases that their agent did once due.
FOLLOW_UPS_DONE = 0.75


def _format_day(day: datetime, lang: str) -> str:
    if lang == "de":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"



_uid_random = random.SystemRandom().getrandbits(64)
_uid_source = random.Random(_uid_random ^ uuid.uuid4().int)


def row_uid() -> str:
    """A random (version 4) UUID; ~3x cheaper than uuid.uuid4(), which reads os.urandom for every call."""
    h = f"{_uid_source.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"



class CaseBatches(Timeline):
    """Builds and writes the seeded cases; needs the seeder's ``rng``, ``now``, ``policy``, ``customers``,
    ``streets``, ``eligible``, ``tier1``, ``detail_pool``, ``_product_fills``, ``progress``, ``result``,
    ``_next_id`` and ``_insert``."""

    def seed_cases(self, conn, count: int) -> None:
        """Cases in batches: one thread builds the next batch while this one inserts the last (2 cores here;
        SQLite releases the GIL while it works). One thread builds every batch, in order, so the data stays
        deterministic."""
        next_ids = {model: self._next_id(conn, model) for model in
                    (Case, Message, HandlingSegment, SlaEvent, Escalation, FollowUp, Survey)}
        first_case_id = next_ids[Case]
        batches: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()

        def produce() -> None:
            try:
                done = 0
                while done < count and not stop.is_set():
                    n = min(BATCH, count - done)
                    batch = self._build_batch(next_ids, n)
                    while not stop.is_set():
                        try:
                            batches.put(batch, timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    done += n
            finally:
                batches.put(None)

        self.progress("cases", 0, count)
        with ThreadPoolExecutor(max_workers=1) as pool:
            producing = pool.submit(produce)
            inserted = 0
            batch = None
            try:
                while (batch := batches.get()) is not None:
                    # Parents before children: the foreign keys are checked row by row.
                    for model in (Case, Message, HandlingSegment, SlaEvent, Escalation, FollowUp, Survey):
                        self._insert(conn, model, batch[model])
                    inserted += len(batch[Case])
                    self.progress("cases", inserted, count)
            finally:
                stop.set()
                while batch is not None:  # an insert failed: let the producer finish
                    batch = batches.get()
            producing.result()  # re-raises an error of the producer
        self.first_case_id = first_case_id
        if count:
            self.result.first_case_key = format_key(first_case_id)
            self.result.last_case_key = format_key(first_case_id + count - 1)

    def _build_batch(self, next_ids: dict, n: int) -> dict[type, list[dict]]:
        rng = self.rng
        batch: dict[type, list[dict]] = {m: [] for m in next_ids}
        channels = _weighted(rng, CHANNEL_WEIGHTS, n)
        priorities = _weighted(rng, PRIORITY_WEIGHTS, n)
        draws = [rng.random() for _ in range(n)]
        chosen_topics = rng.choices(content.TOPICS, weights=[t.weight for t in content.TOPICS], k=n)
        for i in range(n):
            status = _status_for(channels[i], draws[i])
            self._one_case(batch, next_ids, channels[i], priorities[i], status, chosen_topics[i])
        return batch


    def _one_case(self, batch, ids, channel: str, priority: str, status: str, topic) -> None:
        rng = self.rng
        now = self.now
        customer = rng.choice(self.customers)
        lang = customer["language"]
        if customer["vip"] and priority in ("normal", "low") and rng.random() < 0.5:
            priority = "high"
        policy = self.policy[(channel, priority)]
        targets = sla.targets(policy, channel)
        first_s, next_s, resolution_s = targets
        case_id = ids[Case]
        ids[Case] += 1
        key = format_key(case_id)
        is_open = status != "done"
        escalated_case = status == "escalated" or (not is_open and rng.random() < 0.08)
        when = self._open_times(status, channel, targets) if is_open else self._done_times(channel, targets,
                                                                                           escalated_case)
        created = when["created"].replace(microsecond=0)
        first_response_at = when["first"]
        resolved_at = when["resolved"]
        paused_at = when["paused"]
        closed_at = None
        if not is_open:
            status = "resolved"
            if resolved_at + timedelta(days=CLOSE_AFTER_DAYS) <= now:
                status, closed_at = "closed", resolved_at + timedelta(days=CLOSE_AFTER_DAYS)

        tier = 1
        if escalated_case:
            tier = 2 if rng.random() < 0.75 else 3
        assignee = None
        responder = None
        if status != "new":
            assignee = rng.choice(self.eligible[(topic.queue, tier)])
            if status == "open" and channel not in LIVE_CHANNELS and rng.random() < 0.15:
                assignee = None  # released back to the queue
            responder = rng.choice(self.tier1) if escalated_case else (assignee or rng.choice(self.tier1))

        fill = self._filler(customer, responder or assignee, key, lang, topic)
        subject = rng.choice(topic.subjects[lang]).format(**fill)

        # The thread: (at, direction, agent, internal, body).
        thread: list[tuple[datetime, str, dict | None, bool, str]] = []
        thread.append((created, "in", None, False, rng.choice(topic.openers[lang])))
        last_inbound = created
        next_update_due = None
        escalated_at = None
        if when["nudge"] is not None:
            body = rng.choice(topic.followups[lang]) if topic.followups.get(lang) else self._nudge(lang)
            thread.append((when["nudge"], "in", None, False, body))
            last_inbound = when["nudge"]
        replies = []  # moments an agent answered the customer (each one a stretch of handling time)
        if first_response_at is not None:
            thread.append((first_response_at, "out", responder, False, rng.choice(topic.replies[lang])))
            replies.append((first_response_at, responder))
            end = resolved_at or now
            span = max((end - first_response_at).total_seconds(), 60)
            if topic.notes.get(lang) and rng.random() < 0.4:
                thread.append((first_response_at + timedelta(seconds=min(int(span * 0.1) + 30, span * 0.5)), "out",
                               responder, True, rng.choice(topic.notes[lang])))
            if escalated_case:
                escalated_at = first_response_at + timedelta(seconds=int(span * rng.uniform(0.15, 0.4)) + 30)
                if when["again"] is not None:
                    escalated_at = min(escalated_at, when["again"] - timedelta(seconds=30))
                escalated_at = max(escalated_at, first_response_at + timedelta(seconds=5))
                escalation_reason = rng.choice(content.ESCALATION_REASONS[topic.queue])
                thread.append((escalated_at, "out", responder, True,
                               f"Escalated to tier {tier}: {escalation_reason}"))
            if when["again"] is not None:
                again = when["again"].replace(microsecond=0)
                body = rng.choice(topic.followups[lang]) if topic.followups.get(lang) else self._nudge(lang)
                thread.append((again, "in", None, False, body))
                last_inbound = again
                next_update_due = sla.add_target(policy, again, next_s)
            elif paused_at is not None:
                paused_at = paused_at.replace(microsecond=0)
                ask = topic.pending.get(lang) or content.PENDING_ASK[topic.queue][lang]
                thread.append((paused_at, "out", assignee, False, rng.choice(ask)))
                replies.append((paused_at, assignee))
            elif not is_open:
                if not when["fcr"]:
                    # Not solved on first contact: the customer came back, and was answered again.
                    again = first_response_at + timedelta(seconds=int(span * rng.uniform(0.3, 0.6)) + 30)
                    body = rng.choice(topic.followups[lang]) if topic.followups.get(lang) else self._nudge(lang)
                    thread.append((again, "in", None, False, body))
                    answer_at = again + timedelta(seconds=int((resolved_at - again).total_seconds()
                                                              * rng.uniform(0.1, 0.5)) + 20)
                    thread.append((answer_at, "out", assignee, False,
                                   rng.choice(content.SECOND_REPLIES[topic.queue][lang])))
                    replies.append((answer_at, assignee))
                    last_inbound = again
                    if rng.random() < 0.5:
                        thanks_at = resolved_at - timedelta(seconds=min(600, int(span * 0.05) + 10))
                        thread.append((max(thanks_at, answer_at), "in", None, False, rng.choice(content.THANKS[lang])))
                        last_inbound = max(last_inbound, thanks_at, answer_at)
                if channel in WRITTEN_CHANNELS and rng.random() < 0.6:
                    thread.append((resolved_at, "out", assignee, False, rng.choice(content.CLOSING[lang])))
                else:
                    note = content.RESOLVED_NOTES[channel if channel in LIVE_CHANNELS else "written"][lang]
                    thread.append((resolved_at, "out", assignee, True, note))
            elif status == "open" and rng.random() < 0.3:
                thread.append((first_response_at + timedelta(seconds=int(span * 0.5) + 30), "out", responder, True,
                               rng.choice(content.GENERIC_NOTES[lang])))
        # Nothing happens after the case was resolved (or in the future).
        cap = resolved_at or now
        thread = sorted(((min(at, cap), *rest) for at, *rest in thread), key=lambda m: m[0])
        if escalated_at is not None:
            escalated_at = min(escalated_at, cap)

        tags = list(topic.tags)
        if customer["vip"]:
            tags.append("vip")
        if channel == "phone" and rng.random() < 0.2:
            tags.append("callback")
        if escalated_case:
            tags.append("escalated")

        # The case as every new case starts (case_rules), then the history played above, with its SLA state
        # through the same functions the case service uses.
        values = case_rules.new_case_values(
            number=case_id, uid=row_uid(), subject=subject, customer_id=customer["id"], channel=channel,
            queue=topic.queue, priority=priority, language=lang, created_at=created, now=now, policy=policy,
            status=status, tier=tier, tags=",".join(tags), resolved_at=resolved_at)
        times = SlaTimes(channel, created, is_open)
        times.first_response_due = values["first_response_due"]
        times.resolution_due = values["resolution_due"]
        times.first_response_at = first_response_at
        times.next_update_due = next_update_due
        times.sla_paused_at = paused_at
        sla.update_sla_due(times)
        fr_breached = (first_response_at or now) > times.first_response_due
        res_breached = (resolved_at or now) > times.resolution_due and paused_at is None
        breached = fr_breached or res_breached or (next_update_due is not None and next_update_due < now)

        inbound_count = sum(1 for m in thread if m[1] == "in")
        last_activity = thread[-1][0]
        wrap_code = rng.choice(DEFAULT_WRAP_UP_CODES) if not is_open else None
        values.update(
            id=case_id, assignee_id=assignee["id"] if assignee else None, contact_count=inbound_count,
            updated_at=max(last_activity, closed_at or last_activity), first_response_at=first_response_at,
            last_inbound_at=last_inbound, closed_at=closed_at, next_update_due=next_update_due,
            sla_due_at=times.sla_due_at, sla_paused_at=paused_at, sla_breached=breached,
            escalation_level=1 if escalated_case else 0, wrap_up_code=wrap_code,
            version=len(thread) + (2 if not is_open else 1))
        batch[Case].append(values)
        # A call or chat is a conversation, not a letter: no salutation and sign-off in what was said.
        spoken = channel in LIVE_CHANNELS
        for at, direction, agent, internal, body in thread:
            if spoken and not internal:
                body = content.conversational(body)
            batch[Message].append({
                "id": ids[Message], "uid": row_uid(), "case_id": case_id, "direction": direction, "channel": channel,
                "author_agent_id": agent["id"] if agent else None,
                "author_name": agent["name"] if agent else customer["name"], "body": body.format(**fill),
                "is_internal": internal, "created_at": at,
            })
            ids[Message] += 1

        events = batch[SlaEvent]

        def event(target: str, kind: str, at: datetime, due: datetime | None, detail: str = "") -> None:
            events.append({"id": ids[SlaEvent], "uid": row_uid(), "case_id": case_id, "target": target, "event": kind,
                           "at": at, "due_at": due, "detail": detail})
            ids[SlaEvent] += 1

        for started in case_rules.started_sla_events(values):
            events.append({"id": ids[SlaEvent], "uid": row_uid(), "case_id": case_id, **started})
            ids[SlaEvent] += 1
        if first_response_at is not None:
            event("first_response", "breached" if fr_breached else "met", first_response_at,
                  times.first_response_due, "first reply")
        if next_update_due is not None:
            event("next_update", "started", last_inbound, next_update_due)
        if paused_at is not None:
            event("resolution", "paused", paused_at, times.resolution_due, "pending on customer")
        if resolved_at is not None:
            event("resolution", "breached" if res_breached else "met", resolved_at, times.resolution_due, "resolved")

        # Handling time: each answer is a stretch of work (a call or chat after it starts, writing before it is
        # sent), then wrap-up.
        for n, (answered_at, agent) in enumerate(replies):
            if agent is None:
                continue
            if channel in LIVE_CHANNELS:
                talk = rng.triangular(*TALK_SECONDS[channel])
                start, end = answered_at, answered_at + timedelta(seconds=int(talk))
                if n == 0 and resolved_at is not None and when["fcr"]:
                    end = min(end, resolved_at)
            else:
                talk = rng.triangular(*TALK_SECONDS["written"]) * (0.6 if n else 1.0)
                start, end = answered_at - timedelta(seconds=int(talk)), answered_at
            if end > now:
                continue
            wrap_end = min(end + timedelta(seconds=int(rng.triangular(15, 180, 45))), now)
            for kind, s, e, reason in (("handle", start, end, "wrap_up"), ("wrap_up", end, wrap_end, "switch")):
                batch[HandlingSegment].append({
                    "id": ids[HandlingSegment], "uid": row_uid(), "case_id": case_id, "agent_id": agent["id"],
                    "kind": kind, "started_at": s, "ended_at": e, "heartbeat_at": e, "end_reason": reason,
                    "wrap_up_code": rng.choice(DEFAULT_WRAP_UP_CODES) if kind == "wrap_up" else None,
                })
                ids[HandlingSegment] += 1

        if escalated_at is not None:
            esc_id = ids[Escalation]
            ids[Escalation] += 1
            batch[Escalation].append({
                "id": esc_id, "uid": row_uid(), "case_id": case_id, "kind": "manual", "from_tier": 1, "to_tier": tier,
                "from_queue": topic.queue, "to_queue": topic.queue, "from_agent_id": responder["id"],
                "to_agent_id": assignee["id"] if assignee else None, "reason": escalation_reason,
                "created_by_id": responder["id"], "created_at": escalated_at,
            })
            due = escalated_at + timedelta(hours=FOLLOW_UP_HOURS)
            done_at = None
            if resolved_at is not None:
                done_at = min(max(due, resolved_at) + timedelta(hours=rng.randint(1, 20)), now)
            elif due < now and rng.random() < FOLLOW_UPS_DONE:
                # The original agent checked back with the customer while the specialists still work on it.
                done_at = min(due + timedelta(seconds=rng.uniform(300, 6 * 3600)), now)
            batch[FollowUp].append({
                "id": ids[FollowUp], "uid": row_uid(), "case_id": case_id, "agent_id": responder["id"],
                "escalation_id": esc_id, "due_at": due, "done_at": done_at,
                "note": ("Beim Kunden nachfragen, ob das Problem gelöst ist" if lang == "de"
                         else "Check with the customer that the problem is solved") + f" ({key})",
                "created_at": escalated_at,
            })
            ids[FollowUp] += 1

        if resolved_at is not None and rng.random() < SURVEY_RESPONSE:
            delay = SURVEY_DELAY_S["live" if channel in LIVE_CHANNELS else "written"]
            answered_at = resolved_at + timedelta(seconds=int(rng.expovariate(1 / delay)) + 30)
            if answered_at <= now:  # not answered yet otherwise
                if breached:
                    happy = rng.random() < 0.5
                else:
                    happy = rng.random() < (0.9 if when["fcr"] else 0.78)
                csat = rng.choice((4, 5, 5)) if happy else rng.choice((1, 2, 2, 3, 3, 3))
                nps = rng.choice((8, 9, 9, 10, 10)) if happy else rng.randint(0, 7)
                ces = rng.randint(1, 3) if happy else rng.randint(3, 7)
                batch[Survey].append({
                    "id": ids[Survey], "uid": row_uid(), "case_id": case_id, "csat": csat,
                    "nps": nps if rng.random() < 0.8 else None, "ces": ces if rng.random() < 0.7 else None,
                    "created_at": answered_at,
                })
                ids[Survey] += 1

    def _details(self, lang: str) -> dict:
        """Order numbers, amounts, dates … for one thread (locale-independent, so every machine seeds the same)."""
        rng = self.rng
        day = self.now - timedelta(days=rng.randint(2, 25))
        later = self.now + timedelta(days=rng.randint(1, 5))
        following = (self.now.replace(day=1) + timedelta(days=32)).replace(day=1)
        month_end = (following + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        amount = rng.randint(900, 89900) / 100
        return {
            "order": f"{rng.randint(100000, 999999)}", "invoice": f"R-{self.now.year}-{rng.randint(10000, 99999)}",
            "plan": rng.choice(content.PLANS[lang]),
            "amount": (f"{amount:.2f} €".replace(".", ",") if lang == "de" else f"€{amount:.2f}"),
            "date": _format_day(day, lang), "later": _format_day(later, lang),
            "month_end": _format_day(month_end, lang),
            "carrier": rng.choice(content.CARRIERS), "tracking": f"{rng.randint(10**11, 10**12 - 1)}",
            "ref": f"{rng.randint(10000, 99999)}", "ref3": f"{rng.randint(100, 199)}",
            "city": rng.choice(content.CITIES[lang]), "address": rng.choice(self.streets[lang]),
        }

    def _filler(self, customer: dict, agent: dict | None, key: str, lang: str, topic) -> dict:
        # Thread details come from a pool made once: building them per case was a tenth of a large seed's time.
        pool = self.detail_pool.get(lang)
        if pool is None:
            pool = self.detail_pool[lang] = [self._details(lang) for _ in range(DETAIL_POOL)]
        fill = dict(pool[self.rng.randrange(DETAIL_POOL)])
        # Only products the request makes sense for (no robot vacuum that won't connect to Wi-Fi via WPS …).
        fill.update(self._product_fills[lang][self.rng.choice(topic.products or content.ALL_PRODUCTS)])
        fill.update(customer=customer["name"], first_name=customer["name"].split()[0], email=customer["email"],
                    agent=agent["name"] if agent else "", key=key)
        return fill

    def _nudge(self, lang: str) -> str:
        return self.rng.choice(["Gibt es schon etwas Neues?", "Hallo? Ich warte noch auf eine Antwort."]
                               if lang == "de" else ["Any news on this?", "Hello? Still waiting for an answer."])
