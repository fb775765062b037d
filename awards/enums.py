"""Choices of the awards models and the reasons a unit is not eligible. The reason values
are the rules' (awards/rules.py), so they are read without translation."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RestrictionKind(models.TextChoices):
    DISCIPLINE = "discipline", _("Under discipline")
    INSPECTION = "inspection", _("Under inspection")


class ExclusionReason(models.TextChoices):
    RESTRICTED = "restricted", _("Restricted")
    NOT_LEADING = "not_leading", _("Not the leading unit")
    BELOW_BAND = "below_band", _("Below the band")
    BEYOND_LIMIT = "beyond_limit", _("Beyond the number per cluster")


class TitleLevel(models.TextChoices):
    """Who grants a title: the unit's own head, the province, the Ministry, the Government
    or the State."""

    UNIT = "unit", _("Unit")
    PROVINCE = "province", _("Province")
    MINISTRY = "ministry", _("Ministry")
    GOVERNMENT = "government", _("Government")
    STATE = "state", _("State")


class RuleKind(models.TextChoices):
    """The kinds of a title's rules (awards/ladder.py evaluates them)."""

    MIN_BAND = "min_band", _("At or above a band")
    LEADING = "leading", _("Leading unit of its cluster")
    REQUIRES_TITLE = "requires_title", _("Requires another title in the same year")
    PAST_TITLES = "past_titles", _("Requires titles in past years")
    PAST_BANDS = "past_bands", _("Requires bands in past years")
    QUOTA = "quota", _("Quota")
    EXCLUDES = "excludes", _("Excludes other titles the same year")
    NO_RESTRICTION = "no_restriction", _("No discipline or inspection")
    FIGURE_SHARE = "figure_share", _("Share of the unit's own figures")


class QuotaScope(models.TextChoices):
    CLUSTER = "cluster", _("Per cluster")
    CAMPAIGN = "campaign", _("Per campaign")


class Figure(models.TextChoices):
    """The unit's own figures a rule may use as a share of its headcount."""

    ADVANCED_SOLDIERS = "advanced_soldiers", _("Individuals with Chiến sĩ tiên tiến")
    EMULATION_SOLDIERS = "emulation_soldiers", _("Individuals with Chiến sĩ thi đua cơ sở")
    DISCIPLINED = "disciplined", _("Individuals disciplined")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("At least")
    AT_MOST = "at_most", _("At most")


class PastTitleSource(models.TextChoices):
    ENTERED = "entered", _("Entered by hand")
    IMPORTED = "imported", _("Imported")
    DECISION = "decision", _("Decision")


class FiguresStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("figures", "Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Checked")
    RETURNED = "returned", _("Returned for correction")


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
