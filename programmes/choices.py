"""Coded values of programmes and indicators. Codes are stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    LATE = "late", _("Late")
    CANCELLED = "cancelled", _("Cancelled")


class Direction(models.TextChoices):
    """Which way a target is met."""

    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class Unit(models.TextChoices):
    COUNT = "count", _("count")
    PERCENT = "percent", _("percentage")
    DAYS = "days", _("days")
    EUROS = "euros", _("euros")


class TargetStatus(models.TextChoices):
    """How an indicator stands against its target in the chosen period."""

    MET = "met", _("Target met")
    ON_TRACK = "on_track", _("On track")
    OFF_TRACK = "off_track", _("Off track")
    MISSED = "missed", _("Target missed")
    NO_TARGET = "no_target", _("No numeric target")
    NO_DATA = "no_data", _("No data yet")
    WAITING = "waiting", _("Waiting for data Ponte does not record yet")
    SUPPRESSED = "suppressed", _("Suppressed (small numbers)")
