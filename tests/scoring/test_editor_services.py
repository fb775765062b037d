"""The score table editor's services (scoring.services.editor): every change to a draft's
tree and parameters, new tables, new versions, the optimistic lock and the history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from scoring import services
from scoring.enums import Stage, TableStatus
from scoring.models import Criterion, ScoreSheet, ScoreTable, UnitTarget
from scoring.services import editor
from scoring.services.specs import TableFrozen, TableNotPublishable
from tests.factories import CampaignFactory
from tests.scoring.conftest import make_criterion

D = Decimal


def _layout(table: ScoreTable) -> list[tuple[str, int]]:
    """(code, depth) in reading order."""
    return list(table.criteria.order_by("position").values_list("code", "depth"))


def _get(table: ScoreTable, code: str) -> Criterion:
    criterion = table.criteria.get(code=code)
    criterion.table = table
    return criterion


def _revision(table: ScoreTable) -> int:
    return ScoreTable.objects.get(pk=table.pk).revision


@pytest.fixture
def draft(org):
    """I (group 30) = I.1 manual 10 + I.2 manual 20; II (group 10) = II.1 pass/fail 10;
    B bonus, 1 per item, at most 5. Bands Tốt ≥ 30, Đạt ≥ 0."""
    table = ScoreTable.objects.create(
        campaign=org.campaign,
        title="Thang điểm nháp",
        bands=[{"label": "Tốt", "min": "30"}, {"label": "Đạt", "min": "0"}],
    )
    first = make_criterion(table, "I", "group", max_points=D(30), order=1)
    make_criterion(table, "I.1", "manual", parent=first, order=1, max_points=D(10))
    make_criterion(table, "I.2", "manual", parent=first, order=2, max_points=D(20))
    second = make_criterion(table, "II", "group", max_points=D(10), order=2)
    make_criterion(table, "II.1", "pass_fail", parent=second, order=1, max_points=D(10))
    make_criterion(table, "B", "bonus", order=3, max_points=D(5), per_item=D(1))
    services.table_renumber(table=table)
    return table


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared with their English source (the catalogue translates them)."""
    with translation.override("en"):
        yield


LAYOUT = [("I", 0), ("I.1", 1), ("I.2", 1), ("II", 0), ("II.1", 1), ("B", 0)]


# --- Adding ---------------------------------------------------------------------------------


def test_criterion_add_child_is_last_under_its_parent(org, draft):
    added = editor.criterion_add(
        table=draft, user=org.staff, revision=1, parent=_get(draft, "I"), title="Mới"
    )

    assert (added.code, added.title, added.kind) == ("I.3", "Mới", "manual")
    assert _layout(draft) == [*LAYOUT[:3], ("I.3", 1), *LAYOUT[3:]]
    assert _revision(draft) == 2


def test_criterion_add_child_to_a_leaf_makes_it_a_group(org, draft):
    editor.criterion_add(table=draft, user=org.staff, revision=1, parent=_get(draft, "B"))

    bonus = _get(draft, "B")
    assert (bonus.kind, bonus.per_item, bonus.max_points) == ("group", None, D(5))
    assert _layout(draft)[-2:] == [("B", 0), ("B.1", 1)]
    assert bonus.history.first().history_change_reason == "became_group"


def test_criterion_add_sibling_goes_just_below(org, draft):
    added = editor.criterion_add(table=draft, user=org.staff, revision=1, after=_get(draft, "I.1"))

    assert added.code == "I.3"
    assert _layout(draft) == [("I", 0), ("I.1", 1), ("I.3", 1), ("I.2", 1), *LAYOUT[3:]]


def test_criterion_add_at_the_top_takes_the_next_roman_number(org, draft):
    added = editor.criterion_add(table=draft, user=org.staff, revision=1, kind="group")

    assert (added.code, added.kind, added.title) == ("IV", "group", "New criterion")
    assert _layout(draft)[-1] == ("IV", 0)


