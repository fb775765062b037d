"""Choices of the scoring models. Kind, metric, direction and method values are the
engine's (scoring/engine/kinds.py), so a stored criterion is read without translation."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TableStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("score table", "Published")


class CriterionKind(models.TextChoices):
    GROUP = "group", _("Area or group")
    MANUAL = "manual", _("Points entered")
    PASS_FAIL = "pass_fail", _("Pass or fail")
    COUNT = "count", _("Points per item")
    TARGET = "target", _("Quantitative target")
    BONUS = "bonus", _("Bonus points")
    DEDUCTION = "deduction", _("Deduction points")
    VETO = "veto", _("Must-not-happen condition")


class Metric(models.TextChoices):
    VALUE = "value", _("Value")
    RATE = "rate", _("Rate (numerator / denominator)")
    REDUCTION = "reduction", _("Reduction against last period")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Method(models.TextChoices):
    THRESHOLD = "threshold", _("Full points when the target is met")
    PROPORTIONAL = "proportional", _("Proportional to the target")
    RELATIVE = "relative", _("Relative to the cluster's best")


class Stage(models.TextChoices):
    SELF = "self", _("Self-assessment")
    CLUSTER = "cluster", _("Cluster scoring")
    FINAL = "final", _("Final review")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("sheet", "Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    LOCKED = "locked", _("Locked")


class BaselineSource(models.TextChoices):
    """Where a unit's last-year figure comes from (scoring.models.UnitBaseline)."""

    CARRIED = "carried", _("Carried from last year's published results")
    TYPED = "typed", _("Typed")
