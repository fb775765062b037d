"""The Django admin, every registered model × every role (issue 10, point 2), generated from
the admin registry itself.

How it works: ``OWNERS`` names, for every model registered on the admin site, how to find
the organiser an object belongs to (the path to its organiser unit, or the unit whose
organiser tree holds it), and ``ACCESS`` the roles that may open its list. For every
registered model and every role the test opens the list, the other organiser's objects'
change, history and version pages, the add form and an own object's form, the list's
filters, the autocomplete endpoints, and posts every action (``delete_selected`` too) and a
change with the other organiser's ids, then asserts:

- the list answers 200 to the roles of ``ACCESS``, 403 to the other roles that may enter the
  admin, and the login page to the rest (never 500);
- no object of the other organiser is in the list, in a foreign-key choice of a form, in a
  list filter's choices or in an autocomplete answer, and no page shows one's name;
- every object of the other organiser answers "missing" (a redirect to the admin index),
  403 or 404 on its change, history and version pages;
- a refused POST (an action, a change) changes nothing: every row of the project's apps
  (their history too) and the admin's log are as they were.

A model registered without an entry in ``OWNERS`` and ``ACCESS`` fails
``test_every_registered_model_has_a_rule``: add one (the path from the model to its
organiser unit, e.g. ``Org("cluster__campaign__organiser")``, and who may open it).

The world (built once for the module, each test rolled back): organiser A, a provincial
police (CAT, stored under the Ministry as an old import left it: it must not matter), runs
campaign A with clusters C1 (leader L1, deputy D1, member M1) and C2 (O1); organiser B, the
Ministry (BCA), runs campaign B with clusters B1 (leader BL, deputy BD, and the province CAT
itself as a member) and B2 (BO). Each side has a published table, sheets with entries,
evidence, an explanation, a publication, a unit target, a pledge item linked to a criterion,
a vote, award types, a restriction, signing records, an activity, a model and a job. Names
of each side's own objects carry its marker (``QQ_A``, ``QQ_B``); the province CAT, shared as
B's member, carries none. Roles: ``admin``; ``staffA`` (department PX01 of CAT); ``staffB``
(department V03 of the Ministry); ``leader``, ``deputy``, ``member`` (officers of L1, D1,
M1); ``outsider`` (officer of O1, leader of the other cluster C2); ``anon``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from awards import incoming as award_incoming
from awards import services as award_services
from awards import titles as award_titles
from awards.interchange import decisions as exchange
from awards.interchange.incoming import proposal_plan
from clusters import permissions
from clusters.enums import MemberRole, Phase, Title, UnitKind
from clusters.models import Campaign, Unit
from clusters.services import activities as activity_services
from clusters.services import deadlines as deadline_services
from clusters.services import leadership as leadership_services
from clusters.services import signing as signing_services
from jobs.models import JobKind, JobProgress
from scoring import services, workflow
from scoring.enums import Stage
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable
from scoring.services.assignments import not_assigned_add
from scoring.services.baselines import baseline_set
from scoring.services.meetings import meeting_record
from scoring.services.periods import six_month_add
from scoring.services.pledge_links import pledge_links_set
from scoring.services.targets import unit_target_save
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)
from tests.pictures import png_bytes
from tests.scoring.conftest import make_criterion

D = Decimal
ROLES = ("admin", "staffA", "staffB", "leader", "deputy", "member", "outsider", "anon")
SIDE = dict.fromkeys(ROLES, "A") | {"staffB": "B"}
OTHER = {"A": "B", "B": "A"}
# Not letters and digits only, so that no CSRF token (letters and digits) can hold one.
MARK = {"A": "QQ_A", "B": "QQ_B"}
PROJECT_APPS = ("clusters", "scoring", "awards", "jobs")
PNG = png_bytes()  # a real picture: uploads are decoded and re-encoded (clusters.images)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Who may enter the admin at all (clusters.permissions.can_use_admin): the others get the
# login page for every admin URL.
ENTERS = frozenset({"admin", "staffA", "staffB", "leader", "deputy", "outsider"})
ADMINS = frozenset({"admin"})
MANAGERS = frozenset({"admin", "staffA", "staffB"})
# Cluster leaders (and deputies) look at their campaign, clusters, members and units, and
# keep their clusters' signing records, activities and models.
ADMIN_USERS = ENTERS


@dataclass(frozen=True)
class Org:
    """The object belongs to the organiser unit at ``path``."""

    path: str


@dataclass(frozen=True)
class Tree:
    """The object belongs to the organiser whose own tree holds the unit at ``path``."""

    path: str


# Not an organiser's: seen and changed by administrators only.
SYSTEM = None

OWNERS: dict[str, Org | Tree | None] = {
    # clusters
    "clusters.unit": Tree("pk"),
    "clusters.user": Tree("unit"),
    "clusters.campaign": Org("organiser"),
    "clusters.cluster": Org("campaign__organiser"),
    "clusters.membership": Org("campaign__organiser"),
    "clusters.activity": Org("campaign__organiser"),
    "clusters.activityphoto": Org("activity__campaign__organiser"),
    "clusters.advancedmodel": Tree("unit"),
    "clusters.advancedmodelphoto": Tree("advanced_model__unit"),
    "clusters.signingconference": Org("cluster__campaign__organiser"),
    "clusters.conferencephoto": Org("conference__cluster__campaign__organiser"),
    "clusters.pledge": Org("cluster__campaign__organiser"),
    "clusters.pledgeitem": Org("pledge__cluster__campaign__organiser"),
    "clusters.signature": Org("pledge__cluster__campaign__organiser"),
    "clusters.registration": Org("campaign__organiser"),
    "clusters.leadershipelection": Org("cluster__campaign__organiser"),
    "clusters.period": Org("campaign__organiser"),
    "clusters.deadline": Org("campaign__organiser"),
    "clusters.deadlineextension": Org("deadline__campaign__organiser"),
    # scoring
    "scoring.scoretable": Org("campaign__organiser"),
    "scoring.criterion": Org("table__campaign__organiser"),
    "scoring.unittarget": Org("criterion__table__campaign__organiser"),
    "scoring.notassigned": Org("criterion__table__campaign__organiser"),
    "scoring.pledgeitemcriterion": Org("table__campaign__organiser"),
    "scoring.scoresheet": Org("cluster__campaign__organiser"),
    "scoring.scoreentry": Org("sheet__cluster__campaign__organiser"),
    "scoring.evidence": Org("entry__sheet__cluster__campaign__organiser"),
    "scoring.explanation": Org("entry__sheet__cluster__campaign__organiser"),
    "scoring.publication": Org("cluster__campaign__organiser"),
    "scoring.unitbaseline": Org("criterion__table__campaign__organiser"),
    "scoring.reviewmeeting": Org("cluster__campaign__organiser"),
    # awards
    "awards.awardtype": Org("campaign__organiser"),
    "awards.unitrestriction": Org("campaign__organiser"),
    "awards.pasttitle": Org("organiser"),
    "awards.titlerule": Org("award_type__campaign__organiser"),
    "awards.unitfigures": Org("campaign__organiser"),
    "awards.vote": Org("cluster__campaign__organiser"),
    "awards.decision": Org("campaign__organiser"),
    "awards.decisionitem": Org("decision__campaign__organiser"),
    "awards.receivedproposal": Org("organiser"),
    "awards.proposalanswer": Org("proposal__organiser"),
    # jobs
    "jobs.jobprogress": Org("campaign__organiser"),
    "jobs.workerheartbeat": SYSTEM,
    # One person's notifications: administrators only (clusters/admin/notices.py).
    "clusters.notification": SYSTEM,
    # the libraries' own
    "auth.group": SYSTEM,
    "django_tasks_database.dbtaskresult": SYSTEM,
    "axes.accessattempt": SYSTEM,
    "axes.accesslog": SYSTEM,
    "axes.accessfailurelog": SYSTEM,
    "otp_totp.totpdevice": SYSTEM,
    "otp_static.staticdevice": SYSTEM,
}

ACCESS: dict[str, frozenset[str]] = {
    "clusters.unit": ADMIN_USERS,
    "clusters.user": ADMINS,
    "clusters.campaign": ADMIN_USERS,
    "clusters.cluster": ADMIN_USERS,
    "clusters.membership": ADMIN_USERS,
    "clusters.activity": ADMIN_USERS,
    "clusters.activityphoto": ADMIN_USERS,
    "clusters.advancedmodel": ADMIN_USERS,
    "clusters.advancedmodelphoto": ADMIN_USERS,
    "clusters.signingconference": ADMIN_USERS,
    "clusters.conferencephoto": ADMIN_USERS,
    "clusters.pledge": ADMIN_USERS,
    "clusters.pledgeitem": ADMIN_USERS,
    "clusters.signature": ADMIN_USERS,
    "clusters.registration": ADMIN_USERS,
    "clusters.leadershipelection": ADMIN_USERS,
    "clusters.period": ADMIN_USERS,
    "clusters.deadline": ADMIN_USERS,
    "clusters.deadlineextension": ADMIN_USERS,
    "scoring.scoretable": MANAGERS,
    "scoring.criterion": MANAGERS,
    "scoring.unittarget": MANAGERS,
    "scoring.notassigned": MANAGERS,
    "scoring.pledgeitemcriterion": MANAGERS,
    "scoring.scoresheet": MANAGERS,
    "scoring.scoreentry": MANAGERS,
    "scoring.evidence": MANAGERS,
    "scoring.explanation": MANAGERS,
    "scoring.publication": MANAGERS,
    "scoring.unitbaseline": MANAGERS,
    "scoring.reviewmeeting": MANAGERS,
    "awards.awardtype": MANAGERS,
    "awards.unitrestriction": MANAGERS,
    "awards.pasttitle": MANAGERS,
    "awards.titlerule": MANAGERS,
    "awards.unitfigures": MANAGERS,
    "awards.vote": MANAGERS,
    "awards.decision": MANAGERS,
    "awards.decisionitem": MANAGERS,
    "awards.receivedproposal": MANAGERS,
    "awards.proposalanswer": MANAGERS,
    "jobs.jobprogress": MANAGERS,
    "jobs.workerheartbeat": ADMINS,
    "clusters.notification": ADMINS,
    "auth.group": ADMINS,
    "django_tasks_database.dbtaskresult": ADMINS,
    "axes.accessattempt": ADMINS,
    "axes.accesslog": ADMINS,
    "axes.accessfailurelog": ADMINS,
    "otp_totp.totpdevice": ADMINS,
    "otp_static.staticdevice": ADMINS,
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def _label(value) -> str:
    return value if isinstance(value, str) else value._meta.label_lower


# (model, role) pairs: a role other than an administrator that may open the model's list;
# one for whom the model holds objects of the other organiser.
LISTED = [
    (model, role)
    for model in REGISTERED
    for role in ROLES
    if role != "admin" and role in ACCESS.get(model._meta.label_lower, ())
]
FOREIGN = [
    (model, role)
    for model in REGISTERED
    for role in ROLES
    if role != "admin" and OWNERS.get(model._meta.label_lower) is not SYSTEM
]


# --- The world ---------------------------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _staff(unit: Unit, username: str):
    user = UserFactory(username=username, unit=unit)
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def _unit(code: str, parent: Unit, mark: str, kind: str = UnitKind.DISTRICT) -> Unit:
    return UnitFactory(code=code, name=f"Đơn vị {mark} {code}", parent=parent, kind=kind)


def _side(organiser: Unit, mark: str, units: dict[str, Unit], staff, admin_user, author):
    """Every kind of record of one organiser's campaign, made through the services.
    ``units`` are the members by role: leader, deputy, member (cluster 1) and other
    (leader of cluster 2)."""
    s = SimpleNamespace(organiser=organiser, mark=mark, units=units)
    s.campaign = CampaignFactory(
        organiser=organiser, year=2023, name=f"Phong trào thi đua {mark} năm 2023"
    )
    s.c1 = ClusterFactory(campaign=s.campaign, number=1, code=f"{mark}1", name=f"Cụm {mark} số 1")
    s.c2 = ClusterFactory(campaign=s.campaign, number=2, code=f"{mark}2", name=f"Cụm {mark} số 2")
    MembershipFactory(cluster=s.c1, unit=units["leader"], role=MemberRole.LEADER)
    MembershipFactory(cluster=s.c1, unit=units["deputy"], role=MemberRole.DEPUTY)
    MembershipFactory(cluster=s.c1, unit=units["member"], role=MemberRole.MEMBER)
    MembershipFactory(cluster=s.c2, unit=units["other"], role=MemberRole.LEADER)
    members = [units["leader"], units["deputy"], units["member"]]

    # A published table with a target criterion; a unit's own target; a pledge item
    # linked to a criterion.
    s.table = ScoreTable.objects.create(
        campaign=s.campaign,
        title=f"Thang điểm {mark}",
        bands=[{"label": "Xuất sắc", "min": "30"}, {"label": "Đạt", "min": "0"}],
        bonus_cap=D("5"),
    )
    s.table.clusters.set([s.c1, s.c2])
    group = make_criterion(s.table, "I", "group", max_points=D(40), order=1)
    make_criterion(s.table, "I.1", "manual", parent=group, order=1, max_points=D(20))
    target = make_criterion(
        s.table,
        "I.2",
        "target",
        parent=group,
        order=2,
        max_points=D(20),
        metric="rate",
        method="threshold",
        target=D(100),
    )
    make_criterion(s.table, "B", "bonus", order=2, max_points=D(5), per_item=D(1))
    services.table_renumber(table=s.table)
    s.table = services.table_publish(table=s.table)
    s.target = unit_target_save(criterion=target, unit=units["member"], target=D(90), user=staff)
    s.baseline = baseline_set(
        criterion=target, unit=units["member"], value=D(85), reason=f"Số liệu {mark}", user=staff
    )
    s.not_assigned = not_assigned_add(
        criterion=target, unit=units["other"], reason=f"Không giao {mark}", user=staff
    )
    s.pledge = signing_services.pledge_record(
        cluster=s.c1, slogan=f"Khẩu hiệu {mark}", items=[(f"Công tác {mark}", "Hoàn thành")]
    )
    item = s.pledge.items.get()
    pledge_links_set(
        cluster=s.c1,
        table=s.table,
        links={item.pk: Criterion.objects.get(table=s.table, code="I.1")},
    )

    # Sheets: the member's self-assessment (with evidence), the cluster's scores (the
    # member explains a lower one), the final stage, published.
    def fill(sheet, points):
        services.sheet_fill(
            sheet=sheet,
            values={
                "I.1": {"points": D(points)},
                "I.2": {"numerator": 9, "denominator": 10},
                "B": {"count": 1},
            },
        )

    own = services.sheet_get_or_create(cluster=s.c1, unit=units["member"], stage=Stage.SELF)
    fill(own, 15)
    services.recompute_scope(ScoreSheet.objects.filter(pk=own.pk))
    s.evidence = services.evidence_add(
        entry=ScoreEntry.objects.get(sheet=own, criterion__code="I.1"),
        upload=_pdf("minh-chung.pdf"),
        description=f"Minh chứng {mark}",
    )
    for unit in members:
        sheet = services.sheet_get_or_create(cluster=s.c1, unit=unit, stage=Stage.CLUSTER)
        fill(sheet, 10 if unit == units["member"] else 18)
    services.recompute_scope(ScoreSheet.objects.filter(cluster=s.c1, stage=Stage.CLUSTER))
    s.explanation = workflow.explanation_write(
        entry=ScoreEntry.objects.get(
            sheet__cluster=s.c1,
            sheet__unit=units["member"],
            sheet__stage=Stage.CLUSTER,
            criterion__code="I.1",
        ),
        user=author,
        text=f"Giải trình {mark}",
    )
    workflow.stage_start(cluster=s.c1, stage=Stage.FINAL)
    s.publication = workflow.cluster_publish(cluster=s.c1, user=admin_user)
    s.meeting = meeting_record(
        cluster=s.c1, period=None, held_on=dt.date(2023, 12, 18), place=f"Hội trường {mark}"
    )
    # The six-month review, without tables: a campaign's two periods.
    s.six_month = six_month_add(campaign=s.campaign, tables="own", user=staff)
    # A deadline of the year-end self-assessment (set on the campaign's deadlines page).
    s.deadline = deadline_services.deadline_set(
        campaign=s.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=dt.date(2023, 11, 10),
        user=staff,
    )
    s.extension = deadline_services.deadline_extend(
        deadline=s.deadline,
        unit=units["member"],
        due_date=dt.date(2023, 11, 15),
        reason=f"Gia hạn {mark}",
        user=staff,
    )

    # Awards: types, a restriction, a vote.
    s.award_type = award_services.award_type_upsert(
        campaign=s.campaign, code="tien-tien", name=f"Tiên tiến {mark}", pass_share=D("0.5")
    )
    s.restriction = award_services.restriction_record(
        campaign=s.campaign,
        unit=units["deputy"],
        kind="inspection",
        reason=f"Thanh tra {mark}",
        starts_on=dt.date(2023, 1, 1),
    )
    s.vote = award_services.vote_record(
        cluster=s.c1,
        unit=units["leader"],
        award_type=s.award_type,
        members_present=3,
        votes_for=2,
        user=staff,
    )
    s.title_rule = award_titles.title_rule_add(
        award_type=s.award_type, kind="min_band", band="Xuất sắc", article=f"Quy chế {mark}"
    )
    s.figures = award_titles.figures_save(
        campaign=s.campaign,
        unit=units["member"],
        headcount=30,
        advanced_soldiers=21,
        emulation_soldiers=4,
        disciplined=0,
    )
    s.past_title = award_titles.past_title_record(
        organiser=organiser,
        unit=units["leader"],
        year=2022,
        code="determined_to_win",
        name=f"Đơn vị Quyết thắng {mark}",
        user=staff,
    )
    s.decision = award_services.decision_record(
        campaign=s.campaign,
        user=staff,
        number=f"1/QĐ-{mark}",
        date=dt.date(2024, 1, 10),
        signer_name="Đ/c C",
        signer_title="Giám đốc",
        authority=f"Cơ quan {mark}",
        level="unit",
    )
    award_services.decision_item_set(
        decision=s.decision,
        unit=units["leader"],
        award_type=s.award_type,
        outcome="granted",
        note=f"Ghi chú {mark}",
        user=staff,
    )

    # A proposal file of another organiser received by this one, and its answer.
    s.received = award_incoming.received_proposal_store(
        organiser=organiser,
        plan=proposal_plan(
            organiser,
            exchange.sealed(
                {
                    "format": exchange.FORMAT_PROPOSAL,
                    "organiser": {"code": f"S{mark}", "name": f"Đơn vị gửi {mark}"},
                    "year": 2023,
                    "proposals": [
                        {
                            "unit": {"code": f"U{mark}", "name": f"Đội {mark}"},
                            "title": {"code": "co", "name": f"Cờ {mark}", "level": "ministry"},
                        }
                    ],
                }
            ),
        ),
        user=staff,
    )
    s.proposal_answer = award_incoming.proposal_answer(
        received=s.received,
        outcomes={(f"U{mark}", "co"): "granted"},
        user=staff,
        number=f"5/QĐ-{mark}",
        date=dt.date(2024, 1, 12),
        signer_name="Đ/c E",
        signer_title="Thứ trưởng",
        authority=f"Cơ quan {mark}",
        level="ministry",
    )

    # Signing records, an activity, a model, a job.
    s.conference = signing_services.signing_conference_record(
        cluster=s.c1, held_on=dt.date(2023, 2, 25), place=f"Hội trường {mark}", chair="Đ/c A"
    )
    s.photo = signing_services.conference_photo_add(
        conference=s.conference, image=_png("anh.png"), caption=f"Ảnh {mark}"
    )
    s.signature = signing_services.signature_sign(
        pledge=s.pledge,
        unit=units["member"],
        signatory=f"Đ/c {mark}",
        position="Trưởng Công an",
        signed_on=dt.date(2023, 2, 25),
    )
    s.registration = signing_services.registration_record(
        campaign=s.campaign, unit=units["member"], titles=[Title.ADVANCED]
    )
    s.election = leadership_services.leadership_election_record(
        cluster=s.c1,
        held_on=dt.date(2023, 12, 20),
        members_present=3,
        leader=units["member"],
        leader_votes=2,
    )
    s.activity = activity_services.activity_record(
        clusters=[s.c1], held_on=dt.date(2023, 5, 1), host=units["leader"], title=f"Giao lưu {mark}"
    )
    s.activity_photo = activity_services.activity_photo_add(
        activity=s.activity, image=_png("gl.png"), caption=f"Ảnh giao lưu {mark}"
    )
    s.model = activity_services.advanced_model_record(unit=units["leader"], title=f"Mô hình {mark}")
    s.model_photo = activity_services.model_photo_add(
        model=s.model, image=_png("mh.png"), caption=f"Ảnh mô hình {mark}"
    )
    s.job = JobProgress.objects.create(
        kind=JobKind.RESULTS_EXPORT, user=staff, campaign=s.campaign, message=f"Xuất {mark}"
    )
    Campaign.objects.filter(pk=s.campaign.pk).update(phase=Phase.PUBLISHED)
    return s


def _build():
    w = SimpleNamespace()
    w.ministry = UnitFactory(code="BCA", name="Bộ Công an", kind=UnitKind.MINISTRY)
    w.province = UnitFactory(
        code="CAT", name="Công an tỉnh Thử", kind=UnitKind.PROVINCE, parent=w.ministry
    )
    a_units = {
        "leader": _unit("L1", w.province, MARK["A"]),
        "deputy": _unit("D1", w.province, MARK["A"]),
        "member": _unit("M1", w.province, MARK["A"]),
        "other": _unit("O1", w.province, MARK["A"]),
    }
    b_units = {
        "leader": _unit("BL", w.ministry, MARK["B"], UnitKind.DEPARTMENT),
        "deputy": _unit("BD", w.ministry, MARK["B"], UnitKind.DEPARTMENT),
        # The province is a member of the Ministry's cluster: a member, not a subordinate.
        "member": w.province,
        "other": _unit("BO", w.ministry, MARK["B"], UnitKind.DEPARTMENT),
    }
    w.users = {
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True, unit=None),
        "staffA": _staff(_unit("PX01", w.province, MARK["A"], UnitKind.DEPARTMENT), "sa"),
        "staffB": _staff(_unit("V03", w.ministry, MARK["B"], UnitKind.DEPARTMENT), "sb"),
        "leader": UserFactory(username="leader", unit=a_units["leader"]),
        "deputy": UserFactory(username="deputy", unit=a_units["deputy"]),
        "member": UserFactory(username="member", unit=a_units["member"]),
        "outsider": UserFactory(username="outsider", unit=a_units["other"]),
        "anon": None,
    }
    # An officer of the province, who explains its scores in the Ministry's campaign.
    province_officer = UserFactory(username="tinh", unit=w.province)
    w.sides = {
        "A": _side(
            w.province, MARK["A"], a_units, w.users["staffA"], w.users["admin"], w.users["member"]
        ),
        "B": _side(
            w.ministry, MARK["B"], b_units, w.users["staffB"], w.users["admin"], province_officer
        ),
    }
    w.organiser = {"A": w.province, "B": w.ministry}
    w.tree = {side: set(permissions.tree_unit_ids(unit.pk)) for side, unit in w.organiser.items()}
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once; every test runs in a savepoint inside this transaction, rolled back."""
    media = tmp_path_factory.mktemp("media")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- What a role may not see -------------------------------------------------------------------


