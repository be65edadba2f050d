"""User text to FTS5 queries: every word normalised and quoted, so no query syntax reaches FTS5."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from agent_console.store.search.normalise import _WORD, _language_key, fold, normalise_word
from agent_console.store.search.stopwords import is_stop_word
from agent_console.store.search.synonyms import synonyms


MAX_QUERY_TERMS = 24
MAX_QUERY_CHARS = 2000


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


@dataclass(frozen=True)
class QueryTerm:
    word: str
    #: Normalised forms any of which may match (German and English stems, or the filter language's stem).
    variants: tuple[str, ...]
    #: Also match indexed words starting with this (folded) prefix: the word still being typed.
    prefix: str | None = None

    def expression(self) -> str:
        parts = [_quote(v) for v in self.variants]
        if self.prefix:
            parts.append(_quote(self.prefix) + " *")
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def parse_query(query: str | None, language: str | None = None, *, prefix_last: bool = False) -> list[QueryTerm]:
    """User input -> terms; never raises, whatever the input (operators and punctuation are not special).

    Function words and greetings (``stopwords``) are left out when the query has other words, so that a customer's
    sentence is searched by what it is about. A word also matches its synonyms (``synonyms``): the customer's
    "money" finds the article's "refund".
    """
    text = (query or "")[:MAX_QUERY_CHARS]
    found = _WORD.findall(text)
    language_key = _language_key(language)
    content = [index for index, word in enumerate(found) if not is_stop_word(fold(word), language_key or None)]
    chosen = content if content else range(len(found))
    terms: list[QueryTerm] = []
    seen: set[tuple[str, ...]] = set()
    languages = [language] if language_key else ["de", "en"]
    for index in list(chosen)[:MAX_QUERY_TERMS]:
        word = found[index]
        folded = fold(word)
        variants = tuple(dict.fromkeys(normalise_word(spelling, lang) for lang in languages
                                       for spelling in (word, *synonyms(folded, lang))))
        is_last = index == len(found) - 1
        prefix = None
        if prefix_last and is_last and not text[-1:].isspace():
            folded = fold(word)
            if len(folded) >= 2:
                prefix = folded
        key = variants + ((prefix,) if prefix else ())
        if key in seen:
            continue
        seen.add(key)
        terms.append(QueryTerm(word, variants, prefix))
    return terms


def match_expression(terms: Iterable[QueryTerm], operator: str = "AND") -> str:
    return f" {operator} ".join(term.expression() for term in terms)
