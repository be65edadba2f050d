"""Knowledge-base search: 50,000 articles of ~200 words; index build and query latency with stemming and folding on.

Baselines in the same run on the same data: a plain ``LIKE '%word%'`` scan and a pure-Python BM25 (rank_bm25).
"""

from __future__ import annotations

import random
import time

from bench.core import BenchContext, Result, benchmark, summarise

EN_WORDS = (
    "refund invoice delivery parcel tracking order payment card account password login router modem contract "
    "cancellation warranty repair replacement return shipping address customer service opening hours store "
    "discount voucher subscription upgrade downgrade installation technician appointment outage network signal "
    "charger battery screen display update software app bill charge fee credit debit transfer bank complaint "
    "manager callback email phone chat message delay damaged missing wrong size colour exchange policy days "
    "weeks label courier pickup station locker receipt tax VAT statement reminder dunning overdue balance"
).split()
DE_WORDS = (
    "Rücksendung Rückgabe Rechnung Lieferung Paket Sendungsverfolgung Bestellung Zahlung Karte Konto Passwort "
    "Anmeldung Router Vertrag Kündigung Garantie Reparatur Ersatz Versand Adresse Kundenservice Öffnungszeiten "
    "Filiale Rabatt Gutschein Abonnement Installation Techniker Termin Störung Netz Empfang Ladegerät Akku "
    "Bildschirm Aktualisierung Software Gebühr Gutschrift Lastschrift Überweisung Bank Beschwerde Rückruf "
    "Verspätung beschädigt fehlend falsche Größe Farbe Umtausch Frist Tage Wochen Etikett Kurier Abholung "
    "Packstation Quittung Steuer Mahnung Straße Erstattung Rücksendungen Lieferungen Rechnungen"
).split()
FILLER_EN = "the a to and of for your with is on we you can in please this that".split()
FILLER_DE = "der die das und zu für Ihre mit ist auf wir Sie können in bitte diese dass".split()
SYLLABLES = ("ka ri to mu sel ber lan fen gor tis an ex pro mat ver sta lin dor kel wen hub rak "
             "sor mi el tan vor ge ung heit keit lich ing ment tion er").split()


def _vocabulary(rng: random.Random, domain: list[str], size: int) -> list[str]:
    """Domain words first (the words agents search for), then made-up words: ranked for a Zipf distribution."""
    vocab = list(dict.fromkeys(domain))
    seen = set(w.lower() for w in vocab)
    while len(vocab) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    # Shuffle the domain words into the upper-middle of the ranking: frequent enough to matter, not in every text.
    made_up = vocab[len(domain):]
    head, tail = made_up[:40], made_up[40:]
    return head + list(domain) + tail


def make_corpus(n: int, seed: int = 11) -> list[dict]:
    """Articles of ~200 words whose vocabulary follows Zipf's law, as real text does (rank r has weight 1/r)."""
    rng = random.Random(seed)
    corpora = {}
    for lang, domain, filler in (("en", EN_WORDS, FILLER_EN), ("de", DE_WORDS, FILLER_DE)):
        vocab = _vocabulary(rng, domain, 20_000)
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(vocab))]
        corpora[lang] = (vocab, weights, filler, domain)
    articles = []
    for i in range(n):
        lang = "de" if i % 2 else "en"
        vocab, weights, filler, domain = corpora[lang]
        content = rng.choices(vocab, weights, k=110)
        body_words = content + rng.choices(filler, k=90)
        rng.shuffle(body_words)
        title = " ".join(rng.sample(domain, 2) + rng.choices(vocab, weights, k=2)).capitalize()
        articles.append({"slug": f"bench-{i}", "title": title, "body": " ".join(body_words), "language": lang,
                         "tags": rng.choice(("billing", "delivery", "technical", "account", "returns"))})
    return articles


def make_queries(n: int, seed: int = 5) -> list[str]:
    """1–3 words an agent would type: topic words, sometimes with a rarer word from an article."""
    rng = random.Random(seed)
    queries = []
    for _ in range(n):
        words = DE_WORDS if rng.random() < 0.5 else EN_WORDS
        queries.append(" ".join(rng.sample(words, rng.choice((1, 1, 2, 2, 3)))))
    return queries


