"""The deciding side of the file exchange (issue 15 point 4; awards/views/incoming.py): the
Ministry's staff receive a province's thidua.proposal/1 file, preview it, keep it, answer it
line by line and download a thidua.decision/1 file that the province's decision_plan
accepts. Refusals (tampered, own organiser's, received twice, not a proposal) keep nothing;
nothing of the sender's units is added to the decider's."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services
from awards.interchange import decisions as interchange
from awards.models import ProposalAnswer, ReceivedProposal
from clusters.models import Unit
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ANSWER = {
    "number": "45/QĐ-BCA",
    "date": "2024-01-20",
    "signer_name": "Nguyễn Văn B",
    "signer_title": "Thứ trưởng",
    "authority": "Bộ Công an",
    "level": "ministry",
}


@pytest.fixture
def proposed(published, award_types):
    """Organiser A (CAT): L1 passed for co-bo and tien-tien, D1 for tien-tien. Organiser B,
    the Ministry (BCA), with a staff member of its department V03."""
    org = published
    flag, advanced = award_types
    for unit, award_type, votes in (
        (org.leader_unit, flag, 3),
        (org.leader_unit, advanced, 2),
        (org.deputy_unit, advanced, 3),
    ):
        services.vote_record(
            cluster=org.cluster,
            unit=unit,
            award_type=award_type,
            members_present=3,
            votes_for=votes,
        )
    org.ministry = UnitFactory(code="BCA", name="Bộ Công an", kind="ministry")
    department = UnitFactory(code="V03", parent=org.ministry, kind="department")
    org.staff_b = UserFactory(username="staff-b", unit=department)
    org.staff_b.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return org


def _client(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _proposal_bytes(org) -> bytes:
    return interchange.file_bytes(interchange.proposal_export(org.campaign))


def _upload(client, organiser, content: bytes):
    upload = SimpleUploadedFile("de-nghi.json", content, content_type="application/json")
    return client.post(
        reverse("awards_incoming_upload"), {"organiser": organiser.pk, "file": upload}
    )


def _receive(client, org) -> ReceivedProposal:
    response = _upload(client, org.ministry, _proposal_bytes(org))
    assert response.status_code == 200
    response = client.post(
        reverse("awards_incoming_confirm"),
        {"organiser": org.ministry.pk, "content": response.context["content"]},
    )
    received = ReceivedProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("awards_incoming_detail", args=[received.pk])
    return received


def test_round_trip_receive_answer_and_the_proposer_imports_the_decision(client, proposed):
    org = proposed
    units_before = sorted(Unit.objects.values_list("code", flat=True))
    client = _client(client, org.staff_b)

    # Upload: checked and previewed, nothing kept yet.
    response = _upload(client, org.ministry, _proposal_bytes(org))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.sender == {"code": "CAT", "name": "Công an tỉnh Thử"}
    assert (plan.year, plan.errors) == (2023, [])
    assert [(line.unit_code, line.title_code, line.votes) for line in plan.lines] == [
        ("L1", "co-bo", "3/3"),
        ("L1", "tien-tien", "2/3"),
        ("D1", "tien-tien", "3/3"),
    ]
    assert ReceivedProposal.objects.count() == 0

    # Confirm: kept with its sender and who received it.
    received = _receive(client, org)
    assert (received.organiser, received.sender_code, received.sender_name, received.year) == (
        org.ministry,
        "CAT",
        "Công an tỉnh Thử",
        2023,
    )
    assert received.received_by == org.staff_b
    assert received.sha256 == json.loads(received.content)["sha256"]
    page = client.get(reverse("awards_incoming_detail", args=[received.pk]))
    assert page.status_code == 200
    assert [row[1].unit_code for row in page.context["rows"]] == ["L1", "L1", "D1"]
    listing = client.get(reverse("awards_incoming"))
    assert [r.pk for r in listing.context["received"]] == [received.pk]

    # Answer: L1's flag granted, D1's tien-tien refused, L1's tien-tien left for later.
    response = client.post(
        reverse("awards_incoming_answer", args=[received.pk]),
        {**ANSWER, "outcome-0": "granted", "outcome-2": "refused"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'filename="quyet-dinh-cat-2023-45qd-bca.json"' in response["Content-Disposition"]
    document = interchange.parse(response.content)
    assert document["sha256"] == interchange.digest(document)
    assert document["organiser"] == {"code": "BCA", "name": "Bộ Công an"}
    assert document["recipient"] == {"code": "CAT", "name": "Công an tỉnh Thử"}
    assert document["items"] == [
        {"unit": "L1", "title": "co-bo", "outcome": "granted"},
        {"unit": "D1", "title": "tien-tien", "outcome": "refused"},
    ]
    answer = ProposalAnswer.objects.get()
    assert (answer.proposal, answer.number, answer.date, answer.granted, answer.refused) == (
        received,
        "45/QĐ-BCA",
        dt.date(2024, 1, 20),
        1,
        1,
    )
    assert answer.answered_by == org.staff_b
    assert answer.sha256 == document["sha256"]
    again = client.get(reverse("awards_incoming_answer_file", args=[answer.pk]))
    assert again.content == response.content
    page = client.get(reverse("awards_incoming_detail", args=[received.pk]))
    assert [[o for _a, o in row[2]] for row in page.context["rows"]] == [
        ["granted"],
        [],
        ["refused"],
    ]

    # Nothing of the sender was added to the Ministry's units.
    assert sorted(Unit.objects.values_list("code", flat=True)) == units_before

    # The province imports the answer.
    plan = interchange.decision_plan(org.campaign, document)
    assert plan.errors == []
    decision = interchange.decision_import(campaign=org.campaign, plan=plan, user=org.staff)
    assert decision.source_sha256 == document["sha256"]
    states = [s.state for s in services.proposals_with_status(org.campaign)]
    assert states == ["granted", "proposed", "refused"]


def _refused(response) -> list[str]:
    assert response.status_code == 422
    assert ReceivedProposal.objects.count() == 0
    return response.context["file_errors"]


def test_a_tampered_proposal_is_refused(client, proposed):
    org = proposed
    document = interchange.proposal_export(org.campaign)
    document["proposals"][2]["title"]["code"] = "co-bo"  # changed after sealing
    client = _client(client, org.staff_b)
    errors = _refused(_upload(client, org.ministry, interchange.file_bytes(document)))
    assert errors == [
        "sha256: the file was changed after it was written (its content does not match its "
        "SHA-256); ask the sender for the original file."
    ]
    # The confirmation checks again: a preview's content changed on the way is refused too.
    response = client.post(
        reverse("awards_incoming_confirm"),
        {"organiser": org.ministry.pk, "content": interchange.file_bytes(document).decode()},
    )
    assert _refused(response) == errors


def test_the_organisers_own_proposal_is_refused(client, proposed):
    org = proposed
    client = _client(client, org.staff)
    errors = _refused(_upload(client, org.province, _proposal_bytes(org)))
    assert errors == [
        "organiser: the file is a proposal of Công an tỉnh Thử (CAT) itself; an organiser "
        "does not decide on its own proposals here."
    ]


def test_a_proposal_received_twice_or_not_a_proposal_is_refused(client, proposed):
    org = proposed
    client = _client(client, org.staff_b)
    _receive(client, org)
    response = _upload(client, org.ministry, _proposal_bytes(org))
    assert response.status_code == 422
    assert response.context["file_errors"] == [
        "sha256: this proposal file has already been received."
    ]
    ReceivedProposal.objects.all().delete()
    answer = interchange.decision_document(
        decider={"code": "BCA", "name": "Bộ Công an"},
        recipient={"code": "CAT", "name": "Công an tỉnh Thử"},
        year=2023,
        number="1",
        date=dt.date(2024, 1, 1),
        signer_name="A",
        signer_title="B",
        authority="C",
        level="ministry",
        items=[],
    )
    errors = _refused(_upload(client, org.ministry, interchange.file_bytes(answer)))
    assert errors == ['format: must be "thidua.proposal/1", not "thidua.decision/1"']
    assert _refused(_upload(client, org.ministry, b"not json"))[0].startswith(
        "The file is not valid JSON"
    )


def test_an_answer_without_a_line_or_with_a_number_given_keeps_nothing_new(client, proposed):
    org = proposed
    client = _client(client, org.staff_b)
    received = _receive(client, org)
    url = reverse("awards_incoming_answer", args=[received.pk])
    response = client.post(url, ANSWER)
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "Choose granted or refused for at least one line."
    ]
    assert ProposalAnswer.objects.count() == 0
    assert client.post(url, {**ANSWER, "outcome-1": "granted"}).status_code == 200
    response = client.post(url, {**ANSWER, "outcome-2": "granted"})
    assert response.status_code == 422
    assert response.context["form"].errors["number"] == [
        "This decision number already answers this proposal."
    ]
    assert response.context["rows"][2][3] == "granted"  # the choice is kept on the form
    response = client.post(url, {**ANSWER, "number": "46/QĐ-BCA", "outcome-0": "maybe"})
    assert response.status_code == 422
    assert ProposalAnswer.objects.count() == 1


def test_permissions_of_the_received_proposals(client, proposed):
    org = proposed
    received = _receive(_client(client, org.staff_b), org)
    answer_url = reverse("awards_incoming_answer", args=[received.pk])
    client.post(answer_url, {**ANSWER, "outcome-0": "granted"})
    answer = ProposalAnswer.objects.get()
    detail = reverse("awards_incoming_detail", args=[received.pk])
    file_url = reverse("awards_incoming_answer_file", args=[answer.pk])
    # The administrator decides for any organiser.
    client.force_login(org.admin)
    assert client.get(detail).status_code == 200
    assert client.get(f"{reverse('awards_incoming')}?organiser={org.ministry.pk}").status_code == (
        200
    )
    # The province's staff: their own list, never the Ministry's received files.
    client.force_login(org.staff)
    assert client.get(reverse("awards_incoming")).context["organiser"] == org.province
    assert client.get(f"{reverse('awards_incoming')}?organiser={org.ministry.pk}").status_code == (
        404
    )
    assert client.get(detail).status_code == 404
    assert client.get(file_url).status_code == 404
    assert client.post(answer_url, {**ANSWER, "outcome-0": "granted"}).status_code == 404
    # A unit's officer decides for nobody.
    client.force_login(org.leader)
    assert client.get(reverse("awards_incoming")).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.get(file_url).status_code == 403
    # Wrong methods.
    client.force_login(org.staff_b)
    assert client.get(answer_url).status_code == 405
    assert client.get(reverse("awards_incoming_upload")).status_code == 405
    assert client.post(detail).status_code == 405
    assert ProposalAnswer.objects.count() == 1
    # Signed out: the login page.
    client.logout()
    assert client.get(reverse("awards_incoming")).status_code == 302


# Whatever the number of files received and of answers written (measured on SQLite).
SMALL_LIST, SMALL_DETAIL = 7, 8


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_and_a_received_file_read_as_many_queries_whatever_their_size(client, proposed):
    org = proposed
    client = _client(client, org.staff_b)
    received = _receive(client, org)
    answer_url = reverse("awards_incoming_answer", args=[received.pk])
    client.post(answer_url, {**ANSWER, "outcome-0": "granted"})
    detail = reverse("awards_incoming_detail", args=[received.pk])
    listing = reverse("awards_incoming")
    small = (_queries(client, listing), _queries(client, detail))
    for n in range(3):
        document = interchange.proposal_export(org.campaign)
        document["campaign"] = f"Đợt {n}"
        _upload(client, org.ministry, interchange.file_bytes(interchange.sealed(document)))
        content = interchange.file_bytes(interchange.sealed(document)).decode()
        client.post(
            reverse("awards_incoming_confirm"), {"organiser": org.ministry.pk, "content": content}
        )
        client.post(answer_url, {**ANSWER, "number": f"{50 + n}/QĐ-BCA", "outcome-1": "refused"})
    assert ReceivedProposal.objects.count() == 4
    assert received.answers.count() == 4
    assert (_queries(client, listing), _queries(client, detail)) == small
    assert small == (SMALL_LIST, SMALL_DETAIL)
