"""The import page for the office's own table: preview, confirm, refusals, who may use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from scoring.models import Criterion, ScoreTable
from scoring.views import table_import
from scoring.views.table_import import SESSION_KEY
from tests.factories import CampaignFactory, UnitFactory, UserFactory
from tests.scoring.office_files import xlsx

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "thang-bang-diem-cum-1.xlsx"


@pytest.fixture(autouse=True)
def uploads(tmp_path, monkeypatch):
    """Uploads wait in the test's own folder (removed with it), not the shared temp one."""
    monkeypatch.setattr(table_import, "_folder", lambda: tmp_path)
    return tmp_path


def _folder():
    return table_import._folder()


@pytest.fixture(autouse=True)
def english(client):
    """Pages and messages in English (the language switch's cookie), whatever catalogue is
    installed."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def upload(client, campaign, content: bytes, name: str = "bang.xlsx", clusters=()):
    return client.post(
        reverse("table_import", args=[campaign.pk]),
        {"file": SimpleUploadedFile(name, content), "clusters": [c.pk for c in clusters]},
    )


def test_form_lists_the_campaign_clusters(client, org):
    client.force_login(org.staff)

    response = client.get(reverse("table_import", args=[org.campaign.pk]))

    assert response.status_code == 200
    assert [c.code for c in response.context["clusters"]] == ["C1", "C2"]
    assert b'accept=".xlsx,.docx"' in response.content


def test_preview_shows_the_tree_and_stores_nothing(client, org):
    client.force_login(org.staff)

    response = upload(client, org.campaign, EXAMPLE.read_bytes(), clusters=[org.cluster])

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.code, r.kind, r.max_points, r.children_sum) for r in rows[:5]] == [
        ("I", "group", 30, 30),
        ("I.1", "manual", 10, None),
        ("I.2", "group", 12, 12),
        ("I.2.a", "manual", 6, None),
        ("I.2.b", "manual", 6, None),
    ]
    assert rows[0].place == "row 10"
    assert response.context["preview"].action == "created"
    assert response.context["check_count"] == 0
    assert response.context["total"] == 100
    assert response.context["confirm_url"]
    assert b"Every row of the table was understood." in response.content
    assert ScoreTable.objects.count() == 0
    token = next(iter(client.session[SESSION_KEY]))
    assert (_folder() / f"{token}.upload").is_file()


def test_preview_lists_rows_not_understood_by_row_number(client, org):
    client.force_login(org.staff)
    content = xlsx([("1", "a", 10, ""), ("2", "b", "nhiều", ""), ("x.y", "c", 1, "")])

    response = upload(client, org.campaign, content)

    assert [str(n) for n in response.context["table"].notes] == [
        "row 4: the points “nhiều” are not a number (2 | b | nhiều)",
        "row 5: the numbering “x.y” is not understood (x.y | c | 1)",
    ]
    assert b"2 rows not understood" in response.content
    assert b"row 4" in response.content


def test_preview_shows_the_checks_on_their_criterion(client, org):
    client.force_login(org.staff)
    content = xlsx([("I", "Xây dựng", 30, ""), ("1", "a", 10, ""), ("2", "b", 10, "")])

    response = upload(client, org.campaign, content)

    group = response.context["rows"][0]
    assert (group.code, group.problems, group.sum_differs) == (
        "I",
        ["declared max 30.00 differs from the sum of its base children's max 20.00"],
        True,
    )
    assert b"declared max 30.00 differs" in response.content


def test_confirm_stores_the_draft_and_opens_the_editor(client, org):
    client.force_login(org.staff)
    upload(client, org.campaign, EXAMPLE.read_bytes(), clusters=[org.cluster, org.other_cluster])
    token = next(iter(client.session[SESSION_KEY]))

    response = client.post(reverse("table_import_confirm", args=[org.campaign.pk, token]))

    table = ScoreTable.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "campaign_table_editor", args=[org.campaign.pk, table.pk]
    )
    assert (table.status, table.criteria.count()) == ("draft", 21)
    assert sorted(table.clusters.values_list("code", flat=True)) == ["C1", "C2"]
    assert client.session[SESSION_KEY] == {}
    assert not (_folder() / f"{token}.upload").exists()


def test_confirm_with_an_unknown_token_is_404(client, org):
    client.force_login(org.staff)

    response = client.post(reverse("table_import_confirm", args=[org.campaign.pk, "nope"]))

    assert response.status_code == 404


def test_confirm_of_a_changed_file_stores_nothing(client, org):
    client.force_login(org.staff)
    upload(client, org.campaign, EXAMPLE.read_bytes())
    token = next(iter(client.session[SESSION_KEY]))
    (_folder() / f"{token}.upload").write_bytes(xlsx([("1", "a", 10, "")]))

    response = client.post(reverse("table_import_confirm", args=[org.campaign.pk, token]))

    assert response.status_code == 404
    assert ScoreTable.objects.count() == 0


def test_refused_file_changes_nothing(client, org):
    client.force_login(org.staff)
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le")

    response = upload(client, org.campaign, old, name="quy-che.doc")

    assert response.status_code == 422
    assert response.context["errors"] == [
        "quy-che.doc: The file is a Word 97-2003 document (.doc), an old format that is not "
        "read. Open it in Word and save it as .docx."
    ]
    assert "confirm_url" not in response.context
    assert SESSION_KEY not in client.session
    assert (ScoreTable.objects.count(), Criterion.objects.count()) == (0, 0)


def test_missing_file_is_422(client, org):
    client.force_login(org.staff)

    response = client.post(reverse("table_import", args=[org.campaign.pk]))

    assert response.status_code == 422
    assert response.context["errors"] == ["Choose a file to upload."]


def test_administrator_may_import(client, org):
    client.force_login(org.admin)

    response = upload(client, org.campaign, EXAMPLE.read_bytes())

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["leader", "member"])
def test_officers_are_refused(client, org, role):
    client.force_login(getattr(org, role))

    get = client.get(reverse("table_import", args=[org.campaign.pk]))
    post = upload(client, org.campaign, EXAMPLE.read_bytes())

    assert get.status_code in (403, 404)
    assert post.status_code in (403, 404)
    assert ScoreTable.objects.count() == 0


def test_staff_of_another_organiser_get_404(client, org):
    other = UnitFactory(code="CAT2", kind="province")
    CampaignFactory(organiser=other, year=2023)
    staff = UserFactory(username="staff2", unit=UnitFactory(code="PX2", parent=other))
    staff.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    client.force_login(staff)

    response = client.get(reverse("table_import", args=[org.campaign.pk]))

    assert response.status_code == 404


def test_anonymous_goes_to_the_login_page(client, org):
    response = client.get(reverse("table_import", args=[org.campaign.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_methods_are_405(client, org):
    client.force_login(org.staff)

    put = client.put(reverse("table_import", args=[org.campaign.pk]))
    get = client.get(reverse("table_import_confirm", args=[org.campaign.pk, "x"]))

    assert (put.status_code, get.status_code) == (405, 405)
