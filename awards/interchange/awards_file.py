"""``thidua.awards/1``: per unit of a campaign, its cluster, the titles it is eligible for
(the ladder, awards/titles.py), the failed conditions of the others, the titles proposed
for it and the decisions on them (docs/formats.md). Written by
``python manage.py export_awards``."""

from __future__ import annotations

import datetime as dt

from awards import services, titles
from awards.models import DecisionItem
from clusters.models import Campaign

FORMAT_AWARDS = "thidua.awards/1"


def _decided(item: DecisionItem) -> dict:
    return {
        "title": item.award_type.code,
        "decision": item.decision.number,
        "date": item.decision.date.isoformat(),
    }


def awards_export(campaign: Campaign, on: dt.date | None = None) -> dict:
    """The campaign's ``thidua.awards/1`` document: every member unit by cluster number and
    unit code; titles by their order. The words of the failed conditions are in the active
    language (the ``kind`` of each is the rule's, awards.enums.RuleKind)."""
    explained = titles.explain(campaign, on=on)
    proposed: dict[int, list[str]] = {}
    for proposal in services.passed_proposals(campaign, on):
        proposed.setdefault(proposal.unit.pk, []).append(proposal.award_type.code)
    decided: dict[tuple[int, str], list[DecisionItem]] = {}
    items = (
        DecisionItem.objects.filter(decision__campaign=campaign)
        .select_related("award_type", "decision")
        .order_by("award_type__order", "award_type__code", "decision__date", "decision__number")
    )
    for item in items:
        decided.setdefault((item.unit_id, item.outcome), []).append(item)
    units = []
    for row in explained.rows:
        units.append(
            {
                "code": row.unit.code,
                "name": row.unit.name,
                "cluster": {"code": row.cluster.code, "name": row.cluster.name},
                "eligible": [t.award_type.code for t in row.titles if t.eligible],
                "not_eligible": [
                    {
                        "title": t.award_type.code,
                        "failed": [
                            {"kind": line.kind, "condition": line.rule, "figure": line.figure}
                            for line in t.lines
                            if not line.passed
                        ],
                    }
                    for t in row.titles
                    if not t.eligible
                ],
                "proposed": proposed.get(row.unit.pk, []),
                "granted": [_decided(i) for i in decided.get((row.unit.pk, "granted"), [])],
                "refused": [_decided(i) for i in decided.get((row.unit.pk, "refused"), [])],
            }
        )
    return {
        "format": FORMAT_AWARDS,
        "organiser": {"code": campaign.organiser.code, "name": campaign.organiser.name},
        "year": campaign.year,
        "campaign": campaign.name,
        "titles": [
            {"code": t.code, "name": t.name, "level": t.level} for t in explained.award_types
        ],
        "units": units,
    }
