"""The admin: every page opens for an administrator; searches ignore diacritics; a cluster
leader (or deputy) sees and changes only their own cluster's signing records."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.admin.base import ReadOnlyMixin
from clusters.enums import MemberRole, NoticeKind, Title
from clusters.models import (
    ActivityPhoto,
    AdvancedModelPhoto,
    ConferencePhoto,
    Notification,
    Period,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
    Unit,
)
from clusters.services import activities as activity_services
from clusters.services import deadlines as deadline_services
from clusters.services import leadership as leadership_services
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    PledgeFactory,
    SignatureFactory,
    SigningConferenceFactory,
)

APP_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "clusters"),
    key=lambda model: model._meta.model_name,
)


def _url(model_name: str, view: str, *args) -> str:
    return reverse(f"admin:clusters_{model_name}_{view}", args=args)


def _listed(response) -> list:
    """The objects of a changelist page, in order."""
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _management(*prefixes: str) -> dict[str, str]:
    """Empty inline formsets: the POST of a form whose inline rows stay as they are."""
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The fixture users' passwords are hashed with Argon2 otherwise: a second per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def records(org):
    """Signing records of both clusters of ``org``."""
    r = SimpleNamespace()
    r.conference = SigningConferenceFactory(cluster=org.cluster)
    r.other_conference = SigningConferenceFactory(cluster=org.other_cluster, place="Hội trường B")
    ConferencePhoto.objects.create(
        conference=r.conference, image="signing/photos/2023/a.png", caption="Ký kết"
    )
    r.pledge = PledgeFactory(cluster=org.cluster, slogan="Cụm 1")
    r.other_pledge = PledgeFactory(cluster=org.other_cluster, slogan="Cụm 2")
    PledgeItem.objects.create(pledge=r.pledge, order=1, area="Phòng chống tội phạm", content="…")
    SignatureFactory(pledge=r.pledge, unit=org.leader_unit)
    SignatureFactory(pledge=r.other_pledge, unit=org.outsider_unit)
    r.registration = Registration.objects.create(
        campaign=org.campaign, unit=org.member_unit, titles=[Title.ADVANCED]
    )
    r.other_registration = Registration.objects.create(
        campaign=org.campaign, unit=org.outsider_unit, titles=[Title.DETERMINED_TO_WIN]
    )
    r.activity = activity_services.activity_record(
        clusters=[org.cluster], held_on=dt.date(2023, 5, 1), host=org.member_unit, title="Giao lưu"
    )
    ActivityPhoto.objects.create(activity=r.activity, image="activities/photos/2023/a.png")
    r.model = activity_services.advanced_model_record(unit=org.member_unit, title="Mô hình")
    AdvancedModelPhoto.objects.create(
        advanced_model=r.model, image="activities/photos/2023/m.png", caption="Mô hình"
    )
    r.notification = Notification.objects.create(
        recipient=org.member, kind=NoticeKind.REMINDER, campaign=org.campaign, key="admin:1"
    )
    # Every campaign has its year-end review (made when first asked for).
    r.period = Period.objects.year_end(org.campaign)
    r.deadline = deadline_services.deadline_set(
        campaign=org.campaign,
        period=r.period,
        phase="self_assessment",
        due_date=dt.date(2023, 11, 10),
    )
    deadline_services.deadline_extend(
        deadline=r.deadline, unit=org.member_unit, due_date=dt.date(2023, 11, 15), reason="Mưa lũ"
    )
    r.election = leadership_services.leadership_election_record(
        cluster=org.cluster,
        held_on=dt.date(2023, 12, 20),
        members_present=3,
        leader=org.member_unit,
        leader_votes=2,
    )
    return r


# --- Every page opens for an administrator ------------------------------------------------


@pytest.mark.parametrize("model", APP_MODELS, ids=lambda m: m._meta.model_name)
def test_admin_pages_answer_200_to_an_administrator(client, org, records, model):
    client.force_login(org.admin)
    name = model._meta.model_name
    obj = model._default_manager.order_by("pk").first()

    changelist = client.get(_url(name, "changelist"))
    add = client.get(_url(name, "add"))
    change = client.get(_url(name, "change", obj.pk))

    # A read-only model (a review, written by its service on the product's pages) has no
    # add page.
    add_status = 403 if isinstance(admin.site._registry[model], ReadOnlyMixin) else 200
    assert [changelist.status_code, add.status_code, change.status_code] == [200, add_status, 200]
    assert changelist.context["cl"].result_count == model._default_manager.count()


def test_admin_index_lists_every_model_to_an_administrator(client, org, records):
    client.force_login(org.admin)

    response = client.get(reverse("admin:index"))

    app = next(a for a in response.context["app_list"] if a["app_label"] == "clusters")
    assert sorted(m["object_name"] for m in app["models"]) == sorted(m.__name__ for m in APP_MODELS)


@pytest.mark.parametrize("username", ["staff", "leader"])
def test_admin_pages_listed_on_the_index_answer_200(client, org, records, username):
    client.force_login(getattr(org, username))
    app = next(
        a
        for a in client.get(reverse("admin:index")).context["app_list"]
        if a["app_label"] == "clusters"
    )
    urls = [m["admin_url"] for m in app["models"]]
    urls += [m["add_url"] for m in app["models"] if m["add_url"]]

    statuses = {url: client.get(url).status_code for url in urls}

    assert set(statuses.values()) == {200}
    # Everything but users and notifications, which are for administrators only.
    assert sorted(m["object_name"] for m in app["models"]) == sorted(
        m.__name__ for m in APP_MODELS if m.__name__ not in ("User", "Notification")
    )


def test_campaign_page_shows_a_leader_only_their_own_cluster(client, org):
    client.force_login(org.leader)

    response = client.get(_url("campaign", "change", org.campaign.pk))

    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in formset.forms] == [org.cluster]


# --- Search ignores diacritics --------------------------------------------------------------


@pytest.mark.parametrize("term", ["dak mil", "DAK MIL", "Đắk Mil", "mil phong", "l1"])
def test_unit_search_ignores_diacritics(client, org, term):
    client.force_login(org.admin)

    response = client.get(_url("unit", "changelist"), {"q": term})

    assert _listed(response) == [org.leader_unit]


def test_membership_search_finds_unit_name_without_diacritics(client, org):
    client.force_login(org.admin)

    response = client.get(_url("membership", "changelist"), {"q": "dak mil"})

    assert [m.unit for m in _listed(response)] == [org.leader_unit]


def test_unit_autocomplete_finds_name_without_diacritics(client, org):
    client.force_login(org.leader)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "clusters", "model_name": "signature", "field_name": "unit", "term": "dak"},
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(org.leader_unit.pk)]


def test_unit_autocomplete_hides_units_outside_the_leaders_clusters(client, org):
    client.force_login(org.leader)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "clusters", "model_name": "signature", "field_name": "unit", "term": ""},
    )

    ids = {r["id"] for r in response.json()["results"]}
    assert ids == {str(u.pk) for u in (org.leader_unit, org.deputy_unit, org.member_unit)}


# --- Who may enter ---------------------------------------------------------------------------


def test_admin_index_redirects_a_plain_member_to_login(client, org):
    client.force_login(org.member)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={reverse('admin:index')}"


@pytest.mark.parametrize("username", ["leader", "deputy", "staff"])
def test_admin_index_answers_200_to_leaders_and_staff(client, org, username):
    client.force_login(getattr(org, username))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_admin_index_hides_users_from_a_leader(client, org):
    client.force_login(org.leader)

    response = client.get(reverse("admin:index"))

    app = next(a for a in response.context["app_list"] if a["app_label"] == "clusters")
    assert "User" not in {m["object_name"] for m in app["models"]}
    assert client.get(_url("user", "changelist")).status_code == 403


# --- Signing records: each leader sees their own cluster's -----------------------------------


SIGNING_LISTS = ["signingconference", "pledge", "registration"]


def _own(org, records, model_name: str, username: str) -> set:
    mine = {
        "signingconference": (records.conference, records.other_conference),
        "pledge": (records.pledge, records.other_pledge),
        "registration": (records.registration, records.other_registration),
    }[model_name]
    return {
        "leader": {mine[0]},
        "deputy": {mine[0]},
        "outsider": {mine[1]},
        "staff": set(mine),
        "admin": set(mine),
    }[username]


@pytest.mark.parametrize("username", ["leader", "deputy", "outsider", "staff", "admin"])
@pytest.mark.parametrize("model_name", SIGNING_LISTS)
def test_signing_changelist_shows_only_the_users_clusters(
    client, org, records, model_name, username
):
    client.force_login(getattr(org, username))

    response = client.get(_url(model_name, "changelist"))

    assert set(_listed(response)) == _own(org, records, model_name, username)


@pytest.mark.parametrize("username", ["leader", "deputy"])
def test_pledge_change_by_leader_or_deputy_is_saved(client, org, records, username):
    client.force_login(getattr(org, username))
    data = {
        "cluster": org.cluster.pk,
        "slogan": "Đoàn kết, kỷ cương",
        "preamble": "",
        **_management("items", "signatures"),
    }

    response = client.post(_url("pledge", "change", records.pledge.pk), data)

    assert response.status_code == 302
    records.pledge.refresh_from_db()
    assert records.pledge.slogan == "Đoàn kết, kỷ cương"


def test_pledge_change_page_of_another_cluster_redirects_leader_to_index(client, org, records):
    client.force_login(org.leader)

    response = client.get(_url("pledge", "change", records.other_pledge.pk))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_pledge_crafted_post_to_another_cluster_changes_nothing(client, org, records):
    client.force_login(org.leader)
    data = {
        "cluster": org.other_cluster.pk,
        "slogan": "Đã sửa",
        "preamble": "",
        **_management("items", "signatures"),
    }

    response = client.post(_url("pledge", "change", records.other_pledge.pk), data)
    deleted = client.post(_url("pledge", "delete", records.other_pledge.pk), {"post": "yes"})

    assert (response.status_code, response.url) == (302, reverse("admin:index"))
    assert (deleted.status_code, deleted.url) == (302, reverse("admin:index"))
    records.other_pledge.refresh_from_db()
    assert records.other_pledge.slogan == "Cụm 2"


def _conference_data(cluster) -> dict[str, str]:
    return {
        "cluster": str(cluster.pk),
        "held_on": "2023-02-26",
        "place": "Hội trường",
        "chair": "Đại tá Lê Văn C",
        "attendees": "",
        "notes": "",
        **_management("photos"),
    }


def test_signing_conference_add_for_another_cluster_is_refused(client, org):
    client.force_login(org.leader)

    response = client.post(_url("signingconference", "add"), _conference_data(org.other_cluster))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["cluster"]
    assert SigningConference.objects.count() == 0


def test_signing_conference_add_for_own_cluster_is_stored(client, org):
    client.force_login(org.deputy)

    response = client.post(_url("signingconference", "add"), _conference_data(org.cluster))

    assert response.status_code == 302
    assert list(SigningConference.objects.values_list("cluster", "place")) == [
        (org.cluster.pk, "Hội trường")
    ]


def test_signing_conference_cluster_choices_are_the_leaders_own(client, org):
    client.force_login(org.leader)

    response = client.get(_url("signingconference", "add"))

    choices = response.context["adminform"].form.fields["cluster"].queryset
    assert list(choices) == [org.cluster]


def test_signature_of_a_unit_outside_the_cluster_is_refused(client, org, records):
    client.force_login(org.leader)
    data = {
        "cluster": org.cluster.pk,
        "slogan": "Cụm 1",
        "preamble": "",
        **_management("items"),
        "signatures-TOTAL_FORMS": "1",
        "signatures-INITIAL_FORMS": "0",
        "signatures-0-unit": str(org.outsider_unit.pk),
        "signatures-0-signatory": "Thượng tá X",
        "signatures-0-position": "Trưởng phòng",
        "signatures-0-signed_on": "2023-02-26",
    }

    response = client.post(_url("pledge", "change", records.pledge.pk), data)

    assert response.status_code == 200
    assert not Signature.objects.filter(unit=org.outsider_unit, pledge=records.pledge).exists()


def _registration_data(org, unit) -> dict[str, str | list[str]]:
    return {
        "campaign": str(org.campaign.pk),
        "unit": str(unit.pk),
        "titles": [Title.ADVANCED, Title.CERTIFICATE_OF_MERIT],
        "registered_on": "2023-02-26",
        "note": "",
    }


def test_registration_by_leader_for_a_member_unit_is_stored(client, org):
    client.force_login(org.leader)

    response = client.post(_url("registration", "add"), _registration_data(org, org.deputy_unit))

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.unit, registration.titles) == (
        org.deputy_unit,
        [Title.ADVANCED, Title.CERTIFICATE_OF_MERIT],
    )


def test_registration_by_leader_for_another_clusters_unit_is_refused(client, org):
    client.force_login(org.leader)

    response = client.post(_url("registration", "add"), _registration_data(org, org.outsider_unit))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["unit"]
    assert Registration.objects.count() == 0


def test_registration_by_leader_for_a_unit_led_only_in_another_year_is_refused(client, org):
    # The outsider's unit is in the leader's cluster in 2024 (so it is a valid choice), but
    # in 2023 it belongs to the other cluster: its 2023 registration is not the leader's.
    later = ClusterFactory(campaign=CampaignFactory(organiser=org.province, year=2024))
    MembershipFactory(cluster=later, unit=org.leader_unit, role=MemberRole.LEADER)
    MembershipFactory(cluster=later, unit=org.outsider_unit)
    client.force_login(org.leader)

    response = client.post(_url("registration", "add"), _registration_data(org, org.outsider_unit))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["unit"]
    assert Registration.objects.count() == 0


# --- Campaign set-up: leaders look, staff change --------------------------------------------


def test_cluster_change_page_is_read_only_for_its_leader(client, org):
    client.force_login(org.leader)

    page = client.get(_url("cluster", "change", org.cluster.pk))
    post = client.post(_url("cluster", "change", org.cluster.pk), {"name": "Đổi tên"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert post.status_code == 403
    org.cluster.refresh_from_db()
    assert org.cluster.name != "Đổi tên"


def test_cluster_changelist_shows_leader_only_own_cluster(client, org):
    client.force_login(org.leader)

    response = client.get(_url("cluster", "changelist"))

    clusters = _listed(response)
    assert clusters == [org.cluster]
    # The scope must not narrow the count to the leader's own membership.
    assert [(c.member_count, {m.unit for m in c.heads}) for c in clusters] == [
        (3, {org.leader_unit, org.deputy_unit})
    ]


def test_cluster_change_by_province_staff_is_saved(client, org):
    client.force_login(org.staff)
    data = {
        "campaign": str(org.campaign.pk),
        "number": "1",
        "code": "C1",
        "name": "Cụm thi đua số 1 (mới)",
        "description": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    response = client.post(_url("cluster", "change", org.cluster.pk), data)

    assert response.status_code == 302
    org.cluster.refresh_from_db()
    assert (org.cluster.name, org.cluster.search_name) == (
        "Cụm thi đua số 1 (mới)",
        "c1 cum thi dua so 1 (moi)",
    )


# --- Units -------------------------------------------------------------------------------------


def _unit_data(unit: Unit, **changes) -> dict[str, str]:
    data = {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent": str(unit.parent_id or ""),
        "is_active": "on",
        "deactivated_on": "",
        "successor": "",
    }
    data.update(changes)
    return data


def test_unit_change_by_unit_officer_is_forbidden(client, org):
    client.force_login(org.leader)

    page = client.get(_url("unit", "change", org.leader_unit.pk))
    post = client.post(
        _url("unit", "change", org.leader_unit.pk), _unit_data(org.leader_unit, name="Đổi")
    )

    assert (page.status_code, post.status_code) == (200, 403)
    org.leader_unit.refresh_from_db()
    assert org.leader_unit.name == "Phòng Đắk Mil"


def test_unit_delete_by_province_staff_is_forbidden(client, org):
    client.force_login(org.staff)

    page = client.get(_url("unit", "delete", org.member_unit.pk))
    post = client.post(_url("unit", "delete", org.member_unit.pk), {"post": "yes"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert Unit.objects.filter(pk=org.member_unit.pk).exists()


def test_unit_deactivation_by_province_staff_is_saved(client, org):
    client.force_login(org.staff)
    data = _unit_data(
        org.member_unit,
        is_active="",
        deactivated_on="2025-03-01",
        successor=str(org.leader_unit.pk),
    )
    del data["is_active"]

    response = client.post(_url("unit", "change", org.member_unit.pk), data)

    assert response.status_code == 302
    org.member_unit.refresh_from_db()
    assert (org.member_unit.is_active, org.member_unit.deactivated_on) == (
        False,
        dt.date(2025, 3, 1),
    )


def test_unit_deactivation_without_date_is_refused(client, org):
    client.force_login(org.staff)
    data = _unit_data(org.member_unit)
    del data["is_active"]

    response = client.post(_url("unit", "change", org.member_unit.pk), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    org.member_unit.refresh_from_db()
    assert org.member_unit.is_active is True


# --- Query counts do not grow with the data ------------------------------------------------------


def _grow(org, years: range) -> None:
    """One more campaign per year, each with a cluster led by the leader's unit and its
    signing records."""
    for year in years:
        campaign = CampaignFactory(organiser=org.province, year=year)
        cluster = ClusterFactory(campaign=campaign, number=1, code=f"C1-{year}")
        MembershipFactory(cluster=cluster, unit=org.leader_unit, role=MemberRole.LEADER)
        MembershipFactory(cluster=cluster, unit=org.member_unit)
        pledge = PledgeFactory(cluster=cluster)
        PledgeItem.objects.create(pledge=pledge, order=1, area="An ninh", content="…")
        SignatureFactory(pledge=pledge, unit=org.member_unit)
        SigningConferenceFactory(cluster=cluster, held_on=dt.date(year, 2, 25))
        Registration.objects.create(campaign=campaign, unit=org.member_unit, titles=["advanced"])


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "model_name",
    [
        "campaign",
        "cluster",
        "membership",
        "signingconference",
        "pledge",
        "pledgeitem",
        "signature",
        "registration",
    ],
)
@pytest.mark.parametrize("username", ["admin", "leader"])
def test_changelist_query_count_does_not_grow(client, org, model_name, username):
    client.force_login(getattr(org, username))
    url = _url(model_name, "changelist")
    _grow(org, range(2024, 2025))
    small = _queries(client, url)

    _grow(org, range(2025, 2028))

    assert _queries(client, url) == small