def test_criterion_add_records_who_added_it(org, draft):
    added = editor.criterion_add(table=draft, user=org.staff, revision=1)

    record = added.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        org.staff,
        "added",
    )


# --- Renaming --------------------------------------------------------------------------------


def test_criterion_rename_changes_the_title_with_history(org, draft):
    editor.criterion_rename(
        criterion=_get(draft, "I.1"), user=org.staff, revision=1, title="  Công tác tham mưu "
    )

    criterion = _get(draft, "I.1")
    assert criterion.title == "Công tác tham mưu"
    record = criterion.history.first()
    assert (record.history_user, record.history_change_reason) == (org.staff, "renamed")
    assert _revision(draft) == 2


def test_criterion_rename_refuses_an_empty_title(org, draft):
    with pytest.raises(ValidationError) as caught:
        editor.criterion_rename(criterion=_get(draft, "I.1"), user=org.staff, revision=1, title=" ")

    assert caught.value.message_dict == {"title": ["A criterion needs a title."]}
    assert _get(draft, "I.1").title == "Tiêu chí I.1"
    assert _revision(draft) == 1


# --- Moving ----------------------------------------------------------------------------------


def test_criterion_move_down_then_up(org, draft):
    editor.criterion_move(criterion=_get(draft, "I.1"), user=org.staff, revision=1, action="down")
    after_down = _layout(draft)
    editor.criterion_move(criterion=_get(draft, "I.1"), user=org.staff, revision=2, action="up")

    assert after_down == [("I", 0), ("I.2", 1), ("I.1", 1), *LAYOUT[3:]]
    assert _layout(draft) == LAYOUT
    assert _get(draft, "I.1").history.first().history_change_reason == "moved_up"


def test_criterion_move_whole_subtree_down(org, draft):
    editor.criterion_move(criterion=_get(draft, "I"), user=org.staff, revision=1, action="down")

    assert _layout(draft) == [("II", 0), ("II.1", 1), ("I", 0), ("I.1", 1), ("I.2", 1), ("B", 0)]


def test_criterion_move_up_of_the_first_is_refused(org, draft):
    with pytest.raises(ValidationError) as caught:
        editor.criterion_move(criterion=_get(draft, "I.1"), user=org.staff, revision=1, action="up")

    assert caught.value.messages == ["I.1 is already the first of its level."]
    assert _layout(draft) == LAYOUT
    assert _revision(draft) == 1


def test_criterion_indent_goes_under_the_sibling_above(org, draft):
    editor.criterion_move(criterion=_get(draft, "I.2"), user=org.staff, revision=1, action="indent")

    i1 = _get(draft, "I.1")
    assert _layout(draft) == [("I", 0), ("I.1", 1), ("I.2", 2), *LAYOUT[3:]]
    assert i1.kind == "group"
    assert _get(draft, "I.2").parent_id == i1.pk


def test_criterion_indent_of_the_first_is_refused(org, draft):
    with pytest.raises(ValidationError):
        editor.criterion_move(
            criterion=_get(draft, "I.1"), user=org.staff, revision=1, action="indent"
        )

    assert _layout(draft) == LAYOUT


def test_criterion_outdent_goes_just_below_its_parent(org, draft):
    editor.criterion_move(
        criterion=_get(draft, "I.1"), user=org.staff, revision=1, action="outdent"
    )

    assert _layout(draft) == [("I", 0), ("I.2", 1), ("I.1", 0), *LAYOUT[3:]]
    assert _get(draft, "I.1").parent_id is None


def test_criterion_outdent_at_the_top_is_refused(org, draft):
    with pytest.raises(ValidationError) as caught:
        editor.criterion_move(
            criterion=_get(draft, "I"), user=org.staff, revision=1, action="outdent"
        )

    assert caught.value.messages == ["I is already at the top level."]


def test_criterion_place_inside_another_criterion(org, draft):
    editor.criterion_place(
        criterion=_get(draft, "B"),
        user=org.staff,
        revision=1,
        target=_get(draft, "II"),
        place="inside",
    )

    assert _layout(draft) == [*LAYOUT[:5], ("B", 1)]
    assert _get(draft, "B").parent_id == _get(draft, "II").pk


