"""Deterministic demo data: a contact center's agents, customers, cases with threads, canned responses, KB articles,
SLA policies, surveys, escalations and follow-ups.

Determinism: the same ``seed`` gives the same content (names, subjects, threads, keys on an empty store). Times are
laid out relative to the clock's "now" (whole seconds), so the demo always opens on a floor at work:

- Open cases are placed back from now by the SLA state their most urgent running target should show: about three in
  four within target, one in six at risk, one in ten breached (more among escalated cases), per channel's own
  targets (a caller waits seconds, an e-mail hours). Live channels (phone, chat, walk-in) have few open cases; the
  written ones carry the backlog.
- Resolved cases cluster in the last days and thin out over months: today has enough volume for the monitor's
  figures (service level ~80-90 %, FCR ~70 %, CSAT ~80 % satisfied, AHT ~7-9 min) and customers have a history.
- Breaches of the seeded open cases are recorded by the SLA sweeper's own rule at the moment a live sweeper would
  have (``record_breaches``), so the first sweep after seeding has nothing to catch up on.

Row uids are random UUIDs, because they must stay unique across stores that sync with one server.

Speed: Faker is slow, so it fills small pools of names once; everything else is sampled from those pools and the
hand-written texts with one ``random.Random(seed)``. Rows go in as SQLAlchemy Core ``executemany`` batches with
explicit ids, inside the one write transaction of the seed (no ORM object per row).

Seeding a store that already holds cases is refused unless ``force`` is given; then the demo data is added beside
the existing data: ids and case keys (``AC-%06d`` by id) continue after the highest existing one, and agents, SLA
policies, canned responses and KB articles that already exist (by login, channel+priority, shortcut, slug) are kept
as they are.
"""

from __future__ import annotations

import queue
import threading
import random
import unicodedata
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from agent_console.admin import demo_content as content
from agent_console.config import DEFAULT_WRAP_UP_CODES
from agent_console.domain import sla
from agent_console.domain import case_rules
from agent_console.domain.case_rules import SlaTimes, format_key
from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.store import bulk
from agent_console.store.db import Store
from agent_console.store.models import (
    Agent,
    CannedResponse,
    Case,
    Customer,
    Escalation,
    FollowUp,
    HandlingSegment,
    KBArticle,
    Message,
    Queue,
    QUEUES,
    SlaEvent,
    SlaPolicy,
    Survey,
)

DEFAULT_CUSTOMERS = 300
DEFAULT_CASES = 2000
DEFAULT_KB = 200
DEFAULT_SEED = 42
BATCH = 5000
DETAIL_POOL = 4096
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
#: From this many cases on, the big tables' indexes are dropped during the load and rebuilt after it.
BULK_INDEX_REBUILD_FROM = 20000

CHANNEL_WEIGHTS = {"email": 30, "phone": 22, "chat": 18, "web": 10, "messenger": 8, "social": 7, "onsite": 5}
PRIORITY_WEIGHTS = {"urgent": 4, "high": 16, "normal": 65, "low": 15}
#: Per channel, how many cases in 100 are open (by status); the rest are done (resolved, closed after
#: CLOSE_AFTER_DAYS). Live channels (a call, a chat, a walk-in) are mostly settled while the customer is there, so
#: few of them wait; written channels carry the backlog.
OPEN_STATUS_SHARES = {
    "phone": {"new": 0.4, "open": 4, "pending": 1.5, "escalated": 1.5},
    "chat": {"new": 1.0, "open": 3, "pending": 1, "escalated": 1},
    "onsite": {"new": 1.0, "open": 3, "pending": 1, "escalated": 1},
    "email": {"new": 5, "open": 9, "pending": 5, "escalated": 3},
    "web": {"new": 5, "open": 8, "pending": 4, "escalated": 3},
    "messenger": {"new": 3, "open": 6, "pending": 2, "escalated": 2},
    "social": {"new": 3, "open": 6, "pending": 2, "escalated": 2},
}
LIVE_CHANNELS = ("phone", "chat", "onsite")
#: SLA states of open cases' most urgent running target at seeding time: mostly ok, some at risk, a few breached.
OPEN_AT_RISK = 0.17
OPEN_BREACHED = 0.10
OPEN_BREACHED_ESCALATED = 0.22
#: Share of open (answered) cases where the customer wrote again and waits for the next update.
AWAITING_UPDATE = 0.35
#: First responses within target (the service level lands around 80 %).
FIRST_RESPONSE_MET = 0.84
#: Resolved cases settled with the first answer (one customer contact, never reopened).
FIRST_CONTACT_RESOLVED = 0.83
#: How long ago cases were resolved: SHIFT_SHARE in the current shift's hours (mean SHIFT_DAYS), RECENT_SHARE within
#: days (mean RECENT_DAYS), the rest spread over months (mean ARCHIVE_DAYS): the monitor's "today" has figures even
#: an hour after midnight, and customers have a history.
SHIFT_SHARE = 0.1
SHIFT_DAYS = 0.3
RECENT_SHARE = 0.35
RECENT_DAYS = 2.0
ARCHIVE_DAYS = 45.0
CLOSE_AFTER_DAYS = 2
#: Seconds an agent spends on one answer: (low, high, mode) of a triangular distribution.
TALK_SECONDS = {"phone": (60, 600, 200), "chat": (150, 1000, 360), "onsite": (150, 1000, 360),
                "written": (45, 720, 180)}
