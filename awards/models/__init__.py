"""The awards app's tables, by topic: award types and restrictions (``types``), the cluster's
votes (``votes``), the title ladder's records (``titles``), decisions (``decisions``) and the
proposal files received from other organisers (``exchange``). Import them from here."""

from awards.models.decisions import Decision, DecisionItem
from awards.models.exchange import ProposalAnswer, ReceivedProposal
from awards.models.titles import PastTitle, TitleRule, UnitFigures
from awards.models.types import CERTIFICATE_HEADINGS, AwardType, UnitRestriction
from awards.models.votes import Vote

__all__ = [
    "CERTIFICATE_HEADINGS",
    "AwardType",
    "Decision",
    "DecisionItem",
    "PastTitle",
    "ProposalAnswer",
    "ReceivedProposal",
    "TitleRule",
    "UnitFigures",
    "UnitRestriction",
    "Vote",
]
