"""The case search on PostgreSQL (the server): the same queries, filters, queue restriction, snippets and result
modes as on SQLite (``cases``), over ``case_fts`` with its ``tsvector`` rows (``case_pg_schema``).

The query's words are parsed as on SQLite (stop words, synonyms, phone numbers, the word still being typed) and
then stemmed by PostgreSQL's configurations that wrote the index, German and English, so both sides agree. Matching
rows are ranked by ``ts_rank`` with the SQLite index's column weights; a case is placed by its best row. Only a
bounded number of the newest matching rows is read: when the words are in more than ``case_query.RANK_AT_MOST`` rows, the
cases are listed newest first, as on SQLite, so no query waits for the whole index. Snippets and highlights are cut from the original text with the
Python normaliser, exactly as on SQLite.

When every word does not match, the words the index does not know are replaced by their near indexed terms (the
typo mode, over the index's vocabulary ``case_fts_vocab`` with ``pg_trgm``: ``pg_vocab``); failing that, any of the
words as written may match (mode "any"), and then any of the corrected ones, in the order SQLite tries them.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from agent_console.store.search.case_pg_schema import PG_RANK_WEIGHTS
from agent_console.store.search.case_query import (RANK_AT_MOST, CaseQuery, CaseSearchResult, case_matches, filter_sql,
                                                   phone_term)
from agent_console.store.search.functions import case_id_tokens
from agent_console.store.search.normalise import fold, normalise, normalise_word
from agent_console.store.search.pg_vocab import known_terms, near_terms
from agent_console.store.search.phones import phone_query_forms
from agent_console.store.search.query import QueryTerm, parse_query
from agent_console.store.search.synonyms import synonyms

_LANGUAGES = ("de", "en")
#: The weights of the columns a ``customer:`` filter looks in: the name and address (B) and the ids (C).
_CUSTOMER_WEIGHTS = "BC"
#: The rank at which one word's share of a row's rank in the "any" mode is half its weight (one mention in a message
#: ranks 0.12, in the customer's name 0.36, in the subject 0.49 with PG_RANK_WEIGHTS).
SATURATION = 0.1
#: Words of this many letters are also looked for written apart ("wifi": "wi fi"; see ``find_compounds``).
MIN_COMPOUND, MAX_COMPOUND = 4, 24


def _lexeme(token: str, weights: str = "", prefix: bool = False) -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if prefix else "") + weights
    return quoted + (":" + suffix if suffix else "")


def _phrase(form: str, weights: str = "") -> str:
    """A phone number's form: one token, or its groups as written, next to each other."""
    return " <-> ".join(_lexeme(token, weights) for token in form.split())