#: Share of resolved cases whose customer answers the survey, and the mean delay of that answer (right after a call
#: or chat, within hours for written channels).
SURVEY_RESPONSE = 0.35
SURVEY_DELAY_S = {"live": 300, "written": 6 * 3600}
#: How long seeded agents have been in their state: (least, most) seconds.
STATE_SECONDS = {"available": (20, 1800), "handling": (60, 720), "wrap_up": (10, 100), "break": (60, 900),
                 "offline": (3600, 14 * 3600)}
FOLLOW_UP_HOURS = 24
#: Share of follow-ups of still-open escalated cases that their agent did once due.
FOLLOW_UPS_DONE = 0.75
#: How long after a due time the console's sweeper (every 5 s) records the breach.
SWEEP_LAG = timedelta(seconds=5)
#: Channels where closing a case sends the customer a written message (a call just ends).
WRITTEN_CHANNELS = ("email", "web", "messenger", "social")

#: Stages reported to ``progress``: name, done, total.
Progress = Callable[[str, int, int], None]


def _format_day(day: datetime, lang: str) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}" if lang == "de" else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class SeedRefused(RuntimeError):
    pass


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    first_case_key: str | None = None
    last_case_key: str | None = None
    #: Seeded open cases already past an SLA target, whose breaches were recorded as the sweeper would have.
    breached_cases: int = 0


def default_policies() -> list[dict]:
    """The default SLA policies (see ``sla.default_policy_rows``)."""
    return sla.default_policy_rows()


_uid_random = random.SystemRandom().getrandbits(64)
_uid_source = random.Random(_uid_random ^ uuid.uuid4().int)


def _uid() -> str:
    """A random (version 4) UUID; ~3x cheaper than uuid.uuid4(), which reads os.urandom for every call."""
    h = f"{_uid_source.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ascii(value: str) -> str:
    value = value.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    value = value.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in value.lower() if ch.isalnum() or ch in ".-")


def _slugify(value: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in _ascii(value.replace(" ", "-")))
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug.strip("-")[:80]


def _weighted(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=n)


def _status_thresholds() -> dict[str, list[tuple[float, str]]]:
    found = {}
    for channel, shares in OPEN_STATUS_SHARES.items():
        upper, steps = 0.0, []
        for status, share in shares.items():
            upper += share / 100
            steps.append((upper, status))
        found[channel] = steps
    return found


_STATUS_STEPS = _status_thresholds()


def _status_for(channel: str, draw: float) -> str:
    """An open status by the channel's shares, or ``done`` (resolved or closed, decided by time)."""
    for upper, status in _STATUS_STEPS[channel]:
        if draw < upper:
            return status
    return "done"


