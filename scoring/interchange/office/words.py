"""The words and numbers of an office's score table: text compared without accents or case,
the header's column names, numbering styles, points written as "8", "8,5" or "8 điểm",
per-item points ("2 điểm/lần") and caps ("tối đa 5 điểm")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


def fold(text: str) -> str:
    """``text`` without accents, in lower case, punctuation read as spaces, spaces
    collapsed: "Điểm  chuẩn (tối đa)" → "diem chuan toi da"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return " ".join(re.sub(r"[^\w./+,%-]+", " ", text).split())


def bare(text: str) -> str:
    """Like :func:`fold` but letters and digits only: "Số TT." → "so tt"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


# --- The header row ------------------------------------------------------------------------

NUMBERING_HEADERS = frozenset({"tt", "stt", "so tt", "so thu tu", "thu tu"})
POINTS_HEADERS = frozenset(
    {"diem", "diem chuan", "diem toi da", "thang diem", "so diem", "diem quy dinh", "khung diem"}
)
POINTS_SUBHEADERS = frozenset({"chuan", "toi da", "diem chuan", "diem toi da", "quy dinh"})


def header_role(text: str) -> str | None:
    """Which column a header cell names: "numbering", "content", "points", "guidance"."""
    words = bare(text)
    if not words:
        return None
    if words in NUMBERING_HEADERS:
        return "numbering"
    if words.startswith(("noi dung", "tieu chi", "ten tieu chi")):
        return "content"
    if words in POINTS_HEADERS or words.startswith(("diem chuan", "diem toi da", "thang diem")):
        return "points"
    if words.startswith(("cach cham", "huong dan cham", "phuong phap cham", "cach tinh diem")):
        return "guidance"
    return None


# --- Lines that are not the table --------------------------------------------------------

MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap tu do hanh phuc")


def is_motto(text: str) -> bool:
    words = bare(text)
    return any(motto in words for motto in MOTTO)


def is_title(text: str) -> bool:
    words = bare(text)
    return not is_motto(text) and (
        "thang bang diem" in words
        or "thang diem" in words
        or "bang diem" in words
        or "bang cham diem" in words
        or "bang tieu chi" in words
    )


def is_total(text: str) -> bool:
    """A total row's words: "Tổng cộng", "Tổng điểm", "Tổng số điểm", "Cộng"."""
    words = bare(text)
    return words in ("tong", "cong", "tong so") or words.startswith(
        ("tong cong", "tong diem", "tong so diem", "cong diem chuan")
    )


# --- Numbering -----------------------------------------------------------------------------

_ROMAN = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


@dataclass(frozen=True)
class Numbering:
    """A row's number as written, and its style: "section" (A, B…), "roman" (I, II…),
    "arabic" (1, 2…), "dotted" (1.1, 2.3.1), "letter" (a, b…), "bullet" (-, +)."""

    style: str
    label: str  # "A", "IV", "3", "1.2", "b", "-"

    @property
    def rank(self) -> int:
        """How deep the style sits: a row closes every open row of the same or a deeper
        rank before it is placed."""
        if self.style == "section":
            return 0
        if self.style == "roman":
            return 1
        if self.style == "arabic":
            return 2
        if self.style == "dotted":
            return 2 + self.label.count(".")
        if self.style == "letter":
            return 20
        return 30


def roman_value(label: str) -> int | None:
    if not label or not _ROMAN.match(label):
        return None
    total, previous = 0, 0
    for char in reversed(label):
        value = _ROMAN_VALUES[char]
        total += -value if value < previous else value
        previous = max(previous, value)
    return total


_BULLETS = ("-", "+", "•", "–", "*", "—")
_LEADING = re.compile(
    r"^\s*(?:(?P<part>ph[aầ]n\s+(?:[A-Z]|[IVX]+))\s*[.:)/-]?"
    r"|(?P<dotted>\d{1,2}(?:\.\d{1,2})+)\.?"
    r"|\(?(?P<plain>[A-Z]|[IVX]+|\d{1,2}|[a-zđ])\s*[.)/]"
    r"|(?P<bullet>[-+•–*—]))\s+(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)


def parse_numbering(text: str, previous_section: str | None) -> Numbering | None:
    """The numbering written in a numbering cell ("I", "1.", "a)", "(2)", "1.1", "-"),
    or None when it is not one. ``previous_section`` is the last section letter seen: it
    tells the section "I" that follows "H" from the Roman numeral I."""
    label = text.strip()
    if label in _BULLETS:
        return Numbering("bullet", "-")
    label = label.strip("()").rstrip(".):/").strip()
    part = re.match(r"^ph[aầ]n\s+([A-Z]|[IVX]+)$", label, re.IGNORECASE)
    if part:
        return Numbering("section", part.group(1).upper())
    if re.fullmatch(r"\d{1,3}", label):
        return Numbering("arabic", str(int(label)))
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3})+", label):
        return Numbering("dotted", ".".join(str(int(p)) for p in label.split(".")))
    if re.fullmatch(r"[a-zđ]", label):
        return Numbering("letter", label)
    if re.fullmatch(r"[A-Z]", label):
        follows = previous_section is not None and ord(label) == ord(previous_section) + 1
        if label in "IVX" and not follows:
            return Numbering("roman", label)
        return Numbering("section", label)
    if roman_value(label):
        return Numbering("roman", label)
    return None


