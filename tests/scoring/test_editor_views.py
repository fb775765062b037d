"""The score table editor's pages: roles and scope, the htmx answers (fragments, 409, 422),
new tables and versions, preview, publishing, history, and query counts at two sizes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from scoring import services
from scoring.enums import TableStatus
from scoring.models import Criterion, ScoreSheet, ScoreTable
from scoring.services import editor as editor_services
from scoring.views.editor.history import history_events
from tests.factories import CampaignFactory, UnitFactory, UserFactory
from tests.scoring.conftest import make_criterion
from tests.scoring.test_editor_services import draft  # noqa: F401

D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}
POST_ROUTES = [
    "campaign_table_criterion_add",
    "campaign_table_criterion_rename",
    "campaign_table_criterion_move",
    "campaign_table_criterion_place",
    "campaign_table_criterion_delete",
    "campaign_table_criterion_update",
    "campaign_table_settings",
    "campaign_table_publish",
    "campaign_table_new_version",
]


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are compared with their English source: the pages are asked for in English
    (the language switch's cookie), whatever the Vietnamese catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def foreign_staff(org):
    other = UnitFactory(code="CAX", name="Công an tỉnh Khác", kind="province")
    user = UserFactory(username="foreign", unit=UnitFactory(code="PX99", parent=other))
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def _url(name, table, **query):
    url = reverse(name, args=[table.campaign_id, table.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _pk(table, code):
    return table.criteria.get(code=code).pk


def _codes(table):
    return list(table.criteria.order_by("position").values_list("code", flat=True))


# --- Roles and scope ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("staff", 200), ("leader", 403), ("member", 403), ("foreign", 404)],
)
def test_editor_page_by_role(client, org, draft, foreign_staff, who, status):  # noqa: F811
    client.force_login(foreign_staff if who == "foreign" else getattr(org, who))

    response = client.get(_url("campaign_table_editor", draft))

    assert response.status_code == status
    if status == 200:
        assert response.context["editable"] is True
        assert [n.criterion.code for n in response.context["state"].roots] == ["I", "II", "B"]


def test_editor_page_anonymous_goes_to_login(client, draft):  # noqa: F811
    response = client.get(_url("campaign_table_editor", draft))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", POST_ROUTES)
def test_editor_post_routes_refuse_get(client, org, draft, name):  # noqa: F811
    client.force_login(org.staff)

    response = client.get(_url(name, draft))

    assert response.status_code == 405


def test_table_create_refuses_get(client, org):
    client.force_login(org.staff)

    response = client.get(reverse("campaign_table_create", args=[org.campaign.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize(("who", "status"), [("leader", 403), ("member", 403), ("foreign", 404)])
def test_editor_change_refused_outside_the_staff(client, org, draft, foreign_staff, who, status):  # noqa: F811
    client.force_login(foreign_staff if who == "foreign" else getattr(org, who))

    response = client.post(
        _url("campaign_table_criterion_rename", draft),
        {"revision": 1, "criterion": _pk(draft, "I.1"), "title": "Đổi"},
        **HTMX,
    )

    assert response.status_code == status
    assert Criterion.objects.get(pk=_pk(draft, "I.1")).title == "Tiêu chí I.1"


def test_editor_change_anonymous_goes_to_login(client, draft):  # noqa: F811
    response = client.post(_url("campaign_table_criterion_move", draft), {"revision": 1})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_editor_change_of_a_published_table_is_403(client, org, table):
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_criterion_rename", table),
        {"revision": 1, "criterion": _pk(table, "I.1"), "title": "Đổi"},
        **HTMX,
    )

    assert response.status_code == 403
    assert Criterion.objects.get(pk=_pk(table, "I.1")).title == "Tiêu chí I.1"


# --- Changes and their answers ------------------------------------------------------------


def test_add_answers_with_the_changed_list_and_focuses_the_new_row(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_criterion_add", draft),
        {"revision": 1, "parent": _pk(draft, "II")},
        **HTMX,
    )

    assert response.status_code == 200
    new = Criterion.objects.get(table=draft, code="II.2")
    html = response.content.decode()
    assert f'id="item-{_pk(draft, "II")}"' in html
    assert f'id="item-{_pk(draft, "I")}"' not in html  # another subtree is not sent
    assert 'id="editor-revision" name="revision" value="2" hx-swap-oob="true"' in html
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "editor:focus": {"id": new.pk, "rename": True}
    }


def test_rename_answers_with_the_row_only(client, org, draft):  # noqa: F811
    client.force_login(org.staff)
    pk = _pk(draft, "I.1")

    response = client.post(
        _url("campaign_table_criterion_rename", draft),
        {"revision": 1, "criterion": pk, "title": "Công tác tham mưu"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<div id="row-{pk}" class="tree-row kind-manual" data-code="I.1" hx-swap-oob="true">'
        in html
    )
    assert '<li role="treeitem"' not in html
    assert "Công tác tham mưu" in html
    assert Criterion.objects.get(pk=pk).title == "Công tác tham mưu"


def test_move_by_keyboard_answers_with_the_parents_list(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_criterion_move", draft),
        {"revision": 1, "criterion": _pk(draft, "I.2"), "action": "up"},
        **HTMX,
    )

    assert response.status_code == 200
    assert f'id="item-{_pk(draft, "I")}"' in response.content.decode()
    assert _codes(draft) == ["I", "I.2", "I.1", "II", "II.1", "B"]


def test_drop_inside_another_criterion(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_criterion_place", draft),
        {"revision": 1, "criterion": _pk(draft, "B"), "target": _pk(draft, "I"), "place": "inside"},
        **HTMX,
    )

    assert response.status_code == 200
    assert _codes(draft) == ["I", "I.1", "I.2", "B", "II", "II.1"]


def test_stale_revision_answers_409_and_changes_nothing(client, org, draft):  # noqa: F811
    client.force_login(org.staff)
    ScoreTable.objects.filter(pk=draft.pk).update(revision=5)

    response = client.post(
        _url("campaign_table_criterion_move", draft),
        {"revision": 1, "criterion": _pk(draft, "I.2"), "action": "up"},
        **HTMX,
    )

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#editor-status"
    assert "Someone else changed this table after you opened it" in response.content.decode()
    assert _codes(draft) == ["I", "I.1", "I.2", "II", "II.1", "B"]


def test_missing_revision_is_a_bad_request(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_criterion_rename", draft), {"criterion": _pk(draft, "I.1")}
    )

    assert response.status_code == 400


def test_refused_move_answers_422_with_its_message(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_criterion_move", draft),
        {"revision": 1, "criterion": _pk(draft, "I"), "action": "outdent"},
        **HTMX,
    )

    assert response.status_code == 422
    assert "I is already at the top level." in response.content.decode()
    assert ScoreTable.objects.get(pk=draft.pk).revision == 1


def test_delete_with_children_needs_confirm(client, org, draft):  # noqa: F811
    client.force_login(org.staff)
    url = _url("campaign_table_criterion_delete", draft)

    refused = client.post(url, {"revision": 1, "criterion": _pk(draft, "I")}, **HTMX)
    done = client.post(url, {"revision": 1, "criterion": _pk(draft, "I"), "confirm": "1"}, **HTMX)

    assert refused.status_code == 422
    assert done.status_code == 200
    assert _codes(draft) == ["II", "II.1", "B"]


def test_panel_shows_only_the_fields_of_the_kind(client, org, draft):  # noqa: F811
    Criterion.objects.filter(table=draft, code="B").update(
        kind="veto", max_points=0, per_item=None, deduct=2
    )
    client.force_login(org.staff)

    response = client.get(_url("campaign_table_criterion_panel", draft, criterion=_pk(draft, "B")))

    assert response.status_code == 200
    html = response.content.decode()
    shown = [name for name in editor_services.PARAMETERS if f'id="f-{name}"' in html]
    assert shown == ["deduct", "max_band", "excludes_leading"]
    assert all(f'id="f-{name}"' in html for name in ("code", "title", "kind", "guidance"))


def test_panel_update_saves_with_a_decimal_comma(client, org, draft):  # noqa: F811
    client.force_login(org.staff)
    pk = _pk(draft, "I.1")

    response = client.post(
        _url("campaign_table_criterion_update", draft),
        {
            "revision": 1,
            "criterion": pk,
            "code": "I.1",
            "title": "Tiêu chí I.1",
            "kind": "manual",
            "max_points": "12,5",
            "guidance": "",
        },
        **HTMX,
    )

    assert response.status_code == 200
    assert Criterion.objects.get(pk=pk).max_points == D("12.5")
    html = response.content.decode()
    assert html.startswith('\n<section id="panel"') or '<section id="panel"' in html[:200]
    assert f'id="row-{_pk(draft, "I")}"' in html  # the group's sum changed


def test_panel_update_refuses_a_bad_number_with_422(client, org, draft):  # noqa: F811
    client.force_login(org.staff)
    pk = _pk(draft, "I.1")

    response = client.post(
        _url("campaign_table_criterion_update", draft),
        {
            "revision": 1,
            "criterion": pk,
            "code": "I.1",
            "title": "T",
            "kind": "manual",
            "max_points": "mười",
        },
        **HTMX,
    )

    assert response.status_code == 422
    assert "“mười” is not a number." in response.content.decode()
    assert Criterion.objects.get(pk=pk).max_points == D(10)
    assert Criterion.objects.get(pk=pk).title == "Tiêu chí I.1"


def test_settings_save_bands_and_bonus_cap(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_settings", draft),
        {
            "revision": 1,
            "title": "Thang điểm nháp",
            "bonus_cap": "5",
            "band_label": ["Xuất sắc", "Đạt", ""],
            "band_min": ["35", "0", ""],
        },
        **HTMX,
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.bands, draft.bonus_cap) == (
        [{"label": "Xuất sắc", "min": "35.00"}, {"label": "Đạt", "min": "0.00"}],
        D(5),
    )


def test_settings_refuse_a_band_without_minimum(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(
        _url("campaign_table_settings", draft),
        {"revision": 1, "title": "T", "bonus_cap": "", "band_label": ["Tốt"], "band_min": [""]},
        **HTMX,
    )

    assert response.status_code == 422
    assert "Band “Tốt” needs a minimum total (a number)." in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Thang điểm nháp"


# --- New tables and versions --------------------------------------------------------------


def test_tables_page_offers_new_tables_and_drafts(client, org, draft):  # noqa: F811
    last_year = CampaignFactory(organiser=org.province, year=2022)
    old = ScoreTable.objects.create(campaign=last_year, title="Thang 2022")
    client.force_login(org.staff)

    response = client.get(reverse("campaign_tables", args=[org.campaign.pk]))

    assert response.status_code == 200
    assert [t.pk for t in response.context["drafts"]] == [draft.pk]
    assert [t.pk for t in response.context["last_tables"]] == [old.pk]
    assert response.context["can_create"] is True


def test_table_create_blank_opens_the_editor(client, org):
    client.force_login(org.staff)

    response = client.post(
        reverse("campaign_table_create", args=[org.campaign.pk]), {"title": "Thang mới"}
    )

    table = ScoreTable.objects.get(campaign=org.campaign, title="Thang mới")
    assert response.status_code == 302
    assert response["Location"] == _url("campaign_table_editor", table)


def test_table_create_as_a_copy_of_last_years(client, org, draft):  # noqa: F811
    this_year = CampaignFactory(organiser=org.province, year=2024)
    client.force_login(org.staff)

    response = client.post(
        reverse("campaign_table_create", args=[this_year.pk]),
        {"title": "Thang 2024", "source": draft.pk},
    )

    copy = ScoreTable.objects.get(campaign=this_year)
    assert response.status_code == 302
    assert _codes(copy) == _codes(draft)


def test_table_create_refuses_a_table_of_another_organiser(client, org, foreign_staff):
    elsewhere = CampaignFactory(organiser=foreign_staff.unit.parent, year=2022)
    foreign = ScoreTable.objects.create(campaign=elsewhere, title="Của tỉnh khác")
    make_criterion(foreign, "I", "manual", max_points=10)
    client.force_login(org.staff)

    response = client.post(
        reverse("campaign_table_create", args=[org.campaign.pk]),
        {"title": "Sao chép", "source": foreign.pk},
    )

    assert response.status_code == 302
    assert not ScoreTable.objects.filter(campaign=org.campaign, title="Sao chép").exists()


@pytest.mark.parametrize(("who", "status"), [("leader", 403), ("foreign", 404)])
def test_table_create_by_role(client, org, foreign_staff, who, status):
    client.force_login(foreign_staff if who == "foreign" else getattr(org, who))

    response = client.post(reverse("campaign_table_create", args=[org.campaign.pk]), {"title": "X"})

    assert response.status_code == status
    assert not ScoreTable.objects.filter(title="X").exists()


def test_published_table_opens_read_only_and_edit_makes_a_new_version(client, org, table):
    services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    client.force_login(org.staff)

    page = client.get(_url("campaign_table_editor", table))
    response = client.post(_url("campaign_table_new_version", table))

    new = ScoreTable.objects.get(previous=table)
    assert page.context["editable"] is False
    assert response["Location"] == _url("campaign_table_editor", new)
    assert (new.version, new.status) == (2, TableStatus.DRAFT)
    assert list(ScoreSheet.objects.values_list("table_id", flat=True)) == [table.pk]


# --- Publishing, preview and history ------------------------------------------------------


def test_publish_from_the_editor(client, org, draft):  # noqa: F811
    client.force_login(org.staff)

    response = client.post(_url("campaign_table_publish", draft), {"revision": 1})

    draft.refresh_from_db()
    assert draft.status == TableStatus.PUBLISHED
    assert response["Location"].startswith(reverse("campaign_tables", args=[org.campaign.pk]))


def test_publish_refused_with_problems_stays_a_draft(client, org, draft):  # noqa: F811
    Criterion.objects.filter(table=draft, code="I.1").update(max_points=15)
    client.force_login(org.staff)

    response = client.post(_url("campaign_table_publish", draft), {"revision": 1})

    draft.refresh_from_db()
    assert draft.status == TableStatus.DRAFT
    assert response["Location"] == _url("campaign_table_editor", draft)


def test_editor_shows_the_checks_on_their_criterion(client, org, draft):  # noqa: F811
    Criterion.objects.filter(table=draft, code="I.1").update(max_points=15)
    client.force_login(org.staff)

    response = client.get(_url("campaign_table_editor", draft))

    state = response.context["state"]
    assert state.nodes[_pk(draft, "I")].problems == [
        "declared max 30.00 differs from the sum of its base children's max 35.00"
    ]
    assert state.problem_count == 1


def test_preview_draws_the_draft_without_creating_sheets(client, org, draft):  # noqa: F811
    draft.clusters.set([org.cluster])
    client.force_login(org.staff)

    response = client.get(_url("campaign_table_preview", draft))

    assert response.status_code == 200
    assert response.context["preview"] is True
    assert [r.criterion.code for r in response.context["rows"]] == _codes(draft)
    assert response.context["sheet"].unit == org.deputy_unit
    assert [m.unit.code for m in response.context["members"]] == ["D1", "L1", "M1"]
    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("foreign", 404)])
def test_preview_by_role(client, org, draft, foreign_staff, who, status):  # noqa: F811
    client.force_login(foreign_staff if who == "foreign" else getattr(org, who))

    assert client.get(_url("campaign_table_preview", draft)).status_code == status


def test_history_lists_who_changed_what(client, org, draft):  # noqa: F811
    client.force_login(org.staff)
    client.post(
        _url("campaign_table_criterion_rename", draft),
        {"revision": 1, "criterion": _pk(draft, "I.1"), "title": "Tham mưu"},
        **HTMX,
    )

    response = client.get(_url("campaign_table_history", draft))

    assert response.status_code == 200
    assert "I.1. Tham mưu" in response.content.decode()
    event = history_events(draft)[0]
    assert (event.subject, event.user, event.reason) == ("I.1. Tham mưu", org.staff, "renamed")
    assert [(c.before, c.after) for c in event.changes] == [("Tiêu chí I.1", "Tham mưu")]


# --- Query counts -------------------------------------------------------------------------


def _table_of(org, size: int) -> ScoreTable:
    table = ScoreTable.objects.create(campaign=org.campaign, title=f"Thang {size}")
    group = make_criterion(table, "I", "group", max_points=D(size), order=1)
    for n in range(1, size + 1):
        make_criterion(table, f"I.{n}", "manual", parent=group, order=n, max_points=D(1))
    services.table_renumber(table=table)
    return table


@pytest.mark.parametrize(
    ("route", "data"),
    [
        ("campaign_table_criterion_rename", lambda t: {"criterion": _pk(t, "I.2"), "title": "Mới"}),
        ("campaign_table_criterion_move", lambda t: {"criterion": _pk(t, "I.2"), "action": "up"}),
    ],
)
def test_one_change_reads_the_same_number_of_queries_at_two_sizes(
    client, org, django_assert_num_queries, route, data
):
    client.force_login(org.staff)
    small, large = _table_of(org, 5), _table_of(org, 60)
    with CaptureQueriesContext(connection) as small_queries:
        response = client.post(_url(route, small), {"revision": 1, **data(small)}, **HTMX)
    assert response.status_code == 200

    with django_assert_num_queries(len(small_queries)):
        response = client.post(_url(route, large), {"revision": 1, **data(large)}, **HTMX)

    assert response.status_code == 200


def _tree_reads(queries) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if 'FROM "scoring_criterion"' in q["sql"]
        and 'ORDER BY "scoring_criterion"."position"' in q["sql"]
    )


def test_a_change_after_the_page_reads_the_tree_once(client, org, draft):  # noqa: F811
    client.force_login(org.staff)
    client.get(_url("campaign_table_editor", draft))  # the page remembers what it shows

    with CaptureQueriesContext(connection) as remembered:
        first = client.post(
            _url("campaign_table_criterion_rename", draft),
            {"revision": 1, "criterion": _pk(draft, "I.1"), "title": "Một"},
            **HTMX,
        )
    cache.clear()
    with CaptureQueriesContext(connection) as forgotten:
        second = client.post(
            _url("campaign_table_criterion_rename", draft),
            {"revision": 2, "criterion": _pk(draft, "I.1"), "title": "Hai"},
            **HTMX,
        )

    assert (first.status_code, second.status_code) == (200, 200)
    assert (_tree_reads(remembered), _tree_reads(forgotten)) == (1, 2)
    row = f'<div id="row-{_pk(draft, "I.1")}" class="tree-row kind-manual" data-code="I.1" '
    assert f'{row}hx-swap-oob="true">' in first.content.decode()
    assert f'{row}hx-swap-oob="true">' in second.content.decode()
