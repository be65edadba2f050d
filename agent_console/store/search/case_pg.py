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

from typing import Any, Iterable

from agent_console.store.search.case_pg_schema import PG_RANK_WEIGHTS
from agent_console.store.search.case_query import (RANK_AT_MOST, CaseQuery, CaseSearchResult, case_matches, filter_sql,
                                                   phone_term)
from agent_console.store.search.functions import case_id_tokens
from agent_console.store.search.normalise import fold, normalise
from agent_console.store.search.pg_vocab import known_terms, near_terms
from agent_console.store.search.phones import phone_query_forms
from agent_console.store.search.query import QueryTerm, parse_query
from agent_console.store.search.synonyms import synonyms

_LANGUAGES = ("de", "en")
#: The weights of the columns a ``customer:`` filter looks in: the name and address (B) and the ids (C).
_CUSTOMER_WEIGHTS = "BC"


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

    def __init__(self, connection: Any, terms: Iterable[QueryTerm], languages: tuple[str, ...] = _LANGUAGES) -> None:
        self.languages = languages
        self.corrections: dict[str, tuple[str, ...]] = {}
        spellings = {(spelling, language) for term in terms for language in languages
                     for spelling in self.spellings(term, language)}
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

    def expression(self, term: QueryTerm, weights: str = "") -> str | None:
        """The term as a tsquery: any of its stems (or the prefix being typed); None when it has no lexeme."""
        corrected = self.corrections.get(term.word)
        lexemes = sorted(corrected if corrected is not None else self.own_lexemes(term))
        parts = [_lexeme(lexeme, weights) for lexeme in lexemes]
        if term.prefix and corrected is None:
            parts.append(_lexeme(fold(term.prefix), weights, prefix=True))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _tsquery(stems: _Stems, terms: list[QueryTerm], operator: str, parsed: CaseQuery,
             customer_terms: list[QueryTerm], phone_terms: list[QueryTerm]) -> str | None:
    parts = []
    if terms:
        words = [stems.expression(term) for term in terms]
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


def _ranked(connection: Any, tsquery: str, filters: tuple[str, list[Any]],
            limit: int) -> list[tuple[int, int, float]]:
    """(case id, best rowid, minus its rank) of the ``limit`` best cases, best first.

    Only the newest matching rows are read, a bounded number; when the words are in more rows than
    ``RANK_AT_MOST``, the cases are listed newest first (by their newest matching row), as on SQLite.
    """
    where, params = filters
    rank_at_most = RANK_AT_MOST
    read_at_most = max(rank_at_most + 1, limit * 16)
    order = "CASE WHEN many THEN 0 ELSE rank END DESC, rowid DESC"
    rows = connection.exec_driver_sql(
        "SELECT case_id, rowid, rank FROM ("
        f"  SELECT *, row_number() OVER (PARTITION BY case_id ORDER BY {order}) AS place FROM ("
        "    SELECT m.case_id, m.rowid, ts_rank(CAST(%s AS real[]), m.doc, CAST(%s AS tsquery)) AS rank,"
        "           count(*) OVER () > %s AS many"
        "    FROM (SELECT s.rowid, s.case_id, s.doc FROM case_fts s JOIN cases c ON c.id = s.case_id"
        f"          WHERE s.doc @@ CAST(%s AS tsquery){' AND ' + where if where else ''}"
        "          ORDER BY s.rowid DESC LIMIT %s) m) scored"
        f") best WHERE place = 1 ORDER BY {order} LIMIT %s",
        (PG_RANK_WEIGHTS, tsquery, rank_at_most, tsquery, *params, read_at_most, limit))
    return [(case_id, rowid, -rank) for case_id, rowid, rank in rows]


def _run(connection: Any, stems: _Stems, terms: list[QueryTerm], operator: str, parsed: CaseQuery,
         filters: tuple[str, list[Any]], limit: int):
    customer_terms, customer_phones = _customer_terms(parsed)
    if parsed.customer and not customer_terms and not customer_phones:
        return []
    phone_terms = [phone_term(forms) for forms in parsed.phones if forms]
    tsquery = _tsquery(stems, terms, operator, parsed, customer_terms, phone_terms)
    if customer_phones:
        phones = "(" + " | ".join(_phrase(form, _CUSTOMER_WEIGHTS) for form in customer_phones) + ")"
        tsquery = f"{tsquery} & {phones}" if tsquery else phones
    if not tsquery:
        return []
    ranked = _ranked(connection, tsquery, filters, limit)
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
    return case_matches(ranked, indexed, messages, subjects, [*terms, *phone_terms], bool(phone_terms))


def search_postgresql(session: Any, parsed: CaseQuery, terms: list[QueryTerm], *, limit: int,
                      allowed_queues: Iterable[str] | None) -> CaseSearchResult:
    """``cases.search_case_index`` on PostgreSQL: every word first, then (several words) any of them."""
    connection = session.connection() if hasattr(session, "get_bind") else session
    filters = filter_sql(parsed, list(allowed_queues) if allowed_queues is not None else None,
                          marker="%s", is_open="c.is_open", a_date="CAST(%s AS date)")
    customer_terms, _ = _customer_terms(parsed)
    stems = _Stems(connection, [*terms, *customer_terms])
    if not terms:
        matches = _run(connection, stems, [], "AND", parsed, filters, limit)
        return CaseSearchResult(matches, "exact" if parsed.phones or parsed.customer else "empty")
    matches = _run(connection, stems, terms, "AND", parsed, filters, limit)
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
        matches = _run(connection, stems, terms, "OR", parsed, filters, limit)
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
