"""The unit's sheet page: who may see and do what, saving rows, submitting and returning,
explanations, evidence, history, and a fixed number of queries whatever the table's size."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from clusters.enums import MemberRole, Phase
from scoring import services
from scoring.enums import SheetStatus, Stage
from scoring.models import Evidence, Explanation, ScoreEntry, ScoreSheet, UnitTarget
from tests.factories import MembershipFactory, UnitFactory, UserFactory

D = Decimal
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ROLES = ["admin", "staff", "leader", "deputy", "member", "outsider"]

FULL = {
    "I.1": {"points": D("15")},
    "I.2": {"numerator": 50, "denominator": 50},
    "I.3": {"numerator": 45, "denominator": 50},
    "B": {"count": 2},
    "T": {"points": D("1")},
    "V": {"violated": False},
}


def set_phase(org, phase):
    org.campaign.phase = phase
    org.campaign.save()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def own(org, table):
    """Self-assessment open; the three members' self sheets, by unit code."""
    set_phase(org, Phase.SELF_ASSESSMENT)
    units = [org.leader_unit, org.deputy_unit, org.member_unit]
    return {
        u.code: services.sheet_get_or_create(cluster=org.cluster, unit=u, stage=Stage.SELF)
        for u in units
    }


def entry(sheet, code) -> ScoreEntry:
    return sheet.entries.select_related("criterion").get(criterion__code=code)


def fill(sheet, values=FULL):
    services.sheet_fill(sheet=sheet, values=values)
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))


def save_url(sheet, code):
    return reverse("sheet_entry_save", args=[sheet.pk, entry(sheet, code).pk])


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def in_vietnamese(text):
    with translation.override("vi"):
        return translation.gettext(text)


# --- Who may see and do what -----------------------------------------------------------------


