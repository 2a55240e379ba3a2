"""Folding Vietnamese for search."""

from __future__ import annotations

import pytest

from models.text import fold, search_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường Lý Thường Kiệt", "duong ly thuong kiet"),
        ("đường", "duong"),
        ("ĐỒNG HỚI", "dong hoi"),
        ("Rác thải, ô nhiễm!!", "rac thai o nhiem"),
        ("Quảng Trị – 2026", "quang tri 2026"),
        ("", ""),
    ],
)
def test_fold_removes_diacritics_and_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_forms_alike() -> None:
    import unicodedata

    word = "Nguyễn"
    assert fold(unicodedata.normalize("NFD", word)) == fold(unicodedata.normalize("NFC", word))


def test_search_terms_are_distinct_and_bounded() -> None:
    assert search_terms("đường Đường duong rác") == ["duong", "rac"]
    assert len(search_terms(" ".join(f"w{i}" for i in range(50)))) == 8
