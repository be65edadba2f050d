"""The payloads of the case ops a change appends to the outbox (shared with the sync client and the server): cases,
customers and messages refer to each other by uid, never by local id."""

from __future__ import annotations

from agent_console.store.models import Case, Customer, Message


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