def test_sheet_detail_anonymous_redirects_to_login(client, own):
    response = client.get(reverse("sheet_detail", args=[own["M1"].pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_sheet_detail_matrix(client, org, own, who, status):
    client.force_login(getattr(org, who))

    response = client.get(reverse("sheet_detail", args=[own["M1"].pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    "name",
    ["sheet_detail", "sheet_history"],
)
def test_sheet_pages_refuse_post_with_405(client, org, own, name):
    client.force_login(org.member)

    assert client.post(reverse(name, args=[own["M1"].pk])).status_code == 405


@pytest.mark.parametrize(
    "name",
    ["sheet_entry_save", "sheet_submit", "sheet_return"],
)
def test_sheet_actions_refuse_get_with_405(client, org, own, name):
    client.force_login(org.member)
    sheet = own["M1"]
    args = [sheet.pk, entry(sheet, "I.1").pk] if name == "sheet_entry_save" else [sheet.pk]

    assert client.get(reverse(name, args=args)).status_code == 405


@pytest.mark.parametrize("name", ["entry_explain", "evidence_upload"])
def test_entry_actions_refuse_get_with_405(client, org, own, name):
    client.force_login(org.member)

    assert client.get(reverse(name, args=[entry(own["M1"], "I.1").pk])).status_code == 405


def test_my_sheet_and_downloads_refuse_post_with_405(client, org, own, media):
    client.force_login(org.member)
    evidence = Evidence.objects.create(
        entry=entry(own["M1"], "I.1"), file=ContentFile(PDF, name="a.pdf")
    )

    assert client.post(reverse("my_sheet")).status_code == 405
    assert client.post(reverse("evidence_download", args=[evidence.pk])).status_code == 405
    assert client.post(reverse("entry_history", args=[evidence.entry_id])).status_code == 405


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 403),
        ("staff", 403),
        ("leader", 403),
        ("deputy", 403),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_entry_save_matrix(client, org, own, who, status):
    client.force_login(getattr(org, who))
    sheet = own["M1"]

    response = client.post(save_url(sheet, "I.1"), {"points": "9", "version": "1"}, **HTMX)

    assert response.status_code == status
    assert entry(sheet, "I.1").input_points == (D(9) if status == 200 else None)


@pytest.mark.parametrize(
    ("who", "status", "after"),
    [
        ("admin", 403, SheetStatus.DRAFT),
        ("staff", 403, SheetStatus.DRAFT),
        ("leader", 403, SheetStatus.DRAFT),
        ("deputy", 403, SheetStatus.DRAFT),
        ("member", 302, SheetStatus.SUBMITTED),
        ("outsider", 404, SheetStatus.DRAFT),
    ],
)
def test_submit_matrix(client, org, own, who, status, after):
    fill(own["M1"])
    client.force_login(getattr(org, who))

    response = client.post(reverse("sheet_submit", args=[own["M1"].pk]))

    assert response.status_code == status
    own["M1"].refresh_from_db()
    assert own["M1"].status == after


@pytest.mark.parametrize(
    ("who", "status", "after"),
    [
        ("admin", 302, SheetStatus.RETURNED),
        ("staff", 302, SheetStatus.RETURNED),
        ("leader", 302, SheetStatus.RETURNED),
        ("deputy", 302, SheetStatus.RETURNED),
        ("member", 403, SheetStatus.SUBMITTED),
        ("outsider", 404, SheetStatus.SUBMITTED),
    ],
)
def test_return_matrix(client, org, own, who, status, after):
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(getattr(org, who))

    response = client.post(
        reverse("sheet_return", args=[own["M1"].pk]), {"comment": "Bổ sung biên bản"}
    )

    assert response.status_code == status
    own["M1"].refresh_from_db()
    assert own["M1"].status == after


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_history_pages_matrix(client, org, own, who, status):
    client.force_login(getattr(org, who))
    sheet = own["M1"]

    sheet_page = client.get(reverse("sheet_history", args=[sheet.pk]))
    entry_page = client.get(reverse("entry_history", args=[entry(sheet, "I.1").pk]))

    assert (sheet_page.status_code, entry_page.status_code) == (status, status)


# --- My sheet --------------------------------------------------------------------------------


def test_my_sheet_creates_the_self_assessment_while_it_is_open(client, org, table):
    set_phase(org, Phase.SELF_ASSESSMENT)
    client.force_login(org.member)

    response = client.get(reverse("my_sheet"))

    assert response.status_code == 200
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage=Stage.SELF)
    assert response.context["sheet"] == sheet
    assert sheet.entries.count() == 6
    assert response.context["can_edit"] is True


def test_my_sheet_shows_the_existing_sheet_after_the_phase(client, org, own):
    set_phase(org, Phase.CLUSTER_SCORING)
    client.force_login(org.member)

    response = client.get(reverse("my_sheet"))

    assert response.context["sheet"] == own["M1"]
    assert response.context["can_edit"] is False


@pytest.mark.parametrize(
    ("phase", "with_table", "reason"),
    [
        (Phase.SIGNING, True, "not_open"),
        (Phase.SELF_ASSESSMENT, False, "no_table"),
    ],
)
def test_my_sheet_says_why_there_is_none(client, org, phase, with_table, reason, request):
    if with_table:
        request.getfixturevalue("table")
    set_phase(org, phase)
    client.force_login(org.member)

    response = client.get(reverse("my_sheet"))

    assert response.status_code == 200
    assert response.context["reason"] == reason
    assert not ScoreSheet.objects.exists()


def test_my_sheet_for_a_unit_in_no_cluster(client, org):
    user = UserFactory(username="lonely", unit=UnitFactory(code="X9"))
    client.force_login(user)

    response = client.get(reverse("my_sheet"))

    assert response.context["reason"] == "no_cluster"


def test_my_sheet_for_staff_has_no_sheet(client, org, own):
    client.force_login(org.staff)

    response = client.get(reverse("my_sheet"))

    assert response.context["reason"] == "not_officer"


def test_nav_shows_my_sheet_to_unit_officers_only(client, org):
    client.force_login(org.member)
    member_page = client.get(reverse("home")).content.decode()
    client.force_login(org.staff)
    staff_page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("my_sheet")}"' in member_page
    assert f'href="{reverse("my_sheet")}"' not in staff_page


# --- Saving a row ----------------------------------------------------------------------------


def test_entry_save_stores_the_parsed_values_and_answers_points_and_total(client, org, own):
    client.force_login(org.member)
    sheet = own["M1"]

    response = client.post(
        save_url(sheet, "I.1"),
        {"points": "12,5", "comment": " Có biên bản ", "version": "1"},
        **HTMX,
    )

    saved = entry(sheet, "I.1")
    assert (saved.input_points, saved.comment, saved.points, saved.version) == (
        D("12.5"),
        "Có biên bản",
        D("12.5"),
        2,
    )
    page = response.content.decode()
    assert f'id="points-{saved.pk}"' in page
    assert "12,5" in page
    assert 'id="sheet-summary"' in page
    assert 'hx-swap-oob="true"' in page
    assert f'id="version-{saved.pk}" name="version" value="2"' in page
    sheet.refresh_from_db()
    assert sheet.total == D("12.5")
    assert '<span id="total-self" hx-swap-oob="true">12,50</span>' in page
    group = sheet.table.criteria.get(code="I")
    assert f'<span id="subtotal-self-{group.pk}" hx-swap-oob="true">12,50</span>' in page


def test_entry_save_of_a_rate_stores_both_inputs(client, org, own):
    client.force_login(org.member)
    sheet = own["M1"]

    client.post(
        save_url(sheet, "I.2"), {"numerator": "50", "denominator": "50", "version": "1"}, **HTMX
    )

    saved = entry(sheet, "I.2")
    assert (saved.numerator, saved.denominator, saved.points) == (50, 50, D(20))


def test_entry_save_of_half_a_pair_stores_nothing_and_waits(client, org, own):
    client.force_login(org.member)
    sheet = own["M1"]

    response = client.post(
        save_url(sheet, "I.2"), {"numerator": "50", "denominator": "", "version": "1"}, **HTMX
    )

    saved = entry(sheet, "I.2")
    assert (saved.numerator, saved.denominator, saved.version) == (None, None, 1)
    assert "I.2" in response.content.decode()


@pytest.mark.parametrize(
    ("code", "data"),
    [
        ("I.2", {"numerator": "60", "denominator": "50"}),
        ("I.1", {"points": "abc"}),
        ("I.1", {"points": "25"}),
    ],
)
def test_entry_save_of_a_bad_value_shows_the_message_and_stores_nothing(
    client, org, own, code, data
):
    client.force_login(org.member)
    sheet = own["M1"]

    response = client.post(save_url(sheet, code), {**data, "version": "1"}, **HTMX)

    assert response.status_code == 200
    saved = entry(sheet, code)
    assert (saved.input_points, saved.numerator, saved.denominator, saved.version) == (
        None,
        None,
        None,
        1,
    )
    notes = re.search(
        rf'id="msg-{saved.pk}" class="([^"]*)"[^>]*>(.*?)</div></div>', response.content.decode()
    )
    assert "level-danger" in notes[1]
    assert notes[2].startswith(f"<div>{code}: ")


def test_entry_save_with_a_stale_version_shows_the_newer_value(client, org, own):
    sheet = own["M1"]
    services.entry_update(entry=entry(sheet, "I.1"), values={"points": D(7)}, expected_version=1)
    client.force_login(org.member)

    response = client.post(save_url(sheet, "I.1"), {"points": "9", "version": "1"}, **HTMX)

    saved = entry(sheet, "I.1")
    assert saved.input_points == D(7)
    assert response["HX-Retarget"] == f"#row-{saved.pk}"
    page = response.content.decode()
    assert 'name="points" value="7"' in page
    assert in_vietnamese("Someone else changed this score first; the newer value is shown.") in page


def test_entry_save_without_htmx_redirects_with_a_message(client, org, own):
    client.force_login(org.member)
    sheet = own["M1"]

    response = client.post(save_url(sheet, "I.1"), {"points": "abc", "version": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("sheet_detail", args=[sheet.pk])
    assert any("I.1" in text for text in texts(response))


def test_entry_save_on_a_locked_sheet_is_refused(client, org, own):
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.LOCKED)
    client.force_login(org.member)

    response = client.post(save_url(own["M1"], "I.1"), {"points": "9", "version": "1"}, **HTMX)

    assert response.status_code == 403
    assert entry(own["M1"], "I.1").input_points is None


def test_entry_save_on_a_submitted_sheet_is_refused(client, org, own):
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(org.member)

    response = client.post(save_url(own["M1"], "I.1"), {"points": "9", "version": "1"}, **HTMX)

    assert response.status_code == 403
    assert entry(own["M1"], "I.1").input_points is None


def test_entry_save_of_another_sheets_entry_changes_nothing(client, org, own):
    client.force_login(org.member)
    other = entry(own["D1"], "I.1")

    response = client.post(
        reverse("sheet_entry_save", args=[own["M1"].pk, other.pk]),
        {"points": "9", "version": "1"},
        **HTMX,
    )

    assert response.status_code == 404
    assert entry(own["D1"], "I.1").input_points is None


def test_entry_save_on_another_units_sheet_changes_nothing(client, org, own):
    client.force_login(org.member)

    response = client.post(save_url(own["L1"], "I.1"), {"points": "9", "version": "1"}, **HTMX)

    assert response.status_code == 404
    assert entry(own["L1"], "I.1").input_points is None


def test_entry_save_without_a_version_is_a_bad_request(client, org, own):
    client.force_login(org.member)

    response = client.post(save_url(own["M1"], "I.1"), {"points": "9"}, **HTMX)

    assert response.status_code == 400
    assert entry(own["M1"], "I.1").input_points is None


def test_entry_save_records_who_in_the_history(client, org, own):
    client.force_login(org.member)

    client.post(save_url(own["M1"], "I.1"), {"points": "9", "version": "1"}, **HTMX)

    record = entry(own["M1"], "I.1").history.first()
    assert (record.history_user, record.input_points) == (org.member, D(9))


# --- The page ------------------------------------------------------------------------------


def test_sheet_page_shows_each_kinds_inputs_and_the_units_target(client, org, own):
    UnitTarget.objects.create(
        criterion=own["M1"].table.criteria.get(code="I.3"), unit=org.member_unit, target=D(80)
    )
    client.force_login(org.member)

    response = client.get(reverse("sheet_detail", args=[own["M1"].pk]))

    rows = {r.criterion.code: r for r in response.context["rows"]}
    assert [i.name for i in rows["I.2"].inputs] == ["numerator", "denominator"]
    assert [i.name for i in rows["B"].inputs] == ["count"]
    assert [i.name for i in rows["V"].inputs] == ["violated"]
    assert (rows["I.2"].target, rows["I.2"].own_target) == (D(100), False)
    assert (rows["I.3"].target, rows["I.3"].own_target) == (D(80), True)
    page = response.content.decode()
    assert 'inputmode="decimal"' in page
    assert 'inputmode="numeric"' in page
    assert 'hx-trigger="change"' in page


def test_sheet_page_is_read_only_for_the_clusters_leader(client, org, own):
    client.force_login(org.leader)

    response = client.get(reverse("sheet_detail", args=[own["M1"].pk]))

    assert response.context["can_edit"] is False
    assert "hx-post" not in response.content.decode()


def test_sheet_page_shows_the_return_comment(client, org, own):
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(
        status=SheetStatus.RETURNED, return_comment="Thiếu biên bản kiểm tra"
    )
    client.force_login(org.member)

    response = client.get(reverse("sheet_detail", args=[own["M1"].pk]))

    assert "Thiếu biên bản kiểm tra" in response.content.decode()
    assert response.context["can_edit"] is True


# --- Submitting and returning --------------------------------------------------------------


def test_submit_of_an_incomplete_sheet_is_refused_listing_the_criteria(client, org, own):
    fill(own["M1"], {"I.1": {"points": D(10)}, "V": {"violated": False}})
    client.force_login(org.member)

    response = client.post(reverse("sheet_submit", args=[own["M1"].pk]))

    own["M1"].refresh_from_db()
    assert own["M1"].status == SheetStatus.DRAFT
    assert any("I.2, I.3, B, T" in text for text in texts(response))


def test_submit_records_who_and_why_in_the_history(client, org, own):
    fill(own["M1"])
    client.force_login(org.member)

    client.post(reverse("sheet_submit", args=[own["M1"].pk]))

    record = own["M1"].history.first()
    assert (record.status, record.history_user, record.history_change_reason) == (
        SheetStatus.SUBMITTED,
        org.member,
        in_vietnamese("Submitted"),
    )


def test_return_records_the_comment_as_the_reason(client, org, own):
    fill(own["M1"])
    services_sheet = own["M1"]
    ScoreSheet.objects.filter(pk=services_sheet.pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(org.leader)

    response = client.post(
        reverse("sheet_return", args=[services_sheet.pk]),
        {"comment": "Bổ sung biên bản", "next": "/my-sheet/"},
    )

    services_sheet.refresh_from_db()
    assert (services_sheet.status, services_sheet.return_comment) == (
        SheetStatus.RETURNED,
        "Bổ sung biên bản",
    )
    record = services_sheet.history.first()
    assert (record.history_user, record.history_change_reason) == (org.leader, "Bổ sung biên bản")
    assert response["Location"] == "/my-sheet/"


def test_return_without_a_comment_is_refused(client, org, own):
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(org.leader)

    client.post(reverse("sheet_return", args=[own["M1"].pk]), {"comment": "  "})

    own["M1"].refresh_from_db()
    assert own["M1"].status == SheetStatus.SUBMITTED


def test_return_ignores_an_outside_next(client, org, own):
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(org.leader)

    response = client.post(
        reverse("sheet_return", args=[own["M1"].pk]),
        {"comment": "Sửa lại", "next": "https://example.com/"},
    )

    assert response["Location"] == reverse("sheet_detail", args=[own["M1"].pk])


def test_returned_sheet_can_be_edited_and_submitted_again(client, org, own):
    fill(own["M1"])
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.RETURNED)
    client.force_login(org.member)

    client.post(save_url(own["M1"], "I.1"), {"points": "16", "version": "2"}, **HTMX)
    client.post(reverse("sheet_submit", args=[own["M1"].pk]))

    own["M1"].refresh_from_db()
    assert (own["M1"].status, entry(own["M1"], "I.1").input_points) == (
        SheetStatus.SUBMITTED,
        D(16),
    )


# --- Explanations ----------------------------------------------------------------------------


@pytest.fixture
def disputed(org, own, sheets):
    """M1 scored itself 15 on I.1 and 20 on I.2; the cluster gave 10 and 20."""
    fill(own["M1"])
    fill(sheets["M1"], {**FULL, "I.1": {"points": D(10)}})
    set_phase(org, Phase.EXPLANATION)
    return {"self": own["M1"], "cluster": sheets["M1"]}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 403),
        ("staff", 403),
        ("leader", 403),
        ("deputy", 403),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_explain_matrix(client, org, disputed, who, status):
    client.force_login(getattr(org, who))

    response = client.post(
        reverse("entry_explain", args=[entry(disputed["cluster"], "I.1").pk]),
        {"text": "Đơn vị có biên bản"},
        **HTMX,
    )

    assert response.status_code == status
    assert Explanation.objects.count() == (1 if status == 200 else 0)


def test_explain_stores_the_text_and_its_history(client, org, disputed):
    client.force_login(org.member)
    target = entry(disputed["cluster"], "I.1")

    response = client.post(
        reverse("entry_explain", args=[target.pk]), {"text": "Đơn vị có biên bản"}, **HTMX
    )

    explanation = Explanation.objects.get(entry=target)
    assert (explanation.text, explanation.author) == ("Đơn vị có biên bản", org.member)
    assert "Đơn vị có biên bản" in response.content.decode()
    assert explanation.history.first().history_user == org.member


def test_explain_is_refused_where_the_cluster_did_not_score_lower(client, org, disputed):
    client.force_login(org.member)

    response = client.post(
        reverse("entry_explain", args=[entry(disputed["cluster"], "I.2").pk]),
        {"text": "Không cần"},
        **HTMX,
    )

    assert response.status_code == 403
    assert not Explanation.objects.exists()


def test_explain_is_refused_after_the_explanation_phase(client, org, disputed):
    set_phase(org, Phase.FINAL_REVIEW)
    client.force_login(org.member)

    response = client.post(
        reverse("entry_explain", args=[entry(disputed["cluster"], "I.1").pk]),
        {"text": "Muộn"},
        **HTMX,
    )

    assert response.status_code == 403
    assert not Explanation.objects.exists()


def test_explain_of_the_self_sheet_entry_is_refused(client, org, disputed):
    client.force_login(org.member)

    response = client.post(
        reverse("entry_explain", args=[entry(disputed["self"], "I.1").pk]), {"text": "Sai chỗ"}
    )

    assert response.status_code == 403


def test_compare_mode_shows_stages_side_by_side_and_explains_only_lower_scores(
    client, org, disputed
):
    client.force_login(org.member)

    response = client.get(reverse("my_sheet"))

    assert response.context["compare"] is True
    assert [s for s, _, _ in response.context["stage_sheets"]] == ["self", "cluster"]
    rows = {r.criterion.code: r for r in response.context["rows"]}
    assert [c.points for c in rows["I.1"].cells] == [D(15), D(10)]
    assert rows["I.1"].cells[1].diff == "diff-down"
    assert [code for code, row in rows.items() if row.can_explain] == ["I.1"]
    assert 'class="points diff-down"' in response.content.decode()


def test_compare_mode_marks_a_higher_cluster_score(client, org, disputed):
    ScoreEntry.objects.filter(pk=entry(disputed["cluster"], "T").pk).update(points=D(3))
    client.force_login(org.leader)

    response = client.get(reverse("sheet_detail", args=[disputed["cluster"].pk]))

    rows = {r.criterion.code: r for r in response.context["rows"]}
    assert rows["T"].cells[1].diff == "diff-up"
    assert rows["I.1"].can_explain is False


def test_self_assessment_phase_has_no_compare_for_the_unit(client, org, own, sheets):
    client.force_login(org.member)

    response = client.get(reverse("my_sheet"))

    assert response.context["compare"] is False


# --- Evidence ----------------------------------------------------------------------------


def upload(client, sheet, content, name="bien-ban.pdf"):
    return client.post(
        reverse("evidence_upload", args=[entry(sheet, "I.1").pk]),
        {"file": SimpleUploadedFile(name, content), "description": "Biên bản"},
        **HTMX,
    )


def test_evidence_pdf_upload_is_accepted(client, org, own, media):
    client.force_login(org.member)

    response = upload(client, own["M1"], PDF)

    evidence = Evidence.objects.get()
    assert (evidence.entry, evidence.description) == (entry(own["M1"], "I.1"), "Biên bản")
    assert reverse("evidence_download", args=[evidence.pk]) in response.content.decode()


def test_evidence_named_pdf_but_text_is_refused(client, org, own, media):
    client.force_login(org.member)

    response = upload(client, own["M1"], b"just some text, not a PDF")

    assert not Evidence.objects.exists()
    assert "Không chấp nhận loại tệp này" in response.content.decode()


def test_evidence_too_large_is_refused(client, org, own, media, settings):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(org.member)

    response = upload(client, own["M1"], PDF + b"0" * (1024 * 1024))

    assert not Evidence.objects.exists()
    assert "1 MB" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 403),
        ("staff", 403),
        ("leader", 403),
        ("deputy", 403),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_evidence_upload_matrix(client, org, own, media, who, status):
    client.force_login(getattr(org, who))

    response = upload(client, own["M1"], PDF)

    assert response.status_code == status
    assert Evidence.objects.count() == (1 if status == 200 else 0)


def test_evidence_upload_on_a_submitted_sheet_is_refused(client, org, own, media):
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(org.member)

    response = upload(client, own["M1"], PDF)

    assert response.status_code == 403
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("leader", 200),
        ("deputy", 200),
        ("member", 200),
        ("outsider", 404),
    ],
)
def test_evidence_download_matrix(client, org, own, media, who, status):
    evidence = Evidence.objects.create(
        entry=entry(own["M1"], "I.1"), file=ContentFile(PDF, name="bien-ban.pdf")
    )
    client.force_login(getattr(org, who))

    response = client.get(reverse("evidence_download", args=[evidence.pk]))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF


