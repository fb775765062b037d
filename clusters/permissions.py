"""Who may see and do what in the organisation — the one place these rules live.

Views, templates and the admin ask these functions; nobody re-implements a check inline.

Roles (domain.md section 1):
- an *administrator* is a superuser: everything;
- *province staff* are members of the ``PROVINCE_STAFF_GROUP`` group: everything in the
  campaigns of their organiser, and nothing in anyone else's. Their organiser is found by
  walking up from their unit through its parents to the first *organising unit* (a ministry
  or a provincial police, ``ORGANISING_KINDS``): the units passed on the way, that unit
  included, are the organisers whose campaigns they run (``organiser_ids``). The walk stops
  there, so the staff of a province never run the Ministry's campaigns, even where the
  province is stored under the Ministry, and the staff of a unit above or beside an
  organiser never run its campaigns. Being a member unit of another organiser's cluster
  gives no management right: a membership is not a subordination;
- a *unit officer* is any other user with a unit: sees the campaigns and clusters their
  unit is a member of, and acts as *cluster leader* for a cluster whose leader or deputy
  unit their unit is that year.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from clusters.enums import ORGANISING_KINDS, MemberRole, UnitKind
from clusters.models import (
    Activity,
    AdvancedModel,
    Campaign,
    Cluster,
    Membership,
    Pledge,
    Unit,
    User,
)

LEADING_ROLES = (MemberRole.LEADER, MemberRole.DEPUTY)


def is_administrator(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_province_staff(user: User) -> bool:
    """Member of the standing agency's group, with a unit to anchor the scope."""
    if not (user.is_authenticated and user.is_active and user.unit_id):
        return False
    cached = getattr(user, "_is_province_staff", None)
    if cached is None:
        cached = user.groups.filter(name=settings.PROVINCE_STAFF_GROUP).exists()
        user._is_province_staff = cached
    return cached


def is_unit_officer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.unit_id) and not (
        is_administrator(user) or is_province_staff(user)
    )


_KINDS_SQL = ", ".join(f"'{kind.value}'" for kind in ORGANISING_KINDS)
_UNIT_TABLE = Unit._meta.db_table

# Up from a unit through its parents, stopping after the first organising unit.
_CHAIN_SQL = f"""
WITH RECURSIVE chain(id, parent_id, kind, depth) AS (
    SELECT id, parent_id, kind, 0 FROM {_UNIT_TABLE} WHERE id = %s
    UNION ALL
    SELECT u.id, u.parent_id, u.kind, c.depth + 1
    FROM {_UNIT_TABLE} u JOIN chain c ON u.id = c.parent_id
    WHERE c.kind NOT IN ({_KINDS_SQL}) AND c.depth < 32
)
SELECT id FROM chain ORDER BY depth
"""

# Down from an organiser, never into another organising unit.
_TREE_SQL = f"""
WITH RECURSIVE tree(id, depth) AS (
    SELECT id, 0 FROM {_UNIT_TABLE} WHERE id = %s
    UNION ALL
    SELECT u.id, t.depth + 1
    FROM {_UNIT_TABLE} u JOIN tree t ON u.parent_id = t.id
    WHERE u.kind NOT IN ({_KINDS_SQL}) AND t.depth < 32
)
SELECT id FROM tree ORDER BY depth, id
"""


def _ids(sql: str, unit_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit_id])
        return [row[0] for row in cursor.fetchall()]


def tree_chain(unit_id: int | None) -> list[int]:
    """``unit_id`` and the units above it, up to and including the first organising unit
    (``ORGANISING_KINDS``) or the top of the tree: the organisers a unit belongs to. One
    recursive query (PostgreSQL and SQLite alike)."""
    if unit_id is None:
        return []
    return _ids(_CHAIN_SQL, unit_id)


def tree_unit_ids(root_id: int) -> list[int]:
    """The organiser ``root_id`` and the units below it, not crossing into another
    organising unit (a province stored under the Ministry is not in the Ministry's tree).
    One recursive query."""
    return _ids(_TREE_SQL, root_id)


def organiser_ids(user: User) -> list[int]:
    """The units whose campaigns a province staff member runs: their unit and the units
    above it within their organiser's own tree (see ``tree_chain``)."""
    cached = getattr(user, "_organiser_ids", None)
    if cached is not None:
        return cached
    ids = tree_chain(user.unit_id) if user.unit_id else []
    user._organiser_ids = ids
    return ids


