"""Search results and their snippets: cut from the original text around the matched words, with highlights."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from agent_console.store.search.normalise import _WORD
from agent_console.store.search.query import QueryTerm


SNIPPET_WORDS = 28
_SNIPPET_SPACES = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


@dataclass(frozen=True)
class Snippet:
    """Plain text (from the original, never markup) and the character ranges of matched words within it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def highlighted(self) -> list[str]:
        return [self.text[a:b] for a, b in self.spans]


@dataclass(frozen=True)
class ArticleHit:
    id: int
    slug: str
    title: str
    snippet: Snippet
    #: Higher is better (the negated BM25 rank).
    score: float
    language: str
    tags: tuple[str, ...]
    helpful_votes: int = 0
    title_spans: tuple[tuple[int, int], ...] = ()

    def as_dict(self) -> dict:
        return {
            "id": self.id, "slug": self.slug, "title": self.title, "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.spans], "score": round(self.score, 4),
            "language": self.language, "tags": list(self.tags), "helpful_votes": self.helpful_votes,
        }


@dataclass(frozen=True)
class ReplyHit:
    message_id: int
    case_id: int
    case_key: str
    subject: str
    author_name: str
    created_at: datetime | None
    snippet: Snippet
    score: float
    language: str
    body: str


@dataclass
class SearchResult:
    hits: list
    #: exact (all words), typo (some words replaced by nearest indexed terms), any (some words), empty (no words)
    mode: str = "exact"
    #: query word -> the indexed terms it was corrected to (typo mode)
    corrections: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenMatcher:
    """Which indexed tokens a query's phrases match: FTS5 matches a quoted token by equality, ``"x" *`` by prefix."""

    tokens: frozenset[str]
    prefixes: tuple[str, ...] = ()

    @classmethod
    def of(cls, terms: Iterable[QueryTerm]) -> "TokenMatcher":
        terms = list(terms)
        return cls(frozenset(v for term in terms for v in term.variants),
                   tuple(term.prefix for term in terms if term.prefix))

    @staticmethod
    def token_count(normalised: str | None) -> int:
        return normalised.count(" ") + 1 if normalised else 0

    def positions(self, normalised: str | None) -> set[int]:
        """Token positions in a space-joined normalised column (as stored in the FTS table) that a phrase matches.

        The same positions FTS5's highlight() reports, without running the MATCH a second time.
        """
        if not normalised:
            return set()
        # str.find over " token " (whole tokens) or " prefix" (token starts), then the spaces before each hit give
        # its position: C-speed scans instead of a Python loop over every token of the body.
        padded = " " + normalised + " "
        found: set[int] = set()
        for needle in [f" {token} " for token in self.tokens] + [f" {prefix}" for prefix in self.prefixes]:
            at = padded.find(needle)
            counted, spaces = 0, 0
            while at >= 0:
                spaces += padded.count(" ", counted, at)
                counted = at
                found.add(spaces)
                at = padded.find(needle, at + len(needle) - 1)
        return found


def _spans_for(original: str, positions: set[int]) -> list[tuple[int, int]]:
    return [m.span() for i, m in enumerate(_WORD.finditer(original)) if i in positions]


def make_snippet(original: str, positions: set[int], width: int = SNIPPET_WORDS, *,
                 word_count: int | None = None) -> Snippet:
    """A window of ``width`` words of the original text with the most matched words, with their spans.

    ``word_count``, when the caller knows it (the number of tokens in the indexed text), saves a scan of the text.
    """
    original = original or ""
    if word_count is None:
        word_count = len(_WORD.findall(original))
    if not word_count:
        text = original[:200].translate(_SNIPPET_SPACES).strip()
        return Snippet(text)
    hits = sorted(p for p in positions if p < word_count)
    start = 0
    if hits:
        best, best_count, j = hits[0], 0, 0
        for i, first in enumerate(hits):
            while j < len(hits) and hits[j] < first + width:
                j += 1
            if j - i > best_count:
                best, best_count = first, j - i
        start = max(0, best - 3)
    end = min(word_count, start + width)
    start = max(0, min(start, end - width))
    # Spans of the window's words only, scanned from the nearer end of the text (a run of word characters reads
    # the same backwards): bodies run to hundreds of words, snippets to a few dozen.
    if start > word_count - end:
        size = len(original)
        backwards = itertools.islice(_WORD.finditer(original[::-1]), word_count - end, word_count - start)
        window = [(size - b, size - a) for a, b in reversed([m.span() for m in backwards])]
        misread = len(window) != end - start or (start == 0 and _WORD.search(original, 0, window[0][0]))
    else:
        window = [m.span() for m in itertools.islice(_WORD.finditer(original), start, end)]
        misread = len(window) != end - start or (end == word_count and _WORD.search(original, window[-1][1]))
    if misread:
        return make_snippet(original, positions, width)  # not the text the index was read from: count the words
    char_start = window[0][0] if start > 0 else 0
    char_end = window[-1][1] if end < word_count else len(original)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < word_count else ""
    body = original[char_start:char_end].replace("\n", " ").replace("\r", " ").replace("\t", " ")
    stripped = body.lstrip()
    offset = char_start + (len(body) - len(stripped)) - len(prefix)
    body = stripped.rstrip()
    text = prefix + body + suffix
    spans = tuple(
        (window[p - start][0] - offset, window[p - start][1] - offset) for p in hits if start <= p < end
    )
    return _tidy(text, spans)


_MARKUP = re.compile(r"[#*`]+")
_SPACE_RUN = re.compile(r"  +")


def _squash(text: str) -> str:
    """Markdown emphasis/heading characters dropped, runs of spaces collapsed, no leading space."""
    return _SPACE_RUN.sub(" ", _MARKUP.sub("", text)).lstrip(" ")


def _tidy(text: str, spans: tuple[tuple[int, int], ...]) -> Snippet:
    """Drop Markdown emphasis/heading characters and collapse runs of spaces, keeping the spans on their words."""
    if not text.startswith(" ") and "  " not in text and not _MARKUP.search(text):
        return Snippet(text.rstrip(), spans)
    # Whether a character is kept depends only on the characters before it, so the squashed length of a prefix is
    # where that prefix's end lands in the tidy text.
    return Snippet(_squash(text).rstrip(), tuple((len(_squash(text[:a])), len(_squash(text[:b]))) for a, b in spans))
