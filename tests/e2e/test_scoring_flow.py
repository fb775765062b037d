"""The year-end scoring workflow in a real browser: a unit fills and submits its
self-assessment, the cluster leader scores in the grid with the keyboard and by pasting a
block from a spreadsheet, the standing agency publishes, and the ranking shows.

Every test checks what the page shows and what the database holds. Expected figures are
worked out by hand from the ``table`` fixture (tests/scoring/conftest.py): I.1 manual 20;
I.2 rate, threshold 100% (20); I.3 rate, relative to the cluster's best, target 90% (20);
B bonus 1 per item, at most 5; T deduction points, at most 10; V veto (−5, band at most
"Khá", cannot lead). Bands: Xuất sắc ≥ 50, Khá ≥ 30, Đạt ≥ 0.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clusters.enums import MemberRole, Phase
from scoring import services, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import Publication, ScoreEntry, ScoreSheet
from tests.e2e.conftest import login
from tests.factories import MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal

# The grid's input lines for the table fixture (criteria as rows), top to bottom.
LINES = ["I.1", "I.2", "I.2", "I.3", "I.3", "B", "T", "V"]
I1, I2_NUM, I2_DEN, I3_NUM, I3_DEN, B, T, V = range(8)


def set_phase(org, phase: str) -> None:
    org.campaign.phase = phase
    org.campaign.save()


def entry(sheet: ScoreSheet, code: str) -> ScoreEntry:
    return ScoreEntry.objects.get(sheet=sheet, criterion__code=code)


def fresh(sheet: ScoreSheet) -> ScoreSheet:
    return ScoreSheet.objects.get(pk=sheet.pk)


def cell(page, r: int, c: int):
    """The grid's input at line ``r``, unit column ``c``."""
    return page.locator(f'#score-grid input.gi[data-r="{r}"][data-c="{c}"]')


def expect_figures(page, sheet: ScoreSheet, total: str, rank: int, band: str) -> None:
    """A unit's total, rank and band in its column's header and in the grid's foot."""
    expect(page.locator(f"#h{sheet.pk} strong")).to_have_text(total)
    expect(page.locator(f"#h{sheet.pk}")).to_contain_text(f"· #{rank}")
    expect(page.locator(f"#ftotal-{sheet.pk}")).to_have_text(total)
    # The leading unit's flag icon carries its name (<title>), which is part of the cell's text.
    rank_text = re.compile(rf"^{rank}( Đơn vị dẫn đầu cụm)?$")
    expect(page.locator(f"#frank-{sheet.pk}")).to_have_text(rank_text)
    expect(page.locator(f"#fband-{sheet.pk}")).to_have_text(band)


def expect_saves_done(page) -> None:
    expect(page.locator("#score-grid td.is-saving")).to_have_count(0)
    expect(page.locator("#score-grid td.is-failed, #score-grid td.is-invalid")).to_have_count(0)
    expect(page.locator("#score-grid td.is-pending")).to_have_count(0)


def cell_posts(page) -> list[str]:
    """The URLs of the grid's cell saves the page sends, as they are sent."""
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/cells/" in r.url else None,
    )
    return posts


# --- 1. A unit's self-assessment ----------------------------------------------------------


