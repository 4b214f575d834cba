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


class Weekday(models.IntegerChoices):
    """ISO weekdays, as `date.isoweekday()` numbers them."""

    MON = 1, _("Monday")
    TUE = 2, _("Tuesday")
    WED = 3, _("Wednesday")
    THU = 4, _("Thursday")
    FRI = 5, _("Friday")
    SAT = 6, _("Saturday")
    SUN = 7, _("Sunday")


class Disclosure(models.TextChoices):
    """What the candidate lets employers be told of their disability (never the diagnosis: that is never shared)."""

    NONE = "none", _("Nothing: employers are not told of a disability")
    DISABILITY = "disability", _("That they have a recognised disability (Law 68 registration)")
    DETAILS = "details", _("That they have a recognised disability, and the support they agreed to describe")


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class ProposalStatus(models.TextChoices):
    """Derived from the two decisions and the withdrawal; stored so that boards filter in the database."""

    PENDING = "pending", _("Waiting for decisions")
    ACCEPTED = "accepted", _("Accepted: ready to start a path")
    DECLINED_CANDIDATE = "declined_candidate", _("Declined by the candidate")
    DECLINED_EMPLOYER = "declined_employer", _("Declined by the employer")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CandidateDeclineReason(models.TextChoices):
    NOT_INTERESTED = "not_interested", _("Not interested in this work")
    HOURS = "hours", _("Hours or days do not suit")
    TRAVEL = "travel", _("Too far or hard to reach")
    PAY = "pay", _("Pay or contract conditions")
    NOT_READY = "not_ready", _("Does not feel ready now")
    OTHER_OPPORTUNITY = "other_opportunity", _("Chose another opportunity")
    FAMILY = "family", _("Family or personal reasons")
    OTHER = "other", _("Other")


class EmployerDeclineReason(models.TextChoices):
    FILLED = "filled", _("The position has been filled")
    SKILLS = "skills", _("Skills or experience do not match")
    INTERVIEW = "interview", _("After the interview")
    NO_SHOW = "no_show", _("The candidate did not come to the interview")
    HOURS = "hours", _("Availability does not match")
    CANCELLED = "cancelled", _("The opportunity was cancelled")
    OTHER = "other", _("Other")


# Readiness bands of the employability assessment (assessments/instruments/employability.yaml).
EMPLOYABILITY_INSTRUMENT = "employability"
SKILLS_BALANCE_INSTRUMENT = "skills_balance"


class ReadinessBand(models.TextChoices):
    """The employability instrument's bands (assessments/instruments/employability.yaml): readiness in matching."""

    PREPARATORY = "preparatory", _("Preparatory path first")
    SUPPORTED = "supported", _("Ready with support")
    OPEN_MARKET = "open_market", _("Ready for the open market")
