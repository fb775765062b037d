"""Hand-computed cases for scoring/engine/signed.py: which groups show the signed net effect
of their leaves instead of a subtotal, with which sign, and the magnitude they show."""

from decimal import Decimal

from scoring.engine import CriterionSpec
from scoring.engine.signed import (
    MINUS_KINDS,
    SignedGroup,
    points_sign,
    signed_groups,
    signed_sign,
)

D = Decimal


def spec(code: str, kind: str, parent: str | None = None) -> CriterionSpec:
    return CriterionSpec(code=code, kind=kind, parent=parent)


# I base (I.1 manual, I.2 subgroup of a pass_fail and a bonus), II bonus only, III deductions
# and a veto, two levels deep, IV bonus and deduction mixed, V a group with no leaf.
TABLE = [
    spec("I", "group"),
    spec("I.1", "manual", "I"),
    spec("I.2", "group", "I"),
    spec("I.2.a", "pass_fail", "I.2"),
    spec("I.2.b", "bonus", "I.2"),
    spec("II", "group"),
    spec("II.1", "bonus", "II"),
    spec("II.2", "bonus", "II"),
    spec("III", "group"),
    spec("III.1", "deduction", "III"),
    spec("III.2", "group", "III"),
    spec("III.2.a", "veto", "III.2"),
    spec("III.2.b", "deduction", "III.2"),
    spec("IV", "group"),
    spec("IV.1", "bonus", "IV"),
    spec("IV.2", "deduction", "IV"),
    spec("V", "group"),
]


def test_points_sign_by_kinds():
    assert points_sign(["bonus"]) == "+"
    assert points_sign(["bonus", "bonus"]) == "+"
    assert points_sign(["deduction"]) == "−"
    assert points_sign(["veto"]) == "−"
    assert points_sign(["deduction", "veto"]) == "−"
    assert points_sign(["bonus", "deduction"]) == ""
    assert points_sign(["manual"]) == ""
    assert points_sign(["manual", "bonus"]) == ""
    assert points_sign([]) == ""
    assert sorted(MINUS_KINDS) == ["deduction", "veto"]


def test_signed_groups_of_a_table():
    # I holds base leaves (I.1, and I.2.a through I.2), so neither I nor I.2 is signed; V has
    # no leaf. III.2's leaves are also III's, after III.1 in table order. IV, a mix, is one
    # of them too (no ``mixed`` switch any more: a mix shows its net effect).
    assert signed_groups(TABLE) == {
        "II": SignedGroup(leaves=("II.1", "II.2")),
        "III": SignedGroup(
            leaves=("III.1", "III.2.a", "III.2.b"),
            minus=frozenset({"III.1", "III.2.a", "III.2.b"}),
        ),
        "III.2": SignedGroup(
            leaves=("III.2.a", "III.2.b"), minus=frozenset({"III.2.a", "III.2.b"})
        ),
        "IV": SignedGroup(leaves=("IV.1", "IV.2"), minus=frozenset({"IV.2"})),
    }


def test_signed_groups_kinds_sign_and_mixed():
    groups = signed_groups(TABLE)
    assert [(code, g.kinds_sign, g.mixed) for code, g in groups.items()] == [
        ("II", "+", False),
        ("III", "−", False),
        ("III.2", "−", False),
        ("IV", "", True),
    ]


def test_signed_sign():
    assert (signed_sign(D("0.25")), signed_sign(D("-0.25")), signed_sign(D("0.00"))) == (
        "+",
        "−",
        "",
    )


def test_a_mixed_group_shows_its_net_effect():
    mixed = signed_groups(TABLE)["IV"]
    # 0.5 bonus, 0.25 deduction: 0.5 - 0.25 = +0.25 (not the sum of magnitudes 0.75).
    more = {"IV.1": D("0.5"), "IV.2": D("0.25")}
    assert (mixed.net(more), mixed.sign(more), mixed.points(more)) == (
        D("0.25"),
        "+",
        D("0.25"),
    )
    # 0.25 bonus, 0.5 deduction: 0.25 - 0.5 = -0.25, written −0.25.
    less = {"IV.1": D("0.25"), "IV.2": D("0.5")}
    assert (mixed.net(less), mixed.sign(less), mixed.points(less)) == (
        D("-0.25"),
        "−",
        D("0.25"),
    )
    # Equal: 0.5 - 0.5 = 0, no sign.
    equal = {"IV.1": D("0.5"), "IV.2": D("0.5")}
    assert (mixed.net(equal), mixed.sign(equal), mixed.points(equal)) == (D(0), "", D(0))


def test_pure_groups_sign_by_their_net_too():
    groups = signed_groups(TABLE)
    # II: +1.25; III: -(2 + 1) = −3; a group with nothing entered: 0, no sign.
    assert groups["II"].sign({"II.1": D("1.25")}) == "+"
    assert groups["III"].net({"III.1": D("2"), "III.2.b": D("1")}) == D("-3")
    assert groups["III"].sign({"III.1": D("2"), "III.2.b": D("1")}) == "−"
    assert (groups["II"].sign({}), groups["III"].sign({})) == ("", "")


def test_signed_groups_of_a_table_without_groups():
    assert signed_groups([spec("1", "manual"), spec("2", "bonus")]) == {}


def test_signed_groups_stop_at_a_parent_cycle():
    # A broken draft: A and B are each other's parent; the walk up from the leaf ends.
    criteria = [spec("A", "group", "B"), spec("B", "group", "A"), spec("x", "bonus", "A")]
    assert signed_groups(criteria) == {
        "A": SignedGroup(leaves=("x",)),
        "B": SignedGroup(leaves=("x",)),
    }


def test_signed_group_points():
    groups = signed_groups(TABLE)
    points = {"II.1": D("1.25"), "II.2": D("0.5"), "III.1": D("2"), "III.2.a": D("10.00")}
    # II: 1.25 + 0.5 = 1.75.
    assert groups["II"].points(points) == D("1.75")
    # III: 2 + 10.00 + (III.2.b not entered: 0) = 12.00.
    assert groups["III"].points(points) == D("12.00")
    assert str(groups["III"].points(points)) == "12.00"
    # III.2: 10.00 + 0 = 10.00.
    assert groups["III.2"].points(points) == D("10.00")
    # IV: nothing entered, None counts 0 as well: 0.00.
    assert str(groups["IV"].points({"IV.1": None})) == "0.00"


def test_signed_group_points_are_exact():
    # 28 significant digits would round this sum; the engine's 50-digit context does not.
    group = SignedGroup(leaves=("a", "b"))
    big = D("123456789012345678901234567.89")
    assert group.points({"a": big, "b": D("0.01")}) == D("123456789012345678901234567.90")