def test_self_assessment_filled_and_submitted_in_the_page(page, org, table):
    set_phase(org, Phase.SELF_ASSESSMENT)
    login(page, "member")

    page.goto("/my-sheet/")
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage=Stage.SELF)
    e = {code: entry(sheet, code).pk for code in ["I.1", "I.2", "I.3", "B", "T", "V"]}
    expect(page.locator("#total-self")).to_have_text("0,00")

    def type_and_leave(code: str, name: str, text: str) -> None:
        field = page.locator(f"#e{e[code]}-{name}")
        field.fill(text)
        field.press("Tab")  # leaving the input fires "change": htmx saves the row

    # I.1: 18,5 points (decimal comma).
    type_and_leave("I.1", "points", "18,5")
    expect(page.locator(f"#points-{e['I.1']}")).to_have_text("18,50")
    expect(page.locator("#total-self")).to_have_text("18,50")
    # I.2: 19 / 20 = 95% < 100%: no points. The numerator alone waits for the denominator.
    type_and_leave("I.2", "numerator", "19")
    expect(page.locator(f"#msg-{e['I.2']}")).to_have_class(re.compile(r"level-info"))
    type_and_leave("I.2", "denominator", "20")
    expect(page.locator(f"#points-{e['I.2']}")).to_have_text("0")
    # I.3: 9 / 10 = 90% = the target, the only unit at this stage: half the points.
    type_and_leave("I.3", "numerator", "9")
    expect(page.locator(f"#msg-{e['I.3']}")).to_have_class(re.compile(r"level-info"))
    type_and_leave("I.3", "denominator", "10")
    expect(page.locator(f"#points-{e['I.3']}")).to_have_text("10")
    expect(page.locator("#total-self")).to_have_text("28,50")
    # B: 2 items → +2; T: −1,5; V: did not happen.
    type_and_leave("B", "count", "2")
    expect(page.locator(f"#points-{e['B']}")).to_have_text("2")
    type_and_leave("T", "points", "1,5")
    expect(page.locator(f"#points-{e['T']}")).to_have_text("1,50")
    page.locator(f"#e{e['V']}-violated").select_option("0")
    expect(page.locator(f"#points-{e['V']}")).to_have_text("0")

    # 18.5 + 0 + 10 + 2 − 1.5 = 29.00, without reloading the page.
    expect(page.locator("#total-self")).to_have_text("29,00")
    expect(page.locator('[data-figure="total"]')).to_have_text("29,00")
    expect(page.locator('[data-figure="base"]')).to_have_text("28,50")
    expect(page.locator('[data-figure="bonus"]')).to_have_text("+2,00")
    expect(page.locator('[data-figure="deduction"]')).to_have_text("−1,50")
    expect(page.locator('[data-figure="band"]')).to_have_text("Đạt")
    saved = fresh(sheet)
    assert (saved.total, saved.base, saved.bonus, saved.deduction, saved.band) == (
        D("29.00"),
        D("28.50"),
        D("2.00"),
        D("1.50"),
        "Đạt",
    )
    assert saved.complete is True
    i2 = entry(sheet, "I.2")
    assert (i2.numerator, i2.denominator, i2.points) == (19, 20, D("0.00"))

    page.once("dialog", lambda dialog: dialog.accept())  # "Submit this sheet?"
    page.locator(f'form[action="/sheets/{sheet.pk}/submit/"] button[type=submit]').click()

    expect(page.locator(".badge.status-submitted")).to_be_visible()
    expect(page.locator(f"#e{e['I.1']}-points")).to_have_count(0)  # no longer editable
    expect(page.locator(".alert-success")).to_be_visible()
    submitted = fresh(sheet)
    assert submitted.status == SheetStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.total == D("29.00")


# --- 2. The cluster leader's grid ---------------------------------------------------------


@pytest.fixture
def five_units(org, sheets):
    """Cluster-stage sheets of L1 (leader), D1 (deputy), M1, M2, M3 — the grid's columns
    in this order. The leader scores every column but its own (c0)."""
    for code in ["M2", "M3"]:
        unit = UnitFactory(code=code, parent=org.province)
        MembershipFactory(cluster=org.cluster, unit=unit, role=MemberRole.MEMBER)
        sheets[code] = services.sheet_get_or_create(
            cluster=org.cluster, unit=unit, stage=Stage.CLUSTER
        )
    set_phase(org, Phase.CLUSTER_SCORING)
    return sheets


def open_grid(page, org, sheets, username: str = "leader", stage: str = "cluster") -> None:
    login(page, username)
    page.goto(f"/clusters/{org.cluster.pk}/grid/{stage}/")
    lines = page.locator("#score-grid th.gl[data-code]")
    expect(lines).to_have_count(len(LINES))
    assert [lines.nth(i).get_attribute("data-code") for i in range(len(LINES))] == LINES
    units = [page.locator(f"#ch-{i}").get_attribute("data-unit") for i in range(len(sheets))]
    assert units == [s.unit.label for s in sheets.values()]


