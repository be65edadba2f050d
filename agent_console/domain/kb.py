"""Knowledge-base articles: create, update, delete, helpful votes, links to cases, and search.

Writes go through here so that each one records an audit event and an outbox op in its transaction; the search index
follows the table by itself (triggers, see ``agent_console.store.search``), whoever writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from agent_console.domain import limits
from agent_console.domain.recording import audit, enqueue
from agent_console.domain.shared_content import team_edit_refusal
from agent_console.domain.service import Service
from agent_console.domain.text import clean_text
from agent_console.i18n import _
from agent_console.store import kb_articles, search
from agent_console.store.models import Case, CaseArticleLink, KBArticle, KBHelpfulVote

LANGUAGES = ("de", "en")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")


class ArticleError(ValueError):
    """A request the rules do not allow; the message is meant for the person asking."""


def normalise_tags(tags: str | Iterable[str]) -> str:
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    seen: dict[str, None] = {}
    for item in items:
        tag = " ".join(clean_text(str(item)).strip().lower().split())
        if tag:
            seen.setdefault(tag, None)
    return ",".join(seen)


def slugify(title: str) -> str:
    folded = search.fold(clean_text(title))
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:200] or "article"


def validate_article(*, slug: str, title: str, body: str, language: str) -> tuple[str, str, str, str]:
    slug = (slug or "").strip().lower()
    if not _SLUG.match(slug):
        raise ArticleError(_("invalid slug {slug}: use lower-case letters, digits, '.', '_' and '-' (max 200)")
                           .format(slug=repr(slug)))
    title = " ".join(clean_text(title).split())
    if not title:
        raise ArticleError(_("an article needs a title"))
    if len(title) > 300:
        raise ArticleError(_("the title is longer than {limit} characters").format(limit=300))
    body = clean_text(body).strip("\n")
    if not body.strip():
        raise ArticleError(_("an article needs a body"))
    language = (language or "").strip().lower()
    if language not in LANGUAGES:
        raise ArticleError(_("unknown language {language}; expected one of: {languages}")
                           .format(language=repr(language), languages=", ".join(LANGUAGES)))
    return slug, title, body, language


def article_payload(article: KBArticle) -> dict:
    return {"uid": article.uid, "slug": article.slug, "title": article.title, "body": article.body,
            "tags": article.tags, "language": article.language, "version": article.version,
            "public": bool(article.public), "queue": article.queue}


def validate_queue(queue: str | None) -> str | None:
    """An article's queue (where a customer's contact after reading it goes): a name as written, or None."""
    if queue is None:
        return None
    queue = " ".join(clean_text(queue).split())
    if len(queue) > limits.QUEUE_MAX:
        raise ArticleError(_("the queue name is longer than {limit} characters").format(limit=limits.QUEUE_MAX))
    return queue or None


@dataclass(frozen=True)
class CaseContext:
    key: str
    language: str | None
    query: str


@dataclass
class KnowledgeBase(Service):

    # --- reading ---------------------------------------------------------------------------------------------------

    def get(self, slug_or_id: str | int) -> KBArticle:
        with self._reading() as session:
            return get_article(session, slug_or_id)

    def search(self, query: str, *, language: str | None = None, tags: Iterable[str] = (), limit: int = 10,
               prefix_last: bool = False) -> search.SearchResult:
        with self._reading() as session:
            return search.search_kb(session, query, language=language, tags=tags, limit=limit,
                                    prefix_last=prefix_last)

    def search_replies(self, query: str, *, language: str | None = None, limit: int = 10,
                       prefix_last: bool = False, for_case_id: int | None = None) -> search.SearchResult:
        """Replies of resolved cases, other customers' data masked (see ``domain/privacy.py``); ``for_case_id`` is
        the case being answered, whose customer's own data stays."""
        from dataclasses import replace

        from agent_console.domain.privacy import mask_reply_hits

        with self._reading() as session:
            result = search.search_replies_detailed(session, query, language=language, limit=limit,
                                                    prefix_last=prefix_last)
            return replace(result, hits=mask_reply_hits(session, result.hits, for_case_id))

    def all_tags(self) -> list[str]:
        with self._reading() as session:
            rows = kb_articles.distinct_tag_lists(session)
        return sorted({t for row in rows for t in (row or "").split(",") if t})

    def case_context(self, case_id: int) -> CaseContext | None:
        """What the knowledge base needs of a case: its key and language, and a search for its subject and the
        customer's last message (``kb_text.case_search_query``)."""
        from agent_console.domain.kb_text import case_search_query

        with self._reading() as session:
            case = session.get(Case, case_id)
            if case is None:
                return None
            last_message = kb_articles.last_customer_message(session, case.id)
            return CaseContext(case.key, case.language, case_search_query(case.subject, last_message))

    def linked_article_ids(self, case_id: int) -> set[int]:
        with self._reading() as session:
            return kb_articles.linked_article_ids(session, case_id)

    # --- writing ---------------------------------------------------------------------------------------------------

    def create(self, *, title: str, body: str, language: str = "en", tags: str | Iterable[str] = "",
               slug: str | None = None, public: bool = False, queue: str | None = None) -> KBArticle:
        """A new article; ``public`` shows it on the help center (``/help``), ``queue`` routes contacts after it."""
        slug, title, body, language = validate_article(slug=slug or slugify(title), title=title, body=body,
                                                       language=language)
        queue = validate_queue(queue)
        now = self.clock.now()
        with self._transaction() as session:
            self._may_edit(session)
            if kb_articles.slug_taken(session, slug):
                raise ArticleError(_("an article with slug {slug} exists already").format(slug=repr(slug)))

            article = KBArticle(slug=slug, title=title, body=body, tags=normalise_tags(tags), language=language,
                                public=public, queue=queue, created_at=now, updated_at=now)
            session.add(article)
            session.flush()
            audit(session, now, self.actor_id, "kb.create", "kb_article", article.id, slug=slug)
            enqueue(session, now, "kb.upsert", article=article_payload(article))
            return article

    def update(self, slug_or_id: str | int, *, title: str | None = None, body: str | None = None,
               language: str | None = None, tags: str | Iterable[str] | None = None, public: bool | None = None,
               queue: str | None = None, clear_queue: bool = False) -> KBArticle:
        """Changes the given fields (None: unchanged; ``clear_queue`` removes the queue)."""
        now = self.clock.now()
        with self._transaction() as session:
            self._may_edit(session)
            article = get_article(session, slug_or_id)
            _slug, new_title, new_body, new_language = validate_article(
                slug=article.slug, title=article.title if title is None else title,
                body=article.body if body is None else body,
                language=article.language if language is None else language)
            changed = []
            new_queue = None if clear_queue else article.queue if queue is None else validate_queue(queue)
            for name, value in (("title", new_title), ("body", new_body), ("language", new_language),
                                ("tags", article.tags if tags is None else normalise_tags(tags)),
                                ("public", article.public if public is None else bool(public)),
                                ("queue", new_queue)):
                if getattr(article, name) != value:
                    setattr(article, name, value)
                    changed.append(name)
            if not changed:
                return article
            article.updated_at = now
            article.version += 1
            session.flush()
            audit(session, now, self.actor_id, "kb.update", "kb_article", article.id, fields=changed)
            enqueue(session, now, "kb.upsert", article=article_payload(article))
            return article

    def delete(self, slug_or_id: str | int) -> None:
        now = self.clock.now()
        with self._transaction() as session:
            self._may_edit(session)
            article = get_article(session, slug_or_id)
            kb_articles.delete_links_and_votes(session, article.id)
            session.flush()
            session.delete(article)
            audit(session, now, self.actor_id, "kb.delete", "kb_article", article.id, slug=article.slug)
            enqueue(session, now, "kb.delete", uid=article.uid)

    def _may_edit(self, session) -> None:
        refusal = team_edit_refusal(session, self.actor, _("KB articles"))
        if refusal:
            raise ArticleError(refusal)

    def mark_helpful(self, slug_or_id: str | int) -> KBArticle:
        """Count the acting agent's vote: one per agent per article (a second vote changes nothing)."""
        now = self.clock.now()
        with self._transaction() as session:
            article = get_article(session, slug_or_id)
            if self.actor_id is not None:
                if session.get(KBHelpfulVote, (article.id, self.actor_id)) is not None:
                    return article
                session.add(KBHelpfulVote(article_id=article.id, agent_id=self.actor_id, created_at=now))
            article.helpful_votes += 1
            session.flush()
            audit(session, now, self.actor_id, "kb.helpful", "kb_article", article.id, votes=article.helpful_votes)
            enqueue(session, now, "kb.helpful", uid=article.uid)
            return article

    def link_to_case(self, slug_or_id: str | int, case_id: int) -> bool:
        """Link the article to the case; False when it was linked already."""
        now = self.clock.now()
        with self._transaction() as session:
            article = get_article(session, slug_or_id)
            case = session.get(Case, case_id)
            if case is None:
                raise ArticleError(_("no case with id {id}").format(id=case_id))
            if kb_articles.is_linked(session, case.id, article.id):
                return False
            link = CaseArticleLink(case_id=case.id, article_id=article.id, agent_id=self.actor_id, created_at=now)
            session.add(link)
            session.flush()
            audit(session, now, self.actor_id, "kb.link", "case", case.id, article=article.slug)
            enqueue(session, now, "kb.link", uid=link.uid, case_uid=case.uid, article_uid=article.uid)
            return True


def get_article(session, slug_or_id: str | int) -> KBArticle:
    if isinstance(slug_or_id, int):
        article = session.get(KBArticle, slug_or_id)
    else:
        article = kb_articles.article_by_slug(session, slug_or_id.strip().lower())
    if article is None:
        raise ArticleError(_("no article {article}").format(article=repr(slug_or_id)))

    return article

