"""What the scoring files share: the error that carries every problem, JSON read with
Decimal numbers, decimals written as text, and the checker whose every message reads
``FILE: where: what``."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusters.interchange.reading import show, type_name, validation_messages
from clusters.models import Campaign
from clusters.services.organisation import DEFAULT_ORGANISER_CODE

FORMAT_SCORETABLE = "thidua.scoretable/1"
FORMAT_SCORES = "thidua.scores/1"
FORMAT_RESULTS = "thidua.results/1"

_CENT = Decimal("0.01")


class ScoringFileError(Exception):
    """A file that cannot be imported; ``errors`` holds one readable line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def refused(source: str, errors: list[str]) -> str:
    """The text a command shows when it refuses a file: a header, then one line per error."""
    count = len(errors)
    header = ngettext(
        "%(file)s was not imported, nothing was stored: %(count)d error.",
        "%(file)s was not imported, nothing was stored: %(count)d errors.",
        count,
    ) % {"file": source, "count": count}
    return "\n".join([header, *("  - " + error for error in errors)])


# --- Reading and writing values --------------------------------------------------------


def read_json(path: str | Path) -> Any:
    """The JSON document in ``path`` (UTF-8, with or without BOM), numbers with a fraction
    decoded as Decimal. Raises :class:`ScoringFileError` when it cannot be read, is not
    JSON, repeats a key in one object or holds NaN/Infinity."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoringFileError(
            [_("%(file)s: cannot be read (%(error)s)") % {"file": name, "error": exc}]
        ) from exc
    return parse_json(text, source=name)


def parse_json(text: str, *, source: str = "-") -> Any:
    """Decode ``text`` as :func:`read_json` does."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in items:
            if key in obj:
                repeated.append(key)
            obj[key] = value
        return obj

    def constant(name: str) -> Any:
        raise ValueError(name)

    try:
        data = json.loads(
            text, parse_float=Decimal, object_pairs_hook=pairs, parse_constant=constant
        )
    except json.JSONDecodeError as exc:
        raise ScoringFileError(
            [
                _("%(file)s: not valid JSON: %(error)s (line %(line)d, column %(column)d)")
                % {"file": source, "error": exc.msg, "line": exc.lineno, "column": exc.colno}
            ]
        ) from exc
    except ValueError as exc:
        raise ScoringFileError(
            [_("%(file)s: %(value)s is not a number JSON allows") % {"file": source, "value": exc}]
        ) from exc
    if repeated:
        raise ScoringFileError(
            [
                _('%(file)s: the key "%(key)s" appears twice in one object')
                % {"file": source, "key": key}
                for key in dict.fromkeys(repeated)
            ]
        )
    return data


def dumps(document: dict) -> str:
    """A document as the files write it: UTF-8 text, indented, ending with a newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as files write it: at least 2 decimals ("12.50"), more only where the
    value has them (a target of 66.6667 keeps its 4)."""
    if value is None:
        return None
    rounded = value.quantize(_CENT)
    if rounded == value:
        return f"{rounded:f}"
    return f"{value.normalize():f}"


class Checker:
    """Collects the problems of one file; every line is ``FILE: where: what``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.errors.append(
            _("%(file)s: %(where)s: %(message)s")
            % {"file": self.source, "where": where, "message": message}
        )

    def raise_if_any(self) -> None:
        if self.errors:
            raise ScoringFileError(self.errors)

    def keys(self, where: str, value: Any, required: tuple, optional: tuple = ()) -> bool:
        """Check that ``value`` is an object with the required keys and no unknown ones."""
        if not isinstance(value, dict):
            self.add(where, _("must be an object, not %(type)s") % {"type": type_name(value)})
            return False
        ok = True
        for key in required:
            if key not in value:
                self.add(where, _('the key "%(key)s" is missing') % {"key": key})
                ok = False
        allowed = (*required, *optional)
        for key in value:
            if key not in allowed:
                self.add(
                    where,
                    _('unknown key "%(key)s" (allowed: %(allowed)s)')
                    % {"key": key, "allowed": ", ".join(allowed)},
                )
                ok = False
        return ok

    def text(self, where: str, obj: dict, key: str, *, required: bool = True) -> str | None:
        """The stripped text under ``key`` ("" when an optional key is absent or null);
        None, after reporting, when it is not usable."""
        if key not in obj:  # a missing required key is reported by keys()
            return None if required else ""
        value = obj[key]
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.add(
                where,
                _("%(key)s must be text, not %(type)s") % {"key": key, "type": type_name(value)},
            )
            return None
        value = value.strip()
        if required and not value:
            self.add(where, _("%(key)s must not be empty") % {"key": key})
            return None
        return value

    def decimal(self, where: str, key: str, value: Any) -> Decimal | None:
        """``value`` (a JSON number or a string) as a finite Decimal; None after reporting."""
        number: Decimal | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, Decimal):
            number = value
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            self.add(
                where,
                _('%(key)s must be a decimal number (e.g. "12.50"), not %(value)s')
                % {"key": key, "value": show(value)},
            )
            return None
        return number

    def boolean(self, where: str, key: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.add(
                where,
                _("%(key)s must be true or false, not %(value)s")
                % {"key": key, "value": show(value)},
            )
            return None
        return value

    def field(self, where: str, key: str, model: type, name: str, value: Any) -> bool:
        """Run the model field's own checks (length, digits, decimals, bounds)."""
        try:
            model._meta.get_field(name).clean(value, None)
        except ValidationError as exc:
            for message in exc.messages:
                self.add(where, _("%(key)s: %(message)s") % {"key": key, "message": message})
            return False
        return True


