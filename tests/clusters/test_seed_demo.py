"""The ``seed_demo`` command (clusters.demo): the Đắk Nông 2023 demo, idempotent, with
demo users only when DEBUG is on."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from clusters import demo, permissions
from clusters.enums import MemberRole, Phase, Title
from clusters.interchange import organization_export
from clusters.models import (
    Campaign,
    Cluster,
    Membership,
    Pledge,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
    Unit,
    User,
)
from clusters.services import accounts as account_services


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Argon2 is slow on purpose; these tests only need passwords to check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clusters_only(monkeypatch):
    """Leave out the parts other apps add (their own tests cover them): faster, and these
    tests look at the organisation and signing only."""
    monkeypatch.setattr(demo, "autodiscover_modules", lambda name: None)
    monkeypatch.setattr(demo, "_extra_parts", [])


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    """Rows of every model of the installation."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def dump() -> dict[str, list]:
    """The demo's data by natural keys (codes, user names), without database ids."""
    return {
        "units": sorted(
            Unit.objects.values_list(
                "code", "name", "short_name", "kind", "parent__code", "is_active"
            )
        ),
        "campaigns": sorted(
            Campaign.objects.values_list("organiser__code", "year", "name", "slogan", "phase")
        ),
        "clusters": sorted(Cluster.objects.values_list("code", "number", "name", "description")),
        "memberships": sorted(
            Membership.objects.values_list("cluster__code", "unit__code", "role")
        ),
        "conferences": sorted(
            SigningConference.objects.values_list(
                "cluster__code", "held_on", "place", "chair", "attendees", "notes"
            )
        ),
        "pledges": sorted(Pledge.objects.values_list("cluster__code", "slogan", "preamble")),
        "items": sorted(
            PledgeItem.objects.values_list("pledge__cluster__code", "order", "area", "content")
        ),
        "signatures": sorted(
            Signature.objects.values_list(
                "pledge__cluster__code", "unit__code", "signatory", "position", "signed_on"
            )
        ),
        "registrations": sorted(
            (unit, tuple(titles), day)
            for unit, titles, day in Registration.objects.values_list(
                "unit__code", "titles", "registered_on"
            )
        ),
        "users": sorted(
            User.objects.values_list(
                "username",
                "unit__code",
                "full_name",
                "position",
                "is_superuser",
                "is_staff",
                "is_active",
                "groups__name",
            )
        ),
    }


EXPECTED_COUNTS = {
    "clusters.Unit": 31,
    "clusters.Campaign": 1,
    "clusters.Cluster": 4,
    "clusters.Membership": 30,
    "clusters.SigningConference": 4,
    "clusters.Pledge": 4,
    "clusters.PledgeItem": 32,
    "clusters.Signature": 30,
    "clusters.Registration": 30,
    "clusters.User": 5,
}


def test_seed_demo_creates_the_expected_rows(db, settings, clusters_only):
    settings.DEBUG = True

    seed()

    assert {k: v for k, v in counts().items() if k in EXPECTED_COUNTS} == EXPECTED_COUNTS


def test_seed_demo_twice_gives_the_same_data(db, settings):
    settings.DEBUG = True
    seed()
    first_counts, first_dump = counts(), dump()

    seed()

    assert counts() == first_counts
    assert dump() == first_dump


def test_seed_demo_campaign_is_dak_nong_2023_at_signing(db, clusters_only):
    seed()

    campaign = Campaign.objects.get()
    assert (campaign.organiser.code, campaign.organiser.name, campaign.organiser.kind) == (
        "CADNO",
        "Công an tỉnh Đắk Nông",
        "province",
    )
    assert (campaign.year, campaign.name, campaign.phase) == (
        2023,
        'Phong trào thi đua "Vì an ninh Tổ quốc" năm 2023',
        Phase.SIGNING,
    )
    assert campaign.slogan == (
        "Xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh, chính quy, "
        "tinh nhuệ, hiện đại"
    )