def test_grid_keyboard_entry_saves_each_cell_and_updates_totals_and_ranks(page, org, five_units):
    s = five_units
    posts = cell_posts(page)
    open_grid(page, org, s)
    expect(cell(page, I1, 0)).to_have_attribute("readonly", "")  # the leader's own unit
    for sheet in s.values():
        expect_figures(page, sheet, "0,00", 1, "Đạt")

    # M1's I.1: type 15, Tab to M2's I.1 (leaving the cell saves it).
    cell(page, I1, 2).focus()
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    expect(cell(page, I1, 3)).to_be_focused()
    expect_figures(page, s["M1"], "15,00", 1, "Đạt")
    for code in ["L1", "D1", "M2", "M3"]:
        expect_figures(page, s[code], "0,00", 2, "Đạt")

    # M2's I.1: 12,5 (decimal comma), Enter moves down to M2's I.2 numerator.
    page.keyboard.type("12,5")
    page.keyboard.press("Enter")
    expect(cell(page, I2_NUM, 3)).to_be_focused()
    expect_figures(page, s["M2"], "12,50", 2, "Đạt")
    expect_figures(page, s["D1"], "0,00", 3, "Đạt")

    # ArrowLeft to M1's I.2: 10 / 10 = 100% meets the threshold, 20 points. The two
    # figures go together: the numerator waits (ArrowDown), Enter saves both.
    page.keyboard.press("ArrowLeft")
    expect(cell(page, I2_NUM, 2)).to_be_focused()
    page.keyboard.type("10")
    page.keyboard.press("ArrowDown")
    expect(cell(page, I2_NUM, 2).locator("xpath=..")).to_have_class(re.compile(r"is-pending"))
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    expect(cell(page, I3_NUM, 2)).to_be_focused()
    expect_saves_done(page)

    m1_i2 = entry(s["M1"], "I.2")
    expect(page.locator(f"#p{m1_i2.pk}")).to_have_text("20,00")
    expect(page.locator(f"#s{s['M1'].pk}-{m1_i2.criterion.parent_id}")).to_have_text("35,00")
    expect_figures(page, s["M1"], "35,00", 1, "Khá")
    expect_figures(page, s["M2"], "12,50", 2, "Đạt")
    for code in ["L1", "D1", "M3"]:
        expect_figures(page, s[code], "0,00", 3, "Đạt")
    assert len(posts) == 3  # one save per entry left, the pair saved once

    assert entry(s["M1"], "I.1").points == D("15.00")
    assert entry(s["M2"], "I.1").points == D("12.50")
    assert (m1_i2.numerator, m1_i2.denominator, m1_i2.points) == (10, 10, D("20.00"))
    assert [fresh(s[c]).total for c in s] == [D(0), D(0), D("35.00"), D("12.50"), D(0)]
    assert [fresh(s[c]).rank for c in s] == [3, 3, 1, 2, 3]
    assert entry(s["D1"], "I.1").points is None  # nothing typed there


