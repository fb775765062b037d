"""The title ladder's pure functions (awards/ladder.py), each rule kind with cases computed
by hand, the ladder (no title without its prerequisite) and quotas as shares."""

from __future__ import annotations

from decimal import Decimal

from awards import ladder
from awards.ladder import Figures, Result, RuleSpec, TitleSpec, UnitFacts

D = Decimal
BANDS = ("Xuất sắc", "Tốt", "Khá", "Đạt")


def unit(uid, cluster=1, total="80", band="Tốt", rank=1, leading=False, **kw) -> UnitFacts:
    result = Result(D(total), band, rank, leading, BANDS) if total is not None else None
    return UnitFacts(uid, cluster, result, **kw)


def one(rule: RuleSpec, facts: UnitFacts, year=2023) -> ladder.Condition:
    return ladder.evaluate([TitleSpec("t", (rule,))], [facts], year)[
        (facts.unit_id, "t")
    ].conditions[0]


def test_min_band_at_or_above():
    rule = RuleSpec(ladder.MIN_BAND, band="Tốt")
    good = one(rule, unit(1, band="Xuất sắc", total="95"))
    same = one(rule, unit(1, band="Tốt"))
    below = one(rule, unit(1, band="Khá", total="72", rank=3))
    unknown = one(rule, unit(1, band="Loại khác"))
    missing = one(rule, unit(1, total=None))
    assert (good.passed, same.passed, below.passed, unknown.passed, missing.passed) == (
        True,
        True,
        False,
        False,
        False,
    )
    assert below.values == {
        "band": "Khá",
        "total": D("72"),
        "rank": 3,
        "leading": False,
        "required": "Tốt",
    }


def test_leading_unit():
    rule = RuleSpec(ladder.LEADING)
    assert one(rule, unit(1, leading=True)).passed is True
    assert one(rule, unit(1, leading=False, rank=2)).values["rank"] == 2
    assert one(rule, unit(1, leading=False)).passed is False


def test_no_restriction():
    rule = RuleSpec(ladder.NO_RESTRICTION)
    assert one(rule, unit(1)).passed is True
    hit = one(rule, unit(1, restrictions=(("discipline", "Kỷ luật cán bộ"),)))
    assert hit.passed is False
    assert hit.values == {"restrictions": [("discipline", "Kỷ luật cán bộ")]}


def test_past_titles_in_a_row_reads_the_years_before():
    # 3 years in a row of Quyết thắng for 2023: 2020, 2021, 2022.
    rule = RuleSpec(ladder.PAST_TITLES, titles=("qt",), years=3)
    full = {2020: frozenset({"qt"}), 2021: frozenset({"qt", "bk"}), 2022: frozenset({"qt"})}
    gap = {2020: frozenset({"qt"}), 2022: frozenset({"qt"}), 2023: frozenset({"qt"})}
    ok = one(rule, unit(1, titles_by_year=full))
    missed = one(rule, unit(1, titles_by_year=gap))
    assert ok.passed is True
    assert ok.values == {
        "years": [(2020, "qt"), (2021, "qt"), (2022, "qt")],
        "count": 3,
        "required": 3,
    }
    # The campaign's own year does not count as a past year.
    assert missed.passed is False
    assert missed.values["count"] == 2


def test_past_titles_at_least_one_of_any_code():
    # "5 years, with at least one flag": either flag counts, once is enough.
    rule = RuleSpec(ladder.PAST_TITLES, titles=("co-bo", "co-cp"), years=5, at_least=1)
    once = one(rule, unit(1, titles_by_year={2019: frozenset({"co-cp"})}))
    before = one(rule, unit(1, titles_by_year={2017: frozenset({"co-bo"})}))
    assert once.passed is True
    assert once.values["years"][1] == (2019, "co-cp")
    assert (once.values["count"], once.values["required"]) == (1, 1)
    assert before.passed is False  # 2017 is outside 2018–2022


