"""Every route × every role (issue 10, point 2), generated from the URL patterns themselves.

How it works: ``RULES`` names, for every URL pattern of the project (Django admin apart: see
tests/test_admin_matrix.py), one or more cases — the object the request is about (built in
the ``world`` fixture), the method, the phase the campaign is in, and the roles that may
do it. For every case and every role the request is sent inside a savepoint that is rolled
back afterwards, so the cases do not disturb each other. A role outside ``allow`` must be
refused — 403 or 404, or the login page for an anonymous visitor — and the database must be
untouched (no INSERT, UPDATE or DELETE was sent). A role inside ``allow``
must get through (no 403, no 404, no 500).

A new route without a rule fails ``test_every_route_has_a_rule``: add a ``Case`` for it to
``RULES`` (its args from the world, the roles that may use it).

The world: organiser A, a provincial police ("CAT"), runs campaign A with clusters C1
(leader L1, deputy D1, member M1) and C2 (O1). Organiser B, the Ministry ("BCA"), runs
campaign B whose cluster B1 has the province CAT itself as a member: A's staff get no right
in B's campaign, B's staff none in A's. Roles: ``admin``; ``staffA`` (a department of CAT);
``staffB`` (a department of the Ministry); ``leader``, ``deputy``, ``member`` (officers of
L1, D1, M1); ``outsider`` (officer of O1, the leader of the other cluster C2); ``anon``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from awards import services as award_services
from awards import titles as award_titles
from clusters.enums import MemberRole, NoticeKind, Phase, UnitKind
from clusters.models import Campaign, Notification
from clusters.services import leadership as leadership_services
from clusters.services import signing as signing_services
from clusters.services.activities import (
    activity_photo_add,
    activity_record,
    advanced_model_record,
    model_photo_add,
)
from jobs.models import JobKind, JobProgress
from scoring import services, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import NotAssigned, ScoreEntry, ScoreSheet, ScoreTable
from scoring.services.periods import OWN_TABLES, six_month_add
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
# Every test is a database test (so the test database is set up), inside the module's world.
pytestmark = pytest.mark.django_db
ROLES = ("admin", "staffA", "staffB", "leader", "deputy", "member", "outsider", "anon")
LOGGED_IN = frozenset(ROLES) - {"anon"}
EVERYONE = frozenset(ROLES)
MANAGERS_A = frozenset({"admin", "staffA"})
MANAGERS_B = frozenset({"admin", "staffB"})
ANY_STAFF = frozenset({"admin", "staffA", "staffB"})
HEADS_A = MANAGERS_A | {"leader", "deputy"}
C1_READERS = HEADS_A | {"member"}
OFFICERS = frozenset({"leader", "deputy", "member", "outsider"})
PNG = png_bytes()  # a real picture: uploads are decoded and re-encoded (clusters.images)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


def png(name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class World:
    """The objects the routes are about (see the module's docstring)."""

    users: dict[str, object]


def _staff(unit, username):
    user = UserFactory(username=username, unit=unit)
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def _table(campaign, clusters) -> ScoreTable:
    table = ScoreTable.objects.create(
        campaign=campaign,
        title="Thang điểm",
        bands=[{"label": "Xuất sắc", "min": "18"}, {"label": "Đạt", "min": "0"}],
        bonus_cap=D("5"),
    )
    table.clusters.set(clusters)
    group = make_criterion(table, "I", "group", max_points=D(20), order=1)
    make_criterion(table, "I.1", "manual", parent=group, order=1, max_points=D(20))
    make_criterion(table, "B", "bonus", order=2, max_points=D(5), per_item=D(1))
    services.table_renumber(table=table)
    return services.table_publish(table=table)


def _fill(sheet, points):
    services.sheet_fill(sheet=sheet, values={"I.1": {"points": D(points)}, "B": {"count": 1}})
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end; every request
    runs in a savepoint of its own (see ``_run``)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)