def _shared_units(w, side: str) -> set[int]:
    """Units of the other organiser's tree that ``side``'s campaigns hold as members."""
    campaign = w.sides[side].campaign
    return set(campaign.memberships.values_list("unit_id", flat=True))


def forbidden(w, role: str, model) -> models.QuerySet:
    """The objects of ``model`` that belong to the other organiser than the role's."""
    owner = OWNERS[model._meta.label_lower]
    if role == "admin" or owner is SYSTEM:
        return model._default_manager.none()
    side = SIDE[role]
    other = OTHER[side]
    if isinstance(owner, Org):
        return model._default_manager.filter(**{owner.path: w.organiser[other]})
    private = w.tree[other] - _shared_units(w, side)
    return model._default_manager.filter(**{f"{owner.path}__in": private})


def own(w, role: str, model) -> models.QuerySet:
    owner = OWNERS[model._meta.label_lower]
    side = SIDE[role]
    if isinstance(owner, Org):
        return model._default_manager.filter(**{owner.path: w.organiser[side]})
    return model._default_manager.filter(**{f"{owner.path}__in": w.tree[side]})


def _client(w, role: str) -> Client:
    client = Client()
    if w.users[role] is not None:
        client.force_login(w.users[role])
    return client


def _url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def snapshot() -> dict[str, list]:
    """Every row of the project's apps (their history too) and of the admin's log."""
    state = {}
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            rows = model._default_manager.order_by("pk").values_list()
            state[model._meta.label] = [tuple(map(str, row)) for row in rows]
    state["admin.LogEntry"] = list(LogEntry.objects.values_list("pk", flat=True))
    return state