def test_grid_paste_of_a_block_fills_twelve_cells(page, org, five_units):
    s = five_units
    services.sheet_fill(
        sheet=s["M1"],
        values={"I.1": {"points": D(15)}, "I.2": {"numerator": 10, "denominator": 10}},
    )
    services.sheet_fill(sheet=s["M2"], values={"I.1": {"points": D("12.5")}})
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.CLUSTER))
    open_grid(page, org, s)
    expect_figures(page, s["M1"], "35,00", 1, "Khá")
    expect_figures(page, s["M2"], "12,50", 2, "Đạt")

    # Rows B, T, V × columns D1, M1, M2, M3, as a spreadsheet copies them.
    block = "2\t7\t1\t0\n0\t2,5\t0\t4\n0\t1\t0\t0\n"
    cell(page, B, 1).focus()
    page.evaluate("text => navigator.clipboard.writeText(text)", block)
    page.keyboard.press("Control+V")
    expect_saves_done(page)

    shown = [[cell(page, r, c).input_value() for c in range(1, 5)] for r in (B, T, V)]
    assert shown == [["2", "7", "1", "0"], ["0", "2,5", "0", "4"], ["0", "1", "0", "0"]]
    # D1: 2. M1: 35 + 5 (7 items, at most 5) − 2,5 − 5 (veto) = 32,50, "Khá" at most, and it
    # cannot lead. M2: 12,5 + 1 = 13,50, now the leading unit. M3: 0 − 4 → 0.
    expect_figures(page, s["M1"], "32,50", 1, "Khá")
    expect_figures(page, s["M2"], "13,50", 2, "Đạt")
    expect_figures(page, s["D1"], "2,00", 3, "Đạt")
    expect_figures(page, s["L1"], "0,00", 4, "Đạt")
    expect_figures(page, s["M3"], "0,00", 4, "Đạt")
    expect(page.locator(f"#frank-{s['M2'].pk} svg.bi-flag-fill")).to_have_count(1)
    expect(page.locator(f"#frank-{s['M1'].pk} svg.bi-flag-fill")).to_have_count(0)
    expect(page.locator(f"#p{entry(s['M1'], 'B').pk}")).to_have_text("5,00")

    stored = {
        u: (entry(s[u], "B").count, entry(s[u], "T").points, entry(s[u], "V").violated)
        for u in ["D1", "M1", "M2", "M3"]
    }
    assert stored == {
        "D1": (2, D("0.00"), False),
        "M1": (7, D("2.50"), True),
        "M2": (1, D("0.00"), False),
        "M3": (0, D("4.00"), False),
    }
    sheets = {c: fresh(s[c]) for c in s}
    assert {c: (x.total, x.rank, x.leading) for c, x in sheets.items()} == {
        "L1": (D("0.00"), 4, False),
        "D1": (D("2.00"), 3, False),
        "M1": (D("32.50"), 1, False),
        "M2": (D("13.50"), 2, True),
        "M3": (D("0.00"), 4, False),
    }
    assert sheets["M1"].band == "Khá"
    assert sheets["M1"].excluded_from_leading is True
    assert entry(s["L1"], "B").count is None  # the leader's own column took nothing


