"""The queries of SLA policies as the admin commands manage them (the rules are in domain/sla_policies.py; the
fallback from a priority to the channel's default is store/policy_lookup.py)."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.store.models import SlaPolicy


def all_policies(session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy)))


def policy_keys(session) -> set[tuple[str, str | None]]:
    """(channel, priority) of every policy in the store."""
    return {(channel, priority) for channel, priority in session.execute(select(SlaPolicy.channel,
                                                                                SlaPolicy.priority))}


def exact_policy(session, channel: str, priority: str | None) -> SlaPolicy | None:
    """The policy of exactly this channel and priority (None: the channel's default), without any fallback."""
    query = select(SlaPolicy).where(SlaPolicy.channel == channel)
    query = query.where(SlaPolicy.priority.is_(None) if priority is None else SlaPolicy.priority == priority)
    return session.scalars(query).first()


def has_policies(session) -> bool:
    return session.scalars(select(SlaPolicy.id).limit(1)).first() is not None