def _refused(response, role: str) -> bool:
    """403, 404, or a redirect to the admin's index (a missing object) or login page."""
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location == reverse("admin:index") or location.startswith(reverse("admin:login"))
    return False


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def _choice_leaks(w, role: str, form) -> list[str]:
    """Foreign-key choices of ``form`` that belong to the other organiser."""
    leaks = []
    for name, field in form.fields.items():
        # An inline row's own key is a hidden field checked against the inline's rows.
        if not isinstance(field, ModelChoiceField) or name == form._meta.model._meta.pk.name:
            continue
        related = field.queryset.model
        label = related._meta.label_lower
        assert label in OWNERS, f"{name}: choices of {label}, which has no rule in OWNERS"
        bad = set(field.queryset.values_list("pk", flat=True)) & set(
            forbidden(w, role, related).values_list("pk", flat=True)
        )
        if bad:
            leaks.append(f"{name}: {sorted(map(str, bad))}")
    return leaks


def _forms_of(response):
    """The form of an add or change page and a form of each of its inlines."""
    context = response.context
    if "adminform" in context:
        yield context["adminform"].form
    for inline in context.get("inline_admin_formsets", []):
        yield inline.formset.empty_form
        yield from inline.formset.forms[:1]


def _autocomplete_sources():
    """(source model, field name) of every autocomplete field of the site and its inlines,
    and one foreign key to every other registered model with a search: the endpoint answers
    for any foreign key whose model's admin has a search, not only the declared ones."""
    pairs = set()
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            pairs.add((model, name))
        for inline in model_admin.inlines:
            for name in inline.autocomplete_fields:
                pairs.add((inline.model, name))
    targets = {m for m, model_admin in admin.site._registry.items() if model_admin.search_fields}
    targets -= {source._meta.get_field(name).related_model for source, name in pairs}
    for model in REGISTERED:
        for field in model._meta.get_fields():
            if field.many_to_one and field.concrete and field.related_model in targets:
                pairs.add((model, field.name))
                targets.discard(field.related_model)
    return sorted(pairs, key=lambda pair: (pair[0]._meta.label_lower, pair[1]))


