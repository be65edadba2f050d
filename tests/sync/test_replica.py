"""Applying feed changes to a console's store (no server needed): idempotent, references by uid/login, provisional
keys step aside, deletions; and the token file's permissions."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select

from agent_console.store.models import Agent, Case, KBArticle, Message
from agent_console.sync import credentials
from agent_console.store.replica_db import provisional_key
from agent_console.sync.replica import apply_changes

AGENT = {"uid": "a-1", "login": "zoe", "name": "Zoe", "role": "agent", "tier": 1, "queues": "", "skills": "",
         "state": "available", "state_since": "2026-11-23T08:00:00+00:00", "active": True,
         "created_at": "2026-11-23T08:00:00+00:00", "version": 3}
CUSTOMER = {"uid": "cu-1", "name": "Carla", "email": "carla@example.com", "phone": None, "language": "en",
            "vip": False, "created_at": "2026-11-23T08:00:00+00:00", "version": 1}


def case_data(uid="c-1", key="AC-000001", **changes):
    data = {"uid": uid, "key": key, "external_id": None, "subject": "Parcel lost", "customer_uid": "cu-1",
            "channel": "email", "queue": "General", "priority": "normal", "status": "open", "is_open": True,
            "tier": 1, "assignee_login": "zoe", "language": "en", "tags": "", "contact_count": 1,
            "created_at": "2026-11-23T08:00:00+00:00", "updated_at": "2026-11-23T08:05:00.250000+00:00",
            "first_response_at": None, "last_inbound_at": "2026-11-23T08:00:00+00:00", "resolved_at": None,
            "closed_at": None, "reopened_count": 0, "last_reopened_at": None, "first_response_due": None,
            "next_update_due": None, "resolution_due": None, "sla_due_at": "2026-11-23T12:00:00+00:00",
            "sla_paused_at": None, "sla_paused_seconds": 0.0, "sla_breached": False, "escalation_level": 0,
            "wrap_up_code": None, "version": 2}
    data.update(changes)
    return data


def message_data(uid="m-1", case_uid="c-1", body="Where is my parcel?"):
    return {"uid": uid, "case_uid": case_uid, "direction": "in", "channel": "email", "author_login": None,
            "author_name": "Carla", "body": body, "is_internal": False, "created_at": "2026-11-23T08:00:00+00:00"}


def changes(*items):
    return [{"seq": i + 1, "entity": entity, "uid": data.get("uid"), "at": "2026-11-23T08:00:00+00:00",
             "data": data} for i, (entity, data) in enumerate(items)]


def dump(store):
    with store.session() as session:
        return ([(c.uid, c.key, c.status, c.version, c.assignee_id, c.updated_at) for c in session.scalars(select(Case))],
                [(m.uid, m.case_id, m.body) for m in session.scalars(select(Message))])


def test_a_page_applies_once_however_often_it_arrives(store):
    page = changes(("agent", AGENT), ("customer", CUSTOMER), ("case", case_data()), ("message", message_data()))
    with store.transaction() as session:
        report = apply_changes(session, page)
    assert report.case_uids == {"c-1"} and report.orphans == []
    first = dump(store)
    with store.transaction() as session:
        apply_changes(session, page)
    assert dump(store) == first
    with store.session() as session:
        case = session.scalars(select(Case)).one()
        zoe = session.scalars(select(Agent).where(Agent.login == "zoe")).one()
        assert case.assignee_id == zoe.id
        assert case.updated_at.isoformat() == "2026-11-23T08:05:00.250000+00:00"
        assert case.sla_due_at.isoformat() == "2026-11-23T12:00:00+00:00"


def test_the_newest_state_wins_and_rows_without_their_case_are_skipped(store):
    page = changes(("agent", AGENT), ("customer", CUSTOMER), ("case", case_data(status="open", version=2)),
                   ("case", case_data(status="pending", version=3)),
                   ("message", message_data(uid="m-2", case_uid="not-here")))
    with store.transaction() as session:
        report = apply_changes(session, page)
    assert report.orphans == [("message", "m-2")]
    [(_uid, _key, status, version, _assignee, _updated)], messages = dump(store)
    assert (status, version, messages) == ("pending", 3, [])


def test_a_provisional_local_key_steps_aside_for_the_servers(store, agents, clock):
    from agent_console.domain.cases import CaseService

    local = CaseService(store, clock, agents["anna"]).create_case(
        customer="olga@example.com", channel="chat", queue="General", subject="Made offline", body="Hi")
    taken = local.key
    page = changes(("agent", AGENT), ("customer", CUSTOMER), ("case", case_data(key=taken)))
    with store.transaction() as session:
        apply_changes(session, page)
    with store.session() as session:
        keys = dict(session.execute(select(Case.uid, Case.key)).all())
    assert keys == {"c-1": taken, local.uid: provisional_key(local.uid)}


def test_a_deleted_article_leaves_the_store(store):
    article = {"uid": "kb-1", "slug": "returns", "title": "Returns", "body": "Send it back within 30 days.",
               "tags": "", "language": "en", "helpful_votes": 0, "created_at": None, "updated_at": None,
               "version": 1, "public": False, "queue": None}
    with store.transaction() as session:
        apply_changes(session, changes(("kb_article", article)))
    with store.transaction() as session:
        apply_changes(session, changes(("kb_article", {"uid": "kb-1", "deleted": True})))
    with store.session() as session:
        assert session.scalars(select(KBArticle)).all() == []


def test_a_policy_the_server_removed_leaves_the_store(store):
    """`server sla remove`: the console's cases follow the channel's default again, as the team's do."""
    from agent_console.store.models import SlaPolicy

    def policy(uid, priority, first_s):
        return {"uid": uid, "channel": "email", "priority": priority, "first_response_s": first_s,
                "next_update_s": None, "resolution_s": 86400, "at_risk_fraction": 0.8, "business_hours": "",
                "service_level_goal": 0.8, "auto_escalate": True, "version": 1}

    with store.transaction() as session:
        apply_changes(session, changes(("sla_policy", policy("p-1", None, 3600)),
                                       ("sla_policy", policy("p-2", "urgent", 900))))
    with store.transaction() as session:
        apply_changes(session, changes(("sla_policy", {"uid": "p-2", "deleted": True})))
    with store.session() as session:
        assert [(p.uid, p.priority) for p in session.scalars(select(SlaPolicy))] == [("p-1", None)]


def test_the_token_file_is_private_even_with_an_open_umask(store_path):
    previous = os.umask(0)
    try:
        path = credentials.save(store_path, credentials.Credentials(server="http://127.0.0.1:1", login="zoe",
                                                                    token="secret"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.load(store_path).token == "secret"
    os.chmod(path, 0o644)
    with pytest.raises(credentials.CredentialsError, match="readable by others"):
        credentials.load(store_path)
    assert credentials.delete(store_path) and credentials.load(store_path) is None