def test_seed_demo_four_clusters_each_with_one_leader_and_one_deputy(db, clusters_only):
    seed()

    heads = {
        (cluster.number, cluster.name): sorted(
            cluster.memberships.exclude(role=MemberRole.MEMBER).values_list("role", "unit__code")
        )
        for cluster in Cluster.objects.order_by("number")
    }
    assert heads == {
        (1, "Cụm thi đua số 1"): [(MemberRole.DEPUTY, "PX03"), (MemberRole.LEADER, "PV01")],
        (2, "Cụm thi đua số 2"): [(MemberRole.DEPUTY, "PA08"), (MemberRole.LEADER, "PA04")],
        (3, "Cụm thi đua số 3"): [(MemberRole.DEPUTY, "PC06"), (MemberRole.LEADER, "PC02")],
        (4, "Cụm thi đua số 4"): [(MemberRole.DEPUTY, "CACJ"), (MemberRole.LEADER, "CADM")],
    }


def test_seed_demo_cluster_4_holds_the_district_and_city_police(db, clusters_only):
    seed()

    assert list(
        Membership.objects.filter(cluster__number=4)
        .order_by("unit__name")
        .values_list("unit__name", flat=True)
    ) == [
        "Công an huyện Cư Jút",
        "Công an huyện Krông Nô",
        "Công an huyện Tuy Đức",
        "Công an huyện Đắk Glong",
        "Công an huyện Đắk Mil",
        "Công an huyện Đắk R'Lấp",
        "Công an huyện Đắk Song",
        "Công an thành phố Gia Nghĩa",
    ]
    assert [c.memberships.count() for c in Cluster.objects.order_by("number")] == [5, 7, 10, 8]


def test_seed_demo_conferences_dated_25_to_28_february_2023(db, clusters_only):
    seed()

    assert list(
        SigningConference.objects.order_by("cluster__number").values_list(
            "cluster__number", "held_on", "place", "chair"
        )
    ) == [
        (
            1,
            dt.date(2023, 2, 25),
            "Hội trường Phòng Tham mưu, Công an tỉnh Đắk Nông",
            "Đại tá Nguyễn Văn Hòa, Trưởng phòng Tham mưu",
        ),
        (
            2,
            dt.date(2023, 2, 26),
            "Hội trường Phòng An ninh điều tra, Công an tỉnh Đắk Nông",
            "Đại tá Phan Văn Long, Trưởng phòng An ninh điều tra",
        ),
        (
            3,
            dt.date(2023, 2, 27),
            "Hội trường Phòng Cảnh sát hình sự, Công an tỉnh Đắk Nông",
            "Đại tá Trịnh Xuân Trường, Trưởng phòng Cảnh sát hình sự",
        ),
        (
            4,
            dt.date(2023, 2, 28),
            "Hội trường Công an huyện Đắk Mil",
            "Đại tá Lê Văn Mạnh, Trưởng Công an huyện Đắk Mil",
        ),
    ]


def test_seed_demo_every_member_signs_on_its_conference_day(db, clusters_only):
    seed()

    for cluster in Cluster.objects.select_related("signing_conference", "pledge"):
        signatures = cluster.pledge.signatures.order_by("unit__code")
        assert list(signatures.values_list("unit__code", flat=True)) == list(
            cluster.memberships.order_by("unit__code").values_list("unit__code", flat=True)
        )
        assert set(signatures.values_list("signed_on", flat=True)) == {
            cluster.signing_conference.held_on
        }
    assert Signature.objects.get(unit__code="CAGN").position == "Trưởng Công an thành phố"
    assert Signature.objects.get(unit__code="PA04").position == "Trưởng phòng"


def test_seed_demo_pledge_carries_slogan_and_targets_by_area(db, clusters_only):
    seed()

    pledge = Pledge.objects.get(cluster__number=4)
    assert pledge.slogan == demo.SLOGAN
    assert list(pledge.items.values_list("order", "area")) == [
        (1, "Quản lý nhà nước về an ninh, trật tự"),
        (2, "Phòng, chống tội phạm"),
        (3, "Chuyển đổi số"),
        (4, "Phòng ngừa cháy, nổ và tai nạn giao thông"),
        (5, "Xây dựng Đảng, xây dựng lực lượng và hậu cần"),
        (6, "Phong trào toàn dân bảo vệ an ninh Tổ quốc"),
        (7, "Mô hình, điển hình tiên tiến"),
        (8, "Giao lưu, trao đổi kinh nghiệm"),
    ]
    crime = pledge.items.get(order=2).content
    for target in (
        "Giảm ít nhất 5% số vụ phạm tội về trật tự xã hội so với năm 2022",
        "tiếp nhận, thụ lý 100% tố giác, tin báo về tội phạm",
        "đạt trên 90%",
        "đạt trên 75%",
        "không để xảy ra oan sai, bỏ lọt tội phạm",
        "không để hình thành băng, ổ, nhóm tội phạm",
    ):
        assert target in crime