def test_past_bands_with_each_years_own_table():
    rule = RuleSpec(ladder.PAST_BANDS, band="Tốt", years=2)
    old_bands = ("Hoàn thành xuất sắc", "Tốt", "Hoàn thành")
    results = {
        2021: Result(D("91.5"), "Hoàn thành xuất sắc", 1, True, old_bands),
        2022: Result(D("84"), "Tốt", 2, False, BANDS),
    }
    ok = one(rule, unit(1, results_by_year=results))
    assert ok.passed is True
    assert ok.values["years"] == [
        (2021, "Hoàn thành xuất sắc", D("91.5"), True),
        (2022, "Tốt", D("84"), True),
    ]
    low = {2022: Result(D("71"), "Khá", 4, False, BANDS)}
    failed = one(rule, unit(1, results_by_year=low))
    assert failed.passed is False
    assert failed.values["years"] == [(2021, "", None, False), (2022, "Khá", D("71"), False)]


def test_figure_share_exact_at_the_limit():
    at_least = RuleSpec(ladder.FIGURE_SHARE, figure="advanced_soldiers", share=D("0.7"))
    # 70 % of 30 = 21: 21 passes, 20 (66.67 %) does not.
    checked = Figures(30, {"advanced_soldiers": 21}, checked=True)
    short = Figures(30, {"advanced_soldiers": 20}, checked=True)
    ok = one(at_least, unit(1, figures=checked))
    assert ok.passed is True
    assert (ok.values["percent"], ok.values["required_percent"]) == (D("70.00"), D("70.00"))
    low = one(at_least, unit(1, figures=short))
    assert (low.passed, low.values["percent"]) == (False, D("66.67"))
    # 2 of 3 is 66.666…%: below 0.6667 exactly, though it shows 66.67 %.
    thirds = RuleSpec(ladder.FIGURE_SHARE, figure="advanced_soldiers", share=D("0.6667"))
    two_of_three = one(thirds, unit(1, figures=Figures(3, {"advanced_soldiers": 2}, True)))
    assert (two_of_three.passed, two_of_three.values["percent"]) == (False, D("66.67"))


def test_figure_share_at_most_and_unchecked_or_missing():
    none_disciplined = RuleSpec(
        ladder.FIGURE_SHARE, figure="disciplined", share=D(0), comparison=ladder.AT_MOST
    )
    clean = Figures(40, {"disciplined": 0}, checked=True)
    one_case = Figures(40, {"disciplined": 1}, checked=True)
    assert one(none_disciplined, unit(1, figures=clean)).passed is True
    assert one(none_disciplined, unit(1, figures=one_case)).values["percent"] == D("2.50")
    assert one(none_disciplined, unit(1, figures=one_case)).passed is False
    unchecked = one(none_disciplined, unit(1, figures=Figures(40, {"disciplined": 0})))
    assert (unchecked.passed, unchecked.values["state"]) == (False, "unchecked")
    missing = one(none_disciplined, unit(1))
    assert (missing.passed, missing.values["state"]) == (False, "missing")
    empty = one(none_disciplined, unit(1, figures=Figures(0, {"disciplined": 0}, True)))
    assert (empty.passed, empty.values["state"]) == (False, "no_headcount")


def test_quota_limit_rounds_down_at_least_zero():
    assert ladder.quota_limit(RuleSpec(ladder.QUOTA, share=D("0.3")), 7) == 2  # 2.1
    assert ladder.quota_limit(RuleSpec(ladder.QUOTA, share=D("0.2")), 4) == 0  # 0.8
    assert ladder.quota_limit(RuleSpec(ladder.QUOTA, share=D("0.25")), 8) == 2  # 2.0
    assert ladder.quota_limit(RuleSpec(ladder.QUOTA, number=3), 2) == 3
    assert ladder.quota_limit(RuleSpec(ladder.QUOTA, number=0), 9) == 0


def test_quota_share_per_cluster_by_rank_ties_keep_their_place():
    # Cluster 1 has 7 units: 30 % → 2 places. Ranks 1, 2, 2, 4…: the two tied second
    # both keep their place (1 unit strictly better < 2).
    title = TitleSpec("tt", (RuleSpec(ladder.QUOTA, scope=ladder.CLUSTER, share=D("0.3")),))
    units = [unit(i, 1, total=str(100 - i), rank=r) for i, r in enumerate([1, 2, 2, 4, 5, 6, 7])]
    units.append(unit(20, 2, total="99", rank=1))  # cluster 2 has 1 unit: 0 places
    out = ladder.evaluate([title], units, 2023)
    eligible = [u.unit_id for u in units if out[(u.unit_id, "tt")].eligible]
    assert eligible == [0, 1, 2]
    third = out[(3, "tt")].conditions[0].values
    assert (third["limit"], third["size"], third["position"]) == (2, 7, 4)
    assert out[(20, "tt")].conditions[0].values["limit"] == 0