class _Stems:
    """The lexemes PostgreSQL's configurations give the spellings of the query's words (one round trip), in the
    ``languages`` given; ``corrections`` (query word -> near indexed terms) replace a word's own lexemes."""

    def __init__(self, connection: Any, terms: Iterable[QueryTerm], languages: tuple[str, ...] = _LANGUAGES,
                 extra_words: Iterable[str] = ()) -> None:
        self.languages = languages
        self.corrections: dict[str, tuple[str, ...]] = {}
        #: Query word -> tsquery phrases of the word written apart ("wifi": 'wi' <-> 'fi'), see ``find_compounds``.
        self.apart: dict[str, tuple[str, ...]] = {}
        spellings = {(spelling, language) for term in terms for language in languages
                     for spelling in self.spellings(term, language)}
        spellings |= {(word, language) for word in extra_words for language in languages}
        self.lexemes: dict[tuple[str, str], set[str]] = {}
        if not spellings:
            return
        words, languages = zip(*spellings)
        rows = connection.exec_driver_sql(
            "SELECT x.word, x.language, unnest(tsvector_to_array(to_tsvector(ac_search_config(x.language), "
            "ac_search_fold(x.word)))) FROM unnest(%s::text[], %s::text[]) AS x(word, language)",
            (list(words), list(languages)))
        for word, language, lexeme in rows:
            self.lexemes.setdefault((word, language), set()).add(lexeme)

    @staticmethod
    def spellings(term: QueryTerm, language: str) -> tuple[str, ...]:
        return (term.word, *synonyms(fold(term.word), language))

    def own_lexemes(self, term: QueryTerm) -> set[str]:
        return {lexeme for language in self.languages for spelling in self.spellings(term, language)
                for lexeme in self.lexemes.get((spelling, language), ())}

    def word_lexemes(self, term: QueryTerm) -> set[str]:
        """The lexemes of the word as typed (no synonyms): what a typo is corrected from."""
        return {lexeme for language in self.languages for lexeme in self.lexemes.get((term.word, language), ())}

    def spelled_lexemes(self, word: str) -> set[str]:
        return {lexeme for language in self.languages for lexeme in self.lexemes.get((word, language), ())}

    def expression(self, term: QueryTerm, weights: str = "") -> str | None:
        """The term as a tsquery: any of its stems (or the prefix being typed); None when it has no lexeme."""
        corrected = self.corrections.get(term.word)
        lexemes = sorted(corrected if corrected is not None else self.own_lexemes(term))
        parts = [_lexeme(lexeme, weights) for lexeme in lexemes]
        if term.prefix and corrected is None:
            parts.append(_lexeme(fold(term.prefix), weights, prefix=True))
        if corrected is None:
            parts += self.apart.get(term.word, ())
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _word_halves(word: str) -> list[tuple[str, str]]:
    """The ways to write ``word`` (folded) as two words of two letters or more: "wifi" -> wi fi, … ."""
    folded = fold(word)
    if not folded.isalpha() or not MIN_COMPOUND <= len(folded) <= MAX_COMPOUND:
        return []
    return [(folded[:cut], folded[cut:]) for cut in range(2, len(folded) - 1)]


def _joined(first: QueryTerm, second: QueryTerm) -> str:
    return fold(first.word) + fold(second.word)


def compound_words(terms: list[QueryTerm]) -> list[str]:
    """The extra words whose lexemes ``find_compounds`` needs: the halves of each word, and each two neighbouring
    words written as one."""
    extra = {half for term in terms if not term.prefix for pair in _word_halves(term.word) for half in pair}
    extra |= {_joined(first, second) for first, second in zip(terms, terms[1:])
              if not first.prefix and not second.prefix}
    return sorted(extra)


def find_compounds(connection: Any, vocabulary: str, stems: _Stems, terms: list[QueryTerm]) -> dict[int, str]:
    """A word written as one or apart ("WiFi", "Wi-Fi", "wi fi") matches both ways: each word's halves that the
    index holds, next to each other, become alternatives of the word (``stems.apart``); returned are the index of
    each first of two neighbouring query words (as "Wi-Fi" is parsed) with the indexed term of both written as one."""
    halves = {term.word: [(stems.spelled_lexemes(a), stems.spelled_lexemes(b)) for a, b in _word_halves(term.word)]
              for term in terms if not term.prefix}
    joined = {index: stems.spelled_lexemes(_joined(first, second))
              for index, (first, second) in enumerate(zip(terms, terms[1:])) if not first.prefix and not second.prefix}
    wanted = {lexeme for pairs in halves.values() for a, b in pairs for lexeme in a | b}
    wanted |= {lexeme for lexemes in joined.values() for lexeme in lexemes}
    known = known_terms(connection, vocabulary, wanted)
    for word, pairs in halves.items():
        phrases = []
        for first, second in pairs:
            first, second = sorted(first & known), sorted(second & known)
            if first and second:
                phrases.append("(" + _any_lexeme(first) + " <-> " + _any_lexeme(second) + ")")
        if phrases:
            stems.apart[word] = tuple(phrases)
    return {index: _any_lexeme(sorted(lexemes & known)) for index, lexemes in joined.items() if lexemes & known}


