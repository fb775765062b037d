"""Text helpers for Vietnamese names."""

from __future__ import annotations

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func
from django.dispatch import receiver


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics, so "dak mil" matches "Đắk Mil".

    NFD splits letters from their tone and vowel marks; Đ/đ is a distinct letter in
    Unicode (not a D with a combining mark), so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


# --- The same fold in the database ------------------------------------------------------------
#
# Searching titles (criteria, activities, models) folds the stored text in the query itself,
# so a search needs no stored column and no extension (PostgreSQL's unaccent is not
# guaranteed on the server). The mapping is derived from ``fold`` above, so the rule lives
# once: every precomposed Vietnamese letter, upper and lower case, becomes its folded
# letter, and the combining marks of text stored decomposed are dropped. Folded search
# terms then match with LIKE: letters are all ASCII after the mapping, and both databases
# lower-case ASCII.

_LETTERS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
FOLD_MAP: tuple[tuple[str, str], ...] = tuple(
    (ch, fold(ch)) for ch in _LETTERS + _LETTERS.upper()
) + tuple((mark, "") for mark in _MARKS)


class Folded(Func):
    """``fold`` of a text column, in SQL (LOWER over a letter-by-letter translation):
    PostgreSQL's TRANSLATE (its characters without a counterpart are deleted); on SQLite
    ``fold`` itself, registered on every connection (below); nested REPLACE elsewhere.
    Compare with a folded term: ``Folded("title")`` contains
    ``fold(word)``. Whitespace is not collapsed: search word by word."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        params = list(params)
        for source, target in FOLD_MAP:
            sql = f"REPLACE({sql}, %s, %s)"
            params += [source, target]
        return f"LOWER({sql})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        sources = "".join(s for s, _ in FOLD_MAP)
        targets = "".join(t for _, t in FOLD_MAP)
        return f"LOWER(TRANSLATE({sql}, %s, %s))", [*params, sources, targets]

    def as_sqlite(self, compiler, connection, **extra_context):
        # 142 nested REPLACE overflow SQLite's parser stack: ask Python's fold instead.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"THIDUA_FOLD({sql})", params


def _fold_or_null(text):
    return None if text is None else fold(str(text))


@receiver(connection_created, dispatch_uid="clusters_text_fold_sqlite")
def _register_fold(sender, connection, **kwargs) -> None:
    """SQLite has no TRANSLATE: give it ``fold`` as the SQL function THIDUA_FOLD."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("THIDUA_FOLD", 1, _fold_or_null, deterministic=True)
