"""The organisation: units, campaigns, clusters and their members, users, and the
records of each cluster's signing conference (domain.md sections 2–4)."""

from clusters.models.activities import Activity, ActivityPhoto, AdvancedModel, AdvancedModelPhoto
from clusters.models.deadlines import Deadline, DeadlineExtension
from clusters.models.notices import Notification
from clusters.models.organisation import Campaign, Cluster, Membership, Unit, User
from clusters.models.periods import Period
from clusters.models.signing import (
    ConferencePhoto,
    Pledge,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
)
from clusters.models.succession import LeadershipElection

__all__ = [
    "Activity",
    "ActivityPhoto",
    "AdvancedModel",
    "AdvancedModelPhoto",
    "Campaign",
    "Cluster",
    "ConferencePhoto",
    "Deadline",
    "DeadlineExtension",
    "LeadershipElection",
    "Membership",
    "Notification",
    "Period",
    "Pledge",
    "PledgeItem",
    "Registration",
    "Signature",
    "SigningConference",
    "Unit",
    "User",
]