def test_seed_demo_leaders_register_for_the_ministry_flag(db, clusters_only):
    seed()

    titles = dict(Registration.objects.values_list("unit__code", "titles"))
    assert len(titles) == 30
    assert {code for code, t in titles.items() if t == [Title.MINISTRY_FLAG]} == {
        "PV01",
        "PA04",
        "PC02",
        "CADM",
    }
    assert {tuple(t) for t in titles.values()} == {
        (Title.MINISTRY_FLAG,),
        (Title.DETERMINED_TO_WIN,),
    }


def test_seed_demo_without_debug_creates_no_users(db, settings, clusters_only):
    settings.DEBUG = False

    output = seed()

    assert User.objects.count() == 0
    assert output == (
        'Demo ready: Phong trào thi đua "Vì an ninh Tổ quốc" năm 2023 (2023), '
        "Công an tỉnh Đắk Nông, 4 clusters.\n"
        "DEBUG is off: demo users are not created.\n"
    )


def test_seed_demo_with_debug_creates_one_user_per_role(db, settings, clusters_only):
    settings.DEBUG = True

    output = seed()

    assert output.endswith(
        "Demo users (user name / password — role):\n"
        "  admin / demo-admin-2023 — administrator\n"
        "  canbo / demo-canbo-2023 — province staff\n"
        "  cumtruong / demo-cumtruong-2023 — cluster leader (cluster 4)\n"
        "  cumpho / demo-cumpho-2023 — cluster deputy (cluster 4)\n"
        "  donvi / demo-donvi-2023 — unit officer (cluster 4)\n"
    )
    users = {u.username: u for u in User.objects.all()}
    assert sorted(users) == ["admin", "canbo", "cumpho", "cumtruong", "donvi"]
    for username, user in users.items():
        assert user.check_password(f"demo-{username}-2023")
    assert permissions.is_administrator(users["admin"])
    assert permissions.is_province_staff(users["canbo"])
    assert users["canbo"].unit.code == "PX01"
    assert list(users["canbo"].groups.values_list("name", flat=True)) == [
        django_settings.PROVINCE_STAFF_GROUP
    ]
    cluster_4 = Cluster.objects.get(number=4)
    roles = {
        name: permissions.role_in_cluster(users[name], cluster_4)
        for name in ("cumtruong", "cumpho", "donvi")
    }
    assert roles == {
        "cumtruong": MemberRole.LEADER,
        "cumpho": MemberRole.DEPUTY,
        "donvi": MemberRole.MEMBER,
    }
    assert [permissions.is_unit_officer(users[n]) for n in ("cumtruong", "cumpho", "donvi")] == [
        True,
        True,
        True,
    ]


def test_seed_demo_again_resets_demo_passwords(db, settings, clusters_only):
    settings.DEBUG = True
    seed()
    user = User.objects.get(username="cumtruong")
    user.set_password("changed by someone 42")
    user.save()

    seed()

    user.refresh_from_db()
    assert user.check_password("demo-cumtruong-2023")


def test_seed_demo_runs_parts_other_apps_register(db, clusters_only):
    seen: list[int] = []
    demo.register_part(lambda campaign: seen.append(campaign.year))

    seed()

    assert seen == [2023]


def test_seed_demo_organisation_round_trips_as_a_file(db, clusters_only):
    seed()

    exported = organization_export(Campaign.objects.get())
    document = demo.organization_document()
    document["units"].sort(key=lambda u: u["code"])
    for cluster in document["clusters"]:
        cluster["members"].sort()
    assert exported == document


def test_user_upsert_refuses_a_weak_password(db):
    with pytest.raises(ValidationError):
        account_services.user_upsert(username="weak", password="password")

    assert not User.objects.filter(username="weak").exists()