# --- The rules cover the registry ----------------------------------------------------------------


def test_every_registered_model_has_a_rule():
    labels = {model._meta.label_lower for model in admin.site._registry}

    assert labels - set(OWNERS) == set()
    assert labels - set(ACCESS) == set()


def test_every_model_of_the_project_is_registered():
    """History rows are read through each admin's history page, not on their own."""
    expected = {
        model
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }

    assert expected - set(admin.site._registry) == set()
    assert {m for m in admin.site._registry if m.__name__.startswith("Historical")} == set()


def test_the_world_has_objects_of_both_organisers_for_every_organiser_model(db, world):
    for model in REGISTERED:
        if OWNERS[model._meta.label_lower] is SYSTEM:
            continue
        assert own(world, "staffA", model).exists(), model
        assert own(world, "staffB", model).exists(), model
        assert forbidden(world, "staffA", model).exists(), model
        assert forbidden(world, "staffB", model).exists(), model


@pytest.mark.parametrize("role", ROLES)
def test_admin_index_lets_in_only_those_who_may(db, world, role):
    response = _client(world, role).get(reverse("admin:index"))

    if role in ENTERS:
        assert response.status_code == 200
        assert MARK[OTHER[SIDE[role]]] not in response.content.decode()
    else:
        assert _to_login(response)


