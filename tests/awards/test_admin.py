"""The awards admin: administrators and province staff, edits through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from awards import incoming, services, titles
from awards.interchange import decisions as exchange
from awards.interchange.incoming import proposal_plan
from awards.models import (
    AwardType,
    Decision,
    DecisionItem,
    PastTitle,
    ProposalAnswer,
    ReceivedProposal,
    TitleRule,
    UnitFigures,
    UnitRestriction,
    Vote,
)

MODELS = [m for m in admin.site._registry if m._meta.app_label == "awards"]


def _records(published, award_types):
    services.restriction_record(
        campaign=published.campaign,
        unit=published.member_unit,
        kind="inspection",
        reason="Thanh tra",
        starts_on=dt.date(2023, 1, 1),
    )
    services.vote_record(
        cluster=published.cluster,
        unit=published.leader_unit,
        award_type=award_types[0],
        members_present=3,
        votes_for=2,
    )
    titles.title_rule_add(award_type=award_types[0], kind="leading", article="Quy chế")
    titles.past_title_record(
        organiser=published.province,
        unit=published.leader_unit,
        year=2022,
        code="determined_to_win",
        name="Đơn vị Quyết thắng",
    )
    titles.figures_save(
        campaign=published.campaign,
        unit=published.member_unit,
        headcount=20,
        advanced_soldiers=15,
        emulation_soldiers=2,
        disciplined=0,
    )
    decision = services.decision_record(
        campaign=published.campaign,
        user=published.staff,
        number="1/QĐ-CAT",
        date=dt.date(2024, 1, 10),
        signer_name="Đ/c C",
        signer_title="Giám đốc",
        authority="Công an tỉnh Thử",
        level="unit",
    )
    services.decision_item_set(
        decision=decision, unit=published.leader_unit, award_type=award_types[0], outcome="granted"
    )
    # A district's proposal file received by the province, answered.
    document = exchange.sealed(
        {
            "format": exchange.FORMAT_PROPOSAL,
            "organiser": {"code": "CAH", "name": "Công an huyện"},
            "year": 2023,
            "proposals": [
                {
                    "unit": {"code": "X1", "name": "Đội X1"},
                    "title": {"code": "tien-tien", "name": "Tiên tiến", "level": "province"},
                }
            ],
        }
    )
    received = incoming.received_proposal_store(
        organiser=published.province,
        plan=proposal_plan(published.province, document),
        user=published.staff,
    )
    incoming.proposal_answer(
        received=received,
        outcomes={("X1", "tien-tien"): "granted"},
        user=published.staff,
        number="2/QĐ-CAT",
        date=dt.date(2024, 1, 11),
        signer_name="Đ/c C",
        signer_title="Giám đốc",
        authority="Công an tỉnh Thử",
        level="province",
    )


@pytest.mark.parametrize("who", ["admin", "staff"])
@pytest.mark.parametrize("model", MODELS)
def test_awards_changelists_answer_200_to_managers(client, published, award_types, model, who):
    _records(published, award_types)
    client.force_login(getattr(published, who))
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", MODELS)
def test_awards_admin_refuses_unit_officers(client, published, model):
    client.force_login(published.leader)
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code in (302, 403)


def test_award_type_add_in_admin_stores_the_share(client, org):
    client.force_login(org.staff)
    response = client.post(
        reverse("admin:awards_awardtype_add"),
        {
            "campaign": org.campaign.pk,
            "code": "quyet-thang",
            "name": "Đơn vị Quyết thắng",
            "min_band": "Tốt",
            "max_per_cluster": "",
            "pass_share": "0,6667",
            "order": "3",
            "level": "province",
            "title_rules-TOTAL_FORMS": "0",
            "title_rules-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    stored = AwardType.objects.get(code="quyet-thang")
    assert (stored.name, str(stored.pass_share), stored.leading_only, stored.level) == (
        "Đơn vị Quyết thắng",
        "0.6667",
        False,
        "province",
    )


def test_models_registered():
    assert set(MODELS) == {
        AwardType,
        UnitRestriction,
        Vote,
        PastTitle,
        TitleRule,
        UnitFigures,
        Decision,
        DecisionItem,
        ReceivedProposal,
        ProposalAnswer,
    }


def test_decision_added_in_admin_with_its_items_through_the_services(
    client, published, award_types
):
    client.force_login(published.staff)
    response = client.post(
        reverse("admin:awards_decision_add"),
        {
            "campaign": published.campaign.pk,
            "number": "3/QĐ-CAT",
            "date": "2024-01-12",
            "signer_name": "Đ/c C",
            "signer_title": "Giám đốc",
            "authority": "Công an tỉnh Thử",
            "level": "unit",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-unit": published.leader_unit.pk,
            "items-0-award_type": award_types[0].pk,
            "items-0-outcome": "granted",
            "items-0-note": "",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.created_by == published.staff
    assert decision.history.get().history_user == published.staff
    item = decision.items.get()
    assert (item.unit, item.award_type, item.outcome) == (
        published.leader_unit,
        award_types[0],
        "granted",
    )
    assert item.history.get().history_user == published.staff
