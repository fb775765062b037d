"""The cluster page and its signing records: roles for every URL, uploads validated by
content and size, members signing for themselves, file downloads, fixed query counts."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.enums import MemberRole, Phase, Title
from clusters.models import (
    ConferencePhoto,
    Pledge,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
)
from clusters.models.activities import Activity, AdvancedModel
from clusters.services import signing as signing_services
from scoring.enums import Stage
from scoring.models import Criterion
from tests.factories import (
    MembershipFactory,
    PledgeFactory,
    SignatureFactory,
    SigningConferenceFactory,
    UnitFactory,
)

# The scoring tests' published table and cluster-stage sheets (fixtures "table", "sheets").
from tests.scoring.conftest import sheets, table  # noqa: F401
from tests.scoring.test_views_results import publish

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROLES = ["admin", "staff", "leader", "deputy", "member", "outsider"]


def png_bytes() -> bytes:
    """A valid 1×1 grey PNG, built by hand (Pillow is not a dependency)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def as_user(client, org, role: str):
    client.force_login(getattr(org, role))
    return client


def conference_data(**extra) -> dict:
    return {
        "held_on": "25/02/2023",
        "place": "Hội trường Công an tỉnh",
        "chair": "Đại tá Nguyễn Văn A",
        "attendees": "Lãnh đạo các đơn vị",
        "notes": "",
        **extra,
    }


def signature_data(**extra) -> dict:
    return {
        "signatory": "Thượng tá Trần Văn B",
        "position": "Trưởng phòng",
        "signed_on": "26/02/2023",
        **extra,
    }


# --- Who may open what ----------------------------------------------------------------------


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
def test_cluster_detail_roles(client, org, role, status):
    response = as_user(client, org, role).get(reverse("cluster_detail", args=[org.cluster.pk]))
    assert response.status_code == status


