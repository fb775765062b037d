"""Reusable reads of the organisation, scoped by the permission module."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters import permissions
from clusters.enums import MemberRole
from clusters.models import Campaign, Cluster, Membership, User


def with_member_counts(qs: QuerySet[Cluster]) -> QuerySet[Cluster]:
    return qs.annotate(member_count=Count("memberships", distinct=True))


def with_leaders(qs: QuerySet[Cluster]) -> QuerySet[Cluster]:
    """Prefetch each cluster's leader and deputy memberships (one extra query)."""
    heads = Membership.objects.filter(
        role__in=[MemberRole.LEADER, MemberRole.DEPUTY]
    ).select_related("unit")
    return qs.prefetch_related(Prefetch("memberships", queryset=heads, to_attr="heads"))


def role_label(user: User) -> str:
    if permissions.is_administrator(user):
        return str(_("Administrator"))
    if permissions.is_province_staff(user):
        return str(_("Province staff (standing agency)"))
    if permissions.is_unit_officer(user):
        return str(_("Unit officer"))
    return str(_("No role yet"))


def home_context(user: User) -> dict:
    """What the home page shows: who the user is and what they can do, in a fixed number
    of queries whatever the number of clusters."""
    campaigns = list(permissions.visible_campaigns(user).select_related("organiser")[:5])
    current = campaigns[0] if campaigns else None
    clusters: list[Cluster] = []
    my_roles: dict[int, str] = {}
    if current is not None:
        clusters = list(
            with_leaders(with_member_counts(permissions.visible_clusters(user)))
            .filter(campaign=current)
            .order_by("number")
        )
        if user.unit_id:
            my_roles = dict(
                Membership.objects.filter(campaign=current, unit_id=user.unit_id).values_list(
                    "cluster_id", "role"
                )
            )
    labels = dict(MemberRole.choices)
    for cluster in clusters:
        cluster.my_role = labels.get(my_roles.get(cluster.pk))
        cluster.leader = next((m.unit for m in cluster.heads if m.role == MemberRole.LEADER), None)
        cluster.deputy = next((m.unit for m in cluster.heads if m.role == MemberRole.DEPUTY), None)
    return {
        "role_label": role_label(user),
        "todo": todo_list(user, campaigns),
        "campaigns": campaigns,
        "current_campaign": current,
        "clusters": clusters,
        "abilities": abilities(user, my_roles),
    }


def todo_list(user: User, campaigns: list[Campaign]) -> list:
    """The person's to-do list (clusters.todo): every registered provider's items for the
    campaigns of the home page, with their deadlines read once when an item asks (two queries)."""
    from clusters.services.deadlines import DeadlineBook
    from clusters.todo import TodoRequest, todo_items

    if not campaigns:
        return []
    request = TodoRequest(
        user=user,
        today=timezone.localdate(),
        campaigns=campaigns,
        deadlines=DeadlineBook.lazy([c.pk for c in campaigns]),
    )
    return todo_items(request)


def abilities(user: User, my_roles: dict[int, str]) -> list[str]:
    """Plain sentences for "what you can do", from the same rules the views enforce."""
    result: list[str] = []
    if permissions.is_administrator(user):
        result.append(str(_("Manage everything in the installation through the administration.")))
    if permissions.is_province_staff(user):
        result += [
            str(_("Set up campaigns, clusters, leaders and deputies for your province.")),
            str(_("Follow every cluster's signing conference and records.")),
        ]
    if any(role in (MemberRole.LEADER, MemberRole.DEPUTY) for role in my_roles.values()):
        result.append(
            str(
                _("Record your cluster's signing conference, pledge, signatures and registrations.")
            )
        )
    if permissions.is_unit_officer(user):
        result.append(str(_("See your unit's cluster, its members and its pledge.")))
    if not result:
        result.append(str(_("Your account is not attached to a unit yet: ask an administrator.")))
    return result
