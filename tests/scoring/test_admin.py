"""The scoring admin: pages answer, figures are read-only, edits go through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from scoring.models import ScoreEntry, ScoreSheet, ScoreTable

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label == "scoring"]
)
def test_scoring_changelists_answer_200_to_an_administrator(client, org, table, sheets, model):
    client.force_login(org.admin)
    opts = model._meta

    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert response.status_code == 200


def test_score_table_add_page_answers_200(client, org):
    client.force_login(org.admin)

    assert client.get(reverse("admin:scoring_scoretable_add")).status_code == 200


def test_published_table_change_page_is_view_only(client, org, table):
    client.force_login(org.staff)

    page = client.get(reverse("admin:scoring_scoretable_change", args=[table.pk])).content.decode()

    assert "I.1. Tiêu chí I.1" in page
    assert 'name="title"' not in page


def test_unit_officer_cannot_see_scoring_admin(client, org, table):
    client.force_login(org.leader)

    response = client.get(reverse("admin:scoring_scoresheet_changelist"))

    assert response.status_code == 403


def _entry_post(sheet: ScoreSheet, changes: dict[str, dict[str, str]]) -> dict[str, str]:
    entries = list(sheet.entries.select_related("criterion").order_by("criterion__position"))
    data = {
        "status": sheet.status,
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": str(len(entries)),
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
    }
    for i, entry in enumerate(entries):
        data[f"entries-{i}-id"] = str(entry.pk)
        data[f"entries-{i}-sheet"] = str(sheet.pk)
        for field, value in changes.get(entry.criterion.code, {}).items():
            data[f"entries-{i}-{field}"] = value
    return data


def test_sheet_edit_in_admin_recomputes_the_figures(client, org, sheets):
    client.force_login(org.staff)
    sheet = sheets["L1"]

    response = client.post(
        reverse("admin:scoring_scoresheet_change", args=[sheet.pk]),
        _entry_post(sheet, {"I.1": {"input_points": "12,5"}}),
    )

    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.total == Decimal("12.50")
    assert sheet.entries.get(criterion__code="I.1").updated_by == org.staff


def test_sheet_edit_with_a_bad_value_stores_nothing(client, org, sheets):
    client.force_login(org.staff)
    sheet = sheets["L1"]

    response = client.post(
        reverse("admin:scoring_scoresheet_change", args=[sheet.pk]),
        _entry_post(sheet, {"I.2": {"numerator": "9", "denominator": "3"}}),
    )

    assert response.status_code == 200
    assert "I.2" in response.content.decode()
    assert ScoreEntry.objects.get(sheet=sheet, criterion__code="I.2").numerator is None


def test_table_publish_action_reports_problems(client, org):
    table = ScoreTable.objects.create(campaign=org.campaign, title="Trống")
    client.force_login(org.admin)

    response = client.post(
        reverse("admin:scoring_scoretable_changelist"),
        {"action": "publish", "_selected_action": [table.pk]},
        follow=True,
    )

    assert "Không thể ban hành Trống (v1): Thang bảng điểm chưa có tiêu chí nào." in (
        response.content.decode()
    )
    table.refresh_from_db()
    assert table.status == "draft"
