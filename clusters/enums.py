"""Choices used by the organisation models."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    PROVINCE = "province", _("Provincial police")
    DEPARTMENT = "department", pgettext_lazy("unit kind", "Department")
    DISTRICT = "district", _("District police")
    COMMUNE = "commune", _("Commune or ward police")
    OTHER = "other", pgettext_lazy("unit kind", "Other")


# Units that organise campaigns of their own: the boundary of an organiser's tree (a province
# stored under the Ministry is not part of the Ministry's tree; see clusters.permissions).
ORGANISING_KINDS = (UnitKind.MINISTRY, UnitKind.PROVINCE)


class Phase(models.TextChoices):
    """Where a campaign is in its year (domain.md section 4)."""

    SETUP = "setup", _("Setting up")
    SIGNING = "signing", _("Signing conferences")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment open")
    CLUSTER_SCORING = "cluster_scoring", _("Cluster scoring open")
    EXPLANATION = "explanation", _("Explanations open")
    FINAL_REVIEW = "final_review", _("Final review open")
    PUBLISHED = "published", _("Results published")


class ClusterKind(models.TextChoices):
    """What an organiser calls a grouping of units: a cluster (cụm thi đua, mostly of units
    of one kind of work or place) or a block (khối thi đua)."""

    CLUSTER = "cluster", _("Emulation cluster")
    BLOCK = "block", _("Emulation block")


# The Vietnamese words of official documents (always Vietnamese, whatever the page's
# language): the grouping, its leader and its deputy.
KIND_WORDS = {
    ClusterKind.CLUSTER: {"group": "Cụm thi đua", "leader": "Cụm trưởng", "deputy": "Cụm phó"},
    ClusterKind.BLOCK: {"group": "Khối thi đua", "leader": "Khối trưởng", "deputy": "Khối phó"},
}


class PeriodKind(models.TextChoices):
    """Which review of the year a scored period is (clusters.models.Period)."""

    SIX_MONTH = "six_month", _("Six-month review")
    YEAR_END = "year_end", _("Year-end review")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Cluster leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")


class Title(models.TextChoices):
    """Emulation titles a unit can register for (đăng ký thi đua)."""

    GOVERNMENT_FLAG = "government_flag", _("Government emulation flag")
    MINISTRY_FLAG = "ministry_flag", _("Ministry of Public Security emulation flag")
    DETERMINED_TO_WIN = "determined_to_win", _("Determined-to-win unit")
    ADVANCED = "advanced", _("Advanced unit")
    CERTIFICATE_OF_MERIT = "certificate_of_merit", _("Certificate of merit")


# Leader first, then deputy, then members: the order every list of a cluster's units uses.
ROLE_ORDER = {MemberRole.LEADER: 0, MemberRole.DEPUTY: 1, MemberRole.MEMBER: 2}


class AccountRole(models.TextChoices):
    """What an account does, as chosen on the account pages: a unit officer, or province
    staff (a member of ``settings.PROVINCE_STAFF_GROUP``). Administrators (superusers) are
    made in Django admin only."""

    OFFICER = "officer", _("Unit officer")
    STAFF = "staff", _("Province staff")


class NextLeaders(models.TextChoices):
    """How a copy of the year chooses each cluster's new leader and deputy units."""

    KEEP = "keep", _("Keep this year's leader and deputy")
    ROTATE = "rotate", _("Rotate to the next members in the cluster's order")
    ELECTED = "elected", _("The units elected at the year-end meeting")


class DeadlineMode(models.TextChoices):
    """What a phase's deadline does once passed (clusters.models.Deadline): only warn, or
    close the phase's input for units without an extension (staff are never blocked)."""

    WARN = "warn", _("Warn only")
    CLOSE = "close", _("Close input")


class NoticeKind(models.TextChoices):
    """What a notification tells (clusters.models.Notification; docs/notifications.md)."""

    PHASE_OPENED = "phase_opened", _("Phase opened")
    PHASE_CLOSING = "phase_closing", _("Phase closing")
    SHEET_RETURNED = "sheet_returned", _("Sheet returned")
    EXPLANATION_ANSWERED = "explanation_answered", _("Explanation written")
    RESULTS_PUBLISHED = "results_published", _("Results published")
    DECISION_RECORDED = "decision_recorded", _("Decision recorded")
    REMINDER = "reminder", _("Reminder")
