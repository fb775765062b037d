"""What scoring tells people (scoring/notices.py): a returned sheet, an explanation
written, published results, a six-month review's phase opened (docs/notifications.md)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from clusters.enums import NoticeKind, Phase
from clusters.models import Notification
from scoring import services, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreSheet
from scoring.services.periods import OWN_TABLES, period_set_phase, six_month_add
from tests.scoring.test_documents import fill, set_phase

D = Decimal


def _told(kind: str) -> set[str]:
    rows = Notification.objects.filter(kind=kind)
    return set(rows.values_list("recipient__username", flat=True))


def test_returned_sheet_tells_its_unit_with_the_reason(org, table):
    set_phase(org, Phase.SELF_ASSESSMENT)
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.SUBMITTED)
    sheet.refresh_from_db()

    workflow.sheet_return(sheet=sheet, user=org.leader, comment="Thiếu minh chứng")

    (notice,) = Notification.objects.filter(kind=NoticeKind.SHEET_RETURNED)
    assert notice.recipient == org.member
    assert notice.url == reverse("sheet_detail", args=[sheet.pk])
    assert notice.params["comment"] == "Thiếu minh chứng"


def test_explanation_tells_the_cluster_leaders_once(org, table, sheets):
    set_phase(org, Phase.EXPLANATION)
    entry = sheets["M1"].entries.select_related("sheet", "criterion").get(criterion__code="I.1")

    workflow.explanation_write(entry=entry, user=org.member, text="Đã hoàn thành")
    workflow.explanation_write(entry=entry, user=org.member, text="Đã hoàn thành, có hồ sơ")

    assert _told(NoticeKind.EXPLANATION_ANSWERED) == {"leader", "deputy"}
    assert Notification.objects.filter(kind=NoticeKind.EXPLANATION_ANSWERED).count() == 2
    notice = Notification.objects.filter(kind=NoticeKind.EXPLANATION_ANSWERED).first()
    assert notice.url == reverse("grid", args=[org.cluster.pk, Stage.CLUSTER])
    assert notice.params["criterion"] == "I.1"


def test_published_results_tell_the_clusters_units_only(org, table, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    for code in ("L1", "D1", "M1"):
        fill(sheets[code], "10")
    set_phase(org, Phase.FINAL_REVIEW)
    workflow.stage_start(cluster=org.cluster, stage=Stage.FINAL, user=org.admin)

    workflow.cluster_publish(cluster=org.cluster, user=org.staff)

    assert _told(NoticeKind.RESULTS_PUBLISHED) == {"leader", "deputy", "member"}


def test_six_month_phase_opened_tells_the_campaigns_units(org, table):
    period = six_month_add(campaign=org.campaign, tables=OWN_TABLES)

    period_set_phase(period=period, phase=Phase.SELF_ASSESSMENT, user=org.staff)
    period_set_phase(period=period, phase=Phase.SELF_ASSESSMENT, user=org.staff)

    assert _told(NoticeKind.PHASE_OPENED) == {"leader", "deputy", "member", "outsider"}
    notice = Notification.objects.filter(kind=NoticeKind.PHASE_OPENED).first()
    assert notice.params["period"] == "six_month"
