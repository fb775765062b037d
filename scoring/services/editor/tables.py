"""New tables (blank, copies, a published table's next version), a draft's own settings
and publishing it."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clusters.models import Campaign, Period, User
from scoring.enums import TableStatus
from scoring.models import Criterion, ScoreTable, UnitTarget
from scoring.services.editor.common import (
    _claim,
    _recorded,
)
from scoring.services.pledge_links import pledge_links_copy
from scoring.services.tables import next_version, table_publish

# --- New tables ---------------------------------------------------------------------------


def _check_new_title(campaign: Campaign, title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the table a title.")})
    if ScoreTable.objects.filter(campaign=campaign, title=title).exists():
        raise ValidationError(
            {
                "title": _(
                    "The campaign already has a table called “%(title)s”: choose another "
                    "title, or edit that table."
                )
                % {"title": title}
            }
        )
    return title


def _copy_criteria(source: ScoreTable, table: ScoreTable, user: User | None, reason: str):
    """Copy ``source``'s tree into ``table`` (parents first); {old id: new criterion}."""
    copied: dict[int, Criterion] = {}
    skip = {"id", "table", "parent"}
    fields = [f.name for f in Criterion._meta.concrete_fields if f.name not in skip]
    for old in source.criteria.order_by("position", "pk"):
        new = Criterion(
            table=table,
            parent=copied.get(old.parent_id),
            **{name: getattr(old, name) for name in fields},
        )
        _recorded(new, user, reason).save()
        copied[old.pk] = new
    return copied


@transaction.atomic
def table_create_blank(
    *, campaign: Campaign, user: User | None, title: str, period: Period | None = None
) -> ScoreTable:
    """A new, empty draft table of ``campaign`` for ``period`` (None: its year-end review)."""
    table = ScoreTable(campaign=campaign, period=period, title=_check_new_title(campaign, title))
    table.full_clean()
    _recorded(table, user, "created").save()
    return table


@transaction.atomic
def table_copy(
    *,
    source: ScoreTable,
    campaign: Campaign,
    user: User | None,
    title: str,
    period: Period | None = None,
) -> ScoreTable:
    """A new draft table of ``campaign`` for ``period`` (None: its year-end review) holding
    a copy of ``source``'s criteria, bands and bonus cap (another table of the campaign, or
    last year's). Clusters and the units' own targets are not copied: they belong to the
    table they were set for."""
    table = ScoreTable(
        campaign=campaign,
        period=period,
        title=_check_new_title(campaign, title),
        bands=list(source.bands or []),
        bonus_cap=source.bonus_cap,
    )
    table.full_clean()
    _recorded(table, user, "copied").save()
    _copy_criteria(source, table, user, "copied")
    return table


@transaction.atomic
def table_edit_published(*, table: ScoreTable, user: User | None) -> ScoreTable:
    """The draft to edit instead of a published ``table``: its next version (criteria,
    clusters and units' own targets copied, version + 1), or the draft already made from it.
    The published table and the sheets scored with it do not change."""
    if table.status == TableStatus.DRAFT:
        return table
    existing = table.next_versions.filter(status=TableStatus.DRAFT).order_by("-version").first()
    if existing is not None:
        return existing
    draft = ScoreTable(
        campaign_id=table.campaign_id,
        period_id=table.period_id,
        title=table.title,
        version=next_version(table.campaign_id, table.title),
        previous=table,
        bands=list(table.bands or []),
        bonus_cap=table.bonus_cap,
    )
    draft.full_clean()
    _recorded(draft, user, "new_version").save()
    draft.clusters.set(table.clusters.all())
    copied = _copy_criteria(table, draft, user, "new_version")
    UnitTarget.objects.bulk_create(
        UnitTarget(criterion=copied[t.criterion_id], unit_id=t.unit_id, target=t.target)
        for t in UnitTarget.objects.filter(criterion__table=table)
    )
    pledge_links_copy(source=table, target=draft)
    return draft


# --- The table's own settings ---------------------------------------------------------------


def _band_errors(bands: list[dict]) -> list[str]:
    errors: list[str] = []
    seen: set[str] = set()
    previous: Decimal | None = None
    for band in bands:
        label, minimum = band["label"], band["min"]
        if label in seen:
            errors.append(_("Two bands are called “%(label)s”.") % {"label": label})
        seen.add(label)
        if minimum < 0:
            errors.append(_("Band “%(label)s”: the minimum must not be negative.") % band)
        if previous is not None and minimum >= previous:
            errors.append(
                _(
                    "Band “%(label)s”: its minimum %(min)s must be lower than the band above it "
                    "(best band first)."
                )
                % band
            )
        previous = minimum
    return errors


@transaction.atomic
def table_settings_update(
    *,
    table: ScoreTable,
    user: User | None,
    revision: int,
    title: str,
    bands: Iterable[tuple[str, Decimal]],
    bonus_cap: Decimal | None,
) -> ScoreTable:
    """Change a draft table's title, classification bands (best first: label and the
    lowest total that reaches it) and bonus cap (None: bonus points are not capped)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the table a title.")})
    if (
        title != table.title
        and ScoreTable.objects.filter(campaign_id=table.campaign_id, title=title).exists()
    ):
        raise ValidationError(
            {"title": _("The campaign already has a table called “%(title)s”.") % {"title": title}}
        )
    rows = [{"label": label.strip(), "min": minimum} for label, minimum in bands]
    errors = _band_errors(rows)
    if errors:
        raise ValidationError({"bands": errors})
    table.title = title
    table.bands = [{"label": r["label"], "min": f"{r['min']:.2f}"} for r in rows]
    table.bonus_cap = bonus_cap
    table.full_clean(exclude=["revision"])
    _claim(table, revision)
    _recorded(table, user, "settings").save(update_fields=["title", "bands", "bonus_cap"])
    return table


@transaction.atomic
def table_publish_checked(*, table: ScoreTable, user: User | None, revision: int) -> ScoreTable:
    """Publish the draft as the editor showed it, by the existing publishing path and its
    checks (``table_publish``); refused when someone changed it in between. A refusal
    rolls the revision back with everything else."""
    _claim(table, revision)
    return table_publish(table=_recorded(table, user, "published"))