class _Pools:
    """Names and contact details made once with Faker, then sampled."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.first: dict[str, list[str]] = {}
        self.last: dict[str, list[str]] = {}
        self.streets: dict[str, list[str]] = {}
        for lang, locale in (("de", "de_DE"), ("en", "en_US")):
            fake = Faker(locale)
            fake.seed_instance(seed)
            self.first[lang] = sorted({fake.first_name() for _ in range(400)})
            # Faker's German list has inverted particles ("Dussen van"), which read as a broken name.
            self.last[lang] = sorted({name for name in (fake.last_name() for _ in range(400)) if " " not in name})
            self.streets[lang] = [fake.street_address() for _ in range(200)]


class _Seeder:
    def __init__(self, store: Store, clock: Clock, seed: int, progress: Progress | None) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.seed = seed
        # Whole seconds, not minutes: a phone case's 90-second target would be off by up to a minute otherwise.
        self.now = clock.now().astimezone(timezone.utc).replace(microsecond=0)
        self.progress = progress or (lambda stage, done, total: None)
        self.result = SeedResult()
        self.detail_pool: dict[str, list[dict]] = {}
        self._product_fills = {lang: {p.key: content.product_fill(p, lang) for p in content.PRODUCT_CATALOGUE}
                               for lang in ("de", "en")}

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _next_id(self, conn, model) -> int:
        return (conn.execute(select(func.max(model.__table__.c.id))).scalar() or 0) + 1

    def _insert(self, conn, model, rows: list[dict]) -> None:
        if not rows:
            return
        bulk.insert_rows(conn, model.__table__, rows)
        self.result.counts[model.__tablename__] = self.result.counts.get(model.__tablename__, 0) + len(rows)

    # --- reference data --------------------------------------------------------------------------------------------

    def seed_policies(self, conn) -> None:
        table = SlaPolicy.__table__
        existing = {(r.channel, r.priority) for r in conn.execute(select(table.c.channel, table.c.priority))}
        self._insert(conn, SlaPolicy, [p for p in default_policies() if (p["channel"], p["priority"]) not in existing])

    def seed_queues(self, conn) -> None:
        """The demo's queues as records; a store that had none also gets records of the queues its cases and agents
        already name, so they stay valid once the store has queues."""
        table = Queue.__table__
        existing = set(conn.execute(select(table.c.name)).scalars())
        wanted = set(QUEUES)
        if not existing:
            wanted.update(conn.execute(select(Case.__table__.c.queue).distinct()).scalars())
            for listed in conn.execute(select(Agent.__table__.c.queues).distinct()).scalars():
                wanted.update(part.strip() for part in listed.split(","))
        self._insert(conn, Queue, [{"uid": _uid(), "name": name, "description": "", "created_at": self.now}
                                   for name in sorted(wanted - existing) if name and name.strip()])

    def load_policies(self, session) -> None:
        policies = {(p.channel, p.priority): p for p in session.scalars(select(SlaPolicy)).all()}
        self.policy = {}
        for channel in content_channels():
            for priority in PRIORITY_WEIGHTS:
                self.policy[(channel, priority)] = policies.get((channel, priority)) or policies.get((channel, None))

    def seed_agents(self, conn) -> None:
        table = Agent.__table__
        existing = {r.login for r in conn.execute(select(table.c.login))}
        next_id = self._next_id(conn, Agent)
        rows = []
        states = ["available", "handling", "wrap_up", "break", "available", "handling", "offline"]
        for login, name, role, tier, queues, skills in content.DEMO_AGENTS:
            if login in existing:
                continue
            state = "offline" if login in ("demo", "admin") else self.rng.choice(states)
            rows.append({"id": next_id, "uid": _uid(), "login": login, "name": name, "role": role, "tier": tier,
                         "queues": queues, "skills": skills, "state": state,
                         "state_since": self.now - timedelta(seconds=self.rng.randint(*STATE_SECONDS[state])),
                         "active": True,
                         "password_hash": None, "created_at": self.now - timedelta(days=400), "version": 1})
            next_id += 1
        self._insert(conn, Agent, rows)
        self.new_agent_ids = {row["id"] for row in rows}
        self.agents = [dict(r._mapping) for r in conn.execute(
            select(table.c.id, table.c.login, table.c.name, table.c.role, table.c.tier, table.c.queues)
            .where(table.c.active.is_(True)).order_by(table.c.id))]
        self.workers = [a for a in self.agents if a["role"] == "agent"] or self.agents
        self.eligible: dict[tuple[str, int], list[dict]] = {}
        for queue in ("Billing", "Delivery", "Technical", "Complaints", "General"):
            for tier in (1, 2, 3):
                fit = [a for a in self.workers if a["tier"] >= tier and
                       (not a["queues"] or queue in a["queues"].split(","))]
                self.eligible[(queue, tier)] = fit or [a for a in self.workers if a["tier"] >= tier] or self.agents
        self.tier1 = [a for a in self.workers if a["tier"] == 1] or self.workers

    def seed_canned(self, conn) -> None:
        table = CannedResponse.__table__
        existing = {r.shortcut for r in conn.execute(select(table.c.shortcut))}
        rows = []
        # Used as often as the requests they answer come up (the picker lists the most used first); the openers and
        # closers of every conversation most of all.
        weight = {name: 0 for name, *_ in content.CANNED}
        for topic in content.TOPICS:
            canned = content.ANSWERS[topic.key][0]
            for language in ("de", "en"):
                weight[content.localised(canned, language)] += topic.weight
        for shortcut, language, category, title, body in content.CANNED:
            if shortcut in existing:
                continue
            base = weight[shortcut] * 25 or 500
            usage = int(base * self.rng.uniform(0.8, 1.2) * (1.1 if language == "de" else 0.9))
            rows.append({"uid": _uid(), "title": title, "shortcut": shortcut, "category": category,
                         "language": language, "body": body, "usage_count": usage,
                         "created_at": self.now - timedelta(days=200), "updated_at": self.now - timedelta(days=30),
                         "version": 1})
        self._insert(conn, CannedResponse, rows)

    def seed_kb(self, conn, count: int) -> None:
        table = KBArticle.__table__
        seen = {r.slug for r in conn.execute(select(table.c.slug))}
        rows = []
        created = self.now - timedelta(days=300)

        def add(slug: str, title: str, body: str, tags: str, language: str) -> None:
            if slug in seen:
                return
            seen.add(slug)
            rows.append({"uid": _uid(), "slug": slug, "title": title, "body": body, "tags": tags,
                         "language": language, "helpful_votes": self.rng.randint(0, 250),
                         "created_at": created + timedelta(days=self.rng.randint(0, 250)),
                         "updated_at": self.now - timedelta(days=self.rng.randint(1, 40)), "version": 1})

        for slug, language, tags, title, body in content.KB_BASE[:count]:
            add(slug, title, body, tags, language)
        produced = min(count, len(content.KB_BASE))
        number = 0
        while produced < count:
            number += 1
            language = "de" if number % 2 else "en"
            template_title, tags, intro, steps = self.rng.choice(content.KB_VARIANTS[language])
            kinds, symptom = self.rng.choice(content.SYMPTOMS)
            fitting = [p for p in content.PRODUCT_CATALOGUE if not kinds or kinds & p.kinds]
            product = self.rng.choice(fitting)
            fill = content.product_fill(product, language)
            fill["symptom"] = symptom[language]
            title = template_title.format(**fill)
            chosen = steps if len(steps) <= 3 else steps[:2] + self.rng.sample(steps[2:], k=len(steps) - 3)
            lines = [f"# {title}", "", intro.format(**fill), ""]
            lines.append("## Schritte" if language == "de" else "## Steps")
            lines.append("")
            lines += [f"{i}. {step}" for i, step in enumerate(chosen, 1)]
            lines += ["", ("Gilt für: " if language == "de" else "Applies to: ") + f"**{fill['product']}**, "
                      + ("Firmware ab " if language == "de" else "firmware ") + f"2.{self.rng.randint(0, 6)}"]
            tag = product.tag
            slug = f"{_slugify(title)}-{number}"
            add(slug, title, "\n".join(lines), tags.format(tag=tag), language)
            produced += 1
        self._insert(conn, KBArticle, rows)

    # --- customers -------------------------------------------------------------------------------------------------

    def seed_customers(self, conn, count: int, pools: _Pools) -> None:
        next_id = self._next_id(conn, Customer)
        rng = self.rng
        rows = []
        domains = {"de": ["example.de", "example.com", "example.net"], "en": ["example.com", "example.org",
                                                                             "example.co.uk"]}
        for offset in range(count):
            cid = next_id + offset
            language = "de" if rng.random() < 0.55 else "en"
            first, last = rng.choice(pools.first[language]), rng.choice(pools.last[language])
            email = f"{_ascii(first)}.{_ascii(last)}{cid}@{rng.choice(domains[language])}"
            if language == "de":
                phone = f"+49{rng.choice(['30', '40', '89', '221', '69', '711', '341'])}{rng.randint(1000000, 9999999)}"
            else:
                phone = f"+44{rng.choice(['20', '161', '113', '117', '131'])}{rng.randint(1000000, 9999999)}"
            rows.append({"id": cid, "uid": _uid(), "name": f"{first} {last}", "email": email,
                         "phone": phone if rng.random() < 0.85 else None, "language": language,
                         "vip": rng.random() < 0.06,
                         "created_at": self.now - timedelta(days=rng.randint(30, 1500)), "version": 1})
        self._insert(conn, Customer, rows)
        self.customers = rows
        self.streets = pools.streets

    # --- cases -----------------------------------------------------------------------------------------------------

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

    # --- when things happen ----------------------------------------------------------------------------------------

    def _first_response_delay(self, first_s: int) -> float:
        """Seconds from arrival to the first reply: within target for FIRST_RESPONSE_MET of cases."""
        rng = self.rng
        if rng.random() < FIRST_RESPONSE_MET:
            return first_s * rng.triangular(0.05, 1.0, 0.35)
        return first_s * (1.0 + min(rng.expovariate(1.6), 5.0)) + 1

    def _sla_state(self, status: str) -> str:
        draw = self.rng.random()
        breached = OPEN_BREACHED_ESCALATED if status == "escalated" else OPEN_BREACHED
        return "breached" if draw < breached else "at_risk" if draw < breached + OPEN_AT_RISK else "ok"

    def _elapsed(self, state: str, most_overdue: float) -> float:
        """How much of a running target's time has passed, for the state it should show now (> 1: overdue, by at
        most ``most_overdue`` of the target)."""
        rng = self.rng
        if state == "ok":
            return rng.uniform(0.03, 0.78)
        if state == "at_risk":
            return rng.uniform(0.81, 0.99)
        return 1.0 + rng.uniform(0.02, most_overdue)

    def _open_times(self, status: str, channel: str, targets: tuple) -> dict:
        """An open case's moments, laid out so that its most urgent running target shows a chosen SLA state now.

        The state is drawn first (mostly ok, some at risk, a few breached: a floor at work, not a backlog) and the
        arrival is placed back from now by that share of the target's time."""
        rng, now = self.rng, self.now
        first_s, next_s, resolution_s = targets
        live = channel in LIVE_CHANNELS
        state = self._sla_state(status)
        times = {"again": None, "paused": None, "nudge": None, "resolved": None, "fcr": False}
        if status == "new":
            # A caller or chat waits minutes past a target of seconds; an e-mail hours past one of hours.
            age = first_s * self._elapsed(state, 1.5 if live else 0.6) + rng.uniform(0, 5)
            created = now - timedelta(seconds=age)
            if not live and age > 900 and rng.random() < 0.15:
                times["nudge"] = created + timedelta(seconds=age * rng.uniform(0.4, 0.9))
            times.update(created=created, first=None)
            return times
        delay = self._first_response_delay(first_s)
        if status == "pending":
            worked = resolution_s * rng.uniform(0.05, 0.6)
            waiting = rng.uniform(1200, 86400) if live else rng.uniform(3600, 4 * 86400)
            created = now - timedelta(seconds=worked + waiting)
            times["paused"] = created + timedelta(seconds=worked)
            first = created + timedelta(seconds=min(delay, worked * 0.7))
        elif next_s and rng.random() < AWAITING_UPDATE:
            # The customer wrote again and waits for the next update: that clock is the urgent one.
            created = now - timedelta(seconds=resolution_s * rng.uniform(0.12, 0.75))
            first = min(created + timedelta(seconds=delay), created + (now - created) * 0.5)
            again = now - timedelta(seconds=next_s * self._elapsed(state, 0.6))
            if again <= first + timedelta(seconds=60):
                again = first + (now - first) * rng.uniform(0.3, 0.9)
            times["again"] = again
        else:
            created = now - timedelta(seconds=resolution_s * self._elapsed(state, 0.4))
            first = min(created + timedelta(seconds=delay), created + (now - created) * 0.6)
        times.update(created=created, first=first.replace(microsecond=0))
        return times

    def _done_times(self, channel: str, targets: tuple, escalated: bool) -> dict:
        """A resolved case: recent days are busier than old ones (the monitor's 'today' has figures, customers
        have a history), first responses and resolutions mostly within target, most solved on first contact."""
        rng, now = self.rng, self.now
        first_s, _next_s, resolution_s = targets
        live = channel in LIVE_CHANNELS
        draw = rng.random()
        mean_age = SHIFT_DAYS if draw < SHIFT_SHARE else RECENT_DAYS if draw < SHIFT_SHARE + RECENT_SHARE \
            else ARCHIVE_DAYS
        age = min(max(rng.expovariate(1 / (mean_age * 86400)), 300), 400 * 86400)
        resolved = now - timedelta(seconds=age)
        delay = self._first_response_delay(first_s)
        fcr = not escalated and rng.random() < FIRST_CONTACT_RESOLVED
        if fcr:
            # Solved with the first answer: during the call or chat, or shortly after the written reply.
            work = rng.uniform(240, 1500) if live else rng.uniform(120, 3 * 3600)
        else:
            work = resolution_s * rng.triangular(0.05, 1.15, 0.3)
        created = resolved - timedelta(seconds=delay + work)
        return {"created": created, "first": (created + timedelta(seconds=delay)).replace(microsecond=0),
                "resolved": resolved.replace(microsecond=0), "again": None, "paused": None, "nudge": None,
                "fcr": fcr}

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
            number=case_id, uid=_uid(), subject=subject, customer_id=customer["id"], channel=channel,
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
                "id": ids[Message], "uid": _uid(), "case_id": case_id, "direction": direction, "channel": channel,
                "author_agent_id": agent["id"] if agent else None,
                "author_name": agent["name"] if agent else customer["name"], "body": body.format(**fill),
                "is_internal": internal, "created_at": at,
            })
            ids[Message] += 1

        events = batch[SlaEvent]

        def event(target: str, kind: str, at: datetime, due: datetime | None, detail: str = "") -> None:
            events.append({"id": ids[SlaEvent], "uid": _uid(), "case_id": case_id, "target": target, "event": kind,
                           "at": at, "due_at": due, "detail": detail})
            ids[SlaEvent] += 1

        for started in case_rules.started_sla_events(values):
            events.append({"id": ids[SlaEvent], "uid": _uid(), "case_id": case_id, **started})
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
                    "id": ids[HandlingSegment], "uid": _uid(), "case_id": case_id, "agent_id": agent["id"],
                    "kind": kind, "started_at": s, "ended_at": e, "heartbeat_at": e, "end_reason": reason,
                    "wrap_up_code": rng.choice(DEFAULT_WRAP_UP_CODES) if kind == "wrap_up" else None,
                })
                ids[HandlingSegment] += 1

        if escalated_at is not None:
            esc_id = ids[Escalation]
            ids[Escalation] += 1
            batch[Escalation].append({
                "id": esc_id, "uid": _uid(), "case_id": case_id, "kind": "manual", "from_tier": 1, "to_tier": tier,
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
                "id": ids[FollowUp], "uid": _uid(), "case_id": case_id, "agent_id": responder["id"],
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
                    "id": ids[Survey], "uid": _uid(), "case_id": case_id, "csat": csat,
                    "nps": nps if rng.random() < 0.8 else None, "ces": ces if rng.random() < 0.7 else None,
                    "created_at": answered_at,
                })
                ids[Survey] += 1

    def seed_live_work(self, conn) -> None:
        """Agents the seed put in ``handling`` or ``wrap_up`` are doing it on one of their open cases (a running
        segment since their state began), so the monitor shows what each one works on; without such a case they are
        available instead."""
        table = Agent.__table__
        columns = Case.__table__.c
        segment_id = self._next_id(conn, HandlingSegment)
        rows = []
        for agent in conn.execute(select(table.c.id, table.c.state, table.c.state_since).where(
                table.c.state.in_(("handling", "wrap_up"))).order_by(table.c.id)):
            if agent.id not in self.new_agent_ids:
                continue
            cases = conn.execute(select(columns.id).where(
                columns.is_open == True, columns.assignee_id == agent.id,  # noqa: E712
                columns.status.in_(("open", "escalated")), columns.id >= self.first_case_id).order_by(
                columns.id).limit(50)).scalars().all()
            if not cases:
                conn.execute(table.update().where(table.c.id == agent.id).values(state="available"))
                continue
            since = agent.state_since.replace(tzinfo=timezone.utc) if agent.state_since.tzinfo is None \
                else agent.state_since
            rows.append({"id": segment_id, "uid": _uid(), "case_id": self.rng.choice(cases), "agent_id": agent.id,
                         "kind": "handle" if agent.state == "handling" else "wrap_up", "started_at": since,
                         "ended_at": None, "heartbeat_at": self.now, "end_reason": None, "wrap_up_code": None})
            segment_id += 1
        self._insert(conn, HandlingSegment, rows)

    def record_breaches(self, session, clock: Clock) -> None:
        """Write what the SLA sweeper would have written for the seeded cases that are already breached.

        The console sweeps every few seconds, so on a live floor each breach was recorded moments after its due
        time: the sweeper's own recording (breach events, ``sla_breached``, audit, automatic escalation with its
        priority step) runs per case at due time + SWEEP_LAG, and again for a target the raised priority makes late
        (as the next sweeps would). A sweep right after seeding then finds nothing new instead of a backlog.
        """
        from agent_console.domain.sla_monitor import SlaSweeper

        sweeper = SlaSweeper(self.store, clock, enqueue_ops=False)
        columns = Case.__table__.c
        late_ids = session.scalars(select(columns.id).where(
            columns.is_open == True, columns.sla_due_at < self.now,  # noqa: E712
            columns.id >= self.first_case_id).order_by(columns.id)).all()
        self.progress("SLA breaches", 0, len(late_ids))
        # The sweeper flushes where its rule reads what it wrote; autoflush before each of its look-ups would
        # double the cost of this loop.
        with session.no_autoflush:
            for start in range(0, len(late_ids), 500):
                chunk = late_ids[start:start + 500]
                cases = session.scalars(select(Case).where(Case.id.in_(chunk)).order_by(Case.id)).all()
                for case in cases:
                    last_activity = case.updated_at
                    recorded: set[tuple[str, datetime]] = set()
                    swept_at = None
                    while late := [t for t in sla.breached_targets(case, self.now) if t not in recorded]:
                        at = min(due for _, due in late) + SWEEP_LAG
                        if swept_at is not None:  # a target the raised priority made late: the next sweep sees it
                            at = max(at, swept_at + SWEEP_LAG)
                        at = swept_at = min(at, self.now)
                        caught = [(target, due) for target, due in late if due < at]
                        # The sweeper's per-case recording, so the rules live in one place (domain/sla_monitor).
                        sweeper.record_breaches(session, case.id, case.key, caught, at)
                        recorded.update(caught)
                    case.updated_at = max(case.updated_at, last_activity)
                session.flush()
                self.progress("SLA breaches", start + len(chunk), len(late_ids))
        session.flush()
        self.progress("SLA breaches", len(late_ids), len(late_ids))
        self.result.breached_cases = len(late_ids)

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


