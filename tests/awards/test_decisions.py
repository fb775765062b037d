"""Decisions (issue 15 point 4): the services, a proposal's status, the ladder fed by a
granted title, and the pages (tests/awards/conftest.py: cluster C1 published, L1 leading)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from awards import services, titles
from awards.enums import DecisionOutcome, RuleKind
from awards.interchange import decisions as exchange
from awards.models import Decision, DecisionItem
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def record(org, number="12/QĐ-BCA", **kwargs):
    data = {
        "campaign": org.campaign,
        "user": org.staff,
        "number": number,
        "date": dt.date(2024, 1, 15),
        "signer_name": "Nguyễn Văn A",
        "signer_title": "Thứ trưởng",
        "authority": "Bộ Công an",
        "level": "ministry",
    }
    data.update(kwargs)
    return services.decision_record(**data)


@pytest.fixture
def voted(published, award_types):
    """L1 proposed for co-bo (3 of 3), D1 and L1 for tien-tien (passed)."""
    org = published
    flag, advanced = award_types
    for unit, award_type in ((org.leader_unit, flag), (org.leader_unit, advanced)):
        services.vote_record(
            cluster=org.cluster, unit=unit, award_type=award_type, members_present=3, votes_for=3
        )
    services.vote_record(
        cluster=org.cluster,
        unit=org.deputy_unit,
        award_type=advanced,
        members_present=3,
        votes_for=2,
    )
    return org


# --- Services --------------------------------------------------------------------------------


def test_decision_record_and_items_keep_history(voted):
    org = voted
    flag, advanced = services.AwardType.objects.order_by("order")
    decision = record(org)
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome="granted", user=org.staff
    )
    item = services.decision_item_set(
        decision=decision, unit=org.deputy_unit, award_type=advanced, outcome="granted"
    )
    services.decision_item_set(
        decision=decision,
        unit=org.deputy_unit,
        award_type=advanced,
        outcome="refused",
        note="Chưa đủ tỷ lệ",
        user=org.staff,
    )
    item.refresh_from_db()
    assert (item.outcome, item.note) == ("refused", "Chưa đủ tỷ lệ")
    assert [h.outcome for h in item.history.order_by("history_date")] == ["granted", "refused"]
    assert decision.history.get().history_user == org.staff
    assert decision.created_by == org.staff
    assert [(i.unit.code, i.award_type.code) for i in services.granted_items(org.campaign)] == [
        ("L1", "co-bo")
    ]


def test_decision_number_once_per_campaign(voted):
    org = voted
    record(org)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        record(org)
    assert error.value.messages == ["This decision number is already recorded."]
    assert Decision.objects.count() == 1


def test_decision_item_of_a_unit_outside_the_campaign_is_refused(voted):
    org = voted
    flag, _advanced = services.AwardType.objects.order_by("order")
    stranger = MembershipFactory().unit
    decision = record(org)
    with pytest.raises(ValidationError):
        services.decision_item_set(
            decision=decision, unit=stranger, award_type=flag, outcome="granted"
        )
    assert DecisionItem.objects.count() == 0


def test_decision_scanned_copy_is_checked_by_content(voted):
    org = voted
    with pytest.raises(ValidationError):
        record(org, scanned_copy=SimpleUploadedFile("qd.pdf", b"<html>not a pdf</html>"))
    decision = record(org, scanned_copy=SimpleUploadedFile("qd.pdf", PDF))
    assert decision.scanned_copy.name.startswith("awards/decisions/")


def test_proposals_show_their_status(voted):
    org = voted
    flag, advanced = services.AwardType.objects.order_by("order")
    decision = record(org)
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome="granted"
    )
    services.decision_item_set(
        decision=decision, unit=org.deputy_unit, award_type=advanced, outcome="refused"
    )
    states = [
        (s.proposal.award_type.code, s.proposal.unit.code, s.state)
        for s in services.proposals_with_status(org.campaign, on=dt.date(2023, 12, 31))
    ]
    assert states == [
        ("co-bo", "L1", "granted"),
        ("tien-tien", "L1", "proposed"),
        ("tien-tien", "D1", "refused"),
    ]


def test_a_title_granted_in_2023_meets_a_past_title_rule_in_2024(voted):
    org = voted
    flag, _advanced = services.AwardType.objects.order_by("order")
    next_year = CampaignFactory(organiser=org.province, year=2024)
    cluster = ClusterFactory(campaign=next_year, number=1, code="C1")
    for unit in (org.leader_unit, org.deputy_unit):
        MembershipFactory(cluster=cluster, unit=unit)
    government = services.award_type_upsert(
        campaign=next_year, code="co-cp", name="Cờ thi đua của Chính phủ"
    )
    titles.title_rule_add(award_type=government, kind=RuleKind.PAST_TITLES, titles="co-bo", years=1)

    def eligible():
        explained = titles.explain(next_year, on=dt.date(2024, 12, 31))
        return {row.unit.code: row.titles[0].eligible for row in explained.rows}

    assert eligible() == {"D1": False, "L1": False}
    decision = record(org)
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome=DecisionOutcome.GRANTED
    )
    services.decision_item_set(
        decision=decision, unit=org.deputy_unit, award_type=flag, outcome=DecisionOutcome.REFUSED
    )
    assert eligible() == {"D1": False, "L1": True}
    # A past title recorded too for the same year and title counts once.
    titles.past_title_record(
        organiser=org.province, unit=org.leader_unit, year=2023, code="co-bo", name="Cờ"
    )
    assert titles.held_codes([org.leader_unit.pk], 2023, 2023) == {
        org.leader_unit.pk: {2023: {"co-bo"}}
    }
    assert eligible() == {"D1": False, "L1": True}


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def other_staff(org):
    province = UnitFactory(code="CAK", name="Công an tỉnh Khác", kind="province")
    user = UserFactory(username="other-staff", unit=UnitFactory(code="PK01", parent=province))
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_decisions_page_right_role_other_organiser_read_only_and_method(client, voted, other_staff):
    org = voted
    url = reverse("awards_decisions", args=[org.campaign.pk])
    client.force_login(org.staff)
    page = client.get(url)
    assert page.status_code == 200
    assert [s.state for s in page.context["proposals"]] == ["proposed", "proposed", "proposed"]
    assert client.put(url).status_code == 405
    client.force_login(org.leader)  # sees the campaign, records nothing
    assert client.get(url).status_code == 403
    client.force_login(other_staff)
    assert client.get(url).status_code == 404


def test_staff_record_a_decision_and_its_outcomes_on_the_pages(client, voted):
    org = voted
    flag, advanced = services.AwardType.objects.order_by("order")
    client.force_login(org.staff)
    created = client.post(
        reverse("awards_decisions", args=[org.campaign.pk]),
        {
            "number": "7/QĐ-CAT",
            "date": "2024-01-10",
            "signer_name": "Trần Văn C",
            "signer_title": "Giám đốc",
            "authority": "Công an tỉnh Thử",
            "level": "unit",
            "scanned_copy": SimpleUploadedFile("qd.pdf", PDF),
        },
    )
    decision = Decision.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("awards_decision", args=[decision.pk])
    page = client.get(created["Location"])
    assert [(u.code, t.code, i) for u, t, i, _p in page.context["rows"]] == [
        ("L1", "co-bo", None),
        ("D1", "tien-tien", None),
        ("L1", "tien-tien", None),
    ]
    saved = client.post(
        reverse("awards_decision_items", args=[decision.pk]),
        {
            "row": [f"{org.leader_unit.pk}-{flag.pk}", f"{org.deputy_unit.pk}-{advanced.pk}"],
            f"outcome-{org.leader_unit.pk}-{flag.pk}": "granted",
            f"outcome-{org.deputy_unit.pk}-{advanced.pk}": "refused",
            f"note-{org.deputy_unit.pk}-{advanced.pk}": "Chưa đạt",
        },
    )
    assert saved.status_code == 302
    assert sorted(
        (i.unit.code, i.award_type.code, i.outcome, i.note) for i in decision.items.all()
    ) == [
        ("D1", "tien-tien", "refused", "Chưa đạt"),
        ("L1", "co-bo", "granted", ""),
    ]
    scan = client.get(reverse("awards_decision_scan", args=[decision.pk]))
    assert (scan.status_code, scan["Content-Type"]) == (200, "application/pdf")
    assert b"".join(scan.streaming_content) == PDF
    # The cluster's awards page shows each proposal's status.
    cluster_page = client.get(reverse("awards_cluster", args=[org.cluster.pk])).content.decode()
    assert cluster_page.count('data-status="granted"') == 1
    assert cluster_page.count('data-status="refused"') == 1
    assert cluster_page.count('data-status="proposed"') == 1
    # Taken off the decision again: the row's outcome left blank.
    client.post(
        reverse("awards_decision_items", args=[decision.pk]),
        {"row": [f"{org.deputy_unit.pk}-{advanced.pk}"]},
    )
    assert [i.unit.code for i in decision.items.all()] == ["L1"]


def test_decision_pages_refuse_other_organisers_and_read_only_users(client, voted, other_staff):
    org = voted
    decision = record(org, scanned_copy=SimpleUploadedFile("qd.pdf", PDF))
    urls = [
        reverse("awards_decision", args=[decision.pk]),
        reverse("awards_decision_scan", args=[decision.pk]),
        reverse("awards_proposal_file", args=[org.campaign.pk]),
    ]
    client.force_login(other_staff)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(org.member)
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert client.post(reverse("awards_decision_items", args=[decision.pk])).status_code == 403
    client.force_login(org.staff)
    assert client.get(reverse("awards_decision_items", args=[decision.pk])).status_code == 405
    assert client.post(reverse("awards_decision_scan", args=[decision.pk])).status_code == 405


def test_proposal_file_download_then_decision_file_upload_preview_and_confirm(client, voted):
    org = voted
    client.force_login(org.staff)
    _english(client)
    sent = client.get(reverse("awards_proposal_file", args=[org.campaign.pk]))
    assert sent["Content-Type"] == "application/json"
    assert 'filename="de-nghi-CAT-2023.json"' in sent["Content-Disposition"]
    proposal = exchange.parse(sent.content)
    assert proposal["sha256"] == exchange.digest(proposal)
    ministry = UnitFactory(code="BCA", name="Bộ Công an", kind="ministry")
    answer = exchange.decision_for_proposal(
        proposal,
        decider=ministry,
        outcomes={("L1", "co-bo"): "granted"},
        number="9/QĐ-BCA",
        date=dt.date(2024, 2, 1),
        signer_name="Lê Văn D",
        signer_title="Thứ trưởng",
        authority="Bộ Công an",
        level="ministry",
    )
    upload = SimpleUploadedFile("qd.json", exchange.file_bytes(answer))
    preview = client.post(
        reverse("awards_decision_upload", args=[org.campaign.pk]), {"file": upload}
    )
    assert preview.status_code == 200
    assert Decision.objects.count() == 0
    content = preview.context["content"]
    tampered = content.replace('"granted"', '"refused"')
    refused = client.post(
        reverse("awards_decision_import", args=[org.campaign.pk]), {"content": tampered}
    )
    assert refused.status_code == 422
    assert "sha256: the file was changed" in refused.content.decode()
    assert Decision.objects.count() == 0
    confirmed = client.post(
        reverse("awards_decision_import", args=[org.campaign.pk]), {"content": content}
    )
    decision = Decision.objects.get()
    assert confirmed["Location"] == reverse("awards_decision", args=[decision.pk])
    assert [(i.unit.code, i.award_type.code, i.outcome) for i in decision.items.all()] == [
        ("L1", "co-bo", "granted")
    ]
    again = client.post(
        reverse("awards_decision_upload", args=[org.campaign.pk]),
        {"file": SimpleUploadedFile("qd.json", exchange.file_bytes(answer))},
    )
    assert again.status_code == 422
    assert "already recorded" in again.content.decode()


def _decide(org, number, outcome):
    flag, advanced = services.AwardType.objects.order_by("order")
    decision = record(org, number=number)
    for unit, award_type in ((org.leader_unit, flag), (org.deputy_unit, advanced)):
        services.decision_item_set(
            decision=decision, unit=unit, award_type=award_type, outcome=outcome
        )
    return decision


@pytest.mark.parametrize("decisions", [1, 4])
def test_decision_pages_read_a_fixed_number_of_queries(
    client, voted, django_assert_num_queries, decisions
):
    org = voted
    for number in range(decisions):
        last = _decide(org, f"{number}/QĐ", "granted" if number % 2 else "refused")
    client.force_login(org.staff)
    for url, count in (
        (reverse("awards_decisions", args=[org.campaign.pk]), 17),
        (reverse("awards_decision", args=[last.pk]), 17),
    ):
        client.get(url)
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
