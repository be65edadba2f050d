"""Deterministic demo data: a contact center's agents, customers, cases with threads, canned responses, KB articles,
SLA policies, surveys, escalations and follow-ups.

This module orchestrates the seed (one transaction, reference data, customers, live work, recorded breaches);
``seed_cases.py`` builds and writes the cases, ``seed_timeline.py`` decides when things happen in them.

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

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from agent_console.admin import demo_content as content
from agent_console.admin.seed_cases import CaseBatches, row_uid
from agent_console.admin.seed_timeline import CHANNEL_WEIGHTS, PRIORITY_WEIGHTS
from agent_console.domain import sla
from agent_console.domain.clock import Clock
from agent_console.domain.recording import audit
from agent_console.i18n import _
from agent_console.store import bulk, imports, seeding
from agent_console.store.db import Store
from agent_console.store.models import (
    Agent,
    CannedResponse,
    Customer,
    HandlingSegment,
    KBArticle,
    Queue,
    QUEUES,
    SlaPolicy,
)

DEFAULT_CUSTOMERS = 300
DEFAULT_CASES = 2000
DEFAULT_KB = 200
DEFAULT_SEED = 42
#: From this many cases on, the big tables' indexes are dropped during the load and rebuilt after it.
BULK_INDEX_REBUILD_FROM = 20000

#: How long seeded agents have been in their state: (least, most) seconds.
STATE_SECONDS = {"available": (20, 1800), "handling": (60, 720), "wrap_up": (10, 100), "break": (60, 900),
                 "offline": (3600, 14 * 3600)}
#: How long after a due time the console's sweeper (every 5 s) records the breach.
SWEEP_LAG = timedelta(seconds=5)

#: Stages reported to ``progress``: name, done, total.
Progress = Callable[[str, int, int], None]


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


class _Seeder(CaseBatches):
    """The seed's state and its reference data, customers, live work and breaches; the cases come from
    ``CaseBatches`` (seed_cases.py), their moments from ``Timeline`` (seed_timeline.py)."""

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
        return bulk.next_id(conn, model.__table__)

    def _insert(self, conn, model, rows: list[dict]) -> None:
        if not rows:
            return
        bulk.insert_rows(conn, model.__table__, rows)
        self.result.counts[model.__tablename__] = self.result.counts.get(model.__tablename__, 0) + len(rows)

    # --- reference data --------------------------------------------------------------------------------------------

    def seed_policies(self, conn) -> None:
        table = SlaPolicy.__table__
        existing = seeding.column_values(conn, table, "channel", "priority")
        self._insert(conn, SlaPolicy, [p for p in default_policies() if (p["channel"], p["priority"]) not in existing])

    def seed_queues(self, conn) -> None:
        """The demo's queues as records; a store that had none also gets records of the queues its cases and agents
        already name, so they stay valid once the store has queues."""
        table = Queue.__table__
        existing = seeding.column_values(conn, table, "name")
        wanted = set(QUEUES)
        if not existing:
            wanted.update(seeding.queues_in_use(conn))
        self._insert(conn, Queue, [{"uid": row_uid(), "name": name, "description": "", "created_at": self.now}
                                   for name in sorted(wanted - existing) if name and name.strip()])

    def load_policies(self, session) -> None:
        policies = imports.sla_policies(session)
        self.policy = {}
        for channel in content_channels():
            for priority in PRIORITY_WEIGHTS:
                self.policy[(channel, priority)] = sla.policy_from(policies, channel, priority)

    def seed_agents(self, conn) -> None:
        table = Agent.__table__
        existing = seeding.column_values(conn, table, "login")
        next_id = self._next_id(conn, Agent)
        rows = []
        states = ["available", "handling", "wrap_up", "break", "available", "handling", "offline"]
        for login, name, role, tier, queues, skills in content.DEMO_AGENTS:
            if login in existing:
                continue
            state = "offline" if login in ("demo", "admin") else self.rng.choice(states)
            rows.append({"id": next_id, "uid": row_uid(), "login": login, "name": name, "role": role, "tier": tier,
                         "queues": queues, "skills": skills, "state": state,
                         "state_since": self.now - timedelta(seconds=self.rng.randint(*STATE_SECONDS[state])),
                         "active": True,
                         "password_hash": None, "created_at": self.now - timedelta(days=400), "version": 1})
            next_id += 1
        self._insert(conn, Agent, rows)
        self.new_agent_ids = {row["id"] for row in rows}
        self.agents = seeding.active_agents(conn)
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
        existing = seeding.column_values(conn, table, "shortcut")
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
            rows.append({"uid": row_uid(), "title": title, "shortcut": shortcut, "category": category,
                         "language": language, "body": body, "usage_count": usage,
                         "created_at": self.now - timedelta(days=200), "updated_at": self.now - timedelta(days=30),
                         "version": 1})
        self._insert(conn, CannedResponse, rows)

    def seed_kb(self, conn, count: int) -> None:
        table = KBArticle.__table__
        seen = seeding.column_values(conn, table, "slug")
        rows = []
        created = self.now - timedelta(days=300)

        def add(slug: str, title: str, body: str, tags: str, language: str) -> None:
            if slug in seen:
                return
            seen.add(slug)
            rows.append({"uid": row_uid(), "slug": slug, "title": title, "body": body, "tags": tags,
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
            rows.append({"id": cid, "uid": row_uid(), "name": f"{first} {last}", "email": email,
                         "phone": phone if rng.random() < 0.85 else None, "language": language,
                         "vip": rng.random() < 0.06,
                         "created_at": self.now - timedelta(days=rng.randint(30, 1500)), "version": 1})
        self._insert(conn, Customer, rows)
        self.customers = rows
        self.streets = pools.streets

    def seed_live_work(self, conn) -> None:
        """Agents the seed put in ``handling`` or ``wrap_up`` are doing it on one of their open cases (a running
        segment since their state began), so the monitor shows what each one works on; without such a case they are
        available instead."""
        segment_id = self._next_id(conn, HandlingSegment)
        rows = []
        for agent in seeding.agents_in_states(conn, ("handling", "wrap_up")):
            if agent.id not in self.new_agent_ids:
                continue
            cases = seeding.agent_work_ids(conn, agent.id, ("open", "escalated"), self.first_case_id)
            if not cases:
                seeding.set_agent_state(conn, agent.id, "available")
                continue
            since = agent.state_since.replace(tzinfo=timezone.utc) if agent.state_since.tzinfo is None \
                else agent.state_since
            rows.append({"id": segment_id, "uid": row_uid(), "case_id": self.rng.choice(cases), "agent_id": agent.id,
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
        late_ids = seeding.late_case_ids(session, self.now, self.first_case_id)
        self.progress("SLA breaches", 0, len(late_ids))
        # The sweeper flushes where its rule reads what it wrote; autoflush before each of its look-ups would
        # double the cost of this loop.
        with session.no_autoflush:
            for start in range(0, len(late_ids), 500):
                chunk = late_ids[start:start + 500]
                cases = seeding.cases_by_ids(session, chunk)
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


def content_channels() -> list[str]:
    return list(CHANNEL_WEIGHTS)


def seed_demo(store: Store, clock: Clock, *, customers: int = DEFAULT_CUSTOMERS, cases: int = DEFAULT_CASES,
              kb: int = DEFAULT_KB, seed: int = DEFAULT_SEED, force: bool = False,
              progress: Progress | None = None) -> SeedResult:
    """Fill the store with demo data in one transaction; see the module docstring for the rules."""
    if min(customers, cases, kb) < 0:
        raise ValueError(_("counts cannot be negative"))
    if cases and not customers:
        raise ValueError(_("cases need customers: --customers must be at least 1"))
    seeder = _Seeder(store, clock, seed, progress)
    pools = _Pools(seed) if customers else None
    with store.transaction() as session:
        conn = session.connection()
        existing = seeding.case_count(conn)
        if existing and not force:
            raise SeedRefused(_("the store already holds {existing:,} cases; pass --force to add the demo data "
                                "beside them (existing agents, policies, canned responses and articles are kept)").format(
                existing=existing))
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
