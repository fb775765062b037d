"""Reading and checking a thidua.organization/1 document: every problem found at once,
each naming its record; nothing is written here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clusters.enums import ClusterKind, Phase, UnitKind
from clusters.models import Campaign, Cluster, Unit
from clusters.services import organisation as organisation_services

FORMAT = "thidua.organization/1"
T = TypeVar("T")

# Keys each object may carry: required ones first, then optional ones.
_TOP_REQUIRED = ("format", "year", "campaign", "units", "clusters")
_TOP_OPTIONAL = ("organiser",)
_ORGANISER_REQUIRED = ("code", "name")
_ORGANISER_OPTIONAL = ("place",)
_CAMPAIGN_REQUIRED = ("name",)
_CAMPAIGN_OPTIONAL = ("slogan",)
_UNIT_REQUIRED = ("code", "name", "kind")
_UNIT_OPTIONAL = ("short_name",)
_CLUSTER_REQUIRED = ("code", "name", "leader", "deputy", "members")
_CLUSTER_OPTIONAL = ("number", "description", "kind")

# Kind given to an organiser that the file creates.
ORGANISER_KIND = UnitKind.PROVINCE


class OrganizationFileError(Exception):
    """A file that cannot be imported; ``errors`` holds one readable message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class UnitRecord:
    """One entry of ``units``, checked."""

    label: str
    code: str
    name: str
    short_name: str
    kind: str


@dataclass(frozen=True)
class ClusterRecord:
    """One entry of ``clusters``, checked; ``number`` is filled in from the file's order."""

    label: str
    code: str
    number: int
    name: str
    description: str
    leader: str | None
    deputy: str | None
    members: list[str]
    kind: str = "cluster"


@dataclass
class OrganizationPlan:
    """A file that passed every check: what :func:`organization_import` will write.

    ``organiser_code`` is None for the installation's default organiser; ``organiser_name``
    is None when the file does not name the organiser (``--organiser`` or the default).
    ``existing`` maps the codes the file uses to the units already in the database.
    """

    year: int
    organiser_code: str | None
    organiser_name: str | None
    campaign_name: str
    campaign_slogan: str
    units: list[UnitRecord]
    clusters: list[ClusterRecord]
    existing: dict[str, Unit] = field(default_factory=dict)
    # The organiser's place name (Unit.place) where the file gives one; None: left as it is.
    organiser_place: str | None = None


@dataclass
class ImportSummary:
    """What an import did, for the command to report."""

    organiser: Unit
    campaign: Campaign
    campaign_created: bool
    units_created: list[str] = field(default_factory=list)
    units_updated: list[str] = field(default_factory=list)
    units_unchanged: list[str] = field(default_factory=list)
    clusters_created: list[str] = field(default_factory=list)
    clusters_updated: list[str] = field(default_factory=list)
    memberships: int = 0
    # (unit code, cluster code before, cluster code now)
    moved: list[tuple[str, str, str]] = field(default_factory=list)
    # Clusters of the campaign that the file does not list: kept as they are.
    kept_clusters: list[str] = field(default_factory=list)


def show(value: Any) -> str:
    """A value as it was written in the file, for messages (shared by every file format)."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def type_name(value: Any) -> str:
    """What kind of JSON value ``value`` is, in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float | Decimal):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


