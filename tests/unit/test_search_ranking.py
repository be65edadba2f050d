"""The ranking shortcut (rank the boosted candidates, prove nobody else can reach the page) gives exactly FTS5's
plain BM25 order, and kb_fts_boost follows the articles through every kind of write."""

from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import insert, text

from agent_console.store import search
from agent_console.store.models import KBArticle

DE = ("Rechnung Rücksendung Lieferung Paket Gutschein Kündigung Störung Router Vertrag Zahlung Mahnung Straße "
      "Erstattung Abholung Techniker Termin Konto Passwort").split()
EN = ("invoice refund delivery parcel voucher cancellation outage router contract payment reminder street "
      "installation pickup technician appointment account password").split()
FILLER = {"de": "der die das und zu für Ihre mit ist auf wir Sie".split(),
          "en": "the a to and of for your with is on we you".split()}


def _zipf_words(rng: random.Random, domain: list[str], count: int) -> list[str]:
    made_up = ["".join(rng.choice("ka ri to mu sel ber lan fen gor tis".split()) for _ in range(3)) for _ in range(300)]
    vocab = made_up[:10] + domain + made_up[10:]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    return rng.choices(vocab, weights, k=count)


def _corpus(n: int, seed: int = 3) -> list[dict]:
    """Long and short articles, words in titles and tags, repeated and single mentions: every way to score."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        language = "de" if i % 2 else "en"
        domain = DE if language == "de" else EN
        length = rng.choice((8, 30, 60, 120, 160, 200, 260, 400))
        words = _zipf_words(rng, domain, length // 2) + rng.choices(FILLER[language], k=length // 2)
        rng.shuffle(words)
        title = " ".join(rng.sample(domain, 2))
        rows.append({"uid": f"u-{i}", "slug": f"a-{i}", "title": title, "body": " ".join(words),
                     "tags": rng.choice(("billing", "delivery", "technical,router", "account", "")),
                     "language": language, "helpful_votes": 0, "version": 1})
    return rows


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    from agent_console.store.db import open_store

    store = open_store(tmp_path_factory.mktemp("ranking") / "kb.db")
    with store.transaction() as session:
        session.execute(insert(KBArticle), _corpus(3000))
    yield store
    store.dispose()


def _plain_bm25(raw, match: str, limit: int) -> list[tuple[int, float]]:
    return raw.execute("SELECT rowid, bm25(kb_fts, {}, {}, {}, {}) AS score FROM kb_fts WHERE kb_fts MATCH ? "
                       "ORDER BY score, rowid LIMIT ?".format(*search.KB_WEIGHTS), (match, limit)).fetchall()


def _queries() -> list[str]:
    rng = random.Random(7)
    queries = list(DE + EN) + ["Installation", "Rechnungen", "router Störung", "the", "der Rechnung", "a the of"]
    for _ in range(80):
        queries.append(" ".join(rng.sample(DE if rng.random() < 0.5 else EN, rng.choice((2, 2, 3)))))
    return queries


@pytest.fixture
def shortcut_outcomes(monkeypatch):
    """Which way each ranking went: 'shortcut' (candidates proved the page) or 'full' (every match ranked).

    The shortcut is tried for every query here, not only where it is expected to pay, so that its results are
    compared on small and large result sets alike.
    """
    monkeypatch.setattr(search.ranking, "SHORTCUT_MAX_WORDS", 10)
    monkeypatch.setattr(search.ranking, "SHORTCUT_MIN_MATCHES", 0)
    monkeypatch.setattr(search.ranking, "SHORTCUT_MATCHES_PER_CANDIDATE", 0)
    outcomes: list[str] = []
    real = search.ranking._kb_ranked_candidates

    def recording(*args):
        ranked = real(*args)
        outcomes.append("full" if ranked is None else "shortcut")
        return ranked

    def recording_tier(raw, match, boosted, pairs, limit, bound):
        ranked = real_tier(raw, match, boosted, pairs, limit, bound)
        tier = "strong" if '"x_' in boosted else "plain"
        outcomes.append(f"{tier} {'proved' if ranked is not None else 'failed'}")
        return ranked

    real_tier = search.ranking._rank_candidates
    monkeypatch.setattr(search.ranking, "_kb_ranked_candidates", recording)
    monkeypatch.setattr(search.ranking, "_rank_candidates", recording_tier)
    return outcomes


@pytest.mark.parametrize("language, limit", [(None, 10), ("de", 10), ("en", 3), (None, 50)])
def test_shortcut_ranks_exactly_like_plain_bm25(big_store, shortcut_outcomes, language, limit):
    with big_store.session() as session:
        raw = search.functions._dbapi(session)
        for query in _queries():
            terms = search.parse_query(query, language)
            filters = f' AND facets : "{search.facet_token("lang", language)}"' if language else ""
            match = "(" + search.match_expression(terms) + ")" + filters
            expected = _plain_bm25(raw, match, limit)
            result = search.search_kb(session, query, language=language, limit=limit)
            if result.mode != "exact":  # nothing has every word: the typo and any-word fallbacks take over
                assert expected == [], query
                continue
            assert [(h.id, pytest.approx(-h.score, rel=1e-12)) for h in result.hits] == expected, query
    # The shortcut must actually have been taken, or this test would compare the plain ranking with itself.
    assert shortcut_outcomes.count("shortcut") >= len(_queries()) // 3, shortcut_outcomes
    if limit <= 10:  # both kinds of candidates proved pages (the strong ones on one-word queries)
        assert shortcut_outcomes.count("strong proved") >= 5, shortcut_outcomes
        assert shortcut_outcomes.count("plain proved") >= 5, shortcut_outcomes


def test_shortcut_falls_back_when_candidates_cannot_fill_the_page(big_store, shortcut_outcomes):
    with big_store.session() as session:
        raw = search.functions._dbapi(session)
        hits = search.search_articles(session, "the", limit=200)
        match = "(" + search.match_expression(search.parse_query("the")) + ")"
        assert [h.id for h in hits] == [rowid for rowid, _ in _plain_bm25(raw, match, 200)]
        assert len(hits) == 200


def test_tag_filter_with_the_shortcut(big_store):
    with big_store.session() as session:
        raw = search.functions._dbapi(session)
        hits = search.search_articles(session, "router", tags=["technical"], limit=10)
        match = "(" + search.match_expression(search.parse_query("router")) + ') AND facets : "tag_technical"'
        assert [h.id for h in hits] == [rowid for rowid, _ in _plain_bm25(raw, match, 10)]
        assert hits and all("technical" in h.tags for h in hits)


def _boost_rows(store) -> dict[int, str]:
    with store.session() as session:
        return dict(session.execute(text("SELECT rowid, tokens FROM kb_fts_boost")).all())


def _expected_boost(store) -> dict[int, str]:
    with store.session() as session:
        rows = session.execute(text("SELECT id, title, body, tags, language FROM kb_articles")).all()
    return {row[0]: search.boost_tokens(*row[1:]) for row in rows}


def test_boost_tokens_choose_title_tags_repeats_and_short_articles():
    def stem(word):
        return search.normalise_word(word, "de")

    long_body = " ".join(["Paket"] * 2 + ["Rechnung", "Gutschein"] + [f"wort{i}" for i in range(120)])
    size = 2 + 124 + 1 + 2  # title, body, tags, facets (language and one tag)
    bucket = f"d{search.functions._size_bucket(size)}_"
    assert search.functions._size_bucket(size) == 1
    # Title and tag words and "Paket" (twice in the body), by length bucket; "Gutschein" (title and body) is strong;
    # "Rechnung" (once in a long body) is not there at all.
    assert set(search.boost_tokens("Gutschein einlösen", long_body, "zahlung", "de").split()) == {
        stem("Gutschein"), stem("einlösen"), stem("zahlung"), stem("Paket"),
        "x_" + stem("Gutschein"), bucket + stem("einlösen"), bucket + stem("zahlung"), bucket + stem("Paket")}
    # A short article: every word, and every word strong.
    words = {stem("Kurz"), stem("Rechnung"), stem("einmal")}
    assert set(search.boost_tokens("Kurz", "Rechnung einmal", "", "de").split()) == words | {"x_" + w for w in words}


def test_size_buckets_start_at_their_edges():
    edges = search.SIZE_BUCKET_EDGES
    assert search.functions._size_bucket(search.SHORT_ARTICLE_TOKENS) == 0
    for bucket in range(1, 12):
        assert search.functions._size_bucket(int(edges[bucket]) + 1) == bucket
        assert search.functions._size_bucket(math.ceil(edges[bucket]) - 1) == bucket - 1
    assert search.functions._size_bucket(10 ** 12) == search.MAX_SIZE_BUCKET


def test_boost_index_follows_inserts_updates_deletes_and_reindex(store, clock):
    from agent_console.domain.kb import KnowledgeBase

    kb = KnowledgeBase(store, clock)
    kb.create(slug="a", title="Router neu starten", body="Router vom Strom trennen. " * 30, language="de",
              tags="technik")
    kb.create(slug="b", title="Refund", body="Money back.", language="en")
    assert _boost_rows(store) == _expected_boost(store)
    kb.update("a", title="Modem neu starten")
    with store.transaction() as session:
        session.execute(text("UPDATE kb_articles SET tags = 'billing,refund' WHERE slug = 'b'"))
    assert _boost_rows(store) == _expected_boost(store)
    assert search.normalise_word("Modem", "de") in _boost_rows(store)[kb.get("a").id].split()
    kb.delete("b")
    assert _boost_rows(store) == _expected_boost(store)
    with store.transaction() as session:
        session.execute(text("DELETE FROM kb_fts_boost"))
        search.reindex(session)
    assert _boost_rows(store) == _expected_boost(store) != {}


def test_token_positions_match_a_token_by_token_comparison():
    rng = random.Random(5)
    vocabulary = ["a", "ab", "abc", "b", "rechnung", "rech", "x"]
    for _ in range(2000):
        tokens = [rng.choice(vocabulary) for _ in range(rng.randint(1, 15))]
        wanted = frozenset(rng.sample(vocabulary, rng.randint(0, 3)))
        prefixes = tuple(rng.sample(vocabulary, rng.randint(0, 2)))
        expected = {i for i, token in enumerate(tokens) if token in wanted or (prefixes and token.startswith(prefixes))}
        assert search.TokenMatcher(wanted, prefixes).positions(" ".join(tokens)) == expected


def test_default_thresholds_take_the_shortcut_for_a_common_word(tmp_path, monkeypatch):
    """Where it pays (one word in thousands of articles, in few titles) the shortcut is what runs by default."""
    from agent_console.store.db import open_store

    store = open_store(tmp_path / "kb.db")
    rows = [{"uid": f"u-{i}", "slug": f"a-{i}", "title": "Rechnung" if i % 10 == 0 else f"Thema {i}",
             "body": f"Die Rechnung {i} kommt per Post. " + "Text ohne Bezug. " * 40, "tags": "", "language": "de",
             "helpful_votes": 0, "version": 1} for i in range(1500)]
    try:
        with store.transaction() as session:
            session.execute(insert(KBArticle), rows)
        outcomes: list[bool] = []
        real = search.ranking._kb_ranked_candidates
        monkeypatch.setattr(search.ranking, "_kb_ranked_candidates", lambda *a: outcomes.append(real(*a) is not None))
        with store.session() as session:
            search.search_articles(session, "Rechnung")
        assert outcomes == [True]
    finally:
        store.dispose()


def test_without_the_boost_index_every_match_is_ranked(tmp_path):
    from agent_console.store.db import open_store

    store = open_store(tmp_path / "kb.db")
    try:
        with store.transaction() as session:
            session.execute(insert(KBArticle), _corpus(300))
        expected = [h.id for h in _search_all(store, "Rechnung")]
        with store.transaction() as session:
            for statement in search.BOOST_DROP_STATEMENTS:
                session.execute(text(statement))
        assert [h.id for h in _search_all(store, "Rechnung")] == expected != []
    finally:
        store.dispose()


def _search_all(store, query):
    with store.session() as session:
        return search.search_articles(session, query, limit=20)


def test_migration_0008_builds_the_boost_index_of_existing_articles_and_downgrades(tmp_path):
    import sqlite3

    from alembic import command

    from agent_console.store.db import alembic_config, open_store, sqlite_url, upgrade

    path = tmp_path / "old.db"
    url = sqlite_url(path)
    upgrade(url, "0007")
    raw = sqlite3.connect(path)
    search.register_functions(raw)  # the 0004 triggers fill kb_fts as the rows go in
    with raw:
        for row in _corpus(40):
            raw.execute("INSERT INTO kb_articles (uid, slug, title, body, tags, language, helpful_votes, version) "
                        "VALUES (:uid, :slug, :title, :body, :tags, :language, 0, 1)", row)
    raw.close()
    store = open_store(path)  # upgrades to head
    try:
        assert len(_boost_rows(store)) == 40
        assert _boost_rows(store) == _expected_boost(store)
    finally:
        store.dispose()
    command.downgrade(alembic_config(url), "0007")
    raw = sqlite3.connect(path)
    try:
        names = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
        assert "kb_fts" in names and "kb_articles_search_insert" in names
        assert not {name for name in names if "boost" in name}
    finally:
        raw.close()


def test_snippet_windows_from_either_end_show_the_matched_words():
    rng = random.Random(11)
    pieces = ["Rücksendung", "refund,", "(see", "3D-Drucker", "–", "naïve", "x²", "Straße", "é", "½", "\n", "  "]
    for _ in range(1500):
        # Numbered so that a run of words appears once: the window shown can be told from the text.
        text = " ".join(rng.choice(pieces).replace("e", f"e{i}") for i in range(rng.randint(1, 120)))
        words = search.words(text)
        positions = {rng.randrange(len(words)) for _ in range(rng.randint(1, 4))} if words else set()
        width = rng.choice((5, 28))
        snippet = search.make_snippet(text, positions, width, word_count=len(words))
        shown = search.words(snippet.text)
        first = next(i for i in range(len(words) - len(shown) + 1) if words[i:i + len(shown)] == shown)
        assert len(shown) == min(width, len(words))
        assert snippet.highlighted() == [words[p] for p in sorted(positions) if first <= p < first + len(shown)]
        assert snippet == search.make_snippet(text, positions, width)