def test_evidence_delete_by_the_unit_while_editable(client, org, own, media):
    evidence = Evidence.objects.create(
        entry=entry(own["M1"], "I.1"), file=ContentFile(PDF, name="bien-ban.pdf")
    )
    client.force_login(org.member)

    response = client.post(reverse("evidence_delete", args=[evidence.pk]), **HTMX)

    assert response.status_code == 200
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("leader", 403), ("outsider", 404)])
def test_evidence_delete_by_others_is_refused(client, org, own, media, who, status):
    evidence = Evidence.objects.create(
        entry=entry(own["M1"], "I.1"), file=ContentFile(PDF, name="bien-ban.pdf")
    )
    client.force_login(getattr(org, who))

    response = client.post(reverse("evidence_delete", args=[evidence.pk]), **HTMX)

    assert response.status_code == status
    assert Evidence.objects.count() == 1


# --- History -------------------------------------------------------------------------------


def test_entry_history_shows_who_and_before_after(client, org, own):
    target = entry(own["M1"], "I.1")
    services.entry_update(entry=target, user=org.member, values={"points": D(5)})
    services.entry_update(entry=target, user=org.member, values={"points": D("7.5")})
    client.force_login(org.leader)

    response = client.get(reverse("entry_history", args=[target.pk]))

    newest = response.context["entry_events"][0]
    changes = {(c.before, c.after) for c in newest.changes}
    assert ("5", "7,5") in changes
    assert newest.record.history_user == org.member
    assert org.member.full_name in response.content.decode()


