"""Canned responses: validation by field, CRUD with audit and outbox, usage counts, fuzzy ranking, shortcuts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agent_console.domain.canned import (
    CannedError,
    CannedInput,
    CannedResponses,
    rank_canned,
    validate_canned,
)
from agent_console.store.models import AuditEvent, CannedResponse, OutboxOp


@pytest.fixture
def service(store, clock, agents):
    return CannedResponses(store, clock, agents["anna"])


@pytest.mark.parametrize("field, kwargs, message", [
    ("title", {"title": "  "}, "needs a title"),
    ("shortcut", {"shortcut": "has space"}, "invalid shortcut"),
    ("shortcut", {"shortcut": ""}, "invalid shortcut"),
    ("body", {"body": "\n \n"}, "needs a body"),
    ("language", {"language": "fr"}, "unknown language 'fr'"),
    ("category", {"category": "x" * 65}, "longer than 64"),
])
def test_validation_names_the_field(field, kwargs, message):
    values = {"title": "T", "shortcut": "t", "body": "B", "category": "", "language": "en", **kwargs}
    with pytest.raises(CannedError, match=message) as info:
        validate_canned(**values)
    assert info.value.field == field


def test_validation_cleans_input():
    data = validate_canned(title=" Re\x1b[31mfund ", shortcut=";Refund", body="Hi\x07\n", category=" Billing ",
                           language="EN")
    assert data == CannedInput(title="Refund", shortcut="refund", body="Hi", category="billing", language="en")


def test_create_update_delete_record_audit_and_outbox(store, service):
    created = service.create(title="Refund", shortcut="refund", body="Hi", category="billing", language="en")
    service.update("refund", title="Refund on its way", body="Hello")
    with pytest.raises(CannedError, match="taken already"):
        service.create(title="Other", shortcut="refund", body="x")
    service.create(title="Other", shortcut="other", body="x")
    with pytest.raises(CannedError, match="taken already"):
        service.update("other", shortcut="refund")
    service.delete("refund")
    with store.session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("canned.%"))
                                  .order_by(AuditEvent.id)).all()
        kinds = session.scalars(select(OutboxOp.kind).where(OutboxOp.kind.like("canned.%"))
                                .order_by(OutboxOp.id)).all()
        assert session.get(CannedResponse, created.id) is None
    assert actions == ["canned.create", "canned.update", "canned.create", "canned.delete"]
    assert kinds == ["canned.upsert", "canned.upsert", "canned.upsert", "canned.delete"]


def test_upsert_inside_an_importers_transaction(store, service):
    with pytest.raises(RuntimeError):
        with store.transaction() as session:
            service.upsert(CannedInput(title="A", shortcut="a", body="x"), session)
            raise RuntimeError("a later row was bad")
    assert service.all() == []
    with store.transaction() as session:
        _, created = service.upsert(CannedInput(title="A", shortcut="a", body="x"), session)
        _, created_again = service.upsert(CannedInput(title="A2", shortcut="a", body="x"), session)
    assert (created, created_again) == (True, False)
    assert service.get("a").title == "A2"


def test_usage_counts(service):
    response = service.create(title="A", shortcut="a", body="x")
    for _ in range(3):
        service.record_use(response.id)
    assert service.get("a").usage_count == 3


def test_ranking_language_first_then_match_then_usage(service):
    service.create(title="Refund on its way", shortcut="refund", body="Your refund is on its way.", language="en")
    service.create(title="Erstattung unterwegs", shortcut="erstattung", body="Ihre Erstattung (refund) kommt.",
                   language="de", category="billing")
    service.create(title="Greeting", shortcut="hi", body="Hello!", language="en")
    busy = service.create(title="Hallo", shortcut="hallo", body="Hallo!", language="de")
    for _ in range(5):
        service.record_use(busy.id)
    everything = service.all()
    titles = [m.response.title for m in rank_canned(everything, "", language="de")]
    assert titles == ["Hallo", "Erstattung unterwegs", "Greeting", "Refund on its way"]
    assert [m.response.title for m in rank_canned(everything, "refund", language="en")][0] == "Refund on its way"
    assert [m.response.title for m in rank_canned(everything, ";hi")][0] == "Greeting"
    assert [m.response.title for m in rank_canned(everything, "erstatung")][0] == "Erstattung unterwegs"  # typo
    assert [m.response.title for m in rank_canned(everything, "", category="billing")] == ["Erstattung unterwegs"]
    assert rank_canned(everything, "zzzzqqq") == []
    assert service.by_shortcut(";HI").title == "Greeting"
    assert service.by_shortcut("nope") is None