def test_cluster_detail_anonymous_redirects_to_login(client, org):
    response = client.get(reverse("cluster_detail", args=[org.cluster.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_cluster_detail_wrong_method_answers_405(client, org):
    response = as_user(client, org, "leader").post(reverse("cluster_detail", args=[org.cluster.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("name", ["cluster_conference_edit", "cluster_pledge_edit"])
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
def test_leader_forms_roles(client, org, name, role, status):
    response = as_user(client, org, role).get(reverse(name, args=[org.cluster.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("name", ["cluster_conference_edit", "cluster_pledge_edit"])
def test_leader_forms_wrong_method_answers_405(client, org, name):
    response = as_user(client, org, "leader").put(reverse(name, args=[org.cluster.pk]))
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
def test_photo_add_roles(client, org, role, status):
    SigningConferenceFactory(cluster=org.cluster)
    response = as_user(client, org, role).post(
        reverse("cluster_photo_add", args=[org.cluster.pk]), {"image": png()}
    )
    assert response.status_code == status
    assert ConferencePhoto.objects.count() == (1 if status == 302 else 0)


def test_photo_add_get_answers_405(client, org):
    response = as_user(client, org, "leader").get(
        reverse("cluster_photo_add", args=[org.cluster.pk])
    )
    assert response.status_code == 405


def test_photo_add_without_conference_answers_404(client, org):
    response = as_user(client, org, "leader").post(
        reverse("cluster_photo_add", args=[org.cluster.pk]), {"image": png()}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["cluster_signature_edit", "cluster_registration_edit"])
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
def test_unit_forms_roles(client, org, name, role, status):
    PledgeFactory(cluster=org.cluster)
    url = reverse(name, args=[org.cluster.pk, org.member_unit.pk])
    assert as_user(client, org, role).get(url).status_code == status


@pytest.mark.parametrize("name", ["cluster_signature_edit", "cluster_registration_edit"])
def test_unit_forms_unit_outside_cluster_answers_404(client, org, name):
    PledgeFactory(cluster=org.cluster)
    url = reverse(name, args=[org.cluster.pk, org.outsider_unit.pk])
    assert as_user(client, org, "leader").get(url).status_code == 404


@pytest.mark.parametrize("name", ["cluster_signature_edit", "cluster_registration_edit"])
def test_unit_forms_wrong_method_answers_405(client, org, name):
    url = reverse(name, args=[org.cluster.pk, org.member_unit.pk])
    assert as_user(client, org, "leader").delete(url).status_code == 405


def test_signature_edit_without_pledge_redirects_to_the_pledge(client, org):
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "leader").get(url)
    assert response.status_code == 302
    assert response.url == reverse("cluster_detail", args=[org.cluster.pk]) + "#pledge"


# --- Recording the conference, its minutes and photos ------------------------------------


def test_conference_edit_records_conference_with_minutes(client, org, media):
    url = reverse("cluster_conference_edit", args=[org.cluster.pk])
    response = as_user(client, org, "leader").post(url, conference_data(minutes=pdf()))
    assert response.status_code == 302
    conference = SigningConference.objects.get(cluster=org.cluster)
    assert conference.held_on == dt.date(2023, 2, 25)
    assert conference.place == "Hội trường Công an tỉnh"
    assert conference.chair == "Đại tá Nguyễn Văn A"
    assert conference.minutes.name.startswith("signing/minutes/")
    assert (media / conference.minutes.name).read_bytes() == PDF


def test_conference_edit_text_named_pdf_refused_nothing_stored(client, org, media):
    fake = SimpleUploadedFile("bien-ban.pdf", b"just some text", content_type="application/pdf")
    url = reverse("cluster_conference_edit", args=[org.cluster.pk])
    response = as_user(client, org, "leader").post(url, conference_data(minutes=fake))
    assert response.status_code == 200
    assert response.context["form"].errors["minutes"]
    assert SigningConference.objects.count() == 0
    assert stored_files(media) == []


def test_conference_edit_too_large_refused(client, org, media, settings):
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    url = reverse("cluster_conference_edit", args=[org.cluster.pk])
    response = as_user(client, org, "leader").post(url, conference_data(minutes=big))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["minutes"]] == [
        "file_too_large"
    ]
    assert SigningConference.objects.count() == 0
    assert stored_files(media) == []


def test_conference_edit_keeps_replaced_minutes(client, org, media):
    url = reverse("cluster_conference_edit", args=[org.cluster.pk])
    as_user(client, org, "leader").post(url, conference_data(minutes=pdf("a.pdf")))
    client.post(url, conference_data(minutes=pdf("b.pdf")))
    assert [p.name for p in stored_files(media)] == ["a.pdf", "b.pdf"]


def test_photo_add_stores_png(client, org, media):
    conference = SigningConferenceFactory(cluster=org.cluster)
    as_user(client, org, "deputy").post(
        reverse("cluster_photo_add", args=[org.cluster.pk]), {"image": png(), "caption": "Ký kết"}
    )
    photo = ConferencePhoto.objects.get(conference=conference)
    assert photo.caption == "Ký kết"
    assert (media / photo.image.name).read_bytes() == png_bytes()


def test_photo_add_pdf_refused_nothing_stored(client, org, media):
    SigningConferenceFactory(cluster=org.cluster)
    as_user(client, org, "leader").post(
        reverse("cluster_photo_add", args=[org.cluster.pk]), {"image": pdf("anh.png")}
    )
    assert ConferencePhoto.objects.count() == 0
    assert stored_files(media) == []


def test_photo_remove_deletes_row_and_file(client, org, media, django_capture_on_commit_callbacks):
    conference = SigningConferenceFactory(cluster=org.cluster)
    photo = signing_services.conference_photo_add(conference=conference, image=png())
    url = reverse("cluster_photo_remove", args=[org.cluster.pk, photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, org, "leader").post(url)
    assert response.status_code == 302
    assert ConferencePhoto.objects.count() == 0
    assert stored_files(media) == []


def test_photo_remove_by_member_answers_403(client, org):
    conference = SigningConferenceFactory(cluster=org.cluster)
    photo = signing_services.conference_photo_add(conference=conference, image=png())
    url = reverse("cluster_photo_remove", args=[org.cluster.pk, photo.pk])
    assert as_user(client, org, "member").post(url).status_code == 403
    assert ConferencePhoto.objects.count() == 1


# --- The pledge ----------------------------------------------------------------------------


def test_pledge_edit_records_items_and_members_may_sign(client, org):
    data = {
        "slogan": "Vì an ninh Tổ quốc",
        "preamble": "Các đơn vị cam kết",
        "members_may_sign": "on",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-area": "Công tác xây dựng lực lượng",
        "items-0-content": "100% cán bộ hoàn thành nhiệm vụ",
        "items-1-area": "",
        "items-1-content": "",
        "items-2-area": "Phòng chống tội phạm",
        "items-2-content": "Giảm 5% tội phạm",
    }
    url = reverse("cluster_pledge_edit", args=[org.cluster.pk])
    response = as_user(client, org, "leader").post(url, data)
    assert response.status_code == 302
    pledge = Pledge.objects.get(cluster=org.cluster)
    assert pledge.slogan == "Vì an ninh Tổ quốc"
    assert pledge.members_may_sign is True
    assert [(i.order, i.area) for i in pledge.items.all()] == [
        (1, "Công tác xây dựng lực lượng"),
        (2, "Phòng chống tội phạm"),
    ]


def test_pledge_edit_area_without_content_refused(client, org):
    data = {
        "slogan": "",
        "preamble": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-area": "Công tác xây dựng lực lượng",
        "items-0-content": "",
    }
    url = reverse("cluster_pledge_edit", args=[org.cluster.pk])
    response = as_user(client, org, "leader").post(url, data)
    assert response.status_code == 200
    assert Pledge.objects.count() == 0


# --- Signatures and registrations ---------------------------------------------------------


def test_signature_edit_leader_signs_for_member_with_scan(client, org, media):
    pledge = PledgeFactory(cluster=org.cluster)
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "leader").post(url, signature_data(scanned_copy=pdf()))
    assert response.status_code == 302
    signature = Signature.objects.get(pledge=pledge, unit=org.member_unit)
    assert (signature.signatory, signature.signed_on) == (
        "Thượng tá Trần Văn B",
        dt.date(2023, 2, 26),
    )
    assert (media / signature.scanned_copy.name).read_bytes() == PDF


def test_signature_edit_bad_scan_refused_nothing_stored(client, org, media):
    PledgeFactory(cluster=org.cluster)
    fake = SimpleUploadedFile("scan.pdf", b"<html>not a pdf</html>")
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "leader").post(url, signature_data(scanned_copy=fake))
    assert response.status_code == 200
    assert response.context["form"].errors["scanned_copy"]
    assert Signature.objects.count() == 0
    assert stored_files(media) == []


def test_signature_edit_member_signs_itself_when_allowed(client, org):
    pledge = PledgeFactory(cluster=org.cluster, members_may_sign=True)
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "member").post(url, signature_data())
    assert response.status_code == 302
    assert Signature.objects.get(pledge=pledge).unit == org.member_unit


def test_signature_edit_member_refused_when_not_allowed(client, org):
    PledgeFactory(cluster=org.cluster, members_may_sign=False)
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "member").post(url, signature_data())
    assert response.status_code == 403
    assert Signature.objects.count() == 0


def test_signature_edit_member_never_signs_for_another_unit(client, org):
    PledgeFactory(cluster=org.cluster, members_may_sign=True)
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.leader_unit.pk])
    response = as_user(client, org, "member").post(url, signature_data())
    assert response.status_code == 403
    assert Signature.objects.count() == 0


def test_signature_remove_without_scan_deletes_it(client, org):
    pledge = PledgeFactory(cluster=org.cluster)
    SignatureFactory(pledge=pledge, unit=org.member_unit)
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "leader").post(url, {"remove": "1"})
    assert response.status_code == 302
    assert Signature.objects.count() == 0


def test_signature_remove_with_scan_refused_file_kept(client, org, media):
    pledge = PledgeFactory(cluster=org.cluster)
    signature = signing_services.signature_sign(
        pledge=pledge,
        unit=org.member_unit,
        signatory="Thượng tá Trần Văn B",
        position="Trưởng phòng",
        signed_on=dt.date(2023, 2, 26),
        scanned_copy=pdf(),
    )
    url = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "leader").post(url, {"remove": "1"})
    assert response.status_code == 302
    assert response.url == url
    assert Signature.objects.filter(pk=signature.pk).exists()
    assert (media / signature.scanned_copy.name).read_bytes() == PDF