# --- The matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_changelist_per_role(db, world, model, role):
    """The list, its filters' choices and the names on the page."""
    client = _client(world, role)
    label = model._meta.label_lower

    response = client.get(_url(model, "changelist"))

    if role in ACCESS[label]:
        assert response.status_code == 200
        listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
        assert listed & set(forbidden(world, role, model).values_list("pk", flat=True)) == set()
        if role in MANAGERS and OWNERS[label] is not SYSTEM:
            assert set(own(world, role, model).values_list("pk", flat=True)) <= listed
        if role == "admin":
            assert listed == set(model._default_manager.values_list("pk", flat=True))
        else:
            assert _filter_leaks(world, role, response.context["cl"]) == []
            assert MARK[OTHER[SIDE[role]]] not in response.content.decode()
    elif role in ENTERS:
        assert response.status_code == 403
    else:
        assert _to_login(response)


def _filter_leaks(w, role: str, changelist) -> list[str]:
    """Choices of the list's filters that name or point to the other organiser's objects."""
    leaks = []
    for spec in changelist.filter_specs:
        if isinstance(spec, RelatedFieldListFilter):
            offered = {pk for pk, _label in spec.lookup_choices}
            bad = set(forbidden(w, role, spec.field.related_model).values_list("pk", flat=True))
            if offered & bad:
                leaks.append(f"{spec.title}: {sorted(offered & bad)}")
        shown = " ".join(str(choice.get("display", "")) for choice in spec.choices(changelist))
        if MARK[OTHER[SIDE[role]]] in shown:
            leaks.append(f"{spec.title}: {shown}")
    return leaks


