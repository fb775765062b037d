"""The award rules (awards/rules.py) with hand-computed cases."""

from __future__ import annotations

from decimal import Decimal

from awards import rules
from awards.rules import AwardRule, Restriction, UnitResult

D = Decimal
BANDS = ["Xuất sắc", "Tốt", "Khá", "Đạt"]


def results():
    """Five units: 1 leads with 95; 2 and 3 tie second with 88; 4 is Khá; 5 has no band."""
    return [
        UnitResult(unit_id=4, rank=4, total=D("70"), band="Khá"),
        UnitResult(unit_id=1, rank=1, total=D("95"), band="Xuất sắc", leading=True),
        UnitResult(unit_id=3, rank=2, total=D("88"), band="Tốt"),
        UnitResult(unit_id=2, rank=2, total=D("88"), band="Tốt"),
        UnitResult(unit_id=5, rank=5, total=D("10"), band=""),
    ]


def ids(items):
    return [getattr(i, "result", i).unit_id for i in items]


def test_eligibility_leading_only_keeps_the_leading_unit():
    out = rules.eligibility(results(), BANDS, AwardRule("co-bo", leading_only=True))
    assert ids(out.eligible) == [1]
    assert ids(out.excluded) == [2, 3, 4, 5]
    assert {e.reason for e in out.excluded} == {rules.NOT_LEADING}


def test_eligibility_leading_only_keeps_every_tied_leader():
    tied = [
        UnitResult(unit_id=1, rank=1, total=D("90"), band="Tốt", leading=True),
        UnitResult(unit_id=2, rank=1, total=D("90"), band="Tốt", leading=True),
    ]
    out = rules.eligibility(tied, BANDS, AwardRule("co", leading_only=True, max_per_cluster=1))
    assert ids(out.eligible) == [1, 2]
    assert out.excluded == []


def test_eligibility_min_band_keeps_units_at_or_above():
    out = rules.eligibility(results(), BANDS, AwardRule("tien-tien", min_band="Tốt"))
    assert ids(out.eligible) == [1, 2, 3]
    assert [(e.result.unit_id, e.reason, e.detail) for e in out.excluded] == [
        (4, rules.BELOW_BAND, "Tốt"),
        (5, rules.BELOW_BAND, "Tốt"),
    ]


def test_eligibility_min_band_lowest_band_admits_every_banded_unit():
    out = rules.eligibility(results(), BANDS, AwardRule("dat", min_band="Đạt"))
    assert ids(out.eligible) == [1, 2, 3, 4]
    assert ids(out.excluded) == [5]


def test_eligibility_max_per_cluster_keeps_ties_at_the_limit():
    out = rules.eligibility(results(), BANDS, AwardRule("bk", max_per_cluster=2))
    assert ids(out.eligible) == [1, 2, 3]
    assert [(e.result.unit_id, e.reason, e.detail) for e in out.excluded] == [
        (4, rules.BEYOND_LIMIT, "2"),
        (5, rules.BEYOND_LIMIT, "2"),
    ]


def test_eligibility_max_per_cluster_one_keeps_only_the_first():
    out = rules.eligibility(results(), BANDS, AwardRule("bk", max_per_cluster=1))
    assert ids(out.eligible) == [1]
    assert ids(out.excluded) == [2, 3, 4, 5]


def test_eligibility_restriction_excludes_with_its_reason_and_frees_a_place():
    restriction = Restriction(unit_id=1, kind="discipline", reason="Kỷ luật cán bộ năm 2023")
    out = rules.eligibility(
        results(), BANDS, AwardRule("bk", min_band="Tốt", max_per_cluster=1), [restriction]
    )
    assert ids(out.eligible) == [2, 3]
    first = out.excluded[0]
    assert (first.result.unit_id, first.reason, first.detail, first.text) == (
        1,
        rules.RESTRICTED,
        "discipline",
        "Kỷ luật cán bộ năm 2023",
    )
    assert ids(out.excluded) == [1, 4, 5]


def test_eligibility_restricted_leading_unit_leaves_no_one_for_a_flag():
    restriction = Restriction(unit_id=1, kind="inspection", reason="Đang thanh tra")
    out = rules.eligibility(results(), BANDS, AwardRule("co", leading_only=True), [restriction])
    assert out.eligible == []
    assert out.excluded[0].reason == rules.RESTRICTED


def test_eligibility_no_results_is_empty():
    out = rules.eligibility([], BANDS, AwardRule("co"))
    assert (out.eligible, out.excluded) == ([], [])


def test_vote_passed_exactly_at_half():
    assert rules.vote_passed(8, 4, D("0.5000")) is True


def test_vote_passed_just_below_half_fails():
    assert rules.vote_passed(9, 4, D("0.5000")) is False


def test_vote_passed_two_thirds_exactly():
    assert rules.vote_share(3, 2) == D("0.6667")
    assert rules.vote_passed(3, 2, D("0.6667")) is True
    assert rules.vote_passed(9, 6, D("0.6667")) is True


def test_vote_passed_just_below_two_thirds_fails():
    assert rules.vote_passed(8, 5, D("0.6667")) is False
    assert rules.vote_passed(100, 66, D("0.6667")) is False


def test_vote_passed_nobody_present_fails():
    assert rules.vote_passed(0, 0, D("0.5")) is False
    assert rules.vote_share(0, 0) == D(0)


def test_vote_passed_unanimity():
    assert rules.vote_passed(7, 7, D("1")) is True
    assert rules.vote_passed(7, 6, D("1")) is False
