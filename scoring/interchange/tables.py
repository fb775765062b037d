"""``thidua.scoretable/1``: check, import (and publish) and export a score table."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clusters.enums import PeriodKind
from clusters.models import Campaign, Cluster
from scoring import engine, services
from scoring.enums import CriterionKind, TableStatus
from scoring.interchange.common import (
    FORMAT_SCORETABLE,
    Checker,
    campaign_from_file,
    check_head,
    decimal_text,
    file_call,
    show,
    type_name,
)
from scoring.models import Criterion, ScoreTable
from scoring.periods import six_month_of


def _file_key(name: str) -> str:
    """A parameter's key in a file: the engine's name, but "max" for max_points."""
    return "max" if name == "max_points" else name


# Keys of a criterion that apply to each kind (besides code, title, kind and guidance): the
# engine's parameters of the kind (engine.KIND_PARAMETERS) by their keys, and a group's
# children; then the ones among them a file must give.
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    kind: tuple(map(_file_key, names)) + (("children",) if kind == CriterionKind.GROUP else ())
    for kind, names in engine.KIND_PARAMETERS.items()
}
_KIND_REQUIRED: dict[str, tuple[str, ...]] = {
    CriterionKind.GROUP: ("max", "children"),
    CriterionKind.COUNT: ("max", "per_item"),
    CriterionKind.TARGET: ("max", "metric", "method"),
    CriterionKind.VETO: (),
}
_CRITERION_KEYS = (
    "code",
    "title",
    "kind",
    *map(_file_key, engine.PARAMETERS),
    "guidance",
    "children",
)
# File key → model field, for the decimal parameters.
_DECIMAL_KEYS = {
    "max": "max_points",
    "per_item": "per_item",
    "target": "target",
    "deduct": "deduct",
}
_CHOICE_KEYS = {
    "metric": sorted(engine.METRICS),
    "method": sorted(engine.METHODS),
    "direction": sorted(engine.DIRECTIONS),
}


@dataclass
class TablePlan:
    """A checked ``thidua.scoretable/1`` document: what :func:`scoretable_import` stores.
    ``document`` is the file in the exact shape :func:`scoretable_export` writes, to tell
    whether a stored table is the same; ``labels`` maps codes to their place in the file."""

    campaign: Campaign
    clusters: list[Cluster]
    title: str
    bonus_cap: Decimal | None
    bands: list[dict[str, str]]
    criteria: list[services.CriterionData]
    document: dict
    labels: dict[str, str] = field(default_factory=dict)


def _criterion_label(path: str, code: Any) -> str:
    if isinstance(code, str) and code.strip():
        return _('%(path)s (code "%(code)s")') % {"path": path, "code": code.strip()}
    return path


def _check_criteria(
    check: Checker, raw: Any, path: str, labels: dict[str, str]
) -> list[services.CriterionData]:
    """The criteria of one level of the tree, checked, with their children."""
    if not isinstance(raw, list):
        check.add(path, _("must be a list, not %(type)s") % {"type": type_name(raw)})
        return []
    result: list[services.CriterionData] = []
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        label = _criterion_label(where, item.get("code") if isinstance(item, dict) else None)
        if not isinstance(item, dict):
            check.add(label, _("must be an object, not %(type)s") % {"type": type_name(item)})
            continue
        ok = check.keys(label, item, ("code", "title", "kind"), _CRITERION_KEYS[3:])
        code = check.text(label, item, "code")
        if code is not None:
            if code in labels:
                check.add(
                    label,
                    _('the code "%(code)s" is already used by %(other)s')
                    % {"code": code, "other": labels[code]},
                )
                ok = False
            else:
                labels[code] = label
            ok = check.field(label, "code", Criterion, "code", code) and ok
        title = check.text(label, item, "title")
        guidance = check.text(label, item, "guidance", required=False)
        kind = check.text(label, item, "kind")
        if kind is not None and kind not in _KIND_KEYS:
            check.add(
                label,
                _('kind "%(kind)s" is not one of %(kinds)s')
                % {"kind": kind, "kinds": ", ".join(_KIND_KEYS)},
            )
            kind = None
        ok = ok and None not in (code, title, guidance, kind)
        values: dict[str, Any] = {}
        if kind is not None:
            applies = _KIND_KEYS[kind]
            for key in _KIND_REQUIRED.get(kind, ("max",)):
                if key not in item:
                    check.add(
                        label,
                        _('the key "%(key)s" is missing (a %(kind)s criterion needs it)')
                        % {"key": key, "kind": kind},
                    )
                    ok = False
                elif item[key] is None:
                    check.add(label, _("%(key)s must not be null") % {"key": key})
                    ok = False
            for key in _CRITERION_KEYS[3:]:
                if key == "guidance" or item.get(key) is None:
                    continue
                if key not in applies:
                    check.add(
                        label,
                        _('"%(key)s" does not apply to a %(kind)s criterion')
                        % {"key": key, "kind": kind},
                    )
                    ok = False
                    continue
                value = item[key]
                if key in _DECIMAL_KEYS:
                    number = check.decimal(label, key, value)
                    ok = (
                        number is not None
                        and check.field(label, key, Criterion, _DECIMAL_KEYS[key], number)
                        and ok
                    )
                    values[_DECIMAL_KEYS[key]] = number
                elif key in _CHOICE_KEYS:
                    if value not in _CHOICE_KEYS[key]:
                        check.add(
                            label,
                            _("%(key)s must be one of %(choices)s, not %(value)s")
                            % {
                                "key": key,
                                "choices": ", ".join(_CHOICE_KEYS[key]),
                                "value": show(value),
                            },
                        )
                        ok = False
                    values[key] = value
                elif key == "max_band":
                    band = check.text(label, item, key)
                    ok = band is not None and check.field(label, key, Criterion, key, band) and ok
                    values[key] = band
                elif key == "excludes_leading":
                    ok = check.boolean(label, key, value) is not None and ok
                    values[key] = value
        children: list[services.CriterionData] = []
        if kind == CriterionKind.GROUP and item.get("children") is not None:
            children = _check_criteria(check, item["children"], f"{where}.children", labels)
        if ok:
            result.append(
                services.CriterionData(
                    code=code,
                    title=title,
                    kind=kind,
                    guidance=guidance,
                    children=tuple(children),
                    **values,
                )
            )
    return result


def _check_bands(check: Checker, raw: Any) -> list[dict[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add("bands", _("must be a list, not %(type)s") % {"type": type_name(raw)})
        return []
    bands = []
    for index, item in enumerate(raw):
        where = f"bands[{index}]"
        if not check.keys(where, item, ("label", "min")):
            continue
        label = check.text(where, item, "label")
        minimum = check.decimal(where, "min", item["min"])
        if label is None or minimum is None:
            continue
        if check.field(where, "label", Criterion, "max_band", label) and check.field(
            where, "min", ScoreTable, "bonus_cap", minimum
        ):
            bands.append({"label": label, "min": decimal_text(minimum)})
    return bands


def scoretable_read(data: Any, *, source: str = "-", organiser: str | None = None) -> TablePlan:
    """Check a decoded ``thidua.scoretable/1`` document against the format and the
    database, writing nothing. Raises :class:`ScoringFileError` with every problem.

    Structure, types and the model's field limits are checked here; the table's own rules
    (group maxima, parameters a kind needs, bands) are ``engine.check_table``'s and are
    checked when the table is published.
    """
    check = Checker(source)
    year = check_head(
        check,
        data,
        FORMAT_SCORETABLE,
        ("year", "clusters", "title", "criteria"),
        ("bonus_cap", "bands"),
    )
    campaign = campaign_from_file(check, data, year, organiser)
    title = check.text("title", data, "title") if "title" in data else None
    if title is not None:
        check.field("title", "title", ScoreTable, "title", title)
    bonus_cap = None
    if data.get("bonus_cap") is not None:
        bonus_cap = check.decimal("bonus_cap", "bonus_cap", data["bonus_cap"])
        if bonus_cap is not None:
            check.field("bonus_cap", "bonus_cap", ScoreTable, "bonus_cap", bonus_cap)
    bands = _check_bands(check, data.get("bands"))

    clusters: list[Cluster] = []
    raw_clusters = data.get("clusters", [])
    if not isinstance(raw_clusters, list):
        check.add("clusters", _("must be a list, not %(type)s") % {"type": type_name(raw_clusters)})
        raw_clusters = []
    stored = {}
    if campaign is not None:
        stored = {c.code: c for c in campaign.clusters.all()}
    seen: set[str] = set()
    for index, code in enumerate(raw_clusters):
        where = f"clusters[{index}]"
        if not isinstance(code, str) or not code.strip():
            check.add(where, _("must be a cluster code, not %(value)s") % {"value": show(code)})
        elif code.strip() in seen:
            check.add(where, _('lists the cluster "%(code)s" twice') % {"code": code.strip()})
        elif campaign is not None and code.strip() not in stored:
            check.add(
                where,
                _('the campaign %(year)d has no cluster with the code "%(code)s"')
                % {"year": campaign.year, "code": code.strip()},
            )
        else:
            seen.add(code.strip())
            if campaign is not None:
                clusters.append(stored[code.strip()])

    labels: dict[str, str] = {}
    criteria = _check_criteria(check, data.get("criteria", []), "criteria", labels)
    check.raise_if_any()
    clusters.sort(key=lambda c: c.number)
    plan = TablePlan(
        campaign=campaign,
        clusters=clusters,
        title=title,
        bonus_cap=bonus_cap,
        bands=bands,
        criteria=criteria,
        document={},
        labels=labels,
    )
    plan.document = _table_document(
        campaign, [c.code for c in clusters], title, bonus_cap, bands, criteria
    )
    return plan


def _criterion_document(criterion: services.CriterionData) -> dict:
    """One criterion as files write it: the keys of its kind only, None values left out."""
    doc: dict[str, Any] = {"code": criterion.code, "title": criterion.title, "kind": criterion.kind}
    if criterion.guidance:
        doc["guidance"] = criterion.guidance
    model_values = {
        "max": decimal_text(criterion.max_points),
        "per_item": decimal_text(criterion.per_item),
        "metric": criterion.metric or None,
        "direction": criterion.direction,
        "method": criterion.method or None,
        "target": decimal_text(criterion.target),
        "deduct": decimal_text(criterion.deduct),
        "max_band": criterion.max_band or None,
        "excludes_leading": criterion.excludes_leading,
    }
    for key in _KIND_KEYS.get(criterion.kind, ()):
        if key == "children":
            doc["children"] = [_criterion_document(child) for child in criterion.children]
        elif model_values[key] is not None:
            doc[key] = model_values[key]
    return doc


def _table_document(
    campaign: Campaign,
    cluster_codes: list[str],
    title: str,
    bonus_cap: Decimal | None,
    bands: list[dict],
    criteria: list[services.CriterionData],
) -> dict:
    return {
        "format": FORMAT_SCORETABLE,
        "organiser": campaign.organiser.code,
        "year": campaign.year,
        "clusters": cluster_codes,
        "title": title,
        "bonus_cap": decimal_text(bonus_cap),
        "bands": [
            {"label": b["label"], "min": decimal_text(Decimal(str(b["min"])))} for b in bands
        ],
        "criteria": [_criterion_document(c) for c in criteria],
    }


def table_tree(table: ScoreTable) -> list[services.CriterionData]:
    """``table``'s criteria as a tree of CriterionData, children in reading order."""
    rows = list(table.criteria.order_by("position", "pk"))
    children: dict[int | None, list[Criterion]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def build(parent_id: int | None) -> tuple[services.CriterionData, ...]:
        return tuple(
            services.CriterionData(
                code=c.code,
                title=c.title,
                kind=c.kind,
                guidance=c.guidance,
                max_points=c.max_points,
                per_item=c.per_item,
                metric=c.metric,
                direction=c.direction,
                method=c.method,
                target=c.target,
                deduct=c.deduct,
                max_band=c.max_band,
                excludes_leading=c.excludes_leading,
                children=build(c.pk),
            )
            for c in children.get(parent_id, [])
        )

    return list(build(None))


def scoretable_export(table: ScoreTable) -> dict:
    """``table`` as a ``thidua.scoretable/1`` document (three queries plus the campaign's,
    unless it was selected with the table)."""
    campaign = table.campaign
    codes = list(table.clusters.order_by("number").values_list("code", flat=True))
    return _table_document(
        campaign, codes, table.title, table.bonus_cap, table.bands or [], table_tree(table)
    )


@dataclass
class TableImportSummary:
    """What an import of a table did. ``action`` is "created" (a first version),
    "replaced" (the draft's content), "new_version" or "unchanged"; ``problems`` lists what
    would stop a draft from being published."""

    table: ScoreTable
    action: str
    published: bool
    problems: list[str] = field(default_factory=list)
    checks: list[services.TableCheck] = field(default_factory=list)


def scoretable_import(
    data: Any,
    *,
    source: str = "-",
    organiser: str | None = None,
    publish: bool = True,
    period: str = PeriodKind.YEAR_END,
) -> TableImportSummary:
    """Store a ``thidua.scoretable/1`` document, then publish the table unless
    ``publish`` is false; all or nothing (a table that cannot be published is not stored).
    A new title becomes a table of ``period`` (a PeriodKind: the campaign's six-month review
    where asked, refused when the campaign has none); a next version keeps its previous
    one's review.

    The title names the table in its campaign. No table of that title: version 1 is
    created. Its newest version a draft: the draft's criteria, bands, bonus cap and clusters
    are replaced by the file's. Its newest version published: when the file describes
    exactly that table nothing changes; otherwise the next version is created from the file
    (``previous`` pointing to the published one, unit targets carried over by code).
    A draft's ``problems`` (lines) and ``checks`` (each with the criterion it concerns) are
    what would stop it from being published, in the user's language.
    """
    with transaction.atomic():
        plan = scoretable_read(data, source=source, organiser=organiser)
        check = Checker(source)
        review = None
        if period == PeriodKind.SIX_MONTH:
            review = six_month_of(plan.campaign)
            if review is None:
                check.add(
                    "period",
                    _("the campaign %(year)s has no six-month review")
                    % {"year": plan.campaign.year},
                )
                check.raise_if_any()
        latest = (
            ScoreTable.objects.filter(campaign=plan.campaign, title=plan.title)
            .select_related("campaign__organiser")
            .order_by("-version")
            .first()
        )
        tree = {
            "criteria": plan.criteria,
            "clusters": plan.clusters,
            "bands": plan.bands,
            "bonus_cap": plan.bonus_cap,
        }
        if latest is not None and scoretable_export(latest) == plan.document:
            table, action = latest, "unchanged"
        elif latest is None or latest.status == TableStatus.PUBLISHED:
            table = file_call(
                check,
                "title",
                services.table_create_from_tree,
                campaign=plan.campaign,
                title=plan.title,
                previous=latest,
                period=review,
                **tree,
            )
            action = "created" if latest is None else "new_version"
        else:
            table = file_call(check, "title", services.table_replace_tree, table=latest, **tree)
            action = "replaced"
        summary = TableImportSummary(table=table, action=action, published=table.is_published)
        checks = services.table_checks(table) if not table.is_published else []
        if publish and not table.is_published:
            if checks:
                for problem in checks:
                    if problem.criterion in plan.labels:
                        check.add(plan.labels[problem.criterion], problem.message)
                    else:
                        check.add(_("table"), str(problem))
                check.raise_if_any()
            file_call(check, "title", services.table_publish, table=table)
            summary.published = True
        else:
            summary.problems = [str(problem) for problem in checks]
            summary.checks = checks
    return summary