def test_sheet_history_shows_status_changes_with_reasons_and_score_changes(client, org, own):
    fill(own["M1"])
    services.entry_update(entry=entry(own["M1"], "I.1"), user=org.member, values={"points": D(12)})
    ScoreSheet.objects.filter(pk=own["M1"].pk).update(status=SheetStatus.SUBMITTED)
    own["M1"].refresh_from_db()
    from scoring import workflow

    workflow.sheet_return(sheet=own["M1"], user=org.leader, comment="Thiếu biên bản")
    client.force_login(org.member)

    response = client.get(reverse("sheet_history", args=[own["M1"].pk]))

    status_event = response.context["status_events"][0]
    assert (status_event.record.history_user, status_event.record.history_change_reason) == (
        org.leader,
        "Thiếu biên bản",
    )
    score_event = response.context["entry_events"][0]
    assert score_event.record.criterion.code == "I.1"
    assert {(c.before, c.after) for c in score_event.changes} >= {("15", "12")}
    assert "Thiếu biên bản" in response.content.decode()


# --- A fixed number of queries ----------------------------------------------------------


def _scaled_sheet(org, cluster, unit, size):
    """A published table of ``size`` manual leaves plus a rate, a bonus and a veto, with
    ``unit``'s self and cluster sheets filled, evidence and an explanation."""
    leaves = tuple(
        services.CriterionData(code=f"I.{n}", title=f"Tiêu chí {n}", kind="manual", max_points=D(1))
        for n in range(1, size + 1)
    )
    rate = services.CriterionData(
        code="II.1",
        title="Tỷ lệ",
        kind="target",
        max_points=D(10),
        metric="rate",
        method="threshold",
        target=D(90),
    )
    criteria = [
        services.CriterionData(
            code="I", title="Nhóm I", kind="group", max_points=D(size), children=leaves
        ),
        services.CriterionData(
            code="II", title="Nhóm II", kind="group", max_points=D(10), children=(rate,)
        ),
        services.CriterionData(code="B", title="Thưởng", kind="bonus", max_points=D(5)),
        services.CriterionData(code="V", title="Không để xảy ra", kind="veto", deduct=D(5)),
    ]
    table = services.table_create_from_tree(
        campaign=org.campaign,
        title=f"Bảng {cluster.code}",
        criteria=criteria,
        clusters=[cluster],
        bands=[{"label": "Đạt", "min": "0"}],
    )
    services.table_publish(table=table)
    UnitTarget.objects.create(criterion=table.criteria.get(code="II.1"), unit=unit, target=D(95))
    values = {f"I.{n}": {"points": D(1)} for n in range(1, size + 1)}
    values.update(
        {
            "II.1": {"numerator": 9, "denominator": 10},
            "B": {"points": D(1)},
            "V": {"violated": False},
        }
    )
    result = {}
    for stage in (Stage.SELF, Stage.CLUSTER):
        sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=stage)
        lower = {"I.1": {"points": D("0.5")}} if stage == Stage.CLUSTER else {}
        fill(sheet, {**values, **lower})
        for n in range(1, size + 1):
            Evidence.objects.create(
                entry=entry(sheet, f"I.{n}"), file=ContentFile(PDF, name=f"bb-{n}.pdf")
            )
        result[stage] = sheet
    Explanation.objects.create(
        entry=entry(result[Stage.CLUSTER], "I.1"), text="Giải trình", author=None
    )
    return result