def test_grid_escape_restores_the_value_and_stores_nothing(page, org, five_units):
    s = five_units
    services.sheet_fill(sheet=s["M1"], values={"T": {"points": D("2.5")}})
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.CLUSTER))
    t = entry(s["M1"], "T")
    posts = cell_posts(page)
    open_grid(page, org, s)

    cell(page, T, 2).focus()
    page.keyboard.type("9")
    expect(cell(page, T, 2)).to_have_value("9")
    page.keyboard.press("Escape")
    expect(cell(page, T, 2)).to_have_value("2,5")
    page.keyboard.press("ArrowDown")  # leaving the cell: unchanged, so nothing is sent
    expect(cell(page, V, 2)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(cell(page, T, 2)).to_have_value("2,5")
    expect(page.locator(f"#ftotal-{s['M1'].pk}")).to_have_text("0,00")

    assert posts == []
    again = entry(s["M1"], "T")
    assert (again.points, again.version) == (D("2.50"), t.version)


def test_grid_stale_save_shows_the_newer_value(page, org, five_units):
    s = five_units
    target = entry(s["M1"], "I.1")
    open_grid(page, org, s)
    page.console_allowed = ["409"]  # the browser logs the refused save

    # The deputy's session saves M1's I.1 after the leader's page was loaded.
    services.entry_update(entry=target, user=org.deputy, values={"points": D(11)})
    cell(page, I1, 2).focus()
    page.keyboard.type("15")
    page.keyboard.press("Enter")

    td = page.locator(f"#c{target.pk}-points")
    expect(td).to_have_class(re.compile(r"is-stale"))
    expect(cell(page, I1, 2)).to_have_value("11")
    expect_figures(page, s["M1"], "11,00", 1, "Đạt")
    assert entry(s["M1"], "I.1").points == D("11.00")

    # Back on the cell, the message says why; it now holds the newer version, and typing
    # again is saved.
    cell(page, I1, 2).focus()
    expect(td.locator(".ge[role=alert]")).to_be_visible()
    page.keyboard.type("15")
    page.keyboard.press("Enter")
    expect_figures(page, s["M1"], "15,00", 1, "Đạt")
    expect(td).not_to_have_class(re.compile(r"is-stale"))
    stored = entry(s["M1"], "I.1")
    assert (stored.points, stored.version) == (D("15.00"), target.version + 2)


# --- 3. The standing agency's final review and publication --------------------------------


CLUSTER_SCORES = {
    # 18 + 20 + 20 (rate 0/0: nothing to handle, full points) + 1 = 59, "Xuất sắc".
    "L1": {
        "I.1": {"points": D(18)},
        "I.2": {"numerator": 10, "denominator": 10},
        "I.3": {"numerator": 0, "denominator": 0},
        "B": {"count": 1},
        "T": {"points": D(0)},
        "V": {"violated": False},
    },
    # 15 + 0 (90% < 100%) + 20 + 3 − 2 = 36, "Khá".
    "D1": {
        "I.1": {"points": D(15)},
        "I.2": {"numerator": 9, "denominator": 10},
        "I.3": {"numerator": 0, "denominator": 0},
        "B": {"count": 3},
        "T": {"points": D(2)},
        "V": {"violated": False},
    },
    # 20 + 20 + 20 − 5 (veto) = 55, but "Khá" at most and it cannot lead.
    "M1": {
        "I.1": {"points": D(20)},
        "I.2": {"numerator": 20, "denominator": 20},
        "I.3": {"numerator": 0, "denominator": 0},
        "B": {"count": 0},
        "T": {"points": D(0)},
        "V": {"violated": True},
    },
}


def test_final_review_started_published_and_ranked(page, org, sheets):
    for code, values in CLUSTER_SCORES.items():
        services.sheet_fill(sheet=sheets[code], values=values)
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.CLUSTER))
    assert [fresh(sheets[c]).total for c in ["L1", "D1", "M1"]] == [D(59), D(36), D(55)]
    set_phase(org, Phase.FINAL_REVIEW)
    login(page, "staff")
    page.goto(f"/clusters/{org.cluster.pk}/grid/final/")

    # No final sheets yet: start the stage (they start from the cluster's scores).
    page.locator(f'form[action="/clusters/{org.cluster.pk}/stages/final/start/"] button').click()
    expect(page.locator("#score-grid")).to_be_visible()
    final = {
        s.unit.code: s
        for s in ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.FINAL).select_related(
            "unit"
        )
    }
    assert {c: x.total for c, x in final.items()} == {"L1": D(59), "D1": D(36), "M1": D(55)}
    expect_figures(page, final["L1"], "59,00", 1, "Xuất sắc")

    # The agency corrects D1's deduction (T: 2 → 0): 38,00.
    cell(page, T, 1).focus()
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    expect_figures(page, final["D1"], "38,00", 3, "Khá")
    expect_saves_done(page)
    assert entry(final["D1"], "T").points == D("0.00")

    # Publish, confirmed in the dialog.
    page.locator('button[data-bs-target="#publish-modal"]').click()
    modal = page.locator("#publish-modal")
    expect(modal).to_be_visible()
    modal.locator("button[type=submit]").click()
    expect(page.locator(".alert-success .bi-patch-check-fill")).to_be_visible()  # "Published on …"
    expect(page.locator('button[data-bs-target="#publish-modal"]')).to_have_count(0)
    expect(page.locator("#score-grid input.gi:not([readonly])")).to_have_count(0)
    statuses = set(
        ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.FINAL).values_list(
            "status", flat=True
        )
    )
    assert statuses == {SheetStatus.LOCKED}
    assert workflow.is_published(org.cluster)
    assert Publication.objects.get(cluster=org.cluster).user == org.staff

    # The final ranking, from the grid's link.
    page.locator(f'a[href="/clusters/{org.cluster.pk}/ranking/final/"]').click()
    rows = page.locator(".ranking-table tbody tr")
    expect(rows).to_have_count(3)
    shown = [
        (
            rows.nth(i).get_attribute("data-unit"),
            rows.nth(i).locator("th .rank-badge").inner_text(),
            rows.nth(i).locator("td.total").inner_text(),
        )
        for i in range(3)
    ]
    ranked = ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.FINAL).order_by(
        "rank", "unit__code"
    )
    in_db = [(s.unit.code, str(s.rank), f"{s.total:.2f}".replace(".", ",")) for s in ranked]
    assert shown == in_db == [("L1", "1", "59,00"), ("M1", "2", "55,00"), ("D1", "3", "38,00")]
    expect(rows.nth(0)).to_have_class(re.compile(r"is-leading"))
    expect(page.locator(".ranking-table tr.is-leading")).to_have_count(1)
