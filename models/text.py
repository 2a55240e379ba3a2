"""Folding Vietnamese text for search: `Đường` and `duong` become the same key."""

from __future__ import annotations

import re
import unicodedata

# NFD splits most letters from their marks; đ/Đ are letters of their own and need a table.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, diacritics removed."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def search_terms(query: str, limit: int = 8) -> list[str]:
    """The distinct folded words of a search query, at most `limit` of them."""
    seen: list[str] = []
    for word in fold(query).split():
        if word not in seen:
            seen.append(word)
    return seen[:limit]
