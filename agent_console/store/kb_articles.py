"""The queries of the knowledge base's articles, links to cases and helpful votes (the rules are in domain/kb.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from agent_console.store.models import CaseArticleLink, HelpFeedback, KBArticle, KBHelpfulVote, Message


def article_by_slug(session, slug: str) -> KBArticle | None:
    return session.scalar(select(KBArticle).where(KBArticle.slug == slug))


def slug_taken(session, slug: str) -> bool:
    return session.scalar(select(KBArticle.id).where(KBArticle.slug == slug)) is not None


def distinct_tag_lists(session) -> list[str | None]:
    """Every article's comma-separated tags, each distinct list once."""
    return list(session.scalars(select(KBArticle.tags).distinct()))


def linked_article_ids(session, case_id: int) -> set[int]:
    return set(session.scalars(select(CaseArticleLink.article_id).where(CaseArticleLink.case_id == case_id)))


def is_linked(session, case_id: int, article_id: int) -> bool:
    return session.scalar(select(CaseArticleLink.id).where(CaseArticleLink.case_id == case_id,
                                                           CaseArticleLink.article_id == article_id)) is not None


def delete_links_and_votes(session, article_id: int) -> None:
    """Remove the article's links to cases and its helpful votes, and detach the help center's answers about it (they
    stay, without an article: past days' self-service figures do not change) — before the article itself goes."""
    for link in session.scalars(select(CaseArticleLink).where(CaseArticleLink.article_id == article_id)):
        session.delete(link)
    for vote in session.scalars(select(KBHelpfulVote).where(KBHelpfulVote.article_id == article_id)):
        session.delete(vote)
    for answer in session.scalars(select(HelpFeedback).where(HelpFeedback.article_id == article_id)):
        answer.article_id = None


def last_customer_message(session, case_id: int) -> str | None:
    """The body of the customer's newest message in the case (inbound, not internal), or None."""
    return session.scalar(
        select(Message.body).where(Message.case_id == case_id, Message.direction == "in",
                                   Message.is_internal.is_(False))
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))


def public_articles(session, language: str | None = None) -> list[KBArticle]:
    """The articles of the public help center (``public``), by title; only those in ``language`` when given."""
    query = select(KBArticle).where(KBArticle.public.is_(True)).order_by(KBArticle.title, KBArticle.id)
    if language:
        query = query.where(KBArticle.language == language)
    return list(session.scalars(query))


def public_article_by_slug(session, slug: str) -> KBArticle | None:
    """The public article ``slug``; None for an internal one, exactly as for one that does not exist."""
    return session.scalar(select(KBArticle).where(KBArticle.slug == slug, KBArticle.public.is_(True)))


STAMP = select(func.count(KBArticle.id), func.max(KBArticle.id), func.sum(KBArticle.version),
                func.max(KBArticle.updated_at))


def articles_stamp(session) -> tuple:
    """What changes whenever any article is added, edited, published, made internal or deleted (every write path
    bumps ``version`` or ``updated_at``): the key under which rendered help-center parts stay valid."""
    return tuple(session.execute(STAMP).one())


def public_article_head(session, slug: str) -> tuple | None:
    """(id, title, version, updated_at) of the public article ``slug`` without its body; None when internal or
    missing."""
    row = session.execute(select(KBArticle.id, KBArticle.title, KBArticle.version, KBArticle.updated_at)
                          .where(KBArticle.slug == slug, KBArticle.public.is_(True))).first()
    return None if row is None else tuple(row)


def article_body(session, article_id: int) -> str | None:
    return session.scalar(select(KBArticle.body).where(KBArticle.id == article_id))