@benchmark("kb", "KB search over 50,000 articles: build, p50/p99, vs LIKE and rank_bm25")
def run(ctx: BenchContext):
    from sqlalchemy import insert, text

    from agent_console.domain.clock import SystemClock
    from agent_console.store import search
    from agent_console.store.db import open_store
    from agent_console.store.models import KBArticle

    n = ctx.size(50_000, 2_000)
    corpus = make_corpus(n)
    queries = make_queries(200 if not ctx.quick else 60)
    store = open_store(ctx.workdir / "kb.db")
    now = SystemClock().now()
    rows = [{**a, "uid": f"00000000-0000-4000-8000-{i:012d}", "created_at": now, "updated_at": now,
             "helpful_votes": 0, "version": 1} for i, a in enumerate(corpus)]
    start = time.perf_counter()
    with store.transaction() as session:
        session.execute(insert(KBArticle), rows)  # the store's triggers index every row as it goes in
    build_ms = (time.perf_counter() - start) * 1000
    yield Result(f"kb: import {n:,} articles, indexed on insert", build_ms, baseline=2000 * n / 50_000,
                 baseline_label="bare FTS5 build (notes)")
    start = time.perf_counter()
    with store.transaction() as session:
        search.reindex(session)
    yield Result(f"kb: reindex {n:,} articles", (time.perf_counter() - start) * 1000,
                 baseline=2000 * n / 50_000, baseline_label="bare FTS5 build (notes)")

    with store.session() as session:
        for q in queries[:5]:  # warm the page cache like a running console
            search.search_articles(session, q, limit=10)
        samples = []
        cpu_samples = []  # this thread's CPU time: what the query costs, without the waits of a busy machine
        hits = 0
        for q in queries:
            t0, c0 = time.perf_counter(), time.thread_time()
            found = search.search_articles(session, q, limit=10)
            samples.append((time.perf_counter() - t0) * 1000)
            cpu_samples.append((time.thread_time() - c0) * 1000)
            hits += bool(found)
        p50, p99 = summarise(samples)
        cpu_p50, cpu_p99 = summarise(cpu_samples)

        like_queries = queries[: 20 if ctx.quick else 40]
        like_samples = []
        for q in like_queries:
            words = q.split()
            where = " AND ".join("(title LIKE :w{0} OR body LIKE :w{0})".format(i) for i in range(len(words)))
            params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
            t0 = time.perf_counter()
            # Every match, as ranking them needs (with LIMIT 10 and no ranking, LIKE stops at the first ten).
            session.execute(text(f"SELECT id FROM kb_articles WHERE {where}"), params).all()
            like_samples.append((time.perf_counter() - t0) * 1000)
        like_p50, like_p99 = summarise(like_samples)
    yield Result("kb: query p50", p50, target=2, baseline=like_p50, baseline_label="LIKE '%w%'",
                 samples=len(samples), note=f"{hits}/{len(queries)} queries found something; CPU time p50 "
                 f"{cpu_p50:.2f} ms, p99 {cpu_p99:.2f} ms")
    yield Result("kb: query p99", p50, p99=p99, target=15, target_on="p99", baseline=like_p99, baseline_label="LIKE '%w%' p99",
                 samples=len(samples))

    try:
        from bench.tantivy_ref import stemmed_index

        tantivy_build_ms, tantivy_search = stemmed_index(("title", "tags", "body"), (
            (a["language"], {"title": a["title"], "tags": a["tags"], "body": a["body"]}) for a in corpus))
    except ImportError:
        tantivy_search = None
    if tantivy_search is not None:
        for q in queries[:5]:
            tantivy_search(q, 10)
        reference = []
        for q in queries:
            t0 = time.perf_counter()
            tantivy_search(q, 10)
            reference.append((time.perf_counter() - t0) * 1000)
        ref_p50, ref_p99 = summarise(reference)
        yield Result("kb: query p50 vs tantivy (10 hits, snippets)", p50, baseline=ref_p50,
                     baseline_label="tantivy p50, snippets", samples=len(samples),
                     note=f"tantivy built its index in {tantivy_build_ms / 1000:.1f} s (outside the store)")
        yield Result("kb: query p99 vs tantivy", p50, p99=p99, baseline=ref_p99, baseline_label="tantivy p99, snippets",
                     samples=len(samples))

    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return
    tokenised = [(a["title"] + " " + a["body"]).lower().split() for a in corpus]
    bm25 = BM25Okapi(tokenised)
    bm_samples = []
    for q in queries[: 20 if ctx.quick else 40]:
        t0 = time.perf_counter()
        bm25.get_top_n(q.lower().split(), corpus, n=10)
        bm_samples.append((time.perf_counter() - t0) * 1000)
    bm_p50, _ = summarise(bm_samples)
    yield Result("kb: query p50 vs rank_bm25", p50, target=2, baseline=bm_p50, baseline_label="rank_bm25 (pure Python)",
                 samples=len(samples))
    store.dispose()