def content_channels() -> list[str]:
    return list(CHANNEL_WEIGHTS)


def seed_demo(store: Store, clock: Clock, *, customers: int = DEFAULT_CUSTOMERS, cases: int = DEFAULT_CASES,
              kb: int = DEFAULT_KB, seed: int = DEFAULT_SEED, force: bool = False,
              progress: Progress | None = None) -> SeedResult:
    """Fill the store with demo data in one transaction; see the module docstring for the rules."""
    if min(customers, cases, kb) < 0:
        raise ValueError("counts cannot be negative")
    if cases and not customers:
        raise ValueError("cases need customers: --customers must be at least 1")
    seeder = _Seeder(store, clock, seed, progress)
    pools = _Pools(seed) if customers else None
    with store.transaction() as session:
        conn = session.connection()
        existing = conn.execute(select(func.count()).select_from(Case.__table__)).scalar_one()
        if existing and not force:
            raise SeedRefused(f"the store already holds {existing:,} cases; pass --force to add the demo data "
                              "beside them (existing agents, policies, canned responses and articles are kept)")
        load = bulk.BulkLoad(conn, drop_indexes=cases >= BULK_INDEX_REBUILD_FROM)
        seeder.seed_policies(conn)
        seeder.seed_queues(conn)
        seeder.load_policies(session)
        seeder.seed_agents(conn)
        seeder.seed_canned(conn)
        seeder.progress("knowledge base", 0, kb)
        seeder.seed_kb(conn, kb)
        seeder.progress("knowledge base", kb, kb)
        if customers:
            seeder.seed_customers(conn, customers, pools)
        seeder.seed_cases(conn, cases)
        if load.indexes_dropped:
            seeder.progress("indexes", 0, 1)
            load.finish_indexes()
            seeder.progress("indexes", 1, 1)
        if load.search_suspended:
            seeder.progress("search index", 0, 1)
            load.finish_search()
            seeder.progress("search index", 1, 1)
        if cases:
            seeder.seed_live_work(conn)
            seeder.record_breaches(session, clock)
        audit(session, clock.now(), None, "seed.demo", "store", None, seed=seed, counts=seeder.result.counts)
    return seeder.result