def home_organiser_id(user: User) -> int | None:
    """The top of the staff member's organiser tree: the organiser whose units they serve."""
    ids = organiser_ids(user)
    return ids[-1] if ids else None


def manages_campaign(user: User, campaign: Campaign) -> bool:
    """Administrators, and the staff of the campaign's organiser (no query once the
    user's organisers are known)."""
    if is_administrator(user):
        return True
    return is_province_staff(user) and campaign.organiser_id in organiser_ids(user)


def is_own_unit(user: User, unit_id: int | None) -> bool:
    """Whether ``unit_id`` is the user's own unit: nobody judges their own unit (the final
    stage, overrides, returns, votes and proposals about it are for someone else)."""
    return bool(user.is_authenticated and user.unit_id and user.unit_id == unit_id)


# --- What a user may see ----------------------------------------------------------


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    qs = Campaign.objects.all()
    if is_administrator(user):
        return qs
    if is_province_staff(user):
        return qs.filter(organiser_id__in=organiser_ids(user))
    if is_unit_officer(user):
        # A subquery, not a join, so annotations on the result count every row.
        mine = Membership.objects.filter(unit_id=user.unit_id).values("campaign_id")
        return qs.filter(pk__in=mine)
    return qs.none()


def require(allowed: bool) -> None:
    """Refuse (403) what the user may see but not do: views ask one of the functions here
    (or their app's permissions) and pass the answer, so no view re-checks inline."""
    if not allowed:
        raise PermissionDenied


def campaign_for(user: User, pk: int) -> Campaign:
    """The campaign ``pk`` if the user may see it, its organiser read with it; else 404.

    Every page of every app that names a campaign in its URL starts here (scoring, awards,
    jobs, the year set-up), then asks its own permission for what it does (403)."""
    return get_object_or_404(visible_campaigns(user).select_related("organiser"), pk=pk)


def cluster_for(user: User, pk: int) -> Cluster:
    """The cluster ``pk`` if the user may see it, its campaign and organiser read with it;
    else 404 (the cluster's pages of every app start here)."""
    return get_object_or_404(visible_clusters(user).select_related("campaign__organiser"), pk=pk)


def visible_clusters(user: User) -> QuerySet[Cluster]:
    qs = Cluster.objects.all()
    if is_administrator(user):
        return qs
    if is_province_staff(user):
        return qs.filter(campaign__organiser_id__in=organiser_ids(user))
    if is_unit_officer(user):
        return qs.filter(
            pk__in=Membership.objects.filter(unit_id=user.unit_id).values("cluster_id")
        )
    return qs.none()


def visible_units(user: User) -> QuerySet[Unit]:
    """Units a user may look up: all for administrators; for province staff, the units of
    their organiser's own tree and the members of their campaigns; for an officer, their
    own unit and the members of their clusters."""
    qs = Unit.objects.all()
    if is_administrator(user):
        return qs
    if is_province_staff(user):
        ids = organiser_ids(user)
        return qs.filter(
            Q(pk__in=account_units(user).values("pk"))
            | Q(memberships__campaign__organiser_id__in=ids)
        ).distinct()
    if is_unit_officer(user):
        return qs.filter(
            Q(pk=user.unit_id) | Q(memberships__cluster__memberships__unit_id=user.unit_id)
        ).distinct()
    return qs.none()


# --- What a user may change ---------------------------------------------------------


def managed_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns whose set-up (clusters, members, roles) the user may change."""
    if is_administrator(user) or is_province_staff(user):
        return visible_campaigns(user)
    return Campaign.objects.none()


def led_clusters(user: User) -> QuerySet[Cluster]:
    """Clusters whose leader or deputy unit is the user's unit."""
    if not is_unit_officer(user):
        return Cluster.objects.none()
    leading = Membership.objects.filter(unit_id=user.unit_id, role__in=LEADING_ROLES)
    return Cluster.objects.filter(pk__in=leading.values("cluster_id"))


def signing_clusters(user: User) -> QuerySet[Cluster]:
    """Clusters whose signing records (conference, pledge, signatures, registrations) the
    user may record: every cluster in their scope for administrators and province staff,
    the clusters they lead (or help lead as deputy) for unit officers."""
    if is_administrator(user) or is_province_staff(user):
        return visible_clusters(user)
    return led_clusters(user)