def _of(model, obj) -> dict:
    """The filter for ``obj``'s historical rows."""
    return {model._meta.pk.attname: obj.pk}


@pytest.mark.parametrize(("model", "role"), FOREIGN, ids=_label)
def test_other_organisers_objects_are_missing_on_every_page(db, world, model, role):
    """Every object's change and history pages; for the first few (the same code answers
    them all), its latest version page, and a change, a deletion and a revert posted."""
    client = _client(world, role)
    history = getattr(model._meta, "simple_history_manager_attribute", None)
    objects = list(forbidden(world, role, model))
    assert objects
    before = snapshot()

    for n, obj in enumerate(objects):
        pages = [_url(model, "change", obj.pk), _url(model, "history", obj.pk)]
        if history and n < 3:
            # A historical row's own pk is history_id; the object's id is kept under its
            # field's name (the two differ once sequences have moved on, as on PostgreSQL).
            version = getattr(model, history).filter(**_of(model, obj)).latest("history_id")
            pages.append(_url(model, "simple_history", obj.pk, version.history_id))
        for page in pages:
            response = client.get(page)
            assert _refused(response, role), (page, response.status_code)
            assert MARK[OTHER[SIDE[role]]] not in response.content.decode()
        if n >= 3:
            continue
        for page in [*pages[:1], *pages[2:], _url(model, "delete", obj.pk)]:
            response = client.post(
                page, {"name": "Đổi tên", "title": "Đổi tên", "post": "yes", "_save": "1"}
            )
            assert _refused(response, role), (page, response.status_code)

    assert snapshot() == before