def split_leading_numbering(text: str) -> tuple[str, str] | None:
    """("I.", "Công tác …") when ``text`` starts with its own numbering, else None."""
    match = _LEADING.match(text)
    if not match:
        return None
    rest = match.group("rest")
    number = text[: match.start("rest")].strip()
    return number, rest


# --- Points ----------------------------------------------------------------------------

_NUMBER = r"(\d{1,4}(?:[.,]\d{1,4})?)"
_POINTS_ONLY = re.compile(rf"^\(?\s*(?:toi da\s*)?{_NUMBER}\s*(?:d|diem)?\s*\)?\.?$")
_PER_ITEM = re.compile(rf"{_NUMBER}\s*(?:d|diem)\s*/\s*(?:01\s+|1\s+|moi\s+)?[a-z]")
_PER_EACH = re.compile(
    rf"\bmoi\s+(?:lan|truong hop|vu|vu viec|su viec|mo hinh|dien hinh|sang kien|de tai|"
    rf"nguoi|can bo|dong chi|tap the|ca nhan|don vi|dot|loi|sai pham|chuyen de|bai)\b"
    rf"[^0-9]{{0,40}}?{_NUMBER}\s*(?:d|diem)\b"
)
_CAP = re.compile(rf"\b(?:toi da|khong qua|nhieu nhat)\b[^0-9]{{0,40}}?{_NUMBER}\s*(?:d|diem)\b")
_DEDUCT = re.compile(rf"\btru\s+{_NUMBER}\s*(?:d|diem)\b")
_TITLE_POINTS = re.compile(
    r"\s*[(\[]\s*(?:t[ốo]i đa\s*|t[ốo]i da\s*)?(\d{1,4}(?:[.,]\d{1,2})?)\s*"
    r"(?:điểm|diem|đ|d)\s*[)\]]\s*[.:]?\s*$",
    re.IGNORECASE,
)


def decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def points_of(text: str) -> Decimal | None:
    """Points written alone in a cell: "8", "8,5", "8.5", "8 điểm", "(10đ)"."""
    match = _POINTS_ONLY.match(fold(text))
    return decimal(match.group(1)) if match else None


def per_item_of(text: str, *, deducted: bool = True) -> Decimal | None:
    """Points per item: "2 điểm/lần", "trừ 1 điểm/trường hợp", "mỗi lần cộng 0,5 điểm".
    With ``deducted`` false a phrase that takes points away ("chậm: trừ 2 điểm/lần", how a
    scorer lowers a criterion's points) is not one."""
    words = fold(text)
    for pattern in (_PER_ITEM, _PER_EACH):
        for match in pattern.finditer(words):
            before = words[max(0, match.start() - 12) : match.start(1)]
            if deducted or not re.search(r"\btru\b", before):
                return decimal(match.group(1))
    return None


def cap_of(text: str) -> Decimal | None:
    """A cap: "tối đa 5 điểm", "tối đa không quá 5 điểm", "không quá 10 điểm"."""
    match = _CAP.search(fold(text))
    return decimal(match.group(1)) if match else None


def deduct_of(text: str) -> Decimal | None:
    """A fixed deduction: "trừ 5 điểm"."""
    match = _DEDUCT.search(fold(text))
    return decimal(match.group(1)) if match else None


def title_points(title: str) -> tuple[str, Decimal | None]:
    """A title that ends with its points, "Công tác tham mưu (20 điểm)": the title without
    them and the points."""
    match = _TITLE_POINTS.search(title)
    if not match:
        return title, None
    return title[: match.start()].rstrip(" :-–"), decimal(match.group(1))


# --- What a section or a row is about ------------------------------------------------------

_SECTION = re.compile(
    r"^(?:phan\s+)?(?:(?:[a-z]|[ivx]+)\s*[.:)/-]?\s+)?(?:phan\s+|cac\s+|tieu chi\s+|nhom\s+)?"
    r"(?P<word>diem thuong|diem cong|cong diem|thuong diem|diem tru|tru diem)\b"
)


def section_kind(title: str) -> str | None:
    """ "bonus" for a section named Điểm thưởng / Điểm cộng, "deduction" for Điểm trừ, "veto"
    for a section of things that must not happen, else None."""
    words = bare(title)
    match = _SECTION.match(words)
    if match:
        word = match.group("word")
        return "deduction" if "tru" in word else "bonus"
    if words.startswith(("cac dieu kien", "dieu kien", "cac truong hop khong")) or (
        words.startswith(("cac noi dung", "cac tieu chi")) and "khong de xay ra" in words
    ):
        return "veto"
    return None


def must_not_happen(text: str) -> bool:
    return "khong de xay ra" in bare(text)
