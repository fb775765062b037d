"""Text helpers for Vietnamese names."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics, so "dak mil" matches "Đắk Mil".

    NFD splits letters from their tone and vowel marks; Đ/đ is a distinct letter in
    Unicode (not a D with a combining mark), so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
