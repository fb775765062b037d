"""The six-month review's grid as an Excel template (``?period=six_month``): downloaded,
filled, previewed and confirmed into the review's sheets, never the year-end review's; a
template of one review is refused by the other's upload."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from clusters.enums import PeriodKind, Phase
from jobs.models import JobProgress
from scoring import services
from scoring.enums import Stage
from scoring.interchange import ScoringFileError, scores_import
from scoring.models import ScoreEntry, ScoreSheet, ScoreTable
from scoring.services import periods

pytestmark = pytest.mark.django_db

D = Decimal
SIX = "?period=six_month"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


@pytest.fixture
def six(org, table):
    """The six-month review (its copied table published) in cluster scoring, with the
    cluster stage's sheets; the year-end review has cluster sheets too."""
    period = periods.six_month_add(campaign=org.campaign)
    services.table_publish(table=ScoreTable.objects.get(period=period))
    period = periods.period_set_phase(period=period, phase=Phase.CLUSTER_SCORING)
    for unit in (org.leader_unit, org.deputy_unit, org.member_unit):
        services.sheet_get_or_create(
            cluster=org.cluster, unit=unit, stage=Stage.CLUSTER, period=period
        )
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.CLUSTER)
    return period


def _cell(ws, key: str, unit_code: str):
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == unit_code)
    return ws.cell(row, col)


def _upload(wb) -> SimpleUploadedFile:
    stream = io.BytesIO()
    wb.save(stream)
    return SimpleUploadedFile("so-ket.xlsx", stream.getvalue(), content_type=XLSX)


def _urls(org):
    pk = org.cluster.pk
    return {
        "grid": reverse("grid", args=[pk, Stage.CLUSTER]),
        "xlsx": reverse("grid_xlsx", args=[pk, Stage.CLUSTER]),
        "upload": reverse("grid_upload", args=[pk, Stage.CLUSTER]),
    }


def test_six_month_grid_round_trip_through_excel(client, org, six):
    urls = _urls(org)
    client.force_login(org.leader)

    grid_page = client.get(urls["grid"] + SIX).content.decode()
    downloaded = client.get(urls["xlsx"] + SIX)
    wb = load_workbook(io.BytesIO(downloaded.content))
    ws = wb.active
    _cell(ws, "I.1|points", "M1").value = 15
    _cell(ws, "B|count", "D1").value = 2
    preview = client.post(urls["upload"] + SIX, {"file": _upload(wb)})
    plan = preview.context["plan"]
    confirm = preview.context["confirm_url"]
    stored = client.post(confirm)

    assert f'href="{urls["upload"]}{SIX}"' in grid_page
    assert downloaded["Content-Disposition"] == ('attachment; filename="C1-cluster-six_month.xlsx"')
    assert ws.cell(1, 1).value.split("|")[1:] == [org.cluster.code, "cluster", "six_month"]
    assert [(c.unit_code, c.code, c.field, c.old, c.new) for c in plan.changes] == [
        ("M1", "I.1", "points", "—", "15"),
        ("D1", "B", "count", "—", "2"),
    ]
    assert confirm.endswith(SIX)
    assert stored.status_code == 302
    assert stored.url == urls["grid"] + SIX
    six_m1 = ScoreEntry.objects.get(
        sheet__period=six, sheet__unit=org.member_unit, criterion__code="I.1"
    )
    assert six_m1.input_points == D("15")
    assert six_m1.sheet.base == D("15.00")
    assert (
        ScoreEntry.objects.get(
            sheet__period=six, sheet__unit=org.deputy_unit, criterion__code="B"
        ).count
        == 2
    )
    # The year-end review's sheets are untouched.
    year_end = ScoreSheet.objects.exclude(period=six).filter(stage=Stage.CLUSTER)
    assert sorted(year_end.values_list("unit__code", flat=True)) == ["D1", "L1", "M1"]
    assert not ScoreEntry.objects.filter(sheet__in=year_end, input_points__isnull=False).exists()
    assert not ScoreEntry.objects.filter(sheet__in=year_end, count__isnull=False).exists()


