"""What the sheet page gives the phone's cards and the saves kept while the network is down
(issue 18 points 1 and 4): one set of inputs, each cell labelled for its card, the bar with the
total, band and submit button, its figures answered out of band by every row save, and the
status area the retries count in. The layout itself is tested in Chromium
(tests/e2e/test_phone.py, tests/e2e/test_pending_saves.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clusters.enums import Phase
from scoring import services
from scoring.enums import Stage
from scoring.models import ScoreEntry, ScoreSheet

D = Decimal
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def set_phase(org, phase: str) -> None:
    org.campaign.phase = phase
    org.campaign.save()


def entry(sheet: ScoreSheet, code: str) -> ScoreEntry:
    return sheet.entries.select_related("criterion").get(criterion__code=code)


def bar_figures(page: str) -> str:
    """The bar's figures as text, spaces collapsed."""
    found = re.search(r'<div id="bar-figures"[^>]*>(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.fixture
def mine(org, table):
    """The member unit's self-assessment, open."""
    set_phase(org, Phase.SELF_ASSESSMENT)
    return services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")


def test_sheet_page_labels_each_card_and_has_one_set_of_inputs(client, org, mine):
    client.force_login(org.member)
    page = client.get(reverse("my_sheet")).content.decode()
    i2 = entry(mine, "I.2")

    # Each input once, with its name for the card beside it.
    assert page.count(f'id="e{i2.pk}-numerator"') == 1
    assert page.count('name="numerator"') == 2  # I.2 and I.3
    assert f'<span class="input-name" aria-hidden="true">{vi("numerator")}</span>' in page
    # The cells a card shows with a caption.
    assert page.count(f'data-label="{vi("Max")}"') == 6
    assert page.count(f'data-label="{vi("Points")}"') == 6
    assert page.count(f'data-label="{vi("Comment")}"') == 6
    assert page.count(f'data-label="{vi("Evidence")}"') == 6
    # The bar: total of the whole table's maximum, band, submit (the submit form's button).
    assert bar_figures(page) == f"{vi('Total')} 0,00 / 75 Đạt"
    assert 'id="sheet-submit"' in page
    assert page.count('form="sheet-submit"') == 1
    # Where pending saves are counted, announced politely; the script that keeps them.
    assert re.search(r'<p [^>]*id="save-status" role="status" aria-live="polite"', page)
    assert "js/pending.js" in page


def test_row_save_answers_the_bar_figures_out_of_band(client, org, mine):
    client.force_login(org.member)
    i1 = entry(mine, "I.1")
    url = reverse("sheet_entry_save", args=[mine.pk, i1.pk])

    response = client.post(url, {"points": "12,5", "version": i1.version}, **HTMX)

    page = response.content.decode()
    assert '<div id="bar-figures" class="bar-figures" hx-swap-oob="true">' in page
    assert bar_figures(page) == f"{vi('Total')} 12,50 / 75 Đạt"
    assert ScoreSheet.objects.get(pk=mine.pk).total == D("12.50")


def test_the_same_save_sent_again_stores_nothing_more(client, org, mine):
    """A save retried after its answer was lost (same values, the version it was made on):
    answered as saved, with the current version, and no second change in the history."""
    client.force_login(org.member)
    i1 = entry(mine, "I.1")
    url = reverse("sheet_entry_save", args=[mine.pk, i1.pk])
    client.post(url, {"points": "12,5", "version": i1.version}, **HTMX)

    response = client.post(url, {"points": "12,5", "version": i1.version}, **HTMX)

    stored = entry(mine, "I.1")
    assert (stored.points, stored.version) == (D("12.50"), i1.version + 1)
    assert stored.history.filter(history_type="~").count() == 1
    page = response.content.decode()
    assert "HX-Retarget" not in response
    assert f'id="version-{i1.pk}" name="version" value="{i1.version + 1}"' in page
    assert bar_figures(page) == f"{vi('Total')} 12,50 / 75 Đạt"


def test_stale_save_carries_the_bar_figures_too(client, org, mine):
    i1 = entry(mine, "I.1")
    services.entry_update(entry=i1, values={"points": D(7)}, expected_version=i1.version)
    client.force_login(org.member)
    url = reverse("sheet_entry_save", args=[mine.pk, i1.pk])

    response = client.post(url, {"points": "9", "version": i1.version}, **HTMX)

    assert response["HX-Retarget"] == f"#row-{i1.pk}"
    page = response.content.decode()
    assert '<div id="bar-figures" class="bar-figures" hx-swap-oob="true">' in page
    assert bar_figures(page) == f"{vi('Total')} 7,00 / 75 Đạt"


def test_compared_stages_label_each_cards_points_by_stage(client, org, table, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)
    client.force_login(org.leader)

    page = client.get(reverse("sheet_detail", args=[sheets["M1"].pk])).content.decode()

    labels = re.findall(r'<td class="text-end col-points" data-label="([^"]+)"', page)
    assert labels == [vi("Self-assessment"), vi("Cluster scoring")] * 6


def test_read_only_sheet_has_the_bar_without_submit(client, org, mine):
    services.sheet_fill(sheet=mine, values={"I.1": {"points": D(3)}})
    services.recompute_scope(ScoreSheet.objects.filter(pk=mine.pk))
    set_phase(org, Phase.CLUSTER_SCORING)
    client.force_login(org.member)

    page = client.get(reverse("sheet_detail", args=[mine.pk])).content.decode()

    assert bar_figures(page) == f"{vi('Total')} 3,00 / 75 Đạt"
    assert 'form="sheet-submit"' not in page
    assert 'class="input-name"' not in page  # no inputs to name
