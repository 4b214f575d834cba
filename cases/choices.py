"""Coded values of cases and referrals."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Area(models.TextChoices):
    WORK = "work", _("Work and training")
    HOUSING = "housing", _("Housing")
    PREVENTION = "prevention", _("Prevention and anti-stigma")
    JUSTICE = "justice", _("Justice (prison, REMS)")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class ClosingReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals reached")
    TRANSFERRED = "transferred", _("Transferred to another service")
    DROP_OUT = "drop_out", _("Drop-out")
    PERSON_CHOICE = "person_choice", _("The person's choice")
    MOVED = "moved", _("Moved out of the territory")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