def _any_lexeme(lexemes: list[str]) -> str:
    return _lexeme(lexemes[0]) if len(lexemes) == 1 else "(" + " | ".join(map(_lexeme, lexemes)) + ")"


def _word_queries(stems: _Stems, terms: list[QueryTerm], operator: str,
                  joined: dict[int, str]) -> list[str | None]:
    """Each query word as a tsquery (None: it cannot match); two neighbouring words that the index also holds
    written as one (``joined``) are one part: both words, or the one."""
    words: list[str | None] = []
    index = 0
    while index < len(terms):
        word = stems.expression(terms[index])
        if index in joined and not stems.corrections:
            second = stems.expression(terms[index + 1])
            both = f"{word} & {second}" if word and second else None
            words.append(f"(({both}) | {joined[index]})" if both else joined[index])
            index += 2
            continue
        words.append(word)
        index += 1
    return words


def _tsquery(stems: _Stems, words: list[str | None], operator: str, parsed: CaseQuery,
             customer_terms: list[QueryTerm], phone_terms: list[QueryTerm]) -> str | None:
    parts = []
    if words:
        words = [word for word in words if word] if operator == "OR" else words
        if not words or None in words:  # a word that cannot match: no row has every word
            return None
        parts.append("(" + (" & " if operator == "AND" else " | ").join(words) + ")")
    parts += ["(" + " | ".join(_phrase(form) for form in term.variants) + ")" for term in phone_terms]
    if customer_terms:
        customer = [stems.expression(term, _CUSTOMER_WEIGHTS) for term in customer_terms]
        if None in customer:
            return None
        parts += customer
    return " & ".join(parts) if parts else None


def _customer_terms(parsed: CaseQuery) -> tuple[list[QueryTerm], tuple[str, ...]]:
    """The customer filter's words, or the forms of its phone number (which take their place, as on SQLite)."""
    if not parsed.customer:
        return [], ()
    forms = phone_query_forms(parsed.customer)
    return ([], forms) if forms else (parse_query(parsed.customer), ())


def _ranked(connection: Any, tsquery: str, filters: tuple[str, list[Any]], limit: int,
            weighted: tuple[list[str], list[float]] | None = None) -> list[tuple[int, int, float]]:
    """(case id, best rowid, minus its rank) of the ``limit`` best cases, best first.

    Only the newest matching rows are read, a bounded number; when the words are in more rows than
    ``RANK_AT_MOST``, the cases are listed newest first (by their newest matching row), as on SQLite. ``weighted``
    (the "any" mode: each word's tsquery and weight) ranks a row by the sum of its words' ranks times their weights.
    """
    where, params = filters
    rank_at_most = RANK_AT_MOST
    read_at_most = max(rank_at_most + 1, limit * 16)
    order = "CASE WHEN many THEN 0 ELSE rank END DESC, rowid DESC"
    if weighted:
        # Each word's rank saturates (as BM25's term frequency does): a row holding more of the rare words ranks
        # above one repeating a single word.
        rank = ("(SELECT sum(w.weight * r.rank / (r.rank + %s)) "
                "FROM unnest(CAST(%s AS tsquery[]), CAST(%s AS float8[])) AS w(query, weight), "
                "LATERAL (SELECT ts_rank(CAST(%s AS real[]), m.doc, w.query) AS rank) AS r)")
        rank_params: tuple = (SATURATION, *weighted, PG_RANK_WEIGHTS)
    else:
        rank, rank_params = "ts_rank(CAST(%s AS real[]), m.doc, CAST(%s AS tsquery))", (PG_RANK_WEIGHTS, tsquery)
    rows = connection.exec_driver_sql(
        "SELECT case_id, rowid, rank FROM ("
        f"  SELECT *, row_number() OVER (PARTITION BY case_id ORDER BY {order}) AS place FROM ("
        f"    SELECT m.case_id, m.rowid, {rank} AS rank,"
        "           count(*) OVER () > %s AS many"
        "    FROM (SELECT s.rowid, s.case_id, s.doc FROM case_fts s JOIN cases c ON c.id = s.case_id"
        f"          WHERE s.doc @@ CAST(%s AS tsquery){' AND ' + where if where else ''}"
        "          ORDER BY s.rowid DESC LIMIT %s) m) scored"
        f") best WHERE place = 1 ORDER BY {order} LIMIT %s",
        (*rank_params, rank_at_most, tsquery, *params, read_at_most, limit))
    return [(case_id, rowid, -rank) for case_id, rowid, rank in rows]


