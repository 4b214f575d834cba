"""Coded values of the assessments app. Codes are stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    ORDINAL = "ordinal", _("Ordinal scale")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    TEXT = "text", _("Free text")
    GROUP = "group", _("Repeating group")


class ScoringMethod(models.TextChoices):
    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")
