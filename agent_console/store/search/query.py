"""User text to FTS5 queries: every word normalised and quoted, so no query syntax reaches FTS5."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from agent_console.store.search.normalise import _WORD, _language_key, fold, normalise_word


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
    """User input -> terms; never raises, whatever the input (operators and punctuation are not special)."""
    text = (query or "")[:MAX_QUERY_CHARS]
    found = _WORD.findall(text)
    terms: list[QueryTerm] = []
    seen: set[tuple[str, ...]] = set()
    languages = [language] if _language_key(language) else ["de", "en"]
    for index, word in enumerate(found[:MAX_QUERY_TERMS]):
        variants = tuple(dict.fromkeys(normalise_word(word, lang) for lang in languages))
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