def campaign_from_file(
    check: Checker, data: dict, year: int | None, option: str | None
) -> Campaign | None:
    """The campaign a file is about: the organiser the file names, else ``option``
    (``--organiser``), else the installation's default organiser; and the year."""
    file_organiser = None
    if data.get("organiser") is not None:
        file_organiser = check.text("organiser", data, "organiser")
    elif "organiser" in data:
        check.add("organiser", _("must be a unit code, not null"))
    if file_organiser and option and file_organiser != option:
        check.add(
            "organiser",
            _('the file names "%(file)s" but the command was given "%(option)s"')
            % {"file": file_organiser, "option": option},
        )
        return None
    code = file_organiser or option or DEFAULT_ORGANISER_CODE
    if year is None:
        return None
    campaign = (
        Campaign.objects.filter(organiser__code=code, year=year).select_related("organiser").first()
    )
    if campaign is None:
        check.add(
            "year",
            _('the organiser "%(organiser)s" has no campaign in %(year)d')
            % {"organiser": code, "year": year},
        )
    return campaign


def find_campaign(*, year: int, organiser: str | None = None) -> Campaign:
    """The campaign of ``organiser`` (default: the installation's default organiser) for
    ``year``; ValidationError with a readable message when there is none."""
    code = organiser or DEFAULT_ORGANISER_CODE
    campaign = (
        Campaign.objects.filter(organiser__code=code, year=year).select_related("organiser").first()
    )
    if campaign is None:
        others = Campaign.objects.filter(year=year).order_by("organiser__code")
        codes = ", ".join(others.values_list("organiser__code", flat=True)) or "-"
        raise ValidationError(
            _(
                'The organiser "%(organiser)s" has no campaign in %(year)d (organisers with '
                "one: %(others)s; choose with --organiser)."
            )
            % {"organiser": code, "year": year, "others": codes}
        )
    return campaign


def check_head(
    check: Checker, data: Any, expected: str, required: tuple, optional: tuple
) -> int | None:
    """Check the document's outer object and format; returns its year (or None)."""
    if not isinstance(data, dict):
        check.add(_("file"), _("must hold a JSON object, not %(type)s") % {"type": type_name(data)})
        check.raise_if_any()
    if data.get("format") != expected:
        check.add(
            "format",
            _('must be "%(expected)s", not %(value)s')
            % {"expected": expected, "value": show(data.get("format"))},
        )
    check.keys(_("file"), data, required, ("format", "organiser", *optional))
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        if "year" in data:
            check.add(
                "year",
                _("must be a whole number from 2000 to 2100, not %(value)s")
                % {"value": show(year)},
            )
        return None
    return year


def file_call(check: Checker, where: str, function: Callable, **kwargs: Any) -> Any:
    """Call a service; a refusal becomes the file's error (and rolls the import back)."""
    try:
        return function(**kwargs)
    except ValidationError as exc:
        for message in validation_messages(exc):
            check.add(where, message)
    except DatabaseError as exc:
        check.add(where, _("the database refused it (%(error)s)") % {"error": exc})
    check.raise_if_any()
    return None
