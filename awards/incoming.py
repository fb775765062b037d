"""The deciding side of the file exchange (issue 15 point 4, docs/awards.md "Received
proposals"): an organiser receives another organiser's ``thidua.proposal/1`` file, keeps it,
and answers it with a ``thidua.decision/1`` file written by
awards.interchange.decisions.decision_for_proposal.

Writes only: the checks of the file are awards/interchange/incoming.py's. The sender's
units and titles are never created here: they stay codes and names in the kept file.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from awards.enums import DecisionOutcome
from awards.interchange import decisions as exchange
from awards.interchange.incoming import ProposalPlan, lines_of
from awards.models import ProposalAnswer, ReceivedProposal
from clusters.models import Unit


@transaction.atomic
def received_proposal_store(*, organiser: Unit, plan: ProposalPlan, user) -> ReceivedProposal:
    """Keep a checked proposal file (``proposal_plan``) received by ``organiser``; the file
    is stored as it was sealed (its canonical content, indented)."""
    if not plan.ok:
        raise ValidationError(plan.errors)
    received = ReceivedProposal(
        organiser=organiser,
        sender_code=plan.sender["code"],
        sender_name=plan.sender["name"],
        year=plan.year,
        campaign_name=plan.campaign,
        content=exchange.file_bytes(plan.document).decode(),
        sha256=plan.sha256,
        received_by=user,
    )
    received.full_clean()
    received.save()
    return received


@transaction.atomic
def proposal_answer(
    *,
    received: ReceivedProposal,
    outcomes: dict[tuple[str, str], str],
    user,
    number: str,
    date: dt.date,
    signer_name: str,
    signer_title: str,
    authority: str,
    level: str,
) -> ProposalAnswer:
    """Answer a received proposal: the ``thidua.decision/1`` of the receiving organiser on
    the lines of ``outcomes`` ((unit code, title code) → granted or refused), sealed, kept
    with who answered and when. At least one line; every line one of the file's."""
    keys = {(line.unit_code, line.title_code) for line in lines_of(received.content)}
    if not outcomes:
        raise ValidationError(_("Choose granted or refused for at least one line."))
    unknown = [key for key in outcomes if key not in keys]
    if unknown or any(o not in DecisionOutcome.values for o in outcomes.values()):
        raise ValidationError(_("A line of the form is not one of the proposal's."))
    header = {
        "number": (number or "").strip(),
        "date": date,
        "signer_name": (signer_name or "").strip(),
        "signer_title": (signer_title or "").strip(),
        "authority": (authority or "").strip(),
        "level": level,
    }
    if ProposalAnswer.objects.filter(proposal=received, number=header["number"]).exists():
        raise ValidationError({"number": _("This decision number already answers this proposal.")})
    document = exchange.decision_for_proposal(
        json.loads(received.content), decider=received.organiser, outcomes=outcomes, **header
    )
    granted = sum(1 for o in outcomes.values() if o == DecisionOutcome.GRANTED)
    answer = ProposalAnswer(
        proposal=received,
        granted=granted,
        refused=len(outcomes) - granted,
        content=exchange.file_bytes(document).decode(),
        sha256=document[exchange.HASH_KEY],
        answered_by=user,
        **header,
    )
    answer.full_clean()
    answer.save()
    return answer


def answer_outcomes(answer: ProposalAnswer) -> dict[tuple[str, str], str]:
    """(unit code, title code) → outcome, as the answer's file says."""
    items = json.loads(answer.content).get("items") or []
    return {(item["unit"], item["title"]): item["outcome"] for item in items}
