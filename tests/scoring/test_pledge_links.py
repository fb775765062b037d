"""Pledge items linked to criteria explicitly: the service, the choice in the pledge form
(added through clusters.panels, since clusters does not import scoring), the pages that
show the link, the copy to a table's next version and the data migration from the old
link by area name."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clusters.models import Pledge, PledgeItem
from scoring import services
from scoring.models import Criterion, PledgeItemCriterion, ScoreTable
from scoring.services.pledge_links import pledge_links, pledge_links_set, pledge_table
from tests.factories import ClusterFactory, PledgeFactory
from tests.scoring.conftest import make_criterion

D = Decimal


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _crit(table, code: str) -> Criterion:
    return Criterion.objects.get(table=table, code=code)


def _links(cluster) -> list[tuple[str, str, int]]:
    return sorted(
        (link.item.area, link.criterion.code, link.table.version)
        for link in PledgeItemCriterion.objects.filter(
            item__pledge__cluster=cluster
        ).select_related("item", "criterion", "table")
    )


@pytest.fixture
def pledge(org):
    pledge = PledgeFactory(cluster=org.cluster)
    PledgeItem.objects.create(pledge=pledge, order=1, area="Phòng chống tội phạm", content="A")
    PledgeItem.objects.create(pledge=pledge, order=2, area="Xây dựng lực lượng", content="B")
    return pledge


def _form_data(items, *, total=None) -> dict:
    """The pledge form's POST: ``items`` are (item id or "", area, content, criterion id)."""
    data = {
        "slogan": "Vì an ninh Tổ quốc",
        "preamble": "",
        "items-TOTAL_FORMS": str(total or len(items)),
        "items-INITIAL_FORMS": "0",
    }
    for i, (item, area, content, criterion) in enumerate(items):
        data[f"items-{i}-item"] = str(item)
        data[f"items-{i}-area"] = area
        data[f"items-{i}-content"] = content
        data[f"items-{i}-choice_criterion"] = str(criterion)
    return data


# --- The service -----------------------------------------------------------------------------


def test_pledge_links_set_links_changes_and_unlinks(org, table, pledge):
    first, second = pledge.items.all()

    pledge_links_set(
        cluster=org.cluster,
        table=table,
        links={first.pk: _crit(table, "I.2"), second.pk: _crit(table, "I")},
    )
    pledge_links_set(cluster=org.cluster, table=table, links={first.pk: _crit(table, "I.3")})
    pledge_links_set(cluster=org.cluster, table=table, links={second.pk: None})

    assert _links(org.cluster) == [("Phòng chống tội phạm", "I.3", 1)]
    assert pledge_links(table, org.cluster) == {first.pk: _crit(table, "I.3").pk}


def test_pledge_links_set_refuses_a_criterion_of_another_table(org, table, pledge):
    other = ScoreTable.objects.create(campaign=org.campaign, title="Khác")
    stranger = make_criterion(other, "X", "manual", max_points=D(5))
    other.clusters.add(org.cluster)
    first = pledge.items.first()

    with pytest.raises(ValidationError) as refused:
        pledge_links_set(cluster=org.cluster, table=table, links={first.pk: stranger})

    assert refused.value.messages == [f"X: not a criterion of the score table {table}."]
    assert _links(org.cluster) == []


def test_pledge_links_set_refuses_an_item_of_another_cluster_or_a_table_not_applied(
    org, table, pledge
):
    elsewhere = PledgeFactory(cluster=ClusterFactory(campaign=org.campaign, number=5, code="C5"))
    foreign_item = PledgeItem.objects.create(pledge=elsewhere, order=1, area="X", content="Y")
    unapplied = ScoreTable.objects.create(campaign=org.campaign, title="Chưa áp dụng")
    criterion = make_criterion(unapplied, "A", "manual", max_points=D(5))

    with pytest.raises(ValidationError) as foreign:
        pledge_links_set(
            cluster=org.cluster, table=table, links={foreign_item.pk: _crit(table, "I")}
        )
    with pytest.raises(ValidationError) as not_applied:
        pledge_links_set(
            cluster=org.cluster, table=unapplied, links={pledge.items.first().pk: criterion}
        )

    assert foreign.value.messages == ["Choose items of this cluster's pledge."]
    assert not_applied.value.messages == [
        f"The score table {unapplied} does not apply to {org.cluster.name}."
    ]
    assert PledgeItemCriterion.objects.count() == 0


def test_pledge_table_prefers_the_published_table(org, table):
    draft = services.table_new_version(table=table)

    assert pledge_table(org.cluster) == table
    services.table_publish(table=draft)
    assert pledge_table(org.cluster) == draft