def can_manage_campaign(user: User, campaign: Campaign) -> bool:
    return managed_campaigns(user).filter(pk=campaign.pk).exists()


def can_set_up_years(user: User) -> bool:
    """Whether the user sets up years (campaigns, clusters, leaders): the set-up pages."""
    return is_administrator(user) or is_province_staff(user)


def setup_organisers(user: User) -> QuerySet[Unit]:
    """The units a user may create a campaign for: their unit and the units above it within
    their organiser's own tree for province staff; any ministry or provincial force (or
    existing organiser) for an administrator."""
    if is_administrator(user):
        kinds = [UnitKind.MINISTRY, UnitKind.PROVINCE]
        return Unit.objects.filter(
            Q(kind__in=kinds) | Q(organised_campaigns__isnull=False)
        ).distinct()
    if is_province_staff(user):
        return Unit.objects.filter(pk__in=organiser_ids(user))
    return Unit.objects.none()


def setup_candidate_units(campaign: Campaign) -> QuerySet[Unit]:
    """The units that may be placed in the campaign's clusters: the organiser's units two
    levels down, and every unit that was ever in one of its campaigns."""
    organiser = campaign.organiser_id
    return (
        Unit.objects.filter(
            Q(parent_id=organiser)
            | Q(parent__parent_id=organiser)
            | Q(memberships__campaign__organiser_id=organiser)
        )
        .exclude(pk=organiser)
        .distinct()
    )


def can_record_signing(user: User, cluster: Cluster) -> bool:
    return signing_clusters(user).filter(pk=cluster.pk).exists()


def can_record_leadership_election(user: User, cluster: Cluster) -> bool:
    """Record the units a cluster elected at its year-end meeting to lead it next year (and
    the vote and minutes): whoever records its signing, that is administrators and province
    staff in scope, and the officers of its leader and deputy units."""
    return can_record_signing(user, cluster)


def account_units(user: User) -> QuerySet[Unit]:
    """The units whose accounts the user may create, deactivate and reset: every unit for
    an administrator; for staff, the units of their organiser's own tree (never a unit of
    another organiser, even one that is a member of their clusters)."""
    if is_administrator(user):
        return Unit.objects.all()
    if is_province_staff(user):
        cached = getattr(user, "_account_unit_ids", None)
        if cached is None:
            root = home_organiser_id(user)
            cached = tree_unit_ids(root) if root else []
            user._account_unit_ids = cached
        return Unit.objects.filter(pk__in=cached)
    return Unit.objects.none()


def can_manage_accounts(user: User) -> bool:
    return is_administrator(user) or is_province_staff(user)


def second_factor_required(user: User) -> bool:
    """Whether ``user`` must have an authenticator: administrators and province staff when
    ``REQUIRE_2FA_FOR_STAFF`` is on."""
    if not settings.REQUIRE_2FA_FOR_STAFF:
        return False
    return is_administrator(user) or is_province_staff(user)


def can_manage_units(user: User) -> bool:
    return is_administrator(user) or is_province_staff(user)


def can_use_admin(user: User) -> bool:
    """Administrators, province staff and cluster leaders (for their signing records)."""
    if is_administrator(user) or is_province_staff(user):
        return True
    return led_clusters(user).exists()


def role_in_cluster(user: User, cluster: Cluster) -> str | None:
    """The user's unit's role in ``cluster`` (leader, deputy, member), or None."""
    if not user.is_authenticated or not user.unit_id:
        return None
    return (
        Membership.objects.filter(cluster=cluster, unit_id=user.unit_id)
        .values_list("role", flat=True)
        .first()
    )


def signable_unit_ids(user: User, cluster: Cluster) -> set[int]:
    """The member units whose signature and registration ``user`` may record in ``cluster``
    (two queries at most, whatever the number of members): whoever records the cluster's
    signing (administrators, province staff, the leader and deputy units' officers) for
    every member; a member unit's officer for its own unit only, and only when the
    cluster's pledge lets members sign for themselves (``Pledge.members_may_sign``)."""
    if can_record_signing(user, cluster):
        return set(cluster.memberships.values_list("unit_id", flat=True))
    if not is_unit_officer(user):
        return set()
    own = Membership.objects.filter(cluster=cluster, unit_id=user.unit_id).exists()
    if own and Pledge.objects.filter(cluster=cluster, members_may_sign=True).exists():
        return {user.unit_id}
    return set()


