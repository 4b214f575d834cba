"""Coded values of the plans app. Codes are stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalArea(models.TextChoices):
    """The life areas of a Budget di Salute plan (seed 001)."""

    HOUSING = "housing", _("Housing")
    WORK = "work", _("Work and training")
    SOCIAL = "social", _("Social life")
    HEALTH = "health", _("Health")
    JUSTICE = "justice", _("Justice")


class FundingSource(models.TextChoices):
    ASST = "asst", _("ASST")
    COMUNE = "comune", _("Comune")
    PERSON = "person", _("The person or family")
    OTHER = "other", _("Other")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Approved, in force")
    SUPERSEDED = "superseded", _("Replaced by a later version")


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class EvaluationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETE = "complete", _("Complete: all participants signed")