@pytest.mark.parametrize("phase", [Phase.SELF_ASSESSMENT, Phase.EXPLANATION])
def test_sheet_page_query_count_does_not_grow_with_the_table(
    client, org, media, django_assert_num_queries, django_assert_max_num_queries, phase
):
    other_member = UnitFactory(code="M2", parent=org.province)
    MembershipFactory(cluster=org.other_cluster, unit=other_member, role=MemberRole.MEMBER)
    second = UserFactory(username="member2", unit=other_member)
    small = _scaled_sheet(org, org.cluster, org.member_unit, 2)
    large = _scaled_sheet(org, org.other_cluster, other_member, 30)
    set_phase(org, phase)
    client.force_login(org.member)
    with django_assert_max_num_queries(15) as measured:
        client.get(reverse("sheet_detail", args=[small[Stage.SELF].pk]))
    client.force_login(second)

    with django_assert_num_queries(len(measured.captured_queries)):
        response = client.get(reverse("sheet_detail", args=[large[Stage.SELF].pk]))

    assert response.status_code == 200
    assert len([r for r in response.context["rows"] if not r.is_group]) == 33
    assert response.context["compare"] is (phase == Phase.EXPLANATION)


def test_sheet_history_first_record_shows_only_the_values_given(client, org, own):
    fill(own["M1"])
    client.force_login(org.member)

    response = client.get(reverse("sheet_history", args=[own["M1"].pk]))

    events = {e.record.criterion.code: e for e in response.context["entry_events"]}
    assert events["I.1"].created is True
    assert [(c.before, c.after) for c in events["I.1"].changes] == [("—", "15")]
    assert [(c.before, c.after) for c in events["I.2"].changes] == [("—", "50"), ("—", "50")]
