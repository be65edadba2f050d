"""The public help center's records: a visitor's answer to "Did this solve your problem?" on an article.

A "yes" is a self-service resolution; a "no" sends the visitor on to the contact form. ``visit`` is the random id of
the visitor's browser session (a cookie of the help center), so the contact form, the self-service figures and the
deflection rate can tie a visit's answers, the articles read and a form sent together without knowing who it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from agent_console.store.model_values import BigKey, _ts, _ts_required, new_uid


class HelpFeedback(SQLModel, table=True):
    __tablename__ = "help_feedback"
    __table_args__ = (
        # The self-service figures count answers per day; the contact form looks up a visit's answers.
        Index("ix_help_feedback_created", "created_at", "solved"),
        Index("ix_help_feedback_visit", "visit"),
    )

    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    #: None once the article was deleted: the answer still counts in the self-service figures of its day.
    article_id: int | None = Field(default=None, foreign_key="kb_articles.id", index=True)
    #: True: the article solved the visitor's problem (a self-service resolution); False: it did not.
    solved: bool
    #: The help center's language when the visitor answered (de, en).
    language: str = Field(default="en", max_length=8)
    visit: str = Field(default="", max_length=64)
    created_at: datetime = _ts_required()


class SurveyToken(SQLModel, table=True):
    """A survey link handed to a customer (in a reply mail, or read out on the phone): only the SHA-256 of its token
    is kept, so the table alone opens no survey. Server-side only: never part of the change feed."""

    __tablename__ = "survey_tokens"

    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    #: Hex SHA-256 of the token in the link.
    token_hash: str = Field(max_length=64, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, index=True)
    created_at: datetime = _ts_required()
    expires_at: datetime = _ts_required()
    #: When the customer answered with it (a link works once); None while unused.
    used_at: datetime | None = _ts()
class HelpContact(SQLModel, table=True):
    """A contact form sent from the help center: the web-channel case it made, and the visit it came from (the
    deflection rate sets the visits that ended in "yes" against these; the rate limit counts them per address)."""

    __tablename__ = "help_contacts"
    __table_args__ = (
        Index("ix_help_contacts_created", "created_at"),
        Index("ix_help_contacts_sender_created", "sender", "created_at"),
    )

    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True)
    case_id: int = Field(foreign_key="cases.id", sa_type=BigKey, index=True)
    #: The sender's e-mail address in lower case (the customer's contact; the rate limit per address counts it).
    sender: str = Field(max_length=320)
    visit: str = Field(default="", max_length=64)
    language: str = Field(default="en", max_length=8)
    created_at: datetime = _ts_required()


class HelpSearch(SQLModel, table=True):
    """A search on the help center: the query as normalised (lower case, spaces folded), how many public articles it
    found, the visit. Nothing about the visitor: the top searches without results say what the knowledge base
    is missing."""

    __tablename__ = "help_searches"
    __table_args__ = (Index("ix_help_searches_created", "created_at", "hits"),)

    id: int | None = Field(default=None, sa_type=BigKey, primary_key=True)
    query: str = Field(max_length=200)
    hits: int = Field(default=0)
    language: str = Field(default="en", max_length=8)
    visit: str = Field(default="", max_length=64)
    created_at: datetime = _ts_required()