def test_quota_per_campaign_by_total_among_the_candidates_only():
    # Campaign-wide 1 place; the best total is below the band, so it does not compete.
    title = TitleSpec(
        "cp",
        (
            RuleSpec(ladder.MIN_BAND, band="Tốt"),
            RuleSpec(ladder.QUOTA, scope=ladder.CAMPAIGN, number=1),
        ),
    )
    units = [
        unit(1, 1, total="99", band="Khá", rank=1),
        unit(2, 1, total="90", band="Tốt", rank=2),
        unit(3, 2, total="92", band="Xuất sắc", rank=1),
    ]
    out = ladder.evaluate([title], units, 2023)
    assert [u for u in (1, 2, 3) if out[(u, "cp")].eligible] == [3]
    assert out[(1, "cp")].conditions[1].values["position"] is None
    assert out[(2, "cp")].conditions[1].values["position"] == 2


def test_the_ladder_needs_each_step():
    # Tiên tiến: band Khá or better; Quyết thắng: Tiên tiến and band Tốt; the Ministry's
    # flag: Quyết thắng and leading. Listed top first: the order is found from the rules.
    flag = TitleSpec(
        "co-bo",
        (RuleSpec(ladder.REQUIRES_TITLE, titles=("qt",)), RuleSpec(ladder.LEADING)),
    )
    qt = TitleSpec(
        "qt",
        (RuleSpec(ladder.REQUIRES_TITLE, titles=("tt",)), RuleSpec(ladder.MIN_BAND, band="Tốt")),
    )
    tt = TitleSpec("tt", (RuleSpec(ladder.MIN_BAND, band="Khá"),))
    units = [
        unit(1, total="95", band="Xuất sắc", rank=1, leading=True),
        # Leading but only Khá: Tiên tiến, not Quyết thắng, so no flag.
        unit(2, cluster=2, total="75", band="Khá", rank=1, leading=True),
        unit(3, total="60", band="Đạt", rank=2),
    ]
    out = ladder.evaluate([flag, qt, tt], units, 2023)
    held = {u: [c for c in ("tt", "qt", "co-bo") if out[(u, c)].eligible] for u in (1, 2, 3)}
    assert held == {1: ["tt", "qt", "co-bo"], 2: ["tt"], 3: []}
    refused = out[(2, "co-bo")]
    assert [c.passed for c in refused.conditions] == [False, True]
    assert refused.conditions[0].values == {"held": [], "required": ["qt"]}
    assert [t.code for t in ladder.title_order([flag, qt, tt])] == ["tt", "qt", "co-bo"]


def test_a_title_held_by_decision_counts_the_same_year():
    needs = TitleSpec("co-bo", (RuleSpec(ladder.REQUIRES_TITLE, titles=("qt",)),))
    granted = unit(1, titles_by_year={2023: frozenset({"qt"})})
    out = ladder.evaluate([needs], [granted], 2023)
    assert out[(1, "co-bo")].eligible is True
    assert out[(1, "co-bo")].conditions[0].values["held"] == ["qt"]


def test_excludes_a_title_held_the_same_year():
    flag = TitleSpec("co-bo", (RuleSpec(ladder.LEADING),))
    merit = TitleSpec("bk", (RuleSpec(ladder.EXCLUDES, titles=("co-bo",)),))
    units = [unit(1, leading=True), unit(2, rank=2)]
    out = ladder.evaluate([merit, flag], units, 2023)
    assert out[(1, "bk")].eligible is False
    assert out[(1, "bk")].conditions[0].values == {"held": ["co-bo"], "excluded": ["co-bo"]}
    assert out[(2, "bk")].eligible is True


def test_a_cycle_is_evaluated_in_the_given_order():
    a = TitleSpec("a", (RuleSpec(ladder.EXCLUDES, titles=("b",)),))
    b = TitleSpec("b", (RuleSpec(ladder.EXCLUDES, titles=("a",)),))
    out = ladder.evaluate([a, b], [unit(1)], 2023)
    # a first (b not evaluated yet: not held), then b sees a held.
    assert (out[(1, "a")].eligible, out[(1, "b")].eligible) == (True, False)
