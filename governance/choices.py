"""Coded values of the governance app. Codes are stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementStatus(models.TextChoices):
    """Where a network agreement or protocol stands (seeds 003 and 004 use these steps)."""

    ABSENT = "absent", _("Absent")
    WORKING_GROUP = "working_group", _("Working group set up")
    DRAFTING = "drafting", _("Drafting")
    SIGNED = "signed", _("Signed")
    TO_RENEW = "to_renew", _("To renew")


# The statuses an agreement may move to from each status. Once signed, an agreement is never "absent" again:
# it lapses into "to renew", and a renewal is drafted and signed anew.
TRANSITIONS = {
    AgreementStatus.ABSENT: {AgreementStatus.WORKING_GROUP, AgreementStatus.DRAFTING, AgreementStatus.SIGNED},
    AgreementStatus.WORKING_GROUP: {AgreementStatus.ABSENT, AgreementStatus.DRAFTING, AgreementStatus.SIGNED},
    AgreementStatus.DRAFTING: {AgreementStatus.WORKING_GROUP, AgreementStatus.SIGNED},
    AgreementStatus.SIGNED: {AgreementStatus.TO_RENEW, AgreementStatus.DRAFTING},
    AgreementStatus.TO_RENEW: {AgreementStatus.DRAFTING, AgreementStatus.SIGNED},
}
# Statuses that need the date of signature.
NEEDS_SIGNATURE = frozenset({AgreementStatus.SIGNED, AgreementStatus.TO_RENEW})


class MeetingKind(models.TextChoices):
    CABINA = "cabina", _("Cabina di Pilotaggio (steering committee)")
    WORKING_TABLE = "working_table", _("Working table")
    POLI_LAVORO = "poli_lavoro", _("Monthly Poli Lavoro meeting")
    UVM = "uvm", _("Multidimensional evaluation unit (UVM)")
    OTHER = "other", _("Other")