def test_registration_edit_records_titles(client, org):
    url = reverse("cluster_registration_edit", args=[org.cluster.pk, org.deputy_unit.pk])
    response = as_user(client, org, "leader").post(
        url, {"titles": [Title.ADVANCED, Title.MINISTRY_FLAG], "registered_on": "01/03/2023"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(campaign=org.campaign, unit=org.deputy_unit)
    assert registration.titles == [Title.ADVANCED, Title.MINISTRY_FLAG]
    assert registration.registered_on == dt.date(2023, 3, 1)


def test_registration_edit_member_own_unit_when_allowed(client, org):
    PledgeFactory(cluster=org.cluster, members_may_sign=True)
    url = reverse("cluster_registration_edit", args=[org.cluster.pk, org.member_unit.pk])
    response = as_user(client, org, "member").post(url, {"titles": [Title.ADVANCED]})
    assert response.status_code == 302
    assert Registration.objects.get(unit=org.member_unit).titles == [Title.ADVANCED]


# --- Files ---------------------------------------------------------------------------------


@pytest.fixture
def files(org):
    """One file of each kind on org.cluster's records."""
    conference = SigningConferenceFactory(cluster=org.cluster)
    signing_services.conference_minutes_attach(conference=conference, upload=pdf())
    photo = signing_services.conference_photo_add(conference=conference, image=png())
    pledge = PledgeFactory(cluster=org.cluster)
    signature = signing_services.signature_sign(
        pledge=pledge,
        unit=org.member_unit,
        signatory="B",
        position="Trưởng phòng",
        signed_on=dt.date(2023, 2, 26),
        scanned_copy=pdf("scan.pdf"),
    )
    org.cluster.regulation = pdf("quy-che.pdf")
    org.cluster.save()
    return {
        "minutes": conference.pk,
        "photo": photo.pk,
        "scan": signature.pk,
        "regulation": org.cluster.pk,
    }


@pytest.mark.parametrize("kind", ["minutes", "photo", "scan", "regulation"])
@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("staff", 200), ("leader", 200), ("member", 200), ("outsider", 404)],
)
def test_cluster_file_roles(client, org, files, kind, role, status):
    response = as_user(client, org, role).get(reverse("cluster_file", args=[kind, files[kind]]))
    assert response.status_code == status
    if status == 200:
        expected = png_bytes() if kind == "photo" else PDF
        assert b"".join(response.streaming_content) == expected