@pytest.mark.parametrize(("model", "role"), FOREIGN, ids=_label)
def test_actions_on_the_other_organisers_ids_change_nothing(db, world, model, role):
    bad = list(forbidden(world, role, model).values_list("pk", flat=True))
    assert bad
    client = _client(world, role)
    model_admin = admin.site._registry[model]
    names = {"delete_selected"} | {
        action if isinstance(action, str) else action.__name__
        for action in (model_admin.actions or ())
    }
    before = snapshot()

    for name in sorted(names):
        response = client.post(
            _url(model, "changelist"),
            {"action": name, "_selected_action": [str(pk) for pk in bad], "post": "yes"},
        )
        assert response.status_code in (200, 302, 403), (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].split("?")[0] in (
                _url(model, "changelist"),
                reverse("admin:login"),
            )

    assert snapshot() == before
    assert model._default_manager.filter(pk__in=bad).count() == len(bad)


@pytest.mark.parametrize(("model", "role"), LISTED, ids=_label)
def test_form_choices_hold_only_objects_in_scope(db, world, model, role):
    client = _client(world, role)
    request = RequestFactory().get("/")
    request.user = type(world.users[role]).objects.get(pk=world.users[role].pk)
    listed = admin.site._registry[model].get_queryset(request).order_by("pk")
    pages = [_url(model, "add"), *(_url(model, "change", obj.pk) for obj in listed[:2])]
    opened = 0

    for page in pages:
        response = client.get(page)
        if response.status_code == 403:  # no add permission: the form is not shown
            continue
        assert response.status_code == 200, (page, response.status_code)
        opened += 1
        for form in _forms_of(response):
            assert _choice_leaks(world, role, form) == [], page
        assert MARK[OTHER[SIDE[role]]] not in response.content.decode(), page

    assert opened > 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("source", "field_name"),
    _autocomplete_sources(),
    ids=_label,
)
def test_autocomplete_answers_only_objects_in_scope(db, world, source, field_name, role):
    client = _client(world, role)
    target = source._meta.get_field(field_name).related_model
    query = {
        "app_label": source._meta.app_label,
        "model_name": source._meta.model_name,
        "field_name": field_name,
    }
    bad = {str(pk) for pk in forbidden(world, role, target).values_list("pk", flat=True)}

    for term in ("", MARK["A"], MARK["B"], "Đơn vị"):
        response = client.get(reverse("admin:autocomplete"), {**query, "term": term})
        if role not in ENTERS:
            assert _to_login(response)
            continue
        if role not in ACCESS[target._meta.label_lower]:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert ids & bad == set(), term
        if role != "admin" and term == MARK[OTHER[SIDE[role]]]:
            assert ids == set()
        if role in MANAGERS and term == "":
            assert ids != set()


# --- History is read-only, and a member unit of another organiser is only looked at ------------


@pytest.mark.parametrize(
    "model",
    [m for m in REGISTERED if getattr(m._meta, "simple_history_manager_attribute", None)],
    ids=lambda m: m._meta.label_lower,
)
def test_history_version_page_opens_but_never_reverts(db, world, model):
    client = _client(world, "staffA")
    obj = own(world, "staffA", model).first()
    version = getattr(model, model._meta.simple_history_manager_attribute).filter(**_of(model, obj))
    version = version.order_by("history_id").first()
    page = _url(model, "simple_history", obj.pk, version.history_id)
    assert client.get(_url(model, "history", obj.pk)).status_code == 200
    assert client.get(page).status_code == 200
    before = snapshot()

    response = client.post(page, {"_save": "1"})

    assert response.status_code == 403
    assert snapshot() == before