def _build() -> World:
    w = World()
    # Organiser B, the Ministry, and organiser A, a province (stored under the Ministry, as
    # an old import left it: it must not matter).
    w.ministry = UnitFactory(code="BCA", name="Bộ Công an", kind=UnitKind.MINISTRY)
    w.province = UnitFactory(
        code="CAT", name="Công an tỉnh Thử", kind=UnitKind.PROVINCE, parent=w.ministry
    )
    w.other_province = UnitFactory(code="CAK", kind=UnitKind.PROVINCE)
    w.campaign = CampaignFactory(organiser=w.province, year=2023)
    w.c1 = ClusterFactory(campaign=w.campaign, number=1, code="C1")
    w.c2 = ClusterFactory(campaign=w.campaign, number=2, code="C2")
    w.l1 = UnitFactory(code="L1", parent=w.province, kind=UnitKind.DISTRICT)
    w.d1 = UnitFactory(code="D1", parent=w.province, kind=UnitKind.DISTRICT)
    w.m1 = UnitFactory(code="M1", parent=w.province, kind=UnitKind.DISTRICT)
    w.o1 = UnitFactory(code="O1", parent=w.province, kind=UnitKind.DISTRICT)
    w.x1 = UnitFactory(code="X1", parent=w.province, kind=UnitKind.DISTRICT)
    MembershipFactory(cluster=w.c1, unit=w.l1, role=MemberRole.LEADER)
    MembershipFactory(cluster=w.c1, unit=w.d1, role=MemberRole.DEPUTY)
    MembershipFactory(cluster=w.c1, unit=w.m1, role=MemberRole.MEMBER)
    MembershipFactory(cluster=w.c2, unit=w.o1, role=MemberRole.LEADER)
    w.campaign_b = CampaignFactory(organiser=w.ministry, year=2023)
    w.b1 = ClusterFactory(campaign=w.campaign_b, number=1, code="B1")
    MembershipFactory(cluster=w.b1, unit=w.other_province, role=MemberRole.LEADER)
    MembershipFactory(cluster=w.b1, unit=w.province, role=MemberRole.MEMBER)
    w.users = {
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True, unit=None),
        "staffA": _staff(UnitFactory(code="PX01", parent=w.province, kind="department"), "sa"),
        "staffB": _staff(UnitFactory(code="V03", parent=w.ministry, kind="department"), "sb"),
        "leader": UserFactory(username="leader", unit=w.l1),
        "deputy": UserFactory(username="deputy", unit=w.d1),
        "member": UserFactory(username="member", unit=w.m1),
        "outsider": UserFactory(username="outsider", unit=w.o1),
        "anon": None,
    }

    # Scores: a published table; self sheets (M1 draft, D1 submitted), cluster sheets with
    # M1 scored below its own figure (so it may explain), the final stage started.
    w.table = _table(w.campaign, [w.c1, w.c2])
    w.table_b = _table(w.campaign_b, [w.b1])
    Campaign.objects.filter(pk=w.campaign.pk).update(phase=Phase.SELF_ASSESSMENT)
    w.self_m1 = services.sheet_get_or_create(cluster=w.c1, unit=w.m1, stage=Stage.SELF)
    _fill(w.self_m1, 15)
    w.self_d1 = services.sheet_get_or_create(cluster=w.c1, unit=w.d1, stage=Stage.SELF)
    _fill(w.self_d1, 12)
    ScoreSheet.objects.filter(pk=w.self_d1.pk).update(status=SheetStatus.SUBMITTED)
    w.self_entry = ScoreEntry.objects.get(sheet=w.self_m1, criterion__code="I.1")
    w.evidence = services.evidence_add(entry=w.self_entry, upload=pdf("minh-chung.pdf"))
    cluster_sheets = {}
    for unit in (w.l1, w.d1, w.m1):
        sheet = services.sheet_get_or_create(cluster=w.c1, unit=unit, stage=Stage.CLUSTER)
        _fill(sheet, 10 if unit == w.m1 else 18)
        cluster_sheets[unit.code] = sheet
    w.cluster_m1 = cluster_sheets["M1"]
    w.cluster_entry = ScoreEntry.objects.get(sheet=w.cluster_m1, criterion__code="I.1")
    w.cluster_entry_l1 = ScoreEntry.objects.get(sheet=cluster_sheets["L1"], criterion__code="I.1")
    Campaign.objects.filter(pk=w.campaign.pk).update(phase=Phase.FINAL_REVIEW)
    w.campaign.refresh_from_db()
    finals = {s.unit.code: s for s in workflow.stage_start(cluster=w.c1, stage=Stage.FINAL)}
    w.final_m1 = finals["M1"]
    w.final_entry = ScoreEntry.objects.get(sheet=w.final_m1, criterion__code="I.1")

    # Signing records with files, an activity with a photo, a model, award types, a job.
    Campaign.objects.filter(pk=w.campaign.pk).update(phase=Phase.SIGNING)
    w.conference = signing_services.signing_conference_record(
        cluster=w.c1, held_on=dt.date(2023, 2, 25), place="Hội trường", chair="Đ/c A"
    )
    signing_services.conference_minutes_attach(conference=w.conference, upload=pdf())
    w.photo = signing_services.conference_photo_add(conference=w.conference, image=png())
    w.pledge = signing_services.pledge_record(
        cluster=w.c1, slogan="Thi đua", items=[("Công tác", "Hoàn thành chỉ tiêu")]
    )
    w.signature = signing_services.signature_sign(
        pledge=w.pledge,
        unit=w.m1,
        signatory="Đ/c B",
        position="Trưởng Công an",
        signed_on=dt.date(2023, 2, 25),
        scanned_copy=pdf("ban-ky.pdf"),
    )
    w.c1.regulation.save("quy-che.pdf", ContentFile(PDF), save=True)
    w.activity = activity_record(
        clusters=[w.c1], held_on=dt.date(2023, 5, 1), host=w.l1, title="Giao lưu"
    )
    w.activity_photo = activity_photo_add(activity=w.activity, image=png("gl.png"))
    w.model = advanced_model_record(unit=w.m1, title="Mô hình tự quản")
    w.model_photo = model_photo_add(model=w.model, image=png("mh.png"))
    w.award_type = award_services.award_type_upsert(
        campaign=w.campaign, code="tien-tien", name="Đơn vị Tiên tiến", pass_share=D("0.5")
    )
    w.job = JobProgress.objects.create(
        kind=JobKind.RESULTS_EXPORT, user=w.users["staffA"], campaign=w.campaign
    )
    w.job.file.save("ket-qua.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    return w


# --- Rules ---------------------------------------------------------------------------------


@dataclass
class Case:
    """One request about one object: who may send it, and in which phase."""

    args: Callable[[World], list] = lambda w: []
    allow: frozenset[str] = frozenset()
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    phase: str | None = None
    prepare: Callable[[World], None] | None = None
    htmx: bool = False
    # Statuses a permitted role may also get (a bogus token, an incomplete form).
    tolerate: frozenset[int] = field(default_factory=frozenset)
    public: bool = False
    # Added to the URL: "?period=six_month" for a page of the six-month review.
    query: str = ""


def _publish_c1(w: World) -> None:
    Campaign.objects.filter(pk=w.campaign.pk).update(phase=Phase.FINAL_REVIEW)
    cluster = type(w.c1).objects.select_related("campaign").get(pk=w.c1.pk)
    workflow.cluster_publish(cluster=cluster, user=w.users["admin"])
    Campaign.objects.filter(pk=w.campaign.pk).update(phase=Phase.PUBLISHED)


def _campaign(w):
    return [w.campaign.pk]


def _election(w: World) -> None:
    w.election = leadership_services.leadership_election_record(
        cluster=type(w.c1).objects.get(pk=w.c1.pk),
        held_on=dt.date(2023, 12, 20),
        members_present=3,
        leader=w.m1,
        leader_votes=2,
        minutes=pdf(),
    )


def _target_criterion(w: World) -> None:
    w.target_criterion = make_criterion(
        w.table, "I.2", "target", max_points=D(0), metric="rate", method="threshold"
    )


def _c1(w):
    return [w.c1.pk]


def _figures_m1(w: World) -> None:
    """M1's figures for the year, sent for checking."""
    award_titles.figures_save(
        campaign=w.campaign,
        unit=w.m1,
        headcount=30,
        advanced_soldiers=21,
        emulation_soldiers=4,
        disciplined=0,
        user=w.users["member"],
    )


def _notification(w: World) -> None:
    """A notification of the member's (M1's officer)."""
    w.notification = Notification.objects.create(
        recipient=w.users["member"], kind=NoticeKind.REMINDER, campaign=w.campaign, key="t:1"
    )


def _deadline(w: World) -> None:
    """A passed deadline of campaign A's self-assessment (warn only), with an extension."""
    from clusters.services import deadlines as deadline_services

    w.deadline = deadline_services.deadline_set(
        campaign=w.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=dt.date(2023, 11, 10),
    )
    deadline_services.deadline_extend(
        deadline=w.deadline, unit=w.m1, due_date=dt.date(2023, 11, 15), reason="Mưa lũ"
    )


def _deadline_data(w: World) -> dict:
    from clusters.models import Period

    return {
        "deadline-period": Period.objects.year_end(w.campaign).pk,
        "deadline-phase": Phase.CLUSTER_SCORING,
        "deadline-due_date": "2023-12-01",
        "deadline-mode": "close",
    }


def _title_rule(w: World) -> None:
    w.title_rule = award_titles.title_rule_add(award_type=w.award_type, kind="leading")


def _decision_data(w: World) -> dict:
    return {
        "number": "9/QĐ-CAT",
        "date": "2024-01-10",
        "signer_name": "Đ/c C",
        "signer_title": "Giám đốc",
        "authority": "Công an tỉnh Thử",
        "level": "unit",
    }


def _decision(w: World) -> None:
    """A decision of campaign A with its scanned copy (no unit yet); the one made already
    when a shared world (tests/e2e/test_accessibility.py) keeps it."""
    w.decision = w.campaign.decisions.filter(number="1/QĐ-CAT").first()
    if w.decision is not None:
        return
    w.decision = award_services.decision_record(
        campaign=w.campaign,
        user=w.users["staffA"],
        number="1/QĐ-CAT",
        date=dt.date(2024, 1, 5),
        signer_name="Đ/c C",
        signer_title="Giám đốc",
        authority="Công an tỉnh Thử",
        level="unit",
        scanned_copy=pdf("quyet-dinh.pdf"),
    )


def _received(w: World) -> None:
    """A proposal file of organiser A (CAT) received by organiser B (the Ministry), with one
    decision written on it; the ones made already when a shared world keeps them."""
    from awards import incoming
    from awards.interchange import decisions as exchange
    from awards.interchange.incoming import proposal_plan
    from awards.models import ProposalAnswer, ReceivedProposal

    w.received = ReceivedProposal.objects.filter(organiser=w.ministry).first()
    if w.received is None:
        row = {
            "unit": {"code": "M1", "name": "Công an huyện M1"},
            "title": {"code": "tien-tien", "name": "Đơn vị Tiên tiến", "level": "ministry"},
        }
        document = exchange.sealed(
            {
                "format": exchange.FORMAT_PROPOSAL,
                "organiser": {"code": "CAT", "name": "Công an tỉnh Thử"},
                "year": 2023,
                "proposals": [row],
            }
        )
        plan = proposal_plan(w.ministry, document)
        w.received = incoming.received_proposal_store(
            organiser=w.ministry, plan=plan, user=w.users["staffB"]
        )
    w.proposal_answer = ProposalAnswer.objects.filter(proposal=w.received).first()
    if w.proposal_answer is None:
        w.proposal_answer = incoming.proposal_answer(
            received=w.received,
            outcomes={("M1", "tien-tien"): "granted"},
            user=w.users["staffB"],
            number="7/QĐ-BCA",
            date=dt.date(2024, 1, 15),
            signer_name="Đ/c D",
            signer_title="Thứ trưởng",
            authority="Bộ Công an",
            level="ministry",
        )


def _answer_data(w: World) -> dict:
    return {**_decision_data(w), "number": "8/QĐ-BCA", "level": "ministry", "outcome-0": "refused"}


def _certificate(w: World) -> None:
    """The decision above granting M1 its title: one certificate, M1's."""
    _decision(w)
    award_services.decision_item_set(
        decision=w.decision, unit=w.m1, award_type=w.award_type, outcome="granted"
    )


def _certificate_args(w: World) -> list:
    return [w.decision.pk, w.m1.pk]


def _past_title(w: World) -> None:
    """A past title of organiser A (CAT) for M1, kept by hand."""
    w.past_title = award_titles.past_title_record(
        organiser=w.province, unit=w.m1, year=2020, code="tien-tien", name="Đơn vị Tiên tiến"
    )


def _past_titles_xlsx(w: World) -> dict:
    """A filled past titles' template: M1 held tien-tien in 2019."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Mã đơn vị", "Tên", "Năm", "Mã danh hiệu", "Nguồn", "Ghi chú"])
    workbook.active.append(["M1", "", 2019, "tien-tien", "QĐ 1/QĐ-CAT", ""])
    stream = io.BytesIO()
    workbook.save(stream)
    upload = SimpleUploadedFile("danh-hieu.xlsx", stream.getvalue())
    return {"organiser": w.province.pk, "file": upload}


SIX_MONTH = "?period=six_month"  # a page of the six-month review (Case.query)


def _six_month(w: World) -> None:
    """Campaign A's six-month review, with its own tables (none yet)."""
    six_month_add(campaign=w.campaign, tables=OWN_TABLES)


def _extra_criterion(w: World) -> None:
    """A second base criterion, so that a unit keeps one assigned when I.1 is not."""
    w.extra_criterion = make_criterion(w.table, "I.9", "manual", max_points=D(5))


def _not_assigned_mark(w: World) -> None:
    _extra_criterion(w)
    w.mark = NotAssigned.objects.create(criterion=w.extra_criterion, unit_kind=UnitKind.COMMUNE)


def _draft(w: World) -> None:
    """A draft table of campaign A for the score table editor's routes."""
    w.draft = ScoreTable.objects.create(campaign=w.campaign, title="Thang điểm nháp")
    group = make_criterion(w.draft, "I", "group", max_points=D(20), order=1)
    w.draft_group = group
    w.draft_leaf = make_criterion(w.draft, "I.1", "manual", parent=group, order=1, max_points=D(20))
    services.table_renumber(table=w.draft)


def _draft_args(w):
    return [w.campaign.pk, w.draft.pk]


def _editor_post(data: Callable[[World], dict]) -> list[Case]:
    return [Case(_draft_args, MANAGERS_A, "POST", data, prepare=_draft, htmx=True)]


RULES: dict[str, list[Case]] = {
    # Public and for everyone logged in.
    "login": [Case(allow=EVERYONE, public=True)],
    "logout": [Case(method="POST", allow=EVERYONE, public=True)],
    "set_language": [
        Case(method="POST", data=lambda w: {"language": "en"}, allow=EVERYONE, public=True)
    ],
    "favicon.ico": [Case(allow=EVERYONE, public=True)],
    "home": [Case(allow=LOGGED_IN)],
    "search": [Case(allow=LOGGED_IN, query="?q=dak")],
    "cluster_recent": [Case(_c1, C1_READERS), Case(lambda w: [w.b1.pk], MANAGERS_B)],
    "campaign_recent": [Case(_campaign, MANAGERS_A | OFFICERS)],
    "campaign_list": [Case(allow=LOGGED_IN)],
    "my_sheet": [Case(allow=LOGGED_IN, phase=Phase.SELF_ASSESSMENT)],
    "activity_list": [Case(allow=LOGGED_IN)],
    "model_list": [Case(allow=LOGGED_IN)],
    "job_list": [Case(allow=LOGGED_IN)],
    # One's own password and second factor (without a device, the last three send the user
    # on to where they may go).
    "password_change": [Case(allow=LOGGED_IN)],
    "password_change_done": [Case(allow=LOGGED_IN)],
    "two_factor": [Case(allow=LOGGED_IN)],
    "two_factor_setup": [Case(allow=LOGGED_IN)],
    "two_factor_verify": [Case(allow=LOGGED_IN)],
    "two_factor_codes": [Case(allow=LOGGED_IN)],
    "two_factor_disable": [Case(allow=LOGGED_IN)],
    # Notifications: one's own list and settings; one is marked read by its recipient only
    # (another's answers 404), and staff of the organiser send reminders.
    "notification_list": [Case(allow=LOGGED_IN, prepare=_notification)],
    "notification_read_all": [Case(method="POST", allow=LOGGED_IN)],
    "notification_settings": [
        Case(allow=LOGGED_IN),
        Case(method="POST", data=lambda w: {"notify_by_email": "on"}, allow=LOGGED_IN),
    ],
    "notification_read": [
        Case(lambda w: [w.notification.pk], frozenset({"member"}), "POST", prepare=_notification)
    ],
    "reminders_send": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"phase": Phase.SELF_ASSESSMENT, "units": [w.m1.pk]},
            Phase.SELF_ASSESSMENT,
        ),
        Case(
            lambda w: [w.campaign_b.pk],
            MANAGERS_B,
            "POST",
            lambda w: {"phase": Phase.SELF_ASSESSMENT, "all_late": "1"},
        ),
    ],
    # Deadlines (docs/deadlines.md): the organiser's staff set, extend and remove them and
    # see who is late; everyone who sees the campaign gets the calendar file.
    "campaign_deadlines": [
        Case(_campaign, MANAGERS_A, prepare=_deadline),
        Case(_campaign, MANAGERS_A, "POST", _deadline_data),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
    ],
    "deadline_extend": [
        Case(
            lambda w: [w.campaign.pk, w.deadline.pk],
            MANAGERS_A,
            "POST",
            lambda w: {
                f"extend-{w.deadline.pk}-unit": w.m1.pk,
                f"extend-{w.deadline.pk}-due_date": "2023-11-20",
                f"extend-{w.deadline.pk}-reason": "Mất điện",
            },
            prepare=_deadline,
        )
    ],
    "deadline_delete": [
        Case(lambda w: [w.campaign.pk, w.deadline.pk], MANAGERS_A, "POST", prepare=_deadline)
    ],
    "campaign_deadlines_ics": [Case(_campaign, MANAGERS_A | OFFICERS, prepare=_deadline)],
    "campaign_late": [
        Case(_campaign, MANAGERS_A, phase=Phase.SELF_ASSESSMENT, prepare=_deadline),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
    ],
    # Accounts: administrators, and staff for their organiser's own tree (M1 is in A's).
    "account_list": [Case(allow=ANY_STAFF)],
    "account_create": [
        Case(allow=ANY_STAFF),
        Case(
            allow=ANY_STAFF,
            method="POST",
            data=lambda w: {
                "username": "moi",
                "full_name": "Trần Thị Mới",
                "unit": w.m1.pk,
                "role": "officer",
                "password1": "temporary-pass-1",
                "password2": "temporary-pass-1",
            },
            # staffB gets the form back (400): M1 is not among the units it may choose.
            tolerate=frozenset({400}),
        ),
    ],
    "account_edit": [
        Case(lambda w: [w.users["member"].pk], MANAGERS_A),
        Case(
            lambda w: [w.users["member"].pk],
            MANAGERS_A,
            "POST",
            lambda w: {"full_name": "Lê Văn Đổi", "unit": w.m1.pk, "role": "officer"},
        ),
    ],
    "account_password": [
        Case(
            lambda w: [w.users["member"].pk],
            MANAGERS_A,
            "POST",
            lambda w: {"password1": "reset-by-staff-1", "password2": "reset-by-staff-1"},
        )
    ],
    # Setting up years: the organiser's staff.
    "setup_campaigns": [Case(allow=ANY_STAFF)],
    "setup_campaign_create": [
        Case(
            allow=ANY_STAFF,
            method="POST",
            data=lambda w: {"year": 2025, "name": "Năm 2025"},
            tolerate=frozenset({400, 422}),
        )
    ],
    "setup_campaign_copy": [
        Case(
            allow=ANY_STAFF,
            method="POST",
            data=lambda w: {"source": w.campaign.pk, "year": 2024},
            tolerate=frozenset({400, 422}),
        )
    ],
    "setup_campaign_copy_page": [
        Case(_campaign, MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"copy-year": 2024, f"copy-leaders_{w.c1.pk}": "rotate"},
            tolerate=frozenset({400}),
        ),
    ],
    "setup_campaign": [
        Case(_campaign, MANAGERS_A, phase=Phase.SETUP),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
    ],
    "setup_membership_move": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"unit": w.x1.pk, "cluster": w.c2.pk},
            Phase.SETUP,
        ),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B, "POST", lambda w: {"unit": w.province.pk}),
    ],
    "setup_membership_add": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"unit": w.x1.pk, "cluster": w.c2.pk},
            Phase.SETUP,
        ),
    ],
    "setup_membership_remove": [
        Case(_campaign, MANAGERS_A, "POST", lambda w: {"unit": w.o1.pk}, Phase.SETUP),
    ],
    "setup_cluster_head": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"cluster": w.c1.pk, "unit": w.m1.pk, "role": "deputy"},
            Phase.SETUP,
        ),
    ],
    "setup_cluster_create": [
        Case(_campaign, MANAGERS_A, "POST", lambda w: {"number": 3, "name": "Cụm 3"}, Phase.SETUP),
        Case(
            lambda w: [w.campaign_b.pk],
            MANAGERS_B,
            "POST",
            lambda w: {"number": 2, "name": "Cụm 2"},
        ),
    ],
    "setup_cluster_rename": [
        Case(
            lambda w: [w.campaign.pk, w.c1.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"number": 1, "name": "Cụm Một"},
            Phase.SETUP,
        ),
    ],
    # A cluster's page and files: whoever may see the cluster.
    "cluster_detail": [Case(_c1, C1_READERS), Case(lambda w: [w.b1.pk], MANAGERS_B)],
    "cluster_file": [
        Case(lambda w: ["minutes", w.conference.pk], C1_READERS),
        Case(lambda w: ["photo", w.photo.pk], C1_READERS),
        Case(lambda w: ["scan", w.signature.pk], C1_READERS),
        Case(lambda w: ["regulation", w.c1.pk], C1_READERS),
        Case(lambda w: ["election", w.election.pk], C1_READERS, prepare=_election),
    ],
    # Signing records: the cluster's leader and deputy units and the organiser's staff.
    "cluster_conference_edit": [Case(_c1, HEADS_A, phase=Phase.SIGNING)],
    "cluster_photo_add": [
        Case(_c1, HEADS_A, "POST", lambda w: {"image": png(), "caption": "Ảnh"}, Phase.SIGNING)
    ],
    "cluster_photo_remove": [
        Case(lambda w: [w.c1.pk, w.photo.pk], HEADS_A, "POST", phase=Phase.SIGNING)
    ],
    "cluster_pledge_edit": [Case(_c1, HEADS_A, phase=Phase.SIGNING)],
    "cluster_signature_edit": [Case(lambda w: [w.c1.pk, w.m1.pk], HEADS_A, phase=Phase.SIGNING)],
    "cluster_registration_edit": [Case(lambda w: [w.c1.pk, w.m1.pk], HEADS_A, phase=Phase.SIGNING)],
    "pledge_docx": [Case(_c1, C1_READERS)],
    "pledge_print": [Case(_c1, C1_READERS)],
    # Exchange activities and models.
    "activity_create": [Case(allow=HEADS_A | {"staffB", "outsider"})],
    "activity_detail": [Case(lambda w: [w.activity.pk], C1_READERS)],
    "activity_edit": [Case(lambda w: [w.activity.pk], HEADS_A)],
    "activity_photo_add": [
        Case(lambda w: [w.activity.pk], HEADS_A, "POST", lambda w: {"image": png()})
    ],
    "activity_photo": [Case(lambda w: [w.activity_photo.pk], C1_READERS)],
    "model_create": [Case(allow=LOGGED_IN)],
    "model_detail": [Case(lambda w: [w.model.pk], MANAGERS_A | OFFICERS)],
    "model_edit": [Case(lambda w: [w.model.pk], MANAGERS_A | {"member"})],
    "model_photo_add": [
        Case(lambda w: [w.model.pk], MANAGERS_A | {"member"}, "POST", lambda w: {"image": png()})
    ],
    "model_photo": [Case(lambda w: [w.model_photo.pk], MANAGERS_A | OFFICERS)],
    "model_photo_remove": [Case(lambda w: [w.model_photo.pk], MANAGERS_A | {"member"}, "POST")],
    # Sheets.
    "sheet_detail": [
        Case(lambda w: [w.self_m1.pk], C1_READERS),
        Case(lambda w: [w.final_m1.pk], MANAGERS_A, phase=Phase.FINAL_REVIEW),
    ],
    "sheet_entry_save": [
        Case(
            lambda w: [w.self_m1.pk, w.self_entry.pk],
            frozenset({"member"}),
            "POST",
            lambda w: {"points": "16", "version": w.self_entry.version},
            Phase.SELF_ASSESSMENT,
            htmx=True,
        )
    ],
    "sheet_what_if": [
        Case(
            lambda w: [w.self_m1.pk],
            C1_READERS,
            "POST",
            lambda w: {f"w{w.self_entry.pk}-points": "5"},
            htmx=True,
        ),
        Case(
            lambda w: [w.cluster_m1.pk],
            HEADS_A,
            "POST",
            lambda w: {f"w{w.cluster_entry.pk}-points": "19"},
            Phase.CLUSTER_SCORING,
            htmx=True,
        ),
    ],
    "sheet_submit": [
        Case(lambda w: [w.self_m1.pk], frozenset({"member"}), "POST", phase=Phase.SELF_ASSESSMENT)
    ],
    "sheet_return": [
        Case(
            lambda w: [w.self_d1.pk],
            MANAGERS_A | {"leader"},
            "POST",
            lambda w: {"comment": "Bổ sung"},
            Phase.SELF_ASSESSMENT,
        )
    ],
    "entry_explain": [
        Case(
            lambda w: [w.cluster_entry.pk],
            frozenset({"member"}),
            "POST",
            lambda w: {"text": "Đơn vị đã hoàn thành"},
            Phase.EXPLANATION,
        )
    ],
    "evidence_upload": [
        Case(
            lambda w: [w.self_entry.pk],
            frozenset({"member"}),
            "POST",
            lambda w: {"file": pdf()},
            Phase.SELF_ASSESSMENT,
            htmx=True,
        )
    ],
    "evidence_cite": [
        Case(
            lambda w: [w.self_entry.pk],
            frozenset({"member"}),
            "POST",
            lambda w: {"model": w.model.pk},
            Phase.SELF_ASSESSMENT,
            htmx=True,
            tolerate=frozenset({400, 422}),
        )
    ],
    "evidence_download": [Case(lambda w: [w.evidence.pk], C1_READERS)],
    "evidence_delete": [
        Case(
            lambda w: [w.evidence.pk],
            frozenset({"member"}),
            "POST",
            phase=Phase.SELF_ASSESSMENT,
            htmx=True,
        )
    ],
    "sheet_history": [Case(lambda w: [w.self_m1.pk], C1_READERS)],
    "entry_history": [Case(lambda w: [w.self_entry.pk], C1_READERS)],
    # The grid.
    "grid": [
        Case(lambda w: [w.c1.pk, "cluster"], HEADS_A, phase=Phase.CLUSTER_SCORING),
        Case(lambda w: [w.c1.pk, "final"], MANAGERS_A, phase=Phase.FINAL_REVIEW),
        Case(lambda w: [w.b1.pk, "final"], MANAGERS_B, phase=Phase.FINAL_REVIEW),
        Case(
            lambda w: [w.c1.pk, "cluster"],
            HEADS_A,
            phase=Phase.CLUSTER_SCORING,
            prepare=_six_month,
            query=SIX_MONTH,
        ),
    ],
    "grid_cell_save": [
        Case(
            lambda w: [w.c1.pk, "cluster", w.cluster_entry.pk],
            frozenset({"leader"}),
            "POST",
            lambda w: {"field": "points", "value": "11", "version": w.cluster_entry.version},
            Phase.CLUSTER_SCORING,
            htmx=True,
        ),
        Case(
            lambda w: [w.c1.pk, "cluster", w.cluster_entry_l1.pk],
            frozenset({"deputy"}),
            "POST",
            lambda w: {"field": "points", "value": "11", "version": w.cluster_entry_l1.version},
            Phase.CLUSTER_SCORING,
            htmx=True,
        ),
        Case(
            lambda w: [w.c1.pk, "final", w.final_entry.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"field": "points", "value": "11", "version": w.final_entry.version},
            Phase.FINAL_REVIEW,
            htmx=True,
        ),
    ],
    "grid_override": [
        Case(
            lambda w: [w.c1.pk, "final", w.final_entry.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"override": "9", "reason": "Xác minh", "version": w.final_entry.version},
            Phase.FINAL_REVIEW,
            htmx=True,
        )
    ],
    "grid_xlsx": [Case(lambda w: [w.c1.pk, "cluster"], HEADS_A, phase=Phase.CLUSTER_SCORING)],
    "grid_upload": [
        Case(
            lambda w: [w.c1.pk, "cluster"],
            frozenset({"leader", "deputy"}),
            phase=Phase.CLUSTER_SCORING,
        ),
        Case(lambda w: [w.c1.pk, "final"], MANAGERS_A, phase=Phase.FINAL_REVIEW),
    ],
    "grid_upload_confirm": [
        Case(
            lambda w: [w.c1.pk, "final", "0" * 32],
            MANAGERS_A,
            "POST",
            phase=Phase.FINAL_REVIEW,
            tolerate=frozenset({404}),
        )
    ],
    "stage_start": [
        Case(lambda w: [w.c1.pk, "cluster"], HEADS_A, "POST", phase=Phase.CLUSTER_SCORING),
        Case(lambda w: [w.c1.pk, "final"], MANAGERS_A, "POST", phase=Phase.FINAL_REVIEW),
    ],
    "cluster_publish": [Case(_c1, MANAGERS_A, "POST", phase=Phase.FINAL_REVIEW)],
    "cluster_reopen": [
        Case(
            _c1,
            frozenset({"admin"}),
            "POST",
            lambda w: {"reason": "Sai số liệu"},
            prepare=_publish_c1,
        )
    ],
    # Campaigns, rankings and reports.
    "campaign_overview": [
        Case(_campaign, HEADS_A | {"outsider"}),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
        Case(_campaign, HEADS_A | {"outsider"}, prepare=_six_month, query=SIX_MONTH),
    ],
    "campaign_phase": [
        Case(_campaign, MANAGERS_A, "POST", lambda w: {"phase": Phase.SIGNING}, Phase.SETUP),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B, "POST", lambda w: {"phase": Phase.SIGNING}),
    ],
    # The six-month review: its managers add it (with its own tables or a copy) and move it.
    "six_month_add": [
        Case(_campaign, MANAGERS_A),
        Case(_campaign, MANAGERS_A, "POST", lambda w: {"tables": "own"}),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B, "POST", lambda w: {"tables": "copy"}),
    ],
    "period_phase": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"phase": Phase.SELF_ASSESSMENT},
            prepare=_six_month,
        ),
    ],
    # With no ranking to show yet, a member gets a page saying so.
    "ranking_default": [Case(_c1, C1_READERS, phase=Phase.CLUSTER_SCORING)],
    "ranking": [
        Case(lambda w: [w.c1.pk, "cluster"], HEADS_A, phase=Phase.CLUSTER_SCORING),
        Case(lambda w: [w.c1.pk, "cluster"], C1_READERS, phase=Phase.EXPLANATION),
        Case(lambda w: [w.c1.pk, "final"], C1_READERS, prepare=_publish_c1),
    ],
    "report_cluster": [Case(_c1, C1_READERS, prepare=_publish_c1)],
    "report_gaps": [Case(_c1, HEADS_A, phase=Phase.CLUSTER_SCORING)],
    # Members read the province report and a unit's history for the clusters they see
    # (the other cluster's leader sees its own cluster's draft ranking).
    "report_province": [Case(_campaign, C1_READERS | {"outsider"}, prepare=_publish_c1)],
    "report_unit_history": [Case(lambda w: [w.m1.pk], C1_READERS, prepare=_publish_c1)],
    "campaign_tables": [
        Case(_campaign, MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
    ],
    "campaign_table_clusters": [
        Case(
            lambda w: [w.campaign.pk, w.table.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"clusters": [w.c1.pk, w.c2.pk]},
            Phase.SETUP,
        )
    ],
    # The score table editor (a draft of campaign A is made first).
    "campaign_table_create": [
        Case(_campaign, MANAGERS_A, "POST", lambda w: {"title": "Thang mới"}),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B, "POST", lambda w: {"title": "Thang mới"}),
    ],
    "campaign_table_editor": [
        Case(_draft_args, MANAGERS_A, prepare=_draft),
        Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A),
    ],
    "campaign_table_new_version": [
        Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A, "POST"),
        Case(lambda w: [w.campaign_b.pk, w.table_b.pk], MANAGERS_B, "POST"),
    ],
    "campaign_table_preview": [Case(_draft_args, MANAGERS_A, prepare=_draft)],
    "campaign_table_history": [Case(_draft_args, MANAGERS_A, prepare=_draft)],
    "campaign_table_criterion_panel": [Case(_draft_args, MANAGERS_A, prepare=_draft)],
    "campaign_table_settings": _editor_post(
        lambda w: {"revision": 1, "title": "Thang điểm 2", "bonus_cap": "5"}
    ),
    "campaign_table_publish": _editor_post(lambda w: {"revision": 1}),
    "campaign_table_criterion_add": _editor_post(
        lambda w: {"revision": 1, "parent": w.draft_group.pk}
    ),
    "campaign_table_criterion_rename": _editor_post(
        lambda w: {"revision": 1, "criterion": w.draft_leaf.pk, "title": "Tham mưu"}
    ),
    "campaign_table_criterion_move": _editor_post(
        lambda w: {"revision": 1, "criterion": w.draft_leaf.pk, "action": "outdent"}
    ),
    "campaign_table_criterion_place": _editor_post(
        lambda w: {
            "revision": 1,
            "criterion": w.draft_leaf.pk,
            "target": w.draft_group.pk,
            "place": "before",
        }
    ),
    "campaign_table_criterion_delete": _editor_post(
        lambda w: {"revision": 1, "criterion": w.draft_leaf.pk}
    ),
    "campaign_table_criterion_update": _editor_post(
        lambda w: {
            "revision": 1,
            "criterion": w.draft_leaf.pk,
            "code": "I.1",
            "title": "Tham mưu",
            "kind": "manual",
            "max_points": "20",
        }
    ),
    # The office's own score table from a file (.xlsx/.docx): the form, an upload without a
    # file (422, nothing read), the confirmation of a token nobody was given (404).
    "table_import": [
        Case(_campaign, MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
        Case(_campaign, MANAGERS_A, "POST"),
    ],
    "table_import_confirm": [
        Case(lambda w: [w.campaign.pk, "0" * 22], MANAGERS_A, "POST", tolerate=frozenset({404}))
    ],
    # Units' own targets of a table (a target criterion is added to the table first).
    "table_targets": [
        Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk, w.table_b.pk], MANAGERS_B),
    ],
    "table_target_save": [
        Case(
            lambda w: [w.campaign.pk, w.table.pk, w.target_criterion.pk, w.m1.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"field": "target", "value": "90", "version": "0"},
            prepare=_target_criterion,
        )
    ],
    "table_targets_history": [Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A)],
    "table_targets_xlsx": [
        Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A, prepare=_target_criterion)
    ],
    "table_targets_upload": [Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A)],
    "table_targets_upload_confirm": [
        Case(
            lambda w: [w.campaign.pk, w.table.pk, "0" * 32],
            MANAGERS_A,
            "POST",
            tolerate=frozenset({404}),
        )
    ],
    # Criteria not assigned to a unit: the managers, beside the units' own targets.
    "table_not_assigned": [
        Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk, w.table_b.pk], MANAGERS_B),
        Case(
            lambda w: [w.campaign.pk, w.table.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"criterion": w.extra_criterion.pk, "unit": w.m1.pk, "reason": "Xã"},
            prepare=_extra_criterion,
        ),
    ],
    "table_not_assigned_remove": [
        Case(
            lambda w: [w.campaign.pk, w.table.pk, w.mark.pk],
            MANAGERS_A,
            "POST",
            prepare=_not_assigned_mark,
        )
    ],
    # Last year's figures: the managers, as the units' own targets.
    "campaign_baselines": [
        Case(_campaign, MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
    ],
    "table_baselines": [Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A)],
    "table_baseline_set": [
        Case(
            lambda w: [w.campaign.pk, w.table.pk],
            MANAGERS_A,
            "POST",
            lambda w: {
                "criterion": w.target_criterion.pk,
                "unit": w.m1.pk,
                "value": "12",
                "reason": "Số liệu rà soát lại",
            },
            prepare=_target_criterion,
        )
    ],
    "table_baselines_carry": [Case(lambda w: [w.campaign.pk, w.table.pk], MANAGERS_A, "POST")],
    # Documents.
    "sheet_docx": [Case(lambda w: [w.self_m1.pk], C1_READERS)],
    "sheet_print": [Case(lambda w: [w.self_m1.pk], C1_READERS)],
    "minutes_docx": [Case(_c1, HEADS_A, phase=Phase.FINAL_REVIEW)],
    "minutes_print": [Case(_c1, HEADS_A, phase=Phase.FINAL_REVIEW)],
    "minutes_meeting": [
        Case(
            _c1,
            HEADS_A,
            "POST",
            lambda w: {"held_on": "2023-12-20", "place": "Hội trường"},
            phase=Phase.FINAL_REVIEW,
        )
    ],
    # Awards.
    "awards_cluster": [Case(_c1, C1_READERS)],
    "awards_vote": [
        Case(
            _c1,
            HEADS_A,
            "POST",
            lambda w: {
                "unit": w.m1.pk,
                "award_type": w.award_type.pk,
                "members_present": 3,
                "votes_for": 2,
            },
            prepare=_publish_c1,
        )
    ],
    "awards_next_leaders": [
        Case(
            _c1,
            HEADS_A,
            "POST",
            lambda w: {
                "election-held_on": "2023-12-20",
                "election-members_present": 3,
                "election-leader": w.m1.pk,
                "election-leader_votes": 2,
            },
        )
    ],
    "awards_proposal_docx": [Case(_campaign, MANAGERS_A, prepare=_publish_c1)],
    "awards_submission_docx": [Case(_campaign, MANAGERS_A, prepare=_publish_c1)],
    "awards_setup": [
        Case(_campaign, MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
    ],
    "awards_type_save": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"code": "co", "name": "Cờ thi đua", "pass_percent": "50", "order": 3},
            tolerate=frozenset({400, 422}),
        )
    ],
    "awards_restriction_save": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"unit": w.m1.pk, "kind": "discipline", "reason": "Kỷ luật"},
            tolerate=frozenset({400, 422}),
        )
    ],
    # The title ladder (issue 15): the units' own figures (each unit enters its own, the
    # campaign's managers check), the eligibility explained, the rules in the set-up.
    "awards_figures": [Case(_campaign, MANAGERS_A | OFFICERS)],
    "awards_figures_unit": [Case(lambda w: [w.campaign.pk, w.m1.pk], MANAGERS_A | {"member"})],
    "awards_figures_save": [
        Case(
            lambda w: [w.campaign.pk, w.m1.pk],
            frozenset({"member"}),
            "POST",
            lambda w: {
                "headcount": 30,
                "advanced_soldiers": 21,
                "emulation_soldiers": 4,
                "disciplined": 0,
            },
        )
    ],
    "awards_figures_check": [
        Case(
            lambda w: [w.campaign.pk, w.m1.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"decision": "accept"},
            prepare=_figures_m1,
        )
    ],
    "awards_eligibility": [
        Case(_campaign, MANAGERS_A),
        Case(lambda w: [w.campaign_b.pk], MANAGERS_B),
    ],
    "awards_eligibility_unit": [
        Case(lambda w: [w.campaign.pk, w.m1.pk], MANAGERS_A | {"member"}, prepare=_publish_c1)
    ],
    "awards_presets_install": [Case(_campaign, MANAGERS_A, "POST")],
    "awards_type_confirm": [Case(lambda w: [w.campaign.pk, w.award_type.pk], MANAGERS_A, "POST")],
    "awards_rule_add": [
        Case(
            lambda w: [w.campaign.pk, w.award_type.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"kind": "leading", "article": "Luật Thi đua, khen thưởng 2022"},
        )
    ],
    "awards_rule_delete": [
        Case(lambda w: [w.campaign.pk, w.title_rule.pk], MANAGERS_A, "POST", prepare=_title_rule)
    ],
    # Decisions on the proposals (issue 15 point 4): the campaign's managers only.
    "awards_decisions": [
        Case(_campaign, MANAGERS_A),
        Case(_campaign, MANAGERS_A, "POST", _decision_data),
    ],
    "awards_decision": [
        Case(lambda w: [w.decision.pk], MANAGERS_A, prepare=_decision),
        Case(lambda w: [w.decision.pk], MANAGERS_A, "POST", _decision_data, prepare=_decision),
    ],
    "awards_decision_items": [
        Case(
            lambda w: [w.decision.pk],
            MANAGERS_A,
            "POST",
            lambda w: {
                "row": [f"{w.m1.pk}-{w.award_type.pk}"],
                f"outcome-{w.m1.pk}-{w.award_type.pk}": "granted",
            },
            prepare=_decision,
        )
    ],
    "awards_decision_scan": [Case(lambda w: [w.decision.pk], MANAGERS_A, prepare=_decision)],
    "awards_proposal_file": [Case(_campaign, MANAGERS_A, prepare=_publish_c1)],
    "awards_decision_upload": [
        Case(
            _campaign,
            MANAGERS_A,
            "POST",
            lambda w: {"file": SimpleUploadedFile("qd.json", b"{}")},
            tolerate=frozenset({422}),
        )
    ],
    "awards_decision_import": [
        Case(_campaign, MANAGERS_A, "POST", lambda w: {"content": "{}"}, tolerate=frozenset({422}))
    ],
    # Received proposals (issue 15 point 4, the deciding side): the staff of the receiving
    # organiser (B, the Ministry, for A's file); each staff member gets their own list.
    "awards_incoming": [Case(allow=ANY_STAFF)],
    "awards_incoming_upload": [
        Case(
            allow=MANAGERS_B,
            method="POST",
            data=lambda w: {
                "organiser": w.ministry.pk,
                "file": SimpleUploadedFile("de-nghi.json", b"{}"),
            },
            tolerate=frozenset({422}),
        )
    ],
    "awards_incoming_confirm": [
        Case(
            allow=MANAGERS_B,
            method="POST",
            data=lambda w: {"organiser": w.ministry.pk, "content": "{}"},
            tolerate=frozenset({422}),
        )
    ],
    "awards_incoming_detail": [Case(lambda w: [w.received.pk], MANAGERS_B, prepare=_received)],
    "awards_incoming_answer": [
        Case(lambda w: [w.received.pk], MANAGERS_B, "POST", _answer_data, prepare=_received)
    ],
    "awards_incoming_answer_file": [
        Case(lambda w: [w.proposal_answer.pk], MANAGERS_B, prepare=_received)
    ],
    # Each unit's history of titles (issue 15 point 5): the record for whoever sees the
    # unit's results; the search and the past titles for the staff of their organisers
    # (without ?organiser= each staff member gets their own: staffB the Ministry's).
    # Certificates of a decision's granted titles (issue 15 point 6): all of them for the
    # campaign's managers; M1's also for M1's officer.
    "awards_certificates": [
        Case(lambda w: [w.decision.pk], MANAGERS_A | {"member"}, prepare=_certificate)
    ],
    "awards_certificates_docx": [Case(lambda w: [w.decision.pk], MANAGERS_A, prepare=_certificate)],
    "awards_certificates_pdf": [Case(lambda w: [w.decision.pk], MANAGERS_A, prepare=_certificate)],
    "awards_unit_certificates_docx": [
        Case(_certificate_args, MANAGERS_A | {"member"}, prepare=_certificate)
    ],
    "awards_unit_certificates_pdf": [
        Case(_certificate_args, MANAGERS_A | {"member"}, prepare=_certificate)
    ],
    "awards_unit_record": [Case(lambda w: [w.m1.pk], C1_READERS, prepare=_publish_c1)],
    "awards_holders": [
        Case(allow=ANY_STAFF),
        Case(allow=ANY_STAFF, query="?title=tien-tien&from=2020&to=2023&mode=every"),
    ],
    "awards_past_titles": [Case(allow=ANY_STAFF)],
    "awards_past_title_add": [
        Case(allow=ANY_STAFF),
        Case(
            allow=MANAGERS_A,
            method="POST",
            data=lambda w: {
                "organiser": w.province.pk,
                "unit": w.m1.pk,
                "year": 2020,
                "code": "tien-tien",
                "reason": "Hồ sơ lưu trữ",
            },
        ),
    ],
    "awards_past_title_edit": [
        Case(lambda w: [w.past_title.pk], MANAGERS_A, prepare=_past_title),
        Case(
            lambda w: [w.past_title.pk],
            MANAGERS_A,
            "POST",
            lambda w: {
                "organiser": w.province.pk,
                "unit": w.m1.pk,
                "year": 2021,
                "code": "tien-tien",
                "reason": "Sửa năm",
            },
            prepare=_past_title,
        ),
    ],
    "awards_past_title_delete": [
        Case(
            lambda w: [w.past_title.pk],
            MANAGERS_A,
            "POST",
            lambda w: {"reason": "Nhập nhầm"},
            prepare=_past_title,
        )
    ],
    "awards_past_titles_template": [Case(allow=ANY_STAFF)],
    "awards_past_titles_import": [
        Case(allow=ANY_STAFF),
        Case(allow=MANAGERS_A, method="POST", data=_past_titles_xlsx),
    ],
    "awards_past_titles_import_confirm": [
        Case(
            lambda w: ["bogus-token"],
            MANAGERS_A,
            "POST",
            lambda w: {"organiser": w.province.pk},
            tolerate=frozenset({404}),
        )
    ],
    # Background work: the organiser's staff start it; a job is its owner's.
    "job_start_export": [Case(lambda w: [w.campaign.pk, "final"], MANAGERS_A, "POST")],
    "job_start_import": [Case(_campaign, MANAGERS_A)],
    "job_detail": [Case(lambda w: [w.job.pk], frozenset({"staffA"}))],
    "job_file": [Case(lambda w: [w.job.pk], frozenset({"staffA"}))],
}