def test_cluster_file_unknown_kind_answers_404(client, org, files):
    response = as_user(client, org, "leader").get(
        reverse("cluster_file", args=["evidence", files["scan"]])
    )
    assert response.status_code == 404


def test_cluster_file_record_without_file_answers_404(client, org):
    conference = SigningConferenceFactory(cluster=org.cluster)
    response = as_user(client, org, "leader").get(
        reverse("cluster_file", args=["minutes", conference.pk])
    )
    assert response.status_code == 404


def test_cluster_file_wrong_method_answers_405(client, org, files):
    response = as_user(client, org, "member").post(
        reverse("cluster_file", args=["minutes", files["minutes"]])
    )
    assert response.status_code == 405


# --- The page shows the records -------------------------------------------------------------


def test_cluster_detail_shows_signed_and_unsigned(client, org):
    pledge = PledgeFactory(cluster=org.cluster)
    SignatureFactory(pledge=pledge, unit=org.leader_unit, signatory="Đại tá Lê Văn C")
    response = as_user(client, org, "member").get(reverse("cluster_detail", args=[org.cluster.pk]))
    rows = {r["unit"].code: r for r in response.context["rows"]}
    assert rows["L1"]["signature"].signatory == "Đại tá Lê Văn C"
    assert rows["D1"]["signature"] is None
    assert rows["M1"]["may_sign"] is False
    content = response.content.decode()
    assert "Đại tá Lê Văn C" in content
    assert "25/02/2023" in content
    assert content.count("data-not-signed") == 2


def test_cluster_detail_member_sees_own_sign_link_when_allowed(client, org):
    PledgeFactory(cluster=org.cluster, members_may_sign=True)
    response = as_user(client, org, "member").get(reverse("cluster_detail", args=[org.cluster.pk]))
    may_sign = [r["unit"].code for r in response.context["rows"] if r["may_sign"]]
    assert may_sign == ["M1"]
    own = reverse("cluster_signature_edit", args=[org.cluster.pk, org.member_unit.pk])
    other = reverse("cluster_signature_edit", args=[org.cluster.pk, org.leader_unit.pk])
    assert own in response.content.decode()
    assert other not in response.content.decode()