def test_criterion_place_before_and_after_a_target(org, draft):
    editor.criterion_place(
        criterion=_get(draft, "II.1"),
        user=org.staff,
        revision=1,
        target=_get(draft, "I.1"),
        place="before",
    )
    editor.criterion_place(
        criterion=_get(draft, "B"),
        user=org.staff,
        revision=2,
        target=_get(draft, "I"),
        place="after",
    )

    assert _layout(draft) == [
        ("I", 0),
        ("II.1", 1),
        ("I.1", 1),
        ("I.2", 1),
        ("B", 0),
        ("II", 0),
    ]
    assert _get(draft, "II.1").history.first().history_change_reason == "moved"


def test_criterion_place_under_itself_is_refused(org, draft):
    with pytest.raises(ValidationError) as caught:
        editor.criterion_place(
            criterion=_get(draft, "I"),
            user=org.staff,
            revision=1,
            target=_get(draft, "I.2"),
            place="inside",
        )

    assert caught.value.messages == ["I cannot go under itself or one of its own sub-criteria."]
    assert _layout(draft) == LAYOUT


# --- Deleting --------------------------------------------------------------------------------


def test_criterion_delete_a_leaf(org, draft):
    deleted = editor.criterion_delete(criterion=_get(draft, "I.1"), user=org.staff, revision=1)

    assert len(deleted) == 1
    assert _layout(draft) == [("I", 0), ("I.2", 1), *LAYOUT[3:]]
    record = Criterion.history.filter(code="I.1").first()
    assert (record.history_type, record.history_user) == ("-", org.staff)


def test_criterion_delete_with_children_needs_confirmation(org, draft):
    with pytest.raises(ValidationError) as caught:
        editor.criterion_delete(criterion=_get(draft, "I"), user=org.staff, revision=1)

    assert caught.value.code == "confirm"
    assert caught.value.messages == ["I has 2 sub-criteria: confirm to delete it with all of them."]
    assert _layout(draft) == LAYOUT
    assert _revision(draft) == 1


def test_criterion_delete_with_children_confirmed_deletes_them_all(org, draft):
    editor.criterion_delete(
        criterion=_get(draft, "I"), user=org.staff, revision=1, with_children=True
    )

    assert _layout(draft) == [("II", 0), ("II.1", 1), ("B", 0)]
    deleted = Criterion.history.filter(history_type="-", history_user=org.staff)
    assert sorted(deleted.values_list("code", flat=True)) == ["I", "I.1", "I.2"]


# --- Parameters ------------------------------------------------------------------------------


def test_criterion_update_sets_the_parameters_of_its_kind(org, draft):
    editor.criterion_update(
        criterion=_get(draft, "I.2"),
        user=org.staff,
        revision=1,
        values={
            "kind": "target",
            "max_points": D(20),
            "metric": "rate",
            "method": "threshold",
            "target": D(95),
            "guidance": "Tỷ lệ hoàn thành.",
        },
    )

    c = _get(draft, "I.2")
    assert (c.kind, c.metric, c.method, c.target, c.guidance) == (
        "target",
        "rate",
        "threshold",
        D(95),
        "Tỷ lệ hoàn thành.",
    )
    assert c.history.first().history_change_reason == "changed"


def test_criterion_update_new_kind_resets_the_parameters_it_does_not_use(org, draft):
    editor.criterion_update(
        criterion=_get(draft, "B"),
        user=org.staff,
        revision=1,
        values={"kind": "veto", "deduct": D(3)},
    )

    c = _get(draft, "B")
    assert (c.kind, c.max_points, c.per_item, c.deduct, c.excludes_leading) == (
        "veto",
        D(0),
        None,
        D(3),
        True,
    )


