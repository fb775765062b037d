"""Proposals and decisions between installations (awards/interchange/, docs/formats.md):
the canonical content and its SHA-256, a round trip proposal → decision between two
organisers, and every refusal (tampered, another organiser's, unknown codes, a number
already recorded) leaving nothing stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from awards import services
from awards.interchange import decisions as interchange
from awards.models import Decision, DecisionItem
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

HEADER = {
    "number": "45/QĐ-BCA",
    "date": dt.date(2024, 1, 20),
    "signer_name": "Nguyễn Văn B",
    "signer_title": "Thứ trưởng",
    "authority": "Bộ Công an",
    "level": "ministry",
}


@pytest.fixture
def proposed(published, award_types):
    """L1 passed for co-bo (3/3) and for tien-tien (2/3), D1 for tien-tien (3/3)."""
    org = published
    flag, advanced = award_types
    for unit, award_type, votes in (
        (org.leader_unit, flag, 3),
        (org.leader_unit, advanced, 2),
        (org.deputy_unit, advanced, 3),
    ):
        services.vote_record(
            cluster=org.cluster,
            unit=unit,
            award_type=award_type,
            members_present=3,
            votes_for=votes,
        )
    org.ministry = UnitFactory(code="BCA", name="Bộ Công an", kind="ministry")
    return org


def test_canonical_content_is_sorted_compact_utf8_without_the_hash():
    document = {"b": "Cờ", "a": [1, {"d": None, "c": "x"}], "sha256": "zz"}
    assert interchange.canonical(document) == '{"a":[1,{"c":"x","d":null}],"b":"Cờ"}'.encode()
    sealed = interchange.sealed({"b": "Cờ", "a": 1})
    assert sealed["sha256"] == hashlib.sha256('{"a":1,"b":"Cờ"}'.encode()).hexdigest()


def test_proposal_file_lists_the_passed_proposals(proposed):
    org = proposed
    document = interchange.proposal_export(org.campaign, on=dt.date(2023, 12, 31))
    assert document["sha256"] == interchange.digest(document)
    assert {k: v for k, v in document.items() if k not in ("proposals", "sha256")} == {
        "format": "thidua.proposal/1",
        "organiser": {"code": "CAT", "name": "Công an tỉnh Thử"},
        "year": 2023,
        "campaign": org.campaign.name,
        "period": "year_end",
    }
    assert document["proposals"][0] == {
        "unit": {"code": "L1", "name": "Phòng Đắk Mil"},
        "title": {"code": "co-bo", "name": "Cờ thi đua của Bộ Công an", "level": "unit"},
        "cluster": {"code": "C1", "name": org.cluster.name},
        "band": "Xuất sắc",
        "total": "95.00",
        "rank": 1,
        "vote_share": "1.0000",
        "votes_for": 3,
        "members_present": 3,
    }
    assert [(p["unit"]["code"], p["title"]["code"]) for p in document["proposals"]] == [
        ("L1", "co-bo"),
        ("L1", "tien-tien"),
        ("D1", "tien-tien"),
    ]
    assert interchange.proposal_export(org.campaign, level="ministry")["proposals"] == []


def test_round_trip_proposal_then_decision_between_two_organisers(proposed):
    org = proposed
    # Organiser A writes the file; the Ministry (organiser B) reads it and answers.
    sent = json.loads(interchange.file_bytes(interchange.proposal_export(org.campaign)))
    answer = interchange.decision_for_proposal(
        sent,
        decider=org.ministry,
        outcomes={("L1", "co-bo"): "granted", ("D1", "tien-tien"): "refused"},
        **HEADER,
    )
    assert answer["organiser"] == {"code": "BCA", "name": "Bộ Công an"}
    assert answer["recipient"] == {"code": "CAT", "name": "Công an tỉnh Thử"}
    received = interchange.parse(interchange.file_bytes(answer))

    plan = interchange.decision_plan(org.campaign, received)
    assert plan.errors == []
    decision = interchange.decision_import(campaign=org.campaign, plan=plan, user=org.staff)

    assert (decision.number, decision.date, decision.level, decision.authority) == (
        "45/QĐ-BCA",
        dt.date(2024, 1, 20),
        "ministry",
        "Bộ Công an",
    )
    assert decision.source_sha256 == answer["sha256"]
    assert sorted((i.unit.code, i.award_type.code, i.outcome) for i in decision.items.all()) == [
        ("D1", "tien-tien", "refused"),
        ("L1", "co-bo", "granted"),
    ]
    states = [s.state for s in services.proposals_with_status(org.campaign)]
    assert states == ["granted", "proposed", "refused"]


def _answer(org, **changes):
    sent = interchange.proposal_export(org.campaign)
    header = {**HEADER, **changes.pop("header", {})}
    answer = interchange.decision_for_proposal(
        sent, decider=org.ministry, outcomes={("L1", "co-bo"): "granted"}, **header
    )
    return answer


def _refused(org, document) -> list[str]:
    with translation.override("en"):
        plan = interchange.decision_plan(org.campaign, document)
    assert not plan.ok
    with pytest.raises(ValidationError):
        interchange.decision_import(campaign=org.campaign, plan=plan, user=org.staff)
    assert Decision.objects.count() == DecisionItem.objects.count() == 0
    return plan.errors


def test_a_tampered_decision_is_refused(proposed):
    org = proposed
    answer = _answer(org)
    answer["items"][0]["outcome"] = "refused"  # changed after sealing
    errors = _refused(org, answer)
    assert errors == [
        "sha256: the file was changed after it was written (its content does not match its "
        "SHA-256); ask the sender for the original file."
    ]


def test_a_decision_for_another_organiser_is_refused(proposed):
    org = proposed
    answer = _answer(org)
    answer["recipient"] = {"code": "CAK", "name": "Công an tỉnh Khác"}
    errors = _refused(org, interchange.sealed(answer))
    assert errors == [
        "recipient: the decision is addressed to CAK, not to Công an tỉnh Thử (CAT); it "
        "cannot be imported here."
    ]


def test_unknown_unit_and_title_codes_are_refused_all_at_once(proposed):
    org = proposed
    answer = _answer(org)
    answer["items"] += [
        {"unit": "ZZ9", "title": "co-bo", "outcome": "granted"},
        {"unit": "D1", "title": "bang-khen", "outcome": "maybe"},
    ]
    errors = _refused(org, interchange.sealed(answer))
    assert errors == [
        'items[1]: unit "ZZ9" is not a unit of this campaign',
        'items[2]: title "bang-khen" is not a title of this campaign',
        'items[2]: outcome must be "granted" or "refused"',
    ]


def test_a_decision_number_already_recorded_is_refused(proposed):
    org = proposed
    answer = _answer(org)
    plan = interchange.decision_plan(org.campaign, answer)
    interchange.decision_import(campaign=org.campaign, plan=plan, user=org.staff)
    with translation.override("en"):
        again = interchange.decision_plan(org.campaign, answer)
    assert again.errors == [
        "decision.number: decision 45/QĐ-BCA is already recorded for this campaign"
    ]
    assert Decision.objects.count() == 1


def test_a_file_that_is_not_json_is_refused():
    with pytest.raises(ValidationError):
        interchange.parse(b"{not json")
    with pytest.raises(ValidationError):
        interchange.parse(b"[1, 2]")
