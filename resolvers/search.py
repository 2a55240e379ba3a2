"""Search: the relevance rank of a report list's matches, and how alike two report texts are.

Both work on folded text (models.text.fold), so `Đường`, `DUONG` and `đường` are one word.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, literal, literal_column

from models import tables
from models.text import fold

# Weights of the rank, per query word (every word matches somewhere: the filter requires it).
IN_TITLE = 2  # the word is in the title, not only in the description or address
WHOLE_WORD = 1  # it stands as a word of its own, not inside a longer one ("ha" in "thanh")
PHRASE = 1  # once, when the query's words also appear together and in order

# Syllables too common in Vietnamese to tell two reports apart ("và", "là", "của", "có", ...).
STOP_WORDS = frozenset(
    [
        "va",
        "la",
        "cua",
        "co",
        "khong",
        "da",
        "dang",
        "bi",
        "duoc",
        "o",
        "tai",
        "cho",
        "nay",
        "do",
        "thi",
        "ma",
        "nhung",
        "cac",
        "mot",
        "nhieu",
        "rat",
        "voi",
        "tren",
        "trong",
        "ra",
        "vao",
        "len",
        "con",
        "van",
        "lam",
        "roi",
        "qua",
        "nen",
        "de",
        "khi",
    ]
)


def relevance(terms: Sequence[str], report: Any = tables.Report) -> ColumnElement[int]:
    """An integer rank, computed in SQL on both backends so that it can key a cursor.

    Per word: IN_TITLE if the folded title contains it, plus WHOLE_WORD if it is a whole word
    anywhere; PHRASE once if the query's words appear together in order. Text is folded to words
    of [0-9a-z] separated by single spaces, so padding with spaces finds whole words. `report`
    may be an alias of the reports table (a subquery of it).
    """
    spaced: ColumnElement[str] = literal_column("' '") + report.search_text + literal_column("' '")
    parts: list[ColumnElement[int]] = []
    for term in terms:
        parts.append(_points(report.search_title.contains(term, autoescape=True), IN_TITLE))
        parts.append(_points(spaced.contains(f" {term} ", autoescape=True), WHOLE_WORD))
    if len(terms) > 1:
        parts.append(_points(spaced.contains(f" {' '.join(terms)} ", autoescape=True), PHRASE))
    if not parts:
        return literal(0, Integer)
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def top_rank(terms: Sequence[str]) -> int:
    """The best rank `relevance` can give: every word in the title and whole, and the phrase."""
    return len(terms) * (IN_TITLE + WHOLE_WORD) + (PHRASE if len(terms) > 1 else 0)


def _points(condition: ColumnElement[bool], points: int) -> ColumnElement[int]:
    return case((condition, literal_column(str(points))), else_=literal_column("0"))


def content_words(text: str) -> frozenset[str]:
    """The folded words of a text that can tell reports apart."""
    return frozenset(word for word in fold(text).split() if word not in STOP_WORDS)


def likeness(query: frozenset[str], report: tables.Report) -> float:
    """The share of the query's content words found in the report's title and description.

    Measured against the query, not the union: a long description that repeats the draft's
    words is as much a duplicate as a short one. The address is left out: every report of a
    street shares it.
    """
    if not query:
        return 0.0
    words = content_words(f"{report.title} {report.description}")
    return len(query & words) / len(query)
