"""Coded values of employers and employer relations. Codes are stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind, Role, UnitKind

# The organisation kinds that can have an employer profile (issue 4, part 1).
EMPLOYER_KINDS = (
    OrganisationKind.COMPANY,
    OrganisationKind.SOCIAL_COOP,
    OrganisationKind.TRAINING_BODY,
    OrganisationKind.JOB_AGENCY,
    OrganisationKind.PUBLIC_BODY,
)
EMPLOYER_KIND_CHOICES = [(kind.value, kind.label) for kind in EMPLOYER_KINDS]

# Job-inclusion units: their operators and coordinators scout employers for the whole network (seed 000).
SCOUTING_UNIT_KINDS = frozenset({UnitKind.POLO_LAVORO, UnitKind.CELAV, UnitKind.PROGRAMME_TEAM})
SCOUTING_ROLES = frozenset({Role.OPERATOR, Role.COORDINATOR})


class SocialCoopType(models.TextChoices):
    """Law 381/1991 art. 1: type A runs social, health and education services; type B employs disadvantaged people."""

    A = "A", _("Type A (social, health and education services)")
    B = "B", _("Type B (work integration of disadvantaged people)")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit to the company")
    MEETING = "meeting", _("Meeting at our service")
    VIDEO = "video", _("Video call")
    EVENT = "event", _("Event or job fair")
    OTHER = "other", _("Other")


class ContactOutcome(models.TextChoices):
    """How the contact went, from the scouting point of view."""

    NO_ANSWER = "no_answer", _("No answer yet")
    INFORMED = "informed", _("Informed about the network")
    INTERESTED = "interested", _("Interested, to follow up")
    NEEDS_COLLECTED = "needs", _("Needs collected")
    OPPORTUNITY = "opportunity", _("Offered an opportunity")
    NOT_NOW = "not_now", _("Not now")
    NOT_INTERESTED = "not_interested", _("Not interested")


class OpportunityKind(models.TextChoices):
    """The kinds of the Integr@lavoro catalogue (issue 4, part 3)."""

    COURSE = "course", _("Training course")
    INTERNSHIP = "internship", _("Extra-curricular internship")
    JOB = "job", _("Job vacancy")
    LAW68 = "law68", _("Law 68 position")
    VOLUNTEERING = "volunteering", _("Volunteering")


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent contract")
    FIXED_TERM = "fixed_term", _("Fixed-term contract")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    INTERNSHIP = "internship", _("Internship agreement (no employment)")
    NONE = "none", _("No contract (course, volunteering)")
    OTHER = "other", _("Other")


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