def _word_weights(connection: Any, words: list[str]) -> list[tuple[int, float]]:
    """(rows, weight) of each word's tsquery: how many index rows hold it (counted up to ``RANK_AT_MOST`` + 1) and
    its weight by how rare that makes it, as BM25's inverse document frequency (ts_rank has none: without it a word
    in every other row counts as much as a customer's name)."""
    counts = [count for (count,) in connection.exec_driver_sql(
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM case_fts WHERE doc @@ w.query LIMIT %s) AS hit) "
        "FROM unnest(CAST(%s AS tsquery[])) WITH ORDINALITY AS w(query, place) ORDER BY w.place",
        (RANK_AT_MOST + 1, words))]
    total = connection.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = CAST('case_fts' AS regclass)").scalar() or 0
    if total < max(counts, default=0):  # never analysed yet (a new database): count
        total = connection.exec_driver_sql("SELECT count(*) FROM case_fts").scalar()
    return [(count, math.log((total - count + 0.5) / (count + 0.5) + 1.0)) for count in counts]


def _rare_first(words: list[str], weights: list[tuple[int, float]]) -> list[str]:
    """The words a row must hold one of in the "any" mode: the rarest, as long as their rows together stay within
    ``RANK_AT_MOST`` (so the rows that can rank highest are ranked, not merely the newest of a common word's)."""
    chosen, rows = [], 0
    for index in sorted(range(len(words)), key=lambda i: weights[i][0]):
        if chosen and rows + weights[index][0] > RANK_AT_MOST:
            break
        chosen.append(index)
        rows += weights[index][0]
    return [words[index] for index in sorted(chosen)]


def _highlighted(stems: _Stems, terms: list[QueryTerm], joined: dict[int, str]) -> list[QueryTerm]:
    """The query's words and the halves or joined forms they matched as, for the snippets' highlights."""
    extra = [*(half for word in stems.apart for pair in _word_halves(word) for half in pair),
             *(_joined(terms[index], terms[index + 1]) for index in joined)]
    return [*terms, *(QueryTerm(word, tuple(dict.fromkeys(normalise_word(word, language) for language in _LANGUAGES)))
                      for word in extra)]


