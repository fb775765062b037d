"""Exchange activities and the registry of models: every page and action by role, photos
served through a permission check, models replicated by other units, query counts."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import Activity, ActivityPhoto, AdvancedModel
from clusters.services import activities as activity_services
from tests.factories import ClusterFactory, MembershipFactory, UnitFactory


def png_1x1() -> bytes:
    """A real one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def activity(org):
    """An activity of cluster C1 hosted by its member unit M1, with L1 taking part."""
    return activity_services.activity_record(
        clusters=[org.cluster],
        held_on=dt.date(2023, 5, 12),
        host=org.member_unit,
        participants=[org.leader_unit],
        title="Giao lưu nghiệp vụ",
        content="Trao đổi kinh nghiệm",
    )


@pytest.fixture
def photo(activity, media):
    return activity_services.activity_photo_add(
        activity=activity, image=SimpleUploadedFile("a.png", png_1x1()), caption="Ảnh 1"
    )


@pytest.fixture
def model(org):
    """A model of the member unit M1, replicated by the deputy unit."""
    return activity_services.advanced_model_record(
        unit=org.member_unit,
        title="Mô hình camera an ninh",
        area="Phòng ngừa",
        since=dt.date(2022, 3, 1),
        replicated_by=[org.deputy_unit],
    )


def _login(client, org, role):
    client.force_login(getattr(org, role))
    return client


# --- Role matrix ------------------------------------------------------------------------

ACTIVITY_LIST_ROLES = {"admin", "staff", "leader", "deputy", "member", "outsider"}


@pytest.mark.parametrize("role", sorted(ACTIVITY_LIST_ROLES))
def test_activity_list_every_role_200(client, org, activity, role):
    response = _login(client, org, role).get(reverse("activity_list"))
    assert response.status_code == 200
    titles = [a.title for a in response.context["page"].object_list]
    assert titles == ([] if role == "outsider" else ["Giao lưu nghiệp vụ"])


def test_activity_list_anonymous_redirects(client, org):
    response = client.get(reverse("activity_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_activity_list_post_405(client, org):
    assert _login(client, org, "admin").post(reverse("activity_list")).status_code == 405


def test_activity_list_filters_by_campaign_and_cluster(client, org, activity):
    other = activity_services.activity_record(
        clusters=[org.other_cluster],
        held_on=dt.date(2023, 7, 1),
        host=org.outsider_unit,
        title="Giao lưu cụm 2",
    )
    _login(client, org, "staff")
    url = reverse("activity_list")
    by_cluster = client.get(url, {"campaign": org.campaign.pk, "cluster": org.other_cluster.pk})
    assert [a.pk for a in by_cluster.context["page"].object_list] == [other.pk]
    everything = client.get(url, {"campaign": org.campaign.pk})
    assert [a.pk for a in everything.context["page"].object_list] == [other.pk, activity.pk]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 403),
        ("outsider", 200),
    ],
)
def test_activity_create_get_by_role(client, org, role, status):
    # The outsider's unit leads cluster C2: it records that cluster's activities.
    assert _login(client, org, role).get(reverse("activity_create")).status_code == status


def test_activity_create_delete_405(client, org):
    assert _login(client, org, "leader").delete(reverse("activity_create")).status_code == 405


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_activity_detail_by_role(client, org, activity, role, status):
    response = _login(client, org, role).get(reverse("activity_detail", args=[activity.pk]))
    assert response.status_code == status


def test_activity_detail_post_405(client, org, activity):
    response = _login(client, org, "admin").post(reverse("activity_detail", args=[activity.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 403),
        ("outsider", 404),
    ],
)
def test_activity_edit_get_by_role(client, org, activity, role, status):
    response = _login(client, org, role).get(reverse("activity_edit", args=[activity.pk]))
    assert response.status_code == status