def validation_messages(exc: ValidationError) -> list[str]:
    """``exc`` as "field: message" lines (or bare messages where no field is named)."""
    if hasattr(exc, "error_dict"):
        return [
            message if name == "__all__" else f"{name}: {message}"
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return list(exc.messages)


class _Checker:
    """Collects the problems of one file; every message starts with the record's label."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, label: str, message: str) -> None:
        self.errors.append(_("%(record)s: %(message)s") % {"record": label, "message": message})

    def obj(self, label: str, value: Any, required: tuple, optional: tuple = ()) -> bool:
        """Check that ``value`` is an object with the required keys and no others."""
        if not isinstance(value, dict):
            self.add(label, _("must be an object, not %(type)s") % {"type": type_name(value)})
            return False
        ok = True
        for key in required:
            if key not in value:
                self.add(label, _('the key "%(key)s" is missing') % {"key": key})
                ok = False
        allowed = (*required, *optional)
        for key in value:
            if key not in allowed:
                self.add(
                    label,
                    _('unknown key "%(key)s" (allowed: %(allowed)s)')
                    % {"key": key, "allowed": ", ".join(allowed)},
                )
                ok = False
        return ok

    def text(
        self, label: str, obj: dict, key: str, *, required: bool = True, nullable: bool = False
    ) -> str | None:
        """The stripped text under ``key``; None (after reporting) when it is not usable."""
        if key not in obj:
            return None if required else ""
        value = obj[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.add(
                label,
                _("%(key)s must be text, not %(type)s") % {"key": key, "type": type_name(value)},
            )
            return None
        value = value.strip()
        if required and not value:
            self.add(label, _("%(key)s must not be empty") % {"key": key})
            return None
        return value

    def fields(self, label: str, instance: Any, names: list[str]) -> None:
        """Run the model's own field checks (lengths, choices) on an unsaved instance."""
        exclude = [f.name for f in instance._meta.concrete_fields if f.name not in names]
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as exc:
            for message in validation_messages(exc):
                self.add(label, message)


def _unit_label(index: int, code: Any) -> str:
    if isinstance(code, str) and code.strip():
        return _('units[%(index)d] (code "%(code)s")') % {"index": index, "code": code.strip()}
    return f"units[{index}]"


def _cluster_label(index: int, code: Any) -> str:
    if isinstance(code, str) and code.strip():
        return _('clusters[%(index)d] (code "%(code)s")') % {"index": index, "code": code.strip()}
    return f"clusters[{index}]"


def _check_year(check: _Checker, data: dict) -> int | None:
    if "year" not in data:
        return None
    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        check.add(
            "year",
            _("must be a whole number from 2000 to 2100, not %(value)s") % {"value": show(year)},
        )
        return None
    return year


def _check_units(
    check: _Checker, raw: Any, organiser_code: str | None
) -> tuple[list[UnitRecord], set[str] | None]:
    """The unit records that passed, and every code the file declares, so that a unit
    with a wrong kind does not also make each cluster listing it fail; None when some
    entry has no usable code (then members cannot be told apart from typos)."""
    if not isinstance(raw, list):
        check.add("units", _("must be a list, not %(type)s") % {"type": type_name(raw)})
        return [], None
    complete = True
    records: list[UnitRecord] = []
    seen: dict[str, str] = {}
    kinds = ", ".join(UnitKind.values)
    for index, item in enumerate(raw):
        label = _unit_label(index, item.get("code") if isinstance(item, dict) else None)
        check.obj(label, item, _UNIT_REQUIRED, _UNIT_OPTIONAL)
        if not isinstance(item, dict):
            complete = False
            continue
        code = check.text(label, item, "code")
        complete = complete and code is not None
        name = check.text(label, item, "name")
        short_name = check.text(label, item, "short_name", required=False)
        kind = check.text(label, item, "kind")
        if kind is not None and kind not in UnitKind.values:
            check.add(
                label,
                _('kind "%(kind)s" is not one of %(kinds)s') % {"kind": kind, "kinds": kinds},
            )
            kind = None
        if code is not None:
            if code in seen:
                check.add(
                    label,
                    _('the code "%(code)s" is already used by %(other)s')
                    % {"code": code, "other": seen[code]},
                )
                code = None
            else:
                seen[code] = label
        if code is not None and code == organiser_code:
            check.add(label, _("is the organiser, which cannot be a unit of its own clusters"))
            code = None
        check.fields(
            label,
            Unit(code=code or "X", name=name or "X", short_name=short_name or ""),
            ["code", "name", "short_name"],
        )
        if None not in (code, name, short_name, kind):
            records.append(UnitRecord(label, code, name, short_name, kind))
    return records, set(seen) if complete else None


def _check_member_code(check: _Checker, label: str, key: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        check.add(
            label,
            _("%(key)s must be a unit code, not %(value)s") % {"key": key, "value": show(value)},
        )
        return None
    return value.strip()


def _check_clusters(
    check: _Checker, raw: Any
) -> tuple[list[ClusterRecord], list[tuple[str, list[str]]]]:
    """The cluster records that passed, and the (label, member codes) of every cluster,
    so that the members of a cluster with other errors are checked too."""
    if not isinstance(raw, list):
        check.add("clusters", _("must be a list, not %(type)s") % {"type": type_name(raw)})
        return [], []
    records: list[ClusterRecord] = []
    listed: list[tuple[str, list[str]]] = []
    codes: dict[str, str] = {}
    numbers: dict[int, str] = {}
    placed: dict[str, str] = {}
    for index, item in enumerate(raw):
        label = _cluster_label(index, item.get("code") if isinstance(item, dict) else None)
        check.obj(label, item, _CLUSTER_REQUIRED, _CLUSTER_OPTIONAL)
        if not isinstance(item, dict):
            continue
        ok = True
        code = check.text(label, item, "code")
        name = check.text(label, item, "name")
        description = check.text(label, item, "description", required=False)
        kind = item.get("kind", ClusterKind.CLUSTER)
        if kind not in ClusterKind.values:
            check.add(
                label,
                _("kind must be %(kinds)s, not %(value)s")
                % {"kinds": " or ".join(f'"{k}"' for k in ClusterKind.values), "value": show(kind)},
            )
            ok = False
        if code is not None:
            if code in codes:
                check.add(
                    label,
                    _('the code "%(code)s" is already used by %(other)s')
                    % {"code": code, "other": codes[code]},
                )
                ok = False
            else:
                codes[code] = label
        number = item.get("number", index + 1)
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 32767:
            check.add(
                label,
                _("number must be a whole number from 1 to 32767, not %(value)s")
                % {"value": show(number)},
            )
            number = None
        elif number in numbers:
            check.add(
                label,
                _("number %(number)d is already used by %(other)s")
                % {"number": number, "other": numbers[number]},
            )
            number = None
        else:
            numbers[number] = label
        check.fields(
            label,
            Cluster(code=code or "X", name=name or "X", number=1, description=description or ""),
            ["code", "name", "description"],
        )

        members: list[str] = []
        raw_members = item.get("members")
        # Without a list of members, leader and deputy cannot be checked against it.
        members_ok = isinstance(raw_members, list)
        if raw_members is None:
            ok = False  # reported as a missing key
            raw_members = []
        elif not members_ok:
            check.add(
                label,
                _("members must be a list of unit codes, not %(type)s")
                % {"type": type_name(raw_members)},
            )
            ok = False
            raw_members = []
        for value in raw_members:
            member = _check_member_code(check, label, "members", value)
            if member is None:
                ok = False
            elif member in members:
                check.add(label, _('lists the unit "%(unit)s" twice') % {"unit": member})
            elif member in placed:
                check.add(
                    label,
                    _('the unit "%(unit)s" is already a member of %(other)s')
                    % {"unit": member, "other": placed[member]},
                )
                ok = False
            else:
                members.append(member)
                placed[member] = label
        listed.append((label, members))

        heads: dict[str, str | None] = {}
        for key in ("leader", "deputy"):
            value = item.get(key)
            if value is None:
                heads[key] = None
                continue
            head = _check_member_code(check, label, key, value)
            if head is None:
                ok = False
            elif members_ok and head not in members:
                check.add(
                    label,
                    _('%(key)s "%(unit)s" is not among its members') % {"key": key, "unit": head},
                )
                ok = False
            heads[key] = head
        if heads.get("leader") and heads.get("leader") == heads.get("deputy"):
            check.add(
                label,
                _('the same unit "%(unit)s" cannot be both leader and deputy')
                % {"unit": heads["leader"]},
            )
            ok = False
        if ok and None not in (code, name, number, description):
            records.append(
                ClusterRecord(
                    label,
                    code,
                    number,
                    name,
                    description,
                    heads.get("leader"),
                    heads.get("deputy"),
                    members,
                    kind,
                )
            )
    return records, listed


def organization_validate(data: Any, *, organiser_code: str | None = None) -> OrganizationPlan:
    """Check a decoded ``thidua.organization/1`` document against the format and the
    database, writing nothing. ``organiser_code`` (the ``--organiser`` option) names the
    organiser when the file does not; a file naming another one is refused.

    Raises :class:`OrganizationFileError` with every problem found.
    """
    check = _Checker()
    if not isinstance(data, dict):
        raise OrganizationFileError(
            [_("The file must hold a JSON object, not %(type)s.") % {"type": type_name(data)}]
        )
    check.obj(_("file"), data, _TOP_REQUIRED, _TOP_OPTIONAL)
    if "format" in data and data["format"] != FORMAT:
        check.add(
            "format",
            _('must be "%(expected)s", not %(value)s')
            % {"expected": FORMAT, "value": show(data["format"])},
        )
    year = _check_year(check, data)

    # The organiser: the file's, else the option's, else the installation's default.
    organiser_name: str | None = None
    file_organiser: str | None = None
    organiser_place: str | None = None
    if "organiser" in data and check.obj(
        "organiser", data["organiser"], _ORGANISER_REQUIRED, _ORGANISER_OPTIONAL
    ):
        file_organiser = check.text("organiser", data["organiser"], "code")
        organiser_name = check.text("organiser", data["organiser"], "name")
        if "place" in data["organiser"]:
            organiser_place = check.text("organiser", data["organiser"], "place", required=False)
        check.fields(
            "organiser",
            Unit(
                code=file_organiser or "X", name=organiser_name or "X", place=organiser_place or ""
            ),
            ["code", "name", "place"],
        )
    if file_organiser and organiser_code and file_organiser != organiser_code:
        check.add(
            "organiser",
            _('the file names "%(file)s" but the command was given "%(option)s"')
            % {"file": file_organiser, "option": organiser_code},
        )
    organiser = file_organiser or organiser_code
    if organiser and not file_organiser and not Unit.objects.filter(code=organiser).exists():
        check.add("organiser", _('there is no unit with the code "%(code)s"') % {"code": organiser})
    lookup_organiser = organiser or organisation_services.DEFAULT_ORGANISER_CODE

    campaign_name = campaign_slogan = None
    if "campaign" in data and check.obj(
        "campaign", data["campaign"], _CAMPAIGN_REQUIRED, _CAMPAIGN_OPTIONAL
    ):
        campaign_name = check.text("campaign", data["campaign"], "name")
        campaign_slogan = check.text("campaign", data["campaign"], "slogan", required=False)
        check.fields(
            "campaign",
            Campaign(name=campaign_name or "X", slogan=campaign_slogan or ""),
            ["name", "slogan"],
        )

    units, file_codes = _check_units(check, data.get("units", []), lookup_organiser)
    clusters, listed_members = _check_clusters(check, data.get("clusters", []))

    # Against the database: member codes must name units, active that year.
    wanted = (
        (file_codes or set())
        | {m for _label, ms in listed_members for m in ms}
        | {lookup_organiser}
    )
    existing = {u.code: u for u in Unit.objects.filter(code__in=wanted).select_related("parent")}
    for label, members in listed_members:
        for member in members:
            if member == lookup_organiser:
                check.add(
                    label,
                    _('the organiser "%(unit)s" cannot be a member of its own clusters')
                    % {"unit": member},
                )
            elif file_codes is not None and member not in file_codes and member not in existing:
                check.add(
                    label,
                    _('member "%(unit)s" is not a unit of the file nor of the database')
                    % {"unit": member},
                )
            elif member in existing:
                unit = existing[member]
                if not unit.is_active and year is not None and unit.deactivated_on.year <= year:
                    check.add(
                        label,
                        _(
                            'member "%(unit)s" was dissolved or merged on %(date)s and cannot '
                            "be in a cluster in %(year)d"
                        )
                        % {
                            "unit": member,
                            "date": unit.deactivated_on.strftime("%d/%m/%Y"),
                            "year": year,
                        },
                    )

    # Against the campaign already stored, if there is one.
    campaign = None
    if year is not None and lookup_organiser in existing:
        campaign = Campaign.objects.filter(organiser=existing[lookup_organiser], year=year).first()
    if campaign is not None:
        if campaign.phase == Phase.PUBLISHED:
            check.add(
                "year",
                _(
                    "the %(year)d campaign of %(organiser)s has published results; "
                    "its organisation can no longer change"
                )
                % {"year": year, "organiser": lookup_organiser},
            )
        listed = {c.code for c in clusters}
        kept = {
            number: code
            for number, code in campaign.clusters.values_list("number", "code")
            if code not in listed
        }
        for cluster in clusters:
            if cluster.number in kept:
                check.add(
                    cluster.label,
                    _(
                        'number %(number)d is used by the stored cluster "%(other)s", '
                        "which the file does not list"
                    )
                    % {"number": cluster.number, "other": kept[cluster.number]},
                )

    if check.errors:
        raise OrganizationFileError(check.errors)
    return OrganizationPlan(
        year=year,
        organiser_code=organiser,
        organiser_name=organiser_name,
        organiser_place=organiser_place,
        campaign_name=campaign_name,
        campaign_slogan=campaign_slogan,
        units=units,
        clusters=clusters,
        existing=existing,
    )
