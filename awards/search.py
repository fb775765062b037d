"""The authorities' decisions in the header's search (clusters.search; registered in
AwardsConfig.ready): by number, deciding authority or signer, accent-insensitive, across
years; only for whoever may open them (permissions.can_record_decisions: administrators and
the staff of the campaign's organiser)."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from awards import permissions
from awards.models import Decision
from clusters import permissions as org
from clusters.search import LIMIT, Hit, SearchGroup, group, matching


def decisions_search(user, terms: Sequence[str]) -> SearchGroup | None:
    if not permissions.is_manager(user):
        return None
    decisions = Decision.objects.filter(campaign__in=org.managed_campaigns(user))
    rows = list(
        matching(decisions, ["number", "authority", "signer_name"], terms)
        .select_related("campaign")
        .order_by("-date", "-pk")[: LIMIT + 1]
    )

    def hit(decision: Decision) -> Hit:
        detail = f"{decision.date:%d/%m/%Y} · {decision.authority} · {decision.campaign.name}"
        title = _("Decision %(number)s") % {"number": decision.number}
        return Hit(str(title), detail, reverse("awards_decision", args=[decision.pk]))

    return group(
        "decisions", pgettext_lazy("search results", "Decisions"), "file-earmark-text", rows, hit
    )