def test_table_new_version_carries_the_links_over(org, table, pledge):
    first = pledge.items.first()
    pledge_links_set(cluster=org.cluster, table=table, links={first.pk: _crit(table, "I.2")})

    new = services.table_new_version(table=table)

    assert _links(org.cluster) == [
        ("Phòng chống tội phạm", "I.2", 1),
        ("Phòng chống tội phạm", "I.2", 2),
    ]
    assert PledgeItemCriterion.objects.get(table=new).criterion.table == new


# --- The pledge form in the signing pages ----------------------------------------------------


def test_pledge_form_offers_the_criteria_of_the_clusters_table(client, org, table, pledge):
    first = pledge.items.first()
    pledge_links_set(cluster=org.cluster, table=table, links={first.pk: _crit(table, "I.2")})
    client.force_login(org.leader)

    response = client.get(reverse("cluster_pledge_edit", args=[org.cluster.pk]))

    form = response.context["formset"].forms[0]
    field = form.fields["choice_criterion"]
    assert [label for _value, label in field.choices] == [
        "— not linked —",
        "I. Tiêu chí I",
        "\u00a0\u00a0\u00a0I.1. Tiêu chí I.1",
        "\u00a0\u00a0\u00a0I.2. Tiêu chí I.2",
        "\u00a0\u00a0\u00a0I.3. Tiêu chí I.3",
        "B. Tiêu chí B",
        "T. Tiêu chí T",
        "V. Tiêu chí V",
    ]
    assert form.initial["choice_criterion"] == str(_crit(table, "I.2").pk)
    html = response.content.decode()
    assert f'<option value="{_crit(table, "I.2").pk}" selected>' in html


def test_pledge_form_without_a_table_offers_no_choice(client, org, pledge):
    client.force_login(org.leader)

    response = client.get(reverse("cluster_pledge_edit", args=[org.cluster.pk]))

    assert "choice_criterion" not in response.context["formset"].forms[0].fields
    assert "data-pledge-choice" not in response.content.decode()


