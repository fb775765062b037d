"""Reports (scoring/reports.py, scoring/views/reports.py): figures against hand-computed
data, Excel read back, roles, query counts."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scoring import reports, services
from scoring.enums import Stage

pytestmark = pytest.mark.django_db

D = Decimal


def fill(sheet, i1, i2, b=0, t=0, violated=False):
    """I.1 = i1 points, I.2 = i2/10 rate (threshold 100%: 20 when 10/10 else 0), I.3 10/10
    (20), B count b (1 each), T t points, V."""
    values = {
        "I.1": {"points": D(i1)},
        "I.2": {"numerator": i2, "denominator": 10},
        "I.3": {"numerator": 10, "denominator": 10},
        "B": {"count": b},
        "T": {"points": D(t)},
        "V": {"violated": violated},
    }
    for code, v in values.items():
        services.entry_update(entry=sheet.entries.get(criterion__code=code), values=v)
    sheet.refresh_from_db()
    return sheet


@pytest.fixture
def filled(org, sheets):
    # L1: I = 15 + 20 + 20 = 55, B 2, T 0 → 57
    # D1: I = 10 + 0 + 20 = 30, B 0, T 3 → 27
    # M1: I = 20 + 20 + 20 = 60, B 5, T 1 → 64
    fill(sheets["L1"], 15, 10, b=2)
    fill(sheets["D1"], 10, 5, t=3)
    fill(sheets["M1"], 20, 10, b=5, t=1)
    return sheets


def test_cluster_report_subtotals_average_best(org, filled):
    report = reports.cluster_report(org.cluster, Stage.CLUSTER)

    assert [a.code for a in report.areas] == ["I", "B", "T", "V"]
    assert [a.sign for a in report.areas] == ["", "+", "−", "−"]
    assert [(r.unit.code, r.sheet.total, r.areas) for r in report.rows] == [
        ("M1", D("64.00"), [D("60.00"), D("5.00"), D("1.00"), D("0.00")]),
        ("L1", D("57.00"), [D("55.00"), D("2.00"), D("0.00"), D("0.00")]),
        ("D1", D("27.00"), [D("30.00"), D("0.00"), D("3.00"), D("0.00")]),
    ]
    # (60 + 55 + 30) / 3 = 48.33; (5 + 2 + 0) / 3 = 2.33; (1 + 0 + 3) / 3 = 1.33
    assert report.average == [D("48.33"), D("2.33"), D("1.33"), D("0.00")]
    assert report.best == [D("60.00"), D("5.00"), D("3.00"), D("0.00")]
    assert report.average_total == D("49.33")  # (64 + 57 + 27) / 3
    assert report.best_total == D("64.00")


def test_report_cluster_page_and_xlsx_agree(client, org, filled):
    client.force_login(org.staff)
    url = reverse("report_cluster", args=[org.cluster.pk])

    page = client.get(url, {"stage": "cluster", "unit": "D1"})
    download = client.get(url, {"stage": "cluster", "format": "xlsx"})

    assert page.status_code == 200
    assert page.context["chosen"].unit.code == "D1"
    values = [(b.css, b.value) for b in page.context["chart"]["bars"]]
    assert values[:3] == [
        ("series-0", D("30.00")),
        ("series-1", D("48.33")),
        ("series-2", D("60.00")),
    ]
    assert download["Content-Type"].startswith("application/vnd.openxml")
    rows = list(load_workbook(io.BytesIO(download.content)).active.values)
    assert rows[1][:4] == (1, "M1", org.member_unit.name, 60)
    assert [r[1] for r in rows[1:4]] == ["M1", "L1", "D1"]
    assert rows[3][3:7] == (30, 0, 3, 0)
    assert rows[4][3] == pytest.approx(48.33)
    assert rows[5][3] == 60


def test_report_pages_render_for_staff(client, org, filled):
    client.force_login(org.staff)

    for url in [
        reverse("report_province", args=[org.campaign.pk]) + "?stage=cluster",
        reverse("report_unit_history", args=[org.leader_unit.pk]),
        reverse("report_gaps", args=[org.cluster.pk]),
    ]:
        assert client.get(url).status_code == 200
        assert client.get(url + ("&" if "?" in url else "?") + "format=xlsx").status_code == 200