def test_activity_edit_post_changes_title(client, org, activity):
    response = _login(client, org, "deputy").post(
        reverse("activity_edit", args=[activity.pk]),
        {
            "title": "Giao lưu sửa",
            "held_on": "20/05/2023",
            "clusters": [org.cluster.pk],
            "host": org.member_unit.pk,
            "participants": [org.leader_unit.pk, org.deputy_unit.pk],
            "content": "",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.held_on) == ("Giao lưu sửa", dt.date(2023, 5, 20))
    assert sorted(activity.participants.values_list("code", flat=True)) == ["D1", "L1"]


def test_activity_edit_put_405(client, org, activity):
    response = _login(client, org, "leader").put(reverse("activity_edit", args=[activity.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("staff", 302),
        ("leader", 302),
        ("deputy", 302),
        ("member", 403),
        ("outsider", 404),
    ],
)
def test_activity_photo_add_by_role(client, org, activity, media, role, status):
    response = _login(client, org, role).post(
        reverse("activity_photo_add", args=[activity.pk]),
        {"image": SimpleUploadedFile("p.png", png_1x1()), "caption": "Ảnh"},
    )
    assert response.status_code == status
    assert activity.photos.count() == (1 if status == 302 else 0)


def test_activity_photo_add_get_405(client, org, activity):
    response = _login(client, org, "leader").get(reverse("activity_photo_add", args=[activity.pk]))
    assert response.status_code == 405


def test_activity_photo_add_refuses_a_fake_image(client, org, activity, media):
    fake = SimpleUploadedFile("p.png", b"<html>not an image</html>", content_type="image/png")
    response = _login(client, org, "leader").post(
        reverse("activity_photo_add", args=[activity.pk]), {"image": fake}, follow=True
    )
    assert response.status_code == 200
    assert activity.photos.count() == 0
    assert len([m for m in response.context["messages"] if m.level_tag == "error"]) == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_activity_photo_by_role(client, org, photo, role, status):
    response = _login(client, org, role).get(reverse("activity_photo", args=[photo.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == png_1x1()


def test_activity_photo_post_405(client, org, photo):
    response = _login(client, org, "admin").post(reverse("activity_photo", args=[photo.pk]))
    assert response.status_code == 405


def test_activity_photo_anonymous_redirects(client, org, photo):
    assert client.get(reverse("activity_photo", args=[photo.pk])).status_code == 302


# --- Creating an activity between two clusters ------------------------------------------


def test_activity_create_between_two_clusters_with_participants_and_photo(client, org, media):
    _login(client, org, "leader")
    response = client.post(
        reverse("activity_create"),
        {
            "title": "Giao lưu giữa hai cụm",
            "held_on": "15/06/2023",
            "clusters": [org.cluster.pk, org.other_cluster.pk],
            "host": org.leader_unit.pk,
            "participants": [org.member_unit.pk, org.outsider_unit.pk],
            "content": "Chia sẻ mô hình",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activity_detail", args=[activity.pk])
    assert activity.campaign == org.campaign
    assert sorted(activity.clusters.values_list("code", flat=True)) == ["C1", "C2"]
    assert sorted(activity.participants.values_list("code", flat=True)) == ["M1", "O1"]

    upload = client.post(
        reverse("activity_photo_add", args=[activity.pk]),
        {"image": SimpleUploadedFile("hoi-nghi.png", png_1x1()), "caption": "Toàn cảnh"},
    )
    assert upload.status_code == 302
    photo = ActivityPhoto.objects.get()
    assert photo.caption == "Toàn cảnh"

    # The other cluster's leader now sees it, with the photo served through the view.
    client.force_login(org.outsider)
    page = client.get(reverse("activity_detail", args=[activity.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("activity_photo", args=[photo.pk]) in html
    assert "15/06/2023" in html
    assert "/media/" not in html


def test_activity_create_refuses_a_host_outside_the_clusters(client, org):
    _login(client, org, "leader")
    response = client.post(
        reverse("activity_create"),
        {
            "title": "Sai đơn vị",
            "held_on": "15/06/2023",
            "clusters": [org.cluster.pk],
            "host": org.outsider_unit.pk,
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["host"]
    assert Activity.objects.count() == 0


def test_activity_create_refuses_only_clusters_the_leader_does_not_lead(client, org):
    _login(client, org, "leader")
    response = client.post(
        reverse("activity_create"),
        {
            "title": "Cụm khác",
            "held_on": "15/06/2023",
            "clusters": [org.other_cluster.pk],
            "host": org.outsider_unit.pk,
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["clusters"]
    assert Activity.objects.count() == 0


def test_activity_create_refuses_a_date_outside_the_campaign_year(client, org):
    _login(client, org, "staff")
    response = client.post(
        reverse("activity_create"),
        {
            "title": "Năm khác",
            "held_on": "15/06/2024",
            "clusters": [org.cluster.pk],
            "host": org.leader_unit.pk,
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["held_on"]


# --- Models and advanced examples -------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("admin", ["Mô hình camera an ninh"]),
        ("staff", ["Mô hình camera an ninh"]),
        ("leader", ["Mô hình camera an ninh"]),
        ("deputy", ["Mô hình camera an ninh"]),
        ("member", ["Mô hình camera an ninh"]),
        ("outsider", ["Mô hình camera an ninh"]),
    ],
)
def test_model_list_by_role(client, org, model, role, titles):
    # Every unit of the campaign shares it with M1 (the outsider's cluster too).
    response = _login(client, org, role).get(reverse("model_list"))
    assert response.status_code == 200
    assert [m.title for m in response.context["page"].object_list] == titles


def test_model_list_hides_units_outside_every_campaign(client, org):
    stranger = UnitFactory(code="X9")
    activity_services.advanced_model_record(unit=stranger, title="Mô hình lạ")
    _login(client, org, "member")
    response = client.get(reverse("model_list"))
    assert list(response.context["page"].object_list) == []


def test_model_list_post_405(client, org):
    assert _login(client, org, "admin").post(reverse("model_list")).status_code == 405


def test_model_list_anonymous_redirects(client, org):
    assert client.get(reverse("model_list")).status_code == 302


@pytest.mark.parametrize("role", ["admin", "staff", "leader", "deputy", "member", "outsider"])
def test_model_create_get_every_role_200(client, org, role):
    assert _login(client, org, role).get(reverse("model_create")).status_code == 200


def test_model_create_put_405(client, org):
    assert _login(client, org, "member").put(reverse("model_create")).status_code == 405


def test_model_create_by_member_replicated_by_two_units(client, org):
    response = _login(client, org, "member").post(
        reverse("model_create"),
        {
            "title": "Tổ liên gia an toàn",
            "unit": org.member_unit.pk,
            "area": "Xây dựng phong trào",
            "since": "01/02/2021",
            "description": "Mô tả",
            "replicated_by": [org.leader_unit.pk, org.deputy_unit.pk],
        },
    )
    model = AdvancedModel.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("model_detail", args=[model.pk])
    assert (model.unit, model.since) == (org.member_unit, dt.date(2021, 2, 1))
    assert sorted(model.replicated_by.values_list("code", flat=True)) == ["D1", "L1"]
    page = client.get(reverse("model_detail", args=[model.pk])).content.decode()
    assert "Phòng Đắk Mil" in page
    assert "01/02/2021" in page


def test_model_create_member_cannot_record_for_another_unit(client, org):
    response = _login(client, org, "member").post(
        reverse("model_create"), {"title": "Không phải của tôi", "unit": org.leader_unit.pk}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["unit"]
    assert AdvancedModel.objects.count() == 0


def test_model_create_refuses_the_unit_replicating_itself(client, org):
    response = _login(client, org, "member").post(
        reverse("model_create"),
        {
            "title": "Tự nhân rộng",
            "unit": org.member_unit.pk,
            "replicated_by": [org.member_unit.pk],
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["replicated_by"]


@pytest.mark.parametrize("role", ["admin", "staff", "leader", "deputy", "member", "outsider"])
def test_model_detail_every_role_200(client, org, model, role):
    response = _login(client, org, role).get(reverse("model_detail", args=[model.pk]))
    assert response.status_code == 200


def test_model_detail_outside_scope_404(client, org):
    hidden = activity_services.advanced_model_record(unit=UnitFactory(code="X9"), title="Ẩn")
    response = _login(client, org, "member").get(reverse("model_detail", args=[hidden.pk]))
    assert response.status_code == 404


def test_model_detail_post_405(client, org, model):
    response = _login(client, org, "admin").post(reverse("model_detail", args=[model.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 403),
        ("deputy", 403),
        ("member", 200),
        ("outsider", 403),
    ],
)
def test_model_edit_get_by_role(client, org, model, role, status):
    response = _login(client, org, role).get(reverse("model_edit", args=[model.pk]))
    assert response.status_code == status


def test_model_edit_outside_scope_404(client, org):
    hidden = activity_services.advanced_model_record(unit=UnitFactory(code="X9"), title="Ẩn")
    response = _login(client, org, "leader").get(reverse("model_edit", args=[hidden.pk]))
    assert response.status_code == 404


def test_model_edit_post_by_staff_adds_a_replicating_unit(client, org, model):
    response = _login(client, org, "staff").post(
        reverse("model_edit", args=[model.pk]),
        {
            "title": model.title,
            "unit": org.member_unit.pk,
            "area": model.area,
            "since": "01/03/2022",
            "replicated_by": [org.deputy_unit.pk, org.outsider_unit.pk],
        },
    )
    assert response.status_code == 302
    assert sorted(model.replicated_by.values_list("code", flat=True)) == ["D1", "O1"]


def test_model_edit_delete_405(client, org, model):
    response = _login(client, org, "member").delete(reverse("model_edit", args=[model.pk]))
    assert response.status_code == 405


# --- Query counts -------------------------------------------------------------------------


def _add_activities(org, count: int, start: int) -> None:
    for n in range(start, start + count):
        cluster = ClusterFactory(campaign=org.campaign, number=10 + n, code=f"X{n}")
        host = UnitFactory(code=f"H{n}")
        MembershipFactory(cluster=cluster, unit=host)
        activity = activity_services.activity_record(
            clusters=[org.cluster, cluster],
            held_on=dt.date(2023, 1, 1) + dt.timedelta(days=n),
            host=host,
            participants=[host, org.member_unit],
            title=f"Hoạt động {n}",
        )
        ActivityPhoto.objects.create(activity=activity, image=f"activities/photos/{n}.png")


# Session, user, group check (staff), campaigns, page count, rows, their clusters; the
# cluster filter's choices and the recording right: the same at 2 rows and at 10.
@pytest.mark.parametrize(("role", "queries"), [("staff", 11), ("leader", 11)])
def test_activity_list_query_count_does_not_grow(
    client, org, django_assert_num_queries, role, queries
):
    _login(client, org, role)
    url = reverse("activity_list")
    for size, start in ((2, 0), (8, 2)):
        _add_activities(org, size, start)
        with django_assert_num_queries(queries):
            response = client.get(url, {"campaign": org.campaign.pk})
        assert len(response.context["page"].object_list) == start + size


def _add_models(org, start: int, count: int) -> None:
    for n in range(start, start + count):
        activity_services.advanced_model_record(
            unit=org.member_unit,
            title=f"Mô hình {n:02d}",
            replicated_by=[org.leader_unit, org.deputy_unit],
        )


@pytest.mark.parametrize(("role", "queries"), [("staff", 9), ("member", 8)])
def test_model_list_query_count_does_not_grow(
    client, org, django_assert_num_queries, role, queries
):
    _login(client, org, role)
    url = reverse("model_list")
    for size, start in ((2, 0), (8, 2)):
        _add_models(org, start, size)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert len(response.context["page"].object_list) == start + size


# --- Citing an activity or a model as evidence ------------------------------------------


@pytest.fixture
def self_sheet(org):
    """Self-assessment open; the member unit's self sheet on a one-criterion table."""
    from decimal import Decimal

    from clusters.enums import Phase
    from scoring import services as scoring
    from scoring.models import Criterion, ScoreTable

    table = ScoreTable.objects.create(
        campaign=org.campaign, title="Thang điểm", bands=[{"label": "Đạt", "min": "0"}]
    )
    table.clusters.set([org.cluster])
    Criterion.objects.create(
        table=table, code="I.1", order=1, title="Giao lưu", kind="manual", max_points=Decimal(10)
    )
    scoring.table_renumber(table=table)
    scoring.table_publish(table=table)
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    return scoring.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")


def _entry(sheet):
    return sheet.entries.get(criterion__code="I.1")


def test_evidence_cite_activity_appears_on_the_sheet_without_a_file(
    client, org, activity, model, self_sheet
):
    entry = _entry(self_sheet)
    _login(client, org, "member")
    response = client.post(
        reverse("evidence_cite", args=[entry.pk]),
        {"activity": activity.pk, "next": reverse("sheet_detail", args=[self_sheet.pk])},
    )
    assert response.status_code == 302
    evidence = entry.evidence.get()
    assert (evidence.activity, evidence.advanced_model, evidence.file.name) == (
        activity,
        None,
        "",
    )
    assert evidence.description == "Giao lưu nghiệp vụ (12/05/2023)"
    page = client.get(reverse("sheet_detail", args=[self_sheet.pk])).content.decode()
    assert reverse("activity_detail", args=[activity.pk]) in page
    assert "Giao lưu nghiệp vụ (12/05/2023)" in page
    assert f'href="{reverse("evidence_download", args=[evidence.pk])}"' not in page


def test_evidence_cite_model_by_htmx_answers_the_evidence_cell(client, org, model, self_sheet):
    entry = _entry(self_sheet)
    _login(client, org, "member")
    response = client.post(
        reverse("evidence_cite", args=[entry.pk]),
        {"advanced_model": model.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert reverse("model_detail", args=[model.pk]) in response.content.decode()
    assert entry.evidence.get().advanced_model == model


def test_evidence_cite_form_lists_only_what_the_unit_may_cite(
    client, org, activity, model, self_sheet
):
    elsewhere = activity_services.activity_record(
        clusters=[org.other_cluster],
        held_on=dt.date(2023, 8, 1),
        host=org.outsider_unit,
        title="Không liên quan",
    )
    _login(client, org, "member")
    response = client.get(reverse("evidence_cite", args=[_entry(self_sheet).pk]))
    assert response.status_code == 200
    assert list(response.context["activities"]) == [activity]
    assert list(response.context["models"]) == [model]
    assert elsewhere.title not in response.content.decode()


def test_evidence_cite_refuses_an_activity_the_unit_did_not_join(client, org, self_sheet):
    elsewhere = activity_services.activity_record(
        clusters=[org.other_cluster],
        held_on=dt.date(2023, 8, 1),
        host=org.outsider_unit,
        title="Không liên quan",
    )
    entry = _entry(self_sheet)
    _login(client, org, "member")
    response = client.post(
        reverse("evidence_cite", args=[entry.pk]),
        {"activity": elsewhere.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert entry.evidence.count() == 0


def test_evidence_cite_service_refuses_a_foreign_model(org, self_sheet):
    from django.core.exceptions import ValidationError

    from scoring import services as scoring

    foreign = activity_services.advanced_model_record(
        unit=org.outsider_unit, title="Của đơn vị khác"
    )
    with pytest.raises(ValidationError):
        scoring.evidence_cite(entry=_entry(self_sheet), advanced_model=foreign)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 403),
        ("staff", 403),
        ("leader", 403),
        ("deputy", 403),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_evidence_cite_get_by_role(client, org, activity, self_sheet, role, status):
    # Self-assessment: only the unit itself edits its sheet; the others may look at it.
    url = reverse("evidence_cite", args=[_entry(self_sheet).pk])
    assert _login(client, org, role).get(url).status_code == status


def test_evidence_cite_put_405(client, org, self_sheet):
    url = reverse("evidence_cite", args=[_entry(self_sheet).pk])
    assert _login(client, org, "member").put(url).status_code == 405


def test_evidence_download_of_a_citation_404(client, org, activity, self_sheet):
    from scoring import services as scoring

    evidence = scoring.evidence_cite(entry=_entry(self_sheet), activity=activity)
    response = _login(client, org, "member").get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


def test_evidence_without_file_or_citation_is_refused_by_the_database(org, self_sheet):
    from django.db import IntegrityError

    from scoring.models import Evidence

    with pytest.raises(IntegrityError):
        Evidence.objects.create(entry=_entry(self_sheet))


# --- Admin --------------------------------------------------------------------------------


def _admin_url(name, *args):
    return reverse(f"admin:clusters_{name}", args=args)


@pytest.mark.parametrize(
    ("role", "titles"),
    [("admin", ["Giao lưu nghiệp vụ"]), ("leader", ["Giao lưu nghiệp vụ"]), ("outsider", [])],
)
def test_admin_activity_changelist_in_scope(client, org, activity, role, titles):
    response = _login(client, org, role).get(_admin_url("activity_changelist"))
    assert response.status_code == 200
    assert [a.title for a in response.context["cl"].result_list] == titles


def test_admin_activity_change_page_shows_photos_inline(client, org, photo):
    response = _login(client, org, "deputy").get(_admin_url("activity_change", photo.activity_id))
    assert response.status_code == 200
    assert [f.instance for f in response.context["inline_admin_formsets"][0].formset.forms][:1] == [
        photo
    ]


def test_admin_activity_of_another_cluster_is_not_found(client, org, activity):
    response = _login(client, org, "outsider").get(_admin_url("activity_change", activity.pk))
    assert response.status_code == 302


def test_admin_model_changelist_for_staff(client, org, model):
    response = _login(client, org, "staff").get(_admin_url("advancedmodel_changelist"))
    assert response.status_code == 200
    assert [m.title for m in response.context["cl"].result_list] == ["Mô hình camera an ninh"]


def test_admin_model_changelist_leader_sees_only_own_unit(client, org, model):
    response = _login(client, org, "leader").get(_admin_url("advancedmodel_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