# --- The routes, from the URL patterns -----------------------------------------------------


def _route_names(patterns=None, prefix="") -> dict[str, str]:
    """{name: pattern} of every route but Django admin's; an unnamed route by its pattern."""
    found: dict[str, str] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                continue
            found.update(_route_names(pattern.url_patterns, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            found[pattern.name or route] = route
    return found


ROUTES = _route_names()
CASES = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name in sorted(ROUTES)
    for index in range(len(RULES.get(name, [])))
]
# A refused request writes nothing: no INSERT, UPDATE or DELETE reaches the database
# (sessions and login records apart, which change by themselves).
WRITES = ("INSERT", "UPDATE", "DELETE")
IGNORED_TABLES = ("django_session", "axes_")


def writes(queries: list[dict]) -> list[str]:
    found = []
    for query in queries:
        sql = query["sql"].lstrip()
        if sql.split(" ", 1)[0].upper() in WRITES and not any(t in sql for t in IGNORED_TABLES):
            found.append(sql[:120])
    return found


LOGIN = resolve_url(settings.LOGIN_URL)


def test_every_route_has_a_rule():
    missing = sorted(set(ROUTES) - set(RULES))
    stale = sorted(set(RULES) - set(ROUTES))
    assert missing == [], f"routes without a rule in tests/test_url_matrix.py RULES: {missing}"
    assert stale == [], f"rules for routes that no longer exist: {stale}"


def test_uploads_are_never_served_from_media_url():
    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "evidence/2023/minh-chung.pdf")


