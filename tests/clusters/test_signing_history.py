"""The signing records and exchange activities keep their change history with who did it,
and the recent activity tells them (clusters.recent): the conference, the pledge, the
signatures, the registrations and the activities of the clusters the reader may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from clusters import permissions, recent
from clusters.enums import Title
from clusters.models import Registration, Signature, SigningConference
from clusters.services import activities as activity_services
from clusters.services import signing as signing_services

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _who(user) -> str:
    return recent.who(user)


def _texts(user, org) -> list[str]:
    ids = list(
        permissions.visible_clusters(user)
        .filter(campaign=org.campaign)
        .values_list("pk", flat=True)
    )
    return [e.text for e in recent.recent(user, org.campaign, ids).events]


@pytest.fixture
def signed(org):
    """C1's leader records the conference, the pledge, M1's signature and registration and an
    activity; C2's leader records C2's conference."""
    signing_services.signing_conference_record(
        cluster=org.cluster,
        held_on=dt.date(2023, 2, 20),
        place="Hội trường",
        chair="Đ/c A",
        user=org.leader,
    )
    org.pledge = signing_services.pledge_record(
        cluster=org.cluster,
        slogan="Thi đua",
        items=[("Công tác", "Hoàn thành chỉ tiêu")],
        user=org.leader,
    )
    signing_services.signature_sign(
        pledge=org.pledge,
        unit=org.member_unit,
        signatory="Đ/c B",
        position="Trưởng Công an",
        signed_on=dt.date(2023, 2, 20),
        user=org.leader,
    )
    signing_services.registration_record(
        campaign=org.campaign,
        unit=org.member_unit,
        titles=[Title.ADVANCED],
        user=org.member,
    )
    org.activity = activity_services.activity_record(
        clusters=[org.cluster],
        held_on=dt.date(2023, 5, 12),
        host=org.member_unit,
        title="Giao lưu nghiệp vụ",
        user=org.leader,
    )
    signing_services.signing_conference_record(
        cluster=org.other_cluster,
        held_on=dt.date(2023, 2, 21),
        place="Hội trường B",
        chair="Đ/c C",
        user=org.outsider,
    )
    return org


def test_the_services_record_who_did_it(signed):
    conference = SigningConference.objects.get(cluster=signed.cluster)
    assert conference.history.get().history_user == signed.leader
    signature = Signature.objects.get(unit=signed.member_unit)
    assert signature.history.get().history_user == signed.leader
    registration = Registration.objects.get(unit=signed.member_unit)
    assert registration.history.get().history_user == signed.member
    assert signed.pledge.items.get().history.get().history_user == signed.leader
    assert signed.activity.history.get().history_user == signed.leader


def test_a_record_unchanged_leaves_no_history(signed):
    signing_services.signing_conference_record(
        cluster=signed.cluster,
        held_on=dt.date(2023, 2, 20),
        place="Hội trường",
        chair="Đ/c A",
        user=signed.admin,
    )
    assert SigningConference.history.filter(cluster=signed.cluster).count() == 1


def test_sentences_of_the_signing_and_the_activity_newest_first(signed, settings):
    settings.LANGUAGE_CODE = "en"
    member, c1 = signed.member_unit.name, signed.cluster.name
    assert _texts(signed.member, signed) == [
        f"{_who(signed.leader)} added the exchange activity “Giao lưu nghiệp vụ” hosted by "
        f"{member} on 12/05/2023.",
        f"{_who(signed.member)} registered {member} for the titles: Advanced unit.",
        f"{_who(signed.leader)} recorded the signature of {member} on the pledge of {c1}.",
        f"{_who(signed.leader)} recorded the emulation pledge of {c1}.",
        f"{_who(signed.leader)} recorded the signing conference of {c1}.",
    ]


def _an_hour_ago(*models) -> None:
    for model in models:
        model.history.update(history_date=F("history_date") - dt.timedelta(hours=1))


def test_corrections_and_a_withdrawn_signature(signed, settings):
    settings.LANGUAGE_CODE = "en"
    _an_hour_ago(SigningConference, Registration, Signature)
    signing_services.signing_conference_record(
        cluster=signed.cluster,
        held_on=dt.date(2023, 2, 20),
        place="Hội trường lớn",
        chair="Đ/c A",
        user=signed.staff,
    )
    signing_services.registration_record(
        campaign=signed.campaign,
        unit=signed.member_unit,
        titles=[Title.ADVANCED, Title.DETERMINED_TO_WIN],
        user=signed.member,
    )
    signature = Signature.objects.get(unit=signed.member_unit)
    signing_services.signature_remove(signature=signature, user=signed.deputy)
    member, c1 = signed.member_unit.name, signed.cluster.name

    texts = _texts(signed.leader, signed)

    assert texts[:3] == [
        f"{_who(signed.deputy)} withdrew the signature of {member} from the pledge of {c1}.",
        f"{_who(signed.member)} changed the titles {member} registers for: Advanced unit, "
        "Determined-to-win unit.",
        f"{_who(signed.staff)} updated the record of the signing conference of {c1}.",
    ]


def test_whoever_sees_the_cluster_sees_its_signing_and_no_other(signed, settings):
    settings.LANGUAGE_CODE = "en"
    c1, c2 = signed.cluster.name, signed.other_cluster.name
    for role in ("member", "leader", "deputy", "staff", "admin"):
        assert f"{_who(signed.leader)} recorded the signing conference of {c1}." in _texts(
            getattr(signed, role), signed
        )
    outsider = _texts(signed.outsider, signed)
    assert f"{_who(signed.outsider)} recorded the signing conference of {c2}." in outsider
    assert not any(c1 in t or signed.member_unit.name in t for t in outsider)
    assert not any("Giao lưu" in t for t in outsider)
    assert f"{_who(signed.outsider)} recorded the signing conference of {c2}." not in _texts(
        signed.member, signed
    )


def test_a_registration_is_told_in_the_units_cluster_with_its_link(signed):
    c1_events = recent.recent(signed.admin, signed.campaign, [signed.cluster.pk]).events
    c2_events = recent.recent(signed.admin, signed.campaign, [signed.other_cluster.pk]).events
    registered = [e for e in c1_events if e.key[0] == "registration"]
    assert [e.url for e in registered] == [
        reverse("cluster_detail", args=[signed.cluster.pk]) + "#registrations"
    ]
    assert not [e for e in c2_events if e.key[0] in ("registration", "signature", "activity")]
    activity = next(e for e in c1_events if e.key[0] == "activity")
    assert activity.url == reverse("activity_detail", args=[signed.activity.pk])


def test_the_cluster_page_of_recent_activity_tells_the_signing(signed, client):
    client.force_login(signed.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("cluster_recent", args=[signed.cluster.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        f"{_who(signed.leader)} recorded the signing conference of {signed.cluster.name}." in html
    )
    assert reverse("activity_detail", args=[signed.activity.pk]) in html


def test_one_action_saving_twice_is_told_once(signed, settings, tmp_path):
    """A signature recorded with its scanned copy is saved twice (the record, then the
    file): one event. The same person changing it again later is told again."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path
    signing_services.signature_sign(
        pledge=signed.pledge,
        unit=signed.deputy_unit,
        signatory="Đ/c D",
        position="Phó Trưởng phòng",
        signed_on=dt.date(2023, 2, 20),
        scanned_copy=SimpleUploadedFile("ky.pdf", PDF),
        user=signed.deputy,
    )
    deputy, c1 = signed.deputy_unit.name, signed.cluster.name
    told = [t for t in _texts(signed.admin, signed) if deputy in t]
    assert Signature.history.filter(unit=signed.deputy_unit).count() == 2
    assert told == [
        f"{_who(signed.deputy)} recorded the signature of {deputy} on the pledge of {c1}."
    ]

    _an_hour_ago(Signature)
    signing_services.signature_record(
        pledge=signed.pledge,
        unit=signed.member_unit,
        signatory="Đ/c B",
        position="Phó Trưởng Công an",
        signed_on=dt.date(2023, 2, 20),
        user=signed.leader,
    )
    member = signed.member_unit.name
    told = [t for t in _texts(signed.admin, signed) if member in t and "signature" in t]
    assert told == [
        f"{_who(signed.leader)} corrected the signature of {member} on the pledge of {c1}.",
        f"{_who(signed.leader)} recorded the signature of {member} on the pledge of {c1}.",
    ]
