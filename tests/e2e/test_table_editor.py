"""The score table editor in a real browser, with the keyboard only: a blank table, three
levels of criteria built with Insert, Tab and renaming in place, the points typed in the
side panel, the publishing checks fixed where they show, publishing, and the preview of
the sheet a unit will see. Every step checks the page and the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from scoring import services
from scoring.enums import TableStatus
from scoring.models import ScoreSheet, ScoreTable
from tests.e2e.conftest import login
from tests.scoring.conftest import make_criterion

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


def focused_title(page):
    """The title of the criterion that has the keyboard."""
    return page.locator("li.tree-item:focus > .tree-row .crit-title")


def row(page, title: str):
    return page.locator(
        "li.tree-item > .tree-row", has=page.locator(".crit-title", has_text=title)
    ).first


def panel_is_for(page, title: str) -> None:
    item = page.locator(f"li.tree-item:has(> #{row(page, title).get_attribute('id')})")
    expect(page.locator("#panel form")).to_have_attribute(
        "data-criterion", item.get_attribute("data-criterion")
    )
    # htmx wires the new panel's fields up when it settles: wait for that, as a person would.
    expect(page.locator(".htmx-added, .htmx-settling, .htmx-request")).to_have_count(0)


def add_below_and_name(page, title: str) -> None:
    """Insert adds a criterion below the focused one and opens its title in place."""
    page.keyboard.press("Insert")
    expect(page.locator("input.rename")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(title)
    page.keyboard.press("Enter")
    expect(focused_title(page)).to_have_text(title)


def set_max_in_panel(page, title: str, points: str) -> None:
    """Esc leaves the tree for the panel; Tab to the maximum, type, Tab saves it."""
    panel_is_for(page, title)
    page.keyboard.press("Escape")
    expect(page.locator("#f-code")).to_be_focused()
    page.keyboard.press("Tab")  # title
    page.keyboard.press("Tab")  # kind
    page.keyboard.press("Tab")  # maximum points
    expect(page.locator("#f-max_points")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(points)
    page.keyboard.press("Tab")


def test_build_fix_publish_and_preview_with_the_keyboard(page, org):
    login(page, "staff")

    # A blank table, from the tables page.
    page.goto(f"/campaigns/{org.campaign.pk}/tables/")
    page.locator("#new-title").focus()
    page.keyboard.type("Thang điểm khối phòng")
    page.keyboard.press("Enter")
    page.wait_for_url("**/edit/")
    table = ScoreTable.objects.get(campaign=org.campaign, title="Thang điểm khối phòng")

    # Level 1: the first criterion, from the toolbar's first button (Enter on it).
    page.locator("[data-add-top]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("input.rename")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Xây dựng lực lượng")
    page.keyboard.press("Enter")
    expect(focused_title(page)).to_have_text("Xây dựng lực lượng")

    # Level 2: a criterion below it, moved in with Tab.
    add_below_and_name(page, "Công tác tham mưu")
    page.keyboard.press("Tab")
    expect(page.locator('li[aria-level="2"] > .tree-row .crit-title')).to_have_text(
        "Công tác tham mưu"
    )
    expect(focused_title(page)).to_have_text("Công tác tham mưu")

    # Level 3: two criteria under it.
    add_below_and_name(page, "Tham mưu tổng hợp")
    page.keyboard.press("Tab")
    expect(page.locator('li[aria-level="3"] > .tree-row .crit-title')).to_have_text(
        ["Tham mưu tổng hợp"]
    )
    add_below_and_name(page, "Báo cáo định kỳ")
    expect(page.locator('li[aria-level="3"] > .tree-row .crit-title')).to_have_text(
        ["Tham mưu tổng hợp", "Báo cáo định kỳ"]
    )

    # Alt+↑ puts the report first among its siblings.
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator('li[aria-level="3"] > .tree-row .crit-title')).to_have_text(
        ["Báo cáo định kỳ", "Tham mưu tổng hợp"]
    )
    expect(focused_title(page)).to_have_text("Báo cáo định kỳ")

    # Points for the two leaves, typed in the side panel.
    set_max_in_panel(page, "Báo cáo định kỳ", "10")
    expect(row(page, "Báo cáo định kỳ").locator(".crit-points")).to_contain_text("10")
    row(page, "Báo cáo định kỳ").click()  # back to the tree: a click, then only keys
    page.keyboard.press("ArrowDown")
    expect(focused_title(page)).to_have_text("Tham mưu tổng hợp")
    set_max_in_panel(page, "Tham mưu tổng hợp", "7,5")
    expect(row(page, "Tham mưu tổng hợp").locator(".crit-points")).to_contain_text("7,5")
    expect(row(page, "Công tác tham mưu").locator(".crit-points")).to_contain_text("17,5")

    # The checks now show on the group whose maximum is not the sum of its criteria.
    level2 = row(page, "Công tác tham mưu")
    expect(level2.locator(".row-problems")).to_be_visible()
    expect(page.locator("[data-checks-ok]")).to_have_count(0)

    # Fix it where the check shows: the group's "use the sum" button in its panel.
    page.locator("#editor-checks [data-focus-criterion]").first.focus()
    page.keyboard.press("Enter")
    expect(focused_title(page)).to_have_text("Công tác tham mưu")
    panel_is_for(page, "Công tác tham mưu")
    page.locator("[data-set-sum]").focus()
    page.keyboard.press("Enter")
    expect(level2.locator(".row-problems")).to_have_count(0)
    expect(page.locator("#editor-checks [data-focus-criterion]")).to_have_count(1)

    # The top group is next; fixed the same way.
    level1 = row(page, "Xây dựng lực lượng")
    expect(level1.locator(".row-problems")).to_be_visible()
    page.locator("#editor-checks [data-focus-criterion]").first.focus()
    page.keyboard.press("Enter")
    panel_is_for(page, "Xây dựng lực lượng")
    page.locator("[data-set-sum]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-checks-ok]")).to_be_visible()
    expect(page.locator("#editor-summary")).to_contain_text("17,5")

    # The tree as stored: three levels, in the order built.
    stored = list(table.criteria.order_by("position").values_list("title", "depth", "max_points"))
    assert stored == [
        ("Xây dựng lực lượng", 0, D("17.50")),
        ("Công tác tham mưu", 1, D("17.50")),
        ("Báo cáo định kỳ", 2, D("10.00")),
        ("Tham mưu tổng hợp", 2, D("7.50")),
    ]

    # Publish (the confirmation accepted with Enter's default).
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-publish]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/campaigns/{org.campaign.pk}/tables/*")
    table.refresh_from_db()
    assert table.status == TableStatus.PUBLISHED
    expect(page.locator(f"#table-{table.pk}")).to_be_visible()

    # Preview as a unit sees it: the sheet page from the table, nothing stored.
    page.goto(f"/campaigns/{org.campaign.pk}/tables/{table.pk}/preview/")
    expect(page.locator("[data-preview]")).to_be_visible()
    expect(page.locator(".sheet-table")).to_contain_text("Báo cáo định kỳ")
    expect(page.locator(".sheet-table")).to_contain_text("Tham mưu tổng hợp")
    expect(page.locator(".figure-total")).to_contain_text("17,5")
    assert ScoreSheet.objects.count() == 0


def test_editor_fits_a_narrow_screen(page, org, table):
    """At 360 px the tree comes above the panel and nothing overflows sideways."""
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, "staff")

    page.goto(f"/campaigns/{org.campaign.pk}/tables/{table.pk}/edit/")

    tree = page.locator("#tree-root").bounding_box()
    panel = page.locator("#panel").bounding_box()
    assert tree["y"] + tree["height"] <= panel["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _draft(org) -> ScoreTable:
    table = ScoreTable.objects.create(campaign=org.campaign, title="Thang điểm kéo thả")
    group = make_criterion(table, "I", "group", max_points=D(10), order=1)
    make_criterion(table, "I.1", "manual", parent=group, order=1, max_points=D(10))
    make_criterion(table, "B", "bonus", order=2, max_points=D(5), per_item=D(1))
    services.table_renumber(table=table)
    return table


def test_drag_a_criterion_into_a_group(page, org):
    table = _draft(org)
    login(page, "staff")
    page.goto(f"/campaigns/{org.campaign.pk}/tables/{table.pk}/edit/")

    source = row(page, "Tiêu chí B")
    target = row(page, "Tiêu chí I")
    box = target.bounding_box()
    source.drag_to(target, target_position={"x": box["width"] / 2, "y": box["height"] / 2})

    expect(page.locator('li[aria-level="2"] > .tree-row .crit-title')).to_have_text(
        ["Tiêu chí I.1", "Tiêu chí B"]
    )
    assert list(table.criteria.order_by("position").values_list("code", "depth")) == [
        ("I", 0),
        ("I.1", 1),
        ("B", 1),
    ]


def test_a_stale_change_says_so_and_changes_nothing(page, org):
    table = _draft(org)
    login(page, "staff")
    page.goto(f"/campaigns/{org.campaign.pk}/tables/{table.pk}/edit/")
    page.console_allowed.append("409")
    ScoreTable.objects.filter(pk=table.pk).update(revision=9)  # someone else saved

    row(page, "Tiêu chí B").click()
    page.keyboard.press("Alt+ArrowUp")

    expect(page.locator("#editor-status .alert-warning")).to_be_visible()
    assert list(table.criteria.order_by("position").values_list("code", flat=True)) == [
        "I",
        "I.1",
        "B",
    ]