class _Done(Exception):
    def __init__(self, status: int, location: str, written: list[str]) -> None:
        self.status, self.location, self.written = status, location, written


def _send(client: Client, w: World, name: str, case: Case):
    route = ROUTES[name]
    url = ("/" + route if name == route else reverse(name, args=case.args(w))) + case.query
    extra = HTMX if case.htmx else {}
    if case.method == "GET":
        return client.get(url, **extra)
    return client.post(url, case.data(w) if case.data else {}, **extra)


def _run(w: World, role: str, name: str, case: Case) -> _Done:
    client = Client()
    if w.users[role] is not None:
        client.force_login(w.users[role])
    try:
        with transaction.atomic():
            if case.phase:
                Campaign.objects.filter(pk=w.campaign.pk).update(phase=case.phase)
            if case.prepare:
                case.prepare(w)
            with CaptureQueriesContext(connection) as captured:
                response = _send(client, w, name, case)
                if response.streaming:
                    # Read to the end: the test client then closes the file itself, with
                    # request_finished kept from closing the database connection (a plain
                    # response.close() would close it inside this transaction).
                    b"".join(response.streaming_content)
            raise _Done(
                response.status_code,
                response.get("Location", ""),
                writes(captured.captured_queries),
            )
    except _Done as done:
        return done


@pytest.mark.parametrize(("name", "index"), CASES)
def test_route_matrix(world, django_db_blocker, name, index):
    case = RULES[name][index]
    # The world lives in the module's transaction: were the connection closed, it would be
    # gone and every refusal would pass for the wrong reason.
    with django_db_blocker.unblock():
        assert Campaign.objects.filter(pk=world.campaign.pk).exists(), "the world was lost"
    wrong = []
    for role in ROLES:
        with django_db_blocker.unblock():
            done = _run(world, role, name, case)
        if case.public:
            if done.status >= 500:
                wrong.append(f"{role}: {done.status}")
            continue
        to_login = done.status == 302 and done.location.startswith(LOGIN)
        refused = done.status in (403, 404) or (role == "anon" and to_login)
        if done.status >= 500:
            wrong.append(f"{role}: {done.status}")
        elif role in case.allow:
            if refused and done.status not in case.tolerate:
                wrong.append(f"{role}: refused with {done.status}, should get through")
        elif not refused:
            wrong.append(f"{role}: got {done.status} {done.location}, should be refused")
        elif done.written:
            wrong.append(f"{role}: refused with {done.status} but wrote {done.written}")
    assert wrong == []
