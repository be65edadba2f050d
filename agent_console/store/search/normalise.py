"""Normalised text: words folded (ä→ae …) and stemmed in the row's language, one token per original word."""

from __future__ import annotations

import re
import unicodedata


_STEM_CACHE_LIMIT = 400_000
_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_STEMMER_NAMES = {"de": "german", "en": "english"}


def fold(word: str) -> str:
    """Lower-case, German umlauts and ß spelled out, any other diacritics removed."""
    folded = word.lower().translate(_FOLD)
    if folded.isascii():
        return folded
    stripped = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return stripped or folded


def _language_key(language: str | None) -> str:
    code = (language or "").strip().lower()[:2]
    return code if code in _STEMMER_NAMES else ""


class _Normaliser(dict):
    """word -> folded stem, for one language; a cache because the Snowball stemmers are pure Python (~50 µs)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        if language:
            import snowballstemmer

            self._stem = snowballstemmer.stemmer(_STEMMER_NAMES[language]).stemWord
        else:
            self._stem = None

    def __missing__(self, word: str) -> str:
        folded = fold(word)
        value = self._stem(folded) if self._stem is not None else folded
        # A stem is never empty, so every original word keeps exactly one token (the snippet mapping relies on it).
        value = value or folded
        if len(self) < _STEM_CACHE_LIMIT:
            self[word] = value
        return value


_normalisers: dict[str, _Normaliser] = {}


def _normaliser(language: str | None) -> _Normaliser:
    key = _language_key(language)
    found = _normalisers.get(key)
    if found is None:
        found = _normalisers[key] = _Normaliser(key)
    return found


def words(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def normalise(text: str | None, language: str | None = None) -> str:
    """The indexed form of ``text``: one folded, stemmed token per word, separated by single spaces."""
    if not text:
        return ""
    return " ".join(map(_normaliser(language).__getitem__, _WORD.findall(text)))


def normalise_word(word: str, language: str | None) -> str:
    return _normaliser(language)[word]