def test_a_template_of_one_review_is_refused_by_the_other(client, org, six):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages are asserted in English
    urls = _urls(org)
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    client.force_login(org.leader)
    six_wb = load_workbook(io.BytesIO(client.get(urls["xlsx"] + SIX).content))
    year_wb = load_workbook(io.BytesIO(client.get(urls["xlsx"]).content))
    _cell(six_wb.active, "I.1|points", "M1").value = 15
    _cell(year_wb.active, "I.1|points", "M1").value = 15
    refused = "This template belongs to the other review (six-month or year-end)"

    six_to_year = client.post(urls["upload"], {"file": _upload(six_wb)})
    year_to_six = client.post(urls["upload"] + SIX, {"file": _upload(year_wb)})

    assert (six_to_year.status_code, year_to_six.status_code) == (422, 422)
    assert [e.message.startswith(refused) for e in six_to_year.context["plan"].errors] == [True]
    assert [e.message.startswith(refused) for e in year_to_six.context["plan"].errors] == [True]
    assert not ScoreEntry.objects.filter(input_points__isnull=False).exists()


# --- thidua.scores/1 files of the six-month review ---------------------------------------


def _scores(org, period: str | None) -> dict:
    document = {
        "format": "thidua.scores/1",
        "organiser": "CAT",
        "year": 2023,
        "cluster": org.cluster.code,
        "stage": "cluster",
        "sheets": [{"unit": "M1", "entries": {"I.1": {"points": "12.5"}}}],
    }
    if period is not None:
        document["period"] = period
    return document


def test_scores_file_of_the_six_month_review_fills_its_sheets(org, six):
    summary = scores_import(_scores(org, "six_month"), source="so-ket.json")

    assert (summary.sheets_updated, summary.entries) == (["M1"], 1)
    six_entry = ScoreEntry.objects.get(
        sheet__period=six,
        sheet__stage=Stage.CLUSTER,
        sheet__unit=org.member_unit,
        criterion__code="I.1",
    )
    year_entry = ScoreEntry.objects.exclude(sheet__period=six).get(
        sheet__stage=Stage.CLUSTER, sheet__unit=org.member_unit, criterion__code="I.1"
    )
    assert (six_entry.input_points, six_entry.sheet.base) == (D("12.5"), D("12.50"))
    assert year_entry.input_points is None


def test_scores_file_without_period_is_the_year_end_reviews(org, six):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()

    scores_import(_scores(org, None), source="tong-ket.json")

    filled = ScoreEntry.objects.filter(input_points=D("12.5"))
    assert [e.sheet.period.kind for e in filled] == ["year_end"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("quarter", 'so-ket.json: period: must be one of six_month, year_end, not "quarter"'),
        ("six_month", "so-ket.json: period: the campaign 2023 has no six-month review"),
    ],
)
def test_scores_file_with_an_unknown_review_is_refused(org, table, period, message):
    with pytest.raises(ScoringFileError) as refused:
        scores_import(_scores(org, period), source="so-ket.json")

    assert refused.value.errors == [message]
    assert not ScoreSheet.objects.exists()


# --- The background export of every cluster's results ----------------------------------


def test_background_export_of_the_six_month_review(client, org, six, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ScoreSheet.objects.filter(period=six, unit=org.member_unit).update(base=D(42), total=D(42))
    ScoreSheet.objects.exclude(period=six).filter(unit=org.member_unit).update(total=D(7))
    client.force_login(org.staff)
    overview = client.get(reverse("campaign_overview", args=[org.campaign.pk]) + SIX)
    export = reverse("job_start_export", args=[org.campaign.pk, Stage.CLUSTER])

    started = client.post(export, {"period": "six_month"})
    year_end = client.post(export)

    six_job, year_job = (
        JobProgress.objects.get(period="six_month"),
        JobProgress.objects.get(period="year_end"),
    )
    assert f'action="{export}"' in overview.content.decode()
    assert 'name="period" value="six_month"' in overview.content.decode()
    assert started.status_code == year_end.status_code == 302
    assert six_job.file.name.endswith("-cluster-six_month.xlsx")
    assert year_job.file.name.endswith(f"-{org.campaign.year}-cluster.xlsx")

    def totals(job):
        with job.file.open("rb") as handle:
            rows = list(load_workbook(io.BytesIO(handle.read())).worksheets[0].values)
        column = rows[0].index("total")
        return {row[0]: row[column] for row in rows[1:]}

    detail = client.get(reverse("job_detail", args=[six_job.pk]))
    with translation.override(settings.LANGUAGE_CODE):  # the page's language
        shown = f"{Stage.CLUSTER.label} · {PeriodKind.SIX_MONTH.label}"
    assert detail.context["job"].stage_label == shown
    assert shown in detail.content.decode()
    assert D(str(totals(six_job)["M1"])) == D("42")
    assert D(str(totals(year_job)["M1"])) == D("7")
