"""Choices of the awards models and the reasons a unit is not eligible. The reason values
are the rules' (awards/rules.py), so they are read without translation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RestrictionKind(models.TextChoices):
    DISCIPLINE = "discipline", _("Under discipline")
    INSPECTION = "inspection", _("Under inspection")


class ExclusionReason(models.TextChoices):
    RESTRICTED = "restricted", _("Restricted")
    NOT_LEADING = "not_leading", _("Not the leading unit")
    BELOW_BAND = "below_band", _("Below the band")
    BEYOND_LIMIT = "beyond_limit", _("Beyond the number per cluster")