def _run(connection: Any, stems: _Stems, terms: list[QueryTerm], operator: str, parsed: CaseQuery,
         filters: tuple[str, list[Any]], limit: int, joined: dict[int, str] | None = None):
    customer_terms, customer_phones = _customer_terms(parsed)
    if parsed.customer and not customer_terms and not customer_phones:
        return []
    joined = joined or {}
    phone_terms = [phone_term(forms) for forms in parsed.phones if forms]
    words = _word_queries(stems, terms, operator, joined)
    weighted = None
    if operator == "OR":
        present = [word for word in words if word]
        if present:
            weights = _word_weights(connection, present)
            weighted = (present, [weight for _rows, weight in weights])
            words = _rare_first(present, weights)
    tsquery = _tsquery(stems, words, operator, parsed, customer_terms, phone_terms)
    if customer_phones:
        phones = "(" + " | ".join(_phrase(form, _CUSTOMER_WEIGHTS) for form in customer_phones) + ")"
        tsquery = f"{tsquery} & {phones}" if tsquery else phones
    if not tsquery:
        return []
    ranked = _ranked(connection, tsquery, filters, limit, weighted)
    if not ranked:
        return []
    case_ids = [case_id for case_id, _, _ in ranked]
    message_ids = [rowid for _, rowid, _ in ranked if rowid > 0]
    cases = {row[0]: row[1:] for row in connection.exec_driver_sql(
        "SELECT c.id, c.subject, c.key, c.language, cu.name, cu.email, cu.phone FROM cases c "
        "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ANY(%s)", (case_ids,))}
    messages = {row[0]: row[1:] for row in connection.exec_driver_sql(
        "SELECT id, body, is_internal FROM messages WHERE id = ANY(%s)", (message_ids,))} if message_ids else {}
    indexed = {}
    for case_id, rowid, _ in ranked:
        subject, key, language, name, email, phone = cases.get(case_id, ("", None, None, "", None, None))
        body = messages.get(rowid, ("", None))[0] if rowid > 0 else ""
        # The columns as the SQLite index holds them: the same snippets and highlights on both backends.
        indexed[rowid] = (normalise(subject, language), normalise(body, language),
                          normalise(f"{name or ''} {email or ''}", language), case_id_tokens(key, phone))
    subjects = {case_id: values[0] for case_id, values in cases.items()}
    return case_matches(ranked, indexed, messages, subjects, [*_highlighted(stems, terms, joined), *phone_terms],
                        bool(phone_terms))


def search_postgresql(session: Any, parsed: CaseQuery, terms: list[QueryTerm], *, limit: int,
                      allowed_queues: Iterable[str] | None) -> CaseSearchResult:
    """``cases.search_case_index`` on PostgreSQL: every word first, then (several words) any of them."""
    connection = session.connection() if hasattr(session, "get_bind") else session
    filters = filter_sql(parsed, list(allowed_queues) if allowed_queues is not None else None,
                          marker="%s", is_open="c.is_open", a_date="CAST(%s AS date)")
    customer_terms, _ = _customer_terms(parsed)
    stems = _Stems(connection, [*terms, *customer_terms], extra_words=compound_words(terms))
    if not terms:
        matches = _run(connection, stems, [], "AND", parsed, filters, limit)
        return CaseSearchResult(matches, "exact" if parsed.phones or parsed.customer else "empty")
    joined = find_compounds(connection, "case_fts_vocab", stems, terms)
    matches = _run(connection, stems, terms, "AND", parsed, filters, limit, joined)
    if matches:
        return CaseSearchResult(matches, "exact")
    corrections = typo_corrections(connection, "case_fts_vocab", stems, terms)
    corrected = [QueryTerm(term.word, corrections[term.word], term.prefix) if term.word in corrections else term
                 for term in terms]
    if corrections:
        stems.corrections = corrections
        matches = _run(connection, stems, corrected, "AND", parsed, filters, limit)
        if matches:
            return CaseSearchResult(matches, "typo", corrections)
        stems.corrections = {}
    if len(terms) > 1:
        matches = _run(connection, stems, terms, "OR", parsed, filters, limit, joined)
        if matches:
            return CaseSearchResult(matches, "any")
    if corrections and len(terms) > 1:
        stems.corrections = corrections
        matches = _run(connection, stems, corrected, "OR", parsed, filters, limit)
        if matches:
            return CaseSearchResult(matches, "any", corrections)
    return CaseSearchResult([], "exact", corrections)


def typo_corrections(connection: Any, vocabulary: str, stems: _Stems,
                     terms: list[QueryTerm]) -> dict[str, tuple[str, ...]]:
    """Query word -> the near indexed terms of each word none of whose lexemes the index holds (``pg_vocab``)."""
    lexemes = {term.word: stems.own_lexemes(term) for term in terms}
    known = known_terms(connection, vocabulary, {lexeme for found in lexemes.values() for lexeme in found})
    corrections = {}
    for term in terms:
        if lexemes[term.word] & known:
            continue
        nearest = near_terms(connection, vocabulary, stems.word_lexemes(term) or {fold(term.word)})
        if nearest:
            corrections[term.word] = nearest
    return corrections