def _grow(org, extra: int) -> None:
    """Add ``extra`` members, each signed, registered, with a photo, an activity and a model."""
    pledge = Pledge.objects.get(cluster=org.cluster)
    conference = SigningConference.objects.get(cluster=org.cluster)
    for i in range(extra):
        unit = UnitFactory(code=f"X{org.cluster.memberships.count()}-{i}")
        MembershipFactory(cluster=org.cluster, unit=unit, role=MemberRole.MEMBER)
        SignatureFactory(pledge=pledge, unit=unit)
        signing_services.registration_record(
            campaign=org.campaign, unit=unit, titles=[Title.ADVANCED]
        )
        signing_services.conference_photo_add(conference=conference, image=png())
        activity = Activity.objects.create(
            campaign=org.campaign, held_on=dt.date(2023, 5, 1), host=unit, title=f"Giao lưu {i}"
        )
        activity.clusters.add(org.cluster)
        AdvancedModel.objects.create(unit=unit, title=f"Mô hình {i}")


@pytest.mark.parametrize("role", ["leader", "member", "staff"])
def test_cluster_detail_query_count_fixed(client, org, django_assert_num_queries, role):
    SigningConferenceFactory(cluster=org.cluster)
    PledgeFactory(cluster=org.cluster)
    as_user(client, org, role)
    url = reverse("cluster_detail", args=[org.cluster.pk])
    _grow(org, 1)
    client.get(url)  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(org, 8)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# --- The scoring panel (scoring/panels.py) --------------------------------------------------


def _panel(response):
    [panel] = [p for p in response.context["panels"] if p.template == "scoring/panels/cluster.html"]
    return panel.context


def test_scoring_panel_shows_table_areas_and_pledged_area(client, org, table):  # noqa: F811
    # The area is marked by the item's explicit link to a criterion under it (I.2), not
    # by the item's area name: an item named like area "B" but not linked marks nothing.
    from scoring.services.pledge_links import pledge_links_set

    linked_under = Criterion.objects.get(table=table, code="I.2")
    named_like = Criterion.objects.get(table=table, code="B")
    pledge = PledgeFactory(cluster=org.cluster)
    item = PledgeItem.objects.create(pledge=pledge, order=1, area="An ninh", content="Cam kết")
    PledgeItem.objects.create(pledge=pledge, order=2, area=named_like.title, content="Thưởng")
    pledge_links_set(cluster=org.cluster, table=table, links={item.pk: linked_under})
    response = as_user(client, org, "member").get(reverse("cluster_detail", args=[org.cluster.pk]))
    panel = _panel(response)
    assert panel["table"] == table
    assert panel["table"].criteria_count == 6
    assert [(a["criterion"].code, a["pledged"]) for a in panel["areas"]] == [
        ("I", True),
        ("B", False),
        ("T", False),
        ("V", False),
    ]
    assert "Thang điểm cụm 1" in response.content.decode()


def test_scoring_panel_grid_link_for_leader_not_member(client, org, table, sheets):  # noqa: F811
    grid = reverse("grid", args=[org.cluster.pk, Stage.CLUSTER])
    leader = as_user(client, org, "leader").get(reverse("cluster_detail", args=[org.cluster.pk]))
    progress = {row["stage"]: row for row in _panel(leader)["progress"]}
    assert (progress[Stage.CLUSTER]["sheets"], progress[Stage.CLUSTER]["grid"]) == (3, True)
    assert grid in leader.content.decode()
    member = as_user(client, org, "member").get(reverse("cluster_detail", args=[org.cluster.pk]))
    assert grid not in member.content.decode()


def test_scoring_panel_published_shows_top_units(client, org, table):  # noqa: F811
    org.campaign.phase = Phase.FINAL_REVIEW
    org.campaign.save()
    publish(org, org.cluster, [(org.leader_unit, 20), (org.deputy_unit, 15), (org.member_unit, 5)])
    response = as_user(client, org, "member").get(reverse("cluster_detail", args=[org.cluster.pk]))
    panel = _panel(response)
    assert panel["published"] is True
    assert [(s.rank, s.unit.code, s.total) for s in panel["top"]] == [
        (1, "L1", Decimal("60.00")),
        (2, "D1", Decimal("55.00")),
        (3, "M1", Decimal("45.00")),
    ]


def test_scoring_panel_unpublished_shows_no_top(client, org, table, sheets):  # noqa: F811
    response = as_user(client, org, "leader").get(reverse("cluster_detail", args=[org.cluster.pk]))
    assert (_panel(response)["published"], _panel(response)["top"]) == (False, [])