@pytest.mark.parametrize(
    ("code", "values", "field", "message"),
    [
        ("I.1", {"per_item": D(2)}, "per_item", "points per item does not apply to a criterion of the kind “Points entered”."),  # noqa: E501
        ("B", {"per_item": D(0)}, "per_item", "Points per item must be greater than 0."),
        ("B", {"deduct": D(2)}, "deduct", "points deducted does not apply to a criterion of the kind “Bonus points”."),  # noqa: E501
        ("I.1", {"kind": "target", "metric": "rate", "direction": "lower"}, "direction", "“Lower is better” applies only to a value, not to a rate."),  # noqa: E501
        ("I.1", {"kind": "target", "target": D(-1)}, "target", "A target must not be negative."),
        ("I.1", {"kind": "veto", "max_band": "Giỏi"}, "max_band", "“Giỏi” is not a band of this table."),  # noqa: E501
        ("I.1", {"max_points": D(-1)}, "max_points", "Ensure this value is greater than or equal to 0."),  # noqa: E501
        ("I.1", {"code": "I.2"}, "__all__", "This code is already used in the table."),
        ("I", {"kind": "manual"}, "kind", "A criterion with sub-criteria stays a group: move or delete its sub-criteria first."),  # noqa: E501
    ],
)  # fmt: skip
def test_criterion_update_refuses_values_its_kind_cannot_take(
    org, draft, code, values, field, message
):
    before = Criterion.objects.get(table=draft, code=code)

    with pytest.raises(ValidationError) as caught:
        editor.criterion_update(
            criterion=_get(draft, code), user=org.staff, revision=1, values=values
        )

    assert caught.value.message_dict[field] == [message]
    assert Criterion.objects.get(pk=before.pk).__dict__ | {"_state": None} == before.__dict__ | {
        "_state": None
    }
    assert _revision(draft) == 1


def test_criterion_update_veto_band_cap_of_the_table(org, draft):
    editor.criterion_update(
        criterion=_get(draft, "B"),
        user=org.staff,
        revision=1,
        values={"kind": "veto", "deduct": D(5), "max_band": "Đạt", "excludes_leading": False},
    )

    c = _get(draft, "B")
    assert (c.max_band, c.excludes_leading, c.deduct) == ("Đạt", False, D(5))


# --- The lock --------------------------------------------------------------------------------


def test_stale_revision_is_refused_and_changes_nothing(org, draft):
    editor.criterion_rename(criterion=_get(draft, "I.1"), user=org.staff, revision=1, title="A")

    with pytest.raises(editor.StaleTable):
        editor.criterion_rename(criterion=_get(draft, "I.2"), user=org.admin, revision=1, title="B")

    assert _get(draft, "I.2").title == "Tiêu chí I.2"
    assert _revision(draft) == 2


def test_stale_revision_refuses_a_move(org, draft):
    with pytest.raises(editor.StaleTable):
        editor.criterion_move(criterion=_get(draft, "I.2"), user=org.staff, revision=7, action="up")

    assert _layout(draft) == LAYOUT


def test_published_table_is_refused(org, draft):
    services.table_publish(table=draft)

    with pytest.raises(TableFrozen):
        editor.criterion_rename(criterion=_get(draft, "I.1"), user=org.staff, revision=1, title="X")

    assert _get(draft, "I.1").title == "Tiêu chí I.1"


# --- The table ---------------------------------------------------------------------------------


def test_table_settings_update_sets_title_bands_and_bonus_cap(org, draft):
    editor.table_settings_update(
        table=draft,
        user=org.staff,
        revision=1,
        title="Thang điểm khối huyện",
        bands=[("Xuất sắc", D(35)), ("Khá", D("20.5")), ("Đạt", D(0))],
        bonus_cap=D(5),
    )

    draft.refresh_from_db()
    assert (draft.title, draft.bonus_cap) == ("Thang điểm khối huyện", D(5))
    assert draft.bands == [
        {"label": "Xuất sắc", "min": "35.00"},
        {"label": "Khá", "min": "20.50"},
        {"label": "Đạt", "min": "0.00"},
    ]
    record = draft.history.first()
    assert (record.history_user, record.history_change_reason) == (org.staff, "settings")