def test_staff_may_look_at_a_member_unit_of_another_organiser_but_not_change_it(db, world):
    client = _client(world, "staffB")
    page = _url(Unit, "change", world.province.pk)
    before = snapshot()

    shown = client.get(page)
    response = client.post(page, {"code": "CAT", "name": "Đổi tên", "kind": "province"})

    assert shown.status_code == 200
    assert 'name="name"' not in shown.content.decode()
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_cannot_place_a_unit_under_another_organisers_unit(db, world):
    client = _client(world, "staffA")
    before = Unit.objects.count()

    response = client.post(
        _url(Unit, "add"),
        {"code": "X9", "name": "Đơn vị mới", "kind": "district", "parent": world.ministry.pk},
    )

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert Unit.objects.count() == before


def test_staff_cannot_correct_their_own_units_sheet_in_the_admin(db, world):
    """Nobody judges their own unit: the entries of the staff member's own unit's sheet are
    shown read-only (another staff member or an administrator corrects them)."""
    staff = world.users["staffA"]
    cluster = world.sides["A"].c2
    MembershipFactory(cluster=cluster, unit=staff.unit, role=MemberRole.MEMBER)
    sheet = services.sheet_get_or_create(cluster=cluster, unit=staff.unit, stage=Stage.CLUSTER)
    other = services.sheet_get_or_create(
        cluster=cluster, unit=world.sides["A"].units["other"], stage=Stage.CLUSTER
    )
    client = _client(world, "staffA")

    own_page = client.get(_url(ScoreSheet, "change", sheet.pk)).content.decode()
    other_page = client.get(_url(ScoreSheet, "change", other.pk)).content.decode()

    assert 'name="entries-0-input_points"' not in own_page
    assert 'name="entries-0-input_points"' in other_page


# Written only by the services behind the product's pages (or by the task running a job).
READ_ONLY = (
    "scoring.scoreentry",
    "scoring.evidence",
    "scoring.explanation",
    "scoring.unittarget",
    "scoring.notassigned",
    "scoring.pledgeitemcriterion",
    "scoring.publication",
    "scoring.unitbaseline",
    "scoring.reviewmeeting",
    "clusters.period",
    "clusters.deadline",
    "clusters.deadlineextension",
    "awards.vote",
    "awards.unitfigures",
    "awards.receivedproposal",
    "awards.proposalanswer",
    "jobs.jobprogress",
)


@pytest.mark.parametrize("role", ["admin", "staffA"])
@pytest.mark.parametrize("label", READ_ONLY)
def test_records_written_by_the_services_are_read_only(db, world, label, role):
    model = apps.get_model(label)
    client = _client(world, role)
    obj = own(world, "staffA", model).first()
    before = snapshot()

    listed = client.get(_url(model, "changelist"))
    shown = client.get(_url(model, "change", obj.pk))
    added = client.get(_url(model, "add"))
    changed = client.post(_url(model, "change", obj.pk), {"_save": "1"})
    deleted = client.post(_url(model, "delete", obj.pk), {"post": "yes"})

    assert listed.status_code == shown.status_code == 200
    assert admin.site._registry[model].get_actions(listed.wsgi_request) == {}
    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert snapshot() == before


# A cluster's own records: its leader and deputy units keep them, the leader of another
# cluster of the same campaign sees none of them.
CLUSTER_RECORDS = (
    "clusters.signingconference",
    "clusters.conferencephoto",
    "clusters.pledge",
    "clusters.pledgeitem",
    "clusters.signature",
    "clusters.registration",
    "clusters.leadershipelection",
    "clusters.activity",
    "clusters.activityphoto",
)


@pytest.mark.parametrize("label", CLUSTER_RECORDS)
def test_cluster_records_are_their_clusters_leaders_only(db, world, label):
    model = apps.get_model(label)
    first_cluster = set(own(world, "leader", model).values_list("pk", flat=True))
    obj = own(world, "leader", model).first()

    def listed(role):
        response = _client(world, role).get(_url(model, "changelist"))
        return set(response.context["cl"].queryset.values_list("pk", flat=True))

    outsider_page = _client(world, "outsider").get(_url(model, "change", obj.pk))

    assert listed("leader") == listed("deputy") == first_cluster
    assert listed("outsider") == set()
    assert _refused(outsider_page, "outsider")


def test_score_table_form_offers_only_its_campaigns_reviews(db, world):
    side = world.sides["A"]
    Campaign.objects.filter(pk=side.campaign.pk).update(phase=Phase.SETUP)
    draft = ScoreTable.objects.create(campaign=side.campaign, title="Bảng nháp A")
    other_campaign = CampaignFactory(organiser=world.province, year=2024, name="Năm 2024 A")
    ScoreTable.objects.create(campaign=other_campaign, title="Bảng 2024")

    page = _client(world, "staffA").get(_url(ScoreTable, "change", draft.pk))
    choices = page.context["adminform"].form.fields["period"].queryset

    assert sorted(choices.values_list("campaign_id", "kind")) == [
        (side.campaign.pk, "six_month"),
        (side.campaign.pk, "year_end"),
    ]
