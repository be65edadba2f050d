"""Full-text search over knowledge-base articles and over resolved cases' outbound replies (SQLite FTS5).

The package's modules: ``normalise`` (folding and stemming), ``functions`` (the SQL functions the index triggers
call, registered on every store connection by ``store/db.py``), ``schema`` (tables and triggers, reindex),
``query`` (user text to FTS5 queries, with the rules of ``stopwords`` and ``synonyms``), ``snippets`` (results and highlights), ``ranking`` (knowledge-base search),
``replies`` (resolved cases' replies), ``case_schema``/``cases`` (the case search on SQLite) and
``case_pg_schema``/``case_pg`` (the case search on the server's PostgreSQL). This module re-exports their public
names.

Design:

* Matching happens on *normalised* text: every word is lower-cased, folded (ä→ae, ö→oe, ü→ue, ß→ss, other accents
  removed) and then stemmed with the Snowball stemmer of the row's language (German or English; other languages are
  only folded). Folding comes first on both sides, so "Straße"/"Strasse" and "Rückgabe"/"Rueckgabe" give the same
  token before the stemmer sees them.
* The FTS5 tables ``kb_fts`` (title, body, tags) and ``reply_fts`` (body) hold that normalised text, one normalised
  token per original word, separated by single spaces. Because the token sequence lines up one-to-one with the words
  of the original text, the positions of matched tokens in the stored normalised text (read by rowid for the top
  hits only; a quoted token matches by equality, ``"x" *`` by prefix, exactly as in FTS5) map straight back onto the
  original words: snippets are cut from the ORIGINAL text (with umlauts, capitals and punctuation) and carry
  highlight spans, without a second index, without re-stemming the hits in Python and without a second MATCH.
* Rows are normalised inside SQLite by the SQL function ``ac_search_norm(text, language)``, registered on every store
  connection (``store/db.py``) and called by triggers on ``kb_articles`` and ``messages``. So the index stays in
  step with any writer — ORM, Core bulk inserts by the seeder or importers, raw SQL — as long as the connection comes
  from :func:`agent_console.store.db.make_engine` (or had :func:`register_functions` called on it).
* Queries never reach the FTS5 query parser as user text: the input is split into words by the same tokenizer,
  every word is normalised and double-quoted, so ``AND``, ``NEAR(``, ``*``, ``"``, ``-``, ``^`` and ``col:`` are just
  words (or nothing). Without a language filter a word matches either its German or its English stem.
* Queries are searched by what they are about: function words and greetings (``stopwords``) are left out unless the
  query has nothing else, and a word also matches its synonyms in its own language (``synonyms``: "money" finds
  "refund"), so a customer's sentence finds the article that answers it.
* Ranking is FTS5's bm25() (title weighs most). For a one-word query matching thousands of articles, only the
  articles that can score high (``kb_fts_boost``) are ranked, with a proof from the BM25 formula that no other
  article can reach the page (see ``_kb_ranked``); the page is the same as ranking every match.
* When nothing matches, unknown words are replaced by their nearest indexed terms (rapidfuzz over the ``fts5vocab``
  terms that share the first letter); failing that, any of the words as written may match (OR), and only then any
  of the corrected ones, still ranked by BM25.
"""

from __future__ import annotations

from agent_console.store.search.normalise import (  # noqa: F401
    fold, normalise, normalise_word, words,
)
from agent_console.store.search.functions import (  # noqa: F401
    BOOST_FUNCTION, BOOST_INDEXED_FUNCTION, FACETS_FUNCTION, KB_WEIGHTS, MAX_SIZE_BUCKET, NORMALISE_FUNCTION,
    SHORT_ARTICLE_TOKENS, SIZE_BUCKET_EDGES, SIZE_BUCKET_GROWTH, STRONG_WEIGHT, boost_tokens,
    boost_tokens_of_indexed, facet_token, facets, register_functions,
)
from agent_console.store.search.schema import (  # noqa: F401
    BOOST_DROP_STATEMENTS, BOOST_SCHEMA_STATEMENTS, DROP_STATEMENTS, ReindexResult, SCHEMA_STATEMENTS, create_schema,
    fill_boost, reindex,
)
from agent_console.store.search.query import (  # noqa: F401
    MAX_QUERY_CHARS, MAX_QUERY_TERMS, QueryTerm, match_expression, parse_query,
)
from agent_console.store.search.snippets import (  # noqa: F401
    ArticleHit, ReplyHit, SNIPPET_WORDS, SearchResult, Snippet, TokenMatcher, make_snippet,
)
from agent_console.store.search.ranking import (  # noqa: F401
    BM25_B, BM25_K1, SHORTCUT_MATCHES_PER_CANDIDATE, SHORTCUT_MAX_WORDS, SHORTCUT_MIN_MATCHES,
    STRONG_LENGTH_FRACTION, search_articles, search_kb,
)
from agent_console.store.search.replies import (  # noqa: F401
    ANSWERED_STATUSES, search_replies, search_replies_detailed,
)
from agent_console.store.search.case_schema import (  # noqa: F401,E402
    CASE_DROP_STATEMENTS, CASE_TRIGGER_STATEMENTS, CASE_WEIGHTS, create_case_schema, fill_case_index,
)
from agent_console.store.search.case_query import (  # noqa: F401,E402
    CaseMatch, CaseQuery, CaseSearchResult, FilterError, parse_case_query,
)
from agent_console.store.search.cases import search_case_index  # noqa: F401,E402