def test_table_settings_update_refuses_bands_out_of_order(org, draft):
    with pytest.raises(ValidationError) as caught:
        editor.table_settings_update(
            table=draft,
            user=org.staff,
            revision=1,
            title=draft.title,
            bands=[("Khá", D(20)), ("Xuất sắc", D(35))],
            bonus_cap=None,
        )

    assert caught.value.message_dict["bands"] == [
        "Band “Xuất sắc”: its minimum 35 must be lower than the band above it (best band first)."
    ]
    draft.refresh_from_db()
    assert draft.bands == [{"label": "Tốt", "min": "30"}, {"label": "Đạt", "min": "0"}]


def test_table_publish_checked_publishes_a_sound_draft(org, draft):
    editor.criterion_update(
        criterion=_get(draft, "II.1"), user=org.staff, revision=1, values={"max_points": D(10)}
    )

    editor.table_publish_checked(table=draft, user=org.staff, revision=2)

    draft.refresh_from_db()
    assert draft.status == TableStatus.PUBLISHED
    assert draft.history.first().history_change_reason == "published"


def test_table_publish_checked_refuses_problems_and_keeps_the_revision(org, draft):
    editor.criterion_update(
        criterion=_get(draft, "I.1"), user=org.staff, revision=1, values={"max_points": D(15)}
    )

    with pytest.raises(TableNotPublishable) as caught:
        editor.table_publish_checked(table=draft, user=org.staff, revision=2)

    assert len(caught.value.messages) == 1
    assert caught.value.messages[0].startswith("I: ")
    draft.refresh_from_db()
    assert (draft.status, draft.revision) == ("draft", 2)


def test_table_create_blank(org):
    table = editor.table_create_blank(campaign=org.campaign, user=org.staff, title=" Thang mới ")

    assert (table.title, table.version, table.status, table.criteria.count()) == (
        "Thang mới",
        1,
        "draft",
        0,
    )
    assert table.history.get().history_user == org.staff


def test_table_create_blank_refuses_a_title_already_used(org, draft):
    with pytest.raises(ValidationError) as caught:
        editor.table_create_blank(campaign=org.campaign, user=org.staff, title=draft.title)

    assert "title" in caught.value.message_dict
    assert ScoreTable.objects.filter(campaign=org.campaign).count() == 1


def test_table_copy_of_another_table_of_the_campaign(org, draft):
    copy = editor.table_copy(source=draft, campaign=org.campaign, user=org.staff, title="Bản sao")

    assert _layout(copy) == LAYOUT
    assert (copy.version, copy.bands, copy.previous_id) == (1, draft.bands, None)
    users = Criterion.history.filter(table_id=copy.pk).values_list("history_user", flat=True)
    assert set(users) == {org.staff.pk}
    assert _layout(draft) == LAYOUT


def test_table_copy_of_last_years_table(org, draft):
    this_year = CampaignFactory(organiser=org.province, year=2024)

    copy = editor.table_copy(source=draft, campaign=this_year, user=org.staff, title=draft.title)

    assert (copy.campaign, copy.title, copy.status) == (this_year, draft.title, "draft")
    assert _layout(copy) == LAYOUT
    assert copy.clusters.count() == 0


def test_table_edit_published_makes_the_next_version_and_sheets_keep_theirs(org, table):
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )
    criterion = table.criteria.get(code="I.2")
    UnitTarget.objects.create(criterion=criterion, unit=org.member_unit, target=D(80))

    new = editor.table_edit_published(table=table, user=org.staff)

    assert (new.version, new.status, new.previous_id, new.title) == (
        2,
        "draft",
        table.pk,
        table.title,
    )
    assert _layout(new) == _layout(table)
    assert set(new.clusters.all()) == {org.cluster, org.other_cluster}
    assert UnitTarget.objects.get(criterion__table=new).target == D(80)
    assert ScoreSheet.objects.get(pk=sheet.pk).table_id == table.pk
    assert editor.table_edit_published(table=table, user=org.staff) == new