def can_sign_for_unit(user: User, cluster: Cluster, unit: Unit) -> bool:
    """See ``signable_unit_ids``."""
    return unit.pk in signable_unit_ids(user, cluster)


# --- Exchange activities and models (advanced examples) ------------------------------------


def visible_activities(user: User) -> QuerySet[Activity]:
    """Activities with at least one cluster the user may see."""
    qs = Activity.objects.all()
    if is_administrator(user):
        return qs
    linked = Activity.clusters.through.objects.filter(cluster__in=visible_clusters(user))
    return qs.filter(pk__in=linked.values("activity_id"))


def activity_clusters(user: User) -> QuerySet[Cluster]:
    """Clusters whose exchange activities the user may record: the same as for the signing
    records (every cluster in scope for administrators and province staff, the clusters
    their unit leads or deputises for unit officers). A member unit's activity is recorded
    by its cluster's leader, so one rule covers every record of a cluster."""
    return signing_clusters(user)


def can_record_activities(user: User) -> bool:
    return activity_clusters(user).exists()


def can_record_activity(user: User, activity: Activity) -> bool:
    """May change ``activity``: the leader or deputy of one of its clusters, or a manager."""
    return activity.clusters.filter(pk__in=activity_clusters(user).values("pk")).exists()


def visible_models(user: User) -> QuerySet[AdvancedModel]:
    """Models and advanced examples: all for administrators; for province staff, those of
    the units in their scope; for an officer, those of their own unit, the ones it
    replicated, and those of the units that share a campaign with it."""
    qs = AdvancedModel.objects.all()
    if is_administrator(user):
        return qs
    if is_province_staff(user):
        return qs.filter(unit_id__in=visible_units(user).values("pk"))
    if is_unit_officer(user):
        peers = Membership.objects.filter(campaign__in=visible_campaigns(user)).values("unit_id")
        replicated = AdvancedModel.replicated_by.through.objects.filter(unit_id=user.unit_id)
        return qs.filter(
            Q(unit_id=user.unit_id)
            | Q(unit_id__in=peers)
            | Q(pk__in=replicated.values("advancedmodel_id"))
        )
    return qs.none()


def model_units(user: User) -> QuerySet[Unit]:
    """Units whose models the user may record: every unit in scope for administrators and
    province staff, their own unit for an officer."""
    if is_administrator(user) or is_province_staff(user):
        return visible_units(user)
    if is_unit_officer(user):
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def can_record_models(user: User) -> bool:
    return is_administrator(user) or is_province_staff(user) or is_unit_officer(user)


def can_record_model(user: User, model: AdvancedModel) -> bool:
    if is_administrator(user):
        return True
    if is_unit_officer(user):
        return model.unit_id == user.unit_id
    return model_units(user).filter(pk=model.unit_id).exists()


def campaign_viewers(campaign: Campaign, user_ids) -> set[int]:
    """Of ``user_ids``, the active users who may see ``campaign`` (the rule of
    ``visible_campaigns``), in three queries at most whatever their number: administrators,
    the staff of its organiser (their unit in the organiser's own tree) and the other users
    whose unit is a member of one of its clusters. Notifications ask it, so nothing of a
    campaign reaches anyone outside it."""
    in_staff = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=settings.PROVINCE_STAFF_GROUP
    )
    rows = (
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .annotate(in_staff=Exists(in_staff))
        .values_list("pk", "is_superuser", "unit_id", "in_staff")
    )
    rows = list(rows)
    staff_units: set[int] = set()
    if any(unit_id and staff and not admin for _pk, admin, unit_id, staff in rows):
        staff_units = set(tree_unit_ids(campaign.organiser_id))
    member_units: set[int] | None = None
    allowed = set()
    for pk, admin, unit_id, staff in rows:
        if admin:
            allowed.add(pk)
        elif unit_id and staff:
            if unit_id in staff_units:
                allowed.add(pk)
        elif unit_id:
            if member_units is None:
                member_units = set(
                    Membership.objects.filter(campaign=campaign).values_list("unit_id", flat=True)
                )
            if unit_id in member_units:
                allowed.add(pk)
    return allowed
