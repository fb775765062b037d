"""The six-month review's pages (scoring/views/periods.py) and the pages that name a
period with ``?period=six_month``: overview, grid, stage start, publish, ranking, my sheet,
minutes and the results export."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import docx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from clusters.enums import PeriodKind, Phase
from clusters.models import Period
from scoring import services, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import Publication, ReviewMeeting, ScoreSheet, ScoreTable
from scoring.services import periods

pytestmark = pytest.mark.django_db

D = Decimal
SIX = "?period=six_month"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def six(org, table):
    """The six-month review with its copied table published, in self-assessment."""
    period = periods.six_month_add(campaign=org.campaign)
    services.table_publish(table=ScoreTable.objects.get(period=period))
    return periods.period_set_phase(period=period, phase=Phase.SELF_ASSESSMENT)


def fill_all(sheet, i1):
    values = {
        "I.1": {"points": D(i1)},
        "I.2": {"numerator": 10, "denominator": 10},
        "I.3": {"numerator": 10, "denominator": 10},
        "B": {"count": 0},
        "T": {"points": D(0)},
        "V": {"violated": False},
    }
    services.sheet_fill(sheet=sheet, values=values)
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))


def test_six_month_add_page_adds_the_review_with_a_copy(client, org, table):
    client.force_login(org.staff)
    url = reverse("six_month_add", args=[org.campaign.pk])

    page = client.get(url)
    response = client.post(url, {"tables": "copy"})

    assert page.status_code == 200
    assert "Sơ kết 6 tháng đầu năm 2023" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_overview", args=[org.campaign.pk]) + SIX
    period = Period.objects.get(campaign=org.campaign, kind=PeriodKind.SIX_MONTH)
    assert period.phase == Phase.SETUP
    assert list(ScoreTable.objects.filter(period=period).values_list("title", "status")) == [
        ("Thang điểm cụm 1 — sơ kết 6 tháng", "draft")
    ]


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("member", 403)])
def test_six_month_add_refused_to_others(client, org, table, role, status):
    client.force_login(getattr(org, role))

    response = client.post(reverse("six_month_add", args=[org.campaign.pk]), {"tables": "own"})

    assert response.status_code == status
    assert not Period.objects.filter(kind=PeriodKind.SIX_MONTH).exists()


def test_overview_shows_both_reviews_and_moves_the_six_month_phase(client, org, six):
    client.force_login(org.staff)
    overview = reverse("campaign_overview", args=[org.campaign.pk])

    year_end_page = client.get(overview).content.decode()
    six_page = client.get(overview + SIX).content.decode()
    moved = client.post(
        reverse("period_phase", args=[org.campaign.pk]), {"phase": Phase.CLUSTER_SCORING}
    )

    assert 'data-period="six_month"' in year_end_page
    assert 'data-phase="setup"' in year_end_page  # the year-end review: the campaign's phase
    assert 'data-phase="self_assessment"' in six_page
    assert f'action="{reverse("period_phase", args=[org.campaign.pk])}"' in six_page
    assert moved.status_code == 302
    six.refresh_from_db()
    assert six.phase == Phase.CLUSTER_SCORING
    org.campaign.refresh_from_db()
    assert org.campaign.phase == Phase.SETUP


def test_period_phase_refused_to_a_cluster_leader(client, org, six):
    client.force_login(org.leader)

    response = client.post(
        reverse("period_phase", args=[org.campaign.pk]), {"phase": Phase.PUBLISHED}
    )

    assert response.status_code in (403, 404)
    six.refresh_from_db()
    assert six.phase == Phase.SELF_ASSESSMENT


def test_my_sheet_opens_the_six_month_self_assessment(client, org, six):
    client.force_login(org.member)

    response = client.get(reverse("my_sheet"))

    assert response.status_code == 200
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage=Stage.SELF)
    assert sheet.period_id == six.pk
    assert "Sơ kết 6 tháng đầu năm 2023" in response.content.decode()


def test_six_month_review_through_its_pages_to_published(client, org, six):
    for unit, i1 in ((org.leader_unit, 20), (org.deputy_unit, 10), (org.member_unit, 15)):
        sheet = services.sheet_get_or_create(
            cluster=org.cluster, unit=unit, stage=Stage.SELF, period=six
        )
        fill_all(sheet, i1)
    periods.period_set_phase(period=six, phase=Phase.CLUSTER_SCORING)
    client.force_login(org.leader)
    started = client.post(
        reverse("stage_start", args=[org.cluster.pk, Stage.CLUSTER]), {"period": "six_month"}
    )
    assert started["Location"] == reverse("grid", args=[org.cluster.pk, Stage.CLUSTER]) + SIX
    for sheet in ScoreSheet.objects.filter(period=six, stage=Stage.CLUSTER):
        fill_all(sheet, 20 if sheet.unit == org.member_unit else 10)
    grid_page = client.get(reverse("grid", args=[org.cluster.pk, Stage.CLUSTER]) + SIX)
    year_end_grid = client.get(reverse("grid", args=[org.cluster.pk, Stage.CLUSTER]))
    assert "Sơ kết 6 tháng đầu năm 2023" in grid_page.content.decode()
    assert grid_page.context["grid"].columns[0]["sheet"].period_id == six.pk
    assert year_end_grid.context["grid"].columns == []

    periods.period_set_phase(period=six, phase=Phase.FINAL_REVIEW)
    client.force_login(org.staff)
    client.post(reverse("stage_start", args=[org.cluster.pk, Stage.FINAL]), {"period": "six_month"})
    published = client.post(
        reverse("cluster_publish", args=[org.cluster.pk]), {"period": "six_month"}
    )

    assert published["Location"] == reverse("grid", args=[org.cluster.pk, Stage.FINAL]) + SIX
    assert workflow.is_published(org.cluster, six) is True
    assert workflow.is_published(org.cluster) is False
    assert list(Publication.objects.values_list("period__kind", "action")) == [
        ("six_month", "publish")
    ]
    assert set(
        ScoreSheet.objects.filter(period=six, stage=Stage.FINAL).values_list("status", flat=True)
    ) == {SheetStatus.LOCKED}
    client.force_login(org.member)
    ranking = client.get(reverse("ranking", args=[org.cluster.pk, Stage.FINAL]) + SIX)
    assert [(r.sheet.unit.code, r.sheet.total, r.sheet.rank) for r in ranking.context["rows"]] == [
        ("M1", D("60.00"), 1),
        ("D1", D("50.00"), 2),
        ("L1", D("50.00"), 2),
    ]
    minutes = client.get(reverse("minutes_docx", args=[org.cluster.pk]) + SIX)
    assert minutes["Content-Disposition"] == (
        'attachment; filename="bien-ban-cum-1-2023-so-ket-6-thang.docx"'
    )
    lines = [p.text for p in docx.Document(io.BytesIO(minutes.content)).paragraphs]
    assert "Sơ kết 6 tháng đầu năm 2023" in lines
    assert not any("tặng Cờ thi đua" in line for line in lines)
    final_m1 = ScoreSheet.objects.get(period=six, stage=Stage.FINAL, unit=org.member_unit)
    sheet_doc = client.get(reverse("sheet_docx", args=[final_m1.pk]))
    sheet_lines = [p.text for p in docx.Document(io.BytesIO(sheet_doc.content)).paragraphs]
    assert "Kỳ đánh giá: Sơ kết 6 tháng đầu năm 2023" in sheet_lines
    out = io.StringIO()
    call_command(
        "export_results",
        "--year=2023",
        f"--cluster={org.cluster.code}",
        "--stage=final",
        "--organiser=CAT",
        "--period=six_month",
        stdout=out,
    )
    document = json.loads(out.getvalue())
    assert (document["period"], [r["unit"] for r in document["results"]]) == (
        "six_month",
        ["M1", "D1", "L1"],
    )


def test_a_period_the_campaign_lacks_is_not_found(client, org, table):
    client.force_login(org.staff)

    response = client.get(reverse("campaign_overview", args=[org.campaign.pk]) + SIX)

    assert response.status_code == 404


def test_tables_page_creates_the_six_month_reviews_own_table(client, org, table):
    period = periods.six_month_add(campaign=org.campaign, tables=periods.OWN_TABLES)
    client.force_login(org.staff)

    page = client.get(reverse("campaign_tables", args=[org.campaign.pk]))
    response = client.post(
        reverse("campaign_table_create", args=[org.campaign.pk]),
        {"title": "Thang điểm sơ kết", "period": "six_month"},
    )

    assert 'name="period"' in page.content.decode()
    assert response.status_code == 302
    created = ScoreTable.objects.get(title="Thang điểm sơ kết")
    assert (created.period_id, created.status, created.version) == (period.pk, "draft", 1)


def test_a_published_six_month_tables_new_draft_stays_in_its_review(org, six):
    from scoring.services.editor import table_edit_published

    published = ScoreTable.objects.get(period=six)

    draft = table_edit_published(table=published, user=org.staff)

    assert (draft.period_id, draft.version, draft.previous_id) == (six.pk, 2, published.pk)
    assert services.table_for_cluster(org.cluster, six) == published
    assert services.table_for_cluster(org.cluster).period.kind == PeriodKind.YEAR_END


def test_unit_history_shows_each_review_of_a_year(client, org, six):
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF, period=six
    )
    fill_all(sheet, 12)
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    year_end = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )
    fill_all(year_end, 18)
    client.force_login(org.staff)

    response = client.get(reverse("report_unit_history", args=[org.member_unit.pk]))

    with translation.override("vi"):
        rows = [(r.period_label, r.sheet.stage, r.sheet.total) for r in response.context["rows"]]
    assert rows == [
        ("Sơ kết 6 tháng đầu năm 2023", "self", D("52.00")),
        ("Tổng kết năm 2023", "self", D("58.00")),
    ]


def test_cluster_report_of_the_six_month_review(client, org, six):
    for unit, i1 in ((org.leader_unit, 20), (org.member_unit, 5)):
        sheet = services.sheet_get_or_create(
            cluster=org.cluster, unit=unit, stage=Stage.SELF, period=six
        )
        fill_all(sheet, i1)
    client.force_login(org.staff)

    six_report = client.get(reverse("report_cluster", args=[org.cluster.pk]) + SIX + "&stage=self")
    year_end_report = client.get(reverse("report_cluster", args=[org.cluster.pk]) + "?stage=self")

    assert [(r.unit.code, r.sheet.total) for r in six_report.context["report"].rows] == [
        ("L1", D("60.00")),
        ("M1", D("45.00")),
    ]
    assert six_report.context["period_label"] == "Sơ kết 6 tháng đầu năm 2023"
    assert year_end_report.context["report"].rows == []


def test_table_import_page_stores_a_table_of_the_six_month_review(
    client, org, tmp_path, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from scoring.views import table_import
    from scoring.views.table_import import SESSION_KEY

    monkeypatch.setattr(table_import, "_folder", lambda: tmp_path)
    period = periods.six_month_add(campaign=org.campaign, tables=periods.OWN_TABLES)
    example = settings.BASE_DIR / "docs" / "examples" / "thang-bang-diem-cum-1.xlsx"
    client.force_login(org.staff)

    form = client.get(reverse("table_import", args=[org.campaign.pk]))
    client.post(
        reverse("table_import", args=[org.campaign.pk]),
        {
            "file": SimpleUploadedFile("bang.xlsx", example.read_bytes()),
            "clusters": [org.cluster.pk],
            "period": "six_month",
        },
    )
    token = next(iter(client.session[SESSION_KEY]))
    client.post(reverse("table_import_confirm", args=[org.campaign.pk, token]))

    assert 'id="import-period"' in form.content.decode()
    table = ScoreTable.objects.get()
    assert (table.period_id, table.status) == (period.pk, "draft")


def test_campaign_list_shows_the_six_month_reviews_phase(client, org, six):
    client.force_login(org.staff)

    response = client.get(reverse("campaign_list"))

    assert 'data-six-month-phase="self_assessment"' in response.content.decode()
    assert [c.six_month for c in response.context["campaigns"]] == [six]


def test_six_month_meeting_dates_the_six_month_minutes_only(client, org, six):
    periods.period_set_phase(period=six, phase=Phase.CLUSTER_SCORING)
    client.force_login(org.staff)

    response = client.post(
        reverse("minutes_meeting", args=[org.cluster.pk]) + SIX, {"held_on": "2023-07-10"}
    )

    assert response["Location"] == reverse("minutes_print", args=[org.cluster.pk]) + SIX
    assert list(ReviewMeeting.objects.values_list("period__kind", "held_on")) == [
        (PeriodKind.SIX_MONTH, dt.date(2023, 7, 10))
    ]
    minutes = client.get(reverse("minutes_docx", args=[org.cluster.pk]) + SIX)
    lines = [p.text for p in docx.Document(io.BytesIO(minutes.content)).paragraphs]
    assert any(line.startswith("Hôm nay, ngày 10 tháng 7 năm 2023, tại trụ sở") for line in lines)