def test_pledge_form_saves_the_chosen_criteria(client, org, table):
    client.force_login(org.leader)
    url = reverse("cluster_pledge_edit", args=[org.cluster.pk])
    data = _form_data(
        [
            ("", "Phòng chống tội phạm", "Giảm 5%", _crit(table, "I.2").pk),
            ("", "Xây dựng lực lượng", "100%", ""),
        ]
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert _links(org.cluster) == [("Phòng chống tội phạm", "I.2", 1)]


def test_pledge_form_edit_keeps_the_items_and_their_links(client, org, table, pledge):
    first, second = pledge.items.all()
    pledge_links_set(cluster=org.cluster, table=table, links={first.pk: _crit(table, "I.2")})
    client.force_login(org.leader)
    url = reverse("cluster_pledge_edit", args=[org.cluster.pk])
    # The first item is reworded and keeps its criterion; the second gets one; a third is new.
    data = _form_data(
        [
            (first.pk, "Phòng, chống tội phạm", "Giảm 6%", _crit(table, "I.2").pk),
            (second.pk, "Xây dựng lực lượng", "B", _crit(table, "I.3").pk),
            ("", "Chuyển đổi số", "C", ""),
        ]
    )

    assert client.post(url, data).status_code == 302

    items = list(Pledge.objects.get(cluster=org.cluster).items.all())
    assert [(i.pk, i.area) for i in items[:2]] == [
        (first.pk, "Phòng, chống tội phạm"),
        (second.pk, "Xây dựng lực lượng"),
    ]
    assert _links(org.cluster) == [
        ("Phòng, chống tội phạm", "I.2", 1),
        ("Xây dựng lực lượng", "I.3", 1),
    ]


def test_pledge_form_dropping_an_item_drops_its_link(client, org, table, pledge):
    first, second = pledge.items.all()
    pledge_links_set(
        cluster=org.cluster,
        table=table,
        links={first.pk: _crit(table, "I.2"), second.pk: _crit(table, "I.3")},
    )
    client.force_login(org.leader)
    data = _form_data([(second.pk, "Xây dựng lực lượng", "B", _crit(table, "I.3").pk)])

    client.post(reverse("cluster_pledge_edit", args=[org.cluster.pk]), data)

    assert _links(org.cluster) == [("Xây dựng lực lượng", "I.3", 1)]
    assert not PledgeItem.objects.filter(pk=first.pk).exists()


def test_pledge_form_refuses_a_criterion_outside_the_table(client, org, table, pledge):
    other = ScoreTable.objects.create(campaign=org.campaign, title="Khác")
    stranger = make_criterion(other, "X", "manual", max_points=D(5))
    first = pledge.items.first()
    client.force_login(org.leader)
    data = _form_data([(first.pk, "Đổi tên", "A", stranger.pk)])

    response = client.post(reverse("cluster_pledge_edit", args=[org.cluster.pk]), data)

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["choice_criterion"] == [
        f"Select a valid choice. {stranger.pk} is not one of the available choices."
    ]
    assert PledgeItem.objects.get(pk=first.pk).area == "Phòng chống tội phạm"
    assert _links(org.cluster) == []


def test_pledge_form_still_refused_to_members(client, org, table, pledge):
    client.force_login(org.member)
    data = _form_data([("", "Phòng chống tội phạm", "A", _crit(table, "I.2").pk)])

    response = client.post(reverse("cluster_pledge_edit", args=[org.cluster.pk]), data)

    assert response.status_code == 403
    assert _links(org.cluster) == []


# --- Pages that show the link -----------------------------------------------------------------


def test_cluster_page_shows_each_items_criterion(client, org, table, pledge):
    first = pledge.items.first()
    pledge_links_set(cluster=org.cluster, table=table, links={first.pk: _crit(table, "I.2")})
    client.force_login(org.member)

    response = client.get(reverse("cluster_detail", args=[org.cluster.pk]))

    shown = [item.extra_shown for item in response.context["items"]]
    assert shown == [[{"label": "Scored by the criterion", "text": "I.2. Tiêu chí I.2"}], []]
    assert "Scored by the criterion: I.2. Tiêu chí I.2" in response.content.decode()


def test_cluster_page_query_count_does_not_grow_with_linked_items(
    client, org, table, pledge, django_assert_num_queries
):
    client.force_login(org.member)
    url = reverse("cluster_detail", args=[org.cluster.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    criteria = list(Criterion.objects.filter(table=table))
    for n, criterion in enumerate(criteria):
        item = PledgeItem.objects.create(pledge=pledge, order=10 + n, area=f"L{n}", content="x")
        pledge_links_set(cluster=org.cluster, table=table, links={item.pk: criterion})
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)

    assert len(response.context["items"]) == 2 + len(criteria)


# --- The data migration from the link by area name ----------------------------------------


def test_data_migration_links_items_whose_area_names_one_top_level_criterion(org, table):
    migration = importlib.import_module("scoring.migrations.0007_pledge_links_from_area_names")
    pledge = PledgeFactory(cluster=org.cluster)
    Criterion.objects.filter(table=table, code="I").update(title="An ninh trật tự")
    Criterion.objects.filter(table=table, code="B").update(title="Điểm thưởng")
    Criterion.objects.filter(table=table, code="T").update(title="Điểm thưởng")  # ambiguous
    matched = PledgeItem.objects.create(
        pledge=pledge, order=1, area="  an ninh TRẬT TỰ ", content="A"
    )
    PledgeItem.objects.create(pledge=pledge, order=2, area="Điểm thưởng", content="B")
    PledgeItem.objects.create(pledge=pledge, order=3, area="Tiêu chí I.2", content="C")

    migration.link_by_area(apps, None)

    # Only the unambiguous top-level match is linked; "Tiêu chí I.2" names a sub-criterion.
    assert list(PledgeItemCriterion.objects.values_list("item_id", "criterion__code")) == [
        (matched.pk, "I")
    ]
    migration.link_by_area(apps, None)  # running it again adds nothing
    assert PledgeItemCriterion.objects.count() == 1


def test_pledge_record_keeps_unchanged_and_named_items_with_their_links(org, table, pledge):
    from clusters.services import signing as signing_services

    first, second = pledge.items.all()
    pledge_links_set(
        cluster=org.cluster,
        table=table,
        links={first.pk: _crit(table, "I.2"), second.pk: _crit(table, "I.3")},
    )

    signing_services.pledge_record(
        cluster=org.cluster,
        slogan="",
        items=[
            ("Phòng chống tội phạm", "A"),  # unchanged: kept
            ("Xây dựng lực lượng", "B đã sửa", second.pk),  # named by id: kept, reworded
            ("Chuyển đổi số", "C"),  # new
        ],
    )

    items = list(Pledge.objects.get(cluster=org.cluster).items.all())
    assert [(i.pk, i.order, i.content) for i in items[:2]] == [
        (first.pk, 1, "A"),
        (second.pk, 2, "B đã sửa"),
    ]
    assert _links(org.cluster) == [
        ("Phòng chống tội phạm", "I.2", 1),
        ("Xây dựng lực lượng", "I.3", 1),
    ]


def test_editing_a_published_table_keeps_the_links_in_its_draft(org, table, pledge):
    from scoring.services import editor

    first = pledge.items.first()
    pledge_links_set(cluster=org.cluster, table=table, links={first.pk: _crit(table, "I.2")})

    draft = editor.table_edit_published(table=table, user=org.staff)

    link = PledgeItemCriterion.objects.get(table=draft)
    assert (link.item_id, link.criterion.code, link.criterion.table_id) == (
        first.pk,
        "I.2",
        draft.pk,
    )
