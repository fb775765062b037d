"""``manage.py export_awards`` (thidua.awards/1): the exact document, and how the organiser
is chosen (tests/awards/conftest.py: cluster C1 published, L1 95 Xuất sắc leading, D1 88
Tốt, M1 72 Khá; co-bo leading unit only, tien-tien band Tốt or better, at most 2)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from awards import services
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def export(**options) -> dict:
    out = StringIO()
    with translation.override("en"):
        call_command("export_awards", stdout=out, **options)
    return json.loads(out.getvalue())


@pytest.fixture
def decided(published, award_types):
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
        votes_for=1,
    )
    decision = services.decision_record(
        campaign=org.campaign,
        user=org.staff,
        number="12/QĐ-BCA",
        date=dt.date(2024, 1, 15),
        signer_name="Nguyễn Văn A",
        signer_title="Thứ trưởng",
        authority="Bộ Công an",
        level="unit",
    )
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome="granted"
    )
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=advanced, outcome="refused"
    )
    return org


def test_export_awards_writes_the_exact_document(decided):
    org = decided
    assert export(year=2023) == expected(org)


def _cluster(cluster) -> dict:
    return {"code": cluster.code, "name": cluster.name}


def _leading(figure: str) -> dict:
    return {"kind": "leading", "condition": "Leading unit of its cluster", "figure": figure}


def _below_band(figure: str, size: int) -> list[dict]:
    return [
        {"kind": "min_band", "condition": "Band Tốt or better", "figure": figure},
        {
            "kind": "quota",
            "condition": "At most 2 per cluster",
            "figure": f"2 places among {size} units — does not compete (another condition fails)",
        },
    ]


def expected(org) -> dict:
    decision = {"decision": "12/QĐ-BCA", "date": "2024-01-15"}
    nothing = {"proposed": [], "granted": [], "refused": []}
    return {
        "format": "thidua.awards/1",
        "organiser": {"code": "CAT", "name": "Công an tỉnh Thử"},
        "year": 2023,
        "campaign": org.campaign.name,
        "titles": [
            {"code": "co-bo", "name": "Cờ thi đua của Bộ Công an", "level": "unit"},
            {"code": "tien-tien", "name": "Đơn vị Tiên tiến", "level": "unit"},
        ],
        "units": [
            {
                "code": "D1",
                "name": org.deputy_unit.name,
                "cluster": _cluster(org.cluster),
                "eligible": ["tien-tien"],
                "not_eligible": [
                    {"title": "co-bo", "failed": [_leading("Band Tốt, total 88.00, rank 2")]}
                ],
                **nothing,  # its vote (1 of 3) did not pass
            },
            {
                "code": "L1",
                "name": "Phòng Đắk Mil",
                "cluster": _cluster(org.cluster),
                "eligible": ["co-bo", "tien-tien"],
                "not_eligible": [],
                "proposed": ["co-bo", "tien-tien"],
                "granted": [{"title": "co-bo", **decision}],
                "refused": [{"title": "tien-tien", **decision}],
            },
            {
                "code": "M1",
                "name": org.member_unit.name,
                "cluster": _cluster(org.cluster),
                "eligible": [],
                "not_eligible": [
                    {"title": "co-bo", "failed": [_leading("Band Khá, total 72.00, rank 3")]},
                    {
                        "title": "tien-tien",
                        "failed": _below_band("Band Khá, total 72.00, rank 3", 3),
                    },
                ],
                **nothing,
            },
            {
                "code": "O1",
                "name": org.outsider_unit.name,
                "cluster": _cluster(org.other_cluster),
                "eligible": [],
                "not_eligible": [
                    {"title": "co-bo", "failed": [_leading("No published result")]},
                    {"title": "tien-tien", "failed": _below_band("No published result", 1)},
                ],
                **nothing,
            },
        ],
    }


def test_export_awards_names_the_organiser_when_there_are_several(decided):
    org = decided
    CampaignFactory(organiser__code="BCA", year=2023)
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("export_awards", year=2023, stdout=StringIO())
    assert str(error.value) == (
        "Several organisers have a campaign in 2023: BCA, CAT; choose one with --organiser CODE."
    )
    assert export(year=2023, organiser="CAT") == expected(org)
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("export_awards", year=2023, organiser="XX", stdout=StringIO())
    assert str(error.value) == (
        'The organiser "XX" has no campaign in 2023 (organisers with one: BCA, CAT).'
    )
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("export_awards", year=2019, stdout=StringIO())
    assert str(error.value) == "No campaign in 2019."
